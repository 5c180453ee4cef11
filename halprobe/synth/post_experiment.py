"""`halprobe synth --post-training-experiment`: the same tiny transformer before and after
post-training, through `halprobe eval`'s own pipeline (docs/base-vs-instruct.md, the
controlled version; docs/metrics.md 4 and 7).

One Zipf world; M3 trained on its documents (base), and the same weights after each
post-training step of ``m3_post`` (seen: prefer seen facts, confidently; idk: say "I don't
know" where the documents held a fact once or never). Each model answers the same suite of
"When did X die?" questions about distinct people drawn from the world's document
distribution, through ``estimators.run_pipeline`` (runner, grader, ``--samples K``,
``--choices C`` teacher-forced scores, ``--reference-corpus`` = the training documents), and
``analysis.compare.run_table`` reads each run as `halprobe compare` does. Beside the
pipeline's figures, the values the world knows: the monofact rate of the asked people (training
counts) and M3's exact Mis over their prompts (``estimators.M3Oracle``: the network's own g on
every date above 0.1, on "I don't know", and on the gold).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from halprobe.analysis.calibration import sampled_miscalibration
from halprobe.analysis.compare import run_table
from halprobe.analysis.monofact import good_turing_mf
from halprobe.analysis.sampling import item_mis_inputs
from halprobe.synth.estimators import (
    chosen_people,
    oracle_of,
    proxies,
    run_pipeline,
    write_corpus,
    write_suite,
)
from halprobe.synth.spec import SynthSpec

POSTS = {"base": "none", "post-seen": "seen", "post-idk": "idk"}
COLUMNS = ["model", "bin", "n", "mf", "seen_at_most_once", "hr", "abstained", "accuracy",
           "sampled_hr", "mis", "mis_low", "mis_high", "mis_source", "mis_samples_only",
           "mis_exact", "mc_ece", "mc_accuracy", "ece_width10", "spec"]


@dataclass(frozen=True)
class PostConfig:
    """The world, the questions and the training budgets; the defaults run in about ten
    minutes on two shared CPU cores, most of it training (cached afterwards)."""

    alpha: float = 1.0
    n: int = 2000
    people: int = 4000
    seed: int = 0
    items: int = 300
    k: int = 20  # samples a question (docs/metrics.md 4: K >= 20 for Mis)
    choices: int = 3  # distractors scored beside the gold (teacher-forced)
    steps: int = 300  # M3's most pretraining steps (stopped early on held-out documents)
    post_steps: int = 300
    d_model: int | None = None  # M3's size (None: M3Config's defaults); small in tests
    layers: int | None = None
    batch: int | None = None


def specs(config: PostConfig) -> dict[str, SynthSpec]:
    """The three models: base M3 and its two post-trained versions."""
    base = SynthSpec(model="m3", alpha=config.alpha, n=config.n, people=config.people,
                     seed=config.seed, steps=config.steps, d_model=config.d_model,
                     layers=config.layers, batch=config.batch)
    return {name: base if post == "none" else
            SynthSpec(**{**vars(base), "post": post, "post_steps": config.post_steps})
            for name, post in POSTS.items()}


def _model_rows(name: str, spec: SynthSpec, rows: pd.DataFrame, tables: dict[str, pd.DataFrame],
                run: Path, exact: dict[str, float], mf: dict[str, tuple[float, float]]
                ) -> list[dict[str, object]]:
    from halprobe.synth.estimators import spec_text

    summary = tables["summary"]
    summary = summary[summary["suite"] == "synth"].set_index("bin")
    compared = run_table(run)
    compared = compared[compared["suite"] == "synth"].set_index("bin")
    out = []
    for bin_ in compared.index:
        line, seen = summary.loc[bin_], compared.loc[bin_]
        group = rows if bin_ == "all" else rows[rows["bin"].astype(str) == bin_]
        out.append({"model": name, "bin": bin_, "n": int(seen["n"]), "mf": mf[bin_][0],
                    "seen_at_most_once": mf[bin_][1],
                    "hr": seen["hr"], "abstained": seen["abstained"],
                    "accuracy": line["accuracy"], "sampled_hr": line["sampled_hr"],
                    "mis": line["mis"], "mis_low": line["mis_low"],
                    "mis_high": line["mis_high"], "mis_source": line["mis_source"],
                    "mis_samples_only": sampled_miscalibration(item_mis_inputs(group)).mis,
                    "mis_exact": exact[bin_], "mc_ece": seen.get("mc_ece", np.nan),
                    "mc_accuracy": seen.get("mc_accuracy", np.nan),
                    "ece_width10": line["ece_width10"], "spec": spec_text(spec)})
    return out


def run(config: PostConfig, root: Path) -> pd.DataFrame:
    """post_training.csv: per model and bin (and 'all'), the pipeline's figures beside the
    world's exact values (module docstring). Runs are kept under ``root/runs/<model>``."""
    first = next(iter(specs(config).values()))
    world = first.world()
    people = chosen_people(world, config.items, config.seed)
    suite = write_suite(world, people, proxies(world, people, 0.0, config.seed), root / "suite")
    corpus = write_corpus(world, root / "corpus.txt")
    records: list[dict[str, object]] = []
    for name, spec in specs(config).items():
        run_dir = root / "runs" / name
        rows, tables = run_pipeline(spec, suite, corpus, run_dir, config.k, config.choices)
        person = rows["item_id"].str.removeprefix("synth/").astype(int).to_numpy()
        oracle = oracle_of(world, spec, person)
        strata = [(str(b), g) for b, g in rows.groupby(rows["bin"].astype(str))]
        strata.append(("all", rows))
        exact: dict[str, float] = {}
        mf: dict[str, tuple[float, float]] = {}
        for bin_, group in strata:
            chosen = group["item_id"].str.removeprefix("synth/").astype(int).to_numpy()
            exact[bin_] = oracle.mis(chosen)
            counts = world.counts[chosen]
            mf[bin_] = (good_turing_mf(counts), float(np.mean(counts <= 1)))
        records += _model_rows(name, spec, rows, tables, run_dir, exact, mf)
    return pd.DataFrame.from_records(records, columns=COLUMNS)
