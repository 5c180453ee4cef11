"""`halprobe compare RUN_A RUN_B`: two runs side by side per suite and bin (compare.csv,
compare.png); analysis/compare.py says what each column means."""

from __future__ import annotations

from pathlib import Path

import typer

from halprobe.analysis.compare import compare_table, printable, run_label


def compare_command(
    run_a: Path = typer.Argument(..., help="The first run directory (e.g. a base model)."),
    run_b: Path = typer.Argument(..., help="The second run directory (e.g. post-trained)."),
    out: Path = typer.Option(Path("compare"), "--out", help="Folder for compare.csv and "
                             "compare.png."),
) -> None:
    """Compare two runs: HR, I don't know, non-answer, multiple-choice ECE, Mis, scores."""
    table = compare_table(run_a, run_b)
    labels = (run_label(run_a), run_label(run_b))
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "compare.csv", index=False, float_format="%.4f")
    from halprobe.report.compare_plot import plot_compare  # matplotlib only here

    plot = plot_compare(table, labels, out / "compare.png")
    typer.echo(f"A = {labels[0]}\nB = {labels[1]}")
    typer.echo(printable(table).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    typer.echo(f"written: {out / 'compare.csv'}" + (f", {plot}" if plot else ""))
