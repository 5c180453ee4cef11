"""Entity matcher (capitals and other named places): grade what stands in the answer slot.

Gold = item aliases plus, for "capital of X" questions, the gold city's geonames alternates.
Candidates come from answer slots (``slots``) in tiers, most specific first: capital phrases
("the capital of X is Y", "Y is X's capital"), then seat-of-government phrases (only when no
capital phrase answers: The Hague beside Amsterdam is a side remark), then generic ones ("it's
Y", "it could be Y", "Answer: Y", "I'd guess Y"), then a short reply that is just a name. A
slot limited to the past ("was the capital until 1991") or about a suggested other place ("if
you meant Ecuador, its capital is Quito") is skipped; a lower-case name closing a slot counts
when geonames knows it ("... is lyon."); the country's own name in a capital slot is an answer
("The capital of Aruba is Aruba"), right only where an alias starts with it (Luxembourg,
Guatemala City). A candidate that is neither gold nor an appositive (", France", not ", Lyon")
is a specific wrong answer (hallucinated, docs/metrics.md section 1). With no candidate the matcher
says so (``NO_ANSWER``, which ``grade`` reads as a non-answer), as it does where a capital is
described but not named; it never guesses (docs/style.md habit 4).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from halprobe.scoring import other_languages, places, slots
from halprobe.scoring.capital_phrases import (
    CAPITAL_AFTER_RE,
    CAPITAL_BEFORE_RE,
    GENERIC_AFTER_RE,
    REVERSE_AFTER_RE,
    SEAT_AFTER_RE,
    SEAT_BEFORE_RE,
    Question,
    question_shape,
)
from halprobe.scoring.normalize import (
    Span,
    alias_pattern,
    find_alias,
    find_spans,
    fold,
    lowered,
    normalize,
)
from halprobe.types import Grade, Label, ProbeItem

_NEGATED = re.compile(r"(?:\bnot|n't|\bnever|\brather\s+than|\binstead\s+of)\s+(?:the\s+)?$")
_GENERIC_OF = frozenset({"it", "country", "this country", "that country", "nation", "this nation"})


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


_GENERIC_WHOSE = re.compile(
    r"\b(?:country|nation|state|island|kingdom|republic|territory)\s+whose\s+$")
_RESTATED = re.compile(r"\bcapital(?:\s+city)?\s+of\s+(?:the\s+)?$")
_POSSESSIVE_AFTER = re.compile(r"'s?\s")
_POSSESSIVE = re.compile(r"'s\s+[a-z]")
_UPPER = re.compile(r"[A-Z]")
_OWNER = re.compile(rf"(?:\bwhose|(?P<owner>{slots.PHRASE})'s)\s+$")  # "Slovenia's capital is"
# "The capital was Lagos until 1991": a past capital, not the answer.
_PAST = re.compile(r"\b(?:was|were|had\s+been|used\s+to\s+be)\b")
_HISTORY = re.compile(r"\b(?:until|till|before|prior\s+to|formerly|former|previously|once"
                      r"|originally|in\s+the\s+past|no\s+longer)\b")
_CLAUSE_END = re.compile(r"[.;!?](?:\s|$)")
# A lower-case name ending its clause ("... capital is auckland."), read only if geonames knows it.
_LOWER_NAME = re.compile(r"(?:the\s+)?(?:city\s+of\s+)?"
                         r"(?P<name>[a-z][a-z'\-]*(?:[ \t]+[a-z][a-z'\-]*){0,2})"
                         r"(?=\s*(?:[.,;!?)]|$))")
_NOT_NAMES = frozenset({"north", "south", "east", "west", "central", "unknown", "none", "located",
                        "known", "there", "here", "nowhere", "disputed", "unclear"})
NO_ANSWER = "no answer of the asked kind found"


@dataclass(frozen=True)
class _View:
    """The response two ways (same offsets as the original) plus the question facts."""

    folded: str
    low: str
    question: Question
    subject: str  # normalised

    @classmethod
    def of(cls, text: str, question: Question) -> _View:
        return cls(fold(text), lowered(text), question, question.normalized)


def _self_named(cand: slots.Candidate, view: _View) -> bool:
    """"Aruba", "Belize City", "the city of Doralovia": the subject's own name offered as the
    capital (right for Luxembourg or Guatemala City, wrong for Aruba or a control)."""
    words, subject = normalize(cand.text).split(), view.subject.split()
    if _RESTATED.search(view.low, max(0, cand.start - 30), cand.start) or _POSSESSIVE_AFTER.match(
            view.folded, cand.end):
        return False  # "is the capital of Canada", "is Australia's capital, Canberra"
    return bool(subject) and words[:len(subject)] == subject and all(
        w in {"city", "town"} for w in words[len(subject):])


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
            or not _UPPER.search(phrase)
            or (bool(subject) and fuzz.ratio(norm, subject) >= 85))  # "Walli and Futuna"


def _of_ok(match: re.Match[str] | None, view: _View) -> bool:
    """Whether "capital of <of>" / "<owner>'s capital" talks about the asked subject rather
    than a side remark ("the capital of Mali is Bamako", "Slovenia, whose capital is ...")."""
    if match is None or view.question.reverse:
        return True
    for key in ("of", "owner"):
        if match.groupdict().get(key):
            return _about_subject(view.folded[match.start(key):match.end(key)], view)
    owner = _OWNER.search(view.folded, max(0, match.start() - 60), match.start())
    if owner is None:
        return True
    if owner.group("owner"):
        return _about_subject(owner.group("owner"), view)
    # "Slovenia, whose capital is": about the name before "whose"; "a small country whose
    # capital is": about the country asked of
    named = _NAMED_OWNER.search(view.folded, max(0, match.start() - 80), match.start())
    if named:
        return _about_subject(named.group("owner"), view)
    return bool(_GENERIC_WHOSE.search(view.low, max(0, owner.start() - 30), owner.end()))


def _historical(match: re.Match[str] | None, view: _View) -> bool:
    """A past-tense slot whose clause limits it in time ("was the capital until 1991")."""
    if match is None or not _PAST.search(match.group()):
        return False
    starts = [m.end() for m in _CLAUSE_END.finditer(view.low, 0, match.start())]
    end = _CLAUSE_END.search(view.low, match.end())
    clause = view.low[starts[-1] if starts else 0:end.start() if end else len(view.low)]
    return bool(_HISTORY.search(clause))


def _lower_place(view: _View, pos: int) -> list[slots.Candidate]:
    """A lower-case city or country name closing the slot's clause ("is auckland.")."""
    m = _LOWER_NAME.match(view.folded, pos)
    if m is None:
        return []
    norm = normalize(m.group("name"))
    if norm in _NOT_NAMES or any(w in slots.STOP_WORDS for w in norm.split()):
        return []
    if not places.is_place(norm):
        return []
    return [slots.Candidate(m.start("name"), m.end("name"), m.group("name"))]


def _slot_reading(view: _View, after: tuple[re.Pattern[str], ...],
                  before: tuple[re.Pattern[str], ...]) -> slots.Marked:
    """Names after and before the markers; a lower-case place where no name follows."""
    marked = slots.forward(after, view.low, view.folded)
    marked = [(m, cands or (_lower_place(view, m.end()) if m else [])) for m, cands in marked]
    return marked + slots.backward(before, view.low, view.folded)


def _tiers(view: _View) -> Iterator[tuple[slots.Marked, bool]]:
    """Slot readings, most specific first (computed lazily: most answers stop at the first),
    each with whether it is a capital slot (where the subject's own name is an answer)."""
    if view.question.reverse:
        yield slots.forward(REVERSE_AFTER_RE, view.low, view.folded), False
    else:
        yield _slot_reading(view, CAPITAL_AFTER_RE, CAPITAL_BEFORE_RE), view.question.forward
        if "seat" in view.low or "government" in view.low:
            yield _slot_reading(view, SEAT_AFTER_RE, SEAT_BEFORE_RE), view.question.forward
    # "The answer is Canada": a reply that names the country itself is an answer, a wrong one
    yield _slot_reading(view, GENERIC_AFTER_RE, ()), view.question.forward
    yield [(None, slots.short_reply(view.folded) or _lower_reply(view))], False


def _lower_reply(view: _View) -> list[slots.Candidate]:
    """A reply that is only a lower-case place name ("lyon.")."""
    stripped = view.folded.lstrip()
    if len(stripped.split()) > 3:
        return []
    return _lower_place(view, len(view.folded) - len(stripped))


# "If you meant Ecuador, its capital is Quito": a slot about a suggested other place.
_SUGGESTION = re.compile(r"\b(?:if\s+you\s+(?:meant|mean|are\s+(?:referring|thinking|asking))"
                         r"|(?:perhaps|maybe)\s+you\s+(?:meant|mean|are\s+thinking)|did\s+you\s+mean)\b")


def _suggested(match: re.Match[str] | None, view: _View) -> bool:
    if match is None or "you" not in view.low:
        return False
    starts = [m.end() for m in _CLAUSE_END.finditer(view.low, 0, match.start())]
    return bool(_SUGGESTION.search(view.low, starts[-1] if starts else 0, match.start()))


def _candidates(view: _View, gold: list[Span]) -> list[slots.Candidate]:
    """Slot candidates, tier by tier: the first tier that offers a gold or non-echo name wins."""
    for tier, capital_slot in _tiers(view):
        found = [c for m, cands in tier if cands and _of_ok(m, view)
                 and not _historical(m, view) and not _suggested(m, view)
                 for c in cands if _overlaps(c, gold) or not _echo(c, view)
                 or (capital_slot and _self_named(c, view))]
        if found:
            return found
    return []


def _overlaps(cand: slots.Candidate, spans: list[Span]) -> bool:
    return any(s.start < cand.end and cand.start < s.end for s in spans)


def _free_gold(spans: list[Span], view: _View, text: str) -> list[Span]:
    """Gold mentions outside slots that count: not negated, not the subject's own name nor
    part of it ("São Tomé" inside "São Tomé and Príncipe")."""
    if not spans:
        return []
    subject = find_spans(alias_pattern((view.subject,)), text, view.low) if view.subject else []
    return [s for s in spans if not _NEGATED.search(view.low, max(0, s.start - 16), s.start)
            and normalize(s.text) != view.subject
            and not any(o.start <= s.start and s.end <= o.end for o in subject)]


def _is_gold(cand: slots.Candidate, gold: list[Span], view: _View, item: ProbeItem) -> bool:
    """In the gold spans, or the subject's own name where an alias starts with it
    ("Guatemala" for Guatemala City, "Luxembourg City" for Luxembourg)."""
    if _overlaps(cand, gold):
        return True
    if _slip(cand.text, item.aliases):
        return True
    return _self_named(cand, view) and any(
        f"{normalize(a)} ".startswith(f"{view.subject} ") for a in item.aliases)


@lru_cache(maxsize=8192)
def _slip(name: str, aliases: tuple[str, ...]) -> bool:
    """A misspelt gold ("Bishkeq", "Bratisláa"): at least 85% alike, same first letter, and
    no place of its own (Kingstown is not a slip for Kingston: it is another capital)."""
    norm = normalize(name)
    if len(norm) < 6 or places.is_place(norm):
        return False
    return any(norm[:1] == normalize(a)[:1] and fuzz.ratio(norm, normalize(a)) >= 85
               for a in aliases)


def _second_answer(cand: slots.Candidate, view: _View, country: str | None) -> bool:
    """Whether a trailing ", Y" offers a second answer: another city of the same country
    ("Paris, Lyon"), not the country, state or province it sits in ("Paris, France",
    "Ottawa, Ontario", though a town in California is called Ontario)."""
    if not cand.appositive:
        return True
    norm = normalize(cand.text)
    index = places.index()
    if country is None or norm == view.subject or norm in index.countries or norm in index.regions:
        return False
    return any(index.city(gid).countrycode == country for gid in index.names.get(norm, ()))


def match(item: ProbeItem, text: str) -> Grade:
    """Grade a named-entity answer (docs/metrics.md section 1: any alias; contradictions lose)."""
    question = question_shape(item.question, item.subject)
    view = _View.of(text, question)
    country = item.meta.get("cca2") or item.meta.get("country_code")
    gold = find_spans(slot_pattern(item.aliases, question.forward, question.subject, country),
                      text, view.low)
    cands = [c for c in _candidates(view, gold) if not c.negated]
    if cands:
        verdict = _judge(cands, gold, view, item, text)
        if verdict is not None:
            return verdict
    free = _free_gold(find_spans(alias_pattern(item.aliases), text, view.low), view, text)
    if free:
        return Grade(Label.CORRECT, free[0].text, "names the gold")
    if question.forward and item.aliases and not text.isascii():
        code = item.meta.get("cca2") or places.country_code(question.subject)
        script = find_spans(alias_pattern(places.script_names(item.aliases, code)), text,
                            view.low)
        if script:
            return Grade(Label.CORRECT, script[0].text, "names the gold in another script")
    if question.forward and not other_languages.is_english(text):
        code = country or places.country_code(question.subject)
        own = find_spans(alias_pattern((view.subject,)), text, view.low) if view.subject else []
        verdict = other_languages.grade_answer(item.aliases, code, view.subject, text,
                                               tuple((o.start, o.end) for o in own))
        if verdict is not None:
            return verdict
    return _without_slot_answer(view, text)


def _judge(cands: list[slots.Candidate], gold: list[Span], view: _View, item: ProbeItem,
           text: str) -> Grade | None:
    """Hallucinated if any slot candidate is neither gold nor an appositive; correct if one is
    gold; None when the candidates decide nothing."""
    country = item.meta.get("cca2") or item.meta.get("country_code")
    code = (country or places.country_code(view.question.subject)) if view.question.forward \
        else None
    wrong = [c for c in cands
             if not _is_gold(c, gold, view, item) and _second_answer(c, view, code)]
    if wrong:
        kind = "a control" if not item.exists else "an answer that is not the gold"
        return Grade(Label.HALLUCINATED, text[wrong[0].start:wrong[0].end], f"names {kind}")
    hits = [s.text for s in gold if any(_overlaps(c, [s]) for c in cands)]
    hits += [text[c.start:c.end] for c in cands if _is_gold(c, gold, view, item)]
    return Grade(Label.CORRECT, hits[0], "gold in the answer slot") if hits else None


def _without_slot_answer(view: _View, text: str) -> Grade:
    """No answer in a slot: a capital under a garbled subject, a described capital, or none."""
    other = _misnamed(view)
    if other:
        return Grade(Label.HALLUCINATED, text[other.start:other.end],
                     "names a capital for a misnamed subject")
    described = _described(view, text)
    if described:  # a place described, not named: no answer of the asked kind
        return Grade(Label.NON_ANSWER, None, "describes the capital without naming it")
    return Grade(Label.UNSCORED, None, NO_ANSWER)


def _misnamed(view: _View) -> slots.Candidate | None:
    """When no slot is about the subject: a capital slot about another name that is false of
    that name ("Mongolia's capital is Pyithakabak" asked about Myanmar, "Laoistan's capital
    is ..."): the model answered, under a garbled subject. A true side fact ("Slovenia, whose
    capital is Ljubljana") is not an answer."""
    if view.question.reverse:
        return None
    marked = slots.forward(CAPITAL_AFTER_RE, view.low, view.folded) + slots.backward(
        CAPITAL_BEFORE_RE, view.low, view.folded)
    for m, cands in marked:
        if m is None or _historical(m, view) or _suggested(m, view):
            continue
        owner = _owner(m, view)
        if owner is None:
            continue
        real = places.capital_of(owner)
        if _about_subject(owner, view):
            continue  # about the subject asked of: its slots were read above
        for cand in cands:
            if cand.negated or _echo(cand, view) or normalize(owner) == normalize(cand.text):
                continue
            if real is None or find_alias(real, cand.text) is None:
                return cand
    return None


def _owner(match: re.Match[str], view: _View) -> str | None:
    """The place a capital slot is about: "capital of <X>" or "<X>'s capital"."""
    for key in ("of", "owner"):
        if match.groupdict().get(key):
            return view.folded[match.start(key):match.end(key)]
    owner = _NAMED_OWNER.search(view.folded, max(0, match.start() - 80), match.start())
    return owner.group("owner") if owner else None


_NAMED_OWNER = re.compile(rf"(?P<owner>{slots.PHRASE})(?:'s|,?\s+whose)\s+$")


# "The capital of X is a city in the centre of the country": a place described, not named.
# Whether the description fits the gold cannot be read; unlike "is known for its culture",
# which gives no answer at all.
_DESCRIPTION = re.compile(r"(?:(?:a|an|the)\s+(?:[a-z-]+\s+){0,2}(?:city|town|port|village|place"
                          r"|settlement)\b|(?:located|situated|found)\s|in\s+the\s+(?:north|south"
                          r"|east|west|centre|center|middle|heart))")


def _described(view: _View, text: str) -> str | None:
    if view.question.reverse:
        return None
    for m in (m for p in CAPITAL_AFTER_RE for m in p.finditer(view.low)):
        if _of_ok(m, view) and not _historical(m, view) and _DESCRIPTION.match(view.low, m.end()):
            end = _CLAUSE_END.search(view.low, m.end())
            return text[m.end():end.start() if end else len(text)]
    return None
