"""Calibration figures against docs/metrics.md section 4 and scikit-learn."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score

from halprobe.analysis.calibration import (
    MissingConfidenceWarning,
    aurc,
    auroc,
    brier,
    calibration_metrics,
    calibration_table,
    coverage_at_risk,
    e_aurc,
    ece,
    generative_miscalibration,
    oracle_aurc,
    reliability_table,
    risk_curve,
    sampled_g,
    sampled_miscalibration,
    sampling_confidence,
)

CONF, CORRECT = (0.9, 0.8, 0.7, 0.6), (1, 1, 0, 1)


def _random(seed: int, n: int = 500, ties: bool = False) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    conf = rng.uniform(0, 1, n)
    if ties:
        conf = np.round(conf, 1)
    return conf, (rng.uniform(0, 1, n) < conf).astype(float)


def test_selective_worked_example() -> None:
    assert round(aurc(CONF, CORRECT), 3) == 0.146
    assert oracle_aurc(CORRECT) == pytest.approx(0.0625)
    assert e_aurc(CONF, CORRECT) == pytest.approx(aurc(CONF, CORRECT) - 0.0625)
    assert auroc(CONF, CORRECT) == pytest.approx(2 / 3)
    assert risk_curve(CONF, CORRECT) == pytest.approx([0, 0, 1 / 3, 1 / 4])


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("ties", [False, True])
def test_auroc_and_brier_agree_with_sklearn(seed: int, ties: bool) -> None:
    conf, y = _random(seed, ties=ties)
    assert auroc(conf, y) == pytest.approx(roc_auc_score(y, conf))
    assert brier(conf, y) == pytest.approx(brier_score_loss(y, conf))


def test_auroc_undefined_with_one_class() -> None:
    assert math.isnan(auroc([0.2, 0.9], [1, 1]))


def test_risk_with_ties_does_not_depend_on_row_order() -> None:
    conf, y = _random(4, n=200, ties=True)
    order = np.random.default_rng(9).permutation(len(conf))
    assert aurc(conf, y) == pytest.approx(aurc(conf[order], y[order]))
    # one tie of four with one error: expected risk spreads the error evenly
    assert risk_curve([0.5] * 4, [1, 0, 1, 1]) == pytest.approx([0.25] * 4)


def test_reliability_table_agrees_with_sklearn_calibration_curve() -> None:
    conf, y = _random(5, n=2000)
    table = reliability_table(conf, y, n_bins=10)
    filled = table[table["count"] > 0]
    prob_true, prob_pred = calibration_curve(y, conf, n_bins=10, strategy="uniform")
    assert filled["accuracy"].to_numpy() == pytest.approx(prob_true)
    assert filled["mean_confidence"].to_numpy() == pytest.approx(prob_pred)
    counts, _ = np.histogram(conf, bins=np.linspace(0, 1, 11))
    expected = np.sum(counts[counts > 0] / len(conf) * np.abs(prob_true - prob_pred))
    assert ece(conf, y) == pytest.approx(expected)


def test_ece_by_hand() -> None:
    # bins [.6,.7) -> conf .6 acc 1; [.7,.8) -> .7 acc 0; [.8,.9) and [.9,1] acc 1
    expected = (abs(1 - 0.9) + abs(1 - 0.8) + abs(0 - 0.7) + abs(1 - 0.6)) / 4
    assert ece(CONF, CORRECT) == pytest.approx(expected)
    # equal mass: two bins of two answers each
    mass = (2 * abs(0.5 - 0.65) + 2 * abs(1 - 0.85)) / 4
    assert ece(CONF, CORRECT, n_bins=2, strategy="mass") == pytest.approx(mass)


def test_equal_mass_ece_keeps_ties_together_whatever_the_order() -> None:
    # docs/metrics.md 4: calibrated confidences in {.5, .8, 1}; splitting ties made ECE .027-.22
    conf = np.array([0.5] * 10 + [0.8] * 10 + [1.0] * 10)
    y = np.array([1, 0] * 5 + [1] * 8 + [0] * 2 + [1] * 10, dtype=float)
    rng = np.random.default_rng(0)
    values = set()
    for _ in range(20):
        order = rng.permutation(30)
        values.add(round(ece(conf[order], y[order], n_bins=15, strategy="mass"), 12))
    assert values == {0.0}
    table = reliability_table(conf, y, n_bins=15, strategy="mass")
    assert list(table["count"]) == [10, 10, 10]


def test_equal_mass_bins_hold_equal_counts() -> None:
    conf, y = _random(6, n=301)
    table = reliability_table(conf, y, n_bins=15, strategy="mass")
    assert len(table) == 15 and table["count"].max() - table["count"].min() <= 1
    assert table["conf_high"].is_monotonic_increasing


def test_coverage_at_risk() -> None:
    conf = np.linspace(1, 0.01, 30)
    correct = np.ones(30)
    correct[[4, 29]] = 0  # 5th and last answers are wrong
    assert coverage_at_risk(conf, correct, 0.05) == pytest.approx(29 / 30)
    assert coverage_at_risk([0.9, 0.8], [0, 1]) == 0.0
    # a threshold cannot split a tie: the first cut point is after all four
    assert coverage_at_risk([0.9] * 4 + [0.1], [1, 1, 1, 0, 1], 0.05) == 0.0


def test_missing_confidences_are_dropped_and_counted_never_invented() -> None:
    conf = [0.9, None, 0.7, float("nan"), 0.6, 0.8]
    y = [1, 0, 0, 0, 1, 1]
    with pytest.warns(MissingConfidenceWarning, match="dropped 2"):
        value = aurc(conf, y)
    assert value == pytest.approx(aurc(CONF, CORRECT))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metrics = calibration_metrics(conf, y, source="logprobs:answer_span")
    assert metrics["n_no_confidence"] == 2 and metrics["n_confidence"] == 4
    empty = calibration_metrics([None, None], [1, 0])
    assert empty["confidence_source"] == "none"
    assert all(math.isnan(empty[k]) for k in ("ece_width10", "brier", "aurc", "auroc"))


def test_sampling_confidence() -> None:
    assert sampling_confidence("paris", ["paris", "paris", "lyon", None]) == 0.5
    assert sampling_confidence(None, ["paris"]) is None
    assert sampling_confidence("paris", []) is None


def test_generative_miscalibration_worked_example() -> None:
    # docs/metrics.md 4: no singletons, so U = 0; 0.2-wide bins
    prompts = [({"A": 0.6, "B": 0.3, "C": 0.1}, "A"), ({"D": 0.5, "E": 0.5}, "E")]
    result = generative_miscalibration(prompts, n_bins=5)
    assert result.g_shares == pytest.approx([0.05, 0.15, 0.5, 0.3, 0])
    assert result.p_shares == pytest.approx([0, 0, 0.5, 0.5, 0])
    assert result.mis == pytest.approx(0.20)
    assert generative_miscalibration(prompts).mis == pytest.approx(0.20)  # 10 bins
    counts = [({"A": 12, "B": 6, "C": 2}, "A"), ({"D": 10, "E": 10}, "E")]
    assert sampled_miscalibration(counts, n_bins=5).mis == pytest.approx(0.20)


def test_unseen_mass_and_a_never_sampled_gold_go_to_the_lowest_bin() -> None:
    # K = 20 samples of 20 distinct dates (a uniform belief): U = 1, the gold never sampled.
    # Both sit in the lowest bin, so a calibrated model gets Mis 0 (a g = 0 bin gave 1).
    uniform = {f"d{i}": 1 for i in range(20)}
    result = sampled_miscalibration([(uniform, "gold")])
    assert result.g_shares[0] == pytest.approx(1.0) and result.p_shares[0] == 1.0
    assert result.mis == pytest.approx(0.0)
    # 12 x gold, 8 singletons: U = .4, g(gold) = 12/20 = .6 -> G = (.4 in [0,.1), .6 in
    # [.6,.7)), P = 1 in [.6,.7): Mis = .4
    mixed = {"gold": 12, **{f"d{i}": 1 for i in range(8)}}
    result = sampled_miscalibration([(mixed, "gold")])
    assert result.g_shares[0] == pytest.approx(0.4) and result.g_shares[6] == pytest.approx(0.6)
    assert result.mis == pytest.approx(0.4)
    # the literal reading (1 - U) f over every cluster moves the gold to .36: [.3, .4)
    literal = sampled_miscalibration([(mixed, "gold")], singletons="sampled")
    assert literal.g_shares[3] == pytest.approx(0.36) and literal.p_shares[3] == 1.0


def test_sampled_g_good_turing() -> None:
    g, u = sampled_g({"a": 10, "b": 5, "c": 1, "d": 1, "e": 3})
    assert u == pytest.approx(0.1)
    assert g == pytest.approx({"a": 0.5, "b": 0.25, "e": 0.15})
    with pytest.raises(ValueError):
        generative_miscalibration([({"A": 1.0}, "A")], n_bins=1)


def test_calibration_table_names_sources_and_skips_abstentions() -> None:
    rows = pd.DataFrame({
        "suite": "s", "bin": [0] * 6,
        "label": ["correct", "hallucinated", "correct", "abstained", "vague", "correct"],
        "confidence": [0.9, 0.7, 0.8, 0.99, 0.5, None],
        "confidence_source": ["logprobs:answer_span"] * 3 + ["logprobs:sequence", "x", "none"],
    })
    table = calibration_table(rows)
    row = table.iloc[0]
    assert row["n_confidence"] == 3 and row["n_no_confidence"] == 1
    assert row["confidence_source"] == "logprobs:answer_span"
    assert row["auroc"] == pytest.approx(1.0)
