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
from functools import lru_cache

from halprobe.scoring import places, slots
from halprobe.scoring.normalize import Span, alias_pattern, find_spans, fold, normalize, word_set
from halprobe.types import Grade, Label, ProbeItem

_IGNORE = re.IGNORECASE
_VERB = r"(?:is|was|remains|has\s+been|would\s+be|will\s+be)"
CAPITAL_AFTER = (
    rf"\bcapital(?:\s+city)?(?:\s+of\s+(?P<of>[^.;:!?\n]{{1,60}}?))?\s+{_VERB}\s+",
    r"\bcapital(?:\s+city)?\s*[:=]\s*",
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
_CAP_AFTER = tuple(re.compile(p, _IGNORE) for p in CAPITAL_AFTER)
_CAP_BEFORE = tuple(re.compile(p, _IGNORE) for p in CAPITAL_BEFORE)
_REV_AFTER = tuple(re.compile(p, _IGNORE) for p in REVERSE_AFTER)
_GEN_AFTER = tuple(re.compile(p, _IGNORE) for p in GENERIC_AFTER)
_FORWARD_Q = re.compile(r"\bcapital(?:\s+city)?\s+of\s+(?:the\s+)?(?P<subject>[^?]+?)\s*\??$", _IGNORE)
_REVERSE_Q = re.compile(r"^\s*(?:what|which\s+\w+)\s+is\s+(?P<subject>.+?)\s+the\s+capital\s+of\s*\??$", _IGNORE)
_NEGATED = re.compile(r"(?:\bnot|n't|\bnever|\brather\s+than|\binstead\s+of)\s+(?:the\s+)?$", _IGNORE)
_GENERIC_OF = frozenset({"it", "the country", "this country", "that country", "the nation", "this nation"})


def subject_of(item: ProbeItem) -> str | None:
    """The entity the question is about: ``item.subject`` or read from a capital question."""
    if item.subject:
        return item.subject
    m = _FORWARD_Q.search(item.question) or _REVERSE_Q.search(item.question)
    return m.group("subject") if m else None


@lru_cache(maxsize=8192)
def gold_pattern(aliases: tuple[str, ...], question: str, subject: str | None,
                 country: str | None) -> re.Pattern[str] | None:
    """Aliases plus the geonames alternates of the gold city (forward capital questions only)."""
    if aliases and _FORWARD_Q.search(question) and not _REVERSE_Q.search(question):
        code = country or places.country_code(subject)
        aliases = aliases + places.alternates(aliases, code, (subject,) if subject else ())
    return alias_pattern(aliases)


def _echo(cand: slots.Candidate, subject: str, question_words: frozenset[str]) -> bool:
    """A phrase that only repeats the question ("Burkina Faso") or is a sentence word ("It")."""
    norm = normalize(cand.text)
    words = norm.split()
    return (not words or norm == subject or cand.text.endswith(("'s", "’s"))
            or all(w in question_words or w in slots.STOP_WORDS for w in words))


def _of_ok(match: re.Match[str], subject: str) -> bool:
    """Whether "capital of <of>" talks about the asked subject rather than a side remark."""
    of = match.groupdict().get("of")
    if not of:
        return True
    norm = normalize(of)
    return (norm in _GENERIC_OF or (bool(subject) and f" {subject} " in f" {norm} ")
            or not re.search(r"[A-Z]", of))


def _candidates(item: ProbeItem, folded: str, subject: str, gold: list[Span]) -> list[slots.Candidate]:
    """Slot candidates, tier by tier: the first tier that offers a gold or non-echo name wins."""
    reverse = bool(_REVERSE_Q.search(item.question))
    words = word_set(item.question)
    tiers = (
        lambda: slots.forward(_REV_AFTER if reverse else _CAP_AFTER, folded)
        + ([] if reverse else slots.backward(_CAP_BEFORE, folded)),
        lambda: slots.forward(_GEN_AFTER, folded),
        lambda: [(None, slots.short_reply(folded))],
    )
    for tier in tiers:
        found = [c for m, cands in tier() if m is None or reverse or _of_ok(m, subject)
                 for c in cands if _overlaps(c, gold) or not _echo(c, subject, words)]
        if found:
            return found
    return []


def _overlaps(cand: slots.Candidate, spans: list[Span]) -> bool:
    return any(s.start < cand.end and cand.start < s.end for s in spans)


def _free_gold(spans: list[Span], folded: str, subject: str) -> list[Span]:
    """Gold mentions outside slots that count: not negated, not just the subject's own name."""
    return [s for s in spans if not _NEGATED.search(folded, max(0, s.start - 16), s.start)
            and normalize(s.text) != subject]


def match(item: ProbeItem, text: str) -> Grade:
    """Grade a named-entity answer (METRICS.md section 1: any alias; contradictions lose)."""
    folded, subject_text = fold(text), subject_of(item)
    subject = normalize(subject_text) if subject_text else ""
    country = item.meta.get("cca2") or item.meta.get("country_code")
    pattern = gold_pattern(item.aliases, item.question, subject_text, country)
    gold = find_spans(pattern, text, folded)
    cands = [c for c in _candidates(item, folded, subject, gold) if not c.negated]
    wrong = [c for c in cands if not _overlaps(c, gold) and not c.appositive]
    if wrong:
        kind = "a control" if not item.exists else "an answer that is not the gold"
        return Grade(Label.HALLUCINATED, text[wrong[0].start:wrong[0].end], f"names {kind}")
    hits = [s for s in gold if any(_overlaps(c, [s]) for c in cands)]
    if hits:
        return Grade(Label.CORRECT, hits[0].text, "gold in the answer slot")
    free = _free_gold(gold, folded, subject)
    if free:
        return Grade(Label.CORRECT, free[0].text, "names the gold")
    return Grade(Label.UNSCORED, None, "no answer of the asked kind found")
