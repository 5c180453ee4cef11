"""Quintile edges cut at build time. Values go on the proxy's scale, and items into bins, through
halprobe.suites.binning, so a bin the builder counts is the bin the loader assigns."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence

from builder.suite import Item
from halprobe.suites import binning
from halprobe.suites.spec import BinSpec


def quantile_edges(values: Sequence[float], scale: str) -> list[float]:
    """Six edges = five equal-count bins of the scaled proxy.

    Rounded to 4 decimals; the outer edges are rounded outwards so that the smallest and the
    largest item still fall inside bins 0 and 4.
    """
    x = sorted(binning.transform(v, scale) for v in values)
    inner = statistics.quantiles(x, n=5, method="inclusive")  # numpy's default 'linear' method
    return [
        round(math.floor(x[0] * 1e4) / 1e4, 4),
        *(round(q, 4) for q in inner),
        round(math.ceil(x[-1] * 1e4) / 1e4, 4),
    ]


def bin_of(value: float, edges: Sequence[float], scale: str) -> int:
    """Bin i holds edges[i] <= x < edges[i+1] (the last bin is closed); outside values clamp."""
    found = binning.bin_of(value, None, BinSpec(scale=scale, edges={None: tuple(edges)}))
    assert found is not None  # one set of edges always applies
    return found


def bin_counts(items: Sequence[Item], edges: dict[str, list[float]], scale: str) -> Counter[int]:
    """Items per bin, whether the bin is explicit or follows from the popularity."""
    counts: Counter[int] = Counter()
    for it in items:
        if it["bin"] is not None:
            counts[it["bin"]] += 1
        elif it["popularity"] is not None:
            counts[bin_of(it["popularity"], edges[it["proxy"]], scale)] += 1
    return counts
