"""`halprobe report RUN [RUN ...]`: a self-contained report.html with PNG figures."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from halprobe.errors import UserError
from halprobe.store.rundir import CONFIG


def report_command(
    runs: list[Path] = typer.Argument(..., help="Run directories (results/runs/<run id>); "
                                      "several are compared side by side."),
    out: Path | None = typer.Option(None, "--out", help="Folder to write report.html and the "
                                    "PNGs into (default: the run directory for one run, "
                                    "./report for several)."),
) -> None:
    """Write report.html (no network, images embedded), its PNGs and the analysis tables."""
    for run in runs:
        if not (run / CONFIG).is_file():
            raise UserError(f"{run} is not a halprobe run directory (no {CONFIG})")
    from halprobe.report.html import write_report  # matplotlib loads only for this command

    target = out if out is not None else (runs[0] if len(runs) == 1 else Path("report"))
    path = write_report(list(runs), target)
    Console().print(f"report written to [bold]{path}[/bold]")
