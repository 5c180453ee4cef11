"""Answer slots: the proper-noun phrases a response puts where the answer goes.

"The capital of X is Y", "Y is the capital of X", "It's Y", or a short reply that is just "Y."
Grading the slot (not every name in the text) is what lets "Paris; Lyon is the second city" be
correct while "The capital of France is Lyon" is hallucinated. Lists are read with their
logic: "not X but Y" keeps Y, "either X or Y" keeps both, a trailing ", France" after the answer
is an appositive, not a second candidate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONNECTORS = (r"(?:de|del|della|di|da|do|dos|das|du|des|la|le|les|el|al|of|the|on|upon|am|im|van"
              r"|von|y|sur|en|es)")
CAP_WORD = (r"(?:(?:St|Mt|Ft)\.|[A-Z]\.(?:[A-Z]\.)*|(?:a[lnrsdtz]|e[ln])-[A-Z][\w'\-]*"
            r"|[A-Z][\w'\-]*)")
PHRASE = rf"{CAP_WORD}(?:[ \t]+(?:{CONNECTORS}[ \t]+)*{CAP_WORD})*"

_LEAD = re.compile(r"(?:(?i:either|probably|likely|actually|officially|definitely|called|named"
                   r"|known\s+as|now|still|indeed|also|currently|presently|today|in\s+fact"
                   r"|the\s+(?:city|town)\s+of|a\s+(?:city|town)\s+(?:called|named)"
                   # "the bustling coastal city of Lagos", "a large port called Lagos"
                   r"|(?:the|a|an)\s+(?:[a-z-]+\s+){0,3}?(?:city|town|port|metropolis|village"
                   r"|settlement|capital)\s+(?:of|called|named|known\s+as))\s+"
                   r"|(?!formerly\b|previously\b|once\b)[a-z]+ly\s+)*")  # "is indeed called Y"
_MARKUP = r"[*_\"'“”‘’]*"  # **bold**, _italic_ and quotes around a name
_ITEM = re.compile(rf"(?P<neg>(?i:not|never)\s+(?:(?i:in)\s+)?)?(?:(?i:the)\s+)?{_MARKUP}"
                   rf"(?P<name>{PHRASE}){_MARKUP}")
# "not Y", "rather than Y", and former names ("Yangon (formerly Rangoon)") are not answers.
# "Ottawa, also known as Toronto" claims a second name for the answer: a candidate like any
# other (docs/metrics.md section 1: a false claim about the answer is hallucinated), true only when
# it is a name of the gold ("Beijing, also known as Peking").
_SEP = re.compile(r"(?P<sep>\s*,?\s*(?i:also\s+(?:known\s+as|called|named)|a\.?k\.?a\.?)\s+"
                  r"|\s*,\s*(?:(?i:and|or|but)\s+)?|\s*\(\s*|\s+(?i:and|or|but|nor)\s+"
                  r"|\s*/\s*)(?P<neg>(?i:(?:formerly|previously|once)\s+(?:known\s+as|called|named)"
                  r"|not|rather\s+than|instead\s+of|formerly|previously|once)\s+)?")
_CLAUSE_VERB = re.compile(r"\s+(?:is|was|are|were|serves|remains|has|had|became)\b")
_TAIL_PHRASE = re.compile(rf"(?P<name>{PHRASE}){_MARKUP}$")
STOP_WORDS = frozenset({"i", "it", "its", "the", "however", "yes", "no", "note", "sorry", "capital",
                        "city", "country", "answer", "this", "that", "there", "according", "in",
                        "as", "based", "unfortunately", "so", "but", "and", "or", "also", "if",
                        "hmm", "well", "oh", "ah", "um", "uh", "okay", "ok", "sure",
                        "im", "ill", "ive", "id",  # "I'm", "I'll": a contraction is no name
                        # "Hauptstadt: Berlin": the word for "capital" is no name
                        "capitale", "hauptstadt", "hoofdstad", "capitala", "stolica"})


@dataclass(frozen=True)
class Candidate:
    """A proper-noun phrase standing in an answer slot."""

    start: int
    end: int
    text: str
    negated: bool = False
    appositive: bool = False


def _item(text: str, pos: int, negated: bool) -> tuple[Candidate, int] | None:
    m = _ITEM.match(text, pos)
    if not m:
        return None
    negated = negated or bool(m.group("neg"))
    return Candidate(m.start("name"), m.end("name"), m.group("name"), negated), m.end()


def read_list(text: str, pos: int) -> list[Candidate]:
    """Read "X", "X or Y", "not X but Y", "X, not Y", "either X or Y" starting at ``pos``.

    An item joined by a bare comma or bracket ("Paris, France", "Ouagadougou (Kadiogo)",
    "Ottawa, Ontario, Canada") is marked appositive: it may qualify the answer rather than
    offer another one.
    """
    found: list[Candidate] = []
    lead = _LEAD.match(text, pos)
    pos = lead.end() if lead else pos
    negated = bare = False
    bare_at: list[bool] = []  # whether each item was joined by a bare comma or bracket
    while (hit := _item(text, pos, negated)) is not None:
        if bare and _CLAUSE_VERB.match(text, hit[1]):
            break  # "Porto-Novo, Cotonou is the seat of government": a new clause, not an item
        found.append(hit[0])
        bare_at.append(bare)
        sep = _SEP.match(text, hit[1])
        if sep is None:
            break
        joiner = sep.group("sep").strip().lower()
        # "not Sydney or Melbourne": the negation runs on through "or"/"nor", not past "but"
        carried = hit[0].negated and joiner in {"or", "nor", ",", ", or", ", nor"}
        pos, negated = sep.end(), bool(sep.group("neg")) or carried
        bare = joiner in {",", "("} and not negated
    # "Ottawa, Ontario, Canada": each item after a bare comma qualifies the answer or offers
    # another one; the entity matcher tells which (a region or country, or another city)
    return [Candidate(c.start, c.end, c.text, c.negated, appositive=True) if joined else c
            for c, joined in zip(found, bare_at, strict=True)]


# "Toronto, the largest city in the country, serves as its capital": a name, then an
# appositive that opens with a determiner or a possessive, then the marker.
_APPOSED_TAIL = re.compile(rf"(?P<name>{PHRASE}){_MARKUP}\s*,\s+(?:(?i:the|a|an|its|his|her"
                           rf"|their)|[A-Z][\w\-]*'s)\s+[^,.;:!?\n]{{1,60}}$")


def phrase_before(text: str, end: int) -> Candidate | None:
    """The proper-noun phrase that ends right before ``end`` ("Y" in "Y is the capital"), or
    before an appositive that ends there ("Y, the largest city, is the capital")."""
    m = (_APPOSED_TAIL.search(text, max(0, end - 140), end)
         or _TAIL_PHRASE.search(text, max(0, end - 80), end))
    if not m:
        return None
    start, stop, phrase = m.start("name"), m.end("name"), m.group("name")
    if phrase.lower().startswith("the "):
        start, phrase = start + 4, phrase[4:]
    return Candidate(start, stop, phrase)


Marked = list[tuple[re.Match[str] | None, list[Candidate]]]


def forward(patterns: tuple[re.Pattern[str], ...], low: str, folded: str) -> Marked:
    """Every marker match (lower-case patterns, searched in ``low``) with the list of names
    that follows it (read in ``folded``, where capitals survive)."""
    return [(m, read_list(folded, m.end())) for p in patterns for m in p.finditer(low)]


def backward(patterns: tuple[re.Pattern[str], ...], low: str, folded: str) -> Marked:
    """Every marker match with the phrase that precedes it."""
    out: Marked = []
    for p in patterns:
        for m in p.finditer(low):
            cand = phrase_before(folded, m.start())
            out.append((m, [cand] if cand else []))
    return out


_REPLY_END = re.compile(r"\s*(?:[.!?,;:(\-]|$)")
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\n+")
_VERB = re.compile(r"\b(?:is|are|was|were|has|have|had)\b", re.IGNORECASE)


def short_reply(text: str, max_words: int = 8) -> list[Candidate]:
    """Sentences of a few words that are a name, maybe with a remark after punctuation
    ("Kouilé.", "I don't know. Lyon?", "Kouilé, a town in the north"), are answers;
    a sentence about the name ("Luxembourg is small") is not."""
    found: list[Candidate] = []
    starts = [0, *(m.end() for m in _BOUNDARY.finditer(text))]
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        segment = text[start:end]
        if not segment.strip() or len(segment.split()) > max_words:
            continue
        names = read_list(text, start + len(segment) - len(segment.lstrip()))
        if not names:
            continue
        tail = names[-1].end
        if _REPLY_END.match(text, tail) and not _VERB.search(text, tail, end):
            found.extend(names)
    return found
