"""The order of a numeric date, when the answer states it (docs/metrics.md section 1).

"3/4/1961 (DD/MM/YYYY)" is 3 April, "in US format: 4/3/1961" is 3 April too: a numeric date
whose format the answer states is read in that format, and only then. Without a stated format
both readings stay possible and ``dates`` keeps both (one that cannot be a date drops out).
Format masks are matched in their usual spellings, in English and in the languages whose date
words the grader reads (TT.MM.JJJJ in German, JJ/MM/AAAA in French, DD/MM/AAAA in Spanish and
Portuguese); the words are a short list on purpose, since CLDR names no date conventions.
"""

from __future__ import annotations

import re
from typing import Literal

Order = Literal["dmy", "mdy"]

_DAY, _MONTH, _YEAR = r"(?:dd?|tt?|jj?)", r"mm?", r"(?:yy(?:yy)?|jj(?:jj)?|aa(?:aa)?|y)"
_SEP = r"\s*[/.\-]\s*"
_DAY_FIRST = re.compile(
    rf"\b{_DAY}{_SEP}{_MONTH}{_SEP}{_YEAR}\b"
    r"|\bday\s*[/.\-]\s*month\s*[/.\-]\s*year\b"
    r"|\b(?:british|european|uk|u\.k\.|international|day[-\s]first)\s+(?:date\s+)?"
    r"(?:format|style|notation|order)\b")
_MONTH_FIRST = re.compile(
    rf"\b{_MONTH}{_SEP}{_DAY}{_SEP}{_YEAR}\b"
    r"|\bmonth\s*[/.\-]\s*day\s*[/.\-]\s*year\b"
    r"|\b(?:us|u\.s\.|american|month[-\s]first)\s+(?:date\s+)?(?:format|style|notation|order)\b")


_WORDS = ("mm", "month", "format", "style", "order", "notation", "first")


def stated_order(low: str) -> Order | None:
    """"dmy" or "mdy" when the (lower-cased) text names one format and only one."""
    if not any(word in low for word in _WORDS):  # most answers: one cheap scan
        return None
    day_first, month_first = bool(_DAY_FIRST.search(low)), bool(_MONTH_FIRST.search(low))
    if day_first == month_first:
        return None
    return "dmy" if day_first else "mdy"
