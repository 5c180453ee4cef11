"""Year matcher (publication year): the year the response gives for publication.

Any other year is a specific wrong answer, however close (METRICS.md section 1). Years tied to
a publication cue ("published in 2014", "NIPS 2014") are the answer; other years ("cited since
2017") only count when no year is cued. Years that are part of the question (a title such as
"COCO 2014") are echoes, not answers.
"""

from __future__ import annotations

import re

from halprobe.scoring.dates import YEAR, coordinated
from halprobe.scoring.normalize import lowered
from halprobe.types import Grade, Label, ProbeItem

PUBLICATION_CUES = (r"published|publication|appeared|released|presented|came\s+out|submitted"
                    r"|written|accepted|proceedings|conference|journal|venue|arxiv|nips|neurips|icml|iclr|cvpr"
                    r"|iccv|eccv|acl|emnlp|naacl|aaai|ijcai|year")
_YEAR = re.compile(
    rf"(?<![\d/.:-]){YEAR}(?![\d'])(?!s\b)(?![/.:-]\d)(?!\s+(?:times|citations|papers))")
_CUED = re.compile(rf"\b(?:{PUBLICATION_CUES})\b(?:(?!\b\d{{4}}\b)[^.;!?]){{0,40}}$")


def stated_years(text: str, question: str = "") -> list[re.Match[str]]:
    """The years offered as the publication year: cued ones if any, else all (bar echoes)."""
    echoes = {m.group("year") for m in _YEAR.finditer(question)}
    found = [m for m in _YEAR.finditer(text) if m.group("year") not in echoes]
    low = lowered(text) if found else text
    cued: list[re.Match[str]] = []
    for m in found:
        if _CUED.search(low, max(0, m.start() - 60), m.start()) or (
                cued and coordinated(text[cued[-1].end():m.start()])):
            cued.append(m)
    return cued or found


def match(item: ProbeItem, text: str) -> Grade:
    """Grade a publication year: only the exact gold year is correct."""
    years = stated_years(text, item.question)
    if not years:
        return Grade(Label.UNSCORED, None, "no year found")
    if not item.exists or not item.answer:
        return Grade(Label.HALLUCINATED, years[0].group(), "states a year for a control")
    wrong = [m for m in years if m.group("year") != item.answer.strip()[:4]]
    if wrong:
        return Grade(Label.HALLUCINATED, wrong[0].group(), "states a year that is not the gold")
    return Grade(Label.CORRECT, years[0].group(), "states the gold year")
