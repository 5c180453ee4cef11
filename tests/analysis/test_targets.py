"""Confidence targets (docs/metrics.md 5): answer rate, precision_t, score_t, BCG and whether
abstentions fall on the least confident items, with values worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from halprobe.analysis.stats import mean_ci, resample_means
from halprobe.analysis.targets import (
    bcg,
    item_scores,
    penalty,
    score_columns,
    targets_table,
)

# Ten items; their answer confidence at t = 0, most confident first.
CONF = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]
# Labels per item (index 0..9) at each target. c = correct, h = hallucinated, a = abstained,
# v = vague.
LABELS = {
    0.0: "cchcchchch",   # 6 correct, 4 hallucinated
    0.5: "cchcchchaa",   # drops items 8, 9 (the least confident): 5 c, 3 h, 2 a
    0.75: "achcchcaaa",  # drops 0, 7, 8, 9: 4 c, 2 h, 4 a
    0.9: "aachcvcaaa",   # 3 c, 1 h, 1 v, 5 a
}
NAMES = {"c": "correct", "h": "hallucinated", "a": "abstained", "v": "vague"}


def rows() -> pd.DataFrame:
    records = []
    for t, labels in LABELS.items():
        for i, code in enumerate(labels):
            label = NAMES[code]
            records.append({"item_id": f"s/{i}@t", "base_id": f"s/{i}", "suite": f"s@{t}",
                            "base_suite": "s", "bin": 0, "target": t, "label": label,
                            "confidence": CONF[i] if code in "ch" else None})
    records.append({"item_id": "s/x@t", "base_id": "s/x", "suite": "s@0.9", "base_suite": "s",
                    "bin": 0, "target": 0.9, "label": "unscored", "confidence": None})
    return pd.DataFrame(records)


def test_penalties() -> None:
    assert [penalty(t) for t in (0, 0.5, 0.75)] == [0, 1, 3]
    assert penalty(0.9) == pytest.approx(9)
    labels = pd.Series(["correct", "hallucinated", "abstained", "vague"])
    assert item_scores(labels, 0.75).tolist() == [1, -3, 0, 0]


def test_bcg_by_hand() -> None:
    """precision (.6, .625, 2/3, .6) at (0, .5, .75, .9): BCG = 0 + 0 + .0833 + .3 = .3833."""
    assert bcg({0.0: 0.6, 0.5: 0.625, 0.75: 2 / 3, 0.9: 0.6}) == pytest.approx(0.38333, abs=1e-5)
    assert bcg({0.5: float("nan"), 0.9: 0.95}) == 0.0


def test_targets_table_by_hand() -> None:
    """t = 0: answer rate 1, precision .6, score .6. t = .5: .8, 5/8, (5 - 3)/10 = .2.
    t = .75: .6, 4/6, (4 - 3 x 2)/10 = -.2. t = .9: answered 5 (one vague, counted apart),
    precision 3/(3 + 1) = .75, score (3 - 9)/10 = -.6. BCG = (.75 - 2/3) + (.9 - .75) = .2333
    (docs/metrics.md 5). The unscored row is left out (N stays 10)."""
    table = targets_table(rows())
    table = table[table["bin"] == "0"].set_index("target")
    assert table["n"].tolist() == [10, 10, 10, 10]
    assert table["answer_rate"].tolist() == pytest.approx([1.0, 0.8, 0.6, 0.5])
    assert table["precision"].tolist() == pytest.approx([0.6, 0.625, 2 / 3, 0.75])
    assert table["n_vague"].tolist() == [0, 0, 0, 1]
    assert table["score"].tolist() == pytest.approx([0.6, 0.2, -0.2, -0.6])
    assert table["bcg"].unique().tolist() == pytest.approx([0.23333], abs=1e-5)
    assert (table["score_low"] <= table["score"]).all()
    assert (table["score"] <= table["score_high"]).all()


def test_abstentions_on_the_least_confident_items() -> None:
    """t = .5 drops the two least confident: AUC 1. t = .75 drops .95, .4, .3, .2: of the 6 x 4
    (answered, abstained) pairs the answered one is more confident in 18: AUC .75."""
    table = targets_table(rows())
    table = table[table["bin"] == "0"].set_index("target")
    assert np.isnan(table.loc[0.0, "abstain_auc"])
    assert table.loc[0.5, "abstain_auc"] == pytest.approx(1.0)
    assert table.loc[0.75, "abstain_auc"] == pytest.approx(0.75)
    assert table.loc[0.5, "n_abstained_ref"] == 2
    assert table.loc[0.5, "abstain_auc_p"] < table.loc[0.75, "abstain_auc_p"]


def test_score_columns_for_a_leaderboard_row() -> None:
    wide = score_columns(targets_table(rows()))
    assert len(wide) == 1  # one row per suite and family
    assert wide.loc[0, "score_t0.75"] == pytest.approx(-0.2)
    assert wide.loc[0, "bcg"] == pytest.approx(0.23333, abs=1e-5)


def test_controls_are_apart_and_a_silent_model_shows_answer_rate_zero() -> None:
    controls = rows().assign(base_suite="z", suite=lambda d: "z@" + d["target"].astype(str),
                             exists=False, item_id=lambda d: "z" + d["item_id"])
    table = targets_table(pd.concat([rows().assign(exists=True), controls]))
    z = table[(table["suite"] == "z") & (table["bin"] == "all")].set_index("target")
    assert z["false_premise_answer_rate"].tolist() == pytest.approx([1.0, 0.8, 0.6, 0.5])
    assert z["precision"].isna().all() and z["bcg"].isna().all()
    assert "all" not in set(table["suite"])  # one factual suite: nothing pooled with controls
    silent = targets_table(rows().assign(label="abstained"))
    silent = silent[silent["bin"] == "all"]
    assert (silent["bcg"] == 0).all() and (silent["answer_rate"] == 0).all()


def test_no_target_rows_gives_an_empty_table() -> None:
    assert targets_table(rows().drop(columns="target")).empty
    assert targets_table(rows().assign(target=None)).empty


def test_resample_means_is_the_item_bootstrap() -> None:
    """Two items 0 and 1: resampled means are 0, .5, 1 with probabilities 1/4, 1/2, 1/4."""
    means = resample_means(np.array([0.0, 1.0]), 40_000, np.random.default_rng(1))
    shares = [np.mean(means == v) for v in (0.0, 0.5, 1.0)]
    assert shares == pytest.approx([0.25, 0.5, 0.25], abs=0.01)
    assert mean_ci(np.array([1.0, 1.0, 1.0])) == (1.0, 1.0)
