"""grade(): dispatch, abstention, refusal-then-guess, alive claims, controls."""

from __future__ import annotations

import subprocess
import sys

import pytest

from halprobe.scoring import grade
from halprobe.types import Label, ProbeItem
from tests.scoring.conftest import EINSTEIN, authors, capital, death, gan, pub_year

FRANCE = capital("France", "Paris")
BURKINA = capital("Burkina Faso", "Ouagadougou")
ZORVATH = death("Zorvath Quellin", None)
LIVING = death("Tom Hanks", None)


@pytest.mark.parametrize(("item", "response", "label"), [
    (BURKINA, "The capital of Burkina Faso is Ouagadougou.", Label.CORRECT),
    (BURKINA, "The capital of Burkina Faso is Kouilé.", Label.HALLUCINATED),
    (EINSTEIN, "Albert Einstein died on April 18, 1955.", Label.CORRECT),
    (EINSTEIN, "Albert Einstein died in 1955.", Label.VAGUE),
    (EINSTEIN, "Albert Einstein died on April 17, 1955.", Label.HALLUCINATED),
    (ZORVATH, "I'm sorry, I don't have information about Zorvath Quellin.", Label.ABSTAINED),
    (gan(), "The paper was written by Ian Goodfellow and Yoshua Bengio.", Label.CORRECT),
    (gan(), "The paper was written by Ian Goodfellow and John Smith.", Label.HALLUCINATED),
    (pub_year("Generative Adversarial Nets", "2014"), "It was published in 2014.", Label.CORRECT),
])
def test_smollm2_style_answers(item: ProbeItem, response: str, label: Label) -> None:
    assert grade(item, response).label is label


@pytest.mark.parametrize("response", ["", "   ", "\n"])
def test_empty_output_is_a_non_answer(response: str) -> None:
    assert grade(FRANCE, response).label is Label.NON_ANSWER


def test_refusal_then_guess_is_graded_on_the_guess() -> None:
    assert grade(FRANCE, "I'm not sure, but I think it's Lyon.").label is Label.HALLUCINATED
    assert grade(FRANCE, "I'm not sure, but I think it's Paris.").label is Label.CORRECT
    assert grade(FRANCE, "I don't know. Lyon?").label is Label.HALLUCINATED


def test_hedge_after_the_answer_keeps_the_label() -> None:
    assert grade(FRANCE, "Paris, but I'm not entirely sure.").label is Label.CORRECT


def test_plain_refusal_is_abstained() -> None:
    grade_ = grade(FRANCE, "I don't know.")
    assert grade_.label is Label.ABSTAINED and grade_.matched == "I don't know"


def test_refusal_with_a_date_guess() -> None:
    assert grade(EINSTEIN, "I'm not certain, but he died on April 18, 1955.").label is Label.CORRECT


@pytest.mark.parametrize("response", [
    "Tom Hanks is still alive.",
    "As far as I know, Tom Hanks is alive.",
    "As of my knowledge cutoff in 2023, Tom Hanks has not died.",
])
def test_alive_is_abstained_for_a_living_person(response: str) -> None:
    assert grade(LIVING, response).label is Label.ABSTAINED


def test_alive_is_hallucinated_for_a_dead_person() -> None:
    assert grade(EINSTEIN, "Albert Einstein is still alive.").label is Label.HALLUCINATED


def test_death_date_for_a_living_person_is_hallucinated() -> None:
    assert grade(LIVING, "Tom Hanks died on May 2, 2021.").label is Label.HALLUCINATED


def test_cutoff_year_is_not_read_as_a_death_year() -> None:
    text = "As of my last update in October 2023, there is no information about his death."
    assert grade(ZORVATH, text).label is Label.ABSTAINED


@pytest.mark.parametrize(("item", "response"), [
    (capital("Zorvania"), "There is no such country as Zorvania."),
    (authors("Quantum Gradient Folding"), "I couldn't find a paper with that title."),
    (pub_year("Quantum Gradient Folding", None), "There is no known paper by that name."),
])
def test_control_abstentions(item: ProbeItem, response: str) -> None:
    assert grade(item, response).label is Label.ABSTAINED


def test_control_with_a_specific_answer_is_hallucinated() -> None:
    grade_ = grade(capital("Zorvania"), "The capital of Zorvania is Zorvath City.")
    assert grade_.label is Label.HALLUCINATED


@pytest.mark.parametrize(("item", "response"), [
    (ZORVATH, "What a question!"),
    (EINSTEIN, "Einstein developed the theory of relativity."),
    (FRANCE, "France is a country in Western Europe known for its wine."),
    (gan(), "It is a famous paper about neural networks."),
])
def test_no_answer_at_all_is_a_non_answer(item: ProbeItem, response: str) -> None:
    grade_ = grade(item, response)
    assert grade_.label is Label.NON_ANSWER and grade_.reason.startswith("no answer")


def test_death_claim_without_a_date_for_a_control_is_hallucinated() -> None:
    assert grade(LIVING, "Tom Hanks died at the age of 82.").label is Label.HALLUCINATED
    assert grade(LIVING, "I don't know when Tom Hanks died.").label is Label.ABSTAINED


def test_unscored_carries_a_reason() -> None:
    grade_ = grade(death("Alan Turing", "1954-06-07"), "He died on 7/6/1954.")
    assert grade_.label is Label.UNSCORED and grade_.reason.startswith("numeric date")


def test_decomposed_unicode_is_normalised() -> None:
    decomposed = "The capital of Colombia is Bogota\u0301."
    assert grade(capital("Colombia", "Bogotá"), decomposed).label is Label.CORRECT


B = BURKINA
ZORVANIA = capital("Zorvania")
GAN_YEAR = pub_year("Generative Adversarial Nets", "2014")


@pytest.mark.parametrize(("item", "response", "label"), [
    (B, "Ouagadougou is the capital city of Burkina Faso.", Label.CORRECT),
    (B, "Burkina Faso's capital is Ouagadougou.", Label.CORRECT),
    (B, "The capital of Burkina Faso is **Kouilé**.", Label.HALLUCINATED),
    (B, "**Kouilé** is the capital of Burkina Faso.", Label.HALLUCINATED),
    (B, "The capital of Burkina Faso, Kouilé, is a big city.", Label.HALLUCINATED),
    (B, "The capital of Burkina Faso is located in Kouilé.", Label.HALLUCINATED),
    (B, "Answer: Ouagadougou\nExplanation: it is the largest city.", Label.CORRECT),
    (B, "The capital of Burkina Faso is Ouagadougou. The capital of Burkina Faso is "
        "Bobo-Dioulasso.", Label.HALLUCINATED),
    (B, "Burkina Faso is a landlocked country in West Africa. Its capital is Ouagadougou.",
     Label.CORRECT),
    (B, "The capital of Burkina Faso is a city in the center of the country.", Label.NON_ANSWER),
    (ZORVANIA, "Zorvania is not a real country, so it does not have a capital.", Label.ABSTAINED),
    (ZORVANIA, "There is no country named Zorvania. Perhaps you meant Slovenia, whose capital "
               "is Ljubljana.", Label.ABSTAINED),
    (ZORVANIA, "The capital of Zorvania is unknown.", Label.ABSTAINED),
    (ZORVANIA, "Zorvania's capital is Zorvath.", Label.HALLUCINATED),
    (EINSTEIN, "Albert Einstein (1879-1955) was a German-born physicist.", Label.VAGUE),
    (EINSTEIN, "Albert Einstein won the Nobel Prize in Physics in 1921. He died on "
               "April 18, 1955.", Label.CORRECT),
    (EINSTEIN, "Albert Einstein died in 1955 in Princeton, where he had lived since 1933.",
     Label.VAGUE),
    (LIVING, "Tom Hanks is an American actor who was born on July 9, 1956.", Label.NON_ANSWER),
    (gan(), "The paper was written by Dr. John Smith.", Label.HALLUCINATED),
    (gan(), "According to Google Scholar, it was written by Ian Goodfellow at Carnegie Mellon.",
     Label.CORRECT),
    (gan(), "The paper was written by researchers at Google.", Label.HALLUCINATED),
    (GAN_YEAR, "As of 2021, the paper has been cited 30,000 times. It was published in 2014.",
     Label.CORRECT),
    (pub_year("Sparse Llamas", None), "I couldn't find that paper. It might have been "
                                      "published in 2020.", Label.HALLUCINATED),
])
def test_adversarial_answers(item: ProbeItem, response: str, label: Label) -> None:
    assert grade(item, response).label is label


def test_scoring_imports_no_model_code() -> None:
    code = ("import sys, halprobe.scoring; bad = [m for m in ('torch', 'transformers', "
            "'halprobe.backends', 'halprobe.run.runner') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(("item", "response", "label"), [
    (capital("Australia", "Canberra"), "Canberra. Actually no, it's Sydney.", Label.HALLUCINATED),
    (capital("Canada", "Ottawa"), "Toronto? No wait, Ottawa.", Label.CORRECT),
    (capital("Australia", "Canberra"), "The capital of Australia is Canberra. Sydney is also "
                                       "the capital.", Label.HALLUCINATED),
    (capital("Egypt", "Cairo"), "Cairo. Alexandria is also considered the capital.",
     Label.HALLUCINATED),
    (EINSTEIN, "Einstein died in the late 1960s.", Label.HALLUCINATED),
    (EINSTEIN, "Einstein died in the mid-1950s.", Label.VAGUE),
    (EINSTEIN, "Einstein now lives in Princeton.", Label.HALLUCINATED),
    (gan(), "It was written by Ian and his colleagues.", Label.VAGUE),
    (gan(), "I'm not sure, but I think it was Ian Goodfellow.", Label.CORRECT),
    (pub_year("COCO 2014 Benchmark", "2015"), "The paper COCO 2014 Benchmark was published "
                                              "in 2014.", Label.HALLUCINATED),
])
def test_contradictions_corrections_and_hedges(item: ProbeItem, response: str,
                                               label: Label) -> None:
    """Issue 14: the whole answer is read (docs/metrics.md section 1)."""
    assert grade(item, response).label is label


@pytest.mark.parametrize(("item", "response", "label"), [
    (capital("Kyrgyzstan", "Bishkek"), "The capital of Kyrgyzstan is Bishkeq.", Label.CORRECT),
    (capital("Jamaica", "Kingston"), "The capital of Jamaica is Kingstown.", Label.HALLUCINATED),
    (capital("Andorra", "Andorra la Vella"), "The capital of Andorra is Andorra la Mala.",
     Label.HALLUCINATED),
    (death("Val Bisoglio", "2021-10-18"), "The 2019-2020 season of The Frisco Kid.",
     Label.NON_ANSWER),
    (EINSTEIN, "Albert Einstein (1879-1955) was a physicist.", Label.VAGUE),
    (gan(), "The paper is a collaborative effort by the University of California, Berkeley.",
     Label.HALLUCINATED),
])
def test_slips_seasons_and_institutions(item: ProbeItem, response: str, label: Label) -> None:
    """A misspelt gold that names no other place is the gold; a short "2019-2020" is a season,
    not a life; an institution credited with "effort by" names no author."""
    assert grade(item, response).label is label


@pytest.mark.parametrize(("response", "label"), [
    ("Einstein died in April 1955, on the 18th.", Label.CORRECT),   # one date in two steps
    ("Einstein died in April 1955, on the 17th.", Label.HALLUCINATED),
    ("He died in 1955... on April 17.", Label.HALLUCINATED),
    ("He died on the 18th.", Label.VAGUE),                           # a day alone
])
def test_a_date_given_in_two_steps(response: str, label: Label) -> None:
    assert grade(EINSTEIN, response).label is label


@pytest.mark.parametrize("response", ["I'd rather not guess.",
                                      "Hmm, I really don't know this one."])
def test_more_declines(response: str) -> None:
    assert grade(FRANCE, response).label is Label.ABSTAINED
