"""Wrong answers in unusual forms, and texts that answer nothing: each example worked out by
hand under docs/metrics.md section 1 (docs/grading.md states the rules)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from halprobe.scoring import grade
from halprobe.types import Label, ProbeItem
from tests.scoring.conftest import authors, capital, death, pub_year

CANADA = capital("Canada", "Ottawa")
AUSTRALIA = capital("Australia", "Canberra")
SWITZERLAND = capital("Switzerland", "Bern")
TANZANIA = capital("Tanzania", "Dodoma")
HALIMONIA = capital("Halimonia")
# Rudyard Kipling: born 30 December 1865, died 18 January 1936, so 70 at his death.
KIPLING = replace(death("Rudyard Kipling", "1936-01-18"), meta={"born": "1865-12-30"})
WIESEL = death("Elie Wiesel", "2016-07-02")
LIVING = death("Klaus von Klitzing", None)
PADO = authors("Derivational Smoothing for Syntactic Distributional Semantics",
               "Sebastian Pado", "Jan Snajder", "Britta Zeller")
ACL16 = pub_year("Exponentially Decaying Bag-of-Words Input Features", "2016")


@pytest.mark.parametrize(("item", "response", "matched"), [
    # the capital named before an appositive that sits between it and the capital phrase
    (CANADA, "Toronto, the largest city in the country, serves as its capital.", "Toronto"),
    (TANZANIA, "Dar es Salaam, Tanzania's largest city, is where you'll find the capital.",
     "Dar es Salaam"),
    # "no official capital, but": the city that follows is the answer
    (SWITZERLAND, "Switzerland has no official capital, but Zurich is its de facto capital.",
     "Zurich"),
    # a seat of government named without the word "seat"
    (SWITZERLAND, "There is no official capital of Switzerland, though Geneva hosts the "
     "federal government.", "Geneva"),
    (AUSTRALIA, "Most people would tell you Sydney, which is where Australia's government "
     "sits.", "Sydney"),
    # "a small country whose capital is": about the country asked of
    (HALIMONIA, "Halimonia is a small country whose capital is Halimonia City.",
     "Halimonia City"),
])
def test_a_wrong_capital_in_an_unusual_phrase_is_hallucinated(
        item: ProbeItem, response: str, matched: str) -> None:
    verdict = grade(item, response)
    assert (verdict.label, verdict.matched) == (Label.HALLUCINATED, matched)


@pytest.mark.parametrize(("item", "response", "label"), [
    (SWITZERLAND, "Switzerland has no official capital, but Bern serves as the federal city.",
     Label.CORRECT),
    (AUSTRALIA, "The capital of Australia is Australia's capital, Canberra.", Label.CORRECT),
    (CANADA, "The capital of Canada is the capital of Canada.", Label.NON_ANSWER),
    (CANADA, "Canada, whose capital is Ottawa, is large. Slovenia, whose capital is Ljubljana, "
     "is small.", Label.CORRECT),
    (AUSTRALIA, "Canberra is the capital; Sydney hosts the most tourists.", Label.CORRECT),
])
def test_capital_phrases_that_restate_or_remark(
        item: ProbeItem, response: str, label: Label) -> None:
    assert grade(item, response).label is label


@pytest.mark.parametrize("response", [
    "Kipling served as Rector of the University of St Andrews from 1922 to 1925.",
    "Kipling wrote Kim between 1899 and 1901.",
    "Kipling directed nothing, but The Jungle Book (1894) and Kim (1901) made him famous.",
    "Kipling's son John was killed in 1915 at the Battle of Loos.",
    "Kipling's wife Caroline died in 1939.",
    "Kipling moved to Vermont in 1892 and returned to England in 1896.",
    "He taught at a school in Lahore from 1882.",
])
def test_years_of_other_events_are_not_a_death_date(response: str) -> None:
    """A spell of years, a work's year in brackets and a relative's death date nothing the
    question asks: no answer, no decline."""
    assert grade(KIPLING, response).label is Label.NON_ANSWER


@pytest.mark.parametrize(("response", "label", "matched"), [
    ("Kipling, whose son was killed in 1915, died on 18 January 1936.", Label.CORRECT,
     "18 January 1936"),
    ("Kipling died in London (1936).", Label.VAGUE, "1936"),
    ("Kipling died in the twentieth century.", Label.VAGUE, "twentieth century"),
    ("Kipling died in the 19th century.", Label.HALLUCINATED, "19th century"),
    # the question asks the date: an age beside it is not checked (the obituary form does)
    ("Kipling died on 18 January 1936 at the age of 85.", Label.CORRECT, "18 January 1936"),
])
def test_death_dates_beside_other_claims(response: str, label: Label, matched: str) -> None:
    verdict = grade(KIPLING, response)
    assert (verdict.label, verdict.matched) == (label, matched)


def test_a_range_that_dates_the_death_still_counts() -> None:
    assert grade(WIESEL, "Elie Wiesel died between 2015 and 2017.").label is Label.HALLUCINATED


def test_a_discovery_date_for_a_living_person_is_no_death() -> None:
    response = "Klaus von Klitzing discovered the quantum Hall effect on 5 February 1980."
    assert grade(LIVING, response).label is Label.NON_ANSWER


@pytest.mark.parametrize(("item", "response", "label"), [
    (PADO, "Researchers from the Stanford NLP Group.", Label.HALLUCINATED),
    (authors("Some Unreal Paper"), "No such paper appears in the ACL Anthology.",
     Label.ABSTAINED),
    (ACL16, "Published: 2016-08", Label.CORRECT),
    (ACL16, "Published: 2015-2016", Label.VAGUE),
    (ACL16, "Between 2012 and 2014.", Label.HALLUCINATED),
])
def test_papers(item: ProbeItem, response: str, label: Label) -> None:
    assert grade(item, response).label is label


def test_a_short_english_sentence_is_read_as_english() -> None:
    """Two English words are enough: a past capital limited in time is no answer."""
    item = capital("Brazil", "Brasília")
    assert grade(item, "Brazil's capital was Rio de Janeiro until 1960.").label \
        is Label.NON_ANSWER


@pytest.mark.parametrize(("response", "label"), [
    ("The capital of Halimonia is a fictional city named \"Halim\" in a video game.",
     Label.HALLUCINATED),
    ("Halimonia is a fictional country.", Label.ABSTAINED),
])
def test_a_capital_called_fictional_is_still_named(response: str, label: Label) -> None:
    """Naming a capital for a country that does not exist is an answer, even when the text
    calls the city fictional; calling the country fictional is a decline."""
    assert grade(HALIMONIA, response).label is label


@pytest.mark.parametrize(("item", "response"), [
    # a question said back in another language: the question word is no capital
    (CANADA, "Quelle est la capitale du Canada ?"),
    (CANADA, "¿Cuál es la capital de Canadá?"),
    (CANADA, "Was ist die Hauptstadt von Kanada?"),
    # idioms and asides that decline nothing
    (CANADA, "I can't tell you how much I love Canada's lakes and forests."),
    (KIPLING, "Kipling's exact birthplace remains unknown to many readers."),
    (HALIMONIA, "The origin of the name Halimonia is unknown, but it sounds Greek."),
    # a wrong city denied, none given
    (capital("Morocco", "Rabat"), "Morocco's capital city is not Casablanca."),
])
def test_no_answer_and_no_decline_is_a_non_answer(item: ProbeItem, response: str) -> None:
    assert grade(item, response).label is Label.NON_ANSWER


@pytest.mark.parametrize(("item", "response", "label"), [
    (CANADA, "I can't tell you; I don't know.", Label.ABSTAINED),
    (HALIMONIA, "The capital of Halimonia is unknown.", Label.ABSTAINED),
    (HALIMONIA, "Its capital is unknown to me.", Label.ABSTAINED),
])
def test_declines_stay_declines(item: ProbeItem, response: str, label: Label) -> None:
    assert grade(item, response).label is label


@pytest.mark.parametrize(("item", "response", "label"), [
    # a past-tense verb of another action dates that action
    (LIVING, "In 2016, Klaus von Klitzing gave a lecture at MIT.", Label.NON_ANSWER),
    (LIVING, "He celebrated his 70th birthday on June 28, 2013.", Label.NON_ANSWER),
    (WIESEL, "Wiesel visited Auschwitz with Oprah Winfrey in 2006.", Label.NON_ANSWER),
    (KIPLING, "Kipling's father, John Lockwood Kipling, died in 1911.", Label.NON_ANSWER),
    # a bare date, a neutral "it happened", a euphemism: still the death
    (WIESEL, "Elie Wiesel, the renowned author, July 2, 2016.", Label.CORRECT),
    (WIESEL, "It happened on July 2, 2016, in Manhattan.", Label.CORRECT),
    (WIESEL, "He breathed his last on July 2, 2016.", Label.CORRECT),
    (KIPLING, "His son announced that Kipling died on 18 January 1936.", Label.CORRECT),
])
def test_which_event_a_date_dates(item: ProbeItem, response: str, label: Label) -> None:
    assert grade(item, response).label is label


@pytest.mark.parametrize(("item", "response", "label"), [
    (CANADA, "Ottawa, Ontario, Canada", Label.CORRECT),
    (CANADA, "The answer is Canada.", Label.HALLUCINATED),
    (WIESEL, "Elie Wiesel died on 2016-07-02T00:00:00Z.", Label.CORRECT),
    (WIESEL, "Elie Wiesel died on the second of July, 2016.", Label.CORRECT),
    (WIESEL, "Elie Wiesel died on July second, 2016.", Label.CORRECT),
    (WIESEL, "Elie Wiesel died on the third of July, 2016.", Label.HALLUCINATED),
])
def test_forms_of_a_right_or_wrong_answer(item: ProbeItem, response: str, label: Label) -> None:
    assert grade(item, response).label is label


def test_a_sentence_about_a_relative_dates_the_relatives_death() -> None:
    response = "Kipling's wife Caroline survived him by three years and died in 1939."
    assert grade(KIPLING, response).label is Label.NON_ANSWER
    response = "Kipling's wife survived him, and he died on 18 January 1936."
    assert grade(KIPLING, response).label is Label.CORRECT


@pytest.mark.parametrize(("item", "response", "label"), [
    # English with no sign of another language: the English slots read it, and a list of
    # sights names no capital
    (TANZANIA, "Tanzania: Kilimanjaro, Serengeti, Zanzibar.", Label.NON_ANSWER),
    (AUSTRALIA, "Australia is famous for kangaroos; Sydney Opera House.", Label.NON_ANSWER),
    # the word for "capital" in another language is no name
    (capital("Germany", "Berlin"), "Hauptstadt: Berlin.", Label.CORRECT),
    (capital("Germany", "Berlin"), "Hauptstadt: München.", Label.HALLUCINATED),
])
def test_which_texts_are_read_as_another_language(
        item: ProbeItem, response: str, label: Label) -> None:
    assert grade(item, response).label is label


@pytest.mark.parametrize(("item", "response", "label"), [
    # death as a topic dates nothing
    (LIVING, "His 2005 book on life and death became a bestseller.", Label.NON_ANSWER),
    (WIESEL, "Wiesel survived the death march of 1945.", Label.NON_ANSWER),
    (LIVING, "He marked the passing of the torch to younger physicists in 2010.",
     Label.NON_ANSWER),
    # the person's own death does
    (WIESEL, "Wiesel's death on July 2, 2016 was mourned worldwide.", Label.CORRECT),
    (WIESEL, "Date of death: 2 July 2016.", Label.CORRECT),
    (WIESEL, "The passing of Elie Wiesel on July 2, 2016 saddened many.", Label.CORRECT),
    # a death claimed in passing, for a living person
    (LIVING, "We mourn the loss of Klaus von Klitzing.", Label.HALLUCINATED),
    (LIVING, "The late Klaus von Klitzing will be missed.", Label.HALLUCINATED),
])
def test_death_words_about_the_person_or_a_topic(
        item: ProbeItem, response: str, label: Label) -> None:
    assert grade(item, response).label is label


def test_a_contraction_left_by_a_decline_is_no_name() -> None:
    assert grade(CANADA, "I'm unable to answer.").label is Label.ABSTAINED


def test_a_date_that_opens_its_sentence_is_still_the_answer() -> None:
    """Only a verb before a date (or after an "In 2016," that opens the clause) dates it."""
    response = "The 20th of May, 2020, in the year 2020, marked the 20th of May in the year 2020."
    assert grade(LIVING, response).label is Label.HALLUCINATED
