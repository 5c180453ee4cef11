"""`halprobe import inspect LOGFILE` | `halprobe import lm-eval SAMPLES.jsonl`: another
harness's answers to a halprobe suite as a halprobe run directory (halprobe/integrations/)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from halprobe.integrations.import_run import Imported, write_run
from halprobe.report.console import print_summary

import_app = typer.Typer(help="Turn another harness's answers to a halprobe suite into a "
                         "halprobe run directory (graded with halprobe's grader).",
                         no_args_is_help=True, rich_markup_mode=None)

OUT_HELP = "Run directory to write (default: RESULTS/runs/<run id>)."
RESULTS_HELP = "Results root: the run goes to RESULTS/runs/ and leaderboard.csv is updated."


def _print(result: Imported, title: str) -> None:
    console = Console()
    print_summary(result.summary, title, console)
    labels = ", ".join(f"{label} {n}" for label, n in sorted(result.labels.items()))
    console.print(f"imported {sum(result.labels.values())} answers: {labels}", markup=False,
                  highlight=False)
    if result.n_compared:
        console.print(f"labels in the harness log: {result.n_compared - result.n_differ} of "
                      f"{result.n_compared} the same as halprobe's grading now", markup=False)
    console.print(f"run written to {result.run_dir} (report: "
                  f"{result.run_dir / 'report.html'})", markup=False, highlight=False)


@import_app.command("inspect")
def import_inspect(
    log: Path = typer.Argument(..., help="An inspect_ai eval log (.eval or .json) of a "
                               "halprobe task (inspect eval halprobe/<suite>)."),
    out: Path | None = typer.Option(None, "--out", help=OUT_HELP),
    results: Path = typer.Option(Path("results"), "--results", help=RESULTS_HELP),
) -> None:
    """Import an inspect eval log of a halprobe task (read with inspect's log API)."""
    from halprobe.integrations.inspect_import import read_answers

    run, answers = read_answers(log)
    _print(write_run(run, answers, out, results), f"halprobe (imported from inspect): {run.model}")


@import_app.command("lm-eval")
def import_lm_eval(
    samples: Path = typer.Argument(..., help="The samples_halprobe_<suite>_<time>.jsonl that "
                                   "lm_eval --log_samples wrote for a task from `halprobe "
                                   "export lm-eval`."),
    model: str | None = typer.Option(None, "--model", help="Model name for the run "
                                     "(default: from lm-eval's results_<time>.json beside "
                                     "the samples file)."),
    out: Path | None = typer.Option(None, "--out", help=OUT_HELP),
    results: Path = typer.Option(Path("results"), "--results", help=RESULTS_HELP),
) -> None:
    """Grade lm-evaluation-harness answers with halprobe's grader; write a run directory."""
    from halprobe.integrations.lm_eval_import import read_answers

    run, answers = read_answers(samples, model)
    _print(write_run(run, answers, out, results), f"halprobe (imported from lm-eval): {run.model}")
