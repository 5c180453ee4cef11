"""The synthetic models as a backend (`synth:`): spec parsing, greedy and sampled answers that
halprobe's own grader reads (issue 16)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from halprobe.backends import create
from halprobe.errors import UserError
from halprobe.scoring import grade
from halprobe.synth.backend import SynthBackend, belief_of
from halprobe.synth.spec import IDK, parse_spec
from halprobe.synth.world import date_text
from halprobe.types import (
    AnswerType,
    DecodingParams,
    Message,
    Precision,
    ProbeItem,
    ScoreRequest,
)

SPEC = "m2?alpha=1&n=800&people=1500&seed=3&gamma=0.0005"


def _ask(backend: SynthBackend, person: int, params: DecodingParams) -> str:
    name = backend.world.names.name(backend.world.people[person])
    return backend.generate([[Message("user", f"When did {name} die?")]], params)[0].text


def _item(backend: SynthBackend, person: int) -> ProbeItem:
    gold = date_text(backend.world.dates[person])
    return ProbeItem(id="x", suite="synth", question="q", answer=gold, aliases=(gold,),
                     answer_type=AnswerType.DATE, precision=Precision.DAY)


def test_registered_and_bad_specs_are_one_line_errors() -> None:
    backend = create(f"synth:{SPEC}")
    assert isinstance(backend, SynthBackend) and backend.fingerprint()["gamma"] == 0.0005
    for bad in ("m9", "m1?alpha=x", "m1?colour=red", "m1?post=seen&fraction=2"):
        with pytest.raises(UserError, match="synth:"):
            parse_spec(bad, {})


def test_greedy_answers_the_favourite_and_the_grader_reads_it() -> None:
    backend = SynthBackend(parse_spec(SPEC, {}))
    seen = int(np.argmax(backend.world.counts))  # the most documented person: q near 1
    text = _ask(backend, seen, DecodingParams())
    assert str(grade(_item(backend, seen), text).label) == "correct"
    unseen = int(np.flatnonzero(backend.world.counts == 0)[0])  # a uniform belief
    assert str(grade(_item(backend, unseen), _ask(backend, unseen, DecodingParams())).label) \
        == "hallucinated"


def test_samples_follow_the_belief_and_post_training_moves_mass() -> None:
    backend = SynthBackend(parse_spec(SPEC, {}))
    belief = backend.belief
    person = int(np.flatnonzero(backend.world.counts == 2)[0])  # q = 2/(2 + 9.1) ~ .18
    texts = [_ask(backend, person, DecodingParams(temperature=1.0, sample_index=k))
             for k in range(1, 801)]
    favourite = date_text(belief.favourite[person])
    share = sum(favourite in t for t in texts) / len(texts)
    assert share == pytest.approx(belief.q[person], abs=0.04)
    assert texts == [_ask(backend, person, DecodingParams(temperature=1.0, sample_index=k))
                     for k in range(1, 801)]  # seeded: the cache and resume see the same
    idk = belief_of(parse_spec(SPEC + "&post=idk&fraction=0.5", {}))
    assert idk.idk[person] == pytest.approx(0.5 * (1 - belief.q[person]))
    assert IDK == "I don't know."


def test_score_gives_the_exact_log_probability_of_each_answer() -> None:
    """M2, a person seen once, whose favourite is the true date at q: the true date scores
    ln q, any other date ln((1 - q) / 18,249), and text with no date of the world -inf."""
    backend = SynthBackend(parse_spec(SPEC, {}))
    world, belief = backend.world, backend.belief
    person = int(np.flatnonzero(world.counts == 1)[0])
    name = world.names.name(world.people[person])
    gold = date_text(world.dates[person])
    other = date_text((world.dates[person] + 1) % 18_250)
    q = float(belief.q[person])
    [scored] = backend.score([ScoreRequest((Message("user", f"When did {name} die?"),),
                                           (gold, f"{name} died on {other}.", "no idea"))])
    assert scored.logprobs[0] == pytest.approx(math.log(q))
    assert scored.logprobs[1] == pytest.approx(math.log((1 - q) / 18_249))
    assert scored.logprobs[2] == -math.inf
    assert backend.capabilities.scoring
