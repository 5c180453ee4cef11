"""Post-trained M3: the same tiny transformer fine-tuned after pretraining (docs/metrics.md 7).

Two post-training steps, each decided from the world's training documents only (which people
they state and how often), never from the questions' answers:

- ``seen`` (prefer what it saw, and say it with confidence): fine-tune on every seen fact once
  (one document per person seen in training, so a fact seen once weighs as much as one seen
  fifty times), plus the model's own greedy answer for as many names that no training document
  mentions (self-distillation on its most likely answer: the entropy falls where it knows
  nothing, the mode-seeking a preference step gives). Facts seen once are learnt; unseen
  people get one confident date instead of a spread.
- ``idk`` (say "I don't know" when unsure): fine-tune on the facts seen at least twice, and
  "Fact: NAME died on I don't know." for every person seen once and for as many names that
  no training document mentions.

Both run ``post_steps`` steps of AdamW at a constant rate from the pretrained weights
(``transformer.fine_tune``), seeded by the world; the weights are cached beside the base ones
(``m3_backend.weights_path``, keyed by the post-training settings too).
"""

from __future__ import annotations

import numpy as np

from halprobe.synth.transformer import IDK, TrainedLM, fine_tune
from halprobe.synth.world import World

POSTS = ("seen", "idk")
POST_STEPS = 300
POST_LR = 1e-3


def unmentioned_names(world: World, k: int, seed: int) -> list[str]:
    """k names of the universe that no training document mentions (drawn by the seed)."""
    mentioned = {int(world.people[i]) for i in np.flatnonzero(world.counts > 0)}
    rng = np.random.default_rng([seed, 43])
    out: list[str] = []
    while len(out) < k:
        for name_id in rng.integers(0, world.names.size, size=2 * k).tolist():
            if name_id not in mentioned and len(out) < k:
                mentioned.add(name_id)
                out.append(world.names.name(name_id))
    return out


def post_documents(world: World, lm: TrainedLM, post: str) -> list[str]:
    """The fine-tuning documents of one post-training step (module docstring)."""
    if post not in POSTS:
        raise ValueError(f"post must be one of {POSTS}, got {post!r}")
    seen = np.flatnonzero(world.counts > 0)
    if post == "seen":
        names = unmentioned_names(world, len(seen), world.seed)
        prefixes = [f"Fact: {name} died on" for name in names]
        greedy = [f"{p}{''.join(tokens)}" for p, (tokens, _) in
                  zip(prefixes, lm.complete(prefixes), strict=True)]
        own = [text for text in greedy if text.endswith(".")]
        return [world.document(int(i)) for i in seen] + own
    repeated = np.flatnonzero(world.counts >= 2)
    once = np.flatnonzero(world.counts == 1)
    unsure = [world.names.name(world.people[i]) for i in once]
    unsure += unmentioned_names(world, len(once), world.seed)
    return [world.document(int(i)) for i in repeated] + \
        [f"Fact: {name} died on{IDK}." for name in unsure]


def post_train(world: World, lm: TrainedLM, post: str, steps: int = POST_STEPS) -> TrainedLM:
    """The pretrained M3 fine-tuned by one post-training step (module docstring)."""
    return fine_tune(lm, post_documents(world, lm, post), steps, POST_LR, world.seed)
