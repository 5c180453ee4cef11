"""`halprobe synth`: check the Kalai–Vempala theorem in a synthetic world (docs/metrics.md
section 7)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from halprobe.errors import UserError
from halprobe.synth.names import N_FIRST, N_LAST

if TYPE_CHECKING:  # the synth package (scipy, statsmodels, matplotlib) loads on use only
    import pandas as pd

    from halprobe.synth.experiment import SynthConfig, SynthResult

ALPHAS = (0.5, 1.0, 1.5, 2.0)
MODELS = ("m1", "m2", "m3")
BINS = 10

ALPHA_HELP = ("Zipf exponent(s) of the world; repeat or give a comma list (0.5,1,1.5,2). "
              "Default: all four, plus scenario A.")


def parse_alphas(values: list[str]) -> list[float]:
    """'0.5,1' and repeated options -> [0.5, 1.0]; each must be a positive number."""
    alphas: list[float] = []
    for value in values:
        for part in value.split(","):
            try:
                alpha = float(part)
            except ValueError:
                raise UserError(f"--alpha: not a number: {part.strip()!r}") from None
            if not alpha > 0 or math.isinf(alpha):
                raise UserError(f"--alpha must be a positive number, got {part.strip()}")
            alphas.append(alpha)
    return alphas


def _config(alpha: list[str], scenario_a: bool, **options: object) -> SynthConfig:
    alphas = parse_alphas(alpha)
    worlds: tuple[float | None, ...] = (*alphas, *([None] if scenario_a else []))
    if not worlds:
        worlds = (*ALPHAS, None)
    from halprobe.synth.experiment import SynthConfig

    if options["model"] not in MODELS:
        raise UserError(f"--model must be one of {', '.join(MODELS)}, got {options['model']}")
    for name in ("n", "seeds", "bins", "m3_steps", "m3_samples", "people"):
        if int(options[name]) < 1:  # type: ignore[call-overload]
            raise UserError(f"--{name.replace('_', '-')} must be at least 1")
    if int(options["bins"]) < 10:  # type: ignore[call-overload]
        raise UserError("--bins must be at least 10 (one bin always gives Mis = 0)")
    if int(options["people"]) > N_FIRST * N_LAST:  # type: ignore[call-overload]
        raise UserError(f"--people must be at most {N_FIRST * N_LAST:,}, the names there are")
    smoothing = options["smoothing"]
    if smoothing is not None and not float(smoothing) > 0:  # type: ignore[arg-type]
        raise UserError("--smoothing must be positive")
    return SynthConfig(alphas=worlds, **options)  # type: ignore[arg-type]


def _cell(value: float, low: float, high: float) -> str:
    """A value, with its 95% interval on a second line when it has one."""
    if math.isnan(low) or math.isclose(low, high):
        return f"{value:.4f}"
    return f"{value:.4f}\n[{low:.3f}, {high:.3f}]"


def _num(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.3f}"


def print_table(result: SynthResult, console: Console) -> None:
    """alpha, n, MF, g(H), Mis, bound, holds? (means over seeds; 95% CIs for M3)."""
    from halprobe.synth.experiment import summary

    lines = summary(result.rows)
    model = str(result.rows["model"].iloc[0]).upper()
    seeds = int(lines["seeds"].iloc[0])
    table = Table(title=f"halprobe synth: {model}, {seeds} seed(s) per world",
                  title_justify="left", caption_justify="left",
                  caption="bound = MF - Mis - 3|F|/(delta |H|) - sqrt(6 ln(6/delta) / n), "
                  "which holds with probability >= 1 - delta (docs/metrics.md 2)"
                  + ("; M1 puts mass MF on unseen factoids by construction, so g(H) = MF is "
                     "an identity here, not a test: --check-estimators tests the estimators"
                     if model == "M1" else ""))
    for header in ("alpha", "n", "MF", "missing mass", "g(H)", "Mis", "bound", "holds?"):
        table.add_column(header, justify="left" if header == "alpha" else "right")
    for _, line in lines.iterrows():
        holds = f"{line['holds']}/{line['seeds']}" if line["seeds"] > 1 else \
            ("yes" if line["holds"] else "NO")
        table.add_row("scenario A" if line["alpha"] == "A" else str(line["alpha"]),
                      f"{line['n']:,}", f"{line['mf']:.4f}", f"{line['missing_mass']:.4f}",
                      _cell(line["g_h"], line["g_h_low"], line["g_h_high"]),
                      _cell(line["mis"], line["mis_low"], line["mis_high"]),
                      f"{line['bound']:.4f}", holds)
    console.print(table)


def print_qa(qa: pd.DataFrame, console: Console) -> None:
    """The QA view: halprobe's grades of "When did X die?" per world and confidence target."""
    table = Table(title="QA view, first seed: answer only if confidence > t, else \"I don't "
                  "know\" (graded by halprobe.scoring)", title_justify="left")
    for header in ("alpha", "t", "MF", "answer rate", "halluc. rate [95% CI]", "abstained",
                   "precision_t", "score_t"):
        table.add_column(header, justify="left" if header == "alpha" else "right")
    for _, r in qa.iterrows():
        table.add_row("scenario A" if r["alpha"] == "A" else str(r["alpha"]), f"{r['target']:g}",
                      f"{r['mf']:.3f}", f"{r['answer_rate']:.3f}",
                      f"{r['hallucination_rate']:.3f} [{r['hallucination_rate_low']:.3f}, "
                      f"{r['hallucination_rate_high']:.3f}]", f"{r['abstention_rate']:.3f}",
                      _num(r["precision_t"]), f"{r['score_t']:.3f}")
    console.print(table)


def write_outputs(result: SynthResult, out: Path) -> list[Path]:
    """CSV files and the two plots under ``out`` (which exists)."""
    from halprobe.synth.plots import plot_frontier, plot_g_vs_mf

    paths = [out / "synth.csv", out / "synth_frontier.csv"]
    result.rows.to_csv(paths[0], index=False)
    result.frontier.to_csv(paths[1], index=False)
    if not result.qa.empty:
        paths.append(out / "synth_qa.csv")
        result.qa.to_csv(paths[-1], index=False)
    paths.append(plot_g_vs_mf(result.rows, out / "g_vs_mf.png"))
    paths.append(plot_frontier(result.frontier, out / "frontier.png"))
    return paths


def run_estimator_check(alpha: list[str], n: int, people: int, seeds: int, items: int,
                        noise: float, out: Path, m3_steps: int = 0) -> None:
    """`--check-estimators`: estimators.csv and estimators.png under ``out``."""
    from halprobe.synth.estimators import CheckConfig, check
    from halprobe.synth.plots import plot_estimators
    from halprobe.synth.spec import MIN_M3_STEPS

    if min(n, people, seeds, items) < 1 or noise < 0 or not (
            m3_steps == 0 or m3_steps >= MIN_M3_STEPS):
        raise UserError("--n, --people, --seeds and --qa must be at least 1, --proxy-noise "
                        f">= 0, --check-m3-steps 0 (no M3) or at least {MIN_M3_STEPS}")
    alphas = tuple(parse_alphas(alpha)) or (0.5, 1.0)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output directory {out}: {exc.strerror}") from None
    table = check(CheckConfig(alphas=alphas, n=n, people=people, seeds=seeds, items=items,
                              noise=noise, m3_steps=m3_steps))
    table.to_csv(out / "estimators.csv", index=False, float_format="%.6g")
    plot_estimators(table, out / "estimators.png")
    overall = table[table["quantity"].str.endswith("[bin all]")
                    | ~table["quantity"].str.contains("[", regex=False)]
    console = Console(width=max(Console().width, 120))
    console.print(overall.to_string(index=False, float_format=lambda v: f"{v:.4f}"),
                  markup=False, highlight=False)
    console.print(f"wrote {out / 'estimators.csv'} and {out / 'estimators.png'}")


def run_post_experiment(alpha: list[str], n: int, people: int, items: int, steps: int,
                        post_steps: int, out: Path) -> None:
    """`--post-training-experiment`: post_training.csv and post_training.png under ``out``."""
    from halprobe.synth.plots import plot_post_training
    from halprobe.synth.post_experiment import PostConfig, run
    from halprobe.synth.spec import MIN_M3_STEPS

    alphas = parse_alphas(alpha) or [1.0]
    if len(alphas) > 1 or min(n, people, items, post_steps) < 1 or steps < MIN_M3_STEPS:
        raise UserError("--post-training-experiment takes one --alpha; --n, --people, "
                        f"--check-items and --post-steps at least 1, --steps >= {MIN_M3_STEPS}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output directory {out}: {exc.strerror}") from None
    config = PostConfig(alpha=alphas[0], n=n, people=people, items=items, steps=steps,
                        post_steps=post_steps)
    table = run(config, out)
    table.to_csv(out / "post_training.csv", index=False, float_format="%.4f")
    plot_post_training(table, out / "post_training.png")
    overall = table[table["bin"] == "all"].drop(columns=["spec"])
    console = Console(width=max(Console().width, 140))
    console.print(overall.to_string(index=False, float_format=lambda v: f"{v:.3f}"),
                  markup=False, highlight=False)
    console.print(f"wrote {out / 'post_training.csv'} and {out / 'post_training.png'}; the "
                  f"runs are under {out / 'runs'} (compare two with `halprobe compare`)")


def synth_command(
    alpha: list[str] = typer.Option([], "--alpha", "-a", help=ALPHA_HELP),
    n: int = typer.Option(10_000, "--n", help="Training documents per world."),
    model: str = typer.Option("m1", "--model", "-m", help="m1: Good–Turing generator (exact); "
                              "m2: smoothed name model (exact); m3: tiny transformer (sampled)."),
    seeds: int = typer.Option(1, "--seeds", help="Worlds per alpha (seeds 0..K-1)."),
    scenario_a: bool = typer.Option(False, "--scenario-a", help="Add scenario A: half the "
                                    "documents repeat one fact, half are fresh facts."),
    out: Path = typer.Option(Path("results/synth"), "--out", help="Directory for the CSVs "
                             "and plots."),
    delta: float = typer.Option(0.01, "--delta", help="The bound holds with probability "
                                ">= 1 - delta."),
    bins: int = typer.Option(BINS, "--bins", help="Bins of g for Mis (plus a g = 0 bin)."),
    people: int = typer.Option(20_000, "--people", help="People in a Zipf world."),
    smoothing: float | None = typer.Option(None, "--smoothing", help="M2's add-beta smoothing "
                                           "(default: fitted by leave-one-out)."),
    steps: int = typer.Option(1500, "--steps", help="M3's most training steps (it stops "
                              "early when held-out loss stops falling)."),
    samples: int = typer.Option(4000, "--samples", help="M3 samples for g(H) and Mis."),
    qa_items: int = typer.Option(1000, "--qa", help="QA questions per world (0: no QA view)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    check_estimators: bool = typer.Option(
        False, "--check-estimators", help="Run the real-model estimators (sampled Mis at K = "
        "20, anchored sr/u/s1, the bound, Spearman, logistic slope, sampled HR) through "
        "`halprobe eval`'s own code on synthetic models served as `synth:` backends, and "
        "compare each with the exact value; writes estimators.csv and estimators.png. Uses "
        "--alpha (default 0.5 and 1), --n, --people, --seeds and --check-items."),
    check_items: int = typer.Option(300, "--check-items", help="With --check-estimators: "
                                    "questions a world (distinct people drawn from p)."),
    noise: float = typer.Option(0.0, "--proxy-noise", help="With --check-estimators: sigma of "
                                "the lognormal noise on the proxy (0: the clean proxy)."),
    check_m3_steps: int = typer.Option(0, "--check-m3-steps", help="With --check-estimators: "
                                       "add M3 (synth:m3), trained for at most this many steps "
                                       "on each world (cached; 0: no M3; 300 takes about 2-3 "
                                       "minutes a world on 2 shared cores)."),
    post_training_experiment: bool = typer.Option(
        False, "--post-training-experiment", help="Train M3 (at most --steps steps) on one "
        "world (--alpha, default 1; --n, --people), post-train it twice (seen: prefer seen "
        "facts, confidently; idk: \"I don't know\" where a fact was seen once or never), and "
        "run all three through `halprobe eval`'s pipeline on --check-items questions (20 "
        "samples and 3 teacher-forced distractors each); writes post_training.csv and "
        "post_training.png, with the runs under --out/runs. docs/base-vs-instruct.md used "
        "--n 2000 --people 4000 --steps 300 (about ten minutes on 2 shared cores; cached)."),
    post_steps: int = typer.Option(300, "--post-steps", help="With "
                                   "--post-training-experiment: fine-tuning steps of each "
                                   "post-training."),
) -> None:
    """Train models on a synthetic world with known facts; check the theory's predictions.

    A calibrated model must hallucinate at the monofact rate, and the Kalai–Vempala bound
    must hold (docs/metrics.md section 7).
    """
    if not 0 < delta < 1:
        raise UserError("--delta must be between 0 and 1")
    if check_estimators:
        run_estimator_check(alpha, n, people, seeds, check_items, noise, out, check_m3_steps)
        return
    if post_training_experiment:
        run_post_experiment(alpha, n, people, check_items, steps, post_steps, out)
        return
    config = _config(alpha, scenario_a, n=n, model=model, seeds=seeds, delta=delta, bins=bins,
                     people=people, smoothing=smoothing, m3_steps=steps, m3_samples=samples,
                     qa=max(qa_items, 0))
    try:  # before the run, so that a bad --out fails at once rather than after M3 trains
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output directory {out}: {exc.strerror}") from None
    console = Console()
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
                  "{task.total}"), TimeRemainingColumn(), console=console,
                  disable=not progress or model != "m3", transient=True) as bar:
        tasks: dict[str, object] = {}

        def report(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done)  # type: ignore[arg-type]

        from halprobe.synth.experiment import run

        result = run(config, report)
    print_table(result, console)
    if not result.qa.empty:
        print_qa(result.qa, console)
    for path in write_outputs(result, out):
        console.print(f"wrote {path}")
