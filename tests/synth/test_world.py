"""Worlds are reproducible, and their monofact rates are those docs/metrics.md section 7 expects."""

from __future__ import annotations

import numpy as np
import pytest

from halprobe.synth.theory import missing_mass, monofact_rate
from halprobe.synth.world import DAYS, date_text, day_of, make_world, scenario_a_world, zipf_world


def test_same_seed_same_world_other_seed_other_world() -> None:
    a, b, c = zipf_world(1.0, seed=3), zipf_world(1.0, seed=3), zipf_world(1.0, seed=4)
    assert np.array_equal(a.docs, b.docs) and np.array_equal(a.dates, b.dates)
    assert np.array_equal(a.people, b.people)
    assert not np.array_equal(a.docs, c.docs)
    assert a.documents()[:5] == b.documents()[:5]


def test_documents_state_one_fact_each() -> None:
    world = zipf_world(1.0, n=50, seed=0)
    docs = world.documents()
    assert len(docs) == 50
    person = int(world.docs[0])
    assert docs[0] == (f"Fact: {world.names.name(world.people[person])} died on "
                       f"{date_text(world.dates[person])}.")
    assert world.dates.min() >= 0 and world.dates.max() < DAYS


def test_dates_round_trip_and_stay_in_range() -> None:
    assert date_text(0) == "1950-01-01"
    for day in (0, 1, 10_000, DAYS - 1):
        assert day_of(date_text(day)) == day
    assert day_of(date_text(DAYS)) is None
    assert day_of("1987-02-30") is None


def test_zipf_probabilities() -> None:
    world = zipf_world(1.0, n=100, seed=0, people=1000)
    assert world.p.sum() == pytest.approx(1.0)
    assert world.p[0] / world.p[9] == pytest.approx(10.0)
    assert len(set(world.people.tolist())) == 1000


@pytest.mark.parametrize(("alpha", "expected", "tol"),
                         [(0.5, 0.51, 0.015), (1.0, 0.24, 0.01), (1.5, 0.037, 0.004),
                          (2.0, 0.007, 0.002)])
def test_zipf_monofact_rates_match_section_7(alpha: float, expected: float, tol: float) -> None:
    rates = [monofact_rate(zipf_world(alpha, seed=s).counts) for s in range(5)]
    assert np.mean(rates) == pytest.approx(expected, abs=tol)


def test_scenario_a_half_one_fact_half_fresh() -> None:
    world = scenario_a_world(seed=1)
    counts = world.counts
    assert world.n == 10_000
    assert counts[0] == 5_000
    assert (counts == 1).sum() == 5_000 and counts.max() == 5_000
    assert monofact_rate(counts) == 0.5
    assert world.p.sum() == pytest.approx(1.0)
    assert missing_mass(world.p, counts) == pytest.approx(0.5 * (1 - 5_000 / (10**6 - 1)))
    assert make_world(None, seed=1).docs.tolist() == world.docs.tolist()
