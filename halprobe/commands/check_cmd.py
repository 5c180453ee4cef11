"""`halprobe check`: fail CI when the hallucination rate rose significantly (docs/metrics.md 6)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from halprobe.errors import UserError


def check_command(
    run: Path = typer.Argument(..., help="The run directory to check."),
    baseline: Path = typer.Option(..., "--baseline", "-b", help="Baseline run directory, "
                                  "responses CSV (item_id, suite, bin, label) or summary.csv."),
    tolerance: float = typer.Option(0.02, "--tolerance", help="Increase in hallucination "
                                    "rate that is tolerated even when significant."),
    alpha: float = typer.Option(0.05, "--alpha", help="Significance level after Holm "
                                "correction across strata."),
    out: Path | None = typer.Option(None, "--out", help="Markdown file (default: "
                                    "RUN/check.md)."),
) -> None:
    """Compare a run with a baseline per suite and bin; exit 1 on a significant rise.

    Items both runs share are compared with the exact McNemar test on discordant pairs;
    different items with the two-proportion z test. p-values are Holm-corrected across strata.
    A stratum fails when its corrected p < alpha and its hallucination rate rose by more than
    the tolerance. The Markdown table also goes to $GITHUB_STEP_SUMMARY when that is set.
    """
    if not 0 < alpha < 1:
        raise UserError(f"--alpha must be between 0 and 1, got {alpha}")
    # the statistics stack loads on use, so other commands and --help start quickly
    from halprobe.ci.gate import check_table
    from halprobe.report.markdown import markdown_table

    table = check_table(run, baseline, tolerance, alpha)
    failed = table[table["failed"]] if not table.empty else table
    verdict = (f"FAIL: hallucination rate rose significantly in {len(failed)} stratum(s): "
               + ", ".join(f"{r.suite}/bin {r.bin}" for r in failed.itertuples())
               if len(failed) else "OK: no significant rise in hallucination rate")
    text = (f"## halprobe check: {run.name} vs {baseline.name}\n\n{markdown_table(table)}\n\n"
            f"{verdict} (tolerance {tolerance}, alpha {alpha}, Holm-corrected)\n")
    typer.echo(text)
    (out or run / "check.md").write_text(text, encoding="utf-8")
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as f:
            f.write(text)
    if len(failed):
        raise typer.Exit(1)
