"""Post-training trades hallucination for miscalibration; g(H) + Mis stays >= missing mass."""

from __future__ import annotations

import numpy as np
import pytest

from halprobe.synth.models import good_turing, smoothed
from halprobe.synth.posttrain import frontier, post_train
from halprobe.synth.theory import missing_mass
from halprobe.synth.world import make_world

CASES = [(alpha, seed, build) for alpha in (0.5, 1.0, 1.5, 2.0, None) for seed in (0, 1, 2)
         for build in (good_turing, smoothed)]


@pytest.mark.parametrize(("alpha", "seed", "build"), CASES)
def test_frontier(alpha: float | None, seed: int, build: object) -> None:
    world = make_world(alpha, seed=seed)
    model = build(world).exact  # type: ignore[operator]
    m0 = missing_mass(world.p, world.counts)
    for target in ("seen", "idk"):
        f = frontier(model, m0, target)
        g, mis = f.g_h.to_numpy(), f.mis.to_numpy()
        # g(H) falls strictly, to 0
        assert (np.diff(g) < 0).all() and g[-1] == pytest.approx(0.0, abs=1e-15)
        # the floor: exact with the unseen true mass; within 1e-5 without it
        assert (g + mis + f.unseen_true_mass.to_numpy() >= m0 - 1e-12).all()
        assert (g + mis >= m0 - 1e-5).all()
        # Mis rises: everywhere when moving to IDK; when moving to seen facts, from the point
        # where the model's unseen mass no longer exceeds the missing mass (before it, moving
        # an over-estimate of the unseen mass away can make the model better calibrated)
        start = 0.0 if target == "idk" else max(0.0, 1 - m0 / model.unseen_mass)
        steps = f.fraction.to_numpy()[:-1] >= start
        assert (np.diff(mis)[steps] >= -1e-12).all()
        assert mis[-1] >= mis[0] - 1e-12


def test_post_train_keeps_a_distribution() -> None:
    world = make_world(1.0, seed=0)
    model = good_turing(world).exact
    for target in ("seen", "idk"):
        for fraction in (0.0, 0.3, 1.0):
            assert post_train(model, fraction, target).total == pytest.approx(1.0)
    assert post_train(model, 1.0, "idk").idk == pytest.approx(model.unseen_mass)
    with pytest.raises(ValueError):
        post_train(model, 1.5, "seen")
    with pytest.raises(ValueError):
        post_train(model, 0.5, "elsewhere")
