"""Ranks, Pearson and Spearman with their p-values, and a one-predictor logistic regression.

Why not scipy.stats and statsmodels: importing scipy.stats takes about 0.8 s (statsmodels'
Logit imports it too), paid by every `halprobe eval` for a few formulas, against a target of
under 5% of a default run outside the model (docs/performance.md). scipy.special (0.2 s) gives the
distribution functions. The tests check every function here against scipy.stats and statsmodels;
``regression`` (the `check` command only) still uses them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import betaincc, ndtri, stdtr

# bootstrap resamples behind every interval halprobe reports (docs/metrics.md 6)
N_RESAMPLES = 10_000


def rankdata(values: np.ndarray) -> np.ndarray:
    """Average ranks (ties share their mean rank, from 1) along the last axis.

    As scipy.stats.rankdata(values, axis=-1): a row (or 1-D array) holding a NaN is all NaN.
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return x.copy()
    order = np.argsort(x, axis=-1, kind="mergesort")
    ordered = np.take_along_axis(x, order, axis=-1)
    starts = np.ones(x.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    first = np.flatnonzero(starts)
    counts = np.diff(first, append=x.size)
    position = np.broadcast_to(np.arange(1, x.shape[-1] + 1, dtype=float), x.shape)
    averaged = np.repeat(position[starts] + (counts - 1) / 2, counts).reshape(x.shape)
    ranks = np.empty_like(averaged)
    np.put_along_axis(ranks, order, averaged, axis=-1)
    ranks[np.isnan(x).any(axis=-1)] = np.nan
    return ranks


def _defined(x: np.ndarray, y: np.ndarray) -> bool:
    """A correlation needs 3 pairs and both columns varying (2 points always give +-1)."""
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError("x and y must be 1-D arrays of the same length")
    return x.size >= 3 and bool(np.ptp(x) > 0) and bool(np.ptp(y) > 0)


def pearson(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Pearson's r and its two-sided p-value; NaN, NaN when undefined (see ``_defined``).

    The p-value is scipy.stats.pearsonr's: r under the null is Beta(n/2 - 1, n/2 - 1) on (-1, 1).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if not _defined(x, y):
        return math.nan, math.nan
    xm, ym = x - x.mean(), y - y.mean()
    xm, ym = xm / np.abs(xm).max(), ym / np.abs(ym).max()  # as scipy: scaled against overflow
    r = float(np.clip(np.dot(xm / np.linalg.norm(xm), ym / np.linalg.norm(ym)), -1.0, 1.0))
    a = x.size / 2 - 1
    return r, float(min(1.0, 2 * betaincc(a, a, (abs(r) + 1) / 2)))


def spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Spearman's rho (Pearson of average ranks) and its two-sided p-value from Student's t with
    n - 2 degrees of freedom, as scipy.stats.spearmanr; NaN, NaN when undefined."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if not _defined(x, y):
        return math.nan, math.nan
    rho = float(np.corrcoef(rankdata(x), rankdata(y))[0, 1])
    dof = x.size - 2
    t = math.inf if abs(rho) >= 1 else rho * math.sqrt(max(dof / ((rho + 1) * (1 - rho)), 0.0))
    return rho, float(min(1.0, 2 * stdtr(dof, -abs(t))))


@dataclass(frozen=True)
class LogitFit:
    """Intercept and slope with their Wald standard errors; ``converged`` as statsmodels."""

    params: np.ndarray
    bse: np.ndarray
    converged: bool

    def conf_int(self, level: float = 0.95) -> np.ndarray:
        """Wald intervals, one row (low, high) per parameter."""
        z = float(ndtri(1 - (1 - level) / 2))
        return np.column_stack([self.params - z * self.bse, self.params + z * self.bse])

    @property
    def pvalues(self) -> np.ndarray:
        """Two-sided Wald p-values, normal reference: erfc(|z| / sqrt 2)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.abs(self.params / self.bse)
        return np.array([math.erfc(value / math.sqrt(2)) for value in z])


def logit(y: np.ndarray, x: np.ndarray, maxiter: int = 35, tol: float = 1e-8,
          extra: np.ndarray | None = None) -> LogitFit:
    """Logistic regression of 0/1 ``y`` on an intercept and ``x`` by Newton-Raphson.

    ``extra`` (n x m) adds columns after x: one indicator per suite but the first gives each
    pooled suite its own intercept (docs/metrics.md 3). params[0] is the intercept, params[1]
    the slope of x.

    statsmodels' Logit(y, [1, x]).fit() step for step (start at 0, Hessian ridged by 1e-10,
    stop when no parameter moves more than ``tol``, at most ``maxiter`` steps; the covariance is
    the inverse Hessian), so separated data end as it does: not converged, or a singular Hessian
    raising numpy.linalg.LinAlgError.
    """
    y, x = np.asarray(y, dtype=float), np.asarray(x, dtype=float)
    design = np.column_stack([np.ones_like(x), x, *([] if extra is None else [extra])])
    n, width = y.size, design.shape[1]

    def fitted(params: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return 1 / (1 + np.exp(-(design @ params)))

    def hessian(params: np.ndarray) -> np.ndarray:  # of the mean negative log-likelihood
        p = fitted(params)
        return np.dot(p * (1 - p) * design.T, design) / n

    params, previous, steps = np.zeros(width), np.full(width, np.inf), 0
    while steps < maxiter and np.any(np.abs(params - previous) > tol):
        ridged = hessian(params) + 1e-10 * np.eye(width)
        previous = params
        params = previous - np.linalg.solve(ridged, -np.dot(y - fitted(previous), design) / n)
        steps += 1
    cov = np.linalg.inv(hessian(params)) / n
    with np.errstate(invalid="ignore"):
        bse = np.sqrt(np.diag(cov))
    return LogitFit(params=params, bse=bse, converged=steps < maxiter)


# --- bootstrap ----------------------------------------------------------------------------

def resample_means(values: np.ndarray, n_resamples: int = N_RESAMPLES,
                   rng: np.random.Generator | None = None) -> np.ndarray:
    """Means of ``n_resamples`` bootstrap resamples of the rows of ``values`` (n x K, or n).

    Resampling n rows with replacement is drawing multinomial counts over the distinct rows,
    so this is exact and costs O(distinct rows) per draw: scores take few values.
    """
    rng = rng or np.random.default_rng(0)
    matrix = np.asarray(values, dtype=float)
    flat = matrix.ndim == 1
    matrix = matrix.reshape(len(matrix), -1)
    if not len(matrix):
        return np.full((n_resamples, matrix.shape[1]), math.nan)
    rows, counts = np.unique(matrix, axis=0, return_counts=True)
    draws = rng.multinomial(len(matrix), counts / counts.sum(), size=n_resamples)
    means = draws @ rows / len(matrix)
    return means[:, 0] if flat else means


def mean_ci(values: np.ndarray, level: float = 0.95, n_resamples: int = N_RESAMPLES,
            seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of a mean (docs/metrics.md 6)."""
    if not len(values):
        return (math.nan, math.nan)
    means = resample_means(np.asarray(values), n_resamples, np.random.default_rng(seed))
    tail = 100 * (1 - level) / 2
    return float(np.percentile(means, tail)), float(np.percentile(means, 100 - tail))


def half_l1_basic_interval(rows: np.ndarray, level: float = 0.95, n_resamples: int = 2000,
                           seed: int = 0) -> tuple[float, float]:
    """Basic bootstrap interval of 1/2 sum_B |mean of the rows| (Mis, docs/metrics.md 4, 6):
    rows resampled as multinomial weightings; the basic interval (2 x estimate - upper
    percentile, 2 x estimate - lower percentile, clipped at 0) because an absolute value's
    resampling noise only adds to it."""
    n = len(rows)
    draws = np.random.default_rng(seed).multinomial(n, np.full(n, 1 / n), size=n_resamples)
    values = 0.5 * np.abs(draws @ rows / n).sum(axis=1)
    point = 0.5 * float(np.abs(rows.mean(axis=0)).sum())
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(values, [tail, 100 - tail])
    return max(0.0, 2 * point - float(high)), max(0.0, 2 * point - float(low))
