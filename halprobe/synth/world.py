"""A synthetic world whose training data is known exactly (docs/metrics.md section 7).

People are names from the universe (``halprobe.synth.names``), each with one death date drawn
uniformly from DAYS = 18,250 days. A training document states one fact,
"Fact: <name> died on <YYYY-MM-DD>.", and is about person i with probability p_i:

- Zipf(alpha): p_i proportional to i^-alpha over PEOPLE = 20,000 people in a random order. With
  n = 10^4 documents this gives the expected monofact rates of section 7 (.51/.24/.037/.007 for
  alpha = .5/1/1.5/2; 20,000 people give .519/.240/.038/.0069 in expectation). Names outside the
  people are names of nobody: stating a death date for one is a hallucination too.
- scenario A (the talk): half of the documents repeat one fact, half are fresh random facts. Here
  every name of the universe is a person; p puts 1/2 on one person and spreads 1/2 uniformly over
  the rest, and the n/2 fresh documents are about n/2 distinct people, so MF = 1/2 exactly.

Everything random comes from one numpy Generator seeded by ``seed``: the same seed gives the
same world, byte for byte.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from halprobe.synth.names import NameUniverse, universe

DAYS = 18_250
EPOCH = date(1950, 1, 1)
PEOPLE = 20_000
N_DOCS = 10_000
ALPHAS = (0.5, 1.0, 1.5, 2.0)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def date_text(day: int) -> str:
    """ISO text of a day offset from EPOCH (the form the documents and answers use)."""
    return (EPOCH + timedelta(days=int(day))).isoformat()


def day_of(text: str) -> int | None:
    """Inverse of ``date_text``: the day offset, or None for text that is no date in range."""
    try:
        day = (date.fromisoformat(text) - EPOCH).days
    except ValueError:
        return None
    return day if 0 <= day < DAYS else None


@dataclass(frozen=True, eq=False)
class World:
    """People, their death dates, the true document distribution p and the training documents."""

    scenario: str
    alpha: float | None
    seed: int
    names: NameUniverse
    people: IntArray
    dates: IntArray
    p: FloatArray
    docs: IntArray

    @property
    def n(self) -> int:
        return len(self.docs)

    @property
    def label(self) -> str:
        return "A" if self.scenario == "A" else f"{self.alpha:g}"

    @functools.cached_property
    def counts(self) -> IntArray:
        """How many training documents state each person's fact."""
        return np.bincount(self.docs, minlength=len(self.people)).astype(np.int64)

    @functools.cached_property
    def person_of_name(self) -> dict[int, int]:
        """Name id -> person index, for reading generated text back."""
        return {int(name): i for i, name in enumerate(self.people)}

    def document(self, person: int) -> str:
        """The training document that states person's fact."""
        return f"Fact: {self.names.name(self.people[person])} died on " \
               f"{date_text(self.dates[person])}."

    def documents(self) -> list[str]:
        return [self.document(int(i)) for i in self.docs]


@functools.lru_cache(maxsize=16)
def _zipf_cdf(alpha: float, people: int) -> FloatArray:
    weights = np.arange(1, people + 1, dtype=np.float64) ** -alpha
    cdf = np.cumsum(weights / weights.sum())
    cdf.setflags(write=False)
    return cdf


def zipf_world(alpha: float, n: int = N_DOCS, seed: int = 0, people: int = PEOPLE) -> World:
    """n documents about people drawn i.i.d. from Zipf(alpha) over ``people`` people."""
    names = universe()
    if not 0 < people <= names.size:
        raise ValueError(f"people must be in 1..{names.size}, got {people}")
    rng = np.random.default_rng(seed)
    ids = rng.choice(names.size, size=people, replace=False).astype(np.int64)
    dates = rng.integers(0, DAYS, size=people, dtype=np.int64)
    cdf = _zipf_cdf(float(alpha), people)
    docs = np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), people - 1)
    p = np.diff(cdf, prepend=0.0)
    return World("zipf", float(alpha), seed, names, ids, dates, p, docs.astype(np.int64))


def scenario_a_world(n: int = N_DOCS, seed: int = 0) -> World:
    """The talk's scenario A: n/2 copies of one fact, n/2 facts about distinct fresh people."""
    names = universe()
    size = names.size
    rng = np.random.default_rng(seed)
    ids = rng.permutation(size).astype(np.int64)
    dates = rng.integers(0, DAYS, size=size, dtype=np.int64)
    p = np.full(size, 0.5 / (size - 1))
    p[0] = 0.5
    fresh = 1 + rng.choice(size - 1, size=n - n // 2, replace=False)
    docs = rng.permutation(np.concatenate([np.zeros(n // 2, dtype=np.int64), fresh]))
    return World("A", None, seed, names, ids, dates, p, docs.astype(np.int64))


def make_world(alpha: float | None, n: int = N_DOCS, seed: int = 0,
               people: int = PEOPLE) -> World:
    """Zipf(alpha) world, or scenario A when alpha is None."""
    if alpha is None:
        return scenario_a_world(n, seed)
    return zipf_world(alpha, n, seed, people)
