"""Dates in other languages, from babel's CLDR data (issue 14)."""

from __future__ import annotations

import pytest

from halprobe.scoring import grade
from halprobe.scoring.dates import find_dates
from halprobe.scoring.locale_dates import month_names
from halprobe.types import Label, Precision
from tests.scoring.conftest import death

FERMI = death("Enrico Fermi", "1954-11-28")  # died 28 November 1954
HOUSTON = death("Whitney Houston", "2012-02", Precision.MONTH)


def test_month_names_come_from_cldr_in_every_grammatical_form() -> None:
    names = month_names()
    assert (names["novembre"], names["dezember"], names["septiembre"], names["maart"]) == \
        (11, 12, 9, 3)
    assert (names["ноября"], names["ноябрь"], names["феврале"]) == (11, 11, 2)  # gen., nom., prep.
    assert names["十一月"] == 11 and names["fevrier"] == 2  # accents folded like the text
    assert "set" not in names and "ago" not in names  # three-letter English words


@pytest.mark.parametrize(("text", "ymd"), [
    ("est mort le 28 novembre 1954", (1954, 11, 28)),
    ("starb am 28. November 1954", (1954, 11, 28)),
    ("murió el 28 de noviembre de 1954", (1954, 11, 28)),
    ("morreu em 28 de novembro de 1954", (1954, 11, 28)),
    ("умер 28 ноября 1954 года", (1954, 11, 28)),
    ("于1954年11月28日去世", (1954, 11, 28)),
    ("1954年11月28日に亡くなった", (1954, 11, 28)),
    ("le 1er janvier 2020", (2020, 1, 1)),
    ("в июне 2008 года", (2008, 6, None)),
    ("于2010年3月去世", (2010, 3, None)),
])
def test_dates_read_in_other_languages(text: str, ymd: tuple) -> None:
    assert [m.readings for m in find_dates(text)] == [(ymd,)]


@pytest.mark.parametrize(("item", "text", "label"), [
    (FERMI, "Enrico Fermi est mort le 28 novembre 1954 à Chicago.", Label.CORRECT),
    (FERMI, "Enrico Fermi starb am 28. November 1955.", Label.HALLUCINATED),
    (FERMI, "Энрико Ферми умер 28 ноября 1954 года.", Label.CORRECT),
    (FERMI, "Fermi est né le 29 septembre 1901.", Label.NON_ANSWER),  # a birth, not a death
    (HOUSTON, "Whitney Houston overleed in maart 2012.", Label.HALLUCINATED),
    (HOUSTON, "Whitney Houston умерла в феврале 2012 года.", Label.CORRECT),
])
def test_grades_in_other_languages(item, text: str, label: Label) -> None:
    assert grade(item, text).label is label
