"""Post-training knob: trade hallucination for miscalibration (docs/metrics.md section 7).

Post-training moves a fraction f of the model's unseen mass (everything it puts on factoids it
never saw) either onto the seen facts, in proportion to their probability, or onto "I don't
know". g(H) falls linearly to 0 at f = 1 while Mis rises: the true probability of the facts the
model never saw (the missing mass M0) no longer has model mass to match it, so
g(H) + Mis >= M0 - (model mass on unseen true facts), a mass of order MF |F| / |H| (~10^-6).

The frontier keeps the bin partition of the model it starts from (the bins move with the mass),
so Mis measures the moved mass and not values crossing fixed bin edges. "I don't know" is kept
in a bin of its own: it is no factoid and p never produces it (see ``exact.miscalibration``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from halprobe.synth.exact import BINS, ExactModel, group_bins, miscalibration, scaled

TARGETS = ("seen", "idk")
FRACTIONS = tuple(float(f) for f in np.linspace(0.0, 1.0, 21))


def post_train(model: ExactModel, fraction: float, target: str) -> ExactModel:
    """Move ``fraction`` of the unseen mass onto seen facts ("seen") or "I don't know" ("idk")."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be in [0, 1], got {fraction}")
    unseen = model.unseen_mass
    seen = model.total - model.idk - unseen
    moved = fraction * unseen
    if target == "seen":
        if seen <= 0:
            raise ValueError("the model has no mass on seen facts to move the unseen mass to")
        return scaled(model, unseen=1 - fraction, seen=1 + moved / seen, idk=model.idk)
    if target == "idk":
        return scaled(model, unseen=1 - fraction, seen=1.0, idk=model.idk + moved)
    raise ValueError(f"target must be one of {TARGETS}, got {target!r}")


def frontier(model: ExactModel, missing_mass: float, target: str,
             fractions: Sequence[float] = FRACTIONS, bins: int = BINS) -> pd.DataFrame:
    """g(H), Mis and g(H) + Mis against the missing mass for each moved fraction."""
    ids = group_bins(model, bins)
    rows = []
    for fraction in fractions:
        moved = post_train(model, fraction, target)
        g_h, mis = moved.hallucination_rate, miscalibration(moved, ids)
        rows.append({"target": target, "fraction": fraction, "g_h": g_h, "mis": mis,
                     "g_plus_mis": g_h + mis, "missing_mass": missing_mass,
                     "unseen_true_mass": moved.unseen_true_mass, "idk": moved.idk})
    return pd.DataFrame.from_records(rows)
