"""One row per (world, seed, model): MF, g(H), Mis, the bound and whether it holds (METRICS.md 7).

M1 and M2 are exact; M3 is trained, sampled and scored (``transformer`` + ``sampled``), which is
the only path that imports torch, and only when asked for.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from halprobe.synth.exact import BINS, miscalibration
from halprobe.synth.models import SynthModel, good_turing, smoothed
from halprobe.synth.theory import DELTA, bound_slack, missing_mass, monofact_rate
from halprobe.synth.world import ALPHAS, DAYS, N_DOCS, PEOPLE, World, make_world

MODELS = ("m1", "m2", "m3")
Progress = Callable[[str, int, int], None]


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


def exact_row(world: World, config: SynthConfig) -> dict[str, object]:
    """Exact g(H), Mis and bound of M1 or M2 on one world."""
    start = time.perf_counter()
    model = build_exact(world, config)
    row = _base(world, config)
    g_h, mis = model.exact.hallucination_rate, miscalibration(model.exact, bins=config.bins)
    bound = float(row["mf"]) - mis - float(row["slack"])  # type: ignore[arg-type]
    row.update(g_h=g_h, g_h_low=g_h, g_h_high=g_h, mis=mis, mis_low=mis, mis_high=mis,
               bound=bound, holds=g_h >= bound,
               params=";".join(f"{k}={v:.4g}" for k, v in model.params.items()),
               seconds=time.perf_counter() - start)
    return row


def m3_row(world: World, config: SynthConfig, progress: Progress | None = None
           ) -> dict[str, object]:
    """Train M3 on the world's documents; estimate g(H) and Mis from samples, with CIs."""
    from halprobe.synth import m3  # torch only here

    start = time.perf_counter()
    row = _base(world, config)
    est, final_loss = m3.run(world, config.m3_steps, config.m3_samples, config.bins, progress)
    slack, mf = float(row["slack"]), float(row["mf"])  # type: ignore[arg-type]
    bound = mf - est.mis - slack
    row.update(g_h=est.g_h, g_h_low=est.g_h_ci[0], g_h_high=est.g_h_ci[1], mis=est.mis,
               mis_low=est.mis_ci[0], mis_high=est.mis_ci[1], bound=bound,
               bound_low=mf - est.mis_ci[1] - slack, bound_high=mf - est.mis_ci[0] - slack,
               holds=est.g_h >= bound, params=f"steps={config.m3_steps};loss={final_loss:.3f}",
               seconds=time.perf_counter() - start,
               **{f"n_{k}": v for k, v in est.outcomes.items()})
    return row


def run(config: SynthConfig, progress: Progress | None = None) -> pd.DataFrame:
    """All rows of the experiment, one per world and seed."""
    if config.model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {config.model!r}")
    rows = [m3_row(w, config, progress) if config.model == "m3" else exact_row(w, config)
            for w in worlds(config)]
    return pd.DataFrame.from_records(rows)


def summary(rows: pd.DataFrame) -> pd.DataFrame:
    """One line per world: means over seeds, and in how many seeds the bound held."""
    out = []
    for (world, alpha), group in rows.groupby(["world", "alpha"], sort=False):
        line: dict[str, object] = {"world": world, "alpha": alpha, "n": int(group["n"].iloc[0]),
                                   "seeds": len(group)}
        for col in ("mf", "missing_mass", "g_h", "mis", "bound"):
            line[col] = float(group[col].mean())
        for col in ("g_h_low", "g_h_high", "mis_low", "mis_high"):
            line[col] = float(group[col].mean()) if len(group) == 1 else np.nan
        line["holds"] = int(group["holds"].sum())
        out.append(line)
    return pd.DataFrame.from_records(out)
