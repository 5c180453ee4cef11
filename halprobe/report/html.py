"""report.html: one self-contained page (inline CSS, PNGs as base64, no scripts, no network).

For one run: its configuration, the closing note on HR vs the monofact estimate, the four
figures and the tables (rates, monofact and calibration, correlation, bound, kappa
sensitivity). For several runs: the models side by side first, then each run's section.
The PNGs and the analysis tables (CSV) are written beside report.html.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from halprobe.analysis.summary import analysis_tables
from halprobe.errors import UserError
from halprobe.report.leaderboard import short_hash
from halprobe.report.parallel import FigureWorkers, Job
from halprobe.store.load import Run, load_run

REPORT = "report.html"
CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1100px;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;
margin-top:2.2rem}h3{font-size:1.1rem;margin-top:1.6rem}
table{border-collapse:collapse;font-size:.82rem;margin:.6rem 0}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:right;white-space:nowrap}
th{background:#f4f4f4}td:first-child,td:nth-child(2),th:first-child,th:nth-child(2)
{text-align:left}
tr.all td{font-weight:600;background:#fafafa}
.scroll{overflow-x:auto}img{max-width:100%;height:auto;display:block;margin:.8rem 0}
.note{background:#f6f8fa;border-left:4px solid #4a7;padding:.6rem 1rem}
.note li{margin:.3rem 0}pre{background:#f6f8fa;padding:.6rem;font-size:.8rem;overflow-x:auto}
.muted{color:#666;font-size:.88rem}
"""
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("hr_vs_monofact", "Hallucination rate by frequency bin",
     "Each point is a frequency bin of a suite (bins are proxy quantiles, 0 the rarest). A "
     "proxy only ranks items, so without an anchor (--reference-corpus counts) this is a rank "
     "view: HR should fall from bin 0 up. Only with an anchor, and only for arbitrary facts, "
     "is HR also drawn against the anchored monofact level sr, beside the line HR = sr "
     "(docs/metrics.md 3)."),
    ("outcomes", "Outcomes by frequency bin", ""),
    ("reliability", "Reliability diagram", "Answers that state a fact (correct or "
     "hallucinated) with a confidence from log-probs; abstentions and vague answers left out."),
    ("risk_coverage", "Risk-coverage curve", "Keeping only the most confident answers: how "
     "often the kept ones are hallucinated."),
)

NOT_DRAWN = {"hr_vs_monofact": "no graded answers to items with a frequency proxy",
             "outcomes": "no graded answers",
             "reliability": "no answer has a confidence; they come from log-probs",
             "risk_coverage": "no answer has a confidence; they come from log-probs"}


@dataclass
class RunReport:
    """One run with its analysis tables and the PNGs drawn for it."""

    run: Run
    tables: dict[str, pd.DataFrame]
    images: dict[str, Path]


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _pct(value: Any) -> str:
    return "–" if _missing(value) else f"{100 * float(value):.1f}%"


def _num(value: Any, digits: int = 3) -> str:
    return "–" if _missing(value) else f"{float(value):.{digits}f}"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _ci(row: pd.Series, name: str, fmt: Callable[[Any], str] = _pct) -> str:
    if _missing(row.get(name)):
        return "–"
    return f"{fmt(row[name])} [{fmt(row[f'{name}_low'])}, {fmt(row[f'{name}_high'])}]"


def _table(rows: list[dict[str, str]], highlight: Callable[[dict[str, str]], bool]
           | None = None) -> str:
    if not rows:
        return "<p class='muted'>(nothing to show)</p>"
    head = "".join(f"<th>{_esc(k)}</th>" for k in rows[0])
    body = "".join(
        f"<tr{' class=all' if highlight and highlight(r) else ''}>"
        + "".join(f"<td>{_esc(v)}</td>" for v in r.values()) + "</tr>" for r in rows)
    return f"<div class='scroll'><table><tr>{head}</tr>{body}</table></div>"


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"<img src='data:image/png;base64,{data}' alt='{_esc(alt)}'>"


def _is_all(row: dict[str, str]) -> bool:
    return row.get("bin") == "all"


# --- sections -------------------------------------------------------------------------------

def config_section(run: Run) -> str:
    """Model, fingerprint, suites, prompt hash and the rest of the run's provenance."""
    config = run.config
    fingerprint = config.get("fingerprint") or {}
    facts = [("run", run.run_id), ("model", fingerprint.get("model", config.get("model_spec"))),
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
    return ("<h3>Configuration</h3>" + _table(rows) + _table(suites)
            + "<details><summary>fingerprint JSON</summary><pre>"
            + _esc(json.dumps(fingerprint, indent=2, sort_keys=True)) + "</pre></details>")


def _why_no_spearman(row: pd.Series, summary: pd.DataFrame) -> str:
    if row["n_bins"] < 3:
        return f"only {int(row['n_bins'])} bin(s) with a frequency proxy; 3 are needed"
    bins = summary[(summary["suite"] == row["suite"]) & (summary["bin"] != "all")]
    rates = bins["hallucination_rate"].dropna().unique()
    if row["suite"] != "all" and len(rates) == 1:
        return f"the hallucination rate is {_pct(rates[0])} in every bin: nothing to rank"
    return "a constant rate or estimate"


def _sign_sentence(row: pd.Series, summary: pd.DataFrame) -> str:
    rho = row["spearman"]
    if _missing(rho):
        return f"Spearman not computable ({_why_no_spearman(row, summary)})."
    ci = ("no bootstrap CI" if _missing(row["spearman_low"]) else
          f"95% bootstrap CI {row['spearman_low']:+.2f} to {row['spearman_high']:+.2f}")
    text = (f"Spearman of HR with the proxy bin across {int(row['n_bins'])} bins "
            f"= {rho:+.2f} ({ci}; p = {row['spearman_p']:.2g}): ")
    if rho < 0:
        text += "negative, the sign the theory predicts (HR falls as facts get more frequent)"
    elif rho > 0:
        text += "positive, the opposite of the theory's prediction"
    else:
        text += "zero, no relation"
    low, high = row["spearman_low"], row["spearman_high"]
    if not _missing(low) and low <= 0 <= high:
        text += "; the CI includes 0, so these data cannot rule out no relation"
    return text + "."


def _logit_sentence(row: pd.Series) -> str:
    coef = row.get("logit_coef")
    if _missing(coef):
        return f" Logistic slope: not fitted ({row.get('logit_note') or 'no data'})."
    verdict = "the predicted sign (b < 0)" if coef < 0 else "not the predicted sign (b < 0)"
    if row["logit_coef_low"] <= 0 <= row["logit_coef_high"]:
        verdict += ", but its CI includes 0"
    return (f" Item-level logistic slope of hallucinated on log(1 + proxy): b = {coef:+.2f} "
            f"[{row['logit_coef_low']:+.2f}, {row['logit_coef_high']:+.2f}], "
            f"p = {row['logit_p']:.2g}: {verdict}.")


def closing_note(report: RunReport) -> str:
    """Per suite: the measured Spearman with its CI and whether its sign is the predicted one."""
    correlation, summary = report.tables["correlation"], report.tables["summary"]
    items = []
    for _, row in correlation.iterrows():
        if row["suite"] == "all":
            items.append("<li><b>all suites</b> (ranks are compared within a suite only; the "
                         "pooled slope has one intercept per suite and proxy):"
                         f"{_esc(_logit_sentence(row))}</li>")
            continue
        items.append(f"<li><b>{_esc(row['suite'])}</b>: {_esc(_sign_sentence(row, summary))}"
                     f"{_esc(_logit_sentence(row))}</li>")
    without = sorted(set(summary["suite"]) - set(correlation.get("suite", [])) - {"all"})
    for suite in without:
        items.append(f"<li><b>{_esc(suite)}</b>: no frequency proxy (as for controls: "
                     "entities that do not exist, facts that are not true), so no rank and no "
                     "level; its HR is the false-premise answer rate, kept out of the overall "
                     "rate.</li>")
    return ("<div class='note'><b>Closing note: does the hallucination rate track training "
            "frequency?</b><ul>" + "".join(items) + "</ul>"
            f"<span class='muted'>{_esc(_support_note(summary))} CIs from 10,000 bootstrap "
            "draws resampling items within bins (docs/metrics.md 6).</span></div>")


def _support_note(summary: pd.DataFrame) -> str:
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
             "hallucinated [95% CI]": _ci(r, "hallucination_rate"),
             "correct": _pct(r["accuracy"]), "abstained": _pct(r["abstention_rate"]),
             "non-answer": _pct(r.get("non_answer_rate", math.nan)),
             "vague": _pct(r["vague_rate"]),
             "halluc. | attempted": _pct(r["hallucination_given_attempted"]),
             "F": _num(r["f_score"]), "unscored + error": str(r["n_unscored"] + r["n_error"])}
            for _, r in summary.iterrows()]


def monofact_rows(summary: pd.DataFrame) -> list[dict[str, str]]:
    """Anchored levels per stratum; none without an anchor (a proxy only ranks)."""
    if not np.isfinite(pd.to_numeric(summary.get("monofact_sr"), errors="coerce")).any():
        return []
    return [{"suite": str(r["suite"]), "bin": str(r["bin"]), "facts": str(r["fact_kind"]),
             "items with proxy": str(r["n_proxy"]), "κ [95% CI]": _ci(r, "kappa", _num),
             "mean λ": _num(r["mean_lambda"], 2), "MF = N_1/n": _num(r["monofact_exact"]),
             "sr (singleton share)": _num(r["monofact_sr"]),
             "u (unseen fraction)": _num(r["monofact_u"]),
             "s1 (singleton fraction)": _num(r["monofact_s1"]),
             "HR": _pct(r["hallucination_rate"])}
            for _, r in summary.iterrows()]


def calibration_rows(summary: pd.DataFrame) -> list[dict[str, str]]:
    """Per stratum; the confidence source gets a column only when it differs between rows."""
    sources = summary["confidence_source"][summary["n_confidence"] > 0].unique()
    return [{"suite": str(r["suite"]), "bin": str(r["bin"]),
             "answers with conf.": f"{r['n_confidence']} of "
                                   f"{r['n_confidence'] + r['n_no_confidence']}",
             **({"source": str(r["confidence_source"])} if len(sources) > 1 else {}),
             "ECE (10 width)": _num(r["ece_width10"]),
             "ECE (15 mass)": _num(r["ece_mass15"]), "Brier": _num(r["brier"]),
             "AURC": _num(r["aurc"]), "E-AURC": _num(r["e_aurc"]), "AUROC": _num(r["auroc"]),
             "coverage @5% risk": _pct(r["coverage_at_5pct_risk"])}
            for _, r in summary.iterrows()]


def sampling_rows(summary: pd.DataFrame) -> list[dict[str, str]]:
    """Per stratum, the calibration of sampling confidence and the generative Mis (--samples);
    none when the run has no samples."""
    if "samples_k" not in summary or not (summary["samples_k"].fillna(0) > 0).any():
        return []
    return [{"suite": str(r["suite"]), "bin": str(r["bin"]), "K": _num(r["samples_k"], 0),
             "answers with conf.": _num(r["n_sampling_confidence"], 0),
             "ECE (10 width)": _num(r["sampling_ece_width10"]),
             "ECE (15 mass)": _num(r["sampling_ece_mass15"]),
             "Brier": _num(r["sampling_brier"]), "AUROC": _num(r["sampling_auroc"]),
             "Mis": _num(r["mis"]), "items in Mis": _num(r["mis_n_items"], 0),
             "HR of samples (T = 1)": _pct(r.get("sampled_hr"))}
            for _, r in summary.iterrows()]


def correlation_rows(correlation: pd.DataFrame) -> list[dict[str, str]]:
    return [{"suite": str(r["suite"]), "bins": str(r["n_bins"]), "items": str(r["n_items"]),
             "basis": str(r.get("rank_basis", "")),
             "Spearman HR vs bin [95% CI]": _ci(r, "spearman", lambda v: f"{float(v):+.2f}"),
             "logistic slope b [95% CI]": _ci(r, "logit_coef", lambda v: f"{float(v):+.2f}"),
             "p (b)": _num(r.get("logit_p"), 4), "sign as predicted":
             "–" if _missing(r.get("expected_sign")) else
             ("yes" if r["expected_sign"] else "no")}
            for _, r in correlation.iterrows()]


def bound_rows(bound: pd.DataFrame) -> list[dict[str, str]]:
    return [{"suite": str(r["suite"]), "bin": str(r["bin"]), "n": str(r["n"]),
             "HR of samples (T = 1)": _pct(r["sampled_hr"]),
             "greedy HR": _pct(r["hallucination_rate"]),
             f"monofact ({r['monofact_source']})": _num(r["monofact"]),
             "Mis (generative)": _num(r["mis"]),
             "bound max(0, MF − Mis)": _num(r["bound"]),
             "sampled HR ≥ bound": "yes" if r["sampled_hr_ge_bound"] else "no",
             "anchor": str(r["anchor"])}
            for _, r in bound.iterrows()]


def kappa_rows(kappas: pd.DataFrame) -> list[dict[str, str]]:
    return [{"suite": str(r["suite"]), "proxy": str(r["proxy"]),
             "κ = Σ n_i / Σ c_i [95% CI]": _ci(r, "kappa", lambda v: f"{float(v):.4g}"),
             "items counted": str(r["n_anchor"]), "anchor": str(r["anchor"])}
            for _, r in kappas.iterrows()]


BOUND_NOTE = ("Shown only for suites of arbitrary facts, with an anchor (exact counts) and "
              "sampled answers (--samples 20): bound = max(0, MF − Mis), MF the exact N_1/n "
              "where every item was counted, else the anchored sr, Mis the generative "
              "miscalibration (docs/metrics.md 4), compared with the hallucination rate of the "
              "temperature-1 samples, which the theorem is about. The finite-sample terms are "
              "left out. Answer ECE is never used in place of Mis.")


def _bound_section(t: dict[str, pd.DataFrame]) -> list[str]:
    rows = bound_rows(t["bound"]) if len(t["bound"]) else []
    if rows:
        return ["<h3>Kalai–Vempala bound estimate</h3>"
                f"<p class='muted'>{_esc(BOUND_NOTE)}</p>", _table(rows)]
    return ["<h3>Kalai–Vempala bound estimate</h3><p class='muted'>Not reported for this run: "
            f"{_esc(BOUND_NOTE)}</p>"]


def _sources(summary: pd.DataFrame) -> str:
    sources = summary["confidence_source"][summary["n_confidence"] > 0].unique()
    return ", ".join(sorted(str(x) for x in sources)) or "none (no log-probs)"


def tables_section(report: RunReport) -> str:
    t = report.tables
    sampled = sampling_rows(t["summary"])
    return "".join([
        "<h3>Rates by frequency bin</h3>", _table(rates_rows(t["summary"]), _is_all),
        *(["<h3>Anchored monofact levels (docs/metrics.md 3)</h3><p class='muted'>λ = κ · proxy, "
           "κ fitted on exact counts (table below); an 'all' row pools its items.</p>",
           _table(monofact_rows(t["summary"]), _is_all),
           "<h3>Anchor: κ per suite and proxy</h3>", _table(kappa_rows(t["kappa"]))]
          if monofact_rows(t["summary"]) else
          ["<h3>Monofact levels</h3><p class='muted'>None: no anchor. A proxy only ranks "
           "items (docs/metrics.md 3); run with --reference-corpus to anchor it on exact counts."
           "</p>"]),
        "<h3>Calibration of answer confidence (docs/metrics.md 4)</h3><p class='muted'>Over "
        "answers that state a fact (correct or hallucinated); figures are blank where no "
        f"answer had a confidence. Confidence source: {_esc(_sources(t['summary']))}.</p>",
        _table(calibration_rows(t["summary"]), _is_all),
        *(["<h3>Sampled answers (--samples): sampling confidence and generative Mis</h3>"
           "<p class='muted'>Sampling confidence = share of the K temperature-1 answers that "
           "agree with the greedy one; Mis = ½ Σ_B |P_B − G_B| over 10 bins of g, each "
           "prompt's Good–Turing unseen mass in the lowest bin (docs/metrics.md 4).</p>",
           _table(sampled, _is_all)] if sampled else []),
        "<h3>HR vs training frequency: rank statistics</h3><p class='muted'>Rank-only: "
        "Spearman of HR with the proxy's bin, and the logistic slope of hallucinated on "
        "log(1 + proxy); both should be negative.</p>",
        _table(correlation_rows(t["correlation"])),
        *_bound_section(t),
    ])


def run_section(report: RunReport, heading: str) -> str:
    figures = "".join(
        f"<h3>{_esc(title)}</h3>" + (f"<p class='muted'>{_esc(text)}</p>" if text else "")
        + _img(report.images[key], title)
        for key, title, text in FIGURES if key in report.images)
    absent = "".join(f"<p class='muted'>{_esc(title)}: not drawn ({NOT_DRAWN[key]}).</p>"
                     for key, title, _ in FIGURES if key not in report.images)
    return (f"<h2>{_esc(heading)}</h2>" + closing_note(report) + config_section(report.run)
            + figures + absent + tables_section(report))


# --- writing --------------------------------------------------------------------------------

def figure_jobs(summary: pd.DataFrame | None, responses: pd.DataFrame, out: Path,
                prefix: str = "") -> dict[str, Job]:
    """The run's figures as jobs for FigureWorkers; without a summary, those drawn from the
    response rows alone."""
    jobs: dict[str, Job] = {
        "reliability": ("plot_reliability", (responses, out / f"{prefix}reliability.png")),
        "risk_coverage": ("plot_risk_coverage", (responses, out / f"{prefix}risk_coverage.png")),
    }
    if summary is None:
        return jobs
    return {"hr_vs_monofact": ("plot_hr_vs_monofact",
                               (summary, out / f"{prefix}hr_vs_monofact.png")),
            "outcomes": ("plot_outcomes", (summary, out / f"{prefix}outcomes.png")), **jobs}


def draw_response_figures_early(run_dir: Path, figures: FigureWorkers) -> None:
    """Start drawing the figures of a finished run's rows (reliability, risk-coverage) while
    the caller computes the summary; write_report into ``run_dir`` then takes them."""
    responses = load_run(run_dir).responses
    if len(responses):
        figures.prefetch(list(figure_jobs(None, responses, run_dir).values()))


def _prepare(run_dir: Path, out: Path, prefix: str, figures: FigureWorkers,
             tables: dict[str, pd.DataFrame] | None = None) -> RunReport:
    run = load_run(run_dir)
    if not len(run.responses):
        raise UserError(f"{run_dir} has no responses yet; nothing to report")
    if tables is None:
        tables = analysis_tables(run.responses)
    for name in ("correlation", "bound", "kappa"):
        if len(tables[name]):
            tables[name].to_csv(out / f"{prefix}{name}.csv", index=False, float_format="%.6g")
    jobs = figure_jobs(tables["summary"], run.responses, out, prefix)
    drawn = dict(zip(jobs, figures.draw(list(jobs.values())), strict=True))
    return RunReport(run, tables, {k: v for k, v in drawn.items() if v is not None})


_RUN_ID = re.compile(r"^(?P<date>\d{8})-(?P<time>\d{6})-.+-(?P<hash>[0-9a-f]{6})$")


def _labels(reports: list[RunReport]) -> list[str]:
    """Model names, told apart by when the run started and its config hash where two runs
    share a model (the run id repeats the model name: "20261127-122655-SmolLM2-...-a0706b")."""
    models = [str((r.run.config.get("fingerprint") or {}).get("model", r.run.run_id))
              for r in reports]
    return [f"{m} ({_short_run_id(r.run.run_id)})" if models.count(m) > 1 else m
            for m, r in zip(models, reports, strict=True)]


def _short_run_id(run_id: str) -> str:
    m = _RUN_ID.match(run_id)
    if m is None:
        return run_id
    d, t = m["date"], m["time"]
    return f"{d[:4]}-{d[4:6]}-{d[6:]} {t[:2]}:{t[2:4]}:{t[4:]}, {m['hash']}"


def compare_section(run_a: Path, run_b: Path, out: Path) -> str:
    """Two runs per suite and bin (analysis/compare.py), with compare.png: the talk's claim."""
    from halprobe.analysis.compare import compare_table, printable, run_label
    from halprobe.report.compare_plot import plot_compare

    try:
        table = compare_table(run_a, run_b)
    except UserError as exc:  # two runs of other suites: nothing to put side by side
        return f"<h2>A against B</h2><p class='muted'>{_esc(exc)}</p>"
    labels = (run_label(run_a), run_label(run_b))
    table.to_csv(out / "compare.csv", index=False, float_format="%.4f")
    plot = plot_compare(table, labels, out / "compare.png")
    rows = [{k: (f"{v:.3f}" if isinstance(v, float) else str(v)) for k, v in r.items()}
            for r in printable(table).to_dict("records")]
    return (f"<h2>A against B</h2><p>A = {_esc(labels[0])}, B = {_esc(labels[1])} "
            "(compare.csv)</p>" + (_img(plot, "A against B") if plot else "")
            + _table(rows, _is_all))


def write_report(run_dirs: list[Path], out: Path,
                 tables: dict[Path, dict[str, pd.DataFrame]] | None = None,
                 figures: FigureWorkers | None = None) -> Path:
    """Write report.html, its PNGs and CSV tables into ``out``; return the HTML's path.

    ``tables`` holds a run's ``analysis_tables`` where the caller has just computed them (eval
    does, for summary.csv); other runs' tables are computed here. ``figures``: worker
    processes the caller started early (eval does); otherwise started here.
    """
    if not run_dirs:
        raise UserError("no run directories given")
    if figures is None:
        with FigureWorkers() as own:
            return write_report(run_dirs, out, tables, own)
    out.mkdir(parents=True, exist_ok=True)
    several = len(run_dirs) > 1
    known = tables or {}
    reports = [_prepare(d, out, f"{d.name}_" if several else "", figures, known.get(d))
               for d in run_dirs]
    labels = _labels(reports)
    parts = []
    if several:
        models = figures.draw([("plot_models", (
            {label: r.tables["summary"] for label, r in zip(labels, reports, strict=True)},
            out / "models.png"))])[0]
        parts.append("<h2>Models side by side</h2>"
                     + (_img(models, "models side by side") if models else ""))
    if len(run_dirs) == 2:
        parts.append(compare_section(run_dirs[0], run_dirs[1], out))
    parts += [run_section(r, f"{label}: {r.run.run_id}" if several else label)
              for label, r in zip(labels, reports, strict=True)]
    title = "halprobe report: " + ", ".join(labels)
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{_esc(title)}"
            f"</title><style>{CSS}</style></head><body><h1>{_esc(title)}</h1>"
            "<p class='muted'>How often the model states false facts, by how rare the fact "
            "is. Rates are shares of graded answers (error and unscored rows left out) with "
            "Wilson 95% intervals; bin 0 is the rarest fifth of a suite's frequency proxy. "
            "Definitions: docs/metrics.md.</p>" + "".join(parts) + "</body></html>\n")
    path = out / REPORT
    tmp = path.with_name(f".{REPORT}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
