"""Author matcher: any true author, no invented one."""

from __future__ import annotations

import pytest

from halprobe.scoring.person import match
from halprobe.types import Label, ProbeItem
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


@pytest.mark.parametrize("response", [
    "It was written by Goodfellow and Schmidhuber.",
    "The paper was written by Smith.",
    "The authors are Li and Wang.",
    "Goodfellow, Bengio and LeCun.",
])
def test_lone_invented_surname_in_an_author_slot(response: str) -> None:
    assert match(gan(), response).label is Label.HALLUCINATED


def test_lone_surnames_of_true_authors() -> None:
    assert match(gan(), "It was written by Goodfellow and Bengio.").label is Label.CORRECT


@pytest.mark.parametrize(("item", "response", "label"), [
    (authors("Deep Residual Learning", "Kaiming He", "Jian Sun"), "He et al. (2016)",
     Label.CORRECT),
    (authors("Fast R-CNN", "Ross Girshick"), "Ross Girshick and Kaiming He", Label.HALLUCINATED),
    (authors("Seq2seq", "Ilya Sutskever", "Quoc V. Le"), "Sutskever and Le (2014)", Label.CORRECT),
    (authors("Alignments", "Andrej Karpathy", "Li Fei-Fei"), "Andrej Karpathy and Fei-Fei Li.",
     Label.CORRECT),
    (authors("Show, Attend", "Rich Zemel"), "Richard Zemel", Label.CORRECT),
    (authors("Scaling", "Robert Tibshirani"), "Bob Tibshirani", Label.CORRECT),
])
def test_name_forms(item: ProbeItem, response: str, label: Label) -> None:
    assert match(item, response).label is label


def test_institution_in_place_of_authors_is_hallucinated() -> None:
    text = ('The paper was written by a team of researchers at the University of California, '
            'Berkeley, in 2019.')
    grade = match(gan(), text)
    assert grade.label is Label.HALLUCINATED and "University" in (grade.matched or "")


def test_institution_beside_a_true_author_is_correct() -> None:
    text = "Ian Goodfellow and colleagues at the Université de Montréal wrote it."
    assert match(gan(), text).label is Label.CORRECT


def test_unnamed_team_is_no_answer() -> None:
    assert match(gan(), "It was written by a team of researchers.").label is Label.UNSCORED


def test_lower_case_true_author() -> None:
    assert match(gan(), "ian goodfellow and yoshua bengio").label is Label.CORRECT


@pytest.mark.parametrize(("response", "label"), [
    ("The paper is by Smith and Jones.", Label.HALLUCINATED),
    ("It's by LeCun.", Label.HALLUCINATED),
    ("It's by Goodfellow.", Label.CORRECT),
])
def test_is_by_is_an_author_slot(response: str, label: Label) -> None:
    assert match(gan(), response).label is label


def test_surname_then_initials_without_periods() -> None:
    text = "Goodfellow I, Pouget-Abadie J, Mirza M, Courville A, Bengio Y."
    assert match(gan(), text).label is Label.CORRECT
    assert match(gan(), "Goodfellow I, Smith J.").label is Label.HALLUCINATED
