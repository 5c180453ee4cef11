"""Shared text core for every matcher: accent folding, normalisation and a whole-word span finder.

Matchers search copies of the response that have exactly the same length as the original:
``fold`` (each accented Latin letter becomes one plain letter; used where capitals matter) and
``lowered`` (folded and lower-cased; used for every case-insensitive regex, which then runs
without ``re.IGNORECASE``, several times faster in Python's engine). A match position in either
copy is also the position in the original, so the span we report is the model's own text.
``normalize`` is the lossy form used for comparing names (keys of indexes, subject checks).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

ARTICLES = frozenset({"the", "a", "an"})

# Equivalent spellings of a single token, applied inside alias patterns.
TOKEN_VARIANTS: dict[str, str] = {"st": "st|saint", "saint": "st|saint", "mt": "mt|mount"}

# Letters whose NFKD form has no single ASCII base (so the generic rule below would skip them).
_EXTRA_FOLDS = {"Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "ı": "i", "Ħ": "H",
                "ħ": "h", "ŧ": "t", "’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"', "–": "-",
                "—": "-", "‐": "-", "\u00a0": " "}


def _fold_table() -> dict[int, str]:
    """One-to-one folds for Latin letters: a lookup table keeps ``fold`` a single C call."""
    table: dict[int, str] = {}
    for lo, hi in ((0x00C0, 0x024F), (0x1E00, 0x1EFF)):
        for code in range(lo, hi + 1):
            decomposed = unicodedata.normalize("NFKD", chr(code))
            base = "".join(c for c in decomposed if not unicodedata.combining(c))
            if len(base) == 1 and base != chr(code):
                table[code] = base
    table.update({ord(k): v for k, v in _EXTRA_FOLDS.items()})
    return table


_FOLD = _fold_table()
_NON_ALNUM = re.compile(r"[\W_]+")
_DROPPED = re.compile(r"['.]")


@dataclass(frozen=True)
class Span:
    """Where a match sits in the original response, and its original text."""

    start: int
    end: int
    text: str


def fold(text: str) -> str:
    """Strip accents without changing the length, so offsets stay valid in the original."""
    return text if text.isascii() else text.translate(_FOLD)


def lowered(text: str) -> str:
    """Folded and lower-cased, with the length of ``text`` kept."""
    low = fold(text).lower()
    if len(low) != len(text):  # a letter whose lower case is two characters ("İ"): keep it
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in fold(text))
    return low


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Compare-form of a name: folded, lower-case, no punctuation or leading article.

    Periods and apostrophes vanish ("D.C." -> "dc", "N'Djamena" -> "ndjamena") while other
    punctuation splits words ("Porto-Novo" -> "porto novo").
    """
    words = _NON_ALNUM.sub(" ", _DROPPED.sub("", _plain(text))).split()
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    return " ".join(words)


def _plain(text: str) -> str:
    """Folded, case-folded text; the slow NFKD pass only runs for non-ASCII leftovers."""
    folded = fold(text)
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return folded.casefold()


def _tokens(alias: str) -> list[str]:
    """Alias tokens split on every non-alphanumeric, so "D.C." gives ["d", "c"]; lowered the
    same way as the text they are searched in."""
    return _NON_ALNUM.sub(" ", lowered(alias)).split()


def alias_regex(alias: str) -> str:
    """Regex source matching an alias with any punctuation/spacing between its tokens.

    A leading article is optional ("Hague" matches "The Hague"), "St"/"Saint" are
    interchangeable, and "Washington DC" matches "Washington, D.C.".
    """
    tokens = _tokens(alias)
    if not tokens:
        return ""
    article = ""
    if len(tokens) > 1 and tokens[0] in ARTICLES:
        article, tokens = rf"(?:{tokens[0]}[\W_]+)?", tokens[1:]
    parts = [f"(?:{TOKEN_VARIANTS[t]})" if t in TOKEN_VARIANTS else re.escape(t) for t in tokens]
    final_dot = r"\.?" if alias.rstrip().endswith(".") else ""  # keep the "." of "D.C."
    return article + r"[\W_]{0,3}".join(parts) + final_dot


@lru_cache(maxsize=8192)
def alias_pattern(aliases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One compiled whole-word alternation for a set of aliases (longest first), cached."""
    sources = {alias_regex(a) for a in aliases if a and a.strip()}
    sources.discard("")
    if not sources:
        return None
    body = "|".join(sorted(sources, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


def find_spans(pattern: re.Pattern[str] | None, text: str, low: str | None = None) -> list[Span]:
    """All non-overlapping whole-word matches of ``pattern`` (searched in ``lowered(text)``,
    passed in as ``low`` when the caller has it), as spans of the original text."""
    if pattern is None:
        return []
    haystack = lowered(text) if low is None else low
    return [Span(m.start(), m.end(), text[m.start():m.end()]) for m in pattern.finditer(haystack)]


def find_alias(alias: str, text: str) -> Span | None:
    """The first whole-word occurrence of one alias in ``text``, or None."""
    spans = find_spans(alias_pattern((alias,)), text)
    return spans[0] if spans else None


@lru_cache(maxsize=16384)
def word_set(text: str) -> frozenset[str]:
    """Normalised words of a text (for "is this phrase just an echo of the question?")."""
    return frozenset(normalize(text).split())
