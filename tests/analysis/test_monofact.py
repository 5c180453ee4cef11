"""Monofact rate and its Poisson estimates against METRICS.md sections 2 and 3."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from halprobe.analysis.monofact import (
    add_lambda,
    good_turing_mf,
    kappa_for,
    kappa_sensitivity,
    monofact_table,
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


def test_suite_median_scale_makes_kappa_mean_median_item_seen_kappa_times() -> None:
    rows = add_lambda(_rows(), kappa=1.0)
    cap_median = np.median([1e4, 3e4, 1e6])
    assert rows.loc[1, "lambda"] == pytest.approx(3e4 / cap_median)  # the median item
    assert rows.loc[1, "lambda"] == pytest.approx(1.0)
    assert rows.loc[5, "lambda"] == pytest.approx(1.0)  # median of papers is 40
    assert math.isnan(rows.loc[3, "lambda"])
    raw = add_lambda(_rows(), kappa=2.0, scale="raw")
    assert raw.loc[4, "lambda"] == pytest.approx(4.0)


def test_kappa_per_proxy_with_default() -> None:
    assert kappa_for("citations", {"citations": 0.5}) == 0.5
    assert kappa_for("views", {"citations": 0.5}, default=3.0) == 3.0
    rows = add_lambda(_rows(), kappa={"citations": 0.5}, default_kappa=2.0)
    assert rows.loc[5, "lambda"] == pytest.approx(0.5)
    assert rows.loc[1, "lambda"] == pytest.approx(2.0)
    with pytest.raises(ValueError):
        add_lambda(_rows(), scale="log")  # type: ignore[arg-type]


def test_monofact_table_per_stratum() -> None:
    table = monofact_table(_rows())
    cap0 = table[(table.suite == "cap") & (table.bin == 0)].iloc[0]
    lam = np.array([1e4, 3e4]) / 3e4
    assert cap0["n_items"] == 2 and cap0["n_proxy"] == 2
    assert cap0["sr"] == pytest.approx(poisson_estimates(lam).sr)
    cap1 = table[(table.suite == "cap") & (table.bin == 1)].iloc[0]
    assert cap1["n_items"] == 2 and cap1["n_proxy"] == 1
    assert (table["scale"] == "suite_median").all()
    # rarer bins have a larger unseen fraction
    assert cap0["u"] > cap1["u"]


def test_kappa_sensitivity_long_table() -> None:
    table = kappa_sensitivity(_rows())
    assert len(table) == 4 * 5
    assert sorted(table["kappa"].unique()) == [0.1, 0.3, 1.0, 3.0, 10.0]
    at_one = table[table.kappa == 1.0].reset_index(drop=True)
    base = monofact_table(_rows())
    assert at_one["sr"].to_numpy() == pytest.approx(base["sr"].to_numpy())
    # more exposure, fewer unseen facts
    cap0 = table[(table.suite == "cap") & (table.bin == 0)].sort_values("kappa")
    assert cap0["u"].is_monotonic_decreasing
