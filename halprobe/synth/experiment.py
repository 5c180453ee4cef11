"""The experiment of docs/metrics.md section 7, one world at a time.

Per world and seed: MF, g(H), Mis, the bound and whether it holds; for each world's first seed
also the post-training frontier and the QA view. M1 and M2 are exact; M3 is trained, sampled and
scored (``m3``), the only path that imports torch, and only when asked for.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import pandas as pd

from halprobe.synth import qa
from halprobe.synth.exact import BINS, miscalibration
from halprobe.synth.models import SynthModel, good_turing, smoothed
from halprobe.synth.posttrain import TARGETS, frontier
from halprobe.synth.qa import Answer
from halprobe.synth.sampled import SampledEstimate
from halprobe.synth.theory import DELTA, bound_slack, kv_bound, missing_mass, monofact_rate
from halprobe.synth.world import ALPHAS, DAYS, N_DOCS, PEOPLE, World, make_world
from halprobe.types import ProbeItem

MODELS = ("m1", "m2", "m3")
Progress = Callable[[str, int, int], None]
Answerer = Callable[[Sequence[ProbeItem]], list[Answer]]


@dataclass(frozen=True)
class SynthConfig:
    """What ``halprobe synth`` runs; alpha None is scenario A."""

    alphas: tuple[float | None, ...] = (*ALPHAS, None)
    n: int = N_DOCS
    model: str = "m1"
    seeds: int = 1
    first_seed: int = 0
    delta: float = DELTA
    bins: int = BINS
    people: int = PEOPLE
    smoothing: float | None = None
    m3_steps: int = 1500
    m3_samples: int = 4000
    qa: int = 1000


def worlds(config: SynthConfig) -> Iterator[World]:
    for alpha in config.alphas:
        for seed in range(config.first_seed, config.first_seed + config.seeds):
            yield make_world(alpha, config.n, seed, config.people)


def build_exact(world: World, config: SynthConfig) -> SynthModel:
    """M1 or M2 of the world (M3 has no exact form)."""
    if config.model == "m1":
        return good_turing(world)
    if config.model == "m2":
        return smoothed(world, beta=config.smoothing)
    raise ValueError(f"{config.model} has no exact form; use m1 or m2")


def world_facts(world: World) -> tuple[int, int]:
    """(|F|, |H|): true factoids (one per person) and false ones among all name x date pairs."""
    facts = len(world.people)
    return facts, world.names.size * DAYS - facts


def _base(world: World, config: SynthConfig) -> dict[str, object]:
    facts, hallucinations = world_facts(world)
    return {"world": "A" if world.scenario == "A" else "zipf", "alpha": world.label,
            "seed": world.seed, "n": world.n, "model": config.model,
            "mf": monofact_rate(world.counts), "missing_mass": missing_mass(world.p, world.counts),
            "slack": bound_slack(world.n, facts, hallucinations, config.delta)}


def _bound(world: World, mf: float, mis: float, config: SynthConfig) -> float:
    """The section 2 bound for this world (one place: ``theory.kv_bound``)."""
    facts, hallucinations = world_facts(world)
    return kv_bound(mf, mis, world.n, facts, hallucinations, config.delta)


def exact_row(world: World, model: SynthModel, config: SynthConfig) -> dict[str, object]:
    """Exact g(H), Mis and bound of M1 or M2 on one world."""
    row = _base(world, config)
    g_h, mis = model.exact.hallucination_rate, miscalibration(model.exact, bins=config.bins)
    bound = _bound(world, float(row["mf"]), mis, config)  # type: ignore[arg-type]
    row.update(g_h=g_h, g_h_low=g_h, g_h_high=g_h, mis=mis, mis_low=mis, mis_high=mis,
               bound=bound, holds=g_h >= bound,
               params=";".join(f"{k}={v:.4g}" for k, v in model.params.items()))
    return row


def m3_row(world: World, est: SampledEstimate, params: str, config: SynthConfig
           ) -> dict[str, object]:
    """M3's estimates with 95% intervals; the bound's interval comes from Mis's."""
    row = _base(world, config)
    mf = float(row["mf"])  # type: ignore[arg-type]
    bound = _bound(world, mf, est.mis, config)
    row.update(g_h=est.g_h, g_h_low=est.g_h_ci[0], g_h_high=est.g_h_ci[1], mis=est.mis,
               mis_low=est.mis_ci[0], mis_high=est.mis_ci[1], bound=bound,
               bound_low=_bound(world, mf, est.mis_ci[1], config),
               bound_high=_bound(world, mf, est.mis_ci[0], config),
               holds=est.g_h >= bound, params=params,
               **{f"n_{k}": v for k, v in est.outcomes.items()})
    return row


def evaluate(world: World, config: SynthConfig, progress: Progress | None = None
             ) -> tuple[dict[str, object], Answerer]:
    """The world's row for the configured model, and how that model answers QA items."""
    start = time.perf_counter()
    if config.model == "m3":
        from halprobe.synth import m3  # torch only here

        lm = m3.fit(world, config.m3_steps, progress)
        est = m3.evaluate(world, lm, config.m3_samples, config.bins)
        params = (f"best_step={lm.best_step}/{config.m3_steps};"
                  f"held_out_loss={lm.held_out_loss:.4f};train_loss={lm.final_loss:.4f}")
        row = m3_row(world, est, params, config)
        answer: Answerer = partial(m3.answers, lm)
    else:
        model = build_exact(world, config)
        row = exact_row(world, model, config)
        answer = partial(qa.exact_answers, world, model, seed=world.seed)
    row["seconds"] = time.perf_counter() - start
    return row, answer


def world_frontier(world: World, config: SynthConfig) -> pd.DataFrame:
    """Post-training frontier of the exact model (M1 stands in for M3, which has none)."""
    exact_config = config if config.model != "m3" else replace(config, model="m1")
    model = build_exact(world, exact_config)
    m0 = missing_mass(world.p, world.counts)
    parts = [frontier(model.exact, m0, target, bins=config.bins) for target in TARGETS]
    return pd.concat(parts).assign(alpha=world.label, seed=world.seed, model=model.name)


def qa_view(world: World, answer: Answerer, config: SynthConfig) -> pd.DataFrame:
    """Per confidence target: halprobe's grades and rates on "When did X die?"
    (docs/metrics.md 5)."""
    questions = qa.items(world, config.qa, world.seed)
    table = qa.target_table(qa.graded_rows(questions, answer(questions), config.model))
    return table.assign(alpha=world.label, seed=world.seed, model=config.model,
                        mf=monofact_rate(world.counts), bcg=table.attrs["bcg"])


@dataclass(frozen=True)
class SynthResult:
    """Rows per world and seed; frontier and QA view for each world's first seed."""

    rows: pd.DataFrame
    frontier: pd.DataFrame
    qa: pd.DataFrame


def run(config: SynthConfig, progress: Progress | None = None) -> SynthResult:
    """Everything ``halprobe synth`` reports."""
    if config.model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {config.model!r}")
    rows, frontiers, views = [], [], []
    for world in worlds(config):
        row, answer = evaluate(world, config, progress)
        rows.append(row)
        if world.seed == config.first_seed:
            frontiers.append(world_frontier(world, config))
            if config.qa > 0:
                views.append(qa_view(world, answer, config))
    return SynthResult(pd.DataFrame.from_records(rows), pd.concat(frontiers, ignore_index=True),
                       pd.concat(views, ignore_index=True) if views else pd.DataFrame())


def summary(rows: pd.DataFrame) -> pd.DataFrame:
    """One line per world: means over seeds, and in how many seeds the bound held."""
    out = []
    for (world, alpha), group in rows.groupby(["world", "alpha"], sort=False):
        line: dict[str, object] = {"world": world, "alpha": alpha, "n": int(group["n"].iloc[0]),
                                   "seeds": len(group)}
        for col in ("mf", "missing_mass", "g_h", "mis", "bound"):
            line[col] = float(group[col].mean())
        for col in ("g_h_low", "g_h_high", "mis_low", "mis_high"):
            line[col] = float(group[col].iloc[0]) if len(group) == 1 else np.nan
        line["holds"] = int(group["holds"].sum())
        out.append(line)
    return pd.DataFrame.from_records(out)
