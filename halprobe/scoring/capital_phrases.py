"""How capital questions and their answers are phrased: the slot patterns and question shapes.

The entity matcher (``entity``) reads a candidate answer where one of these phrases leaves a
slot for it ("the capital of X is Y", "Y is X's capital", "it's Y"); the question's shape says
whether it asks for a capital (forward) or which country a city is the capital of (reverse).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from halprobe.scoring.normalize import normalize, word_set
from halprobe.types import ProbeItem

_IGNORE = re.IGNORECASE  # only for questions; responses are searched lower-cased
_VERB = r"(?:is|was|remains|has\s+been|would\s+be|will\s+be)"
# "the capital of X is Y", "the capital of X is located in Y", "the capital of X, Y, is",
# "Capital: Y" (one pattern: one scan of the text).
CAPITAL_AFTER = (
    r"\b(?:has|had)\s+(?:its|a|the)\s+capital(?:\s+city)?\s+(?:in|at)\s+"  # "has its capital in Y"
    r"|\bcapital(?:\s+city|\s+and\s+(?:largest|biggest|main|most\s+populous)\s+city)?"
    r"(?:\s+of\s+(?P<of>[^.;:!?\n]{1,60}?))?"
    rf"(?:(?:\s+(?:there|today|now|currently|officially))?\s+{_VERB}\s+"
    r"(?:(?:located|situated|found)\s+in\s+)?"
    r"|\s*,\s+(?!(?:a|an|the|which|who|where|located|is|was)\b)|\s*[:=]\s*)",
)
CAPITAL_BEFORE = (
    r",?\s+(?:(?:which|that)\s+)?(?:is|was|remains|serves\s+as|functions\s+as|acts\s+as"
    r"|has\s+been)\s+"
    # "is also (considered) the capital": a second capital claimed, read like the first
    r"(?:(?:also|still|now|often|sometimes|actually|really|considered|regarded\s+as|seen\s+as)\s+){0,2}"
    r"(?:the|its|(?P<owner>(?:[\w-]+\s+){0,3}?[\w-]+)'s)\s+"  # "is Burkina Faso's capital"
    r"(?:[\w-]+\s+){0,2}capital(?:\s+city)?(?:\s+of\s+(?P<of>[^.;:!?\n]{1,60}))?",
    # "Y is where you'll find the capital"
    r",?\s+(?:which\s+)?is\s+where\s+(?:you(?:'ll|\s+will|\s+can)\s+find\s+)?(?:the|its)\s+"
    r"capital\b",
)
# "Y serves as the seat of government": read only when no capital phrase answers (the Hague,
# Cotonou and Putrajaya are seats of government beside a capital).
_SEAT = r"seat\s+of\s+(?:the\s+)?(?:[\w'-]+\s+)?government"
SEAT_AFTER = (
    rf"\b{_SEAT}(?:\s+of\s+(?P<of>[^.;:!?\n]{{1,60}}?))?(?:\s+{_VERB}\s+(?:located\s+in\s+)?"
    r"|\s*[:=]\s*)",
)
_GOVERNMENT = r"(?:[\w-]+\s+)?government"
SEAT_BEFORE = (
    rf",?\s+(?:(?:which|that)\s+)?(?:is|was|remains|serves\s+as|functions\s+as|acts\s+as)\s+"
    rf"(?:the|its)\s+{_SEAT}(?:\s+of\s+(?P<of>[^.;:!?\n]{{1,60}}))?",
    # "Geneva hosts the federal government", "Y, which is where X's government sits"
    rf",?\s+(?:(?:which|that)\s+)?(?:hosts|houses|is\s+home\s+to)\s+(?:the|its)\s+{_GOVERNMENT}\b",
    rf",?\s+(?:which\s+)?is\s+where\s+(?:the\s+|its\s+|(?P<owner>(?:[\w-]+\s+){{0,3}}?[\w-]+)'s\s+)"
    rf"{_GOVERNMENT}\s+(?:sits|is\s+based|is\s+seated|meets)\b",
)
REVERSE_AFTER = (r"\b(?:is|was)\s+(?:the|a)\s+capital(?:\s+city)?\s+of\s+",)
GENERIC_AFTER = (
    r"\b(?:it|that|this)(?:'s|\s+is|\s+was|\s+would\s+be|\s+(?:could|might|may|must|should)\s+be)\s+",
    r"\banswer(?:\s+is)?\s*[:\-]?\s+",
    r"\b(?:i\s+(?:would|'d)\s+(?:guess|say)|(?:my\s+)?(?:best\s+)?guess(?:\s+(?:is|would\s+be))?\s*:?)\s+",
)
CAPITAL_AFTER_RE = tuple(map(re.compile, CAPITAL_AFTER))
CAPITAL_BEFORE_RE = tuple(map(re.compile, CAPITAL_BEFORE))
SEAT_AFTER_RE = tuple(map(re.compile, SEAT_AFTER))
SEAT_BEFORE_RE = tuple(map(re.compile, SEAT_BEFORE))
REVERSE_AFTER_RE = tuple(map(re.compile, REVERSE_AFTER))
GENERIC_AFTER_RE = tuple(map(re.compile, GENERIC_AFTER))
_FORWARD_Q = re.compile(
    r"\bcapital(?:\s+city)?\s+of\s+(?:the\s+)?(?P<subject>[^?]+?)\s*\??$", _IGNORE)
_REVERSE_Q = re.compile(
    r"^\s*(?:what|which\s+\w+)\s+is\s+(?P<subject>.+?)\s+the\s+capital\s+of\s*\??$", _IGNORE)

@dataclass(frozen=True)
class Question:
    """What the matcher needs from the question, worked out once per question."""

    subject: str | None
    forward: bool
    reverse: bool
    words: frozenset[str]
    normalized: str = ""  # the subject, normalised


@lru_cache(maxsize=8192)
def question_shape(question: str, subject: str | None) -> Question:
    """Capital of X? (forward) or X is the capital of what? (reverse), and the subject."""
    forward, reverse = _FORWARD_Q.search(question), _REVERSE_Q.search(question)
    if not subject:
        m = reverse or forward
        subject = m.group("subject") if m else None
    return Question(subject, bool(forward) and not reverse, bool(reverse), word_set(question),
                    normalize(subject) if subject else "")


def subject_of(item: ProbeItem) -> str | None:
    """The entity the question is about: ``item.subject`` or read from a capital question."""
    return question_shape(item.question, item.subject).subject
