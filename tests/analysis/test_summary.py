"""summary.csv and the analysis tables: hand-worked figures and agreement with the metric
functions they are built from (docs/metrics.md sections 1, 3, 4 and 6)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from halprobe.analysis.calibration import aurc, auroc, brier, e_aurc
from halprobe.analysis.correlation import hr_proxy_correlation, logistic_proxy
from halprobe.analysis.monofact import poisson_estimates
from halprobe.analysis.rates import summarise
from halprobe.analysis.summary import (
    CALIBRATION_COLUMNS,
    CORRELATION_COLUMNS,
    MONOFACT_COLUMNS,
    SAMPLING_COLUMNS,
    analysis_tables,
    build_summary,
)


def _row(item: str, bin_: int, label: str, pop: float | None, conf: float | None,
         suite: str = "s", exists: bool = True) -> dict[str, object]:
    return {"item_id": f"{suite}/{item}", "suite": suite, "bin": bin_, "label": label,
            "exists": exists, "popularity": pop, "proxy": "views" if pop else None,
            "confidence": conf, "confidence_source": "logprobs:answer_span" if conf else "none"}


def hand_rows() -> pd.DataFrame:
    """Bin 0 holds docs/metrics.md's examples: lambda (.5, 1, 4) and conf (.9,.8,.7,.6) with
    correct (1,1,0,1); the suite median proxy is 1, so lambda = proxy."""
    return pd.DataFrame([
        _row("a", 0, "correct", 0.5, 0.9), _row("b", 0, "correct", 1.0, 0.8),
        _row("c", 0, "hallucinated", 4.0, 0.7), _row("d", 0, "correct", None, 0.6),
        _row("e", 0, "abstained", None, None),
        _row("f", 0, "error", 1000.0, None), _row("g", 0, "unscored", 1000.0, 0.99),
        _row("h", 1, "hallucinated", 1.0, None), _row("i", 1, "abstained", 1.0, None),
        # a control with a proxy value (a living person's page views): still no monofact
        _row("x", 0, "hallucinated", 5e6, 0.5, suite="z", exists=False),
        _row("y", 0, "abstained", 5e6, None, suite="z", exists=False),
    ])


def _at(summary: pd.DataFrame, suite: str, bin_: str) -> pd.Series:
    return summary[(summary["suite"] == suite) & (summary["bin"] == bin_)].iloc[0]


def test_rates_columns_come_first_unchanged() -> None:
    rows = hand_rows()
    summary = build_summary(rows)
    rates = summarise(rows.assign(bin=rows["bin"].astype(str)))
    assert list(summary.columns[:len(rates.columns)]) == list(rates.columns)
    assert list(summary.columns[len(rates.columns):]) == [
        *MONOFACT_COLUMNS, *CALIBRATION_COLUMNS, *CORRELATION_COLUMNS, *SAMPLING_COLUMNS,
        "base_suite"]
    assert set(summary["base_suite"]) == set(summary["suite"])  # no variant suites here
    pd.testing.assert_frame_equal(summary[rates.columns], rates)
    assert _at(summary, "s", "0")["hallucination_rate"] == pytest.approx(1 / 5)
    assert _at(summary, "s", "0")["n_error"] == 1 and _at(summary, "s", "0")["n_unscored"] == 1


def test_without_an_anchor_there_is_no_level_and_no_bound() -> None:
    summary = build_summary(hand_rows())
    assert set(summary["anchor"]) == {"none: proxy ranks only"}
    for column in ("kappa", "monofact_sr", "monofact_u", "monofact_s1", "monofact_exact",
                   "mean_lambda"):
        assert summary[column].isna().all(), column
    assert _at(summary, "s", "0")["n_proxy"] == 0  # no lambda without kappa
    assert not len(analysis_tables(hand_rows(), n_resamples=200)["bound"])


def anchored_rows() -> pd.DataFrame:
    """Proxies (1, 2, 8) and (2, 3) with exact counts (0, 1, 5) and (1, 1): kappa = 8/16 = .5,
    so bin 0 has docs/metrics.md 3's lambda (.5, 1, 4); counts (0,1,5,1,1) give MF = 3/8 = .375
    (docs/metrics.md 2)."""
    rows = [_row(k, b, lab, pop, 0.5) | {"corpus_count": n, "anchor": "corpus.txt",
                                          "fact_kind": "arbitrary"}
            for k, b, lab, pop, n in (("a", 0, "hallucinated", 1, 0), ("b", 0, "correct", 2, 1),
                                      ("c", 0, "correct", 8, 5), ("d", 1, "hallucinated", 2, 1),
                                      ("e", 1, "correct", 3, 1))]
    return pd.DataFrame(rows)


def test_anchored_kappa_and_levels_match_metrics_examples() -> None:
    tables = analysis_tables(anchored_rows(), n_resamples=500)
    summary, kappas = tables["summary"], tables["kappa"]
    assert kappas.iloc[0]["kappa"] == pytest.approx(0.5) and kappas.iloc[0]["n_anchor"] == 5
    assert kappas.iloc[0]["kappa_low"] <= 0.5 <= kappas.iloc[0]["kappa_high"]
    bin0 = _at(summary, "s", "0")
    assert (bin0["monofact_sr"], bin0["monofact_u"], bin0["monofact_s1"]) == pytest.approx(
        (0.135, 0.331, 0.248), abs=5e-4)
    assert bin0["anchor"] == "corpus.txt" and bin0["kappa"] == pytest.approx(0.5)
    assert bin0["monofact_exact"] == pytest.approx(1 / 6)
    assert _at(summary, "s", "all")["monofact_exact"] == pytest.approx(0.375)
    assert _at(summary, "s", "1")["monofact_sr"] == pytest.approx(
        poisson_estimates([1.0, 1.5]).sr)
    # one item without a count: MF is no longer exact for its stratum, the level stays
    partial = analysis_tables(anchored_rows().assign(
        corpus_count=[0, 1, 5, 1, None]), n_resamples=200)["summary"]
    assert math.isnan(_at(partial, "s", "1")["monofact_exact"])
    assert _at(partial, "s", "0")["monofact_exact"] == pytest.approx(1 / 6)


def test_controls_have_no_proxy_and_stay_out_of_the_overall_rates() -> None:
    summary = build_summary(hand_rows())
    for bin_ in ("0", "all"):
        assert _at(summary, "z", bin_)["proxy_source"] == "none"
    overall = _at(summary, "all", "all")
    assert overall["n"] == 7 and overall["n_hallucinated"] == 2  # suite s only
    assert _at(summary, "z", "all")["hallucination_rate"] == 0.5  # false-premise answers


def test_calibration_matches_metrics_example() -> None:
    summary = build_summary(hand_rows())
    bin0 = _at(summary, "s", "0")
    conf, y = (0.9, 0.8, 0.7, 0.6), (1, 1, 0, 1)
    assert bin0["n_confidence"] == 4 and bin0["n_no_confidence"] == 0  # unscored g left out
    assert bin0["confidence_source"] == "logprobs:answer_span"
    assert bin0["aurc"] == pytest.approx(0.146, abs=5e-4)
    assert bin0["e_aurc"] == pytest.approx(0.146 - 0.0625, abs=5e-4)
    assert bin0["auroc"] == pytest.approx(2 / 3)
    assert bin0["ece_width10"] == pytest.approx((0.1 + 0.2 + 0.7 + 0.4) / 4)  # one per bin
    assert bin0["brier"] == pytest.approx((0.01 + 0.04 + 0.49 + 0.16) / 4)
    assert bin0["brier"] == pytest.approx(brier(conf, y))
    assert bin0["aurc"] == pytest.approx(aurc(conf, y))
    assert bin0["e_aurc"] == pytest.approx(e_aurc(conf, y))
    assert bin0["auroc"] == pytest.approx(auroc(conf, y))
    # coverage at 5% risk: the top two are right (risk 0), the third is wrong
    assert bin0["coverage_at_5pct_risk"] == pytest.approx(0.5)
    suite_all = _at(summary, "s", "all")
    assert suite_all["n_confidence"] == 4 and suite_all["n_no_confidence"] == 1  # h
    assert suite_all["aurc"] == pytest.approx(bin0["aurc"])


def test_no_confidence_means_nan_and_source_none() -> None:
    summary = build_summary(hand_rows())
    bin1 = _at(summary, "s", "1")
    assert bin1["confidence_source"] == "none"
    assert bin1["n_confidence"] == 0 and bin1["n_no_confidence"] == 1
    for column in ("ece_width10", "ece_mass15", "brier", "aurc", "e_aurc", "auroc",
                   "coverage_at_5pct_risk"):
        assert math.isnan(bin1[column]), column
    bare = build_summary(hand_rows().assign(confidence=None, confidence_source="none"))
    assert set(bare["confidence_source"]) == {"none"}
    assert bare["ece_width10"].isna().all() and bare["auroc"].isna().all()


def _trend_rows(seed: int = 0, per_bin: int = 40, suites: tuple[str, ...] = ("p", "q")
                ) -> pd.DataFrame:
    """Five bins per suite; rarer bins (smaller proxy) hallucinate more."""
    rng = np.random.default_rng(seed)
    rows = []
    for suite in suites:
        for b in range(5):
            pop = 10 ** (b + rng.uniform(0, 1, per_bin))
            p_hall = 0.15 + 0.6 * np.exp(-pop / 300)
            draw = rng.uniform(size=per_bin)
            labels = np.where(draw < p_hall, "hallucinated",
                              np.where(draw < p_hall + 0.1, "abstained", "correct"))
            rows += [{"item_id": f"{suite}/{b}/{i}", "suite": suite, "bin": b, "label": lab,
                      "exists": True, "popularity": p, "proxy": "views", "confidence": None,
                      "confidence_source": "none"} for i, (p, lab) in enumerate(
                          zip(pop, labels, strict=True))]
    return pd.DataFrame(rows)


def test_correlation_is_rank_only_and_agrees_with_the_reference_functions() -> None:
    rows = _trend_rows(per_bin=40)
    tables = analysis_tables(rows, n_resamples=2000)
    items = rows.assign(bin=rows["bin"].astype(str))
    reference = hr_proxy_correlation(items, n_resamples=2000).set_index("suite")
    ours = tables["correlation"].set_index("suite")
    for suite in ("p", "q"):
        for name in ("spearman", "spearman_p", "spearman_low", "spearman_high"):
            assert ours.loc[suite, name] == pytest.approx(reference.loc[suite, name])
        assert ours.loc[suite, "spearman"] < 0 and bool(ours.loc[suite, "expected_sign"])
        assert ours.loc[suite, "rank_basis"] == "proxy ranks (views)"
        logit = logistic_proxy(items[items["suite"] == suite])
        assert ours.loc[suite, "logit_coef"] == pytest.approx(logit["coef"]) and logit["coef"] < 0
    pooled = logistic_proxy(items)  # one intercept per suite
    assert ours.loc["all", "logit_coef"] == pytest.approx(pooled["coef"])
    assert math.isnan(ours.loc["all", "spearman"])  # ranks are not pooled across suites
    summary = tables["summary"]
    assert _at(summary, "p", "all")["spearman"] == pytest.approx(ours.loc["p", "spearman"])
    assert math.isnan(_at(summary, "p", "0")["spearman"])  # only on 'all' rows


def test_fewer_than_three_bins_gives_no_spearman_ci() -> None:
    table = analysis_tables(hand_rows(), n_resamples=200)["correlation"]
    assert list(table["suite"]) == ["s"]  # controls have no proxy, so no row
    assert math.isnan(table.iloc[0]["spearman_low"])


def _sampled(rows: pd.DataFrame, clusters: list[dict[str, int]]) -> pd.DataFrame:
    return rows.assign(sample_clusters=clusters)


def test_bound_needs_an_anchor_samples_and_arbitrary_facts() -> None:
    # K = 20; item a: a uniform guesser (20 singletons, hallucinated); others: gold x 20
    wrong = {f"=hallucinated:d{i}": 1 for i in range(20)}
    clusters = [wrong, {"=gold": 20}, {"=gold": 20}, wrong, {"=gold": 20}]
    tables = analysis_tables(_sampled(anchored_rows(), clusters), n_resamples=200)
    bound = tables["bound"].set_index("bin")
    row = bound.loc["0"]
    # calibrated: the wrong prompt's U = 1 and its gold both in the lowest bin; Mis = 0
    assert row["mis"] == pytest.approx(0.0) and row["sampled_hr"] == pytest.approx(1 / 3)
    assert row["monofact"] == pytest.approx(1 / 6)  # exact N_1/n: every item counted
    assert row["bound"] == pytest.approx(1 / 6) and bool(row["sampled_hr_ge_bound"])
    systematic = analysis_tables(_sampled(anchored_rows().assign(fact_kind="systematic"),
                                          clusters), n_resamples=200)
    assert not len(systematic["bound"])
    unanchored = analysis_tables(_sampled(anchored_rows().drop(columns="corpus_count"),
                                          clusters), n_resamples=200)
    assert not len(unanchored["bound"])
    assert not len(analysis_tables(anchored_rows(), n_resamples=200)["bound"])  # no samples


def test_no_logistic_slope_when_every_item_is_hallucinated() -> None:
    rows = _trend_rows(per_bin=10).assign(label="hallucinated")
    table = analysis_tables(rows, n_resamples=200)["correlation"].set_index("suite")
    assert math.isnan(table.loc["p", "logit_coef"]) and math.isnan(table.loc["p", "spearman"])
    assert table.loc["p", "logit_note"] == "no variation in outcome or in the proxy"


def test_suite_proxies_are_named_and_have_no_exact_monofact() -> None:
    summary = build_summary(hand_rows())
    assert _at(summary, "s", "0")["proxy_source"] == "views"
    assert math.isnan(_at(summary, "s", "0")["monofact_exact"])
    assert _at(summary, "z", "0")["proxy_source"] == "none"  # controls: no fact, no proxy
