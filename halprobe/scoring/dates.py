"""Date matcher (death dates): keep the date stated as the death, compare it with the gold.

The dates come from ``date_mentions``, the event each one dates from ``date_events``. Labels
follow docs/metrics.md section 1: a date consistent with the gold at the item's precision is
correct, consistent but coarser is vague, any contradicting date is hallucinated. Two-digit
years ("28/11/54", "'54") are compared by their last two digits, as a reader who knows the
person's era would read them.
"""

from __future__ import annotations

import re

from halprobe.scoring import date_qualifiers
from halprobe.scoring.date_cues import DEATH_CUES, cues, kind
from halprobe.scoring.date_events import RELATIVE, SENTENCE_END, coordinated, tag_events
from halprobe.scoring.date_mentions import YEAR, DateMention, Ymd, find_dates
from halprobe.scoring.normalize import Span, lowered
from halprobe.types import Grade, Label, Precision, ProbeItem

# Re-exported: the obituary grader, the year matcher and the tests read dates through here.
__all__ = ["DECADE", "YEAR", "DateMention", "Ymd", "answer_dates", "coordinated", "death_claim",
           "death_decade", "decade_outcome", "find_dates", "gold_date", "judge", "match",
           "tag_events"]


def answer_dates(text: str, question: str = "") -> list[DateMention]:
    """The dates the response gives as the death: death-cued ones, else the uncued ones that
    do not just repeat the question ("Nobel laureate in Physics (1985)")."""
    low = lowered(text)
    mentions = find_dates(text, low)
    if not mentions:
        return []
    mentions = tag_events(text, low, mentions, question)
    death = [m for m in mentions if m.cue == "death"]
    return death or [m for m in mentions if not m.cue and m.text not in question]


def gold_date(item: ProbeItem) -> tuple[Ymd, int]:
    """Gold (y, m, d) from the ISO answer and how many fields the item's precision compares."""
    parts = [int(p) for p in (item.answer or "").split("-") if p]
    fields = {Precision.YEAR: 1, Precision.MONTH: 2, Precision.DAY: 3}
    wanted = fields.get(item.precision, len(parts)) if item.precision else len(parts)
    padded = [*parts, None, None, None][:3]
    return (padded[0], padded[1], padded[2]), min(wanted, len(parts))


def _compare(reading: Ymd, gold: Ymd, fields: int) -> str:
    stated = [i for i in range(fields) if reading[i] is not None]
    if not stated:
        return "none"
    year, gold_year = reading[0], gold[0]
    if year is not None and year < 100 and gold_year is not None:  # two-digit year
        reading = (gold_year if gold_year % 100 == year else -1, reading[1], reading[2])
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


def _narrowed(outcome: str, mention: DateMention, gold: Ymd, low: str) -> str:
    """A vague date whose part word leaves the gold out ("late July 2016") is wrong."""
    if outcome == "vague" and len(mention.readings) == 1 and date_qualifiers.contradicts(
            low, mention.start, mention.readings[0], gold):
        return "wrong"
    return outcome


_VERDICTS = (
    ("wrong", Label.HALLUCINATED, "states a death date that contradicts the gold"),
    ("ambiguous", Label.UNSCORED, "numeric date reads both as d/m and m/d, only one matches"),
    ("correct", Label.CORRECT, "states the gold date"),
    ("vague", Label.VAGUE, "consistent with the gold but less precise"),
)


NO_ANSWER = "no death date found"
# "died on 13.III.2025": a date was given, in a form no pattern reads.
_UNREAD = re.compile(rf"\b(?:{DEATH_CUES})\s+(?:on|in)\s+(?:the\s+)?\S*\d\S*")
# "X died at the age of 82": a death stated without a date (a claim about a control).
_DEATH_CLAIM = re.compile(r"\b(?:died|passed\s+away|was\s+(?:killed|murdered|assassinated)"
                          r"|is\s+(?:dead|deceased)|(?:his|her|their)\s+death\s+(?:occurred|came)"
                          # "the artist's untimely passing", "his sudden death"
                          r"|(?:his|her|their|\w+'s)\s+(?:untimely|recent|tragic|sudden|early)\s+"
                          r"(?:passing|death|demise)"
                          # "We mourn the loss of X", "Rest in peace, X"
                          r"|mourn(?:s|ing)?\s+(?:the\s+)?(?:loss|death|passing)|rest\s+in\s+peace)\b")
# "The late Klaus von Klitzing": a death claimed in passing (read in the original case)
_THE_LATE = re.compile(r"\b[Tt]he\s+late\s+(?=[A-Z])")
_NOT_A_CLAIM = re.compile(r"\b(?:when|whether|if|not|never|no|yet|how|where|why|unless)\b|n't")


def death_claim(text: str) -> str | None:
    """A plain statement that the person died (not "I don't know when he died")."""
    low = lowered(text)
    for m in _DEATH_CLAIM.finditer(low):
        starts = [c.end() for c in _CLAUSE.finditer(low, 0, m.start())]
        if not _NOT_A_CLAIM.search(low, starts[-1] if starts else 0, m.start()):
            return text[m.start():m.end()]
    late = _THE_LATE.search(text)
    return text[late.start():late.end()].strip() if late else None


_CLAUSE = re.compile(r"[.!?;,]\s")


# "in the late 1980s", "the 2010s", "the twentieth century": a decade or a century (or its
# early/mid/late part) holds the gold year or it does not.
CENTURY_WORDS = {"fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
                 "nineteenth": 19, "twentieth": 20, "twenty-first": 21, "twenty first": 21}
DECADE = re.compile(
    r"\b(?:(?P<part>early|mid|late)[\s-]+)?(?:(?P<decade>1\d{2}0|20\d0)'?s\b"
    r"|(?:(?P<century>1\d|2[01])(?:st|nd|rd|th)|(?P<cword>" + "|".join(CENTURY_WORDS)
    + r"))[\s-]+century\b)")
DECADE_PARTS = {"early": range(0, 4), "mid": range(3, 8), "late": range(6, 10),
                None: range(0, 10)}
CENTURY_PARTS = {"early": range(0, 40), "mid": range(30, 70), "late": range(60, 100),
                 None: range(0, 100)}


def decade_outcome(m: re.Match[str], gold_year: int) -> str:
    """"vague" when the decade or century (or its early/mid/late part) holds the gold year,
    else "wrong" (the 20th century is read as 1900-1999, as "the 1900s")."""
    if m.group("decade"):
        offset = gold_year - int(m.group("decade"))
        return "vague" if offset in DECADE_PARTS[m.group("part")] else "wrong"
    number = int(m.group("century")) if m.group("century") else CENTURY_WORDS[m.group("cword")]
    offset = gold_year - (number - 1) * 100
    return "vague" if offset in CENTURY_PARTS[m.group("part")] else "wrong"


def death_decade(text: str) -> Span | None:
    """A decade given as the death ("died in the early 1970s"): a death cue before it in its
    sentence, and no birth or other event cue closer to it."""
    low = lowered(text)
    start = scanned = 0  # sentence starts are found once (a 100 kB text holds thousands)
    for m in DECADE.finditer(low):
        for e in SENTENCE_END.finditer(text, scanned, m.start()):
            start = e.end()
        scanned = max(scanned, m.start())
        # the cue stands within 200 characters (a sentence with no end is not read whole)
        found = cues(text, low, max(start, m.start() - 200), m.start())
        if found and kind(found[-1]) == "death":
            return Span(m.start(), m.end(), text[m.start():m.end()])
    return None


def _decade_grade(item: ProbeItem, span: Span) -> Grade:
    if not item.exists or not item.answer:
        return Grade(Label.HALLUCINATED, span.text, "states a death decade for a control")
    m = DECADE.match(lowered(span.text))
    gold_year = gold_date(item)[0][0]
    if m is None or gold_year is None or decade_outcome(m, gold_year) == "wrong":
        return Grade(Label.HALLUCINATED, span.text, "states a death decade that excludes the gold")
    return Grade(Label.VAGUE, span.text, "death decade consistent with the gold")


def match(item: ProbeItem, text: str) -> Grade:
    """Grade the stated death date against ``item.answer`` at ``item.precision``."""
    answers = answer_dates(text, item.question)
    if not answers and (decade := death_decade(text)) is not None:
        return _decade_grade(item, decade)
    if not answers:
        low = lowered(text)
        unread = _UNREAD.search(low)
        # a date that was read, and found to date something else, is no unread date
        if unread and not RELATIVE.search(low, max(0, unread.start() - 60), unread.start()) \
                and not any(unread.start() <= d.start < unread.end()
                            for d in find_dates(text, low)):
            return Grade(Label.UNSCORED, text[unread.start():unread.end()],
                         "a death date the grader cannot read")
        return Grade(Label.UNSCORED, None, NO_ANSWER)
    if not item.exists or not item.answer:
        return Grade(Label.HALLUCINATED, answers[0].text, "states a death date for a control")
    gold, fields = gold_date(item)
    low = lowered(text)
    outcomes = {_narrowed(judge(m, gold, fields), m, gold, low): m for m in reversed(answers)}
    for outcome, label, reason in _VERDICTS:
        if outcome in outcomes:
            return Grade(label, outcomes[outcome].text, reason)
    return Grade(Label.UNSCORED, answers[0].text, "no date comparable at the item's precision")
