"""The report's words and numbers as plain text: table cells, the closing note's sentences.

Nothing here is HTML; the templates (report/templates/) escape every value when they place it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from halprobe.report.leaderboard import short_hash


def pct(value: Any) -> str:
    return "–" if missing(value) else f"{100 * float(value):.1f}%"


def num(value: Any, digits: int = 3) -> str:
    return "–" if missing(value) else f"{float(value):.{digits}f}"


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def ci(row: pd.Series, name: str, fmt: Callable[[Any], str] = pct) -> str:
    if missing(row.get(name)):
        return "–"
    return f"{fmt(row[name])} [{fmt(row[f'{name}_low'])}, {fmt(row[f'{name}_high'])}]"


def _why_no_spearman(row: pd.Series, summary: pd.DataFrame) -> str:
    if row["n_bins"] < 3:
        return f"only {int(row['n_bins'])} bin(s) with a frequency proxy; 3 are needed"
    bins = summary[(summary["suite"] == row["suite"]) & (summary["bin"] != "all")]
    rates = bins["hallucination_rate"].dropna().unique()
    if row["suite"] != "all" and len(rates) == 1:
        return f"the hallucination rate is {pct(rates[0])} in every bin: nothing to rank"
    return "a constant rate or estimate"


def sign_sentence(row: pd.Series, summary: pd.DataFrame) -> str:
    rho = row["spearman"]
    if missing(rho):
        return f"Spearman not computable ({_why_no_spearman(row, summary)})."
    interval = ("no bootstrap CI" if missing(row["spearman_low"]) else
                f"95% bootstrap CI {row['spearman_low']:+.2f} to {row['spearman_high']:+.2f}")
    text = (f"Spearman of HR with the proxy bin across {int(row['n_bins'])} bins "
            f"= {rho:+.2f} ({interval}; p = {row['spearman_p']:.2g}): ")
    if rho < 0:
        text += "negative, the sign the theory predicts (HR falls as facts get more frequent)"
    elif rho > 0:
        text += "positive, the opposite of the theory's prediction"
    else:
        text += "zero, no relation"
    low, high = row["spearman_low"], row["spearman_high"]
    if not missing(low) and low <= 0 <= high:
        text += "; the CI includes 0, so these data cannot rule out no relation"
    return text + "."


def logit_sentence(row: pd.Series) -> str:
    coef = row.get("logit_coef")
    if missing(coef):
        return f" Logistic slope: not fitted ({row.get('logit_note') or 'no data'})."
    verdict = "the predicted sign (b < 0)" if coef < 0 else "not the predicted sign (b < 0)"
    if row["logit_coef_low"] <= 0 <= row["logit_coef_high"]:
        verdict += ", but its CI includes 0"
    return (f" Item-level logistic slope of hallucinated on log(1 + proxy): b = {coef:+.2f} "
            f"[{row['logit_coef_low']:+.2f}, {row['logit_coef_high']:+.2f}], "
            f"p = {row['logit_p']:.2g}: {verdict}.")


def support_note(summary: pd.DataFrame) -> str:
    """What the figures support: rank statistics only, or levels, and from which anchor."""
    anchors = sorted({str(a) for a in summary.get("anchor", pd.Series(dtype=str)).dropna()
                      if not str(a).startswith("none")})
    if not anchors:
        return ("These are rank statistics only (docs/metrics.md 3): the proxies rank items but "
                "say nothing about how many training documents state a fact, so this run "
                "shows no monofact level, no diagonal HR = level and no bound. Give exact counts "
                "(--reference-corpus) to anchor a level.")
    return (f"Levels are anchored on {', '.join(anchors)}: kappa = Σ n_i / Σ c_i per suite "
            "and proxy (docs/metrics.md 3); a level is compared with HR only for suites of "
            "arbitrary facts, and the bound only where answers were sampled.")


def rates_rows(summary: pd.DataFrame) -> list[dict[str, str]]:
    return [{"suite": str(r["suite"]), "bin": str(r["bin"]), "n": str(r["n"]),
             "hallucinated [95% CI]": ci(r, "hallucination_rate"),
             "correct": pct(r["accuracy"]), "abstained": pct(r["abstention_rate"]),
             "non-answer": pct(r.get("non_answer_rate", math.nan)),
             "vague": pct(r["vague_rate"]),
             "halluc. | attempted": pct(r["hallucination_given_attempted"]),
             "F": num(r["f_score"]), "unscored + error": str(r["n_unscored"] + r["n_error"])}
            for _, r in summary.iterrows()]


def monofact_rows(summary: pd.DataFrame) -> list[dict[str, str]]:
    """Anchored levels per stratum; none without an anchor (a proxy only ranks)."""
    if not np.isfinite(pd.to_numeric(summary.get("monofact_sr"), errors="coerce")).any():
        return []
    return [{"suite": str(r["suite"]), "bin": str(r["bin"]), "facts": str(r["fact_kind"]),
             "items with proxy": str(r["n_proxy"]), "κ [95% CI]": ci(r, "kappa", num),
             "mean λ": num(r["mean_lambda"], 2), "MF = N_1/n": num(r["monofact_exact"]),
             "sr (singleton share)": num(r["monofact_sr"]),
             "u (unseen fraction)": num(r["monofact_u"]),
             "s1 (singleton fraction)": num(r["monofact_s1"]),
             "HR": pct(r["hallucination_rate"])}
            for _, r in summary.iterrows()]


def calibration_rows(summary: pd.DataFrame) -> list[dict[str, str]]:
    """Per stratum; the confidence source gets a column only when it differs between rows."""
    sources = summary["confidence_source"][summary["n_confidence"] > 0].unique()
    return [{"suite": str(r["suite"]), "bin": str(r["bin"]),
             "answers with conf.": f"{r['n_confidence']} of "
                                   f"{r['n_confidence'] + r['n_no_confidence']}",
             **({"source": str(r["confidence_source"])} if len(sources) > 1 else {}),
             "ECE (10 width)": num(r["ece_width10"]),
             "ECE (15 mass)": num(r["ece_mass15"]), "Brier": num(r["brier"]),
             "AURC": num(r["aurc"]), "E-AURC": num(r["e_aurc"]), "AUROC": num(r["auroc"]),
             "coverage @5% risk": pct(r["coverage_at_5pct_risk"])}
            for _, r in summary.iterrows()]


def sampling_rows(summary: pd.DataFrame) -> list[dict[str, str]]:
    """Per stratum, the calibration of sampling confidence and the generative Mis (--samples);
    none when the run has no samples."""
    if "samples_k" not in summary or not (summary["samples_k"].fillna(0) > 0).any():
        return []
    return [{"suite": str(r["suite"]), "bin": str(r["bin"]), "K": num(r["samples_k"], 0),
             "answers with conf.": num(r["n_sampling_confidence"], 0),
             "ECE (10 width)": num(r["sampling_ece_width10"]),
             "ECE (15 mass)": num(r["sampling_ece_mass15"]),
             "Brier": num(r["sampling_brier"]), "AUROC": num(r["sampling_auroc"]),
             "Mis": num(r["mis"]), "items in Mis": num(r["mis_n_items"], 0),
             "HR of samples (T = 1)": pct(r.get("sampled_hr"))}
            for _, r in summary.iterrows()]


def correlation_rows(correlation: pd.DataFrame) -> list[dict[str, str]]:
    return [{"suite": str(r["suite"]), "bins": str(r["n_bins"]), "items": str(r["n_items"]),
             "basis": str(r.get("rank_basis", "")),
             "Spearman HR vs bin [95% CI]": ci(r, "spearman", lambda v: f"{float(v):+.2f}"),
             "logistic slope b [95% CI]": ci(r, "logit_coef", lambda v: f"{float(v):+.2f}"),
             "p (b)": num(r.get("logit_p"), 4), "sign as predicted":
             "–" if missing(r.get("expected_sign")) else
             ("yes" if r["expected_sign"] else "no")}
            for _, r in correlation.iterrows()]


def bound_rows(bound: pd.DataFrame) -> list[dict[str, str]]:
    return [{"suite": str(r["suite"]), "bin": str(r["bin"]), "n": str(r["n"]),
             "HR of samples (T = 1)": pct(r["sampled_hr"]),
             "greedy HR": pct(r["hallucination_rate"]),
             f"monofact ({r['monofact_source']})": num(r["monofact"]),
             "Mis (generative)": num(r["mis"]),
             "bound max(0, MF − Mis)": num(r["bound"]),
             "sampled HR ≥ bound": "yes" if r["sampled_hr_ge_bound"] else "no",
             "anchor": str(r["anchor"])}
            for _, r in bound.iterrows()]


def kappa_rows(kappas: pd.DataFrame) -> list[dict[str, str]]:
    return [{"suite": str(r["suite"]), "proxy": str(r["proxy"]),
             "κ = Σ n_i / Σ c_i [95% CI]": ci(r, "kappa", lambda v: f"{float(v):.4g}"),
             "items counted": str(r["n_anchor"]), "anchor": str(r["anchor"])}
            for _, r in kappas.iterrows()]


def confidence_sources(summary: pd.DataFrame) -> str:
    sources = summary["confidence_source"][summary["n_confidence"] > 0].unique()
    return ", ".join(sorted(str(x) for x in sources)) or "none (no log-probs)"


def config_rows(config: dict[str, Any], run_id: str) -> tuple[list[dict[str, str]],
                                                              list[dict[str, str]]]:
    """The run's provenance (model, fingerprint, hashes, decoding), then one row per suite."""
    fingerprint = config.get("fingerprint") or {}
    facts = [("run", run_id), ("model", fingerprint.get("model", config.get("model_spec"))),
             ("model spec", config.get("model_spec")),
             ("fingerprint", f"{short_hash(fingerprint)} (SHA-256 of the JSON below)"),
             ("prompt hash", config.get("prompt_hash")), ("config hash", config.get("config_hash")),
             ("created", config.get("created")), ("halprobe", config.get("halprobe_version")),
             ("items", config.get("n_items")), ("status", config.get("status")),
             ("decoding", json.dumps(config.get("decoding", {}), sort_keys=True))]
    rows = [{"": str(k), "value": "–" if v is None else str(v)} for k, v in facts]
    suites = [{"suite": str(s.get("name")), "version": str(s.get("version")),
               "digest": str(s.get("digest")), "bins": str(s.get("bins"))}
              for s in config.get("suites", []) if isinstance(s, dict)]
    return rows, suites
