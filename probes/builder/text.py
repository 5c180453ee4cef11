"""Name, title and id keys shared by the suites, so two sources' spellings compare equal."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable


def fold(text: str) -> str:
    """Strip accents, so names and titles compare across sources that spell them differently.

    Not halprobe.scoring.normalize.fold: that one keeps the length and maps letters NFKD cannot
    split ("ø" -> "o", "ı" -> "i"), where this one drops them; the item ids made from these keys
    ("cutoffdate-audun-grnvold-...") would change, and with them the seeded samples.
    """
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


NAME_NOISE = {"sir", "dame", "lord", "lady", "dr", "prof", "jr", "sr", "ii", "iii", "iv"}


@functools.cache
def name_key(name: str) -> str:
    """Normalised person name: folded, lower case, no honorifics, suffixes or initials."""
    tokens = re.findall(r"[a-z0-9]+", fold(name).lower())
    return " ".join(t for t in tokens if len(t) > 1 and t not in NAME_NOISE)


def title_key(title: str) -> str:
    """Normalised paper title: letters and digits only, so casing and punctuation never split."""
    return re.sub(r"[^a-z0-9]", "", fold(title).lower())


def slug(text: str, max_len: int = 48) -> str:
    """Stable, readable id part (ASCII, lower case, dashes)."""
    s = re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-")[:max_len].rstrip("-")
    return s or "x"


def to_int(text: str) -> int | None:
    text = text.strip()
    return int(float(text)) if text else None


def unique_list(values: Iterable[str]) -> list[str]:
    """Values in first-seen order, without repeats or empties."""
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return out


def words(text: str) -> frozenset[str]:
    """A set of words written as one string (long constant tables stay readable)."""
    return frozenset(text.split())
