"""Bins: quantile edges on log10(proxy); bin 0 is the rarest; out-of-range values clip."""

from __future__ import annotations

import pytest

from halprobe.suites.binning import bin_of
from halprobe.suites.spec import BinSpec

FIVE = BinSpec(scale="log10", edges={None: (2.0, 3.0, 4.0, 5.0, 6.0, 7.0)})


@pytest.mark.parametrize(("value", "expected"), [
    (100, 0), (999, 0), (1000, 1), (5e4, 2), (1e5, 3), (999_999, 3), (1e6, 4), (1e7, 4),
    (1, 0), (1e9, 4),
])
def test_bin_of_five_quantile_bins(value: float, expected: int) -> None:
    assert bin_of(value, None, FIVE) == expected


def test_edges_per_proxy() -> None:
    bins = BinSpec(scale="log10p1", edges={"views": (0.0, 1.0, 2.0), "hpi": (0.0, 1.2, 1.5)})
    assert bin_of(9, "views", bins) == 1      # log10(10) = 1.0 -> upper bin
    assert bin_of(8, "views", bins) == 0      # log10(9) = 0.95
    assert bin_of(20, "hpi", bins) == 1       # log10(21) = 1.32
    assert bin_of(20, "unknown", bins) is None
