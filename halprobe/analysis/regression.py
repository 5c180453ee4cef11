"""Regression gate for ``halprobe check``: did the hallucination rate rise? (docs/metrics.md 6).

Per suite x bin, a candidate run is compared with a baseline on the outcome "hallucinated":
the same items -> exact McNemar on discordant pairs; different items -> two-proportion z.
Both are one-sided (we look for an increase). p-values are Holm-corrected across all strata
of the comparison, and a stratum fails only where the increase is significant AND larger
than a tolerance, so a tiny but significant change on a big suite does not break CI.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import binomtest, norm
from statsmodels.stats.multitest import multipletests

from halprobe.analysis.rates import GRADED

# Runs of one model on the same items differ in which rows end up unscored once its answers
# change, so pairing three quarters of the items is enough to prefer McNemar's power.
PAIRED_MIN_SHARE = 0.75


def mcnemar_exact(fixed: int, broken: int) -> float:
    """One-sided exact McNemar p for an increase (docs/metrics.md 6): 8 fixed, 29 broken -> 3.8e-4.

    ``fixed``: hallucinated before, not after; ``broken``: not before, hallucinated after.
    Under no change each discordant pair is a fair coin, so p = P(Binom(b + c, 1/2) >= c).
    """
    total = fixed + broken
    if total == 0:
        return 1.0
    return float(binomtest(broken, total, 0.5, alternative="greater").pvalue)


def two_proportion_z(k_before: int, n_before: int, k_after: int, n_after: int
                     ) -> tuple[float, float]:
    """Pooled two-proportion z and its one-sided p for an increase (docs/metrics.md 6).

    45/300 before vs 66/300 after gives z = 2.21, p = .014. (0, 1.0) when undefined.
    """
    pooled = (k_before + k_after) / (n_before + n_after)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_before + 1 / n_after))
    if se == 0:
        return 0.0, 1.0
    z = (k_after / n_after - k_before / n_before) / se
    return z, float(norm.sf(z))


def holm(pvalues: list[float] | np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values; NaNs stay NaN and do not count as tests."""
    p = np.asarray(pvalues, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    finite = np.isfinite(p)
    if finite.any():
        adjusted[finite] = multipletests(p[finite], method="holm")[1]
    return adjusted


def _outcomes(rows: pd.DataFrame, name: str) -> pd.DataFrame:
    graded = rows[rows["label"].isin(GRADED)]
    duplicated = graded.duplicated(subset=["suite", "item_id"])
    if duplicated.any():
        raise ValueError(f"{name} has {int(duplicated.sum())} duplicate item id(s)")
    out = graded[["item_id", "suite", "bin"]].copy()
    out["bin"] = out["bin"].astype(str)
    out["hallucinated"] = (graded["label"] == "hallucinated").astype(int)
    out["label"] = graded["label"]
    return out


def _shares(rows: pd.DataFrame, side: str) -> dict[str, float]:
    """Abstained ("I don't know") and non-answer shares of one side, shown beside the HRs
    (docs/metrics.md section 1 reports them apart); a run graded before the non_answer
    label existed has none (they were counted as abstained then)."""
    n = len(rows)
    return {f"{label}_{side}": float((rows["label"] == label).sum() / n) if n else math.nan
            for label in ("abstained", "non_answer")}


def _compare_stratum(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, object]:
    """Test one stratum: McNemar over shared items if they make up nearly all of both runs."""
    shared = before.merge(after, on="item_id", suffixes=("_b", "_a"))
    row: dict[str, object] = {"n_before": len(before), "n_after": len(after),
                              "n_paired": len(shared)}
    if not len(before) or not len(after):
        return {**row, "test": "missing", "hr_before": math.nan, "hr_after": math.nan,
                "p": math.nan}
    if len(shared) >= PAIRED_MIN_SHARE * max(len(before), len(after)):
        b, a = shared["hallucinated_b"], shared["hallucinated_a"]
        fixed, broken = int(((b == 1) & (a == 0)).sum()), int(((b == 0) & (a == 1)).sum())
        return {**row, "test": "mcnemar", "hr_before": b.mean(), "hr_after": a.mean(),
                "fixed": fixed, "broken": broken, "p": mcnemar_exact(fixed, broken)}
    kb, ka = int(before["hallucinated"].sum()), int(after["hallucinated"].sum())
    z, p = two_proportion_z(kb, len(before), ka, len(after))
    return {**row, "test": "z", "hr_before": kb / len(before), "hr_after": ka / len(after),
            "z": z, "p": p}


def compare_runs(baseline_rows: pd.DataFrame, candidate_rows: pd.DataFrame,
                 tolerance: float = 0.02, alpha: float = 0.05) -> pd.DataFrame:
    """Per suite x bin: n, HR before/after, test, p, Holm p, failed (docs/metrics.md 6).

    Rows are response rows (item_id, suite, bin, label); unscored and error rows are left
    out. McNemar is used where the graded items shared by both runs are at least
    ``PAIRED_MIN_SHARE`` of each side (HRs then over those pairs), z otherwise (HRs over each
    side's items): a few errored items do not throw away the pairing, and a small overlap
    does not throw away most of the data. failed = p_holm < alpha and the increase in HR
    exceeds ``tolerance``.
    """
    before, after = _outcomes(baseline_rows, "baseline"), _outcomes(candidate_rows, "candidate")
    strata = sorted(set(zip(before["suite"], before["bin"], strict=True))
                    | set(zip(after["suite"], after["bin"], strict=True)))
    records = []
    for suite, bin_ in strata:
        pick_b = before[(before["suite"] == suite) & (before["bin"] == bin_)]
        pick_a = after[(after["suite"] == suite) & (after["bin"] == bin_)]
        records.append({"suite": suite, "bin": bin_, **_compare_stratum(pick_b, pick_a),
                        **_shares(pick_b, "before"), **_shares(pick_a, "after")})
    table = pd.DataFrame.from_records(records)
    if table.empty:
        return table
    for column in ("fixed", "broken", "z"):
        if column not in table:
            table[column] = math.nan
    table["increase"] = table["hr_after"] - table["hr_before"]
    table["p_holm"] = holm(table["p"].to_numpy(dtype=float))
    table["failed"] = (table["p_holm"] < alpha) & (table["increase"] > tolerance)
    columns = ["suite", "bin", "n_before", "n_after", "n_paired", "hr_before", "hr_after",
               "increase", "abstained_before", "abstained_after", "non_answer_before",
               "non_answer_after", "test", "fixed", "broken", "z", "p", "p_holm", "failed"]
    return table[columns]
