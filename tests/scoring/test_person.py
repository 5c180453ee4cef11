"""Author matcher: any true author, no invented one."""

from __future__ import annotations

import pytest

from halprobe.scoring.person import match
from halprobe.types import Label
from tests.scoring.conftest import authors, gan


@pytest.mark.parametrize("response", [
    "The paper was written by Ian Goodfellow and Yoshua Bengio.",
    "Goodfellow et al. (2014)",
    "It was written by I. Goodfellow.",
    "Goodfellow, I., Bengio, Y. and Courville, A.",
    "Ian J. Goodfellow",
    "The authors are Ian Goodfelow and Aaron Courville.",  # one-letter slip
    "Ian Goodfellow, then a student at the Université de Montréal, wrote it.",
    "Ian Goodfellow wrote it while in Mountain View at Google Brain.",
])
def test_true_authors_are_correct(response: str) -> None:
    assert match(gan(), response).label is Label.CORRECT


def test_invented_author_beside_true_one_is_hallucinated() -> None:
    grade = match(gan(), "The paper was written by Ian Goodfellow and John Smith.")
    assert grade.label is Label.HALLUCINATED and grade.matched == "John Smith"


def test_same_surname_other_person_is_hallucinated() -> None:
    assert match(gan(), "It was written by Samy Bengio.").label is Label.HALLUCINATED


def test_invented_et_al_is_hallucinated() -> None:
    assert match(gan(), "Smith et al. wrote it.").label is Label.HALLUCINATED


def test_title_words_are_not_people() -> None:
    text = "Generative Adversarial Nets was written by Yoshua Bengio."
    assert match(gan(), text).label is Label.CORRECT


def test_no_name_is_unscored() -> None:
    assert match(gan(), "It is a famous paper about neural networks.").label is Label.UNSCORED


def test_control_with_a_name_is_hallucinated() -> None:
    item = authors("Quantum Gradient Folding for Sparse Llamas")
    assert match(item, "It was written by Maria Keller and Tom Ruiz.").label is Label.HALLUCINATED


def test_single_name_author() -> None:
    item = authors("Under Two Flags", "Ouida")
    assert match(item, "Under Two Flags was written by Ouida.").label is Label.CORRECT


def test_matched_span_drops_leading_words() -> None:
    grade = match(gan(), "Researchers Ian Goodfellow and Yoshua Bengio wrote it.")
    assert grade.label is Label.CORRECT and grade.matched == "Ian Goodfellow"
