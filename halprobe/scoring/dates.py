"""Date matcher (death dates): find English dates, keep the one stated as the death, compare.

Extraction is by precompiled regexes, not dateutil: the formats are few and known, regexes give
the span and the precision (day / month / year) that ``dateutil.parser`` hides, and they cost a
few microseconds (the 100 µs-per-grade budget rules out fuzzy parsing). Month names come from
the ``calendar`` module; day validity from ``datetime.date``: nothing calendar-like is hand-rolled.

Labels follow METRICS.md section 1: a date consistent with the gold at the item's precision is
correct, consistent but coarser is vague, any contradicting date is hallucinated.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date

from halprobe.scoring.normalize import fold
from halprobe.types import Grade, Label, Precision, ProbeItem

Ymd = tuple[int | None, int | None, int | None]

MONTHS: dict[str, int] = {
    **{name.lower(): i for i, name in enumerate(calendar.month_name) if name},
    **{abbr.lower(): i for i, abbr in enumerate(calendar.month_abbr) if abbr},
    "sept": 9,
}
_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
YEAR = r"(?P<year>1\d{3}|20\d{2})"
_END = r"(?![\d'])(?!s\b)"

# Order matters: earlier patterns win where spans overlap (a full date before its month-year).
DATE_PATTERNS: tuple[str, ...] = (
    rf"\b{YEAR}-(?P<mm>[01]?\d)-(?P<dd>[0-3]?\d)\b",
    rf"\b(?:the\s+)?{_DAY}(?:\s+of)?\s+{_MON},?\s+{YEAR}{_END}",
    rf"\b{_MON}\s+(?:the\s+)?{_DAY},?\s+(?:of\s+)?{YEAR}{_END}",
    rf"\b(?P<a>[0-3]?\d)([/.-])(?P<b>[0-3]?\d)\2{YEAR}{_END}",
    rf"\b{_MON},?\s+(?:of\s+)?{YEAR}{_END}",
    rf"\b{_MON}\s+(?:the\s+)?{_DAY}\b(?!,?\s*\d)",
    rf"(?<![\d/.-]){YEAR}{_END}(?![/.-]\d)",
)
_PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in DATE_PATTERNS)

DEATH_CUES = (r"died|dies|death|dead|passed\s+away|passing|killed|murdered|assassinated|executed"
              r"|deceased|succumbed|demise|perished|lost\s+(?:his|her|their)\s+life|d\.")
BIRTH_CUES = r"born|birth|b\."
OTHER_CUES = (r"won|awarded|received|married|moved|graduated|joined|founded|retired|elected|appointed"
              r"|published|wrote|released|became|served|worked|studied|emigrated|diagnosed|knighted")
_CUE = re.compile(rf"\b(?:(?P<death>{DEATH_CUES})|(?P<birth>{BIRTH_CUES})|(?P<other>{OTHER_CUES}))(?!\w)",
                  re.IGNORECASE)
# Words that join alternative answers ("April 18, 1955, though some say April 17, 1955"): a date
# joined to a death date by these alone is another death date, stated as an alternative.
_COORDINATED = re.compile(
    r"^[\s,;:()\-]*(?:(?:or|and|but|though|although|some|sources|say|says|said|others|other|claim"
    r"|claims|possibly|perhaps|maybe|alternatively|reportedly|on|in|either)[\s,;:()\-]+)*$",
    re.IGNORECASE)
_RANGE = re.compile(r"^\s*(?:-|–|—|to|until)\s*$")
_SENTENCE_END = re.compile(r"[.!?;]\s+(?=[A-Z])")


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
        date(y or 2000, m or 1, d)
    except ValueError:
        return False
    return True


def _readings(m: re.Match[str]) -> tuple[Ymd, ...]:
    g = m.groupdict()
    year = int(g["year"]) if g.get("year") else None
    if g.get("a"):
        first, second = int(g["a"]), int(g["b"])
        pairs = {(second, first), (first, second)}  # (month, day) for d/m and for m/d
    elif g.get("mm"):
        pairs = {(int(g["mm"]), int(g["dd"]))}
    else:
        month = MONTHS[g["mon"].lower()] if g.get("mon") else None
        pairs = {(month, int(g["day"]) if g.get("day") else None)} if month else {(None, None)}
    return tuple(sorted((year, mo, d) for mo, d in pairs if _valid(year, mo, d)))


def find_dates(text: str) -> list[DateMention]:
    """All non-overlapping date mentions, earliest pattern winning on overlap."""
    folded, taken, found = fold(text), [], []
    for pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append(DateMention(m.start(), m.end(), text[m.start():m.end()], _readings(m)))
    return sorted(found, key=lambda d: d.start)


def _classify(text: str, mentions: list[DateMention]) -> list[DateMention]:
    """Tag each mention with the event it dates: the nearest cue before it in its sentence,
    else the first cue after it; a "1879 - 1955" range reads as birth - death."""
    folded = fold(text)
    stops = [m.end() for m in _SENTENCE_END.finditer(folded)]
    tagged: list[DateMention] = []
    for i, mention in enumerate(mentions):
        lo = max([s for s in stops if s <= mention.start] + [mentions[i - 1].end if i else 0])
        hi = min([s for s in stops if s > mention.end] + [mentions[i + 1].start if i + 1 < len(mentions)
                                                          else len(text)])
        before = list(_CUE.finditer(folded, lo, mention.start))
        cue = before[-1] if before else _CUE.search(folded, mention.end, hi)
        tagged.append(replace(mention, cue=(cue.lastgroup or "") if cue else ""))
    return _tag_ranges(text, tagged)


def coordinated(between: str) -> bool:
    """Whether two answers are joined as alternatives ("2014 or 2015")."""
    return bool(_COORDINATED.match(between))


def _tag_ranges(text: str, mentions: list[DateMention]) -> list[DateMention]:
    """In an uncued "X – Y" pair (lifespan in brackets) X is the birth and Y the death; an
    uncued date offered as an alternative to a tagged one shares its tag."""
    out = list(mentions)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        between = text[a.end:b.start]
        if not a.cue and not b.cue and _RANGE.match(between):
            out[i], out[i + 1] = replace(a, cue="birth"), replace(b, cue="death")
        elif a.cue and not b.cue and coordinated(between):
            out[i + 1] = replace(b, cue=a.cue)
    return out


def answer_dates(text: str) -> list[DateMention]:
    """The dates the response gives as the death: death-cued ones, else the uncued ones."""
    mentions = _classify(text, find_dates(text))
    death = [m for m in mentions if m.cue == "death"]
    return death or [m for m in mentions if not m.cue]


def gold_date(item: ProbeItem) -> tuple[Ymd, int]:
    """Gold (y, m, d) from the ISO answer and how many fields the item's precision compares."""
    parts = [int(p) for p in (item.answer or "").split("-") if p]
    wanted = {Precision.YEAR: 1, Precision.MONTH: 2, Precision.DAY: 3}.get(item.precision, len(parts))
    padded = (parts + [None, None, None])[:3]
    return (padded[0], padded[1], padded[2]), min(wanted, len(parts))


def _compare(reading: Ymd, gold: Ymd, fields: int) -> str:
    stated = [i for i in range(fields) if reading[i] is not None]
    if not stated:
        return "none"
    if any(reading[i] != gold[i] for i in stated):
        return "wrong"
    return "correct" if len(stated) == fields else "vague"


def judge(mention: DateMention, gold: Ymd, fields: int) -> str:
    """correct / vague / wrong / none for one mention; "ambiguous" when its two numeric
    readings (d/m and m/d) disagree, and "wrong" for an impossible date."""
    outcomes = {_compare(r, gold, fields) for r in mention.readings}
    if not outcomes:
        return "wrong"
    return outcomes.pop() if len(outcomes) == 1 else "ambiguous"


_VERDICTS = (
    ("wrong", Label.HALLUCINATED, "states a death date that contradicts the gold"),
    ("ambiguous", Label.UNSCORED, "numeric date reads both as d/m and m/d, only one matches"),
    ("correct", Label.CORRECT, "states the gold date"),
    ("vague", Label.VAGUE, "consistent with the gold but less precise"),
)


def match(item: ProbeItem, text: str) -> Grade:
    """Grade the stated death date against ``item.answer`` at ``item.precision``."""
    answers = answer_dates(text)
    if not answers:
        return Grade(Label.UNSCORED, None, "no death date found")
    if not item.exists or not item.answer:
        return Grade(Label.HALLUCINATED, answers[0].text, "states a death date for a control")
    gold, fields = gold_date(item)
    outcomes = {judge(m, gold, fields): m for m in reversed(answers)}
    for outcome, label, reason in _VERDICTS:
        if outcome in outcomes:
            return Grade(label, outcomes[outcome].text, reason)
    return Grade(Label.UNSCORED, answers[0].text, "no date comparable at the item's precision")
