"""Date matcher: formats, precision, ambiguity, and which date is the death."""

from __future__ import annotations

import pytest

from halprobe.scoring.dates import find_dates, match
from halprobe.types import Label, Precision
from tests.scoring.conftest import EINSTEIN, death

# Day-precision gold 1954-06-07 (Alan Turing), written every way the brief lists.
TURING = death("Alan Turing", "1954-06-07")


@pytest.mark.parametrize("written", [
    "7 June 1954", "June 7th, 1954", "June 7, 1954", "1954-06-07", "the 7th of June 1954",
    "7th June, 1954", "Jun. 7 1954",
])
def test_day_formats_are_correct(written: str) -> None:
    grade = match(TURING, f"Alan Turing died on {written}.")
    assert grade.label is Label.CORRECT and grade.matched == written


def test_einstein_exact_date_is_correct() -> None:
    assert match(EINSTEIN, "Albert Einstein died on April 18, 1955.").label is Label.CORRECT


def test_year_only_is_vague() -> None:
    grade = match(EINSTEIN, "Albert Einstein died in 1955.")
    assert grade.label is Label.VAGUE and grade.matched == "1955"


def test_month_year_for_a_day_item_is_vague() -> None:
    assert match(TURING, "He died in June 1954.").label is Label.VAGUE


def test_wrong_day_is_hallucinated() -> None:
    assert match(EINSTEIN, "Albert Einstein died on April 17, 1955").label is Label.HALLUCINATED


def test_wrong_year_only_is_hallucinated() -> None:
    assert match(EINSTEIN, "He died in 1956.").label is Label.HALLUCINATED


def test_month_precision_item() -> None:
    item = death("Frank Cary", "2006-01", Precision.MONTH)
    assert match(item, "He died on January 1, 2006.").label is Label.CORRECT
    assert match(item, "He died in January 2006.").label is Label.CORRECT
    assert match(item, "He died in 2006.").label is Label.VAGUE
    assert match(item, "He died in February 2006.").label is Label.HALLUCINATED


@pytest.mark.parametrize(("written", "label"), [
    ("7/6/1954", Label.UNSCORED),        # 7 June or July 6: both possible, only one matches
    ("6/7/1954", Label.UNSCORED),
    ("7/7/1954", Label.HALLUCINATED),    # both readings agree, and are wrong
    ("4/18/1955", Label.HALLUCINATED),   # only m/d is possible (no month 18): April 18, 1955
])
def test_ambiguous_numeric_dates_for_turing(written: str, label: Label) -> None:
    assert match(TURING, f"He died on {written}.").label is label


@pytest.mark.parametrize("written", ["18/4/1955", "4/18/1955", "18.04.1955"])
def test_numeric_date_with_one_possible_reading(written: str) -> None:
    assert match(EINSTEIN, f"He died on {written}.").label is Label.CORRECT


def test_numeric_date_where_both_readings_agree() -> None:
    item = death("Someone", "1960-05-05")
    assert match(item, "Died 5/5/1960.").label is Label.CORRECT


def test_birth_date_is_ignored() -> None:
    text = "Albert Einstein was born on March 14, 1879 and died on April 18, 1955."
    grade = match(EINSTEIN, text)
    assert grade.label is Label.CORRECT and grade.matched == "April 18, 1955"


def test_death_cue_after_the_date() -> None:
    assert match(EINSTEIN, "On April 18, 1955, Einstein died in Princeton.").label is Label.CORRECT


def test_lifespan_range_reads_second_date_as_death() -> None:
    text = "Albert Einstein (March 14, 1879 – April 18, 1955) was a physicist."
    assert match(EINSTEIN, text).label is Label.CORRECT


def test_other_event_years_are_not_the_death() -> None:
    text = "He won the Nobel Prize in 1921 and died on April 18, 1955."
    assert match(EINSTEIN, text).label is Label.CORRECT


def test_several_death_dates_is_hallucinated() -> None:
    text = "He died on April 18, 1955, though some say April 17, 1955."
    assert match(EINSTEIN, text).label is Label.HALLUCINATED


def test_bare_date_is_the_answer() -> None:
    assert match(EINSTEIN, "April 18, 1955").label is Label.CORRECT


def test_only_a_birth_date_is_unscored() -> None:
    assert match(EINSTEIN, "He was born on March 14, 1879.").label is Label.UNSCORED


def test_no_date_is_unscored() -> None:
    grade = match(EINSTEIN, "Einstein was a theoretical physicist.")
    assert grade.label is Label.UNSCORED and grade.reason


def test_impossible_date_is_hallucinated() -> None:
    assert match(EINSTEIN, "He died on February 30, 1955.").label is Label.HALLUCINATED


def test_control_with_a_date_is_hallucinated() -> None:
    grade = match(death("Zorvath Quellin", None), "He died on March 3, 2019.")
    assert grade.label is Label.HALLUCINATED


def test_decades_and_numbers_are_not_dates() -> None:
    assert find_dates("He died in the 1950s, aged 76, cited 10,000 times, at 1:15 am") == []


@pytest.mark.parametrize(("written", "label"), [
    ("18/4/55", Label.CORRECT),
    ("4/18/55", Label.CORRECT),
    ("18 April '55", Label.CORRECT),
    ("April 18, '56", Label.HALLUCINATED),
    ("1955/04/18", Label.CORRECT),
])
def test_two_digit_years_and_slashed_iso(written: str, label: Label) -> None:
    assert match(EINSTEIN, f"He died on {written}.").label is label


def test_initials_are_not_birth_or_death_cues() -> None:
    text = "On 2017-01-01, Stanley B. Prusiner, a Nobel laureate, died at the age of 82."
    assert match(death("Stanley B. Prusiner", None), text).label is Label.HALLUCINATED


def test_unreadable_death_date_is_unscored() -> None:
    grade = match(EINSTEIN, "He died on 18.IV.1955.")
    assert grade.label is Label.UNSCORED and grade.reason.startswith("a death date")


def test_an_initial_does_not_end_the_sentence() -> None:
    text = "On 2004-04-23, H. David Politzer was born in Israel."
    assert match(death("H. David Politzer", None), text).label is Label.UNSCORED


def test_an_event_cue_past_a_second_date_tags_the_first() -> None:
    text = "On 2009-04-23, the 2009 Nobel Prize in Literature was awarded to Herta Müller."
    assert match(death("Herta Müller", None), text).label is Label.UNSCORED


def test_term_of_office_from_the_question_is_not_a_lifespan() -> None:
    item = death("Clara Nomee, Chairperson of the Crow Nation (1990–2000),", "2012-01",
                 Precision.MONTH)
    text = "Clara Nomee, Chairperson of the Crow Nation (1990–2000) died on January 22, 2012."
    assert match(item, text).label is Label.CORRECT


def test_year_repeated_from_the_question_is_not_the_answer() -> None:
    item = death("Gao Xingjian, Nobel laureate in Literature (2000),", None)
    assert match(item, "Gao Xingjian, Nobel laureate (2000), is a writer.").label \
        is Label.UNSCORED


@pytest.mark.parametrize("text", ["The Nobel Prize in Chemistry 1988.",
                                  "He won the Wolf Prize in 2001."])
def test_a_prize_year_is_no_death_date(text: str) -> None:
    """A year tied to a prize dates the prize (as "awarded" does): no death is stated."""
    from halprobe.scoring import grade

    assert grade(death("Johann Deisenhofer", None), text).label is Label.NON_ANSWER
