"""Named days resolved to their dates: "Christmas Day 1977", "New Year's Eve 2021".

The days and their dates come from the ``holidays`` library (the public holidays of the United
States and the United Kingdom, in English: New Year's Day, Independence Day, Thanksgiving,
Christmas Day, Boxing Day, Good Friday, Easter Monday ...), for the year the answer gives, so
moving feasts fall on the right day. "<Day> Eve" is the day before ("New Year's Eve 2021" is
31 December 2021: the eve of New Year's Day 2022). "Christmas" and "Thanksgiving" also name
their day alone ("Christmas 1977"); other names need their "Day" ("May 1977" is a month, and
"independence, 1961" is no date).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

import holidays

from halprobe.scoring.normalize import normalize

_COUNTRIES = ("US", "GB")
_SAMPLE_YEARS = range(2000, 2004)  # enough years to meet every name, observed days aside
_ALONE = frozenset({"christmas", "thanksgiving"})


def _clean(name: str) -> str:
    """Compare-form of a holiday name: "New Year's Day (observed)" -> "new years day"."""
    return normalize(re.sub(r"\(.*?\)", "", name))


@lru_cache(maxsize=1)
def day_names() -> tuple[str, ...]:
    """Every compare-form name the answers may use, the eves included, longest first."""
    names: set[str] = set()
    for code in _COUNTRIES:
        for name in holidays.country_holidays(code, years=_SAMPLE_YEARS).values():
            base = _clean(name)
            names.add(base)
            if base.endswith(" day"):
                names.add(base[:-4] + " eve")
                if base[:-4] in _ALONE:
                    names.add(base[:-4])
    names.discard("")
    return tuple(sorted(names, key=len, reverse=True))


def _word(word: str) -> str:
    """One word of a name; a final "s" may follow an apostrophe ("years" for "year's")."""
    return re.escape(word[:-1]) + "'?s" if word.endswith("s") and len(word) > 2 else re.escape(word)


@lru_cache(maxsize=1)
def pattern() -> re.Pattern[str]:
    """"<name>[,] [of] <year>" on lower-cased text, the name's words joined by any punctuation
    ("new year's eve", "new years eve")."""
    body = "|".join(r"[\W_]{0,2}".join(_word(w) for w in n.split()) for n in day_names())
    return re.compile(rf"\b(?P<holiday>{body})\b,?\s+(?:of\s+)?(?P<year>1\d{{3}}|20\d{{2}})(?!\d)")


@lru_cache(maxsize=4096)
def resolve(name: str, year: int) -> date | None:
    """The date of a named day in ``year`` (an eve: the day before its day, possibly the next
    year's: New Year's Eve)."""
    wanted = _clean(name)
    eve = wanted.endswith(" eve")
    target = wanted[:-4] if eve else wanted
    for code in _COUNTRIES:
        for when, label in holidays.country_holidays(code, years=(year, year + 1)).items():
            clean = _clean(label)
            if "observed" in label.lower() or target not in (clean, clean.removesuffix(" day")):
                continue
            day = when - timedelta(days=1) if eve else when
            if day.year == year:
                return day
    return None
