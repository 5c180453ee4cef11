"""`halprobe tune-prompt`: which prompt transform lowers hallucination on domains it has not
seen (docs/metrics.md section 8).

One eval run asks every sampled item plainly and under every candidate transform (built-in:
the confidence target at --score-t, "idk", "verify"; plus every transform in --transforms),
then scores each candidate by its gain over the plain prompt per domain (suite x bin): in
score_t (--gain score) or the drop in hallucination rate at equal coverage (--gain hr-drop),
s_k = mean - alpha sd, and leave-one-domain-out. Writes transfer_domains.csv,
transfer_scores.csv, lodo.csv and lodo.json into the run directory.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.console import Console

from halprobe.analysis.transfer import GAINS, nan_to_none, transfer_tables
from halprobe.commands.eval_cmd import MODEL_HELP, run_or_exit
from halprobe.errors import UserError
from halprobe.run.pipeline import EvalOptions, EvalResult
from halprobe.store.rundir import RunDir
from halprobe.variants.transforms import PLAIN, load_file

BUILTIN_CANDIDATES = ("idk", "verify")


def candidates(score_t: float, transforms_file: Path | None, chosen: list[str]) -> list[str]:
    """The transforms to compare: those named, else the built-ins and the user's."""
    if chosen:
        return [c for c in chosen if c != PLAIN]
    user = list(load_file(transforms_file)) if transforms_file is not None else []
    return [f"target-{score_t:g}", *BUILTIN_CANDIDATES, *user]


def tune_command(
    model: str | None = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    transforms_file: Path | None = typer.Option(None, "--transforms", help="YAML file of "
                                                "your own prompt transforms (all are tried)."),
    candidate: list[str] = typer.Option([], "--candidate", help="Only these transforms "
                                        "(repeat); default: target-T, idk, verify and "
                                        "every one in --transforms."),
    suite: list[str] = typer.Option([], "--suite", "-s", help="Suite name or suite.yaml; "
                                    "repeat. Default: the four built-in suites."),
    per_bin: int = typer.Option(5, "--per-bin", help="Items per suite x bin (domain)."),
    limit: int | None = typer.Option(None, "--limit", help="At most this many base items."),
    seed: int = typer.Option(0, "--seed", help="Seed for sampling items and the bootstrap."),
    score_t: float = typer.Option(0.75, "--score-t", help="Score answers as under target t: "
                                  "+1 correct, -t/(1-t) hallucinated, 0 otherwise."),
    alpha: float = typer.Option(1.0, "--alpha", help="s_k = mean gain - alpha x sd gain."),
    gain: str = typer.Option("score", "--gain", help="score: gain in score_t at --score-t; "
                             "hr-drop: drop in hallucination rate at equal coverage (the "
                             "plain prompt cut to the transform's answer rate by confidence)."),
    max_tokens: int = typer.Option(48, "--max-tokens", help="Most tokens per answer."),
    results: Path = typer.Option(Path("results"), "--results", help="Results root."),
    out: Path | None = typer.Option(None, "--out", help="Run directory to write."),
    cache: Path | None = typer.Option(None, "--cache", help="SQLite response cache."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar."),
) -> None:
    """Compare prompt transforms across domains and say which one generalises."""
    if not 0 <= score_t < 1:
        raise UserError(f"--score-t must be in [0, 1), got {score_t}")
    if not alpha >= 0 or math.isinf(alpha):
        raise UserError(f"--alpha must be a number >= 0, got {alpha}")
    if gain not in GAINS:
        raise UserError(f"--gain must be one of {', '.join(GAINS)}, got {gain!r}")
    names = candidates(score_t, transforms_file, candidate)
    opts = EvalOptions(model=model, suites=suite, per_bin=per_bin, limit=limit, seed=seed,
                       max_tokens=max_tokens, out=out, results=results, cache=cache,
                       progress=progress, prompt_transforms=[PLAIN, *names],
                       transforms_file=transforms_file)
    console = Console()
    result = run_or_exit(opts, console)
    assert isinstance(result, EvalResult)
    tables = write_tables(result.run_dir, score_t, alpha, seed, names, gain)
    print_tables(tables, console, score_t, alpha, gain)
    console.print(f"run written to [bold]{result.run_dir}[/bold]")


def write_tables(run_dir: Path, score_t: float, alpha: float, seed: int,
                 names: list[str], gain: str = "score") -> dict[str, Any]:
    """Transfer tables of a tune-prompt run, written next to its responses."""
    rows = pd.DataFrame(RunDir(run_dir).read_rows())
    tables = transfer_tables(rows, score_t, alpha, seed=seed, candidates=names, gain=gain)
    for name in ("domains", "scores", "lodo"):
        table = tables[name]
        assert isinstance(table, pd.DataFrame)
        file = "lodo.csv" if name == "lodo" else f"transfer_{name}.csv"
        table.to_csv(run_dir / file, index=False, float_format="%.4f")
    summary = {k: nan_to_none(v) for k, v in dict(tables["summary"]).items()}  # type: ignore[call-overload]
    (run_dir / "lodo.json").write_text(json.dumps(
        {"gain": gain, "score_t": score_t if gain == "score" else None, "alpha": alpha,
         "n_items": tables["n_items"], **summary},
        indent=2) + "\n", encoding="utf-8")
    return tables


def print_tables(tables: dict[str, Any], console: Console, score_t: float,
                 alpha: float, gain: str = "score") -> None:
    fmt = {"float_format": lambda v: f"{v:+.3f}", "index": False}
    what = (f"gain in score_t (t = {score_t:g})" if gain == "score"
            else "drop in hallucination rate at equal coverage")
    console.print(f"\n[bold]{what} over the plain prompt, "
                  f"s_k = mean - {alpha:g} sd, over {tables['n_items']} items[/bold]")
    if not len(tables["scores"]):
        console.print("no item was graded under the plain prompt and every transform")
        return
    console.print(tables["scores"].to_string(**fmt), markup=False, highlight=False)
    console.print("\n[bold]leave-one-domain-out[/bold]")
    console.print(tables["lodo"].to_string(**fmt), markup=False, highlight=False)
    summary = tables["summary"]
    if summary:
        console.print(f"\nheld-out gain {summary['mean_gain']:+.3f} "
                      f"[{summary['mean_gain_low']:+.3f}, {summary['mean_gain_high']:+.3f}]; "
                      f"worst domain {summary['worst_domain']} ({summary['worst_gain']:+.3f})")
        best = summary["chosen_on_all"]
        console.print(f"chosen on all domains: [bold]{best}[/bold]"
                      + ("" if best == PLAIN else f"; use it with `halprobe eval "
                         f"--prompt-transform {best}`"))
