"""g(H) and Mis estimated from samples, with intervals (docs/metrics.md sections 2, 4 and 6).

For a model that can only be sampled and scored (M3), the exact sums of ``exact.py`` become
expectations, each estimated without bias from samples whose own probability is known exactly:
- g(H) = P_{x~g}[x is a false factoid]: the share of the model's samples that are false, with a
  Wilson interval (section 6);
- G_B = P_{x~g}[g(x) in B]: the share of the model's samples whose probability lies in bin B;
- P_B = P_{x~p}[g(x) in B]: the share of true documents, drawn from the world, that the model
  scores into bin B; Mis = 1/2 sum_B |P_B - G_B| (section 4), with a bootstrap interval.
Bins are log-width over the observed log-probabilities (see ``theory.log_cuts``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from halprobe.analysis.rates import wilson
from halprobe.synth.theory import BINS, binned_mis
from halprobe.synth.world import World, day_of

FloatArray = npt.NDArray[np.float64]

DOC = re.compile(r"Fact: (?P<name>\S+ \S+) died on (?P<date>\d{4}-\d{2}-\d{2})\.")
BOOTSTRAP = 2000
OUTCOMES = ("true", "wrong_date", "nobody", "unknown_name", "malformed")


def classify(world: World, text: str) -> str:
    """What a generated document states: a true fact, or which kind of false one, or no fact.

    wrong_date: a person of the world with another date (or no real date); nobody: a name of
    the universe that is no person; unknown_name: a name outside the universe; all three are
    false factoids (docs/metrics.md 1). malformed: no "Fact: <name> died on <date>." at all.
    """
    m = DOC.fullmatch(text.strip())
    if m is None:
        return "malformed"
    name_id = world.names.lookup(m["name"])
    if name_id is None:
        return "unknown_name"
    person = world.person_of_name.get(name_id)
    if person is None:
        return "nobody"
    return "true" if day_of(m["date"]) == int(world.dates[person]) else "wrong_date"


@dataclass(frozen=True)
class SampledEstimate:
    """Estimates with 95% intervals, and what the samples were."""

    g_h: float
    g_h_ci: tuple[float, float]
    mis: float
    mis_ci: tuple[float, float]
    k_model: int
    k_world: int
    outcomes: dict[str, int]


def estimate(model_logg: Sequence[float], model_outcomes: Sequence[str],
             world_logg: Sequence[float], bins: int = BINS, boot: int = BOOTSTRAP,
             seed: int = 0) -> SampledEstimate:
    """g(H) and Mis from model samples (log g, outcome) and true documents scored by the model."""
    outcomes = Counter(model_outcomes)
    k = len(model_outcomes)
    false = sum(outcomes[o] for o in ("wrong_date", "nobody", "unknown_name"))
    counts_g, counts_p, n_bins = _bin_counts(np.asarray(model_logg, dtype=np.float64),
                                             np.asarray(world_logg, dtype=np.float64), bins)
    ids = np.arange(n_bins)
    mis = binned_mis(ids, counts_g / counts_g.sum(), counts_p / counts_p.sum())[0]
    rng = np.random.default_rng(seed)
    g_boot = rng.multinomial(int(counts_g.sum()), counts_g / counts_g.sum(), size=boot)
    p_boot = rng.multinomial(int(counts_p.sum()), counts_p / counts_p.sum(), size=boot)
    dist = 0.5 * np.abs(p_boot / counts_p.sum() - g_boot / counts_g.sum()).sum(axis=1)
    low, high = np.quantile(dist, [0.025, 0.975])
    return SampledEstimate(false / k, wilson(false, k), mis, (float(low), float(high)), k,
                           int(counts_p.sum()), {o: outcomes[o] for o in OUTCOMES})


def log_cuts_of(logg: FloatArray, bins: int = BINS) -> FloatArray:
    """Inner edges of ``bins`` equal-width bins of log g over the finite values observed.

    Equal width in ln g is equal width in log10 g (``theory.log_cuts``), without exp underflow
    for documents with log g far below -745.
    """
    finite = logg[np.isfinite(logg)]
    if finite.size == 0:
        raise ValueError("no sample has a positive probability")
    low, high = float(finite.min()), float(finite.max())
    return np.linspace(low, max(high, low + 1e-9), bins + 1)[1:-1]


def log_bin_ids(logg: FloatArray, cuts: FloatArray) -> npt.NDArray[np.int64]:
    """Bin 0 for g = 0 (log g = -inf), else 1 + the number of cuts at or below log g."""
    return np.where(np.isneginf(logg), 0, 1 + np.searchsorted(cuts, logg, side="right"))


def _bin_counts(model_logg: FloatArray, world_logg: FloatArray, bins: int
                ) -> tuple[FloatArray, FloatArray, int]:
    """Counts of model and world samples per bin (bin 0: g = 0, then ``bins`` log bins)."""
    cuts = log_cuts_of(np.concatenate([model_logg, world_logg]), bins)

    def counts(logg: FloatArray) -> FloatArray:
        return np.bincount(log_bin_ids(logg, cuts), minlength=bins + 1).astype(np.float64)

    return counts(model_logg), counts(world_logg), bins + 1
