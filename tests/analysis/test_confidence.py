"""Answer confidence uses the tokens of the matched span; no log-probs means no confidence."""

from __future__ import annotations

import math

import pytest

from halprobe.analysis.confidence import answer_token_range, confidence
from halprobe.types import Generation


def test_span_tokens_are_found() -> None:
    tokens = ("The", " capital", " is", " Par", "is", ".")
    assert answer_token_range(tokens, "Paris") == (3, 5)
    assert answer_token_range(tokens, "Rome") is None


def test_confidence_of_answer_span() -> None:
    gen = Generation(text="The capital is Paris.",
                     tokens=("The", " capital", " is", " Par", "is", "."),
                     token_logprobs=(-0.1, -0.2, -0.3, -0.5, -0.25, -1.0))
    conf = confidence(gen, "Paris")
    assert conf.source == "logprobs:answer_span"
    assert conf.value == pytest.approx(math.exp(-0.75))
    assert conf.value_normalised == pytest.approx(math.exp(-0.375))
    whole = confidence(gen, None)
    assert whole.source == "logprobs:sequence"
    assert whole.value == pytest.approx(math.exp(-2.35))


def test_no_logprobs_no_confidence() -> None:
    conf = confidence(Generation(text="Paris"), "Paris")
    assert (conf.value, conf.source) == (None, "none")
