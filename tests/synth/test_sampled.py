"""Sample-based g(H) and Mis recover the exact values of a model that can also be summed."""

from __future__ import annotations

import numpy as np
import pytest

from halprobe.synth.models import good_turing
from halprobe.synth.sampled import classify, estimate, log_bin_ids, log_cuts_of
from halprobe.synth.theory import binned_mis
from halprobe.synth.world import date_text, zipf_world


def test_classify_reads_generated_documents() -> None:
    world = zipf_world(1.0, n=100, seed=0)
    person = int(world.docs[0])
    name = world.names.name(world.people[person])
    day = int(world.dates[person])
    assert classify(world, world.document(person)) == "true"
    assert classify(world, f"Fact: {name} died on {date_text((day + 1) % 18_250)}.") \
        == "wrong_date"
    assert classify(world, f"Fact: {name} died on 1987-02-30.") in ("wrong_date", "true")
    nobody = next(i for i in range(world.names.size) if i not in world.person_of_name)
    assert classify(world, f"Fact: {world.names.name(nobody)} died on 1960-01-01.") == "nobody"
    assert classify(world, "Fact: Qqq Xxx died on 1960-01-01.") == "unknown_name"
    assert classify(world, "Fact: died on.") == "malformed"


def test_sampled_estimates_match_exact_m1() -> None:
    world = zipf_world(1.0, seed=0)
    model = good_turing(world).exact
    rng = np.random.default_rng(0)
    k = 20_000
    drawn = rng.choice(len(model.g), size=k, p=model.mass / model.mass.sum())
    truth = rng.choice(len(model.g), size=k, p=model.p / model.p.sum())
    logg = np.log(model.g)
    outcomes = np.where(model.false[drawn], "wrong_date", "true").tolist()
    est = estimate(logg[drawn], outcomes, logg[truth], bins=20, boot=500)
    assert est.g_h_ci[0] <= model.hallucination_rate <= est.g_h_ci[1]
    cuts = log_cuts_of(np.concatenate([logg[drawn], logg[truth]]), 20)
    exact = binned_mis(log_bin_ids(logg, cuts), model.mass, model.p)[0]
    assert est.mis == pytest.approx(exact, abs=0.02)
    assert est.mis_ci[0] <= est.mis <= est.mis_ci[1]
    assert est.outcomes["true"] + est.outcomes["wrong_date"] == k


def test_zero_probability_samples_go_to_the_zero_bin() -> None:
    est = estimate([-1.0, -1.0], ["true", "true"], [-np.inf, -1.0], bins=10, boot=50)
    assert est.mis == pytest.approx(0.5)
    assert est.g_h == 0.0
