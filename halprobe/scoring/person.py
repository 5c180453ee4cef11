"""Person matcher (paper authors): correct if a true author is named and nobody is invented.

``item.aliases`` are the true authors' full names. A name in the response counts as an author
when it is the full name in either order (rapidfuzz, for small spelling slips and "Fei-Fei Li"
for Li Fei-Fei), or the surname with compatible initials or given names ("I. Goodfellow",
"Goodfellow, I.", "Rich Zemel" for Richard), or the surname alone ("Goodfellow et al.", "He et
al."). Any other person-like name of 2-4 words, or a lone surname where an author goes ("by
Smith", "Hinton and LeCun"), is an invented author and makes the answer hallucinated even beside
true ones (docs/metrics.md section 1: several candidates are correct only if none contradicts).
Organisation words, places and echoes of the question (the paper title) are not people; but an
institution given in place of authors ("written by a team at UC Berkeley") is a specific answer
that names no author: hallucinated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

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
ORGANISATIONS = _words("""
university universite universidad universita universitat universiteit institut instituto ecole
polytechnique eth mit cnrs inria institute institution lab laboratory labs department school
college center centre stanford berkeley harvard oxford cambridge princeton mellon toronto
tsinghua peking google microsoft facebook meta openai deepmind amazon apple ibm nvidia baidu
alibaba tencent brain research academy foundation corporation company inc ltd group
""")
NOT_PEOPLE = SENTENCE_WORDS | ORGANISATIONS | _words("""
paper papers title article study work published written authored co authors
conference proceedings journal transactions workshop symposium
international annual neural information processing systems learning machine deep network networks
vision computer pattern recognition association computational linguistics meeting science
sciences artificial intelligence arxiv ieee acm nips neurips icml iclr cvpr iccv eccv acl emnlp
naacl aaai ijcai january february march april may june july august september october november
december monday tuesday wednesday thursday friday saturday sunday english american chinese european
""")
# Given-name short forms that are not prefixes of the full name ("Rich" for Richard is).
NICKNAMES: dict[str, frozenset[str]] = {
    short: frozenset(full.split()) for short, full in {
        "bill": "william", "will": "william", "bob": "robert", "bobby": "robert", "jim": "james",
        "jimmy": "james", "mike": "michael", "tom": "thomas", "dick": "richard", "rick": "richard",
        "andy": "andrew", "dave": "david", "steve": "steven stephen", "tony": "anthony",
        "joe": "joseph", "nick": "nicholas nikolaos", "fred": "frederick", "ed": "edward",
        "ted": "edward", "kate": "katherine catherine", "liz": "elizabeth", "beth": "elizabeth",
        "jerry": "gerald", "larry": "lawrence", "harry": "henry", "jack": "john",
        "chuck": "charles", "charlie": "charles", "sandy": "alexander", "kathy": "katherine",
        "jenny": "jennifer", "sue": "susan", "peggy": "margaret", "maggie": "margaret",
    }.items()}
_LEADING = HONORIFICS | SENTENCE_WORDS
_NOT_NAME_WORDS = NOT_PEOPLE - SENTENCE_WORDS
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
    """A person-like name in the response: its normalised tokens (surname last) and where."""

    text: str
    tokens: tuple[str, ...]
    et_al: bool
    start: int = 0
    end: int = 0

    @cached_property
    def parts(self) -> tuple[tuple[str, ...], str]:
        """(given names, surname), split once for all the authors it is compared with; a name
        ending in initials is surname first ("Bengio Y", "Goodfellow IJ")."""
        tokens = list(self.tokens)
        if len(tokens) > 1 and len(tokens[-1]) == 1 and len(tokens[0]) > 1:
            return tuple(tokens[1:]), tokens[0]
        return _split(tokens)


def _split(tokens: list[str]) -> tuple[tuple[str, ...], str]:
    """(given names, surname) with Jr/III suffixes and particles ("van", "de") dropped; the
    last word stays the surname even when it looks like a particle ("Quoc V. Le")."""
    while len(tokens) > 1 and tokens[-1] in SUFFIXES:
        tokens = tokens[:-1]
    given = [t for t in tokens[:-1] if t not in PARTICLES and t not in SUFFIXES]
    return tuple(given), tokens[-1]


@lru_cache(maxsize=8192)
def authors_of(aliases: tuple[str, ...]) -> tuple[Author, ...]:
    """The authors, one per alias; the joined list ("A, B, C") is skipped where the single
    names are listed too."""
    out = []
    singles = [a for a in aliases if "," not in a]
    for alias in singles or aliases:
        tokens = normalize(alias.replace(".", ". ")).split()
        if tokens:
            given, surname = _split(tokens)
            out.append(Author(" ".join(tokens), given, surname))
    return tuple(out)


def _close(a: str, b: str) -> bool:
    """Same word up to a small slip; short words must be exact."""
    return a == b or (min(len(a), len(b)) >= 5 and fuzz.ratio(a, b) >= 90)


def _same_given(short: str, full: str) -> bool:
    """An initial, the name itself, or a short form ("Rich"/"Richard", "Bob"/"Robert")."""
    if len(short) == 1:
        return short == full[0]
    prefix = len(short) >= 3 and (full.startswith(short) or short.startswith(full))
    return (_close(short, full) or prefix or full in NICKNAMES.get(short, ())
            or short in NICKNAMES.get(full, ()))


def is_author(mention: Mention, author: Author) -> bool:
    """Full-name fuzzy match in either name order ("Fei-Fei Li" / "Li Fei-Fei"), or surname
    match with every other token compatible (an initial, a given name or its short form)."""
    given, surname = mention.parts
    joined = " ".join(mention.tokens)
    if fuzz.ratio(joined, author.full) >= 90:
        return True
    if len(mention.tokens) > 1 and _close(mention.tokens[0], author.surname) and \
            fuzz.token_sort_ratio(joined, author.full) >= 90:  # family name first
        return True
    if not _close(surname, author.surname):
        return False
    return all(any(_same_given(g, a) for a in author.given) for g in given)


def mentions(text: str) -> list[Mention]:
    """Capitalised name-like phrases, with honorifics and sentence words trimmed off."""
    out = []
    for m in NAME_PATTERN.finditer(fold(text)):
        raw = f"{m['ini']} {m['sur']}" if m["rev"] else m["seq"]
        tokens = normalize(raw.replace(".", ". ")).split()
        skip = 0
        while skip < len(tokens) and tokens[skip] in _LEADING:
            skip += 1
        if skip == len(tokens) and m["etal"] and tokens:  # "He et al.": a surname, not a pronoun
            skip -= 1
        if skip < len(tokens):  # each skipped token is one plain word: drop it from the span
            words = list(_NEXT_WORD.finditer(text, m.start(), m.end()))[:skip]
            start = words[-1].end() if words else m.start()
            out.append(Mention(text[start:m.end()], tuple(tokens[skip:]), bool(m["etal"]),
                               start, m.end()))
    return out


# Where a lone surname is an author: right after "written by" / "the authors are", or joined
# to such a name by "and", "&" or a comma ("by Hinton and LeCun").
_AUTHOR_SLOT = re.compile(
    r"(?:\b(?:written|authored|co-?authored|wrote|developed|proposed|introduced|created|penned"
    r"|paper|work|article|study|is|was|are|were|'s)\s+(?:written\s+)?by|\bauthors?(?:\s+(?:are|were|is|was|include[sd]?))?\s*:?"
    r"|\b(?:attributed|credited)\s+to|^\W*by)\s+$", re.IGNORECASE)
_LIST_JOIN = re.compile(r"^\s*(?:,\s*(?:and\s+)?|\s(?:and|&)\s|&)\s*$")
_SLOT_END = re.compile(r"\s*(?:[.,;:!?()&]|and\b|et\b|$)")


def _in_author_slot(mention: Mention, previous: Mention | None, text: str) -> bool:
    """Whether a one-word name stands where an author goes (a surname, not a sentence word)."""
    if not _SLOT_END.match(text, mention.end):
        return False
    if _AUTHOR_SLOT.search(text, max(0, mention.start - 40), mention.start):
        return True
    return previous is not None and bool(_LIST_JOIN.match(text[previous.end:mention.start]))


def _person_like(mention: Mention, question_words: frozenset[str], in_slot: bool = False) -> bool:
    """2-4 name tokens (or "X et al.", or a surname in an author slot), none an organisation
    word, not the title, not a place."""
    tokens = mention.tokens
    lone = in_slot and len(tokens) == 1
    if not (mention.et_al or 2 <= len(tokens) <= 4 or lone):
        return False
    if any(t in _NOT_NAME_WORDS for t in tokens[1:]) or tokens[0] in NOT_PEOPLE:
        return False  # "Kaiming He": a sentence word after the first is a surname
    if all(t in question_words for t in tokens):
        return False
    if lone:  # many surnames are also some town's name ("Li", "Wang")
        return tokens[0] not in places.index().countries
    return not places.is_place(" ".join(tokens))


# "written by a team of researchers at the University of California": an institution given as
# the author. A specific answer that names nobody (docs/metrics.md section 1: hallucinated).
_BY_ORG = re.compile(
    r"\b(?:written|authored|co-?authored|developed|proposed|introduced|created|conducted|produced"
    r"|done|effort|work|collaboration|project)\s+(?:by|of|from)\s+(?P<a>[^.;\n]{0,90})"
    r"|\b(?:attributed|credited)\s+to\s+(?P<b>[^.;\n]{0,90})"
    # "Researchers from the Stanford NLP Group."
    r"|\b(?:researchers|scientists|engineers|team|group|authors)\s+(?:from|at)\s+(?P<c>[^.;\n]{0,90})",
    re.IGNORECASE)
_ORG_WORD = re.compile(r"\b[A-Z][\w\-]*")


def institution(text: str) -> str | None:
    """The institution a response credits with the paper, if it credits one."""
    for m in _BY_ORG.finditer(fold(text)):
        who = m.group("a") or m.group("b") or m.group("c") or ""
        if any(normalize(w.group()) in ORGANISATIONS or places.is_place(w.group())
               for w in _ORG_WORD.finditer(who)):
            return text[m.start():m.end()].strip()
    return None


def _given_name_only(mention: Mention, authors: tuple[Author, ...]) -> bool:
    """A lone word that is a true author's given name and nobody's surname ("Ian")."""
    if len(mention.tokens) != 1 or mention.et_al:
        return False
    word = mention.tokens[0]
    return (len(word) > 2 and any(word in a.given for a in authors)
            and not any(_close(word, a.surname) for a in authors))


NO_ANSWER = "no author name found"
_HAS_UPPER = re.compile(r"[A-Z]")


def _lower_case_author(authors: tuple[Author, ...], text: str) -> str | None:
    """A true author's full name in an all-lower-case reply ("alex krizhevsky"): names cannot
    be told from words there, so only the gold names are looked for."""
    if _HAS_UPPER.search(text):
        return None
    low = f" {normalize(text)} "
    return next((a.full for a in authors if len(a.full.split()) > 1 and f" {a.full} " in low),
                None)


def match(item: ProbeItem, text: str) -> Grade:
    """Grade an author answer: an invented name anywhere beats a true one (hallucinated)."""
    authors, question_words = authors_of(item.aliases), word_set(item.question)
    named, invented, partial = [], [], []
    previous: Mention | None = None
    for mention in mentions(text):
        if any(is_author(mention, a) for a in authors):
            named.append(mention)
        elif _given_name_only(mention, authors):
            partial.append(mention)
        elif _person_like(mention, question_words, _in_author_slot(mention, previous, text)):
            invented.append(mention)
        else:
            continue
        previous = mention
    if invented:
        return Grade(Label.HALLUCINATED, invented[0].text, "names a person who is not an author")
    if named:
        return Grade(Label.CORRECT, named[0].text, "names a true author")
    if partial:  # "Ian and his colleagues": the right person, less precisely than asked
        return Grade(Label.VAGUE, partial[0].text, "names a true author by given name only")
    lower = _lower_case_author(authors, text)
    if lower:
        return Grade(Label.CORRECT, lower, "names a true author (lower case)")
    org = institution(text)
    if org:
        return Grade(Label.HALLUCINATED, org, "credits an institution, naming no true author")
    return Grade(Label.UNSCORED, None, NO_ANSWER)
