"""M3 as a `synth:` backend: trained once and cached, answering through `halprobe eval`'s own
runner and grader, with token log-probs that agree with its exact date probabilities
(issue 16; docs/metrics.md 4 and 7).

A tiny world and a tiny model (200 documents, one layer of width 32, 60 steps: about 15 s on
two loaded cores) that has learned the document format but few dates."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from halprobe.backends import create
from halprobe.errors import UserError
from halprobe.synth.estimators import run_pipeline, write_corpus, write_suite
from halprobe.synth.m3_backend import M3Backend, exact_dates, trained, weights_path
from halprobe.synth.spec import parse_spec
from halprobe.types import DecodingParams, Message

pytestmark = pytest.mark.slow

SPEC = "m3?alpha=1.5&n=200&people=300&seed=0&steps=60&d_model=32&layers=1&batch=32"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[M3Backend]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HALPROBE_HOME", str(tmp_path_factory.mktemp("home")))
        trained.cache_clear()
        made = create(f"synth:{SPEC}")
        assert isinstance(made, M3Backend)
        yield made
    trained.cache_clear()


def _ask(backend: M3Backend, people: list[int], params: DecodingParams) -> list[tuple]:
    world = backend.world
    prompts = [[Message("user", f"When did {world.names.name(world.people[p])} die?")]
               for p in people]
    return [(g.text, g.tokens, g.token_logprobs) for g in backend.generate(prompts, params)]


def test_weights_are_cached_and_reused(backend: M3Backend) -> None:
    path = weights_path(parse_spec(SPEC, {}))
    assert path.exists() and backend.weights == path.stem
    before = path.stat()
    trained.cache_clear()
    again = create(f"synth:{SPEC}")  # same HALPROBE_HOME: loads, does not retrain
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert isinstance(again, M3Backend) and again.lm.best_step == backend.lm.best_step
    for a, b in zip(again.lm.model.parameters(), backend.lm.model.parameters(), strict=True):
        assert bool((a == b).all())
    other = weights_path(parse_spec(SPEC.replace("steps=60", "steps=61"), {}))
    assert other != path  # a different training config is a different file


def test_bad_m3_specs_are_one_line_errors() -> None:
    for bad in ("m3?gamma=0.1", "m3?post=idk&fraction=0.5", "m1?steps=30", "m3?steps=20",
                "m3?d_model=0"):
        with pytest.raises(UserError, match="synth:"):
            parse_spec(bad, {})


def test_greedy_log_probs_match_the_exact_date_walk(backend: M3Backend) -> None:
    world, lm = backend.world, backend.lm
    people = [int(p) for p in np.argsort(-world.counts)[:6]]
    exact = exact_dates(lm, world, people, threshold=1e-3)
    dated = 0
    for person, (text, tokens, logps) in zip(people, _ask(backend, people, DecodingParams()),
                                             strict=True):
        assert text.startswith(f"{world.names.name(world.people[person])} died on")
        assert len(tokens) == len(logps) and all(lp <= 0 for lp in logps)
        greedy = exact[person].greedy
        if greedy is not None:  # g(date + ".") from the walk = the greedy tokens' product
            dated += 1
            assert exact[person].big[greedy] == pytest.approx(math.exp(sum(logps)), rel=1e-4)
        if greedy == world.dates[person]:
            assert exact[person].gold == pytest.approx(math.exp(sum(logps)), rel=1e-4)
    assert dated >= 4  # it has learned to write dates


def test_sampling_is_seeded_by_seed_index_and_person(backend: M3Backend) -> None:
    people = list(range(8))
    first = _ask(backend, people, DecodingParams(temperature=1.0, sample_index=1))
    assert first == _ask(backend, people, DecodingParams(temperature=1.0, sample_index=1))
    alone = _ask(backend, people[3:4], DecodingParams(temperature=1.0, sample_index=1))
    # a person's sample does not depend on its batch (log-probs up to float rounding)
    assert alone[0][:2] == first[3][:2] and alone[0][2] == pytest.approx(first[3][2], abs=1e-5)
    others = [_ask(backend, people, DecodingParams(temperature=1.0, sample_index=k))
              for k in range(2, 6)]
    assert any(o != first for o in others)


def test_answers_through_the_eval_runner_and_grader(backend: M3Backend, tmp_path: Path
                                                    ) -> None:
    """The runner, grader, --samples 3 and the reference corpus, as `halprobe eval` runs them;
    each greedy label agrees with the oracle's greedy date."""
    world, spec = backend.world, backend.spec
    people = np.array([int(p) for p in np.argsort(-world.counts)[:10]])
    proxy = world.p[people] * 1e6
    suite = write_suite(world, people, proxy, tmp_path / "suite")
    corpus = write_corpus(world, tmp_path / "corpus.txt")
    rows, tables = run_pipeline(spec, suite, corpus, tmp_path / "run", 3)
    assert len(rows) == len(people)
    exact = exact_dates(backend.lm, world, people.tolist())
    for _, row in rows.iterrows():
        person = int(row["item_id"].removeprefix("synth/"))
        right = exact[person].greedy == world.dates[person]
        assert (row["label"] == "correct") == right, row["response"]
        if row["label"] in ("correct", "hallucinated"):
            assert row["confidence_source"] == "logprobs:answer_span"
            assert 0 < row["confidence"] <= 1
    overall = tables["summary"]
    line = overall[(overall["suite"] == "synth") & (overall["bin"] == "all")].iloc[0]
    assert not pd.isna(line["mis"]) and 0 <= line["sampled_hr"] <= 1
