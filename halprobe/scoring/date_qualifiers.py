"""Parts of a year or a month that narrow a coarse date: "early in 2013", "late July 2016",
"the summer of 2016". A year or a month that holds the gold is vague (docs/metrics.md section
1), unless the part it names leaves the gold out: "died in late July 2016" for 2 July 2016
states a false date, so it is hallucinated.

Seasons are the northern hemisphere's (meteorological: winter is December to February).
"""

from __future__ import annotations

import re

Ymd = tuple[int | None, int | None, int | None]

# the months (of a year) or days (of a month) each word allows
_OF_YEAR: dict[str, range | tuple[int, ...]] = {
    "early": range(1, 5), "beginning": range(1, 4), "start": range(1, 4), "mid": range(5, 9),
    "middle": range(5, 9), "late": range(9, 13), "end": range(10, 13),
    "spring": range(3, 6), "summer": range(6, 9), "autumn": range(9, 12), "fall": range(9, 12),
    "winter": (12, 1, 2)}
_OF_MONTH: dict[str, range] = {
    "early": range(1, 11), "beginning": range(1, 8), "start": range(1, 8), "mid": range(11, 21),
    "middle": range(11, 21), "late": range(21, 32), "end": range(22, 32)}
_PART = re.compile(r"\b(?P<part>early|beginning|start|mid|middle|late|end|spring|summer|autumn"
                   r"|fall|winter)(?:[\s-]+(?:of|in))?(?:\s+the)?[\s-]*$")


def contradicts(low: str, start: int, reading: Ymd, gold: Ymd) -> bool:
    """Whether a part word right before a coarse date (``low[:start]``) leaves the gold out.
    ``reading`` is the coarse date (a year, or a month and year) that holds the gold."""
    m = _PART.search(low, max(0, start - 25), start)
    if m is None:
        return False
    part = m.group("part")
    if reading[1] is None and gold[1] is not None and part in _OF_YEAR:
        return gold[1] not in _OF_YEAR[part]
    if reading[1] is not None and reading[2] is None and gold[2] is not None \
            and part in _OF_MONTH:
        return gold[2] not in _OF_MONTH[part]
    return False
