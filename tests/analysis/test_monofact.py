"""Monofact rate and its Poisson estimates against docs/metrics.md sections 2 and 3."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from halprobe.analysis.monofact import (
    good_turing_mf,
    occurrence_counts,
    poisson_estimates,
)


def test_good_turing_worked_example() -> None:
    assert good_turing_mf(occurrence_counts("aaabccde")) == pytest.approx(0.375)
    assert good_turing_mf(Counter({"a": 3, "b": 1, "c": 2, "d": 1, "e": 1})) == 0.375
    assert good_turing_mf([3, 1, 2, 1, 1, 0]) == 0.375  # an unseen fact adds nothing
    assert math.isnan(good_turing_mf([]))


def test_poisson_worked_example() -> None:
    sr, u, s1 = poisson_estimates([0.5, 1, 4])
    assert (round(sr, 3), round(u, 3), round(s1, 3)) == (0.135, 0.331, 0.248)
    assert poisson_estimates([1, 2, 8], kappa=0.5) == pytest.approx((sr, u, s1))


def test_poisson_matches_formula_on_random_lambdas() -> None:
    lam = np.random.default_rng(3).gamma(0.7, 2.0, size=200)
    est = poisson_estimates(lam)
    single = lam * np.exp(-lam)
    assert est.sr == pytest.approx(single.sum() / lam.sum())
    assert est.u == pytest.approx(np.exp(-lam).mean())
    assert est.s1 == pytest.approx(single.mean())


def test_poisson_edge_cases() -> None:
    assert all(math.isnan(v) for v in poisson_estimates([]))
    sr, u, s1 = poisson_estimates([0.0, 0.0, float("nan")])
    assert math.isnan(sr) and u == 1.0 and s1 == 0.0
    with pytest.raises(ValueError):
        poisson_estimates([-1.0])


def _rows() -> pd.DataFrame:
    return pd.DataFrame({
        "item_id": ["a", "b", "c", "d", "e", "f", "g"],
        "suite": ["cap"] * 4 + ["papers"] * 3,
        "bin": [0, 0, 1, 1, 0, 1, 1],
        "popularity": [1e4, 3e4, 1e6, None, 2.0, 40.0, 400.0],
        "proxy": ["population"] * 4 + ["citations"] * 3,
    })
