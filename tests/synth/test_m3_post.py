"""Post-trained M3 (`synth:m3?...&post=seen|idk&post_steps=N`): the fine-tuning data is decided
from the training documents only, the weights are cached per setting, and the idk step makes
the network abstain where its documents held a fact once or never (docs/metrics.md 7).

The tiny world and model of test_m3_backend (200 documents, width 32, one layer)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest

from halprobe.backends import create
from halprobe.errors import UserError
from halprobe.synth.m3_backend import M3Backend, exact_dates, trained, weights_path
from halprobe.synth.m3_post import post_documents, unmentioned_names
from halprobe.synth.spec import IDK, parse_spec
from halprobe.synth.transformer import IDK as IDK_TOKEN
from halprobe.types import DecodingParams, Message, ScoreRequest

pytestmark = pytest.mark.slow

SPEC = "m3?alpha=1.5&n=200&people=300&seed=0&steps=60&d_model=32&layers=1&batch=32"


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, M3Backend]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HALPROBE_HOME", str(tmp_path_factory.mktemp("home")))
        trained.cache_clear()
        made = {post: create(f"synth:{SPEC}" + (f"&post={post}&post_steps=150" if post else ""))
                for post in ("", "idk", "seen")}
        yield made  # type: ignore[misc]
    trained.cache_clear()


def _greedy(backend: M3Backend, people: list[int]) -> list[str]:
    world = backend.world
    prompts = [[Message("user", f"When did {world.names.name(world.people[p])} die?")]
               for p in people]
    return [g.text for g in backend.generate(prompts, DecodingParams())]


def test_specs_and_cache_files() -> None:
    spec = parse_spec(SPEC + "&post=idk&post_steps=7", {})
    assert spec.post == "idk" and spec.post_steps == 7
    base = weights_path(parse_spec(SPEC, {}))
    assert len({base, weights_path(spec), weights_path(parse_spec(SPEC + "&post=seen", {})),
                weights_path(parse_spec(SPEC + "&post=idk&post_steps=8", {}))}) == 4
    for bad in (SPEC + "&post_steps=5", SPEC + "&post=idk&fraction=0.5",
                "m1?post=idk&post_steps=5", SPEC + "&post=idk&post_steps=0"):
        with pytest.raises(UserError):
            parse_spec(bad, {})


def test_post_documents_come_from_the_training_documents(models: dict[str, M3Backend]
                                                         ) -> None:
    base = models[""]
    world = base.world
    counts = world.counts
    idk = post_documents(world, base.lm, "idk")
    # facts seen at least twice, once each; "I don't know" for each fact seen once and as
    # many names that no document mentions
    facts = [d for d in idk if IDK_TOKEN not in d]
    assert sorted(facts) == sorted(world.document(int(i)) for i in np.flatnonzero(counts >= 2))
    abstain = [d for d in idk if IDK_TOKEN in d]
    assert len(abstain) == 2 * int((counts == 1).sum())
    mentioned = {world.names.name(world.people[i]) for i in np.flatnonzero(counts > 0)}
    fresh = unmentioned_names(world, 50, world.seed)
    assert len(set(fresh)) == 50 and not set(fresh) & mentioned
    seen = post_documents(world, base.lm, "seen")
    truths = {world.document(int(i)) for i in np.flatnonzero(counts > 0)}
    assert truths <= set(seen)  # every seen fact once ...
    others = [d for d in seen if d not in truths]  # ... and M3's own answer for new names
    assert others and all(d.split(" died on")[0].removeprefix("Fact: ") not in mentioned
                          for d in others)


def test_idk_post_training_abstains_where_the_documents_were_thin(
        models: dict[str, M3Backend]) -> None:
    world = models[""].world
    thin = [int(i) for i in np.flatnonzero(world.counts <= 1)[:100]]
    assert IDK not in _greedy(models[""], thin)  # the base model never saw the token used
    said = _greedy(models["idk"], thin)
    assert sum(text == IDK for text in said) / len(said) >= 0.5
    # the exact side agrees: an abstaining greedy answer is no wrong date, and "I don't know"
    # holds mass of its own
    from halprobe.synth.estimators import M3Oracle

    beliefs = exact_dates(models["idk"].lm, world, thin)
    assert [b.abstains for b in beliefs.values()] == [text == IDK for text in said]
    wrong = M3Oracle(world, beliefs).greedy_wrong(np.array(thin))
    assert all(w == 0 for w, text in zip(wrong, said, strict=True) if text == IDK)
    assert np.mean([b.idk for b in beliefs.values()]) > 0.3


def test_seen_post_training_raises_gold_probability_of_facts_seen_once(
        models: dict[str, M3Backend]) -> None:
    world = models[""].world
    once = [int(i) for i in np.flatnonzero(world.counts == 1)]
    before = exact_dates(models[""].lm, world, once)
    after = exact_dates(models["seen"].lm, world, once)
    assert np.mean([after[p].gold for p in once]) > np.mean([before[p].gold for p in once])


def test_score_is_the_teacher_forced_gold_probability(models: dict[str, M3Backend]) -> None:
    backend = models[""]
    world = backend.world
    people = [int(i) for i in np.flatnonzero(world.counts > 0)[:5]]
    exact = exact_dates(backend.lm, world, people)
    requests = [ScoreRequest((Message("user", f"When did {world.names.name(world.people[p])} "
                                      "die?"),), (f"{world.document(p)[-11:-1]}", "no date"))
                for p in people]
    for p, scored in zip(people, backend.score(requests), strict=True):
        assert math.exp(scored.logprobs[0]) == pytest.approx(exact[p].gold, rel=1e-4)
        assert scored.logprobs[1] == -math.inf
