"""Assign each item its frequency bin (0 = rarest) from the suite's edges.

Bins are quantile bins of the transformed proxy, cut when the suite was built and stored in
suite.yaml, so a bin means the same thing in every run.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import replace

from halprobe.suites.spec import BinSpec
from halprobe.types import ProbeItem


def transform(value: float, scale: str) -> float:
    """The proxy on the scale its bins were cut on."""
    if scale == "log10":
        return math.log10(value) if value > 0 else float("-inf")
    if scale == "log10p1":
        return math.log10(1.0 + value)
    return value


def bin_of(popularity: float, proxy: str | None, bins: BinSpec) -> int | None:
    """The bin of one proxy value; values outside the edges fall in the first or last bin."""
    edges = bins.edges.get(proxy) if proxy in bins.edges else bins.edges.get(None)
    if edges is None and len(bins.edges) == 1:
        edges = next(iter(bins.edges.values()))
    if edges is None:
        return None
    x = transform(popularity, bins.scale)
    inner = edges[1:-1]
    return min(bisect.bisect_right(inner, x), len(edges) - 2)


def assign_bin(item: ProbeItem, bins: BinSpec) -> ProbeItem | None:
    """The item with its bin set, or None when no bin can be given (no proxy, no explicit bin)."""
    if item.bin is not None:
        return item
    if item.popularity is None or bins.explicit:
        return None
    b = bin_of(item.popularity, item.proxy, bins)
    return None if b is None else replace(item, bin=b)
