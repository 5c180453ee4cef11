"""Parts of a year or month that narrow a coarse date (worked out by hand: Elie Wiesel died on
2 July 2016, Alan Bridges in December 2013)."""

from __future__ import annotations

import pytest

from halprobe.scoring import grade
from halprobe.types import Label, Precision
from tests.scoring.conftest import death

WIESEL = death("Elie Wiesel", "2016-07-02")
BRIDGES = death("Alan Bridges", "2013-12", Precision.MONTH)


@pytest.mark.parametrize(("response", "label"), [
    ("He died in the summer of 2016.", Label.VAGUE),     # June-August holds July
    ("He died in mid-2016.", Label.VAGUE),               # May-August
    ("He died in early July 2016.", Label.VAGUE),        # days 1-10 hold the 2nd
    ("He died in late July 2016.", Label.HALLUCINATED),  # days 21-31 leave it out
    ("He died in the winter of 2016.", Label.HALLUCINATED),  # December-February
    ("He died in July 2016.", Label.VAGUE),
])
def test_parts_of_a_day_precision_date(response: str, label: Label) -> None:
    assert grade(WIESEL, response).label is label


@pytest.mark.parametrize(("response", "label"), [
    ("He died late in 2013.", Label.VAGUE),            # September-December
    ("He died at the end of 2013.", Label.VAGUE),      # October-December
    ("He died early in 2013.", Label.HALLUCINATED),    # January-April
    ("He died in 2013.", Label.VAGUE),
])
def test_parts_of_a_year_for_a_month_precision_date(response: str, label: Label) -> None:
    assert grade(BRIDGES, response).label is label
