"""M3 on one world: train the tiny transformer, sample it, score true documents, estimate.

Imports torch (through ``transformer``); ``experiment`` and the CLI import this module only when
M3 is asked for, so M1/M2 runs and ``import halprobe`` stay torch-free.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from halprobe.synth.sampled import SampledEstimate, classify, estimate
from halprobe.synth.transformer import M3Config, TrainedLM, train
from halprobe.synth.world import World

Progress = Callable[[str, int, int], None]


def fit(world: World, steps: int, progress: Progress | None = None,
        config: M3Config | None = None) -> TrainedLM:
    """Train M3 on the world's training documents, seeded by the world's seed."""
    config = config or M3Config(steps=steps, seed=world.seed)
    label = f"M3 alpha={world.label} seed={world.seed}"
    total = config.steps
    report = None if progress is None else (lambda step, _loss: progress(label, step, total))
    return train(world.documents(), config, report)


def true_documents(world: World, k: int, seed: int) -> list[str]:
    """k documents drawn from the true distribution p (fresh draws, not the training set)."""
    rng = np.random.default_rng([seed, 7])
    cdf = np.cumsum(world.p)
    people = np.minimum(np.searchsorted(cdf, rng.random(k) * cdf[-1], side="right"),
                        len(world.p) - 1)
    return [world.document(int(i)) for i in people]


def evaluate(world: World, lm: TrainedLM, samples: int, bins: int) -> SampledEstimate:
    """g(H) and Mis of M3 with 95% intervals, from ``samples`` model and world documents."""
    generated = lm.sample(samples, seed=world.seed)
    outcomes = [classify(world, text) for text, _ in generated]
    world_logg = lm.score(true_documents(world, samples, world.seed))
    return estimate([lp for _, lp in generated], outcomes, world_logg, bins=bins,
                    seed=world.seed)


def run(world: World, steps: int, samples: int, bins: int, progress: Progress | None = None
        ) -> tuple[SampledEstimate, float]:
    """Train then evaluate; returns the estimate and the final training loss."""
    lm = fit(world, steps, progress)
    return evaluate(world, lm, samples, bins), lm.final_loss
