"""`halprobe eval`: run probe suites through a model and write a run directory."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from halprobe.pipeline import EvalOptions, run_eval
from halprobe.report.console import print_summary
from halprobe.runner import RunAborted

MODEL_HELP = ("Model spec. Leave out for the embedded SmolLM2-135M-Instruct. "
              "llamacpp:FILE.gguf | hf:HUB_ID_OR_DIR | hf:DIR?gguf=FILE | openai:MODEL")


def eval_command(
    model: str | None = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    suite: list[str] = typer.Option([], "--suite", "-s", help="Suite name or path to a "
                                    "suite.yaml; repeat for several. Default: all four "
                                    "built-in suites."),
    per_bin: int = typer.Option(8, "--per-bin", help="Items sampled from each frequency bin "
                                "of each suite."),
    all_items: bool = typer.Option(False, "--all", help="Ask every item (ignores --per-bin)."),
    limit: int | None = typer.Option(None, "--limit", help="At most this many items in all "
                                     "(strata interleaved first)."),
    seed: int = typer.Option(0, "--seed", help="Seed for sampling items (and sampled decoding)."),
    max_tokens: int = typer.Option(48, "--max-tokens", help="Most tokens generated per answer."),
    out: Path | None = typer.Option(None, "--out", help="Run directory to write (default: "
                                    "results/runs/<run id>)."),
    results: Path = typer.Option(Path("results"), "--results", help="Results root (runs/, "
                                 "cache.sqlite)."),
    cache: Path | None = typer.Option(None, "--cache", help="SQLite response cache "
                                      "(default: RESULTS/cache.sqlite)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
) -> None:
    """Ask a model the probe questions, grade every answer and write a run directory.

    Answers are cached, so a killed or interrupted run resumes where it stopped when the same
    command is run again, and nothing is asked twice.
    """
    opts = EvalOptions(model=model, suites=suite, per_bin=None if all_items else per_bin,
                       limit=limit, seed=seed, max_tokens=max_tokens, out=out, results=results,
                       cache=cache, progress=progress)
    console = Console()
    try:
        result = run_eval(opts)
    except RunAborted as exc:
        console.print(f"[red]halprobe: run stopped: {exc}[/red]\nFinished items are saved; "
                      "fix the cause and rerun the same command to resume.")
        raise typer.Exit(1) from None
    stats = result.stats
    print_summary(result.summary, f"halprobe: {result.config['fingerprint'].get('model')}")
    rate = stats.asked / stats.seconds if stats.seconds and stats.asked else 0.0
    console.print(f"asked {stats.asked}, cache hits {stats.cache_hits}, already done "
                  f"{stats.skipped_done}, errors {stats.errors}; {stats.seconds:.1f} s"
                  + (f" ({rate:.1f} items/s)" if rate else ""))
    console.print(f"run written to [bold]{result.run_dir}[/bold]")
