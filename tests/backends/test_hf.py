"""The hf: backend: length-sorted batches give batch-size-1 answers, in prompt order."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from halprobe.backends.hf import (
    MAX_AUTO_BATCH,
    HFBackend,
    auto_batch_size,
    chosen_logprobs,
    from_spec,
    length_batches,
    sequence_bytes,
)
from halprobe.backends.line_end import LINE_START
from halprobe.types import DecodingParams, Message, ScoreRequest, completion_text

# Lengths differ on purpose and are not in order, so sorting moves prompts across batches.
QUESTIONS = [
    "What is the capital of the country in Africa called Burkina Faso, formerly Upper Volta?",
    "What is the capital of France?",
    "What is the capital of Tuvalu, an island country in the Pacific Ocean?",
    "What is the capital of Peru?",
    "What is the capital of Kazakhstan?",
]
PARAMS = DecodingParams(max_tokens=24)


def _chats() -> list[list[Message]]:
    return [[Message("user", f"{q} Answer in one sentence.")] for q in QUESTIONS]


@pytest.fixture(scope="module")
def backend() -> Iterator[HFBackend]:
    hf = from_spec("default", {"n_threads": 1})
    yield hf
    hf.close()


@pytest.mark.model
def test_batched_answers_equal_batch_of_one_in_prompt_order(backend: HFBackend) -> None:
    chats = _chats()
    backend.batch_size = 1
    single = [backend.generate([c], PARAMS)[0] for c in chats]
    backend.batch_size = 2  # three batches over the sorted window: order must be restored
    batched = backend.generate(chats, PARAMS)
    assert [g.text for g in batched] == [g.text for g in single]
    assert [g.prompt_tokens for g in batched] == [g.prompt_tokens for g in single]
    assert [g.prompt_tokens for g in batched] != sorted(g.prompt_tokens or 0 for g in batched)
    for one, many in zip(single, batched, strict=True):
        assert many.completion_tokens == len(many.token_logprobs or ())
        assert many.token_logprobs == pytest.approx(one.token_logprobs, abs=1e-3)
    backend.batch_size = None


@pytest.mark.model
def test_answers_carry_logprobs_and_a_finish_reason(backend: HFBackend) -> None:
    gen = backend.generate(_chats()[1:2], DecodingParams(max_tokens=32))[0]
    assert "Paris" in gen.text
    assert gen.finish_reason == "stop"
    assert gen.token_logprobs and all(lp <= 0 for lp in gen.token_logprobs)
    assert "".join(gen.tokens or ()).strip() == gen.text


def test_length_batches_sort_by_length_and_cover_every_index() -> None:
    batches = length_batches([30, 10, 20, 10, 50], 2)
    assert batches == [[1, 3], [2, 0], [4]]


def _config() -> SimpleNamespace:
    return SimpleNamespace(num_attention_heads=9, num_key_value_heads=3, head_dim=64,
                           hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                           vocab_size=49152)


def test_batch_size_follows_available_memory() -> None:
    per_sequence = sequence_bytes(_config(), prompt_len=40, new_tokens=32)
    assert 10e6 < per_sequence < 40e6  # SmolLM2-135M: about 23 MB a sequence, mostly scores
    assert auto_batch_size(per_sequence, available=8 << 30) == MAX_AUTO_BATCH
    assert auto_batch_size(per_sequence, available=10 * per_sequence) == 5
    assert auto_batch_size(per_sequence, available=0) == 1
    assert auto_batch_size(per_sequence, available=8 << 30, cap=4) == 4


def test_chosen_logprobs_are_the_log_softmax_of_the_chosen_tokens() -> None:
    torch = pytest.importorskip("torch")
    steps = [torch.tensor([[0.0, 1.0, 2.0], [3.0, 0.0, 0.0]]),
             torch.tensor([[1.0, 1.0, 1.0], [0.0, float("-inf"), 5.0]])]  # -inf: cut by top-p
    chosen = torch.tensor([[2, 0], [0, 2]])
    got = chosen_logprobs(steps, chosen)
    # by hand: log(e^2 / (1 + e + e^2)) = -0.4076; log(e^3 / (e^3 + 2)) = -0.0949;
    # log(1/3) = -1.0986; log(e^5 / (1 + e^5)) = -0.0067
    assert got.flatten().tolist() == pytest.approx([-0.4076, -1.0986, -0.0949, -0.0067],
                                                   abs=1e-4)
    expected = torch.stack([torch.log_softmax(s, -1).gather(1, chosen[:, n:n + 1]).squeeze(1)
                            for n, s in enumerate(steps)], dim=1)
    assert torch.allclose(got, expected, atol=1e-6)


SHOTS = ("Q: What is the capital of France?\nA: Paris\n\n"
         "Q: What is the capital of Japan?\nA: Tokyo\n\n")


def _full_sequence_logprob(hf: HFBackend, request: ScoreRequest) -> list[float]:
    """The plain computation: one forward pass over prompt + option, no cache, no padding."""
    import torch

    prompt = hf.prompt_ids(request.prompt)
    sums = []
    for continuation in request.continuations:
        option = hf._continuation_ids(completion_text(request.prompt), prompt, continuation)
        fed = [t for t in option if t != LINE_START]  # the end of the line is predicted only
        with torch.inference_mode():
            logits = hf._model(torch.tensor([prompt + fed])).logits[0]
        logp = torch.log_softmax(logits.double(), dim=-1).numpy()
        sums.append(sum(hf._pick(logp[len(prompt) - 1 + i], t) for i, t in enumerate(option)))
    return sums


@pytest.mark.model
def test_batched_scores_equal_the_plain_forward_pass(backend: HFBackend) -> None:
    """Prompts of several lengths (left padding), options of 1 to 6 tokens (right padding),
    a chat prompt beside completion prompts: each score within 1e-4 of one full pass."""
    options = (" Nairobi\n", " Lima\n", " San José\n", " Ulaanbaatar\n", " X")
    requests = [ScoreRequest((Message("completion",
                                      f"{SHOTS}Q: What is the capital of {country}?\nA:"),),
                             options[n % 2:])
                for n, country in enumerate(["Kenya", "Peru", "Burkina Faso"])]
    requests.append(ScoreRequest((Message("user", "What is the capital of Kenya?"),),
                                 ("Nairobi", "Lima")))
    batched = backend.score(requests)
    assert {n for s in batched for n in s.n_tokens} == {1, 2, 3, 6}
    for scored, request in zip(batched, requests, strict=True):
        assert scored.logprobs == pytest.approx(_full_sequence_logprob(backend, request),
                                                abs=1e-4)
    assert batched[0].logprobs[0] > max(batched[0].logprobs[1:])  # Nairobi, for Kenya
