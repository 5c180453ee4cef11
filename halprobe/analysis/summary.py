"""The per-stratum summary of a run, and the analysis tables the report shows.

``build_summary`` is what `halprobe eval` writes to summary.csv: the suite x bin rows of
``rates.summarise`` (same columns, same order) followed by, per row,
- monofact estimates sr, u, s1 (METRICS.md 3) from the items' frequency proxies, with
  lambda = kappa * c / (median proxy of the suite), so kappa = 1 means "the suite's median item
  was seen once in training" (``monofact.add_lambda``); controls (exists = false) have no
  proxy and get NaN;
- calibration of the answers' confidences (METRICS.md 4): ECE over 10 equal-width and 15
  equal-mass bins, Brier, AURC, E-AURC, AUROC, coverage at 5% risk, with how many answers had
  a confidence and where it came from ("none", and NaN figures, when none had one);
- on each suite's "all" row: Spearman and Pearson of HR with the sr estimate across bins, with
  bootstrap 95% CIs, and the item-level logistic slope of "hallucinated" on log(1 + lambda)
  (METRICS.md 6); on the overall "all" row, the logistic slope over every suite's items.
Rows labelled error or unscored are counted in n_error / n_unscored and enter no figure.

The bootstrap (METRICS.md 6: 10,000 draws, items resampled within bins) runs at the end of
every eval, so it must stay fast on large runs: see ``bootstrap_sums``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from halprobe.analysis.calibration import calibration_metrics, calibration_table
from halprobe.analysis.correlation import (
    _percentiles,
    _rowwise_pearson,
    bound_table,
    logistic_lambda,
    stratum_table,
)
from halprobe.analysis.monofact import (
    CORPUS_PROXY,
    DEFAULT_KAPPAS,
    KappaSpec,
    Scale,
    add_lambda,
    good_turing_mf,
    kappa_sensitivity,
    poisson_estimates,
)
from halprobe.analysis.rates import GRADED, summarise
from halprobe.analysis.sampling import MIS_BINS, SOURCE, has_samples, stratum_mis
from halprobe.analysis.stats import pearson, rankdata, spearman

N_RESAMPLES = 10_000
EXACT_MAX = 100  # bins with more items use the normal approximation in bootstrap_sums
MAX_RISK = 0.05
CONF_COL = "confidence"

MONOFACT_COLUMNS = ("kappa", "n_proxy", "mean_lambda", "monofact_sr", "monofact_u",
                    "monofact_s1", "proxy_source", "monofact_exact")
CALIBRATION_COLUMNS = ("n_confidence", "n_no_confidence", "confidence_source", "ece_width10",
                       "ece_mass15", "brier", "aurc", "e_aurc", "auroc", "coverage_at_5pct_risk")
CORRELATION_COLUMNS = ("spearman", "spearman_low", "spearman_high", "spearman_p", "pearson",
                       "pearson_low", "pearson_high", "pearson_p", "expected_sign",
                       "logit_coef", "logit_coef_low", "logit_coef_high", "logit_p")
SAMPLING_COLUMNS = ("samples_k", "n_sampling_confidence", "sampling_ece_width10",
                    "sampling_ece_mass15", "sampling_brier", "sampling_aurc", "sampling_e_aurc",
                    "sampling_auroc", "sampling_coverage_at_5pct_risk", "mis", "mis_n_items")


def graded_rows(responses: pd.DataFrame) -> pd.DataFrame:
    """Rows with a graded label (no error, no unscored), bins as strings like summarise's."""
    rows = responses[responses["label"].isin(GRADED)].copy()
    rows["bin"] = rows["bin"].astype(str)
    return rows


def with_lambda(rows: pd.DataFrame, kappa: KappaSpec = 1.0, scale: Scale = "suite_median"
                ) -> pd.DataFrame:
    """Rows with 'lambda' (METRICS.md 3); controls (exists = false) get none: they are no fact.

    ``scale="raw"`` takes the proxy as a count of documents (reference-corpus counts).
    """
    out = rows.copy()
    values = pd.to_numeric(out["popularity"], errors="coerce").astype(float) \
        if "popularity" in out else pd.Series(math.nan, index=out.index)
    if "exists" in out:
        values = values.where(out["exists"].astype("boolean").fillna(True).astype(bool))
    out["popularity"] = values
    if "proxy" not in out:
        out["proxy"] = None
    return add_lambda(out, kappa, scale)


def _proxy_suites(items: pd.DataFrame) -> pd.DataFrame:
    """Rows of the suites where some item has a proxy: the controls suite has none."""
    has_proxy = np.isfinite(pd.to_numeric(items["lambda"]).astype(float))
    return items[has_proxy.groupby(items["suite"]).transform("any")]


# --- monofact -------------------------------------------------------------------------------

def _monofact(group: pd.DataFrame) -> dict[str, object]:
    """Poisson estimates from lambda; the proxy names; exact N_1 / n on corpus counts."""
    lam = group["lambda"].to_numpy(dtype=float)
    finite = np.isfinite(lam)
    est = poisson_estimates(lam[finite], 1.0)
    names = group["proxy"][finite].dropna().astype(str).unique()
    exact = math.nan
    if len(names) == 1 and names[0] == CORPUS_PROXY:
        counts = pd.to_numeric(group["popularity"][finite]).astype(int)
        exact = good_turing_mf(counts.to_numpy())
    return {"n_proxy": int(finite.sum()),
            "mean_lambda": float(lam[finite].mean()) if finite.any() else math.nan,
            "monofact_sr": est.sr, "monofact_u": est.u, "monofact_s1": est.s1,
            "proxy_source": "+".join(sorted(names)) or "none", "monofact_exact": exact}


def _strata(rows: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """(suite, bin, rows) for every suite x bin, each suite's 'all', and the overall 'all'."""
    out: list[tuple[str, str, pd.DataFrame]] = []
    for suite, group in rows.groupby("suite", sort=True):
        out += [(str(suite), str(b), g) for b, g in group.groupby("bin", sort=True)]
        out.append((str(suite), "all", group))
    out.append(("all", "all", rows))
    return out


def monofact_columns(items: pd.DataFrame, kappa: KappaSpec) -> pd.DataFrame:
    """sr, u, s1 per stratum from the items' lambdas (section 3), keyed by suite and bin;
    ``proxy_source`` names the proxy, and on reference-corpus counts ``monofact_exact`` is
    MF = N_1 / n computed exactly (METRICS.md 2, 3): facts in one document / all mentions."""
    kappa_value = math.nan if not isinstance(kappa, float | int) else float(kappa)
    records = [{"suite": s, "bin": b, "kappa": kappa_value, **_monofact(g)}
               for s, b, g in _strata(items)]
    return pd.DataFrame.from_records(records)


# --- calibration ----------------------------------------------------------------------------

def calibration_columns(rows: pd.DataFrame) -> pd.DataFrame:
    """Section 4 figures per stratum over answered rows; strata with no answer get 'none'."""
    if CONF_COL not in rows:
        rows = rows.assign(**{CONF_COL: math.nan})
    rows = rows.assign(**{CONF_COL: pd.to_numeric(rows[CONF_COL], errors="coerce")})
    parts = [calibration_table(rows), calibration_table(rows, by=("suite",)).assign(bin="all")]
    answered = rows[rows["label"].isin(("correct", "hallucinated"))]
    sources = (answered.loc[answered[CONF_COL].notna(), "confidence_source"].dropna().unique()
               if "confidence_source" in answered else [])
    source = "+".join(sorted(str(s) for s in sources)) or "none"
    overall = calibration_metrics(answered[CONF_COL].astype(float),
                                  answered["label"] == "correct", source, MAX_RISK)
    parts.append(pd.DataFrame([{"suite": "all", "bin": "all", **overall}]))
    table = pd.concat([p for p in parts if len(p)], ignore_index=True)
    return table.rename(columns={"coverage_at_risk": "coverage_at_5pct_risk"})


# --- sampled answers (eval --samples K) -----------------------------------------------------

def _sampling_record(items: pd.DataFrame, rows: pd.DataFrame) -> dict[str, object]:
    answered = items[items["label"].isin(("correct", "hallucinated"))]
    conf = pd.to_numeric(answered.get("sampling_confidence"), errors="coerce")
    metrics = calibration_metrics(conf.astype(float), answered["label"] == "correct", SOURCE,
                                  MAX_RISK)
    record = {f"sampling_{k}": v for k, v in metrics.items()
              if k not in ("n_confidence", "n_no_confidence", "confidence_source")}
    record["sampling_coverage_at_5pct_risk"] = record.pop("sampling_coverage_at_risk")
    return {"n_sampling_confidence": metrics["n_confidence"], **record, **stratum_mis(rows)}


def sampling_columns(items: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """Per stratum: calibration of the sampling confidence (METRICS.md 4, source "sampling")
    over the answered items, and the generative Mis over every sampled item of a real fact
    (``sampling.stratum_mis``: whatever the greedy answer was). Empty without samples."""
    if not has_samples(responses):
        return pd.DataFrame(columns=["suite", "bin", *SAMPLING_COLUMNS])
    rows = responses.assign(bin=responses["bin"].astype(str))
    if "sampling_confidence" not in items:
        items = items.assign(sampling_confidence=math.nan)
    strata = {(s, b): g for s, b, g in _strata(rows)}
    records = [{"suite": s, "bin": b, **_sampling_record(g, strata.get((s, b), g.iloc[:0]))}
               for s, b, g in _strata(items)]
    return pd.DataFrame.from_records(records)


# --- correlation: a bootstrap fast enough for every eval ------------------------------------

def _item_stats(hallucinated: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Per item (rows): hallucinated, lambda e^-lambda and lambda (0 without a proxy)."""
    safe = np.where(np.isfinite(lam), lam, 0.0)
    return np.column_stack([hallucinated, safe * np.exp(-safe), safe])


def _normal_sums(stats: np.ndarray, counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sums of ``counts`` items drawn from ``stats`` (CLT): mean * c + sqrt(c) * N(0, cov)."""
    out = np.zeros((counts.size, stats.shape[1]))
    if not len(stats):
        return out
    cov = np.atleast_2d(np.cov(stats, rowvar=False, ddof=0))
    values, vectors = np.linalg.eigh(cov)
    root = vectors * np.sqrt(values.clip(min=0))
    noise = rng.standard_normal((counts.size, stats.shape[1])) @ root.T
    return counts[:, None] * stats.mean(axis=0) + np.sqrt(counts)[:, None] * noise


def bootstrap_sums(stats: np.ndarray, n_resamples: int, rng: np.random.Generator,
                   exact_max: int = EXACT_MAX) -> np.ndarray:
    """Column sums of ``n_resamples`` resamples of one bin's items (METRICS.md 6).

    A bin of up to ``exact_max`` items is resampled exactly: n items drawn with replacement,
    as multiplicities (bincount) times the item stats. A larger bin, where that would cost
    n x 10,000 draws, draws the number of hallucinated items exactly (binomial), and the sums
    of the other columns over that many hallucinated and over the other items from the
    normal approximation of a sum of resampled items (the group's mean and covariance; the
    CLT, close to exact from ~100 items on). Either way HR and the estimate of one draw come
    from the same items, as in ``correlation.hr_monofact_correlation``.
    """
    n = len(stats)
    if n <= exact_max:
        out = np.empty((n_resamples, stats.shape[1]))
        chunk = max(1, 2_000_000 // max(n, 1))
        for start in range(0, n_resamples, chunk):
            size = min(chunk, n_resamples - start)
            idx = rng.integers(0, n, size=(size, n)) + n * np.arange(size)[:, None]
            counts = np.bincount(idx.ravel(), minlength=size * n).reshape(size, n)
            out[start:start + size] = counts @ stats
        return out
    hallucinated = stats[:, 0] == 1
    k = rng.binomial(n, hallucinated.mean(), size=n_resamples).astype(float)
    sums = (_normal_sums(stats[hallucinated], k, rng)
            + _normal_sums(stats[~hallucinated], n - k, rng))
    sums[:, 0] = k
    return sums.clip(min=0)


def bin_draws(items: pd.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = 0
              ) -> dict[tuple[str, str], np.ndarray]:
    """Per suite x bin: (HR, sr) of each bootstrap draw, n_resamples x 2 (METRICS.md 6)."""
    rng = np.random.default_rng(seed)
    draws = {}
    for (suite, bin_), group in items.groupby(["suite", "bin"], sort=True):
        stats = _item_stats((group["label"] == "hallucinated").to_numpy(dtype=float),
                            pd.to_numeric(group["lambda"]).to_numpy(dtype=float))
        sums = bootstrap_sums(stats, n_resamples, rng)
        with np.errstate(invalid="ignore", divide="ignore"):
            sr = np.clip(sums[:, 1] / sums[:, 2], 0.0, 1.0)
        draws[(str(suite), str(bin_))] = np.column_stack([sums[:, 0] / len(group), sr])
    return draws


def bootstrap_correlation(draws: Sequence[np.ndarray], level: float = 0.95
                          ) -> dict[str, float | int]:
    """Percentile CIs of Spearman and Pearson of HR with sr across bins, from ``bin_draws``.

    Draws where a correlation is undefined (a constant column, or a bin resampled without
    any proxy) are left out and counted in ``n_boot_valid``.
    """
    stacked = np.stack(draws, axis=1)
    hr, est = stacked[..., 0], stacked[..., 1]
    ok = np.isfinite(est).all(axis=1)
    spearman = _rowwise_pearson(rankdata(est[ok]), rankdata(hr[ok]))
    pearson = _rowwise_pearson(est[ok], hr[ok])
    out: dict[str, float | int] = {"n_boot_valid": int(np.isfinite(spearman).sum())}
    for name, values in (("spearman", spearman), ("pearson", pearson)):
        out[f"{name}_low"], out[f"{name}_high"] = _percentiles(values, level)
    return out


NO_RANKS = {**{f"{m}{e}": math.nan for m in ("spearman", "pearson")
                for e in ("", "_low", "_high", "_p")}, "n_boot_valid": 0, "bootstrap": ""}


def _rank_record(table: pd.DataFrame, draws: dict[str, np.ndarray], n_resamples: int
                 ) -> dict[str, object]:
    """Spearman and Pearson across the bins of ``stratum_table`` with their bootstrap CIs."""
    x, y = table["monofact"].to_numpy(), table["hallucination_rate"].to_numpy()
    record: dict[str, object] = dict(NO_RANKS)
    record["spearman"], record["spearman_p"] = spearman(x, y)
    record["pearson"], record["pearson_p"] = pearson(x, y)
    chosen = [draws[b] for b in table["bin"] if b in draws]
    if len(chosen) >= 3:
        record.update(bootstrap_correlation(chosen))
        exact = table["n"].max() <= EXACT_MAX
        method = "exact" if exact else "normal approx"
        record["bootstrap"] = f"{n_resamples} draws, {method}" if record["n_boot_valid"] else ""
    return record


def _correlation_record(items: pd.DataFrame, draws: dict[str, np.ndarray] | None,
                        n_resamples: int) -> dict[str, object]:
    """Points as ``correlation.hr_monofact_correlation`` gives them, CIs, logistic slope.

    Bins whose items all lack a proxy have no estimate and are left out. Without ``draws``
    only the logistic slope is computed.
    """
    table = stratum_table(items, "sr")
    table = table[np.isfinite(table["monofact"])]
    record: dict[str, object] = {"n_bins": len(table), "n_items": int(table["n"].sum()),
                                 "estimate": "sr"}
    record.update(_rank_record(table, draws, n_resamples) if draws is not None else NO_RANKS)
    spearman = float(record["spearman"])  # type: ignore[arg-type]
    record["expected_sign"] = bool(spearman > 0) if np.isfinite(spearman) else None
    record.update({f"logit_{k}": v for k, v in _logistic(items).items()})
    return record


def _logistic(items: pd.DataFrame) -> dict[str, object]:
    """``correlation.logistic_lambda``, with no coefficients from a fit that cannot be trusted.

    All items hallucinated (or none) leaves nothing to fit; a fit that did not converge
    keeps its note but not its numbers.
    """
    fitted = items[np.isfinite(pd.to_numeric(items["lambda"]).astype(float))]
    outcome = fitted["label"] == "hallucinated"
    if len(fitted) and outcome.nunique() < 2:
        return {"n": len(fitted), "n_hallucinated": int(outcome.sum()), "coef": math.nan,
                "coef_low": math.nan, "coef_high": math.nan, "p": math.nan,
                "intercept": math.nan, "note": "no variation in outcome"}
    result = logistic_lambda(items)
    if result["note"]:
        result.update({k: math.nan for k in ("coef", "coef_low", "coef_high", "p", "intercept")})
    return result


def correlation_table(items: pd.DataFrame, n_resamples: int = N_RESAMPLES,
                      seed: int = 0) -> pd.DataFrame:
    """Per suite with proxies: correlations across its bins and the logistic slope; then an
    'all' row with the logistic slope over every item with a proxy (lambda is relative to
    each suite's median). Ranks are not pooled across suites: their proxies differ, and bins
    stuck at 0% or 100% would make a pooled bootstrap CI look far surer than it is. The 'all'
    row pools base suites only: a variant suite ``SUITE@...`` (targets, transforms, prompt
    forms: the same items asked again; after the cutoff: facts missing for their date, not
    their rarity) keeps its own row.
    """
    facts = _proxy_suites(items)
    draws = bin_draws(facts, n_resamples, seed)
    records = []
    for suite, group in facts.groupby("suite", sort=True):
        keyed = {b: v for (s, b), v in draws.items() if s == str(suite)}
        records.append({"suite": str(suite), **_correlation_record(group, keyed, n_resamples)})
    base = facts[~facts["suite"].astype(str).str.contains("@", regex=False)]
    if base["suite"].nunique() > 1:
        pooled = base.assign(bin=base["suite"].astype(str) + "/" + base["bin"], suite="all")
        records.append({"suite": "all", **_correlation_record(pooled, None, n_resamples)})
    return pd.DataFrame.from_records(records)


def _summary_correlation(correlation: pd.DataFrame) -> pd.DataFrame:
    if not len(correlation):
        return pd.DataFrame(columns=["suite", "bin", *CORRELATION_COLUMNS])
    return correlation.assign(bin="all")[["suite", "bin", *CORRELATION_COLUMNS]]


# --- the summary and the tables -------------------------------------------------------------

def _assemble(responses: pd.DataFrame, items: pd.DataFrame, correlation: pd.DataFrame,
              kappa: KappaSpec) -> pd.DataFrame:
    rates = summarise(responses.assign(bin=responses["bin"].astype(str)))
    keys = ["suite", "bin"]
    parts = [monofact_columns(items, kappa), calibration_columns(items),
             _summary_correlation(correlation), sampling_columns(items, responses)]
    summary = rates
    for part, columns in zip(parts, (MONOFACT_COLUMNS, CALIBRATION_COLUMNS,
                                     CORRELATION_COLUMNS, SAMPLING_COLUMNS), strict=True):
        summary = summary.merge(part.reindex(columns=[*keys, *columns]), on=keys, how="left")
    summary["confidence_source"] = summary["confidence_source"].fillna("none")
    summary["proxy_source"] = summary["proxy_source"].fillna("none")
    for column in ("n_confidence", "n_no_confidence", "n_proxy", "n_sampling_confidence",
                   "samples_k", "mis_n_items"):
        summary[column] = summary[column].fillna(0).astype(int)
    summary["kappa"] = float(kappa) if isinstance(kappa, float | int) else math.nan
    return summary


def build_summary(responses: pd.DataFrame, kappa: KappaSpec = 1.0,
                  scale: Scale = "suite_median") -> pd.DataFrame:
    """summary.csv: rates per suite x bin plus monofact, calibration and correlation columns.

    ``kappa`` scales the suite-median-normalised proxy into expected training occurrences
    (METRICS.md 3; a number, or a mapping proxy name -> kappa): 1 means the suite's median
    item was seen once. ``kappa_sensitivity`` in ``analysis_tables`` sweeps it. With
    ``scale="raw"`` (proxies that count documents, e.g. reference-corpus co-occurrences)
    lambda = kappa * c.
    """
    return analysis_tables(responses, kappa, scale)["summary"]


def analysis_tables(responses: pd.DataFrame, kappa: KappaSpec = 1.0,
                    scale: Scale = "suite_median", n_resamples: int = N_RESAMPLES
                    ) -> dict[str, pd.DataFrame]:
    """Everything the report shows: summary, correlation, bound and kappa sensitivity tables.

    - correlation: per suite (and 'all') Spearman/Pearson with CIs and the logistic slope;
    - bound: per stratum HR beside max(0, MF - miscalibration) (``correlation.bound_table``),
      MF the sr estimate (exact N_1 / n on reference-corpus counts); the miscalibration is
      the generative Mis where the run has samples (`eval --samples K`), else the stratum's
      answer ECE (10 equal-width bins) stands in, named in ``mis_source``; NaN where neither
      is known;
    - kappa_sensitivity: sr, u, s1 and HR per suite x bin for kappa in {.1, .3, 1, 3, 10}.
    """
    items = with_lambda(graded_rows(responses), kappa, scale)
    correlation = correlation_table(items, n_resamples)
    summary = _assemble(responses, items, correlation, kappa)
    return {"summary": summary, "correlation": correlation,
            "bound": bound(items, summary), "kappa_sensitivity": sensitivity(items, scale)}


ECE_STAND_IN = "ece_width10 (answer ECE; generative Mis not measured)"


def mis_choice(summary: pd.DataFrame) -> tuple[str, str]:
    """The summary column that stands for Mis in the bound, and its ``mis_source`` text:
    the generative Mis (METRICS.md 4) where the run has samples, else the answer ECE."""
    measured = summary["mis"] if "mis" in summary else pd.Series(dtype=float)
    if not np.isfinite(pd.to_numeric(measured, errors="coerce").astype(float)).any():
        return "ece_width10", ECE_STAND_IN
    k = summary.loc[summary["mis_n_items"] > 0, "samples_k"]
    fewest = int(k.min()) if len(k) else 0
    return "mis", (f"generative Mis (METRICS.md 4; >= {fewest} samples an item, "
                   f"{MIS_BINS} bins + g=0)")


def bound(items: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Kalai–Vempala bound estimate per stratum with proxies: the monofact estimate (sr; the
    exact N_1 / n on reference-corpus counts) minus the miscalibration of ``mis_choice``."""
    facts = _proxy_suites(items)
    if not len(facts):
        return pd.DataFrame()
    mis_col, mis_source = mis_choice(summary)
    strata = summary[summary["bin"] != "all"]
    mis = strata[["suite", "bin", mis_col, "confidence_source"]]
    exact = strata[["suite", "bin", "monofact_exact"]].rename(
        columns={"monofact_exact": "monofact"})
    table = bound_table(facts, mis, "sr", mis_col=mis_col, mis_source=mis_source,
                        estimates=exact)
    return table.merge(mis.drop(columns=mis_col), on=["suite", "bin"], how="left")


def sensitivity(items: pd.DataFrame, scale: Scale = "suite_median",
                kappas: Sequence[float] = DEFAULT_KAPPAS) -> pd.DataFrame:
    """monofact.kappa_sensitivity beside each stratum's measured HR (controls left out)."""
    facts = _proxy_suites(items)
    if not len(facts):
        return pd.DataFrame()
    table = kappa_sensitivity(facts.drop(columns="lambda"), kappas, scale=scale)
    hr = stratum_table(facts, "sr")[["suite", "bin", "hallucination_rate"]]
    return table.merge(hr, on=["suite", "bin"], how="left")
