"""What a ``synth:`` model spec names (``synth:m3?alpha=1&post=idk``), parsed and checked
before any model is built, and how a prompt names a person of the world. Both backends (the
exact m1/m2 one and M3) read it; neither imports the other."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from halprobe.errors import UserError
from halprobe.synth.world import World, make_world
from halprobe.types import Message

IDK = "I don't know."
QUESTION = re.compile(r"When did (?P<name>.+?) die\?")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MODELS = ("m1", "m2", "m3")
POSTS = ("none", "seen", "idk")
MIN_M3_STEPS = 21


@dataclass(frozen=True)
class SynthSpec:
    """What a ``synth:`` spec names (module docstring)."""

    model: str = "m1"
    alpha: float = 1.0
    n: int = 2000
    people: int = 4000
    seed: int = 0
    gamma: float | None = None
    calibrated: bool = False
    post: str = "none"
    fraction: float = 0.0
    steps: int | None = None  # M3's training settings (None: M3Config's defaults)
    d_model: int | None = None
    layers: int | None = None
    batch: int | None = None
    post_steps: int | None = None  # M3's post-training steps (None: m3_post.POST_STEPS)

    def world(self) -> World:
        return _world(self.alpha, self.n, self.seed, self.people)


@functools.lru_cache(maxsize=8)
def _world(alpha: float, n: int, seed: int, people: int) -> World:
    return make_world(alpha, n, seed, people)


def parse_spec(target: str, options: dict[str, Any]) -> SynthSpec:
    """``m2?alpha=1&gamma=.02`` plus backend options -> SynthSpec; a bad value is one line."""
    model, _, query = target.partition("?")
    fields: dict[str, Any] = {**dict(parse_qsl(query)), **options, "model": model}
    types = {"alpha": float, "n": int, "people": int, "seed": int, "gamma": float,
             "fraction": float, "model": str, "post": str, "steps": int, "d_model": int,
             "layers": int, "batch": int, "post_steps": int}
    parsed: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "calibrated":
            parsed[key] = str(value).lower() in ("1", "true", "yes")
        elif key in types:
            try:
                parsed[key] = types[key](value)
            except ValueError:
                raise UserError(f"synth:{target}: {key} must be a number, got {value!r}") \
                    from None
        else:
            raise UserError(f"synth:{target}: unknown setting {key!r}; known: "
                            f"{', '.join(sorted([*types, 'calibrated']))}")
    spec = SynthSpec(**parsed)
    if spec.model not in MODELS or spec.post not in POSTS or not 0 <= spec.fraction <= 1:
        raise UserError(f"synth:{target}: model must be one of {MODELS}, post one of {POSTS}, "
                        "fraction in [0, 1]")
    misplaced = [k for k in ("steps", "d_model", "layers", "batch", "post_steps", "gamma")
               if getattr(spec, k) is not None and (k == "gamma") == (spec.model == "m3")]
    if spec.model == "m3" and (spec.calibrated or spec.fraction):
        misplaced.append("calibrated/fraction")
    if misplaced:
        raise UserError(f"synth:{target}: {', '.join(misplaced)} does not apply to {spec.model} "
                        "(steps, d_model, layers, batch, post_steps: m3 only; gamma: m2; "
                        "calibrated and fraction: m1 and m2, whose belief is exact)")
    if spec.post_steps is not None and spec.post == "none":
        raise UserError(f"synth:{target}: post_steps needs post=seen or post=idk")
    if any(v is not None and v < 1 for v in (spec.d_model, spec.layers, spec.batch,
                                              spec.post_steps)) or \
            (spec.steps is not None and spec.steps < MIN_M3_STEPS):
        raise UserError(f"synth:{target}: d_model, layers, batch and post_steps must be >= 1, "
                        f"steps >= {MIN_M3_STEPS} (M3's one-cycle schedule warms up over 5% of "
                        "them)")
    return spec


def person_of(world: World, prompt: Sequence[Message]) -> int:
    """The person of "When did NAME die?" in the prompt's last message; else a one-line error."""
    match = QUESTION.search(prompt[-1].content)
    name_id = world.names.lookup(match["name"]) if match else None
    person = world.person_of_name.get(name_id) if name_id is not None else None
    if person is None:
        raise UserError(f"synth backend: no person of this world in {prompt[-1].content!r}")
    return person
