"""The fast llama.cpp path against llama-cpp-python's own (same text, same log-probs), and
prompts decoded side by side against the same prompts decoded one at a time (bit for bit)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from halprobe.backends.base import BackendError
from halprobe.backends.cpu import llama_model_params, this_machine
from halprobe.backends.default import default_gguf
from halprobe.backends.llamacpp import LlamaCppBackend
from halprobe.errors import UserError
from halprobe.types import DecodingParams, Generation, Message

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


@pytest.fixture(scope="module")
def one_at_a_time() -> Iterator[LlamaCppBackend]:
    single = LlamaCppBackend(default_gguf(), n_threads=1, n_parallel=1)
    yield single
    single.close()


def _same(a: Generation, b: Generation) -> bool:
    return (a.tokens, a.token_logprobs, a.finish_reason) == (b.tokens, b.token_logprobs,
                                                              b.finish_reason)


def _plain_llama(**kwargs: Any) -> Any:
    """llama-cpp-python's own Llama, with halprobe's extra-bufts rule (it crashes on AMX)."""
    from llama_cpp import Llama

    with llama_model_params(this_machine().extra_bufts()):
        return Llama(model_path=str(default_gguf()), n_ctx=2048, n_threads=1,
                     n_threads_batch=1, verbose=False, **kwargs)


@pytest.mark.model
def test_greedy_text_is_llama_cpp_pythons_own(backend: LlamaCppBackend) -> None:
    plain = _plain_llama()
    side_by_side = backend.generate([_chat(c) for c in COUNTRIES], PARAMS)
    for country, ours in zip(COUNTRIES, side_by_side, strict=True):
        messages = _chat(country)
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
def test_prefix_reuse_does_not_change_outputs(one_at_a_time: LlamaCppBackend) -> None:
    """A, B, A and A, A in one stream: the KV cache of the shared prefix is reused (for the
    repeated prompt all but its last two tokens), the answers are not."""
    a, b = _chat("Kenya"), _chat("Kenya's neighbour Uganda")
    first, _, again, same_again = (one_at_a_time.generate([p], PARAMS)[0] for p in (a, b, a, a))
    for repeat in (again, same_again):
        assert repeat.text == first.text
        assert _same(repeat, first)


@pytest.mark.model
def test_side_by_side_equals_one_at_a_time_bit_for_bit(
        backend: LlamaCppBackend, one_at_a_time: LlamaCppBackend) -> None:
    """24 prompts of different lengths and answer lengths, 16 decoded together and refilled as
    they finish, give the tokens, log-probs and finish reasons of one-at-a-time decoding;
    sampled ones too (the seed is per prompt)."""
    prompts = [_chat(c) for c in COUNTRIES] + [
        [Message("user", f"When did {name} die? Answer in one sentence.")]
        for name in ("Ada Lovelace", "Jan Smuts", "Oskar Kokoschka", "Maria Gaetana Agnesi")] + [
        [Message("system", "Answer with a title only."),
         Message("user", f"Name a paper on {topic}.")]
        for topic in ("attention", "dropout", "protein folding", "hallucination", "sorting",
                      "zebrafish", "graphene", "monsoons", "proof assistants", "sleep")]
    for params in (PARAMS, DecodingParams(max_tokens=24, temperature=1.0, seed=7)):
        together = backend.generate(prompts, params)
        alone = [one_at_a_time.generate([p], params)[0] for p in prompts]
        assert len({g.completion_tokens for g in alone}) > 3  # answers of many lengths
        assert [n for n, (x, y) in enumerate(zip(together, alone, strict=True))
                if not _same(x, y)] == []


@pytest.mark.model
def test_a_prompt_too_long_for_a_stream_fails_alone(backend: LlamaCppBackend) -> None:
    """The error names the option to raise; the prompts beside it are answered."""
    long = [Message("user", "word " * 1100)]
    with pytest.raises(BackendError, match="n_ctx"):
        backend.generate([long], PARAMS)
    assert backend.generate([_chat("Japan")], PARAMS)[0].text


@pytest.mark.model
def test_max_tokens_ends_with_length(backend: LlamaCppBackend) -> None:
    short = backend.generate([_chat("Japan")], DecodingParams(max_tokens=2))[0]
    assert short.finish_reason == "length"
    assert short.completion_tokens == 2 == len(short.token_logprobs or ())
    full = backend.generate([_chat("Japan")], PARAMS)[0]
    assert full.token_logprobs and full.token_logprobs[:2] == short.token_logprobs


def test_kv_streams_fit_a_quarter_of_free_memory() -> None:
    """16 streams where they fit; fewer, never none, where memory is short."""
    from halprobe.backends.llamacpp import KV_MEMORY_SHARE, MAX_PARALLEL
    from halprobe.backends.memory import units_that_fit

    stream = 1024 * 23_040  # SmolLM2-135M: n_ctx 1024 x 23,040 bytes a token
    assert units_that_fit(stream, KV_MEMORY_SHARE, MAX_PARALLEL, available=8 << 30) == 16
    assert units_that_fit(stream, KV_MEMORY_SHARE, MAX_PARALLEL, available=200 << 20) == 2
    assert units_that_fit(stream, KV_MEMORY_SHARE, MAX_PARALLEL, available=1 << 20) == 1


@pytest.mark.model
def test_kv_bytes_per_token_of_the_default_model(backend: LlamaCppBackend) -> None:
    """30 layers x 3 KV heads x head dim 64 (576 / 9 heads), K and V in f16."""
    import llama_cpp

    from halprobe.backends.llamacpp import kv_bytes_per_token

    assert kv_bytes_per_token(llama_cpp, backend._model.model) == 2 * 30 * 3 * 64 * 2
    assert backend.capabilities.max_concurrency == 2 * backend._engine.n_streams


@pytest.mark.model
def test_extra_buffers_off_gives_the_same_answers_and_its_own_fingerprint(
        backend: LlamaCppBackend) -> None:
    """-o extra_bufts=off (the AMX workaround) against auto on 10 capitals: the same tokens and
    log-probs on this machine (its llama.cpp repacks none of the default model's Q4_1 weights;
    docs/performance.md); the fingerprint still records the choice, so caches never mix."""
    off = LlamaCppBackend(default_gguf(), n_threads=1, extra_bufts="off")
    try:
        prompts = [_chat(c) for c in COUNTRIES]
        for country, a, b in zip(COUNTRIES, backend.generate(prompts, PARAMS),
                                 off.generate(prompts, PARAMS), strict=True):
            assert a.text == b.text and _same(a, b), country
        assert off.fingerprint()["extra_bufts"] is False
        assert backend.fingerprint()["extra_bufts"] is this_machine().extra_bufts("auto")
    finally:
        off.close()


def test_extra_bufts_option_is_checked_before_the_model_loads() -> None:
    with pytest.raises(UserError, match="extra_bufts must be one of auto, on, off"):
        LlamaCppBackend(default_gguf(), extra_bufts="sometimes")


@pytest.mark.model
def test_a_supervised_load_notes_what_a_crash_message_needs(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a supervised child (HALPROBE_CRASH_DIR set), the backend writes the CPU features and
    the extra-bufts choice before llama.cpp loads the weights (where the AMX crash happens)."""
    import json

    monkeypatch.setenv("HALPROBE_CRASH_DIR", str(tmp_path))
    LlamaCppBackend(default_gguf(), n_threads=1, n_parallel=1, extra_bufts="off").close()
    context = json.loads((tmp_path / "context.json").read_text())
    assert context["backend"] == "llamacpp"
    assert context["cpu_features"] == this_machine().features
    assert (context["extra_bufts"], context["extra_bufts_used"]) == ("off", False)
