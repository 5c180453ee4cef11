"""Rates and Wilson intervals against docs/metrics.md section 6's worked examples."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from halprobe.analysis.rates import summarise, wilson


def test_wilson_worked_examples() -> None:
    low, high = wilson(12, 40)
    assert (round(low, 3), round(high, 3)) == (0.181, 0.454)
    low, high = wilson(0, 50)
    assert low == pytest.approx(0.0, abs=1e-12)
    assert round(high, 3) == 0.071


def test_wilson_agrees_with_statsmodels() -> None:
    from statsmodels.stats.proportion import proportion_confint

    for n in (1, 2, 7, 40, 333):
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            for alpha in (0.05, 0.1):
                expected = proportion_confint(k, n, alpha=alpha, method="wilson")
                assert wilson(k, n, alpha) == pytest.approx(expected, abs=1e-12)


def test_wilson_matches_formula() -> None:
    k, n, z = 7, 19, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert wilson(k, n) == pytest.approx((centre - half, centre + half))


def test_summary_rates_exclude_unscored_and_errors() -> None:
    labels = ["correct"] * 3 + ["hallucinated"] * 4 + ["abstained"] * 2 + ["vague"] \
        + ["unscored", "error"]
    rows = pd.DataFrame({"suite": "s", "bin": 0, "label": labels, "popularity": 10.0})
    s = summarise(rows)
    row = s[(s.suite == "s") & (s.bin == "0")].iloc[0]
    assert row["n"] == 10 and row["n_unscored"] == 1 and row["n_error"] == 1
    assert row["hallucination_rate"] == pytest.approx(0.4)
    assert row["hallucination_given_attempted"] == pytest.approx(4 / 8)
    assert row["accuracy"] == pytest.approx(0.3)
    # F = harmonic mean of accuracy (.3) and accuracy given attempted (3/8)
    assert row["f_score"] == pytest.approx(2 * 0.3 * 0.375 / (0.3 + 0.375))
    assert list(s.bin) == ["0", "all", "all"]
