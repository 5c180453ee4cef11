"""`-o score_weights=f32|f16|bf16`: teacher-forced scoring from a float copy of a quantised
model's weights (faster in large batches), kept apart from Mis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from halprobe.backends.default import default_gguf
from halprobe.backends.llamacpp import LlamaCppBackend
from halprobe.errors import UserError
from halprobe.types import Message, ScoreRequest

SHOTS = ("Q: What is the capital of France?\nA: Paris\n\n"
         "Q: What is the capital of Japan?\nA: Tokyo\n\n")
OPTIONS = (" Nairobi\n", " Lima\n", " San José\n", " Ulaanbaatar\n")


def _request(country: str) -> ScoreRequest:
    prompt = Message("completion", f"{SHOTS}Q: What is the capital of {country}?\nA:")
    return ScoreRequest((prompt,), OPTIONS)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        root = tmp_path_factory.mktemp("xdg")
        patch.setenv("XDG_CACHE_HOME", str(root))
        yield root / "halprobe" / "converted"


@pytest.mark.model
def test_an_unknown_choice_names_the_choices() -> None:
    with pytest.raises(UserError, match="score_weights must be one of native, f32, f16, bf16"):
        LlamaCppBackend(default_gguf(), n_threads=1, score_weights="int8")


@pytest.mark.model
def test_the_f32_copy_holds_the_quantised_weights_exactly(cache: Path) -> None:
    from gguf import GGUFReader
    from gguf.quants import dequantize

    backend = LlamaCppBackend(default_gguf(), n_threads=1, score_weights="f32")
    try:
        assert backend.capabilities.score_weights == "f32"
        backend.score([_request("Kenya")])  # the copy is made on first use
    finally:
        backend.close()
    [copy] = cache.glob("*-f32.gguf")
    assert not list(cache.glob("*.part"))
    source = {t.name: t for t in GGUFReader(default_gguf()).tensors}
    converted = {t.name: t for t in GGUFReader(copy).tensors}
    assert source.keys() == converted.keys()
    for name in ("blk.0.attn_q.weight", "blk.29.ffn_down.weight", "token_embd.weight"):
        assert source[name].tensor_type.name in ("Q4_1", "Q8_0")
        assert converted[name].tensor_type.name == "F32"
        exact = dequantize(source[name].data, source[name].tensor_type)
        assert np.array_equal(exact.reshape(converted[name].data.shape), converted[name].data)


@pytest.mark.model
def test_float_copy_scores_rank_alike_and_do_not_depend_on_their_group(cache: Path) -> None:
    """Scores from the f32 copy: not generation's (8-bit activations), but close to them,
    the same top option, and alone or in a group the same to 1e-4 (float sums are tiled by
    the batch's size: a few 1e-7 here, where native 8-bit rounding moved a score by 0.4)."""
    countries = ["Kenya", "Peru", "Costa Rica", "Mongolia"]
    requests = [_request(c) for c in countries]
    native = LlamaCppBackend(default_gguf(), n_threads=1)
    float_copy = LlamaCppBackend(default_gguf(), n_threads=1, score_weights="f32")
    try:
        ours, theirs = native.score(requests), float_copy.score(requests)
        alone = [float_copy.score([r])[0] for r in requests]
    finally:
        native.close()
        float_copy.close()
    for one, grouped in zip(alone, theirs, strict=True):
        assert one.n_tokens == grouped.n_tokens
        assert one.logprobs == pytest.approx(grouped.logprobs, abs=1e-4)
    gaps = np.abs(np.array([s.logprobs for s in ours]) - np.array([s.logprobs for s in theirs]))
    assert 0 < gaps.max() < 2.5
    assert ([int(np.argmax(s.logprobs)) for s in ours]
            == [int(np.argmax(s.logprobs)) for s in theirs] == [0, 1, 2, 3])


@pytest.mark.model
@pytest.mark.slow
def test_the_f32_copy_scores_as_transformers_does_on_the_same_weights(cache: Path) -> None:
    """transformers dequantises the GGUF to float32 too: the two implementations agree to a
    few hundredths (llama.cpp keeps its KV cache in float16), where generation's 8-bit
    activations lie tenths away (test_completion.py)."""
    from halprobe.backends.hf import from_spec

    requests = [_request(c) for c in ("Kenya", "Mongolia")]
    hf = from_spec("default", {"n_threads": 1})
    float_copy = LlamaCppBackend(default_gguf(), n_threads=1, score_weights="f32")
    try:
        theirs, ours = hf.score(requests), float_copy.score(requests)
    finally:
        hf.close()
        float_copy.close()
    for mine, other in zip(ours, theirs, strict=True):
        assert mine.n_tokens == other.n_tokens
        assert mine.logprobs == pytest.approx(other.logprobs, abs=0.05)
