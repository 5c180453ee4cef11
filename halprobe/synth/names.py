"""The name universe of the synthetic world (docs/metrics.md section 7): first x last names.

Names are built from syllables rather than downloaded, so the world is offline and identical on
every machine. The universe is fixed (its own constant seed); a world's seed only picks which
names are people, their death dates and the training documents. A name is identified by an
integer id = first index * len(last) + last index, so a world of 10^6 names costs two short
tuples of strings, and the text of a name is made only when a document or question needs it.

Words the date grader reads as dates or cues (month names, "died", "born", ...) are kept out, so
a name can never be mistaken for part of an answer.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

ONSETS = ("b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
          "br", "dr", "kr", "st", "tr")
VOWELS = ("a", "e", "i", "o", "u")
FIRST_CODAS = ("", "n", "r", "l")
LAST_CODAS = ("", "n", "k", "v", "sk")
BLOCKED = frozenset(
    {m.lower() for m in calendar.month_name if m}
    | {m.lower() for m in calendar.month_abbr if m}
    | {"sept", "died", "dies", "dead", "born", "death", "fact", "know"}
)
UNIVERSE_SEED = 20240611
N_FIRST = 1000
N_LAST = 1000


def _syllables() -> tuple[str, ...]:
    return tuple(o + v for o in ONSETS for v in VOWELS)


def _decode(index: int, syllables: int, codas: tuple[str, ...]) -> str:
    """The index-th word of `syllables` syllables and one coda (mixed-radix digits)."""
    sy = _syllables()
    index, coda = divmod(index, len(codas))
    parts = []
    for _ in range(syllables):
        index, s = divmod(index, len(sy))
        parts.append(sy[s])
    return "".join(parts) + codas[coda]


def _words(count: int, syllables: int, codas: tuple[str, ...],
           rng: np.random.Generator) -> tuple[str, ...]:
    """`count` distinct capitalised words drawn without replacement from all candidates."""
    total = len(_syllables()) ** syllables * len(codas)
    words: list[str] = []
    seen: set[str] = set()
    for index in rng.permutation(total) if total < 200_000 else rng.choice(
            total, size=count * 2, replace=False):
        word = _decode(int(index), syllables, codas)
        if word not in seen and word not in BLOCKED:
            seen.add(word)
            words.append(word.capitalize())
            if len(words) == count:
                return tuple(words)
    raise ValueError(f"only {len(words)} distinct words, wanted {count}")


@dataclass(frozen=True)
class NameUniverse:
    """Every possible person name: the Cartesian product of first and last names."""

    first: tuple[str, ...]
    last: tuple[str, ...]
    _first_index: dict[str, int] = field(init=False, repr=False, compare=False)
    _last_index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_first_index", {w: i for i, w in enumerate(self.first)})
        object.__setattr__(self, "_last_index", {w: i for i, w in enumerate(self.last)})

    @property
    def size(self) -> int:
        return len(self.first) * len(self.last)

    def name(self, name_id: int) -> str:
        f, la = divmod(int(name_id), len(self.last))
        return f"{self.first[f]} {self.last[la]}"

    def names(self, ids: npt.ArrayLike) -> list[str]:
        return [self.name(i) for i in np.asarray(ids).ravel()]

    def lookup(self, name: str) -> int | None:
        """The id of a name in the universe, or None for a name outside it."""
        first, _, last = name.strip().partition(" ")
        f, la = self._first_index.get(first), self._last_index.get(last)
        return None if f is None or la is None else f * len(self.last) + la


@functools.cache
def universe(n_first: int = N_FIRST, n_last: int = N_LAST) -> NameUniverse:
    """The fixed universe: two-syllable first names x three-syllable last names (10^6 names)."""
    rng = np.random.default_rng(UNIVERSE_SEED)
    return NameUniverse(first=_words(n_first, 2, FIRST_CODAS, rng),
                        last=_words(n_last, 3, LAST_CODAS, rng))
