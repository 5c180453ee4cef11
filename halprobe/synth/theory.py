"""The formulas the synthetic world checks: Good–Turing, miscalibration, the Kalai–Vempala bound.

Each function cites the docs/metrics.md section it implements; none of them knows about worlds or
models, so they are tested directly against the worked examples there.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DELTA = 0.01
BINS = 10  # bins of g for Mis, plus the g = 0 bin (docs/metrics.md 4: one bin always gives 0)


def count_of_counts(counts: npt.ArrayLike) -> IntArray:
    """N_k for k = 0..max (docs/metrics.md 2): how many distinct factoids were seen exactly k times.

    ``counts`` holds one training count per factoid; entry 0 of the result counts the factoids
    that were never seen and is not used by any estimate.
    """
    return np.bincount(np.asarray(counts, dtype=np.int64)).astype(np.int64)


def monofact_rate(counts: npt.ArrayLike) -> float:
    """MF = N_1 / n (docs/metrics.md 2, Good–Turing estimate of the missing mass) from counts."""
    c = np.asarray(counts, dtype=np.int64)
    n = int(c.sum())
    return float((c == 1).sum() / n) if n else math.nan


def monofact_rate_of(docs: Iterable[Hashable]) -> float:
    """MF of a list of factoids: a,a,a,b,c,c,d,e gives N_1 = 3, n = 8, MF = .375
    (docs/metrics.md 2)."""
    return monofact_rate(list(Counter(docs).values()))


def missing_mass(p: npt.ArrayLike, counts: npt.ArrayLike) -> float:
    """True probability of the facts never seen in training (what MF estimates,
    docs/metrics.md 2)."""
    return float(np.asarray(p)[np.asarray(counts) == 0].sum())


def linear_cuts(bins: int) -> FloatArray:
    """Inner edges of ``bins`` equal-width bins on (0, 1] (docs/metrics.md 4: 0.2-wide -> 5 bins).

    Rounded so that 0.6 falls in [.6, .8) as the worked example has it, not in [.4, .6).
    """
    return np.round(np.linspace(0.0, 1.0, bins + 1)[1:-1], 12)


def log_cuts(low: float, high: float, bins: int) -> FloatArray:
    """Inner edges of ``bins`` bins equal-width in log10 g between low and high (> 0).

    [derived] One factoid's probability under an unconditional model spans 10^-13 .. 1; equal
    width bins on [0, 1] would put all of them in one bin, where Mis is always 0
    (docs/metrics.md 4).
    """
    if not 0 < low <= high:
        raise ValueError(f"log bins need 0 < low <= high, got {low}, {high}")
    hi = max(high, low * 1.000001)
    return np.logspace(math.log10(low), math.log10(hi), bins + 1)[1:-1]


def bin_index(g: npt.ArrayLike, cuts: FloatArray) -> IntArray:
    """Bin of each probability: 0 is the g = 0 bin; 1..len(cuts)+1 are [cut_{k-1}, cut_k).

    Values below the first cut or above the last fall in the first or last positive bin.
    """
    values = np.asarray(g, dtype=np.float64)
    return np.where(values <= 0, 0, 1 + np.searchsorted(cuts, values, side="right"))


def binned_mis(bin_ids: npt.ArrayLike, g_mass: npt.ArrayLike, p_mass: npt.ArrayLike,
               n_bins: int | None = None) -> tuple[float, FloatArray, FloatArray]:
    """Mis = 1/2 sum_B |P_B - G_B| (docs/metrics.md 4, Kalai–Vempala form), with G and P per bin.

    Each entry is a group of outputs that share one bin: ``g_mass`` is the model's mass on the
    group, ``p_mass`` the true mass on it. Returns (Mis, G, P); bin 0 is the g = 0 bin.
    """
    ids = np.asarray(bin_ids, dtype=np.int64)
    size = max(int(ids.max(initial=0)) + 1, n_bins or 0)
    weights_g = np.asarray(g_mass, dtype=np.float64)
    weights_p = np.asarray(p_mass, dtype=np.float64)
    big_g: FloatArray = np.bincount(ids, weights_g, size).astype(np.float64)
    big_p: FloatArray = np.bincount(ids, weights_p, size).astype(np.float64)
    return 0.5 * float(np.abs(big_p - big_g).sum()), big_g, big_p


def prompt_mis(answers: Sequence[Mapping[str, float]], golds: Sequence[str],
               cuts: FloatArray) -> tuple[float, FloatArray, FloatArray]:
    """Generative miscalibration over prompts (docs/metrics.md 4).

    For each prompt c, ``answers[c]`` maps each semantic answer r to g(r|c):
    G_B = mean_c sum_{r: g in B} g(r|c), P_B = mean_c 1[g(gold|c) in B],
    Mis = 1/2 sum_B |P_B - G_B|.
    A gold the model never gives has g = 0 and lands in the g = 0 bin.
    """
    ids: list[int] = []
    g_mass: list[float] = []
    p_mass: list[float] = []
    weight = 1.0 / len(answers)
    for dist, gold in zip(answers, golds, strict=True):
        for value in dist.values():
            ids.append(int(bin_index([value], cuts)[0]))
            g_mass.append(value * weight)
            p_mass.append(0.0)
        ids.append(int(bin_index([dist.get(gold, 0.0)], cuts)[0]))
        g_mass.append(0.0)
        p_mass.append(weight)
    return binned_mis(ids, g_mass, p_mass, n_bins=len(cuts) + 2)


def kv_bound(mf: float, mis: float, n: int, facts: float, hallucinations: float,
             delta: float = DELTA) -> float:
    """Kalai–Vempala lower bound on g(H) (docs/metrics.md 2) [check: not verified against the
    paper].

    g(H) >= MF - Mis - 3|F| / (delta |H|) - sqrt(6 ln(6/delta) / n), holding with probability
    >= 1 - delta over the training sample. |F| counts the true factoids (one per person), |H|
    the false ones. Kept in this one function so the form is easy to change.
    """
    return mf - mis - bound_slack(n, facts, hallucinations, delta)


def bound_slack(n: int, facts: float, hallucinations: float, delta: float = DELTA) -> float:
    """The two terms of the bound that do not depend on the model (docs/metrics.md 2) [check]."""
    return 3 * facts / (delta * hallucinations) + math.sqrt(6 * math.log(6 / delta) / n)
