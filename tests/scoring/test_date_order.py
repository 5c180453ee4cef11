"""A numeric date read in the format the answer states (docs/metrics.md section 1)."""

from __future__ import annotations

import pytest

from halprobe.scoring import grade
from halprobe.scoring.date_order import stated_order
from halprobe.types import Label, Precision
from tests.scoring.conftest import death

FERMI = death("Enrico Fermi", "1954-11-28")
HOUSTON = death("Whitney Houston", "2012-02", Precision.MONTH)


@pytest.mark.parametrize(("text", "order"), [
    ("18/04/1955 (dd/mm/yyyy)", "dmy"), ("12/05/2013 (mm/dd/yyyy)", "mdy"),
    ("in us format: 9/5/1997", "mdy"), ("4/1/1960 (day/month/year)", "dmy"),
    ("written in the american style", "mdy"), ("(british date format)", "dmy"),
    ("05.09.1997 (tt.mm.jjjj)", "dmy"), ("he died on 3/4/1961.", None),
    ("dd/mm/yyyy or mm/dd/yyyy", None),  # both named: nothing is stated
])
def test_stated_order(text: str, order: str | None) -> None:
    assert stated_order(text) == order


@pytest.mark.parametrize(("item", "text", "label"), [
    (FERMI, "He died on 10/11/1954 (DD/MM/YYYY).", Label.HALLUCINATED),  # 10 November
    (FERMI, "He died on 11/10/1954 in US format.", Label.HALLUCINATED),   # 10 November
    (FERMI, "He died on 11/28/1954 (MM/DD/YYYY).", Label.CORRECT),
    (FERMI, "28-Nov-1954", Label.CORRECT),
    (HOUSTON, "02/2012", Label.CORRECT),
    (HOUSTON, "Feb. 2012", Label.CORRECT),
    (HOUSTON, "2012-03", Label.HALLUCINATED),
])
def test_stated_and_month_year_forms(item, text: str, label: Label) -> None:
    assert grade(item, text).label is label
