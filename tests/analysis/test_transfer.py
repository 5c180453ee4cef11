"""Transforms that generalise (METRICS.md 8): gains per domain, s_k = mean - alpha sd, and
leave-one-domain-out, with values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from halprobe.analysis.transfer import (
    Domains,
    domain_gains,
    lodo,
    paired_scores,
    robust_score,
    transfer_tables,
    transform_scores,
)

# Domain -> (number of items, items k1 gets right, items k2 gets right). The plain prompt
# abstains on everything (score 0), so at t = .5 the gains are k1 (.2, .2, .2) and
# k2 (.6, 0, .3) on the domains A/0, A/1, B/0.
DOMAINS = {("A", 0): (5, 1, 3), ("A", 1): (5, 1, 0), ("B", 0): (10, 2, 3)}


def rows() -> pd.DataFrame:
    records = []
    for (suite, bin_), (n, right_k1, right_k2) in DOMAINS.items():
        for i in range(n):
            base = {"base_id": f"{suite}/{bin_}/{i}", "base_suite": suite, "bin": bin_}
            records.append({**base, "item_id": base["base_id"], "suite": suite,
                            "transform": None, "label": "abstained"})
            for name, right in (("k1", right_k1), ("k2", right_k2)):
                label = "correct" if i < right else "abstained"
                records.append({**base, "item_id": f"{base['base_id']}@{name}",
                                "suite": f"{suite}@{name}", "transform": name, "label": label})
    # one item unscored under k2: dropped from every candidate, so pairs stay complete
    records.append({"base_id": "A/0/x", "base_suite": "A", "bin": 0, "item_id": "A/0/x",
                    "suite": "A", "transform": None, "label": "hallucinated"})
    records.append({"base_id": "A/0/x", "base_suite": "A", "bin": 0, "item_id": "A/0/x@k2",
                    "suite": "A@k2", "transform": "k2", "label": "unscored"})
    return pd.DataFrame(records)


def domains() -> Domains:
    return Domains.from_scores(paired_scores(rows(), 0.5))


def test_gains_per_domain() -> None:
    assert domains().names == [("A", "0"), ("A", "1"), ("B", "0")]
    assert domains().candidates == ["none", "k1", "k2"]
    assert domains().means() == pytest.approx(np.array([[0, 0.2, 0.6], [0, 0.2, 0.0],
                                                        [0, 0.2, 0.3]]))
    table = domain_gains(domains(), n_resamples=2_000)
    flat = table[(table["transform"] == "k2") & (table["bin"] == "1")].iloc[0]
    assert (flat["gain"], flat["gain_low"], flat["gain_high"]) == (0, 0, 0)
    assert (table["gain_low"] <= table["gain"]).all()
    assert (table["gain"] <= table["gain_high"]).all()


def test_robust_scores_by_hand() -> None:
    """k1: mean .2, sd 0, s = .2. k2: mean .3, sd sqrt(.06) = .2449, s = .0551."""
    scores = transform_scores(domains(), alpha=1.0).set_index("transform")
    assert scores.loc["k1", "s_k"] == pytest.approx(0.2)
    assert scores.loc["k2", "sd_gain"] == pytest.approx(math.sqrt(0.06))
    assert scores.loc["k2", "s_k"] == pytest.approx(0.3 - math.sqrt(0.06))
    assert scores.loc["k2", "worst_domain"] == "A/1" and scores.loc["k2", "worst_gain"] == 0
    assert robust_score(np.array([[1.0], [3.0]]), 0.5).tolist() == [1.5]


def test_leave_one_domain_out_by_hand() -> None:
    """Hold out A/0: on (A/1, B/0) k1 s = .2, k2 (0, .3) s = 0: k1, gain .2.
    Hold out A/1: on (A/0, B/0) k2 (.6, .3) s = .3 > .2: k2, gain 0.
    Hold out B/0: on (A/0, A/1) k2 (.6, 0) s = 0: k1, gain .2. Mean .1333, worst A/1."""
    table, summary = lodo(domains(), alpha=1.0, n_resamples=2_000)
    assert table["chosen"].tolist() == ["k1", "k2", "k1"]
    assert table["gain"].tolist() == pytest.approx([0.2, 0.0, 0.2])
    assert summary["mean_gain"] == pytest.approx(0.4 / 3)
    assert summary["worst_domain"] == "A/1" and summary["worst_gain"] == 0
    assert summary["chosen_on_all"] == "k1"
    assert summary["mean_gain_low"] <= summary["mean_gain"] <= summary["mean_gain_high"]


def test_alpha_zero_chooses_by_mean_gain() -> None:
    """alpha = 0: hold out B/0: k2 mean (.6 + 0)/2 = .3 > .2: gain .3; mean (.2 + 0 + .3)/3."""
    table, summary = lodo(domains(), alpha=0.0, n_resamples=500)
    assert table["chosen"].tolist() == ["k1", "k2", "k2"]
    assert summary["mean_gain"] == pytest.approx(0.5 / 3)


def test_plain_wins_when_every_transform_hurts() -> None:
    hurt = rows().assign(label=lambda r: np.where(r["transform"].isna(), "correct",
                                                  "hallucinated"))
    table, summary = lodo(Domains.from_scores(paired_scores(hurt, 0.5)), n_resamples=200)
    assert set(table["chosen"]) == {"none"} and summary["mean_gain"] == 0


def test_transfer_tables_and_the_unscored_item() -> None:
    tables = transfer_tables(rows(), t=0.5, n_resamples=500)
    assert tables["n_items"] == 20  # the unscored pair is dropped
    assert transfer_tables(rows()[rows()["transform"].isna()])["n_items"] == 0
    one = rows()[rows()["base_suite"] == "B"]
    assert transfer_tables(one)["lodo"].empty  # one domain: nothing to leave out
