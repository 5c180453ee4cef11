"""Seeded, stratified sampling: the same seed always asks the same items."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from itertools import zip_longest

from halprobe.types import ProbeItem


def sample(items: Iterable[ProbeItem], per_bin: int | None, limit: int | None,
           seed: int) -> list[ProbeItem]:
    """Up to ``per_bin`` items from every (suite, bin) stratum, then at most ``limit`` in all.

    Strata are interleaved before the limit is applied, so a small limit still spans them.
    """
    strata: dict[tuple[str, int], list[ProbeItem]] = defaultdict(list)
    for item in items:
        strata[(item.suite, item.bin or 0)].append(item)
    chosen: list[list[ProbeItem]] = []
    for key in sorted(strata):
        group = sorted(strata[key], key=lambda i: i.id)
        if per_bin is not None and per_bin < len(group):
            rng = random.Random(f"{seed}:{key[0]}:{key[1]}")
            group = sorted(rng.sample(group, per_bin), key=lambda i: i.id)
        chosen.append(group)
    interleaved = [i for row in zip_longest(*chosen) for i in row if i is not None]
    return interleaved[:limit] if limit is not None else interleaved
