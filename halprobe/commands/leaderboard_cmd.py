"""`halprobe leaderboard`: one CSV row per complete run x suite, from RESULTS/runs."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from halprobe.errors import UserError


def leaderboard_command(
    results: Path = typer.Option(Path("results"), "--results", help="Results root holding "
                                 "runs/."),
    out: Path | None = typer.Option(None, "--out", help="CSV to write (default: "
                                    "RESULTS/leaderboard.csv)."),
) -> None:
    """Write the leaderboard CSV: model, provenance and figures of every complete run.

    Rows are sorted by suite, then hallucination rate, then run id; columns are documented in
    docs/report.md. Unfinished runs are left out.
    """
    # the analysis stack (scipy, statsmodels) loads on use, so `halprobe --help` stays quick
    from halprobe.report.leaderboard import LEADERBOARD, build_leaderboard, write_csv_atomic

    if not (results / "runs").is_dir():
        raise UserError(f"no runs under {results / 'runs'}; run `halprobe eval` first "
                        "or pass --results")
    table = build_leaderboard(results)
    if not len(table):
        raise UserError(f"no complete runs under {results / 'runs'}")
    path = write_csv_atomic(table, out or results / LEADERBOARD)
    runs = table["run_id"].nunique()
    Console().print(f"leaderboard: {len(table)} rows from {runs} run(s) written to "
                    f"[bold]{path}[/bold]")
