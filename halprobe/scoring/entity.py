"""Entity matcher (capitals and other named places): grade what stands in the answer slot.

Gold = item aliases plus, for "capital of X" questions, the gold city's geonames alternates.
Candidates come from answer slots (``slots``) in three tiers, most specific first: capital
phrases ("the capital of X is Y", "Y is the capital of X"), then generic ones ("it's Y",
"Answer: Y"), then a short reply that is just a name. A candidate that is neither gold nor an
echo of the question is a specific wrong answer (hallucinated, METRICS.md section 1); a response
with no candidate and no gold is unscored, never guessed (STYLE.md habit 4).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from halprobe.scoring import places, slots
from halprobe.scoring.normalize import (
    Span,
    alias_pattern,
    find_spans,
    fold,
    lowered,
    normalize,
    word_set,
)
from halprobe.types import Grade, Label, ProbeItem

_IGNORE = re.IGNORECASE  # only for questions; responses are searched lower-cased
_VERB = r"(?:is|was|remains|has\s+been|would\s+be|will\s+be)"
# "the capital of X is Y", "the capital of X is located in Y", "the capital of X, Y, is",
# "Capital: Y" (one pattern: one scan of the text).
CAPITAL_AFTER = (
    r"\bcapital(?:\s+city)?(?:\s+of\s+(?P<of>[^.;:!?\n]{1,60}?))?"
    rf"(?:\s+{_VERB}\s+(?:(?:located|situated|found)\s+in\s+)?"
    r"|\s*,\s+(?!(?:a|an|the|which|who|where|located|known|is|was)\b)|\s*[:=]\s*)",
)
CAPITAL_BEFORE = (
    r",?\s+(?:is|was|remains|serves\s+as|has\s+been)\s+(?:the|its)\s+(?:[\w-]+\s+)?capital(?:\s+city)?"
    r"(?:\s+of\s+(?P<of>[^.;:!?\n]{1,60}))?",
)
REVERSE_AFTER = (r"\b(?:is|was)\s+(?:the|a)\s+capital(?:\s+city)?\s+of\s+",)
GENERIC_AFTER = (
    r"\b(?:it|that|this)(?:'s|\s+is|\s+was|\s+would\s+be)\s+",
    r"\banswer(?:\s+is)?\s*[:\-]?\s+",
)
_CAP_AFTER = tuple(map(re.compile, CAPITAL_AFTER))
_CAP_BEFORE = tuple(map(re.compile, CAPITAL_BEFORE))
_REV_AFTER = tuple(map(re.compile, REVERSE_AFTER))
_GEN_AFTER = tuple(map(re.compile, GENERIC_AFTER))
_FORWARD_Q = re.compile(
    r"\bcapital(?:\s+city)?\s+of\s+(?:the\s+)?(?P<subject>[^?]+?)\s*\??$", _IGNORE)
_REVERSE_Q = re.compile(
    r"^\s*(?:what|which\s+\w+)\s+is\s+(?P<subject>.+?)\s+the\s+capital\s+of\s*\??$", _IGNORE)
_NEGATED = re.compile(r"(?:\bnot|n't|\bnever|\brather\s+than|\binstead\s+of)\s+(?:the\s+)?$")
_GENERIC_OF = frozenset({"it", "country", "this country", "that country", "nation", "this nation"})


@dataclass(frozen=True)
class Question:
    """What the matcher needs from the question, worked out once per question."""

    subject: str | None
    forward: bool
    reverse: bool
    words: frozenset[str]


@lru_cache(maxsize=8192)
def question_shape(question: str, subject: str | None) -> Question:
    """Capital of X? (forward) or X is the capital of what? (reverse), and the subject."""
    forward, reverse = _FORWARD_Q.search(question), _REVERSE_Q.search(question)
    if not subject:
        m = reverse or forward
        subject = m.group("subject") if m else None
    return Question(subject, bool(forward) and not reverse, bool(reverse), word_set(question))


def subject_of(item: ProbeItem) -> str | None:
    """The entity the question is about: ``item.subject`` or read from a capital question."""
    return question_shape(item.question, item.subject).subject


@lru_cache(maxsize=8192)
def slot_pattern(aliases: tuple[str, ...], forward: bool, subject: str | None,
                 country: str | None) -> re.Pattern[str] | None:
    """Aliases plus the geonames alternates of the gold city (forward capital questions only).

    Alternates count only as a capitalised name in an answer slot: some are also plain words
    ("Vine" for Vienna), so outside slots only the item's own aliases count.
    """
    if aliases and forward:
        code = country or places.country_code(subject)
        aliases = aliases + places.alternates(aliases, code, (subject,) if subject else ())
    return alias_pattern(aliases)


_POSSESSIVE = re.compile(r"'s\s+[a-z]")
_UPPER = re.compile(r"[A-Z]")
_OWNER = re.compile(rf"(?:\bwhose|(?P<owner>{slots.PHRASE})'s)\s+$")  # "Slovenia's capital is"


@dataclass(frozen=True)
class _View:
    """The response two ways (same offsets as the original) plus the question facts."""

    folded: str
    low: str
    question: Question
    subject: str  # normalised


def _echo(cand: slots.Candidate, view: _View) -> bool:
    """A phrase that only repeats the question ("Burkina Faso"), is a sentence word ("It"),
    or is a possessive ("Europe's largest city"; "St. George's" stays a name)."""
    norm = normalize(cand.text)
    words = norm.split()
    return (not words or norm == view.subject or bool(_POSSESSIVE.match(view.folded, cand.end - 2))
            or all(w in view.question.words or w in slots.STOP_WORDS for w in words))


def _about_subject(phrase: str, view: _View) -> bool:
    norm, subject = normalize(phrase), view.subject
    return (norm in _GENERIC_OF or (bool(subject) and f" {subject} " in f" {norm} ")
            or not _UPPER.search(phrase))


def _of_ok(match: re.Match[str] | None, view: _View) -> bool:
    """Whether "capital of <of>" / "<owner>'s capital" talks about the asked subject rather
    than a side remark ("the capital of Mali is Bamako", "Slovenia, whose capital is ...")."""
    if match is None or view.question.reverse:
        return True
    if match.groupdict().get("of"):
        return _about_subject(view.folded[match.start("of"):match.end("of")], view)
    owner = _OWNER.search(view.folded, max(0, match.start() - 60), match.start())
    if owner is None:
        return True
    return bool(owner.group("owner")) and _about_subject(owner.group("owner"), view)


def _tiers(view: _View) -> Iterator[slots.Marked]:
    """Slot readings, most specific first (computed lazily: most answers stop at the first)."""
    low, folded = view.low, view.folded
    if view.question.reverse:
        yield slots.forward(_REV_AFTER, low, folded)
    else:
        yield slots.forward(_CAP_AFTER, low, folded) + slots.backward(_CAP_BEFORE, low, folded)
    yield slots.forward(_GEN_AFTER, low, folded)
    yield [(None, slots.short_reply(folded))]


def _candidates(view: _View, gold: list[Span]) -> list[slots.Candidate]:
    """Slot candidates, tier by tier: the first tier that offers a gold or non-echo name wins."""
    for tier in _tiers(view):
        found = [c for m, cands in tier if _of_ok(m, view)
                 for c in cands if _overlaps(c, gold) or not _echo(c, view)]
        if found:
            return found
    return []


def _overlaps(cand: slots.Candidate, spans: list[Span]) -> bool:
    return any(s.start < cand.end and cand.start < s.end for s in spans)


def _free_gold(spans: list[Span], view: _View) -> list[Span]:
    """Gold mentions outside slots that count: not negated, not just the subject's own name."""
    return [s for s in spans if not _NEGATED.search(view.low, max(0, s.start - 16), s.start)
            and normalize(s.text) != view.subject]


def match(item: ProbeItem, text: str) -> Grade:
    """Grade a named-entity answer (METRICS.md section 1: any alias; contradictions lose)."""
    question = question_shape(item.question, item.subject)
    subject = normalize(question.subject) if question.subject else ""
    view = _View(fold(text), lowered(text), question, subject)
    country = item.meta.get("cca2") or item.meta.get("country_code")
    gold = find_spans(slot_pattern(item.aliases, question.forward, question.subject, country),
                      text, view.low)
    cands = [c for c in _candidates(view, gold) if not c.negated]
    wrong = [c for c in cands if not _overlaps(c, gold) and not c.appositive]
    if wrong:
        kind = "a control" if not item.exists else "an answer that is not the gold"
        return Grade(Label.HALLUCINATED, text[wrong[0].start:wrong[0].end], f"names {kind}")
    hits = [s for s in gold if any(_overlaps(c, [s]) for c in cands)]
    if hits:
        return Grade(Label.CORRECT, hits[0].text, "gold in the answer slot")
    free = _free_gold(find_spans(alias_pattern(item.aliases), text, view.low), view)
    if free:
        return Grade(Label.CORRECT, free[0].text, "names the gold")
    return Grade(Label.UNSCORED, None, "no answer of the asked kind found")
