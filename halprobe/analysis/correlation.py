"""Does the hallucination rate track training frequency? (docs/metrics.md sections 3 and 6).

A frequency proxy only RANKS items (docs/metrics.md 3), so without an anchor these are rank
statistics, on item rows with columns suite, bin, label and popularity (the proxy c):
- across bins: Spearman of the per-bin hallucination rate (HR) with the bin's rank (bins are
  proxy quantiles, 0 the rarest; a suite with several proxies cuts each at its own edges, so
  the bin, not a median of mixed units, is the common rank), with a percentile bootstrap CI
  from resampling items within bins; the theory predicts a NEGATIVE rho;
- per item: the logistic regression of "hallucinated" on log(1 + c), with one intercept per
  suite and proxy (their base rates and units differ); a group whose items are all
  hallucinated (or none) says nothing about the slope once it has its own intercept, and is
  left out; the theory predicts a negative slope.
A level (the Kalai–Vempala bound, HR beside a monofact rate) needs an anchor
(``analysis.anchor``), samples for Mis and sampled HR, and arbitrary facts: ``bound_table``.
HR counts graded rows only, as in ``rates``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from halprobe.analysis.rates import GRADED, wilson
from halprobe.analysis.stats import N_RESAMPLES, logit, rankdata, spearman


def _graded(items: pd.DataFrame) -> pd.DataFrame:
    rows = items[items["label"].isin(GRADED)].copy()
    rows["hallucinated"] = (rows["label"] == "hallucinated").astype(float)
    rows["popularity"] = pd.to_numeric(rows["popularity"], errors="coerce").astype(float)
    return rows


def stratum_table(items: pd.DataFrame) -> pd.DataFrame:
    """Per suite x bin: graded items, HR with its Wilson CI, and the bin's median proxy."""
    records = []
    for (suite, bin_), group in _graded(items).groupby(["suite", "bin"], sort=True):
        k, n = int(group["hallucinated"].sum()), len(group)
        low, high = wilson(k, n)
        proxy = group["popularity"].to_numpy()
        finite = np.isfinite(proxy)
        records.append({"suite": suite, "bin": bin_, "rank": _bin_rank(bin_), "n": n,
                        "n_proxy": int(finite.sum()),
                        "hallucination_rate": k / n, "hr_low": low, "hr_high": high,
                        "proxy_median": float(np.median(proxy[finite])) if finite.any()
                        else math.nan})
    return pd.DataFrame.from_records(records)


def _bin_rank(bin_: object) -> float:
    try:
        return float(str(bin_))
    except ValueError:
        return math.nan


def rowwise_spearman(x: np.ndarray, hr: np.ndarray) -> np.ndarray:
    """Spearman of fixed ``x`` with each row of ``hr`` (draws x bins); NaN for a tie-only row."""
    rx = rankdata(np.broadcast_to(x, hr.shape))
    ry = rankdata(hr)
    xc, yc = rx - rx.mean(axis=1, keepdims=True), ry - ry.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (xc * yc).sum(axis=1) / np.sqrt((xc**2).sum(axis=1) * (yc**2).sum(axis=1))


def percentiles(values: np.ndarray, level: float) -> tuple[float, float]:
    values = values[np.isfinite(values)]
    if not values.size:
        return math.nan, math.nan
    tail = 100 * (1 - level) / 2
    return float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))


def hr_draws(bins: Sequence[pd.DataFrame], n_resamples: int, seed: int) -> np.ndarray:
    """Bootstrap HR per bin (draws x bins), resampling items within each bin (docs/metrics.md 6)."""
    rng = np.random.default_rng(seed)
    out = np.empty((n_resamples, len(bins)))
    for b, group in enumerate(bins):
        k, n = int(group["hallucinated"].sum()), len(group)
        out[:, b] = rng.binomial(n, k / n, size=n_resamples) / n
    return out


def hr_proxy_correlation(items: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = 0,
                         level: float = 0.95) -> pd.DataFrame:
    """Per suite: Spearman of per-bin HR with the bin's median proxy, bootstrap CI (sec. 3).

    Resampling a bin's items with replacement draws its hallucinated count from
    Binomial(n, HR): exact, and cheap. Draws where rho is undefined (HR constant) are left
    out and counted in ``n_boot_valid``. Fewer than 3 bins with a proxy gives NaN.
    ``expected_sign``: rho < 0, as the theory predicts.
    """
    records = []
    rows = _graded(items)
    for suite, group in rows[np.isfinite(rows["popularity"])].groupby("suite", sort=True):
        table = stratum_table(group)
        bins = [g for _, g in group.groupby("bin", sort=True)]
        x = table["rank"] if table["rank"].notna().all() else table["proxy_median"]
        rho, p = spearman(x.to_numpy(), table["hallucination_rate"].to_numpy())
        record: dict[str, object] = {"suite": suite, "n_bins": len(bins),
                                     "n_items": len(group), "spearman": rho, "spearman_p": p,
                                     "spearman_low": math.nan, "spearman_high": math.nan,
                                     "n_boot_valid": 0}
        if len(bins) >= 3:
            draws = rowwise_spearman(x.to_numpy(),
                                     hr_draws(bins, n_resamples, seed))
            record["spearman_low"], record["spearman_high"] = percentiles(draws, level)
            record["n_boot_valid"] = int(np.isfinite(draws).sum())
        record["expected_sign"] = bool(rho < 0) if np.isfinite(rho) else None
        records.append(record)
    return pd.DataFrame.from_records(records)


def _groups(rows: pd.DataFrame) -> pd.Series:
    proxy = rows["proxy"].fillna("").astype(str) if "proxy" in rows else ""
    return rows["suite"].astype(str) + "/" + proxy


def _group_columns(groups: pd.Series) -> np.ndarray | None:
    """One indicator column per group but the first: an intercept per suite and proxy."""
    names = sorted(groups.unique())
    if len(names) < 2:
        return None
    return np.column_stack([(groups == name).to_numpy(float) for name in names[1:]])


def logistic_proxy(items: pd.DataFrame, level: float = 0.95) -> dict[str, object]:
    """Logit P(hallucinated) = a_suite + b log(1 + c) over graded items with a proxy (sec. 3).

    One intercept per suite and proxy (groups without variation left out). Returns b with
    its Wald CI and p-value (``stats.logit``, statsmodels' Logit step for step). The theory
    predicts b < 0. NaNs with a ``note`` when the fit is impossible (no variation).
    """
    rows = _graded(items)
    rows = rows[np.isfinite(rows["popularity"]) & (rows["popularity"] >= 0)]
    groups = _groups(rows)
    varied = rows["hallucinated"].groupby(groups).transform("nunique") > 1
    if varied.any():
        rows, groups = rows[varied], groups[varied]
    y, x = rows["hallucinated"].to_numpy(), np.log1p(rows["popularity"].to_numpy())
    out: dict[str, object] = {"n": len(rows), "n_hallucinated": int(y.sum()), "coef": math.nan,
                              "coef_low": math.nan, "coef_high": math.nan, "p": math.nan,
                              "intercept": math.nan,
                              "n_groups": int(groups.nunique()), "note": ""}
    if len(rows) < 3 or y.min() == y.max() or np.ptp(x) == 0:
        out["note"] = "no variation in outcome or in the proxy"
        return out
    try:
        fit = logit(y, x, extra=_group_columns(groups))
    except np.linalg.LinAlgError as exc:
        out["note"] = f"fit failed: {exc}"
        return out
    low, high = fit.conf_int(level)[1]
    out.update({"coef": float(fit.params[1]), "coef_low": float(low), "coef_high": float(high),
                "p": float(fit.pvalues[1]), "intercept": float(fit.params[0]),
                "note": "" if fit.converged else "did not converge"})
    return out


def bound_table(strata: pd.DataFrame) -> pd.DataFrame:
    """Kalai–Vempala bound estimate per stratum, only where it means something
    (docs/metrics.md 2-4).

    ``strata`` (summary rows of suite x bin) needs fact_kind, anchor, monofact_exact,
    monofact_sr, mis and sampled_hr. A row enters only where the facts are arbitrary, the
    proxy is anchored (a level exists), and the run sampled answers (Mis and the
    temperature-1 HR exist): answer ECE is never a stand-in for Mis. bound = max(0, MF - Mis)
    with MF the exact N_1 / n where every item is counted, else the anchored sr; the
    finite-sample terms of the theorem are left out, so it is an estimate, not a guarantee.
    """
    need = ("fact_kind", "monofact_sr", "monofact_exact", "mis", "sampled_hr", "anchor")
    if not len(strata) or any(c not in strata for c in need):
        return pd.DataFrame()
    mis = pd.to_numeric(strata["mis"], errors="coerce")
    exact = pd.to_numeric(strata["monofact_exact"], errors="coerce")
    level = exact.where(exact.notna(), pd.to_numeric(strata["monofact_sr"], errors="coerce"))
    keep = (strata["fact_kind"] == "arbitrary") & mis.notna() & level.notna() \
        & pd.to_numeric(strata["sampled_hr"], errors="coerce").notna()
    columns = ["suite", "bin", "n", "anchor", "sampled_hr", "hallucination_rate", "mis",
               "mis_low", "mis_high", "mis_n_items", "samples_k"]
    table = strata.loc[keep, [c for c in columns if c in strata]].copy()
    table["monofact"] = level[keep]
    table["monofact_source"] = np.where(exact[keep].notna(), "exact N_1/n (every item counted)",
                                        "anchored sr")
    table["bound"] = (table["monofact"] - table["mis"]).clip(lower=0)
    if "mis_high" in table:  # the bound's interval from Mis's (the level taken as known)
        table["bound_low"] = (table["monofact"] - table["mis_high"]).clip(lower=0)
        table["bound_high"] = (table["monofact"] - table["mis_low"]).clip(lower=0)
    table["sampled_hr_ge_bound"] = table["sampled_hr"] >= table["bound"]
    return table.reset_index(drop=True)
