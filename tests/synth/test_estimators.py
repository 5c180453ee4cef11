"""The synthetic world as the oracle of the real-model estimators (issue 16 acceptance).

Fast checks draw K = 20 samples straight from a model's exact belief and run the estimator
functions; the end-to-end check runs `halprobe eval`'s own code on `synth:` backends."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from halprobe.analysis.calibration import mis_interval, sampled_miscalibration
from halprobe.synth.backend import Belief, belief_of
from halprobe.synth.estimators import CheckConfig, check, chosen_people, exact_mis
from halprobe.synth.spec import SynthSpec
from halprobe.synth.world import DAYS

K = 20
WORLDS = ((0.5, 2000), (1.0, 2000), (1.5, 2000))  # alpha, n


def draw_counts(belief: Belief, person: int, gold: int, rng: np.random.Generator
                ) -> tuple[dict[str, int], str | None]:
    """K samples of one prompt from the exact belief, as answer clusters, and the gold's."""
    q, idk = float(belief.q[person]), float(belief.idk[person])
    n_idk, n_fav, n_other = rng.multinomial(K, [idk, q, max(0.0, 1 - q - idk)])
    favourite = int(belief.favourite[person])
    others = (favourite + 1 + rng.integers(0, DAYS - 1, size=n_other)) % DAYS
    counts = Counter({**({"idk": int(n_idk)} if n_idk else {}),
                      **({str(favourite): int(n_fav)} if n_fav else {})})
    counts.update(str(int(d)) for d in others)
    return dict(counts), str(gold)


def estimate(spec: SynthSpec, seed: int, items: int = 300, singletons: str = "unseen"
             ) -> tuple[float, float, float, float]:
    """(exact Mis, estimated Mis, low, high) over ``items`` prompts of one world and seed."""
    world = spec.world()
    belief = belief_of(spec)
    people = chosen_people(world, items, seed)
    rng = np.random.default_rng([seed, 41])
    prompts = [draw_counts(belief, int(p), int(world.dates[p]), rng) for p in people]
    est = sampled_miscalibration(prompts, 10, singletons).mis  # type: ignore[arg-type]
    low, high = mis_interval(prompts, 10, n_resamples=1000)
    return exact_mis(belief, people, world.dates[people]), est, low, high


@pytest.mark.parametrize("model", ["m1", "m2"])
def test_calibrated_models_mis_within_003_and_covered_in_90pct_of_seeds(model: str) -> None:
    covered, total = 0, 0
    for alpha, n in WORLDS:
        for seed in range(10):
            spec = SynthSpec(model=model, alpha=alpha, n=n, people=4000, seed=seed,
                             gamma=5e-4 if model == "m2" else None, calibrated=True)
            exact, est, low, high = estimate(spec, seed)
            assert abs(est - exact) <= 0.03, (alpha, seed, exact, est)
            covered += low <= exact <= high
            total += 1
    assert covered / total >= 0.9


def test_a_wrong_estimator_shows() -> None:
    """The old g = 0 bin and the literal (1 - U) f reading both miss where the truth is known:
    a calibrated M2 (beliefs .1-.35 on one date) and an M1 post-trained onto seen facts."""
    spec = SynthSpec(model="m1", alpha=1.0, n=2000, people=4000, seed=0, post="seen",
                     fraction=0.5)
    exact, est, _, _ = estimate(spec, 0)
    _, literal, _, _ = estimate(spec, 0, singletons="sampled")
    assert abs(est - exact) <= 0.03 and abs(literal - exact) > 0.05
    assert est > 0.15  # post-training made it miscalibrated, and the estimate sees it


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """One small world through the whole pipeline (runner, grader, samples, corpus counts)."""
    return check(CheckConfig(alphas=(0.5,), n=1500, people=3000, items=150))


def _at(table: pd.DataFrame, model: str, quantity: str) -> pd.Series:
    return table[(table["model"] == model) & (table["quantity"] == quantity)].iloc[0]


def test_end_to_end_mis_sr_mf_and_kappa(table: pd.DataFrame) -> None:
    assert list(table.columns) == ["world", "model", "quantity", "exact", "estimate", "low",
                                   "high"]
    for model in ("m1-calibrated", "m2-calibrated"):
        row = _at(table, model, "mis [bin all]")
        assert abs(row["estimate"] - row["exact"]) <= 0.03, row
    for name in ("sr", "mf", "u", "s1"):
        row = _at(table, "m1-calibrated", f"{name} [bin all]")
        assert abs(row["estimate"] - row["exact"]) <= 0.02, row
    mf = table[table["quantity"].str.startswith("mf [")]
    assert np.allclose(mf["estimate"], mf["exact"])  # every item counted: N_1/n exactly
    kappa = _at(table, "m1-calibrated", "kappa")
    assert kappa["low"] <= kappa["exact"] <= kappa["high"]
    hr = table[table["quantity"].str.startswith("sampled_hr [bin all]")]
    assert (abs(hr["estimate"] - hr["exact"]) <= 0.03).all()


def test_end_to_end_bound_holds_where_the_exact_bound_holds(table: pd.DataFrame) -> None:
    holds = table[table["quantity"].str.startswith("bound_holds")]
    exact_holds = holds[holds["exact"] == 1]
    assert len(exact_holds) and (exact_holds["low"] == 1).all()  # the bound's lower end
    # a tight case exists: the bound is not vacuous somewhere
    bounds = table[table["quantity"].str.startswith("bound [")]
    assert (bounds["exact"] > 0.3).any()
    # the post-trained models are miscalibrated, and the estimate shows it
    assert _at(table, "m1-post-idk-0.5", "mis [bin all]")["estimate"] > 0.15
    assert not math.isnan(_at(table, "m2", "spearman")["estimate"])


@pytest.mark.parametrize("calibrated", [True, False])
def test_mis_from_teacher_forced_scores_matches_the_exact_mis(tmp_path, calibrated: bool
                                                              ) -> None:
    """`eval --samples 20 --choices 3` on synth:m1: the gold's g comes from the backend's exact
    score (mis_source "scores") and the Mis it gives is the exact Mis within .03, closer than
    the samples' own estimate where the model is miscalibrated."""
    from halprobe.synth.estimators import oracle_of, run_pipeline, write_corpus, write_suite

    spec = SynthSpec(model="m1", alpha=1.0, n=2000, people=4000, seed=0, calibrated=calibrated)
    world = spec.world()
    people = chosen_people(world, 300, 0)
    suite = write_suite(world, people, world.p[people] * 1e6, tmp_path / "suite")
    corpus = write_corpus(world, tmp_path / "corpus.txt")
    rows, tables = run_pipeline(spec, suite, corpus, tmp_path / "runs" / "scored", K, choices=3)
    line = tables["summary"].query("suite == 'synth' and bin == 'all'").iloc[0]
    assert line["mis_source"] == "scores"
    assert rows["gold_logprob"].notna().all()
    exact = oracle_of(world, spec, people).mis(people)
    assert abs(line["mis"] - exact) <= 0.03, (line["mis"], exact)
    assert line["mis_low"] <= exact <= line["mis_high"]
