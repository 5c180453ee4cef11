"""Title matcher (paper or book titles): fuzzy, because models drop subtitles and articles.

The stated title is a quoted span or the text after "titled"/"called"; it matches when
rapidfuzz ``token_set_ratio`` against an alias reaches ``THRESHOLD`` (word order and extra
words such as a subtitle do not matter). A stated title that matches no alias is hallucinated.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from halprobe.scoring.normalize import fold, normalize
from halprobe.types import Grade, Label, ProbeItem

THRESHOLD = 90
_STATED = re.compile(
    r"[\"“”*_]{1,2}(?P<quoted>[^\"“”*_\n]{3,200}?)[\"“”*_]{1,2}"
    r"|\b(?:titled|entitled|called|named)\s*:?\s+(?P<after>[A-Z][^.\n;(]{2,200})"
)


def stated_titles(text: str) -> list[str]:
    """Quoted spans and the phrase after "titled"; a quote after "titled" counts once."""
    matches = _STATED.finditer(fold(text))
    spans = (m.span("quoted") if m.group("quoted") else m.span("after") for m in matches)
    return [text[start:end].strip() for start, end in spans]


def _matches(title: str, aliases: tuple[str, ...]) -> bool:
    norm = normalize(title)
    return any(fuzz.token_set_ratio(norm, normalize(a)) >= THRESHOLD for a in aliases)


NO_ANSWER = "no title found"


def match(item: ProbeItem, text: str) -> Grade:
    """Grade a title answer: every stated title must match an alias."""
    titles = stated_titles(text)
    if not titles:
        if item.aliases and _matches(text, item.aliases):
            return Grade(Label.CORRECT, text.strip(), "the response is the title")
        return Grade(Label.UNSCORED, None, NO_ANSWER)
    wrong = [t for t in titles if not (item.aliases and _matches(t, item.aliases))]
    if wrong:
        return Grade(Label.HALLUCINATED, wrong[0], "states a title that matches no alias")
    return Grade(Label.CORRECT, titles[0], "states the gold title")
