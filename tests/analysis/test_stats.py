"""halprobe.analysis.stats against scipy.stats and statsmodels, which it stands in for."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy.stats import pearsonr, spearmanr
from scipy.stats import rankdata as scipy_rankdata
from statsmodels.discrete.discrete_model import Logit

from halprobe.analysis.stats import logit, pearson, rankdata, spearman

SIZES = (3, 4, 5, 8, 30, 200)


def _pairs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return x, 0.5 * x + rng.normal(size=n)


@pytest.mark.parametrize("n", SIZES)
def test_pearson_and_spearman_agree_with_scipy(n: int) -> None:
    for seed in range(5):
        x, y = _pairs(n, seed)
        for ours, theirs in ((pearson, pearsonr), (spearman, spearmanr)):
            r, p = ours(x, y)
            expected = theirs(x, y)
            assert r == pytest.approx(expected.statistic, abs=1e-10)
            assert p == pytest.approx(expected.pvalue, abs=1e-10)


def test_spearman_with_ties_and_perfect_order_agrees_with_scipy() -> None:
    cases = [([1, 2, 2, 3, 3, 3, 4], [1, 1, 2, 2, 3, 5, 4]),
             ([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]),  # rho = 1: p = 0
             ([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]),  # rho = -1
             ([0, 0, 1, 1], [1, 0, 1, 0])]  # rho = 0
    for x, y in cases:
        for ours, theirs in ((pearson, pearsonr), (spearman, spearmanr)):
            r, p = ours(np.array(x, float), np.array(y, float))
            expected = theirs(x, y)
            assert r == pytest.approx(expected.statistic, abs=1e-10)
            assert p == pytest.approx(expected.pvalue, abs=1e-10)


def test_undefined_correlations_are_nan() -> None:
    for x, y in (([1.0, 2.0], [3.0, 1.0]),  # fewer than 3 pairs
                 ([1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0]),  # a constant column
                 ([1.0, 2.0, 3.0], [7.0, 7.0, 7.0])):
        for func in (pearson, spearman):
            assert all(math.isnan(v) for v in func(np.array(x), np.array(y)))


def test_ranks_agree_with_scipy_in_one_and_two_dimensions() -> None:
    rng = np.random.default_rng(3)
    for shape in ((1,), (7,), (50,), (200, 6), (3, 1)):
        values = rng.integers(0, 4, size=shape).astype(float)  # many ties
        np.testing.assert_array_equal(rankdata(values), scipy_rankdata(values, axis=-1))
    with_nan = np.array([[1.0, np.nan, 2.0], [3.0, 1.0, 1.0]])
    np.testing.assert_array_equal(rankdata(with_nan), scipy_rankdata(with_nan, axis=1))
    assert rankdata(np.array([])).size == 0


def _statsmodels(y: np.ndarray, x: np.ndarray) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Logit(y, np.column_stack([np.ones_like(x), x])).fit(disp=0)


@pytest.mark.parametrize("n", (10, 40, 157, 1000))
def test_logit_agrees_with_statsmodels(n: int) -> None:
    for seed in range(4):
        rng = np.random.default_rng(seed)
        x = np.log1p(rng.gamma(1.0, 5.0, size=n))
        y = (rng.random(n) < 1 / (1 + np.exp(-(0.5 - 0.6 * x)))).astype(float)
        if y.min() == y.max():
            continue
        ours, theirs = logit(y, x), _statsmodels(y, x)
        np.testing.assert_allclose(ours.params, theirs.params, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.bse, theirs.bse, rtol=1e-10)
        np.testing.assert_allclose(ours.pvalues, theirs.pvalues, rtol=1e-8, atol=1e-14)
        np.testing.assert_allclose(ours.conf_int(0.9), theirs.conf_int(alpha=0.1), rtol=1e-10)
        assert ours.converged == theirs.mle_retvals["converged"]


def test_logit_on_separated_data_ends_as_statsmodels() -> None:
    cases = [(np.array([0, 0, 0, 1, 1, 1.0]), np.array([1, 2, 3, 4, 5, 6.0])),  # complete
             (np.array([0, 0, 1, 0, 1, 1.0]), np.array([1, 2, 3, 3, 4, 5.0]))]  # quasi-complete
    for y, x in cases:
        try:
            theirs = _statsmodels(y, x)
        except np.linalg.LinAlgError:
            with pytest.raises(np.linalg.LinAlgError):
                logit(y, x)
            continue
        ours = logit(y, x)
        assert ours.converged == theirs.mle_retvals["converged"]
        np.testing.assert_allclose(ours.params, theirs.params, rtol=1e-6)
