"""Exact models: g(H) counts only false factoids, and Mis bins by g with its own IDK bin."""

from __future__ import annotations

import pytest

from halprobe.synth.exact import groups, miscalibration, scaled


def _toy(unseen_g: float = 0.1) -> object:
    # one seen fact (g .8, true mass .7), an unseen true fact and an unseen false factoid
    return groups(g=[0.8, unseen_g, unseen_g], mult=[1, 1, 1], p=[0.7, 0.3, 0.0],
                  false=[False, False, True], seen=[True, False, False])


def test_hallucination_rate_counts_false_factoids_only() -> None:
    model = _toy()
    assert model.total == pytest.approx(1.0)
    assert model.hallucination_rate == pytest.approx(0.1)
    assert model.unseen_mass == pytest.approx(0.2)
    assert model.unseen_true_mass == pytest.approx(0.1)


def test_miscalibration_by_bins_of_g() -> None:
    model = _toy()
    # bins: {seen fact}: G .8, P .7; {unseen}: G .2, P .3 -> Mis = .1
    assert miscalibration(model, bins=10) == pytest.approx(0.1)


def test_idk_has_its_own_bin_and_zero_mass_its_own() -> None:
    model = scaled(_toy(), unseen=0.0, seen=1.0, idk=0.2)
    assert model.total == pytest.approx(1.0)
    assert model.hallucination_rate == 0.0
    # g = 0 bin: P .3; seen fact: |.7 - .8|; IDK: .2 -> Mis = (.3 + .1 + .2) / 2
    assert miscalibration(model, bins=10) == pytest.approx(0.3)


def test_empty_groups_are_dropped() -> None:
    model = groups(g=[1.0, 0.5], mult=[1, 0], p=[1.0, 0.0], false=[False, True],
                   seen=[True, False])
    assert len(model.g) == 1
