"""The synthetic models as a halprobe backend (`--model synth:...`): the test oracle of the
estimators (docs/metrics.md 3, 4 and 7).

A spec names a world and a model, ``synth:m2?alpha=1&n=2000&people=4000&seed=0&gamma=0.02``:
- world: ``alpha`` (Zipf exponent), ``n`` (training documents), ``people``, ``seed``;
- model: ``m1`` (Good–Turing) or ``m2`` (smoothed, ``gamma`` its date smoothing, fitted by
  leave-one-out when not given; in these worlds the fit sits at its floor, since no
  document ever contradicts another, so the check names a gamma), or ``m3``, the tiny
  transformer trained on the world's documents (``steps``, ``d_model``, ``layers``, ``batch``
  its training settings; served by ``m3_backend``, which alone imports torch);
- ``calibrated=true``: each person's favourite date is the true one with exactly the
  probability the model gives it (the gold drawn from the model's own belief), so the model is
  calibrated by construction; otherwise the favourite is the true date (a seen person) or a
  seeded random date (an unseen one, whose belief is uniform);
- post-training (miscalibrated on purpose): ``post=seen`` moves a ``fraction`` of the
  mass off the favourite date onto it (confident answers where the model knows nothing);
  ``post=idk`` moves that fraction onto "I don't know". For ``m3`` post-training is a real
  fine-tuning step of the network (``m3_post``), ``post_steps`` steps long.
The backend reads the person from "When did NAME die?", answers greedily (temperature 0) or
samples its belief (temperature > 0, seeded by the decoding seed, the sample index and the
person, so the runner's cache and resume work as for any model), and gives no log-probs.
``belief_of`` exposes the exact belief per person, so the check compares every estimate with
the value the world knows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from halprobe.synth.models import SynthModel, good_turing, smoothed
from halprobe.synth.spec import DATE, IDK, SynthSpec, parse_spec, person_of
from halprobe.synth.world import DAYS, World, date_text, day_of
from halprobe.types import Capabilities, DecodingParams, Generation, Message, Scored, ScoreRequest

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Belief:
    """Per person: probability of the favourite date, the favourite, and "I don't know";
    the rest is spread evenly over the other DAYS - 1 dates."""

    q: FloatArray
    favourite: IntArray
    idk: FloatArray

    def other(self) -> FloatArray:
        return (1.0 - self.q - self.idk) / (DAYS - 1)

    def gold_g(self, dates: IntArray) -> FloatArray:
        """g(gold | person): q where the favourite is the true date, else an 'other' date."""
        return np.where(self.favourite == dates, self.q, self.other())


def _model(world: World, spec: SynthSpec) -> SynthModel:
    return good_turing(world) if spec.model == "m1" else smoothed(world, gamma=spec.gamma)


def belief_of(spec: SynthSpec) -> Belief:
    """The exact belief of the spec's model over each person's death date (module docstring).

    M1 and M2 only: M3's belief is a network's (``m3_backend.exact_dates``)."""
    if spec.model not in ("m1", "m2"):
        raise ValueError(f"belief_of: {spec.model} has no closed-form belief")
    world = spec.world()
    q = _model(world, spec).date_prob.astype(np.float64)
    rng = np.random.default_rng([spec.seed, 29])
    wrong = (world.dates + 1 + rng.integers(0, DAYS - 1, size=len(q))) % DAYS
    right = rng.random(len(q)) < q if spec.calibrated else world.counts > 0
    favourite = np.where(right, world.dates, wrong).astype(np.int64)
    idk = np.zeros(len(q))
    moved = spec.fraction * (1.0 - q)
    if spec.post == "seen":
        q = q + moved
    elif spec.post == "idk":
        idk = moved
    return Belief(q, favourite, idk)


class SynthBackend:
    """Answers "When did X die?" from a synthetic model's exact belief (module docstring)."""

    def __init__(self, spec: SynthSpec) -> None:
        self.spec = spec
        self.world = spec.world()
        self.belief = belief_of(spec)
        self.capabilities = Capabilities(logprobs=False, batching=True, max_batch_size=256,
                                         scoring=True, scores_whole_answers=True)

    def fingerprint(self) -> dict[str, Any]:
        return {"backend": "synth", "model": f"synth-{self.spec.model}",
                **{k: v for k, v in vars(self.spec).items() if v is not None}}

    def person(self, prompt: Sequence[Message]) -> int:
        return person_of(self.world, prompt)

    def answer(self, person: int, params: DecodingParams) -> str:
        b = self.belief
        q, idk, other = float(b.q[person]), float(b.idk[person]), float(b.other()[person])
        name = self.world.names.name(self.world.people[person])
        rng = np.random.default_rng([params.seed, params.sample_index, person])
        if params.temperature <= 0:
            if idk > max(q, other):
                return IDK
            day = int(b.favourite[person]) if q > other else int(rng.integers(DAYS))
        else:
            draw = rng.random()
            if draw < idk:
                return IDK
            if draw < idk + q:
                day = int(b.favourite[person])
            else:  # uniform over the other dates
                day = int((b.favourite[person] + 1 + rng.integers(DAYS - 1)) % DAYS)
        return f"{name} died on {date_text(day)}."

    def generate(self, prompts: Sequence[Sequence[Message]],
                 params: DecodingParams) -> list[Generation]:
        return [Generation(text=self.answer(self.person(p), params), finish_reason="stop")
                for p in prompts]

    def g(self, person: int, answer: str) -> float:
        """The exact probability the model answers this date (the first YYYY-MM-DD in the
        text): q for the favourite, the even share of the rest for any other date; 0 for text
        that states no date of the world."""
        found = DATE.search(answer)
        day = day_of(found[0]) if found else None
        if day is None:
            return 0.0
        b = self.belief
        return float(b.q[person] if day == b.favourite[person] else b.other()[person])

    def score(self, requests: Sequence[ScoreRequest]) -> list[Scored]:
        """Teacher-forced scores (``eval --choices``): log g(answer | person), exact."""
        out = []
        for request in requests:
            person = self.person(request.prompt)
            logs = tuple(math.log(g) if g > 0 else -math.inf
                         for g in (self.g(person, c) for c in request.continuations))
            out.append(Scored(logs, tuple(1 for _ in logs)))
        return out

    def close(self) -> None:
        return None


def from_spec(target: str, options: dict[str, Any]) -> Any:
    """Registry factory: ``synth:m1?alpha=1&n=2000`` (``backends.spec.BUILTIN``); M3 is
    served by ``m3_backend`` (imported here only, so m1/m2 stay torch-free)."""
    spec = parse_spec(target, options)
    if spec.model == "m3":
        from halprobe.synth.m3_backend import M3Backend

        return M3Backend(spec)
    return SynthBackend(spec)
