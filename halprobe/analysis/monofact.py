"""Monofact rate: exact Good–Turing MF and the Poisson sr, u, s1 of expected occurrences.

docs/metrics.md section 2 defines MF = N_1 / n on known training documents; section 3 estimates it
for a real model, whose training data is unknown, from lambda_i = kappa * c_i with kappa
anchored on exact counts (``analysis.anchor``). There is no default kappa: a proxy alone only
ranks items (an earlier lambda = kappa * c / median(c) gave every suite's median item the same
lambda, capitals and obscure papers alike, and is gone).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from typing import NamedTuple

import numpy as np

# The name of reference-corpus co-occurrence counts (`eval --reference-corpus`), the anchor.
CORPUS_PROXY = "corpus_cooccurrence"


class PoissonEstimate(NamedTuple):
    """sr: singleton share of training mentions; u: unseen fraction; s1: singleton fraction."""

    sr: float
    u: float
    s1: float


def good_turing_mf(counts: Mapping[Hashable, int] | Iterable[int]) -> float:
    """MF = N_1 / n (docs/metrics.md 2) from occurrence counts per distinct factoid.

    ``counts`` is a mapping factoid -> count (``Counter("aaabccde")`` gives .375) or the
    counts alone. Factoids counted 0 times add to neither N_1 nor n. NaN when n = 0.
    """
    values = np.asarray(list(counts.values() if isinstance(counts, Mapping) else counts))
    n = int(values.sum()) if values.size else 0
    return int((values == 1).sum()) / n if n else math.nan


def occurrence_counts(documents: Iterable[Hashable]) -> Counter[Hashable]:
    """Count factoids in a stream of one-factoid documents (docs/metrics.md 2)."""
    return Counter(documents)


def poisson_estimates(proxies: Iterable[float], kappa: float = 1.0) -> PoissonEstimate:
    """sr, u, s1 for one stratum with occurrences ~ Poisson(kappa * c_i) (docs/metrics.md 3).

    sr = sum lambda e^-lambda / sum lambda; u = mean e^-lambda; s1 = mean lambda e^-lambda.
    lambda = (.5, 1, 4) (kappa 1) gives sr = .135, u = .331, s1 = .248. NaN proxies are
    ignored; an empty stratum gives NaNs, and sr is NaN when every lambda is 0.
    """
    lam = kappa * np.asarray(list(proxies), dtype=float)
    lam = lam[np.isfinite(lam)]
    if lam.size == 0:
        return PoissonEstimate(math.nan, math.nan, math.nan)
    if (lam < 0).any():
        raise ValueError("frequency proxies must be >= 0")
    singles = lam * np.exp(-lam)
    total = lam.sum()
    sr = float(singles.sum() / total) if total > 0 else math.nan
    return PoissonEstimate(sr, float(np.exp(-lam).mean()), float(singles.mean()))
