"""Year matcher (publication year): the year the response gives for publication.

Any other year is a specific wrong answer, however close (docs/metrics.md section 1). Years tied to
a publication cue ("published in 2014", "NIPS 2014") are the answer; other years ("cited since
2017") only count when no year is cued, and a preprint year ("on arXiv in 2015") only when no
publication year is. Years that are part of the question (a title such as "COCO 2014") are
echoes, not answers. "'14" is compared by its last two digits; a decade ("the 2010s") is vague
when it holds the gold year.
"""

from __future__ import annotations

import re

from halprobe.scoring.dates import DECADE, YEAR, coordinated, decade_outcome
from halprobe.scoring.normalize import lowered
from halprobe.types import Grade, Label, ProbeItem

PUBLICATION_CUES = (r"published|publication|appeared|released|presented|came\s+out"
                    r"|written|accepted|proceedings|conference|journal|venue|nips|neurips|icml|iclr|cvpr"
                    r"|iccv|eccv|acl|emnlp|naacl|aaai|ijcai|year")
# A preprint is another event: "on arXiv in 2015 and published at CVPR 2016" answers 2016.
PREPRINT_CUES = r"arxiv|preprint|posted|submitted|online"
_YEAR = re.compile(
    rf"(?<![\d/.:-]){YEAR}(?![\d'])(?!s\b)(?![/.:]\d)(?!-(?!(?:0[1-9]|1[0-2])\b)\d)(?!\s+(?:times|citations|papers))"
    r"|(?<![\w'])'(?P<yy>\d{2})(?![\d'])(?!s\b)")  # "in '14": the last two digits
# "in the 2010s", "the early 1990s": consistent with the gold year but less precise (vague).
_CUED = re.compile(rf"\b(?:(?P<pre>{PREPRINT_CUES})|{PUBLICATION_CUES})\b"
                   rf"(?:(?!\b\d{{4}}\b)[^.;!?]){{0,40}}$")
_HEDGED = re.compile(r"\b(?:maybe|perhaps|possibly|probably|or)\s+(?:in\s+)?$")
_CUE = re.compile(rf"\b(?:(?P<pre>{PREPRINT_CUES})|{PUBLICATION_CUES})\b")


def stated_years(text: str, question: str = "") -> list[re.Match[str]]:
    """The years offered as the publication year: cued ones if any, else all (bar echoes)."""
    echoes = {m.group() for m in _YEAR.finditer(question)}
    low = lowered(text)
    # a year of the question is an echo (a title's "COCO 2014"), unless the answer states it
    # as the publication year ("... was published in 2014")
    found = [m for m in _YEAR.finditer(text) if m.group() not in echoes
             or _CUED.search(low, max(0, m.start() - 60), m.start())]
    cued: list[tuple[re.Match[str], bool]] = []  # (year, cued by a preprint word)
    for m in found:
        window = _CUED.search(low, max(0, m.start() - 60), m.start())
        if window:
            last = list(_CUE.finditer(low, window.start(), m.start()))[-1]
            cued.append((m, bool(last.group("pre"))))
        elif cued and (coordinated(text[cued[-1][0].end():m.start()])
                       or _HEDGED.search(low, max(0, m.start() - 30), m.start())):
            cued.append((m, cued[-1][1]))  # "2014 or 2015", "2014? ... maybe 2015"
    published = [m for m, preprint in cued if not preprint]
    return published or [m for m, _ in cued] or found


def _same_year(m: re.Match[str], gold: str) -> bool:
    if m.group("yy"):
        return gold[2:4] == m.group("yy")
    return m.group("year") == gold


def _decade(item: ProbeItem, text: str) -> Grade | None:
    """A decade for a year question: vague if the gold year falls in it, else hallucinated."""
    m = DECADE.search(lowered(text))
    if m is None:
        return None
    span = text[m.start():m.end()]
    if not item.exists or not item.answer or not item.answer[:4].isdigit():
        return Grade(Label.HALLUCINATED, span, "states a decade for a control")
    if decade_outcome(m, int(item.answer[:4])) == "vague":
        return Grade(Label.VAGUE, span, "consistent with the gold but only a decade")
    return Grade(Label.HALLUCINATED, span, "states a decade that excludes the gold year")


NO_ANSWER = "no year found"
# "between 2015 and 2017", "2015-2017": a span of at most ten years offered as the answer.
_SPAN = re.compile(r"\b(?:between\s+(?P<a>1\d{3}|20\d{2})\s+and\s+(?P<b>1\d{3}|20\d{2})"
                   r"|(?P<c>1\d{3}|20\d{2})\s*(?:-|–|—|to)\s*(?P<d>1\d{3}|20\d{2}))\b",
                   re.IGNORECASE)


def _span(item: ProbeItem, text: str) -> Grade | None:
    """A span of years: vague if it holds the gold year, else (or for a control)
    hallucinated."""
    m = _SPAN.search(text)
    if m is None:
        return None
    first, last = int(m.group("a") or m.group("c")), int(m.group("b") or m.group("d"))
    if not 0 < last - first <= 10 or m.group() in item.question:
        return None
    gold = item.answer[:4] if item.exists and item.answer else ""
    if gold.isdigit() and first <= int(gold) <= last:
        return Grade(Label.VAGUE, m.group(), "a span of years that holds the gold")
    return Grade(Label.HALLUCINATED, m.group(), "a span of years that excludes the gold")


def match(item: ProbeItem, text: str) -> Grade:
    """Grade a publication year: only the exact gold year is correct."""
    span = _span(item, text) if "20" in text or "19" in text else None
    if span is not None:
        return span
    years = stated_years(text, item.question)
    if not years:
        return _decade(item, text) or Grade(Label.UNSCORED, None, NO_ANSWER)
    if not item.exists or not item.answer:
        return Grade(Label.HALLUCINATED, years[0].group(), "states a year for a control")
    gold = item.answer.strip()[:4]
    wrong = [m for m in years if not _same_year(m, gold)]
    if wrong:
        return Grade(Label.HALLUCINATED, wrong[0].group(), "states a year that is not the gold")
    return Grade(Label.CORRECT, years[0].group(), "states the gold year")
