"""The per-stratum summary of a run, and the analysis tables the report shows.

``build_summary`` is what `halprobe eval` writes to summary.csv: the suite x bin rows of
``rates.summarise`` (same columns, same order) followed by, per row,
- the suite's ``fact_kind`` (suite.yaml: arbitrary or systematic; docs/metrics.md 3);
- the anchor (docs/metrics.md 3, ``analysis.anchor``): without exact counts (`--reference-corpus`)
  ``anchor`` says "none: proxy ranks only" and every level column (kappa, monofact_*) is
  empty, since a proxy only ranks items; with counts, kappa = sum n_i / sum c_i per suite
  and proxy with its bootstrap CI, the anchored sr, u, s1, and MF = N_1 / n exactly where
  every item of the row was counted; controls (exists = false) have no proxy;
- calibration of the answers' confidences (docs/metrics.md 4): ECE over 10 equal-width and 15
  equal-mass bins, Brier, AURC, E-AURC, AUROC, coverage at 5% risk, with how many answers had
  a confidence and where it came from ("none", and NaN figures, when none had one);
- on each suite's "all" row, rank statistics only (``rank_basis``): Spearman of HR with the
  bins' median proxy with a bootstrap 95% CI, and the item-level logistic slope of
  "hallucinated" on log(1 + proxy); on the overall "all" row the pooled slope, one intercept
  per suite;
- with `--samples K`: sampling calibration, the generative Mis and the temperature-1 HR.
The overall "all" row counts factual items only: controls (no true answer) are their own
suite, reported apart. Rows labelled error or unscored enter no figure.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from halprobe.analysis import anchor
from halprobe.analysis.calibration import calibration_metrics, calibration_table
from halprobe.analysis.correlation import bound_table, hr_proxy_correlation, logistic_proxy
from halprobe.analysis.rates import GRADED, summarise
from halprobe.analysis.sampling import SOURCE, has_samples, stratum_mis
from halprobe.analysis.stats import N_RESAMPLES
from halprobe.suites.spec import DEFAULT_FACT_KIND  # no level compared unless a suite says

MAX_RISK = 0.05
CONF_COL = "confidence"

MONOFACT_COLUMNS = ("fact_kind", "anchor", "kappa", "kappa_low", "kappa_high", "n_anchor",
                    "n_proxy", "mean_lambda", "monofact_sr", "monofact_u", "monofact_s1",
                    "monofact_exact", "proxy_source")
CALIBRATION_COLUMNS = ("n_confidence", "n_no_confidence", "confidence_source", "ece_width10",
                       "ece_mass15", "brier", "aurc", "e_aurc", "auroc", "coverage_at_5pct_risk")
CORRELATION_COLUMNS = ("rank_basis", "spearman", "spearman_low", "spearman_high",
                       "spearman_p", "expected_sign", "logit_coef", "logit_coef_low",
                       "logit_coef_high", "logit_p")
SAMPLING_COLUMNS = ("samples_k", "n_sampling_confidence", "sampling_ece_width10",
                    "sampling_ece_mass15", "sampling_brier", "sampling_aurc", "sampling_e_aurc",
                    "sampling_auroc", "sampling_coverage_at_5pct_risk", "mis", "mis_low",
                    "mis_high", "mis_n_items", "mis_source", "sampled_hr")


def graded_rows(responses: pd.DataFrame) -> pd.DataFrame:
    """Rows with a graded label (no error, no unscored), bins as strings like summarise's."""
    rows = responses[responses["label"].isin(GRADED)].copy()
    rows["bin"] = rows["bin"].astype(str)
    return rows


def factual(rows: pd.DataFrame) -> pd.Series:
    """True for rows of real facts; controls (exists = false) state no fact."""
    if "exists" not in rows:
        return pd.Series(True, index=rows.index)
    return rows["exists"].astype("boolean").fillna(True).astype(bool)


def prepare(rows: pd.DataFrame, n_resamples: int = N_RESAMPLES
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows with fact_kind, the proxy (none for controls) and the anchored 'lambda' (NaN
    without an anchor, docs/metrics.md 3); and the kappa table (``anchor.kappa_table``)."""
    out = rows.copy()
    kinds = out["fact_kind"] if "fact_kind" in out else pd.Series(None, index=out.index)
    out["fact_kind"] = kinds.where(kinds.notna(), DEFAULT_FACT_KIND).astype(str)
    values = pd.to_numeric(out["popularity"], errors="coerce").astype(float) \
        if "popularity" in out else pd.Series(math.nan, index=out.index)
    out["popularity"] = values.where(factual(out))
    if "proxy" not in out:
        out["proxy"] = None
    kappas = anchor.kappa_table(out, n_resamples)
    return anchor.with_anchored_lambda(out, kappas), kappas


def _proxy_suites(items: pd.DataFrame) -> pd.DataFrame:
    """Rows of the suites where some item has a proxy: the controls suite has none."""
    has_proxy = np.isfinite(pd.to_numeric(items["popularity"]).astype(float))
    return items[has_proxy.groupby(items["suite"]).transform("any")]


# --- monofact -------------------------------------------------------------------------------

def _strata(rows: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """(suite, bin, rows) for every suite x bin, each suite's 'all', and the overall 'all'
    (factual rows only: controls are reported apart)."""
    out: list[tuple[str, str, pd.DataFrame]] = []
    for suite, group in rows.groupby("suite", sort=True):
        out += [(str(suite), str(b), g) for b, g in group.groupby("bin", sort=True)]
        out.append((str(suite), "all", group))
    out.append(("all", "all", rows[factual(rows)]))
    return out


def _kappa_of(kappas: pd.DataFrame, group: pd.DataFrame) -> dict[str, object]:
    """kappa, CI and anchor items of the one (suite, proxy) a stratum uses; NaN otherwise."""
    none: dict[str, object] = {"kappa": math.nan, "kappa_low": math.nan,
                               "kappa_high": math.nan, "n_anchor": 0}
    names = group["proxy"].dropna().astype(str).unique()
    if not len(kappas) or group["suite"].nunique() != 1 or len(names) != 1:
        return none
    hit = kappas[(kappas["suite"] == group["suite"].iloc[0]) & (kappas["proxy"] == names[0])]
    if not len(hit):
        return none
    row = hit.iloc[0]
    return {"kappa": row["kappa"], "kappa_low": row["kappa_low"],
            "kappa_high": row["kappa_high"], "n_anchor": int(row["n_anchor"])}


def _monofact(group: pd.DataFrame, kappas: pd.DataFrame) -> dict[str, object]:
    kinds = group["fact_kind"].dropna().astype(str).unique()
    names = group["proxy"][np.isfinite(group["popularity"])].dropna().astype(str).unique()
    return {"fact_kind": "+".join(sorted(kinds)), "anchor": anchor.anchor_name(group),
            **_kappa_of(kappas, group), **anchor.stratum_levels(group),
            "proxy_source": "+".join(sorted(names)) or "none"}


def monofact_columns(items: pd.DataFrame, kappas: pd.DataFrame) -> pd.DataFrame:
    """Per stratum: fact kind, anchor, kappa and the anchored levels (docs/metrics.md 3)."""
    records = [{"suite": s, "bin": b, **_monofact(g, kappas)} for s, b, g in _strata(items)]
    return pd.DataFrame.from_records(records)


# --- calibration ----------------------------------------------------------------------------

def calibration_columns(rows: pd.DataFrame) -> pd.DataFrame:
    """Section 4 figures per stratum over answered rows; strata with no answer get 'none'."""
    if CONF_COL not in rows:
        rows = rows.assign(**{CONF_COL: math.nan})
    rows = rows.assign(**{CONF_COL: pd.to_numeric(rows[CONF_COL], errors="coerce")})
    parts = [calibration_table(rows), calibration_table(rows, by=("suite",)).assign(bin="all")]
    answered = rows[rows["label"].isin(("correct", "hallucinated")) & factual(rows)]
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
    """Per stratum: calibration of the sampling confidence (docs/metrics.md 4, source "sampling")
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


# --- rank statistics (docs/metrics.md 3: all a proxy supports) ----------------------------------

def rank_basis(items: pd.DataFrame) -> str:
    names = items["proxy"][np.isfinite(items["popularity"])].dropna().astype(str).unique()
    return f"proxy ranks ({'+'.join(sorted(names))})" if len(names) else ""


def _logistic(items: pd.DataFrame) -> dict[str, object]:
    """``correlation.logistic_proxy``, with no coefficients from a fit that cannot be trusted."""
    result = logistic_proxy(items)
    if result["note"]:
        result.update({k: math.nan for k in ("coef", "coef_low", "coef_high", "p", "intercept")})
    return {f"logit_{k}": v for k, v in result.items()}


def correlation_table(items: pd.DataFrame, n_resamples: int = N_RESAMPLES,
                      seed: int = 0) -> pd.DataFrame:
    """Per suite with a proxy: Spearman across its bins and the logistic slope; then an 'all'
    row with the slope over every base suite's items, one intercept per suite. Ranks are
    not pooled across suites (their proxies differ). A variant suite (``capitals@idk``: its
    rows' base_suite differs from their suite) keeps its own row and stays out of 'all'.
    """
    facts = _proxy_suites(items)
    if not len(facts):
        return pd.DataFrame(columns=["suite", "n_bins", "n_items", *CORRELATION_COLUMNS])
    ranks = hr_proxy_correlation(facts, n_resamples, seed).set_index("suite")
    records = []
    for suite, group in facts.groupby("suite", sort=True):
        rank = ranks.loc[suite].to_dict() if suite in ranks.index else {}
        records.append({"suite": str(suite), "rank_basis": rank_basis(group), **rank,
                        **_logistic(group)})
    base = facts[~is_variant_suite(facts)]
    if base["suite"].nunique() > 1:
        records.append({"suite": "all", "rank_basis": rank_basis(base) + ", suite intercepts",
                        "n_items": int(np.isfinite(base["popularity"]).sum()),
                        **_logistic(base)})
    return pd.DataFrame.from_records(records)


def _summary_correlation(correlation: pd.DataFrame) -> pd.DataFrame:
    if not len(correlation):
        return pd.DataFrame(columns=["suite", "bin", *CORRELATION_COLUMNS])
    return correlation.assign(bin="all").reindex(columns=["suite", "bin", *CORRELATION_COLUMNS])


# --- the summary and the tables -------------------------------------------------------------

def _assemble(responses: pd.DataFrame, items: pd.DataFrame, kappas: pd.DataFrame,
              correlation: pd.DataFrame) -> pd.DataFrame:
    rates = summarise(responses.assign(bin=responses["bin"].astype(str)))
    keys = ["suite", "bin"]
    parts = [monofact_columns(items, kappas), calibration_columns(items),
             _summary_correlation(correlation), sampling_columns(items, responses)]
    summary = rates
    for part, columns in zip(parts, (MONOFACT_COLUMNS, CALIBRATION_COLUMNS,
                                     CORRELATION_COLUMNS, SAMPLING_COLUMNS), strict=True):
        summary = summary.merge(part.reindex(columns=[*keys, *columns]), on=keys, how="left")
    summary["confidence_source"] = summary["confidence_source"].fillna("none")
    summary["proxy_source"] = summary["proxy_source"].fillna("none")
    summary["mis_source"] = summary["mis_source"].fillna("none")
    summary["anchor"] = summary["anchor"].fillna(anchor.NO_ANCHOR)
    for column in ("n_confidence", "n_no_confidence", "n_proxy", "n_sampling_confidence",
                   "samples_k", "mis_n_items", "n_anchor"):
        summary[column] = summary[column].fillna(0).astype(int)
    bases = base_suites(responses)
    summary["base_suite"] = [bases.get(str(suite), str(suite)) for suite in summary["suite"]]
    return summary


def base_suites(rows: pd.DataFrame) -> dict[str, str]:
    """Each row suite's base suite, from the rows' ``base_suite`` field (a variant suite
    ``capitals@idk`` asks capitals' items); a plain suite is its own base."""
    if "base_suite" not in rows:
        return {}
    known = rows[rows["base_suite"].notna()]
    return {str(s): str(b) for s, b in zip(known["suite"], known["base_suite"], strict=True)}


def is_variant_suite(rows: pd.DataFrame) -> pd.Series:
    """True for rows of a variant suite (its own summary row; out of the pooled 'all')."""
    if "base_suite" not in rows:
        return pd.Series(False, index=rows.index)
    base = rows["base_suite"].where(rows["base_suite"].notna(), rows["suite"])
    return base.astype(str) != rows["suite"].astype(str)


def build_summary(responses: pd.DataFrame) -> pd.DataFrame:
    """summary.csv: rates per suite x bin plus anchor, calibration and rank columns."""
    return analysis_tables(responses)["summary"]


def analysis_tables(responses: pd.DataFrame, n_resamples: int = N_RESAMPLES
                    ) -> dict[str, pd.DataFrame]:
    """Everything the report shows: summary, correlation, kappa (anchor) and bound tables.

    - correlation: per suite (and 'all') Spearman with its CI and the logistic slope: rank
      statistics, all a proxy supports;
    - kappa: per suite and proxy, kappa = sum n_i / sum c_i with its CI and the anchor
      (empty without `--reference-corpus`);
    - bound: per stratum of arbitrary facts, the temperature-1 HR beside max(0, MF - Mis),
      only where the run is anchored and sampled (``correlation.bound_table``); else empty.
    """
    items, kappas = prepare(graded_rows(responses), n_resamples)
    correlation = correlation_table(items, n_resamples)
    summary = _assemble(responses, items, kappas, correlation)
    strata = summary[summary["suite"] != "all"]  # suite x bin and each suite's 'all'
    return {"summary": summary, "correlation": correlation, "kappa": kappas,
            "bound": bound_table(strata)}
