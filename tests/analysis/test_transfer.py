"""Transforms that generalise (docs/metrics.md 8): gains per domain, s_k = mean - alpha sd, and
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


# HR drop at equal coverage. Domain -> (plain, k): per item a label code (c correct,
# h hallucinated, a abstained) and the answer confidence (None: no log-probs). n = 4 each.
COVERAGE = {
    # k answers 2 (1 h): HR_k = 1/4. Plain's 2 most confident answers (.9 c, .8 h) hold 1 h:
    # HR_plain@2 = 1/4, D = 0 (its raw HR 2/4 is higher only because it answers more).
    ("X", 0): ("chhc", [.9, .8, .7, .6], "ahca", None),
    # plain's most confident answers are its mistakes: HR_plain@2 = 2/4; k: 0 h. D = .5.
    ("X", 1): ("hhcc", [.9, .8, .7, .6], "aacc", None),
    # plain has no confidences: dropping 3 of its 4 answers at random keeps 2/4 x 1 = .5 h,
    # HR_plain@1 = .125; k answers 1, correct. D = .125.
    ("Y", 0): ("hhcc", [None] * 4, "caaa", None),
    # k answers more (3) than plain (1, correct): k is cut to its most confident answer, a
    # mistake: HR_k@1 = 1/4, HR_plain = 0. D = -.25.
    ("Y", 1): ("caaa", [.5, None, None, None], "hcha", [.9, .5, .4, None]),
    # a tie at the cut: plain .9 h, then .7 c and .7 h for one place: 1 + 1/2 h kept,
    # HR_plain@2 = 1.5/4 = .375; k: 2 correct. D = .375.
    ("Z", 0): ("hchc", [.9, .7, .7, .6], "ccaa", None),
}
CODES = {"c": "correct", "h": "hallucinated", "a": "abstained"}


def coverage_rows() -> pd.DataFrame:
    records = []
    for (suite, bin_), (plain, conf, k, k_conf) in COVERAGE.items():
        for i in range(4):
            base = {"base_id": f"{suite}/{bin_}/{i}", "base_suite": suite, "bin": bin_}
            records.append({**base, "item_id": base["base_id"], "suite": suite,
                            "transform": None, "label": CODES[plain[i]],
                            "confidence": conf[i] if plain[i] != "a" else None})
            records.append({**base, "item_id": f"{base['base_id']}@k", "suite": f"{suite}@k",
                            "transform": "k", "label": CODES[k[i]],
                            "confidence": (k_conf or [.5] * 4)[i] if k[i] != "a" else None})
    return pd.DataFrame(records)


def test_hr_drop_at_equal_coverage_by_hand() -> None:
    tables = transfer_tables(coverage_rows(), gain="hr-drop", n_resamples=200)
    gains = tables["domains"].set_index(["suite", "bin"])["gain"]
    expected = [0.0, 0.5, 0.125, -0.25, 0.375]
    assert gains.tolist() == pytest.approx(expected)
    scores = tables["scores"].set_index("transform")
    assert scores.loc["k", "mean_gain"] == pytest.approx(np.mean(expected))
    assert scores.loc["k", "sd_gain"] == pytest.approx(np.std(expected))
    assert scores.loc["none", "s_k"] == 0.0
    low, high = tables["domains"]["gain_low"], tables["domains"]["gain_high"]
    assert ((low <= gains.to_numpy()) & (gains.to_numpy() <= high)).all()


def test_hr_at_counts_ties_in_proportion() -> None:
    """Answers .9 h, .7 c, .7 h, .6 c over n = 4: cut at 0 -> 0; 1 -> 1/4; 2 -> 1.5/4;
    3 -> 2/4; 4 -> 2/4; nothing answered -> 0."""
    from halprobe.analysis.transfer import hr_at

    answered = np.array([True] * 4)
    hall = np.array([True, False, True, False])
    conf = np.array([0.9, 0.7, 0.7, 0.6])
    got = [hr_at(answered, hall, conf, np.array(m)) for m in range(5)]
    assert got == pytest.approx([0, 0.25, 0.375, 0.5, 0.5])
    assert hr_at(~answered, hall & False, conf, np.array(0)) == 0


def test_unknown_gain_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown gain"):
        transfer_tables(coverage_rows(), gain="accuracy")
