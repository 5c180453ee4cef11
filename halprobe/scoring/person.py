"""Person matcher (paper authors): correct if a true author is named and nobody is invented.

``item.aliases`` are the true authors' full names. A name in the response counts as an author
when it is the full name (rapidfuzz ratio >= 90, for small spelling slips), the surname with
compatible initials or given names ("I. Goodfellow", "Goodfellow, I."), or the surname alone
("Goodfellow et al."). Any other person-like name of 2-4 words is an invented author and makes
the answer hallucinated even beside true ones (METRICS.md section 1: several candidates are
correct only if none contradicts). Organisation words, places and echoes of the question
(the paper title) are not people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from halprobe.scoring import places
from halprobe.scoring.normalize import fold, normalize, word_set
from halprobe.types import Grade, Label, ProbeItem


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PARTICLES = _words("van von der den de del della da di du le la bin al dos das ten ter st")
SUFFIXES = _words("jr sr ii iii iv")
HONORIFICS = _words("""
dr prof professor mr mrs ms sir dame by and with authors author co coauthors researcher researchers
scientist scientists student students team colleagues
""")
SENTENCE_WORDS = _words("""
the this that it its in on at of for from to a an as according however yes no sure i we they he
she unfortunately note
""")
NOT_PEOPLE = SENTENCE_WORDS | _words("""
paper papers title article study work published written authored co authors
university universite universidad universita universitat universiteit institut instituto ecole
polytechnique eth mit cnrs inria institute institution lab laboratory labs department school
college center centre stanford berkeley harvard oxford cambridge princeton mellon toronto
tsinghua peking google microsoft facebook meta openai deepmind amazon apple ibm nvidia baidu
alibaba tencent brain research conference proceedings journal transactions workshop symposium
international annual neural information processing systems learning machine deep network networks
vision computer pattern recognition association computational linguistics meeting science
sciences artificial intelligence arxiv ieee acm nips neurips icml iclr cvpr iccv eccv acl emnlp
naacl aaai ijcai january february march april may june july august september october november
december monday tuesday wednesday thursday friday saturday sunday english american chinese european
""")
_LEADING = HONORIFICS | SENTENCE_WORDS
_NEXT_WORD = re.compile(r"\S+\s+")
_TOK = r"(?:[A-Z]\.|[A-Z][\w'\-]+)"
_PART = "|".join(sorted(PARTICLES))
NAME_PATTERN = re.compile(
    rf"(?P<rev>(?P<sur>{_TOK}),\s+(?P<ini>(?:[A-Z]\.\s?){{1,3}}))"
    rf"|(?P<seq>{_TOK}(?:[ \t]+(?:(?:{_PART})[ \t]+)*{_TOK})*)(?P<etal>\s+et\.?\s+al\b)?"
)


@dataclass(frozen=True)
class Author:
    """A true author split for matching: given names and surname, normalised."""

    full: str
    given: tuple[str, ...]
    surname: str


@dataclass(frozen=True)
class Mention:
    """A person-like name in the response: its normalised tokens (surname last)."""

    text: str
    tokens: tuple[str, ...]
    et_al: bool


def _split(tokens: list[str]) -> tuple[tuple[str, ...], str]:
    """(given names, surname) with particles and Jr/III suffixes dropped."""
    core = [t for t in tokens if t not in PARTICLES and t not in SUFFIXES] or tokens
    return tuple(core[:-1]), core[-1]


@lru_cache(maxsize=8192)
def authors_of(aliases: tuple[str, ...]) -> tuple[Author, ...]:
    out = []
    for alias in aliases:
        tokens = normalize(alias.replace(".", ". ")).split()
        if tokens:
            given, surname = _split(tokens)
            out.append(Author(" ".join(tokens), given, surname))
    return tuple(out)


def _close(a: str, b: str) -> bool:
    """Same word up to a small slip; short words must be exact."""
    return a == b or (min(len(a), len(b)) >= 5 and fuzz.ratio(a, b) >= 90)


def is_author(mention: Mention, author: Author) -> bool:
    """Full-name fuzzy match, or surname match with every other token compatible
    (an initial of a given name, or a given name itself)."""
    given, surname = _split(list(mention.tokens))
    if fuzz.ratio(" ".join(mention.tokens), author.full) >= 90:
        return True
    if not _close(surname, author.surname):
        return False
    return all(any(g == a[0] if len(g) == 1 else _close(g, a) for a in author.given) for g in given)


def mentions(text: str) -> list[Mention]:
    """Capitalised name-like phrases, with honorifics and sentence words trimmed off."""
    out = []
    for m in NAME_PATTERN.finditer(fold(text)):
        raw = f"{m['ini']} {m['sur']}" if m["rev"] else m["seq"]
        tokens = normalize(raw.replace(".", ". ")).split()
        skip = 0
        while skip < len(tokens) and tokens[skip] in _LEADING:
            skip += 1
        if skip < len(tokens):  # each skipped token is one plain word: drop it from the span
            words = list(_NEXT_WORD.finditer(text, m.start(), m.end()))[:skip]
            start = words[-1].end() if words else m.start()
            out.append(Mention(text[start:m.end()], tuple(tokens[skip:]), bool(m["etal"])))
    return out


def _person_like(mention: Mention, question_words: frozenset[str]) -> bool:
    """2-4 name tokens (or "X et al."), none an organisation word, not the title, not a place."""
    tokens = mention.tokens
    if not (mention.et_al or 2 <= len(tokens) <= 4):
        return False
    if any(t in NOT_PEOPLE for t in tokens) or all(t in question_words for t in tokens):
        return False
    return not places.is_place(" ".join(tokens))


def match(item: ProbeItem, text: str) -> Grade:
    """Grade an author answer: an invented name anywhere beats a true one (hallucinated)."""
    authors, question_words = authors_of(item.aliases), word_set(item.question)
    named, invented = [], []
    for mention in mentions(text):
        if any(is_author(mention, a) for a in authors):
            named.append(mention)
        elif _person_like(mention, question_words):
            invented.append(mention)
    if invented:
        return Grade(Label.HALLUCINATED, invented[0].text, "names a person who is not an author")
    if named:
        return Grade(Label.CORRECT, named[0].text, "names a true author")
    return Grade(Label.UNSCORED, None, "no author name found")
