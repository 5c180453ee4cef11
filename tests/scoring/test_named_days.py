"""Named days resolved to their dates through the holidays library (issue 14)."""

from __future__ import annotations

from datetime import date

import pytest

from halprobe.scoring import grade
from halprobe.scoring.named_days import pattern, resolve
from halprobe.types import Label
from tests.scoring.conftest import death

CHAPLIN = death("Charlie Chaplin", "1977-12-25")


@pytest.mark.parametrize(("text", "day"), [
    ("died on christmas day 1961.", date(1961, 12, 25)),
    ("died on new year's eve 2022.", date(2022, 12, 31)),  # the eve of 1 January 2023
    ("new year's day, 2020", date(2020, 1, 1)),
    ("christmas eve 2008", date(2008, 12, 24)),
    ("thanksgiving 1963", date(1963, 11, 28)),  # the fourth Thursday of November 1963
])
def test_named_days(text: str, day: date) -> None:
    m = pattern().search(text)
    assert m is not None and resolve(m.group("holiday"), int(m.group("year"))) == day


def test_a_month_is_not_a_named_day() -> None:
    assert pattern().search("may 1961") is None


@pytest.mark.parametrize(("text", "label"), [
    ("Chaplin died on Christmas Day, 1977.", Label.CORRECT),
    ("He died on Christmas Eve 1977.", Label.HALLUCINATED),
])
def test_graded(text: str, label: Label) -> None:
    assert grade(CHAPLIN, text).label is label
