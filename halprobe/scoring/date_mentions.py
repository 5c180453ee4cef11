"""Date mentions in an answer: every date written in a format the grader reads, with its span
and precision.

Extraction is by precompiled regexes, not dateutil: the formats are few and known, regexes give
the span and the precision (day / month / year) that ``dateutil.parser`` hides, and they cost a
few microseconds (the 100 µs-per-grade budget rules out fuzzy parsing). Month names come from
the ``calendar`` module; day validity from ``datetime.date``: nothing calendar-like is hand-rolled.
Two-digit years ("28/11/54", "'54") are kept as numbers under 100.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from halprobe.scoring import date_order, locale_dates, named_days
from halprobe.scoring.date_order import Order
from halprobe.scoring.normalize import lowered

Ymd = tuple[int | None, int | None, int | None]

MONTHS: dict[str, int] = {
    **{name.lower(): i for i, name in enumerate(calendar.month_name) if name},
    **{abbr.lower(): i for i, abbr in enumerate(calendar.month_abbr) if abbr},
    "sept": 9,
}
_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
# "the second of July", "July twenty-first": a day written as an ordinal word
_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
ORDINALS: dict[str, int] = {
    **{w: i for i, w in enumerate(_UNITS, start=1)},
    **{w: i for i, w in enumerate(("tenth", "eleventh", "twelfth", "thirteenth", "fourteenth",
                                   "fifteenth", "sixteenth", "seventeenth", "eighteenth",
                                   "nineteenth", "twentieth"), start=10)},
    **{f"twenty{sep}{w}": 20 + i for i, w in enumerate(_UNITS, start=1) for sep in ("-", " ")},
    "thirtieth": 30, "thirty-first": 31, "thirty first": 31,
}
_ORDINAL = "|".join(sorted(ORDINALS, key=len, reverse=True))
_DAY = rf"(?P<day>[0-3]?\d|{_ORDINAL})(?:st|nd|rd|th)?"
YEAR = r"(?P<year>1\d{3}|20\d{2})"
# A two-digit year ("'54", "28/11/54") is kept as a number under 100 and compared with the
# last two digits of the gold year, as a reader who knows the person's era would.
_YEAR_OR_SHORT = r"(?:(?P<year>1\d{3}|20\d{2})|'(?P<yy>\d{2}))"
_END = r"(?![\d'])(?!s\b)"

# Order matters: earlier patterns win where spans overlap (a full date before its month-year).
DATE_PATTERNS: tuple[str, ...] = (
    rf"\b{YEAR}(?P<sep>[/.-])(?P<mm>[01]?\d)(?P=sep)(?P<dd>[0-3]?\d)(?:\b|(?=t\d))",
    rf"\b(?:the\s+)?{_DAY}(?:\s+of)?(?:\s+|-){_MON}(?:,?\s+|-){_YEAR_OR_SHORT}{_END}",
    rf"\b{_MON}\s+(?:the\s+)?{_DAY},?\s+(?:of\s+)?{_YEAR_OR_SHORT}{_END}",
    rf"\b(?P<a>[0-3]?\d)([/.-])(?P<b>[0-3]?\d)\2(?:{YEAR}|(?P<yy>\d{{2}})){_END}(?![/.-]\d)",
    rf"\b{_MON},?\s+(?:of\s+)?{_YEAR_OR_SHORT}{_END}",
    rf"\b{_MON}\s+(?:the\s+)?{_DAY}\b(?!,?\s*'?\d)",
    # month/year: "08/2014", "5/2011", "10.2016", and ISO "2011-04"
    rf"(?<![\d/.\-])(?P<mm>1[0-2]|0?[1-9])[/.]{YEAR}{_END}(?![/.\-]\d)",
    rf"(?<![\d/.\-]){YEAR}-(?P<mm>1[0-2]|0[1-9])(?![\d\-/.])",
    rf"(?<![\d/.]){YEAR}{_END}(?![/.]\d)(?!-\d\d?\b)",  # "1879-1955" is two years
    r"\bon\s+the\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b",  # "..., on the 15th": a day alone
    r"(?<![\w'])'(?P<yy>\d{2})(?![\d'])(?!s\b)",  # "in '54"
)
_PATTERNS = tuple(re.compile(p) for p in DATE_PATTERNS)  # run on lowered text
_FULL_DATES = 4  # the patterns before this index state a day: locale dates go after them
# What each pattern's match must contain (None: no test): a pattern whose sign is absent is
# not run, which keeps the 100 µs-a-grade budget with the other-language patterns.
_NUMERIC = ("/", ".", "-")
_HINTS: tuple[tuple[str, ...] | None, ...] = (
    _NUMERIC, None, None, _NUMERIC, None, None, ("/", "."), ("-",), None, ("on the",), ("'",))

_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class DateMention:
    """A date found in the response: its valid readings (two for an ambiguous 7/6/1954)."""

    start: int
    end: int
    text: str
    readings: tuple[Ymd, ...]
    cue: str = ""


def _valid(y: int | None, m: int | None, d: int | None) -> bool:
    """True when the stated fields can form a real date (month 13 or 30 February cannot)."""
    if m is not None and not 1 <= m <= 12:
        return False
    if d is None:
        return True
    try:
        date(2000 + y if y is not None and y < 100 else y or 2000, m or 1, d)
    except ValueError:
        return False
    return True


def _readings(m: re.Match[str], order: Order | None = None) -> tuple[Ymd, ...]:
    """The (y, m, d) a match can mean: both orders of "7/6/1954" unless the answer states its
    format (``date_order``), one reading otherwise."""
    g = m.groupdict()
    year = int(g["year"]) if g.get("year") else int(g["yy"]) if g.get("yy") else None
    pairs: set[tuple[int | None, int | None]]
    if g.get("a"):
        first, second = int(g["a"]), int(g["b"])
        both = {"dmy": (second, first), "mdy": (first, second)}  # (month, day)
        pairs = {both[order]} if order else set(both.values())
    else:
        month = (_month(g["mon"]) if g.get("mon") else int(g["mm"]) if g.get("mm") else None)
        day = g.get("day") or g.get("dd")
        pairs = {(month, ORDINALS.get(day) or int(day) if day else None)}
    return tuple((year, mo, d) for mo, d in sorted(pairs, key=str) if _valid(year, mo, d))


def _month(name: str) -> int | None:
    key = name.lower().rstrip(".")
    return MONTHS.get(key) or locale_dates.month_names().get(key)


def find_dates(text: str, low: str | None = None) -> list[DateMention]:
    """All non-overlapping date mentions, earliest pattern winning on overlap."""
    if not _DIGIT.search(text):  # every format has digits: most refusals stop here
        return []
    low = lowered(text) if low is None else low
    order = date_order.stated_order(low)
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []

    def keep(start: int, end: int, readings: tuple[Ymd, ...]) -> None:
        if not any(start < e and s < end for s, e in taken):
            taken.append((start, end))
            found.append(DateMention(start, end, text[start:end], readings))

    for m in named_days.pattern().finditer(low) if any(w in low for w in _NAMED_DAY_HINT) else ():
        day = named_days.resolve(m.group("holiday"), int(m.group("year")))
        keep(m.start(), m.end(), ((day.year, day.month, day.day),) if day else ())
    for pattern in _patterns(low):
        for m in pattern.finditer(low):
            keep(m.start(), m.end(), _readings(m, order))
    return _completed(text, sorted(found, key=lambda d: d.start))


_CONTINUES = re.compile(r"^[\s,;:.\-]*(?:on\s+|in\s+)?(?:the\s+)?$", re.IGNORECASE)


def _completed(text: str, found: list[DateMention]) -> list[DateMention]:
    """A date given in two steps is one date: "in April 1955, on the 17th", "in 1955... on
    April 17". The later mention fills the fields the earlier one left empty."""
    out: list[DateMention] = []
    for mention in found:
        last = out[-1] if out else None
        if (last is not None and len(last.readings) == 1 and len(mention.readings) == 1
                and _CONTINUES.match(text[last.end:mention.start])):
            merged = _merge(last.readings[0], mention.readings[0])
            if merged is not None:
                out[-1] = DateMention(last.start, mention.end, text[last.start:mention.end],
                                      (merged,))
                continue
        out.append(mention)
    return out


def _merge(first: Ymd, second: Ymd) -> Ymd | None:
    """The two readings as one, when each gives what the other lacks and nothing clashes."""
    if first[0] is None or second[0] is not None or first[2] is not None:
        return None
    if first[1] is not None and (second[1] is not None or second[2] is None):
        return None
    merged = (first[0], first[1] or second[1], second[2])
    return merged if _valid(*merged) else None


# Every named day in ``named_days`` holds one of these words (a cheap test before the scan).
_NAMED_DAY_HINT = (" day", " eve", "christmas", "thanksgiving")


def _patterns(low: str) -> tuple[re.Pattern[str], ...]:
    """The English patterns, with the locale ones (``locale_dates``) after the full dates when
    the text holds a foreign month name or a CJK date."""
    signs = tuple(sign in low for sign in _SIGNS)
    return _pattern_set(signs, locale_dates.may_hold_a_date(low))


_SIGNS = tuple(sorted({sign for hint in _HINTS if hint for sign in hint}))


@lru_cache(maxsize=128)
def _pattern_set(signs: tuple[bool, ...], foreign: bool) -> tuple[re.Pattern[str], ...]:
    """The patterns to run for a text with these signs (``_HINTS``), worked out once."""
    present = {sign for sign, there in zip(_SIGNS, signs, strict=True) if there}
    keep = [i for i, hint in enumerate(_HINTS) if hint is None or present & set(hint)]
    english = tuple(_PATTERNS[i] for i in keep)
    if not foreign:
        return english
    full = sum(1 for i in keep if i < _FULL_DATES)
    return english[:full] + locale_dates.patterns() + english[full:]
