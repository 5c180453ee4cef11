"""Title matcher: fuzzy, every stated title must match."""

from __future__ import annotations

from halprobe.scoring.titles import match
from halprobe.types import Label
from tests.scoring.conftest import title_of

ITEM = title_of("Which paper introduced GANs?", "Generative Adversarial Nets")


def test_quoted_title_matches_fuzzily() -> None:
    grade = match(ITEM, 'GANs were introduced in "Generative Adversarial Networks" (2014).')
    assert grade.label is Label.CORRECT


def test_titled_phrase() -> None:
    assert match(ITEM, "It is the paper titled Generative Adversarial Nets").label is Label.CORRECT


def test_wrong_title_is_hallucinated() -> None:
    assert match(ITEM, 'It is "Deep Residual Learning".').label is Label.HALLUCINATED


def test_no_title_is_unscored() -> None:
    assert match(ITEM, "A famous one.").label is Label.UNSCORED
