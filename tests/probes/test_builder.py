"""The builder's bins: quintile edges worked out by hand, and items put in bins by
halprobe.suites.binning exactly as the loader will put them."""

from __future__ import annotations

import pytest
from builder.bins import bin_of, quantile_edges
from builder.text import fold, name_key, slug


def test_quintile_edges_of_powers_of_ten_are_the_exponents() -> None:
    # log10 gives 0..5; inclusive quantiles of six points at 1/5..4/5 are 1, 2, 3, 4.
    assert quantile_edges([1, 10, 100, 1000, 10_000, 100_000], "log10") == [0, 1, 2, 3, 4, 5]
    # log10(1 + x): the same points shifted down by one.
    assert quantile_edges([0, 9, 99, 999, 9999, 99_999], "log10p1") == [0, 1, 2, 3, 4, 5]


def test_outer_edges_round_outwards_so_the_extremes_stay_inside() -> None:
    # log10(2) = 0.30103 -> floor 0.301; log10(2e5) = 5.30103 -> ceil 5.3011.
    edges = quantile_edges([2, 20, 200, 2000, 20_000, 200_000], "log10")
    assert edges == [0.301, 1.301, 2.301, 3.301, 4.301, 5.3011]


@pytest.mark.parametrize(("value", "expected"), [
    (0.5, 0),      # below the first edge: clamped into bin 0
    (9.99, 0),
    (10, 1),       # an edge belongs to the bin above it
    (99_999, 4),
    (100_000, 4),  # the last edge closes bin 4
    (10**9, 4),    # above: clamped into bin 4
])  # fmt: skip
def test_bin_of_half_open_bins_clamped_at_the_ends(value: float, expected: int) -> None:
    assert bin_of(value, [0, 1, 2, 3, 4, 5], "log10") == expected


def test_keys_drop_what_nfkd_cannot_split() -> None:
    # The ids of shipped items depend on this: "ø" is dropped, not mapped to "o".
    assert fold("Audun Grønvold") == "Audun Grnvold"
    assert slug("Audun Grønvold") == "audun-grnvold"
    assert name_key("Sir J. Fraser Stoddart") == "fraser stoddart"
