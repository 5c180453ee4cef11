"""summary.csv and the analysis tables: hand-worked figures and agreement with the metric
functions they are built from (METRICS.md sections 1, 3, 4 and 6)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from halprobe.analysis.calibration import aurc, auroc, brier, e_aurc
from halprobe.analysis.correlation import hr_monofact_correlation, logistic_lambda
from halprobe.analysis.monofact import CORPUS_PROXY, add_lambda, poisson_estimates
from halprobe.analysis.rates import summarise
from halprobe.analysis.summary import (
    CALIBRATION_COLUMNS,
    CORRELATION_COLUMNS,
    MONOFACT_COLUMNS,
    SAMPLING_COLUMNS,
    analysis_tables,
    bootstrap_sums,
    build_summary,
    correlation_table,
)


def _row(item: str, bin_: int, label: str, pop: float | None, conf: float | None,
         suite: str = "s", exists: bool = True) -> dict[str, object]:
    return {"item_id": f"{suite}/{item}", "suite": suite, "bin": bin_, "label": label,
            "exists": exists, "popularity": pop, "proxy": "views" if pop else None,
            "confidence": conf, "confidence_source": "logprobs:answer_span" if conf else "none"}


def hand_rows() -> pd.DataFrame:
    """Bin 0 holds METRICS.md's examples: lambda (.5, 1, 4) and conf (.9,.8,.7,.6) with
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
        *MONOFACT_COLUMNS, *CALIBRATION_COLUMNS, *CORRELATION_COLUMNS, *SAMPLING_COLUMNS]
    pd.testing.assert_frame_equal(summary[rates.columns], rates)
    assert _at(summary, "s", "0")["hallucination_rate"] == pytest.approx(1 / 5)
    assert _at(summary, "s", "0")["n_error"] == 1 and _at(summary, "s", "0")["n_unscored"] == 1


def test_monofact_matches_metrics_example_and_skips_error_rows() -> None:
    summary = build_summary(hand_rows())
    bin0 = _at(summary, "s", "0")
    assert bin0["n_proxy"] == 3  # d and e have no proxy; f and g are error/unscored
    assert (bin0["monofact_sr"], bin0["monofact_u"], bin0["monofact_s1"]) == pytest.approx(
        (0.135, 0.331, 0.248), abs=5e-4)
    assert bin0["mean_lambda"] == pytest.approx((0.5 + 1 + 4) / 3)
    assert _at(summary, "s", "1")["monofact_sr"] == pytest.approx(math.exp(-1))
    every = poisson_estimates([0.5, 1.0, 4.0, 1.0, 1.0])
    assert _at(summary, "s", "all")["monofact_sr"] == pytest.approx(every.sr)
    assert bin0["kappa"] == 1.0


def test_kappa_scales_lambda() -> None:
    summary = build_summary(hand_rows(), kappa=3.0)
    expected = poisson_estimates([0.5, 1.0, 4.0], kappa=3.0)
    assert _at(summary, "s", "0")["monofact_sr"] == pytest.approx(expected.sr)
    assert _at(summary, "s", "0")["kappa"] == 3.0


def test_controls_have_no_monofact() -> None:
    summary = build_summary(hand_rows())
    for bin_ in ("0", "all"):
        row = _at(summary, "z", bin_)
        assert row["n_proxy"] == 0
        assert all(math.isnan(row[c]) for c in ("monofact_sr", "monofact_u", "monofact_s1"))
    # ...and the overall row pools suite s's items only
    assert _at(summary, "all", "all")["n_proxy"] == 5


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


@pytest.mark.parametrize("per_bin", [40, 300])  # exact resampling, then the normal approx
def test_correlation_agrees_with_hr_monofact_correlation(per_bin: int) -> None:
    rows = _trend_rows(per_bin=per_bin)
    tables = analysis_tables(rows)
    items = add_lambda(rows.assign(bin=rows["bin"].astype(str)))
    reference = hr_monofact_correlation(items, n_resamples=4000, seed=3).set_index("suite")
    ours = tables["correlation"].set_index("suite")
    for suite in ("p", "q"):
        for name in ("spearman", "pearson", "spearman_p", "pearson_p"):
            assert ours.loc[suite, name] == pytest.approx(reference.loc[suite, name])
        for name in ("pearson_low", "pearson_high"):
            assert ours.loc[suite, name] == pytest.approx(reference.loc[suite, name], abs=0.05)
        assert ours.loc[suite, "spearman_low"] <= ours.loc[suite, "spearman"]
        assert bool(ours.loc[suite, "expected_sign"]) is True
        logit = logistic_lambda(items[items["suite"] == suite])
        assert ours.loc[suite, "logit_coef"] == pytest.approx(logit["coef"])
        assert ours.loc[suite, "logit_coef"] < 0
    assert ours.loc["all", "n_bins"] == 10 and math.isnan(ours.loc["all", "spearman"])
    pooled = logistic_lambda(items)  # lambda is already relative to each suite's median
    assert ours.loc["all", "logit_coef"] == pytest.approx(pooled["coef"])
    summary = tables["summary"]
    assert _at(summary, "p", "all")["spearman"] == pytest.approx(ours.loc["p", "spearman"])
    assert math.isnan(_at(summary, "p", "0")["spearman"])  # only on 'all' rows


def test_fewer_than_three_bins_gives_nan_correlation() -> None:
    table = analysis_tables(hand_rows())["correlation"]
    assert list(table["suite"]) == ["s"]  # controls have no proxy, so no row
    assert math.isnan(table.iloc[0]["spearman"]) and math.isnan(table.iloc[0]["spearman_low"])


def test_bootstrap_sums_exact_and_approx_have_the_resampling_moments() -> None:
    rng = np.random.default_rng(0)
    stats = np.column_stack([rng.uniform(size=200) < 0.3, rng.gamma(2, 1, 200),
                             rng.gamma(1, 2, 200)]).astype(float)
    for exact_max in (1000, 10):
        sums = bootstrap_sums(stats, 20_000, np.random.default_rng(1), exact_max=exact_max)
        assert sums.mean(axis=0) == pytest.approx(200 * stats.mean(axis=0), rel=0.01)
        assert sums.std(axis=0) == pytest.approx(np.sqrt(200) * stats.std(axis=0), rel=0.03)
    exact = bootstrap_sums(stats[:5], 10, np.random.default_rng(2))
    assert np.allclose(exact[:, 0], np.round(exact[:, 0]))  # whole numbers of items


def test_bootstrap_runs_every_draw_on_a_large_run() -> None:
    # speed is measured by benchmarks/bench_summary.py, not asserted here
    rows = _trend_rows(per_bin=1500, suites=("p", "q", "r", "s"))  # 30,000 rows
    items = add_lambda(rows.assign(bin=rows["bin"].astype(str)))
    table = correlation_table(items)
    suites = table[table["suite"] != "all"]
    assert len(suites) == 4 and (suites["n_boot_valid"] == 10_000).all()


def test_bound_and_kappa_tables() -> None:
    rows = _trend_rows(per_bin=30).assign(confidence=0.7, confidence_source="logprobs:sequence")
    tables = analysis_tables(rows)
    summary, bound = tables["summary"], tables["bound"]
    first = bound.iloc[0]
    stratum = _at(summary, str(first["suite"]), str(first["bin"]))
    assert first["monofact"] == pytest.approx(stratum["monofact_sr"])
    assert first["mis"] == pytest.approx(stratum["ece_width10"])
    assert first["bound"] == pytest.approx(max(0.0, first["monofact"] - first["mis"]))
    assert first["hallucination_rate"] == pytest.approx(stratum["hallucination_rate"])
    sweep = tables["kappa_sensitivity"]
    assert sorted(sweep["kappa"].unique()) == [0.1, 0.3, 1.0, 3.0, 10.0]
    at_one = sweep[(sweep["kappa"] == 1.0) & (sweep["suite"] == "p") & (sweep["bin"] == "2")]
    assert at_one["sr"].iloc[0] == pytest.approx(_at(summary, "p", "2")["monofact_sr"])
    assert at_one["hallucination_rate"].iloc[0] == pytest.approx(
        _at(summary, "p", "2")["hallucination_rate"])


def test_no_logistic_slope_when_every_item_is_hallucinated() -> None:
    rows = _trend_rows(per_bin=10).assign(label="hallucinated")
    table = analysis_tables(rows, n_resamples=200)["correlation"].set_index("suite")
    assert math.isnan(table.loc["p", "logit_coef"]) and math.isnan(table.loc["p", "spearman"])
    assert table.loc["p", "logit_note"] == "no variation in outcome"


def test_reference_corpus_counts_are_raw_and_give_the_exact_monofact() -> None:
    """Counts (1, 1, 2) in bin 0 and (4, 0) in bin 1: lambda = count (no division by the
    suite median, 1.5), MF = N_1 / n exactly: 2/4 in bin 0, 0/4 in bin 1, 2/8 overall."""
    labels = {"a": "hallucinated", "b": "hallucinated", "c": "correct", "d": "correct",
              "e": "correct"}
    counts = {"a": 1, "b": 1, "c": 2, "d": 4, "e": 0}
    rows = pd.DataFrame([{**_row(k, 0 if k in "abc" else 1, labels[k], counts[k], 0.5),
                          "proxy": CORPUS_PROXY} for k in labels])
    tables = analysis_tables(rows, n_resamples=200)
    summary = tables["summary"]
    assert _at(summary, "s", "0")["mean_lambda"] == pytest.approx(4 / 3)
    assert _at(summary, "s", "0")["monofact_exact"] == pytest.approx(0.5)
    assert _at(summary, "s", "1")["monofact_exact"] == pytest.approx(0.0)
    assert _at(summary, "s", "all")["monofact_exact"] == pytest.approx(0.25)
    assert (summary["proxy_source"] == CORPUS_PROXY).all()
    sr = (2 * math.exp(-1) + 2 * math.exp(-2)) / 4
    assert _at(summary, "s", "0")["monofact_sr"] == pytest.approx(sr)
    bound = tables["bound"].set_index("bin")
    assert bound.loc["0", "monofact"] == pytest.approx(0.5)
    assert bound.loc["0", "monofact_source"] == "exact N_1/n (reference corpus)"
    assert bound.loc["0", "bound"] == pytest.approx(0.5 - bound.loc["0", "mis"])


def test_suite_proxies_are_named_and_have_no_exact_monofact() -> None:
    summary = build_summary(hand_rows())
    assert _at(summary, "s", "0")["proxy_source"] == "views"
    assert math.isnan(_at(summary, "s", "0")["monofact_exact"])
    assert _at(summary, "z", "0")["proxy_source"] == "none"  # controls: no fact, no proxy
