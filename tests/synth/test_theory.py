"""Good–Turing, Mis and the bound against docs/metrics.md's worked examples (sections 2 and 4)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from halprobe.synth.theory import (
    bin_index,
    binned_mis,
    count_of_counts,
    kv_bound,
    linear_cuts,
    log_cuts,
    missing_mass,
    monofact_rate,
    monofact_rate_of,
    prompt_mis,
)


def test_good_turing_worked_example() -> None:
    docs = list("aaabccde")
    assert monofact_rate_of(docs) == pytest.approx(0.375)
    counts = [3, 1, 2, 1, 1]
    assert count_of_counts(counts).tolist() == [0, 3, 1, 1]
    assert monofact_rate(counts) == pytest.approx(0.375)


def test_missing_mass_is_true_mass_of_unseen() -> None:
    assert missing_mass([0.5, 0.3, 0.2], [4, 0, 0]) == pytest.approx(0.5)


def test_mis_worked_example() -> None:
    answers = [{"A": 0.6, "B": 0.3, "C": 0.1}, {"D": 0.5, "E": 0.5}]
    mis, big_g, big_p = prompt_mis(answers, ["A", "E"], linear_cuts(5))
    # bins: g = 0, then [0, .2), [.2, .4), [.4, .6), [.6, .8), [.8, 1]
    assert big_g.tolist() == pytest.approx([0, 0.05, 0.15, 0.5, 0.3, 0])
    assert big_p.tolist() == pytest.approx([0, 0, 0, 0.5, 0.5, 0])
    assert mis == pytest.approx(0.20)


def test_one_bin_always_gives_zero() -> None:
    answers = [{"A": 0.6, "B": 0.3, "C": 0.1}, {"D": 0.5, "E": 0.5}]
    assert prompt_mis(answers, ["A", "E"], linear_cuts(1))[0] == pytest.approx(0.0)


def test_gold_never_given_lands_in_zero_bin() -> None:
    mis, big_g, big_p = prompt_mis([{"X": 1.0}], ["gold"], linear_cuts(10))
    assert big_p[0] == 1.0 and big_g[-1] == 1.0 and mis == pytest.approx(1.0)


def test_bins() -> None:
    cuts = linear_cuts(10)
    assert bin_index([0.0, 1e-9, 0.1, 0.6, 1.0], cuts).tolist() == [0, 1, 2, 7, 10]
    logs = log_cuts(1e-10, 1.0, 10)
    assert len(logs) == 9 and logs[0] == pytest.approx(1e-9)
    assert bin_index([1e-12, 1e-10, 0.5, 1.0], logs).tolist() == [1, 1, 10, 10]
    assert binned_mis(np.array([1, 2]), [0.5, 0.5], [1.0, 0.0])[0] == pytest.approx(0.5)


def test_bound_formula() -> None:
    # MF - Mis - 3|F|/(delta |H|) - sqrt(6 ln(6/delta)/n)
    value = kv_bound(0.24, 0.02, 10_000, facts=20_000, hallucinations=1.8e10, delta=0.01)
    expected = 0.24 - 0.02 - 3 * 20_000 / (0.01 * 1.8e10) - math.sqrt(6 * math.log(600) / 1e4)
    assert value == pytest.approx(expected)
    assert 0.15 < value < 0.16
