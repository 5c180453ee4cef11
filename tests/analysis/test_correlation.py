"""HR vs training frequency: rank statistics, pooled logistic slope, bound table
(docs/metrics.md 3)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.stats import spearmanr
from sklearn.linear_model import LogisticRegression

from halprobe.analysis.correlation import (
    bound_table,
    hr_proxy_correlation,
    logistic_proxy,
    rowwise_spearman,
    stratum_table,
)


def _items(seed: int = 0, n_per_bin: int = 80, n_bins: int = 5, suite: str = "s",
           base: float = 0.1) -> pd.DataFrame:
    """Rarer bins (small proxy) hallucinate more, as the theory predicts."""
    rng = np.random.default_rng(seed)
    frames = []
    for b in range(n_bins):
        proxy = rng.gamma(2.0, 0.3 * 3**b, n_per_bin)
        p_hall = base + 0.6 * np.exp(-proxy)
        draw = rng.uniform(size=n_per_bin)
        label = np.where(draw < p_hall, "hallucinated",
                         np.where(draw < p_hall + 0.1, "abstained", "correct"))
        frames.append(pd.DataFrame({"suite": suite, "bin": b, "label": label,
                                    "popularity": proxy, "proxy": "views"}))
    return pd.concat(frames, ignore_index=True)


def test_stratum_table() -> None:
    items = pd.DataFrame({"suite": "s", "bin": [0, 0, 0, 1, 1],
                          "label": ["hallucinated", "correct", "unscored", "correct", "error"],
                          "popularity": [0.5, 1.0, 4.0, 2.0, np.nan]})
    table = stratum_table(items)
    assert table["n"].tolist() == [2, 1]
    assert table["hallucination_rate"].tolist() == [0.5, 0.0]
    assert table["proxy_median"].tolist() == [0.75, 2.0]


def test_spearman_is_of_hr_with_the_bin_and_negative_as_predicted() -> None:
    items = _items()
    result = hr_proxy_correlation(items, n_resamples=2000, seed=1).iloc[0]
    table = stratum_table(items)
    assert result["spearman"] == pytest.approx(
        spearmanr(table["rank"], table["hallucination_rate"]).statistic)
    assert result["spearman"] < 0 and bool(result["expected_sign"]) is True
    assert result["spearman_low"] <= result["spearman"] <= result["spearman_high"]
    again = hr_proxy_correlation(items, n_resamples=2000, seed=1).iloc[0]
    assert again["spearman_low"] == result["spearman_low"]  # seeded


def test_rowwise_spearman_agrees_with_scipy() -> None:
    rng = np.random.default_rng(2)
    x, y = np.arange(6.0), rng.normal(size=(20, 6))
    rho = rowwise_spearman(x, y)
    for row in range(20):
        assert rho[row] == pytest.approx(spearmanr(x, y[row]).statistic)


def test_correlation_needs_three_bins() -> None:
    result = hr_proxy_correlation(_items(n_bins=2), n_resamples=100).iloc[0]
    assert math.isnan(result["spearman_low"])


def test_logistic_agrees_with_statsmodels_and_sklearn() -> None:
    items = _items(3)
    out = logistic_proxy(items)
    y = (items["label"] == "hallucinated").to_numpy(float)
    x = np.log1p(items["popularity"].to_numpy())
    fit = sm.Logit(y, sm.add_constant(x)).fit(disp=0)
    assert out["coef"] == pytest.approx(fit.params[1])
    assert out["p"] == pytest.approx(fit.pvalues[1])
    assert (out["coef_low"], out["coef_high"]) == pytest.approx(tuple(fit.conf_int()[1]))
    sk = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(x[:, None], y)
    assert out["coef"] == pytest.approx(sk.coef_[0, 0], rel=1e-4)
    assert out["coef"] < 0 and out["coef_high"] < 0  # rarer facts, more hallucinations


def test_pooled_logistic_has_one_intercept_per_suite() -> None:
    # two suites with the same slope and very different base rates: pooled with one
    # intercept per suite, the slope is statsmodels' fixed-effects fit
    items = pd.concat([_items(4, suite="a", base=0.05), _items(5, suite="b", base=0.3)])
    out = logistic_proxy(items)
    y = (items["label"] == "hallucinated").to_numpy(float)
    x = np.log1p(items["popularity"].to_numpy())
    design = np.column_stack([np.ones_like(x), x, (items["suite"] == "b").to_numpy(float)])
    fit = sm.Logit(y, design).fit(disp=0)
    assert out["coef"] == pytest.approx(fit.params[1]) and out["n_groups"] == 2
    # a suite hallucinated on every item says nothing about the slope: left out, fit exists
    stuck = items.assign(label=np.where(items["suite"] == "b", "hallucinated", items["label"]))
    alone = logistic_proxy(stuck)
    assert alone["coef"] == pytest.approx(logistic_proxy(items[items.suite == "a"])["coef"])


def test_logistic_without_variation_says_why() -> None:
    items = pd.DataFrame({"suite": "s", "bin": 0, "label": ["correct"] * 5,
                          "popularity": [1, 2, 3, 4, 5]})
    out = logistic_proxy(items)
    assert math.isnan(out["coef"]) and out["note"]


def _strata(**changes: object) -> pd.DataFrame:
    base = {"suite": "s", "bin": ["0", "1", "2"], "n": 10, "anchor": "corpus",
            "fact_kind": "arbitrary", "hallucination_rate": [0.9, 0.5, 0.1],
            "sampled_hr": [0.8, 0.4, 0.1], "monofact_sr": [0.7, 0.5, 0.2],
            "monofact_exact": [np.nan, 0.3, np.nan], "mis": [0.1, 0.05, np.nan],
            "mis_n_items": 10, "samples_k": 20}
    return pd.DataFrame({**base, **changes})


def test_bound_only_where_mis_level_and_arbitrary_facts_exist() -> None:
    table = bound_table(_strata())
    # bin 2 has no Mis: no bound (answer ECE never stands in)
    assert table["bin"].tolist() == ["0", "1"]
    assert table["bound"].tolist() == pytest.approx([0.6, 0.25])  # sr - Mis; exact MF - Mis
    assert table["monofact_source"].tolist() == ["anchored sr",
                                                 "exact N_1/n (every item counted)"]
    assert table["sampled_hr_ge_bound"].tolist() == [True, True]
    assert not len(bound_table(_strata(fact_kind="systematic")))
    assert not len(bound_table(_strata(monofact_sr=np.nan, monofact_exact=np.nan)))
    assert not len(bound_table(_strata(sampled_hr=np.nan)))
