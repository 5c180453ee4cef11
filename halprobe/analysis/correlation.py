"""Does the hallucination rate track the monofact estimate? (METRICS.md section 6).

Three views on item rows with columns suite, bin, label and lambda (expected training
occurrences, from ``monofact.add_lambda``):
- across bins: Spearman and Pearson of the per-bin hallucination rate (HR) with the per-bin
  monofact estimate, with percentile bootstrap CIs from resampling items within bins;
- per item: the logistic regression of "hallucinated" on log(1 + lambda) (the primary test;
  the theory predicts a negative slope, i.e. rarer facts are hallucinated more);
- per stratum: HR beside the Kalai–Vempala lower bound estimate, max(0, MF - Mis).
HR counts graded rows only (correct, hallucinated, abstained, vague), as in ``rates``; rows
without a proxy count in HR but not in the estimate. Which items (e.g. controls) enter is the
caller's choice.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from halprobe.analysis.rates import GRADED, wilson
from halprobe.analysis.stats import logit, pearson, rankdata, spearman

Estimate = Literal["sr", "u", "s1"]


def _graded(items: pd.DataFrame) -> pd.DataFrame:
    rows = items[items["label"].isin(GRADED)].copy()
    rows["hallucinated"] = (rows["label"] == "hallucinated").astype(float)
    rows["lambda"] = pd.to_numeric(rows["lambda"], errors="coerce").astype(float)
    return rows


def _estimate(lam: np.ndarray, estimate: Estimate) -> np.ndarray:
    """Section 3's sr, u or s1 along the last axis; NaN lambdas (no proxy) are ignored."""
    singles = lam * np.exp(-lam)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if estimate == "sr":
            return np.nansum(singles, axis=-1) / np.nansum(lam, axis=-1)
        if estimate == "u":
            return np.nanmean(np.exp(-lam), axis=-1)
        if estimate == "s1":
            return np.nanmean(singles, axis=-1)
    raise ValueError(f"unknown monofact estimate {estimate!r}: use 'sr', 'u' or 's1'")


def stratum_table(items: pd.DataFrame, estimate: Estimate = "sr") -> pd.DataFrame:
    """Per suite x bin: graded items, HR with its Wilson CI, and the monofact estimate."""
    records = []
    for (suite, bin_), group in _graded(items).groupby(["suite", "bin"], sort=True):
        k, n = int(group["hallucinated"].sum()), len(group)
        low, high = wilson(k, n)
        lam = group["lambda"].to_numpy()
        records.append({"suite": suite, "bin": bin_, "n": n, "n_proxy": int(np.isfinite(lam).sum()),
                        "hallucination_rate": k / n, "hr_low": low, "hr_high": high,
                        "monofact": float(_estimate(lam, estimate))})
    return pd.DataFrame.from_records(records)


def _rowwise_pearson(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    xc, yc = x - x.mean(axis=1, keepdims=True), y - y.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (xc * yc).sum(axis=1) / np.sqrt((xc**2).sum(axis=1) * (yc**2).sum(axis=1))


def _boot_draws(bins: Sequence[pd.DataFrame], estimate: Estimate, n_resamples: int,
                seed: int, chunk: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap HR and estimate per bin (draws x bins), resampling items within each bin."""
    rng = np.random.default_rng(seed)
    hr, est = np.empty((n_resamples, len(bins))), np.empty((n_resamples, len(bins)))
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        for b, group in enumerate(bins):
            hallucinated, lam = group["hallucinated"].to_numpy(), group["lambda"].to_numpy()
            idx = rng.integers(0, len(group), size=(size, len(group)))
            hr[start:start + size, b] = hallucinated[idx].mean(axis=1)
            est[start:start + size, b] = _estimate(lam[idx], estimate)
    return hr, est


def _percentiles(values: np.ndarray, level: float) -> tuple[float, float]:
    values = values[np.isfinite(values)]
    if not values.size:
        return math.nan, math.nan
    tail = 100 * (1 - level) / 2
    return float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))


def hr_monofact_correlation(items: pd.DataFrame, estimate: Estimate = "sr",
                            n_resamples: int = 10_000, seed: int = 0,
                            confidence_level: float = 0.95) -> pd.DataFrame:
    """Per suite: Spearman and Pearson of per-bin HR with the monofact estimate (section 6).

    CIs are bootstrap percentiles over ``n_resamples`` draws that resample items within each
    bin (seeded). Draws where a correlation is undefined (a constant column) are left out
    and counted in ``n_boot_valid``. Fewer than 3 bins gives NaN. ``expected_sign`` says
    whether Spearman is positive, as the theory predicts.
    """
    records = []
    for suite, rows in _graded(items).groupby("suite", sort=True):
        bins = [group for _, group in rows.groupby("bin", sort=True)]
        table = stratum_table(rows, estimate)
        x, y = table["monofact"].to_numpy(), table["hallucination_rate"].to_numpy()
        record: dict[str, object] = {"suite": suite, "n_bins": len(bins), "n_items": len(rows),
                                     "estimate": estimate}
        rho, rho_p = spearman(x, y)
        r, r_p = pearson(x, y)
        hr, est = (_boot_draws(bins, estimate, n_resamples, seed) if len(bins) >= 3
                   else (np.full((1, len(bins)), np.nan),) * 2)
        boot_pearson = _rowwise_pearson(est, hr)
        boot_spearman = _rowwise_pearson(rankdata(est), rankdata(hr))
        for name, value, p, draws in (("spearman", rho, rho_p, boot_spearman),
                                      ("pearson", r, r_p, boot_pearson)):
            low, high = _percentiles(draws, confidence_level)
            record.update({name: value, f"{name}_low": low, f"{name}_high": high,
                           f"{name}_p": p})
        record["n_boot_valid"] = int(np.isfinite(boot_spearman).sum())
        record["expected_sign"] = bool(rho > 0) if np.isfinite(rho) else None
        records.append(record)
    return pd.DataFrame.from_records(records)


def logistic_lambda(items: pd.DataFrame, level: float = 0.95) -> dict[str, object]:
    """Logit P(hallucinated) = a + b log(1 + lambda) over graded items with a proxy (section 6).

    Returns b with its Wald CI and p-value (``stats.logit``, statsmodels' Logit step for step).
    The theory predicts b < 0.
    NaNs with a ``note`` when the fit is impossible (no variation, perfect separation).
    """
    rows = _graded(items)
    rows = rows[np.isfinite(rows["lambda"]) & (rows["lambda"] >= 0)]
    y, x = rows["hallucinated"].to_numpy(), np.log1p(rows["lambda"].to_numpy())
    out: dict[str, object] = {"n": len(rows), "n_hallucinated": int(y.sum()), "coef": math.nan,
                              "coef_low": math.nan, "coef_high": math.nan, "p": math.nan,
                              "intercept": math.nan, "note": ""}
    if len(rows) < 3 or y.min() == y.max() or np.ptp(x) == 0:
        out["note"] = "no variation in outcome or in lambda"
        return out
    try:
        fit = logit(y, x)
    except np.linalg.LinAlgError as exc:
        out["note"] = f"fit failed: {exc}"
        return out
    low, high = fit.conf_int(level)[1]
    out.update({"coef": float(fit.params[1]), "coef_low": float(low), "coef_high": float(high),
                "p": float(fit.pvalues[1]), "intercept": float(fit.params[0]),
                "note": "" if fit.converged else "did not converge"})
    return out


def logistic_table(items: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """``logistic_lambda`` per suite, plus an 'all' row over every suite."""
    records = [{"suite": suite, **logistic_lambda(rows, level)}
               for suite, rows in items.groupby("suite", sort=True)]
    records.append({"suite": "all", **logistic_lambda(items, level)})
    return pd.DataFrame.from_records(records)


def bound_table(items: pd.DataFrame, miscalibration: pd.DataFrame | None,
                estimate: Estimate = "sr", mis_col: str = "mis",
                mis_source: str = "generative",
                estimates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per stratum: HR beside the Kalai–Vempala lower bound estimate (METRICS.md 2 and 6).

    bound = max(0, monofact estimate - miscalibration), with the miscalibration per suite x
    bin taken from ``miscalibration[mis_col]`` (its kind named by ``mis_source``). The
    finite-sample terms of the theorem (3|F|/(delta |H|), sqrt(6 ln(6/delta)/n)) are left out,
    so this is an estimate, not a guarantee. Where no miscalibration is known the bound is
    NaN (treating it as 0 would overstate the bound). ``hr_ge_bound`` compares point values;
    ``hr_high_ge_bound`` asks only that the bound lie below the top of HR's Wilson CI.
    ``estimates`` (suite, bin, monofact) replaces the estimate where it is finite (the exact
    N_1 / n of reference-corpus counts); ``monofact_source`` says which one each row used.
    """
    table = stratum_table(items, estimate)
    table["monofact_source"] = estimate
    if estimates is not None and len(estimates):
        given = estimates.rename(columns={"monofact": "_given"})[["suite", "bin", "_given"]]
        table = table.merge(given, on=["suite", "bin"], how="left")
        use = np.isfinite(pd.to_numeric(table["_given"]).astype(float))
        table.loc[use, "monofact"] = table.loc[use, "_given"]
        table.loc[use, "monofact_source"] = "exact N_1/n (reference corpus)"
        table = table.drop(columns="_given")
    if miscalibration is not None and len(miscalibration):
        mis = miscalibration[["suite", "bin", mis_col]].rename(columns={mis_col: "mis"})
        table = table.merge(mis, on=["suite", "bin"], how="left")
    else:
        table["mis"] = math.nan
    table["mis_source"] = mis_source
    table["bound"] = (table["monofact"] - table["mis"]).clip(lower=0)
    known = table["bound"].notna()
    table["hr_ge_bound"] = (table["hallucination_rate"] >= table["bound"]).where(known)
    table["hr_high_ge_bound"] = (table["hr_high"] >= table["bound"]).where(known)
    return table
