"""Sampled answers: answer keys, sampling confidence, and Mis per stratum (docs/metrics.md 4),
on hand-made rows with figures worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from halprobe.analysis.sampling import (
    ABSTAIN,
    GOLD,
    annotate,
    answer_key,
    sample_clusters,
    scored_g,
    stratum_mis,
)
from halprobe.analysis.summary import analysis_tables


def _greedy(item: str, bin_: int, label: str, matched: str | None, conf: float | None = None,
            exists: bool = True, pop: float = 1.0) -> dict[str, object]:
    return {"item_id": item, "suite": "s", "bin": bin_, "label": label, "matched": matched,
            "answer_type": "entity", "exists": exists, "popularity": pop, "proxy": "views",
            "confidence": conf, "confidence_norm": conf,
            "confidence_source": "logprobs:answer_span" if conf is not None else "none"}


def _samples(item: str, *answers: tuple[str, str | None, int]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for label, matched, count in answers:
        rows += [{"sample_of": item, "label": label, "matched": matched,
                  "answer_type": "entity"}] * count
    return [{**row, "item_id": f"{item}#s{k}", "sample_index": k}
            for k, row in enumerate(rows, start=1)]


def hand_run() -> tuple[list[dict[str, object]], pd.DataFrame]:
    """docs/metrics.md 4's example in bin 0 (K = 10): prompt a gives the gold .6, B .3, C .1;
    prompt b gives D .5 and the gold .5. Bin 1: c abstains, its samples are 6 gold, 4
    abstentions. A control x in bin 0 is sampled but is no fact: it enters no Mis."""
    greedy = [_greedy("a", 0, "correct", "Paris"), _greedy("b", 0, "hallucinated", "D-town"),
              _greedy("c", 1, "abstained", None),
              _greedy("x", 0, "hallucinated", "Q", exists=False, pop=math.nan)]
    samples = [*_samples("a", ("correct", "Paris", 4), ("correct", "paris", 2),
                         ("hallucinated", "B", 3), ("hallucinated", "C", 1)),
               *_samples("b", ("hallucinated", "D town", 5), ("correct", "Paris", 5)),
               *_samples("c", ("correct", "Paris", 6), ("abstained", None, 3),
                         ("unscored", None, 1), ("error", None, 2)),
               *_samples("x", ("hallucinated", "Q", 10))]
    return greedy, pd.DataFrame(samples)


def test_answer_keys_follow_the_grader() -> None:
    assert answer_key("correct", "Roma") == answer_key("correct", "Rome") == GOLD
    assert answer_key("hallucinated", "D.C.") == answer_key("hallucinated", "dc")
    assert answer_key("hallucinated", "The Hague") == answer_key("hallucinated", "hague")
    assert answer_key("vague", "1950s") != answer_key("hallucinated", "1950s")
    assert answer_key("abstained", None) is None and answer_key("unscored", "x") is None
    assert answer_key("hallucinated", math.nan) == answer_key("hallucinated", None)  # type: ignore[arg-type]
    # dates by their reading, not their spelling
    assert (answer_key("hallucinated", "March 5, 1990", "date")
            == answer_key("hallucinated", "5 March 1990", "date"))


def test_clusters_and_sampling_confidence() -> None:
    greedy, samples = hand_run()
    clusters = sample_clusters(samples)
    assert clusters["a"] == {GOLD: 6, "=hallucinated:b": 3, "=hallucinated:c": 1}
    assert clusters["c"] == {GOLD: 6, ABSTAIN: 3, "=unscored#1": 1}  # errors are no sample
    rows = {r["item_id"]: r for r in annotate(greedy, samples)}
    assert rows["a"]["sampling_confidence"] == pytest.approx(0.6)
    assert rows["b"]["sampling_confidence"] == pytest.approx(0.5)  # "D-town" = "D town"
    assert rows["c"]["sampling_confidence"] is None  # an abstention states nothing
    assert rows["c"]["n_samples"] == 10 and rows["a"]["n_samples"] == 10
    # no log-probs: the sampling confidence is used, and named
    assert rows["a"]["confidence"] == pytest.approx(0.6)
    assert rows["a"]["confidence_source"] == "sampling"
    assert rows["c"]["confidence"] is None and rows["c"]["confidence_source"] == "none"


def test_a_log_prob_confidence_is_kept() -> None:
    greedy, samples = hand_run()
    greedy[0] = _greedy("a", 0, "correct", "Paris", conf=0.95)
    row = annotate(greedy, samples)[0]
    assert row["confidence"] == 0.95 and row["confidence_source"] == "logprobs:answer_span"
    assert row["sampling_confidence"] == pytest.approx(0.6)


def _at(table: pd.DataFrame, suite: str, bin_: str) -> pd.Series:
    return table[(table["suite"] == suite) & (table["bin"].astype(str) == bin_)].iloc[0]


def test_mis_sampling_calibration_and_the_bound_use_the_samples() -> None:
    greedy, samples = hand_run()
    tables = analysis_tables(pd.DataFrame(annotate(greedy, samples)), n_resamples=200)
    summary = tables["summary"]
    bin0, bin1 = _at(summary, "s", "0"), _at(summary, "s", "1")
    # bin 0: C was sampled once, so U_a = .1 and C joins it in the lowest bin:
    # G = (.3 in [.6,.7), .15 in [.3,.4), .05 in [0,.1), .5 in [.5,.6)),
    # P = (.5 in [.6,.7), .5 in [.5,.6)): Mis = (.2 + .15 + .05) / 2 = .2 (docs/metrics.md 4)
    assert bin0["mis"] == pytest.approx(0.2) and bin0["mis_n_items"] == 2
    # bin 1: G = (.6 gold, .3 abstain, .1 unscored), P = (1 at .6): Mis = (.4 + .3 + .1) / 2
    assert bin1["mis"] == pytest.approx(0.4) and bin1["samples_k"] == 10
    # suite 'all': the three prompts together; G and P means over 3 prompts
    # G: [.6,.7) (.6+.6)/3 = .4, [.3,.4) (.3+.3)/3 = .2, [.1,.2) (.1+.1)/3 = .0667,
    #    [.5,.6) 1/3; P: [.6,.7) 2/3, [.5,.6) 1/3 -> Mis = (.2667 + .2 + .0667) / 2 = .2667
    assert _at(summary, "s", "all")["mis"] == pytest.approx(0.8 / 3)
    # sampling confidence over bin 0's answers, the control's among them (as for log-prob
    # confidence): a .6 correct, b .5 wrong, x 1.0 wrong
    assert bin0["n_sampling_confidence"] == 3
    assert bin0["sampling_ece_width10"] == pytest.approx((0.4 + 0.5 + 1.0) / 3)
    assert bin0["sampling_brier"] == pytest.approx((0.16 + 0.25 + 1.0) / 3)
    assert bin0["sampling_auroc"] == pytest.approx(0.5)  # .6 beats .5, loses to 1.0
    assert bin0["confidence_source"] == "sampling"
    # temperature-1 HR of bin 0's facts: a 4 of 10, b 5 of 10 (the control left out)
    assert bin0["sampled_hr"] == pytest.approx(0.45)
    assert bin1["sampled_hr"] == pytest.approx(0.0)  # 6 gold, 3 abstentions; unscored out
    assert not len(tables["bound"])  # no anchor: no level, so no bound


def test_without_samples_answer_ece_never_stands_in_for_mis() -> None:
    greedy, _ = hand_run()
    greedy = [{**r, "confidence": 0.9, "confidence_source": "logprobs:sequence",
               "corpus_count": 1, "anchor": "corpus", "fact_kind": "arbitrary"}
              for r in greedy]
    tables = analysis_tables(pd.DataFrame(greedy), n_resamples=200)
    assert tables["summary"]["mis"].isna().all()
    assert tables["summary"]["ece_width10"].notna().any()
    assert not len(tables["bound"])  # anchored, arbitrary, but no Mis: no bound


def test_each_unreadable_sample_is_unseen_mass_not_one_frequent_answer() -> None:
    """K = 10. Prompt p: the gold 6 times, 3 texts that state nothing and one abstention;
    prompt q: a wrong answer B 10 times, the gold never. Read apart, the 3 texts and the
    abstention are singletons: U_p = .4 goes to the lowest bin, g(gold) = .6. G = (.2 lowest,
    .3 at .6, .5 at 1.0), P = (.5 lowest, .5 at .6): Mis = (.3 + .2 + .5) / 2 = .5. Pooled
    into one cluster the texts were an answer of g = .3 (U_p = .1): G = (.05, .15 at .3, .3,
    .5), Mis = (.45 + .15 + .2 + .5) / 2 = .65."""
    from halprobe.analysis.calibration import sampled_miscalibration

    samples = pd.DataFrame([*_samples("p", ("correct", "Paris", 6), ("non_answer", None, 3),
                                      ("abstained", None, 1)),
                            *_samples("q", ("hallucinated", "B", 10))])
    clusters = sample_clusters(samples)
    assert clusters["p"] == {GOLD: 6, "=unscored#1": 1, "=unscored#2": 1, "=unscored#3": 1,
                             ABSTAIN: 1}
    prompts = [(clusters["p"], GOLD), (clusters["q"], GOLD)]
    assert sampled_miscalibration(prompts, 10).mis == pytest.approx(0.5)
    pooled = {GOLD: 6, "=unscored": 3, ABSTAIN: 1}
    assert sampled_miscalibration([(pooled, GOLD), prompts[1]], 10).mis == pytest.approx(0.65)


def test_scored_gold_takes_its_bin_from_the_score() -> None:
    """Prompt a of the hand run (K = 10: gold 6, B 3, C 1) with the gold scored
    teacher-forced at ln .3: g(gold) = .3, and the 1 - .3 = .7 left goes to B and the unseen
    mass in their sampled shape (.3 and .1 of the .4 sampled away from the gold): B = .525,
    U = .175. Prompt b (D 5, gold 5) has no score and keeps g(gold) = .5.
    G = (.0875 lowest, .15 at .3, (.525 + 1) / 2 = .7625 at .5), P = (.5 at .3, .5 at .5):
    Mis = (.0875 + .35 + .2625) / 2 = .35 (from the samples alone: .2)."""
    counts = {GOLD: 6, "=hallucinated:b": 3, "=hallucinated:c": 1}
    g, gold, unseen = scored_g(counts, math.log(0.3))
    assert gold == GOLD and g[GOLD] == pytest.approx(0.3)
    assert g["=hallucinated:b"] == pytest.approx(0.525) and unseen == pytest.approx(0.175)
    assert "=hallucinated:c" not in g  # seen once: unseen mass
    # every sample the gold: what the score leaves is unseen mass
    assert scored_g({GOLD: 10}, math.log(0.8)) == ({GOLD: pytest.approx(0.8)}, GOLD,
                                                   pytest.approx(0.2))
    greedy, samples = hand_run()
    rows = pd.DataFrame(annotate(greedy, samples, {"a": math.log(0.3)}))
    assert rows.set_index("item_id")["gold_logprob"]["a"] == pytest.approx(math.log(0.3))
    bin0 = stratum_mis(rows[rows["bin"] == 0])
    assert bin0["mis"] == pytest.approx(0.35) and bin0["mis_source"] == "scores+samples"
    assert stratum_mis(rows[rows["item_id"] == "a"])["mis_source"] == "scores"
    assert stratum_mis(rows[rows["item_id"] == "b"])["mis_source"] == "samples"
    assert stratum_mis(pd.DataFrame(annotate(greedy, samples))[lambda r: r["bin"] == 0])[
        "mis"] == pytest.approx(0.2)


def test_the_summary_names_the_source_of_each_mis() -> None:
    greedy, samples = hand_run()
    tables = analysis_tables(pd.DataFrame(annotate(greedy, samples, {"c": math.log(0.9)})),
                             n_resamples=200)
    summary = tables["summary"]
    assert _at(summary, "s", "0")["mis_source"] == "samples"
    # bin 1: c's gold scored .9; the .4 sampled away (abstain .3, unscored .1) scaled to .1:
    # abstain .075 at [0, .1), unseen .025: G = (.1 lowest, .9 at .9), P = 1 at .9: Mis = .1
    bin1 = _at(summary, "s", "1")
    assert bin1["mis_source"] == "scores" and bin1["mis"] == pytest.approx(0.1)
    assert _at(summary, "s", "all")["mis_source"] == "scores+samples"
