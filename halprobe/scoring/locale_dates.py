"""Dates written in other languages, from the CLDR locale data that babel ships.

docs/metrics.md section 1: the answer's language does not matter ("Einstein est mort le 18 avril
1955" states the gold). Month names (both grammatical contexts, wide and abbreviated) and the
order of day, month and year come from CLDR: each locale's long and medium date formats and its
month-year skeletons ("d MMMM y", "d 'de' MMMM 'de' y", "d. MMMM y", "y年M月d日") are turned into
regexes, so no month table is written by hand. All-numeric formats ("dd.MM.y") are left to the
shared numeric patterns in ``dates``, where a stated format or an impossible reading decides.

The regexes run on ``normalize.lowered`` text (accents folded, lower case), so the month names
are folded the same way ("février" -> "fevrier").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from babel import Locale
from babel.dates import get_date_format, get_month_names

from halprobe.scoring.normalize import lowered

LOCALES = ("fr", "de", "es", "it", "pt", "nl", "ru", "zh", "ja", "pl")
_FORMATS: tuple[Literal["long", "medium"], ...] = ("long", "medium")
_SKELETONS = ("yMMMMd", "yMMMd", "yMMMM", "yMMM")
_FIELD = re.compile(r"'[^']*'|([A-Za-z])\1*|.", re.DOTALL)
YEAR = r"(?P<year>1\d{3}|20\d{2})"
DAY = r"(?P<day>[0-3]?\d)(?:er|eme|º|ª|o)?"


def _prepositional(name: str) -> str | None:
    """Russian "в июне" (in June): the genitive "июня" with its last letter made "е". A rule of
    the grammar (CLDR has the nominative and the genitive only), not a table of names."""
    return name[:-1] + "е" if name[-1:] in ("я", "а") and len(name) > 3 else None


@lru_cache(maxsize=1)
def month_names() -> dict[str, int]:
    """Folded lower-case month name -> month number, over every locale in ``LOCALES``.

    Abbreviations count when they are not plain ASCII or have four letters or more: a
    three-letter "set" or "ago" (Portuguese and Spanish) is an English word far more often
    than a month, and the English three-letter ones are read by ``dates`` already. A name that
    two locales give to different months is dropped.
    """
    found: dict[str, set[int]] = {}
    for code in LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for month, raw in get_month_names(width, context, code).items():
                    name = lowered(raw.strip())
                    bare = name.rstrip(".")
                    if not bare or bare[0].isdigit():
                        continue  # "1月": read by the numeric CJK patterns
                    if width == "abbreviated" and bare.isascii() and len(bare) < 4:
                        continue
                    for form in (bare, _prepositional(bare) if code == "ru" else None):
                        if form:
                            found.setdefault(form, set()).add(month)
    return {name: months.pop() for name, months in found.items() if len(months) == 1}


def _month_alternation() -> str:
    names = sorted(month_names(), key=len, reverse=True)
    return "(?P<mon>" + "|".join(re.escape(n) for n in names) + r")\.?"


def _field(token: str, months: str) -> str:
    """The regex for one CLDR pattern field or literal."""
    letter = token[0]
    if letter == "'":
        literal = token[1:-1]
        return rf"\s*(?:{re.escape(lowered(literal))})?\s*" if literal else "'"
    if letter == "y":
        return YEAR
    if letter in "ML":
        return months if len(token) >= 3 else r"(?P<mm>1[0-2]|0?[1-9])"
    if letter == "d":
        return DAY
    if token.isspace():
        return r"\s*"
    if token in ".,":
        return rf"{re.escape(token)}?"
    return rf"\s*{re.escape(token)}\s*"


def _to_regex(pattern: str, months: str) -> str | None:
    """A CLDR date pattern as a regex; None for all-numeric ones and those with other fields."""
    tokens = [m.group() for m in _FIELD.finditer(pattern)]
    fields = {t[0] for t in tokens if t[0].isascii() and t[0].isalpha()}
    named_month = any(t[0] in "ML" and len(t) >= 3 for t in tokens)
    if not fields <= set("yMLd") or "y" not in fields or not (
            named_month or not pattern.isascii()):
        return None
    while tokens and not (tokens[-1][0].isascii() and tokens[-1][0].isalpha()):
        # "y 'г'.", "d日": what follows the last field is optional
        tokens.pop()
    return "".join(_field(t, months) for t in tokens)


@lru_cache(maxsize=1)
def patterns() -> tuple[re.Pattern[str], ...]:
    """Every locale's date regexes, those with a day first (a full date before its month-year)."""
    months = _month_alternation()
    sources: list[str] = []
    for code in LOCALES:
        locale = Locale.parse(code)
        found = [get_date_format(f, locale=code).pattern for f in _FORMATS]
        found += [locale.datetime_skeletons[s].pattern for s in _SKELETONS
                  if s in locale.datetime_skeletons]
        for pattern in found:
            source = _to_regex(pattern, months)
            if source and source not in sources:
                sources.append(source)
    sources.sort(key=lambda s: "(?P<day>" not in s)
    # a CJK date follows a character without a space ("于2006年"): only a digit may not precede
    return tuple(re.compile((r"(?<![\d.])" if s.startswith("(?P<day>") or s.startswith("(?P<year>")
                             else r"(?<!\w)") + s + r"(?!\d)") for s in sources)


_WORD = re.compile(r"[^\W\d_]{3,}")
_CJK_DATE = ("年", "月")


def may_hold_a_date(low: str) -> bool:
    """A cheap test run first (a set lookup of the words): only a text holding a foreign month
    name or a CJK date sign pays for the locale patterns."""
    if any(sign in low for sign in _CJK_DATE):
        return True
    return not month_names().keys().isdisjoint(_WORD.findall(low))
