"""M1 hallucinates at the monofact rate; M2 is a proper learned model; the bound holds."""

from __future__ import annotations

import time

import numpy as np
import pytest

from halprobe.synth.exact import miscalibration
from halprobe.synth.experiment import SynthConfig, exact_row, world_facts
from halprobe.synth.models import (
    good_turing,
    good_turing_counts,
    loo_name_loglik,
    smoothed,
)
from halprobe.synth.theory import monofact_rate
from halprobe.synth.world import DAYS, make_world, zipf_world

WORLDS = [0.5, 1.0, 1.5, 2.0, None]


@pytest.mark.parametrize("alpha", WORLDS, ids=["0.5", "1", "1.5", "2", "A"])
def test_m1_hallucinates_at_the_monofact_rate(alpha: float | None) -> None:
    world = make_world(alpha, seed=0)
    model = good_turing(world).exact
    mf = monofact_rate(world.counts)
    assert model.total == pytest.approx(1.0, abs=1e-12)
    assert model.unseen_mass == pytest.approx(mf, abs=1e-12)
    assert abs(model.hallucination_rate - mf) <= 0.01
    # exactly: MF times the share of false factoids among the unseen ones
    facts, _ = world_facts(world)
    seen = int((world.counts > 0).sum())
    unseen = world.names.size * DAYS - seen
    assert model.hallucination_rate == pytest.approx(mf * (1 - (facts - seen) / unseen))


def test_m1_scenario_a_is_calibrated_and_half_hallucinated() -> None:
    world = make_world(None, seed=0)
    model = good_turing(world)
    assert model.exact.hallucination_rate == pytest.approx(0.5, abs=1e-4)
    assert miscalibration(model.exact) < 0.01


def test_good_turing_adjusted_counts() -> None:
    n_r = np.array([0, 3, 1, 1])  # a,a,a,b,c,c,d,e
    star = good_turing_counts(n_r)
    assert star[1:].tolist() == pytest.approx([2 * 1 / 3, 3 * 1 / 1, 0.0])
    assert good_turing_counts(n_r, k=1)[1:].tolist() == pytest.approx([2 / 3, 2, 3])


def test_m1_seen_facts_take_the_rest_of_the_mass() -> None:
    world = zipf_world(1.0, seed=2)
    model = good_turing(world).exact
    seen = model.mass[model.seen].sum()
    assert seen == pytest.approx(1 - monofact_rate(world.counts))
    assert (model.g[model.seen] > model.g[~model.seen].max()).all()


def test_m2_is_a_distribution_with_fitted_smoothing() -> None:
    world = zipf_world(1.0, seed=0)
    model = smoothed(world)
    assert model.exact.total == pytest.approx(1.0, abs=1e-9)
    beta = model.params["beta"]
    n_r = np.bincount(world.counts)
    best = loo_name_loglik(beta, n_r, world.names.size)
    assert best >= loo_name_loglik(beta * 1.05, n_r, world.names.size)
    assert best >= loo_name_loglik(beta / 1.05, n_r, world.names.size)
    assert 0 < model.exact.hallucination_rate < 1
    assert ((model.date_prob > 0) & (model.date_prob <= 1)).all()


def test_m2_oversmoothed_hallucinates_more_and_is_miscalibrated() -> None:
    world = zipf_world(1.0, seed=0)
    fitted, heavy = smoothed(world), smoothed(world, beta=1.0)
    assert heavy.exact.total == pytest.approx(1.0, abs=1e-9)
    assert heavy.exact.hallucination_rate > fitted.exact.hallucination_rate + 0.5
    assert miscalibration(heavy.exact) > 0.5


def test_bound_holds_in_99_percent_of_300_seeds() -> None:
    start = time.perf_counter()
    config = SynthConfig(alphas=(1.0,), model="m1")
    holds = [bool(exact_row(zipf_world(1.0, seed=s), good_turing(zipf_world(1.0, seed=s)),
                            config)["holds"]) for s in range(300)]
    assert sum(holds) >= 297
    assert time.perf_counter() - start < 30


def test_bound_holds_for_m2_across_worlds() -> None:
    config = SynthConfig(model="m2")
    for alpha in WORLDS:
        world = make_world(alpha, seed=1)
        row = exact_row(world, smoothed(world), config)
        assert row["holds"], row
