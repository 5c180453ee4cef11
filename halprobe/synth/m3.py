"""M3 on one world: train the tiny transformer, sample it, score true documents, estimate.

Imports torch (through ``transformer``); ``experiment`` and the CLI import this module only when
M3 is asked for, so M1/M2 runs and ``import halprobe`` stay torch-free.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from halprobe.analysis.confidence import confidence
from halprobe.scoring import grade
from halprobe.synth.qa import Answer
from halprobe.synth.sampled import SampledEstimate, classify, estimate
from halprobe.synth.transformer import M3Config, TrainedLM, train
from halprobe.synth.world import World
from halprobe.types import Generation, ProbeItem

Progress = Callable[[str, int, int], None]


def fit(world: World, steps: int, progress: Progress | None = None,
        config: M3Config | None = None) -> TrainedLM:
    """Train M3 on the world's documents, seeded by the world's seed, stopped early on held-out
    documents drawn fresh from the world (n/10 of them, at least 500)."""
    config = config or M3Config(steps=steps, seed=world.seed)
    label = f"M3 alpha={world.label} seed={world.seed}"
    total = config.steps
    report = None if progress is None else (lambda step, _loss: progress(label, step, total))
    held_out = true_documents(world, max(500, world.n // 10), world.seed, stream=5)
    return train(world.documents(), config, report, held_out)


def true_documents(world: World, k: int, seed: int, stream: int = 7) -> list[str]:
    """k documents drawn from the true distribution p (fresh draws, not the training set)."""
    rng = np.random.default_rng([seed, stream])
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


def answers(lm: TrainedLM, questions: Sequence[ProbeItem]) -> list[Answer]:
    """M3 answers "When did X die?" by greedy completion of "Fact: X died on".

    Its confidence is halprobe's own (docs/metrics.md 4, ``analysis.confidence``): the probability
    of the date span the grader matched, from its tokens' log-probs.
    """
    prefixes = [f"Fact: {item.subject} died on" for item in questions]
    out = []
    for item, (tokens, logps) in zip(questions, lm.complete(prefixes), strict=True):
        response = f"{item.subject} died on{''.join(tokens)}"
        generation = Generation(text="".join(tokens), tokens=tuple(tokens),
                                token_logprobs=tuple(logps))
        conf = confidence(generation, grade(item, response).matched).value
        out.append(Answer(response, 0.0 if conf is None else conf))
    return out
