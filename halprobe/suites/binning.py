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


def edges_for(proxy: str | None, bins: BinSpec) -> tuple[float, ...] | None:
    """The edges that apply to a proxy: its own, the suite's only set, or none."""
    edges = bins.edges.get(proxy) if proxy in bins.edges else bins.edges.get(None)
    if edges is None and len(bins.edges) == 1:
        edges = next(iter(bins.edges.values()))
    return edges


def outside_edges(item: ProbeItem, bins: BinSpec) -> str | None:
    """Why the item's proxy value lies outside the suite's bin edges, or None when it is inside.

    The loader refuses such an item rather than put it in an end bin, where it would silently
    change what that bin means (a rarer item than any the bin was cut for).
    """
    if item.bin is not None or item.popularity is None or bins.explicit:
        return None
    edges = edges_for(item.proxy, bins)
    if not edges:
        return None
    x = transform(item.popularity, bins.scale)
    if edges[0] <= x <= edges[-1]:
        return None
    return (f"popularity {item.popularity:g} is {bins.scale or 'linear'} {x:.3g}, outside the "
            f"bin edges [{edges[0]:g}, {edges[-1]:g}] of suite.yaml: widen the first or last "
            "edge, or give the item an explicit 'bin'")


def bin_of(popularity: float, proxy: str | None, bins: BinSpec) -> int | None:
    """The bin of one proxy value (the loader has refused values outside the edges)."""
    edges = edges_for(proxy, bins)
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
