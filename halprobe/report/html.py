"""report.html: one self-contained page (inline CSS, PNGs as base64, no scripts, no network).

For one run: its configuration, the closing note on HR vs the monofact estimate, the four
figures and the tables (rates, monofact and calibration, correlation, bound, kappa
sensitivity). For several runs: the models side by side first, then each run's section.
The PNGs and the analysis tables (CSV) are written beside report.html. The page is the jinja2
templates in report/templates/ (autoescaped); this module gathers what they show.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
import pandas as pd

from halprobe.analysis.summary import analysis_tables
from halprobe.errors import UserError
from halprobe.report import cells
from halprobe.report.parallel import FigureWorkers, Job
from halprobe.store.load import Run, load_run

REPORT = "report.html"
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


@dataclass(frozen=True)
class Figure:
    """A drawn figure (``data``: base64 PNG), or one not drawn (``data`` empty) and why."""

    title: str
    text: str
    data: str = ""
    reason: str = ""


@dataclass(frozen=True)
class NoteLine:
    """One suite's line in the closing note; no ``logit`` for a suite without a proxy."""

    suite: str
    sign: str = ""
    logit: str | None = None


@cache
def _environment() -> jinja2.Environment:
    """Templates shipped inside the package; autoescape on, so no value is placed raw."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("halprobe.report", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )  # fmt: skip


def _png(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


# --- what each section shows ----------------------------------------------------------------

def closing_lines(report: RunReport) -> list[NoteLine]:
    """Per suite: the measured Spearman with its CI and whether its sign is the predicted one."""
    correlation, summary = report.tables["correlation"], report.tables["summary"]
    lines = [NoteLine(str(row["suite"]), "" if row["suite"] == "all" else
                      cells.sign_sentence(row, summary), cells.logit_sentence(row))
             for _, row in correlation.iterrows()]
    without = sorted(set(summary["suite"]) - set(correlation.get("suite", [])) - {"all"})
    return lines + [NoteLine(str(suite)) for suite in without]


def figure_list(report: RunReport) -> tuple[list[Figure], list[Figure]]:
    """The figures drawn for the run, then those not drawn with the reason."""
    drawn = [Figure(title, text, _png(report.images[key]))
             for key, title, text in FIGURES if key in report.images]
    absent = [Figure(title, text, reason=NOT_DRAWN[key])
              for key, title, text in FIGURES if key not in report.images]
    return drawn, absent


def run_context(report: RunReport, heading: str) -> dict[str, object]:
    """Everything templates/run.html.j2 shows for one run."""
    t, config = report.tables, report.run.config
    facts, suites = cells.config_rows(config, report.run.run_id)
    drawn, absent = figure_list(report)
    return {
        "heading": heading, "closing": closing_lines(report),
        "support": cells.support_note(t["summary"]), "facts": facts, "suites": suites,
        "fingerprint": json.dumps(config.get("fingerprint") or {}, indent=2, sort_keys=True),
        "figures": drawn, "absent": absent, "rates": cells.rates_rows(t["summary"]),
        "monofact": cells.monofact_rows(t["summary"]), "kappa": cells.kappa_rows(t["kappa"]),
        "sources": cells.confidence_sources(t["summary"]),
        "calibration": cells.calibration_rows(t["summary"]),
        "sampled": cells.sampling_rows(t["summary"]),
        "correlation": cells.correlation_rows(t["correlation"]),
        "bound": cells.bound_rows(t["bound"]) if len(t["bound"]) else [],
    }  # fmt: skip


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


def compare_context(run_a: Path, run_b: Path, out: Path) -> dict[str, object]:
    """Two runs per suite and bin (analysis/compare.py), with compare.png: the talk's claim."""
    from halprobe.analysis.compare import compare_table, printable, run_label
    from halprobe.report.compare_plot import plot_compare

    try:
        table = compare_table(run_a, run_b)
    except UserError as exc:  # two runs of other suites: nothing to put side by side
        return {"error": str(exc)}
    labels = (run_label(run_a), run_label(run_b))
    table.to_csv(out / "compare.csv", index=False, float_format="%.4f")
    plot = plot_compare(table, labels, out / "compare.png")
    rows = [{k: (f"{v:.3f}" if isinstance(v, float) else str(v)) for k, v in r.items()}
            for r in printable(table).to_dict("records")]
    return {"error": None, "labels": labels, "image": _png(plot) if plot else None, "rows": rows}


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
    models = None
    if several:
        models = figures.draw([("plot_models", (
            {label: r.tables["summary"] for label, r in zip(labels, reports, strict=True)},
            out / "models.png"))])[0]
    page = _environment().get_template("report.html.j2").render(
        title="halprobe report: " + ", ".join(labels), several=several,
        models=_png(models) if models else None,
        compare=compare_context(run_dirs[0], run_dirs[1], out) if len(run_dirs) == 2 else None,
        runs=[run_context(r, f"{label}: {r.run.run_id}" if several else label)
              for label, r in zip(labels, reports, strict=True)],
    )  # fmt: skip
    path = out / REPORT
    tmp = path.with_name(f".{REPORT}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
