"""The fast llama.cpp path against llama-cpp-python's own: same text, same log-probs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from halprobe.backends.default import default_gguf
from halprobe.backends.llamacpp import LlamaCppBackend
from halprobe.types import DecodingParams, Message

COUNTRIES = ["France", "Burkina Faso", "Barbados", "Tuvalu", "Kazakhstan", "Peru", "Mongolia",
             "Eswatini", "Australia", "Vanuatu"]
PARAMS = DecodingParams(max_tokens=32)


def _chat(country: str) -> list[Message]:
    return [Message("user", f"What is the capital of {country}? Answer in one sentence.")]


@pytest.fixture(scope="module")
def backend() -> Iterator[LlamaCppBackend]:
    fast = LlamaCppBackend(default_gguf(), n_threads=1)
    yield fast
    fast.close()


def _plain_llama(**kwargs: Any) -> Any:
    from llama_cpp import Llama

    return Llama(model_path=str(default_gguf()), n_ctx=2048, n_threads=1, n_threads_batch=1,
                 verbose=False, **kwargs)


@pytest.mark.model
def test_greedy_text_is_llama_cpp_pythons_own(backend: LlamaCppBackend) -> None:
    plain = _plain_llama()
    for country in COUNTRIES:
        messages = _chat(country)
        ours = backend.generate([messages], PARAMS)[0]
        theirs = plain.create_chat_completion(
            messages=[{"role": "user", "content": messages[0].content}], temperature=0.0,
            max_tokens=PARAMS.max_tokens)
        choice = theirs["choices"][0]
        assert ours.text == choice["message"]["content"].strip(), country
        assert ours.finish_reason == choice["finish_reason"], country
        assert ours.completion_tokens == theirs["usage"]["completion_tokens"], country
    plain.close()


@pytest.mark.model
def test_logprobs_equal_those_of_a_logits_all_model(backend: LlamaCppBackend) -> None:
    """The slow way llama-cpp-python gives log-probs: logits for every position kept."""
    full = _plain_llama(logits_all=True)
    for country in COUNTRIES[:4]:
        messages = _chat(country)
        ours = backend.generate([messages], PARAMS)[0]
        theirs = full.create_chat_completion(
            messages=[{"role": "user", "content": messages[0].content}], temperature=0.0,
            max_tokens=PARAMS.max_tokens, logprobs=True, top_logprobs=1)
        content = theirs["choices"][0]["logprobs"]["content"]
        assert "".join(c["token"] for c in content) == "".join(ours.tokens or ())
        np.testing.assert_allclose(ours.token_logprobs or (), [c["logprob"] for c in content],
                                   atol=1e-3)
    full.close()


@pytest.mark.model
def test_prefix_reuse_does_not_change_outputs(backend: LlamaCppBackend) -> None:
    """A, B, A and A, A: the KV cache of the shared prefix is reused, the answers are not."""
    a, b = _chat("Kenya"), _chat("Kenya's neighbour Uganda")
    first, _, again, same_again = backend.generate([a, b, a, a], PARAMS)
    for repeat in (again, same_again):
        assert repeat.text == first.text
        assert repeat.tokens == first.tokens
        assert repeat.token_logprobs == first.token_logprobs


@pytest.mark.model
def test_max_tokens_ends_with_length(backend: LlamaCppBackend) -> None:
    short = backend.generate([_chat("Japan")], DecodingParams(max_tokens=2))[0]
    assert short.finish_reason == "length"
    assert short.completion_tokens == 2 == len(short.token_logprobs or ())
    full = backend.generate([_chat("Japan")], PARAMS)[0]
    assert full.token_logprobs and full.token_logprobs[:2] == short.token_logprobs
