"""Outcome rates per stratum with Wilson 95% intervals (docs/metrics.md sections 1 and 6).

Denominator: graded rows (correct, hallucinated, abstained, non_answer, vague). Rows the grader
could not judge (unscored) and backend errors are counted and reported, never folded into a rate.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import pandas as pd

GRADED = ("correct", "hallucinated", "abstained", "non_answer", "vague")
COUNTS = (*GRADED, "unscored", "error")


def wilson(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval (docs/metrics.md 6): 12/40 -> (.181, .454); 0/50 -> (0, .071).

    The formula, not statsmodels' proportion_confint (which the tests check it against):
    importing statsmodels.stats.proportion took 0.6 s of every run for five lines.
    """
    if n == 0:
        return (math.nan, math.nan)
    z = NormalDist().inv_cdf(1 - alpha / 2)
    p, z2 = k / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _rate(k: int, n: int) -> tuple[float, float, float]:
    low, high = wilson(k, n)
    return (k / n if n else math.nan), low, high


def stratum_row(rows: pd.DataFrame) -> dict[str, float | int]:
    """Counts and rates for one stratum of response rows (a DataFrame with a 'label' column)."""
    counts = {c: int((rows["label"] == c).sum()) for c in COUNTS}
    n = sum(counts[c] for c in GRADED)
    attempted = counts["correct"] + counts["hallucinated"] + counts["vague"]
    out: dict[str, float | int] = {"n": n, **{f"n_{c}": counts[c] for c in COUNTS}}
    for name, k, denom in (
        ("hallucination_rate", counts["hallucinated"], n),
        ("accuracy", counts["correct"], n),
        ("abstention_rate", counts["abstained"], n),
        ("non_answer_rate", counts["non_answer"], n),
        ("vague_rate", counts["vague"], n),
        ("hallucination_given_attempted", counts["hallucinated"], attempted),
    ):
        rate, low, high = _rate(k, denom)
        out[name], out[f"{name}_low"], out[f"{name}_high"] = rate, low, high
    acc = out["accuracy"]
    acc_attempted = counts["correct"] / attempted if attempted else math.nan
    out["f_score"] = (2 * acc * acc_attempted / (acc + acc_attempted)
                      if attempted and (acc + acc_attempted) > 0 else math.nan)
    pop = pd.to_numeric(rows.get("popularity"), errors="coerce") if "popularity" in rows else None
    out["mean_proxy"] = float(pop.mean()) if pop is not None and pop.notna().any() else math.nan
    return out


def summarise(responses: pd.DataFrame) -> pd.DataFrame:
    """suite x bin rows, each suite followed by its 'all' row, then an 'all' suite row.

    The overall 'all' row counts real facts only (exists != false): a control's answer is a
    false-premise answer, reported in its own suite's rows, never mixed into the overall HR.
    """
    records: list[dict[str, object]] = []
    for suite, group in responses.groupby("suite", sort=True):
        for bin_, stratum in group.groupby("bin", sort=True):
            records.append({"suite": suite, "bin": str(bin_), **stratum_row(stratum)})
        records.append({"suite": suite, "bin": "all", **stratum_row(group)})
    facts = (responses["exists"].astype("boolean").fillna(True).astype(bool)
             if "exists" in responses else pd.Series(True, index=responses.index))
    records.append({"suite": "all", "bin": "all", **stratum_row(responses[facts])})
    return pd.DataFrame.from_records(records)
