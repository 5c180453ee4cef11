"""HR vs monofact estimate: correlations, logistic regression, bound table (METRICS.md 6)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.stats import pearsonr, rankdata, spearmanr
from sklearn.linear_model import LogisticRegression

from halprobe.analysis.correlation import (
    _rowwise_pearson,
    bound_table,
    hr_monofact_correlation,
    logistic_lambda,
    logistic_table,
    stratum_table,
)
from halprobe.analysis.monofact import poisson_estimates


def _items(seed: int = 0, n_per_bin: int = 80, n_bins: int = 5) -> pd.DataFrame:
    """Rarer bins (small lambda) hallucinate more, as the theory predicts."""
    rng = np.random.default_rng(seed)
    frames = []
    for b in range(n_bins):
        lam = rng.gamma(2.0, 0.3 * 3**b, n_per_bin)
        p_hall = 0.1 + 0.6 * np.exp(-lam)
        draw = rng.uniform(size=n_per_bin)
        label = np.where(draw < p_hall, "hallucinated",
                         np.where(draw < p_hall + 0.1, "abstained", "correct"))
        frames.append(pd.DataFrame({"suite": "s", "bin": b, "label": label, "lambda": lam}))
    return pd.concat(frames, ignore_index=True)


def test_stratum_table() -> None:
    items = pd.DataFrame({"suite": "s", "bin": [0, 0, 0, 1, 1],
                          "label": ["hallucinated", "correct", "unscored", "correct", "error"],
                          "lambda": [0.5, 1.0, 4.0, 2.0, np.nan]})
    table = stratum_table(items)
    assert table["n"].tolist() == [2, 1]
    assert table["hallucination_rate"].tolist() == [0.5, 0.0]
    assert table.loc[0, "monofact"] == pytest.approx(poisson_estimates([0.5, 1.0]).sr)


def test_correlation_points_agree_with_scipy_and_have_the_predicted_sign() -> None:
    items = _items()
    result = hr_monofact_correlation(items, n_resamples=2000, seed=1).iloc[0]
    table = stratum_table(items)
    x, y = table["monofact"], table["hallucination_rate"]
    assert result["spearman"] == pytest.approx(spearmanr(x, y).statistic)
    assert result["pearson"] == pytest.approx(pearsonr(x, y).statistic)
    assert result["pearson_p"] == pytest.approx(pearsonr(x, y).pvalue)
    assert result["pearson_low"] <= result["pearson"] <= result["pearson_high"]
    assert result["n_bins"] == 5 and bool(result["expected_sign"]) is True
    again = hr_monofact_correlation(items, n_resamples=2000, seed=1).iloc[0]
    assert again["spearman_low"] == result["spearman_low"]  # seeded


def test_rowwise_correlations_agree_with_scipy() -> None:
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(20, 6)), rng.normal(size=(20, 6))
    pearson = _rowwise_pearson(x, y)
    spearman = _rowwise_pearson(rankdata(x, axis=1), rankdata(y, axis=1))
    for row in range(20):
        assert pearson[row] == pytest.approx(pearsonr(x[row], y[row]).statistic)
        assert spearman[row] == pytest.approx(spearmanr(x[row], y[row]).statistic)


def test_correlation_needs_three_bins() -> None:
    result = hr_monofact_correlation(_items(n_bins=2), n_resamples=100).iloc[0]
    assert math.isnan(result["spearman"]) and math.isnan(result["spearman_low"])


def test_logistic_agrees_with_statsmodels_and_sklearn() -> None:
    items = _items(3)
    out = logistic_lambda(items)
    graded = items[items.label != "unscored"]
    y = (graded["label"] == "hallucinated").to_numpy(float)
    x = np.log1p(graded["lambda"].to_numpy())
    fit = sm.Logit(y, sm.add_constant(x)).fit(disp=0)
    assert out["coef"] == pytest.approx(fit.params[1])
    assert out["p"] == pytest.approx(fit.pvalues[1])
    assert (out["coef_low"], out["coef_high"]) == pytest.approx(tuple(fit.conf_int()[1]))
    sk = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(x[:, None], y)
    assert out["coef"] == pytest.approx(sk.coef_[0, 0], rel=1e-4)
    assert out["coef"] < 0 and out["coef_high"] < 0  # rarer facts, more hallucinations


def test_logistic_without_variation_says_why() -> None:
    items = pd.DataFrame({"suite": "s", "bin": 0, "label": ["correct"] * 5,
                          "lambda": [1, 2, 3, 4, 5]})
    out = logistic_lambda(items)
    assert math.isnan(out["coef"]) and out["note"]
    table = logistic_table(pd.concat([items, _items().assign(suite="t")]))
    assert table["suite"].tolist() == ["s", "t", "all"]


def test_bound_table() -> None:
    items = pd.DataFrame({"suite": "s", "bin": [0, 0, 1, 1, 2],
                          "label": ["hallucinated", "correct", "correct", "correct", "correct"],
                          "lambda": [0.1, 0.2, 5.0, 6.0, 1.0]})
    mis = pd.DataFrame({"suite": "s", "bin": [0, 1], "mis": [0.2, 0.5]})
    table = bound_table(items, mis)
    row0 = table.iloc[0]
    est0 = poisson_estimates([0.1, 0.2]).sr
    assert row0["bound"] == pytest.approx(max(0.0, est0 - 0.2))
    assert bool(row0["hr_ge_bound"]) is False  # HR .5 < bound ~.66
    assert table.loc[1, "bound"] == 0.0 and bool(table.loc[1, "hr_ge_bound"]) is True
    assert math.isnan(table.loc[2, "bound"]) and pd.isna(table.loc[2, "hr_ge_bound"])
    assert (table["mis_source"] == "generative").all()
    assert bound_table(items, None)["bound"].isna().all()
