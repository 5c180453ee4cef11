"""Regression gate statistics against docs/metrics.md section 6 and statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from halprobe.analysis.regression import compare_runs, holm, mcnemar_exact, two_proportion_z


def test_mcnemar_worked_example_and_statsmodels() -> None:
    p = mcnemar_exact(8, 29)
    assert f"{p:.1e}" == "3.8e-04"
    two_sided = mcnemar([[100, 8], [29, 50]], exact=True).pvalue
    assert two_sided == pytest.approx(2 * p)
    assert mcnemar_exact(0, 0) == 1.0


def test_two_proportion_z_worked_example_and_statsmodels() -> None:
    z, p = two_proportion_z(45, 300, 66, 300)
    assert (round(z, 2), round(p, 3)) == (2.21, 0.014)
    z_sm, p_sm = proportions_ztest([66, 45], [300, 300], alternative="larger")
    assert (z, p) == pytest.approx((z_sm, p_sm))


def test_holm_matches_statsmodels_and_keeps_nans() -> None:
    p = np.random.default_rng(0).uniform(0, 0.1, 8)
    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1])
    out = holm([0.01, np.nan, 0.04])
    assert np.isnan(out[1]) and out[[0, 2]] == pytest.approx([0.02, 0.04])


def _paired(stratum: str, fixed: int, broken: int, same: int, n_bin: int = 0
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Baseline and candidate rows with the given discordant pairs and `same` others."""
    before = ["hallucinated"] * fixed + ["correct"] * broken + ["correct"] * same
    after = ["correct"] * fixed + ["hallucinated"] * broken + ["correct"] * same
    ids = [f"{stratum}/{i}" for i in range(len(before))]
    make = lambda labels: pd.DataFrame(  # noqa: E731
        {"item_id": ids, "suite": stratum, "bin": n_bin, "label": labels})
    return make(before), make(after)


def test_compare_runs_paired_uses_mcnemar_and_fails_on_a_real_rise() -> None:
    base, cand = _paired("caps", fixed=8, broken=29, same=263)
    quiet_base, quiet_cand = _paired("people", fixed=5, broken=6, same=289)
    extra = pd.DataFrame({"item_id": ["x", "y"], "suite": "caps", "bin": 0,
                          "label": ["unscored", "error"]})
    table = compare_runs(pd.concat([base, quiet_base, extra]), pd.concat([cand, quiet_cand]))
    caps = table[table.suite == "caps"].iloc[0]
    assert caps["test"] == "mcnemar" and caps["n_paired"] == 300 and caps["n_before"] == 300
    assert (caps["fixed"], caps["broken"]) == (8, 29)
    assert caps["p"] == pytest.approx(mcnemar_exact(8, 29))
    assert caps["p_holm"] == pytest.approx(holm([caps["p"], mcnemar_exact(5, 6)])[0])
    assert caps["increase"] == pytest.approx(21 / 300) and bool(caps["failed"])
    assert not bool(table[table.suite == "people"].iloc[0]["failed"])


def test_compare_runs_unpaired_uses_z_and_respects_tolerance() -> None:
    def rows(prefix: str, k: int, n: int) -> pd.DataFrame:
        labels = ["hallucinated"] * k + ["correct"] * (n - k)
        return pd.DataFrame({"item_id": [f"{prefix}{i}" for i in range(n)], "suite": "s",
                             "bin": 1, "label": labels})

    table = compare_runs(rows("a", 45, 300), rows("b", 66, 300))
    row = table.iloc[0]
    assert row["test"] == "z" and row["z"] == pytest.approx(two_proportion_z(45, 300, 66, 300)[0])
    assert bool(row["failed"])
    lenient = compare_runs(rows("a", 45, 300), rows("b", 66, 300), tolerance=0.1)
    assert not bool(lenient.iloc[0]["failed"])  # significant, but within tolerance


def test_compare_runs_rejects_duplicate_items() -> None:
    base, cand = _paired("s", 1, 1, 3)
    with pytest.raises(ValueError, match="duplicate"):
        compare_runs(pd.concat([base, base]), cand)
