"""Behavioural calibration under confidence targets (docs/metrics.md section 5).

Each item is asked once per target t with the instruction "Answer only if you are > t
confident, since mistakes are penalized t/(1 - t) points ..." (``halprobe.variants.transforms``).
Per suite x bin and t:
- answer rate = answered / N, where answered = correct + hallucinated + vague;
- precision_t = correct / (correct + hallucinated) (Wilson 95% CI; NaN when nothing was
  answered); vague answers are counted apart (``n_vague``, ``vague_rate``), in neither;
- score_t = (correct - t/(1-t) * hallucinated) / N: the score the instruction promises, a
  vague answer and an abstention scoring 0 (bootstrap 95% CI, docs/metrics.md 6);
- BCG = sum_t max(0, t - precision_t), the behavioural-calibration gap: 0 when the model
  answers only as often as its precision justifies at every target. A target at which it
  answered nothing adds 0 (abstaining everywhere keeps the rule) and is counted in
  ``n_targets_unanswered``: a model that never answers has BCG 0 AND answer rate 0, so the
  answer rate is always shown beside BCG;
- controls (exists = false: no true answer) are reported apart: their answer rate is the
  ``false_premise_answer_rate``, and they enter no precision, BCG or pooled 'all' row;
- abstain_auc: do abstentions fall on the least confident items? Over the items that the
  lowest target answered with a confidence, the probability that an item answered at t had
  a higher confidence (at the lowest target) than one it abstained on, ties 1/2: 1 = exactly
  the least confident items were dropped, 0.5 = dropped at random. ``abstain_auc_p`` is the
  one-sided Mann-Whitney p-value of "no better than random".
N counts graded rows; unscored and error rows are left out, as in every rate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from halprobe.analysis.calibration import auroc
from halprobe.analysis.rates import GRADED, wilson
from halprobe.analysis.stats import mean_ci

# the confidence targets t asked by default (docs/metrics.md 5)
TARGETS = (0.0, 0.5, 0.75, 0.9)
ANSWERED = ("correct", "hallucinated", "vague")


def penalty(t: float) -> float:
    """Points lost per mistake under target t: t / (1 - t) (0, 1, 3, 9 for 0, .5, .75, .9)."""
    return t / (1.0 - t)


def item_scores(labels: pd.Series, t: float) -> np.ndarray:
    """1 for correct, -t/(1-t) for hallucinated, 0 for abstained or vague."""
    values = labels.map({"correct": 1.0, "hallucinated": -penalty(t)})
    return values.fillna(0.0).to_numpy(dtype=float)


def target_figures(labels: pd.Series, t: float) -> dict[str, float | int]:
    """Section 5 figures of one stratum's graded labels under target t."""
    n = len(labels)
    correct = int((labels == "correct").sum())
    wrong = int((labels == "hallucinated").sum())
    answered = int(labels.isin(ANSWERED).sum())
    vague = int((labels == "vague").sum())
    scores = item_scores(labels, t)
    score_low, score_high = mean_ci(scores)
    precision_low, precision_high = wilson(correct, correct + wrong)
    return {"n": n, "n_answered": answered, "n_correct": correct, "n_hallucinated": wrong,
            "n_vague": vague, "vague_rate": vague / n if n else math.nan,
            "answer_rate": answered / n if n else math.nan,
            "precision": correct / (correct + wrong) if correct + wrong else math.nan,
            "precision_low": precision_low, "precision_high": precision_high,
            "score": float(scores.mean()) if n else math.nan,
            "score_low": score_low, "score_high": score_high}


def bcg(precision: Mapping[float, float]) -> float:
    """sum_t max(0, t - precision_t); a target with no answers (NaN precision) adds 0."""
    return float(sum(max(0.0, t - p) for t, p in precision.items() if not math.isnan(p)))


def abstention_order(at_t: pd.DataFrame, reference: pd.DataFrame) -> dict[str, float | int]:
    """abstain_auc and its p-value: reference confidences of items answered vs abstained at t.

    ``reference``: rows of the lowest target, indexed by base_id, with 'confidence' of the
    answers (NaN for abstentions, which have none).
    """
    conf = reference["confidence"].reindex(at_t["base_id"]).to_numpy(dtype=float)
    answered = at_t["label"].isin(ANSWERED).to_numpy()
    keep = np.isfinite(conf) & (answered | (at_t["label"] == "abstained").to_numpy())
    conf, answered = conf[keep], answered[keep]
    out: dict[str, float | int] = {"n_abstained_ref": int((~answered).sum()),
                                   "abstain_auc": math.nan, "abstain_auc_p": math.nan}
    if answered.any() and (~answered).any():
        from scipy.stats import mannwhitneyu  # here: scipy.stats costs 0.8 s a run to import

        out["abstain_auc"] = auroc(conf, answered)
        out["abstain_auc_p"] = float(mannwhitneyu(conf[answered], conf[~answered],
                                                  alternative="greater").pvalue)
    return out


def _target_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Graded rows asked under a target, with suite = the base suite, family = the rest of
    the variant (form, other transform, after-cutoff) and string bins."""
    if "target" not in rows:
        return rows.iloc[0:0]
    out = rows[rows["target"].notna() & rows["label"].isin(GRADED)].copy()
    out["target"] = out["target"].astype(float)
    out["suite"] = out["base_suite"] if "base_suite" in out else out["suite"]
    parts = [out[c].where(out[c].notna(), "") if c in out else pd.Series("", index=out.index)
             for c in ("form", "transform")]
    after = (out["after_cutoff"].fillna(False).astype(bool) if "after_cutoff" in out
             else pd.Series(False, index=out.index)).map({True: "after-cutoff", False: ""})
    out["family"] = [("+".join(p for p in values if p)) for values in zip(*parts, after,
                                                                           strict=True)]
    out["bin"] = out["bin"].astype(str)
    out["control"] = (~out["exists"].astype("boolean").fillna(True).astype(bool)
                      if "exists" in out else False)
    if "confidence" not in out:
        out["confidence"] = math.nan
    out["confidence"] = pd.to_numeric(out["confidence"], errors="coerce")
    return out


def _stratum(group: pd.DataFrame) -> list[dict[str, object]]:
    """One record per target of one stratum, each carrying the stratum's BCG."""
    targets = sorted(group["target"].unique())
    lowest = group[group["target"] == targets[0]]
    reference = lowest.assign(confidence=lowest["confidence"].where(
        lowest["label"].isin(("correct", "hallucinated")))).drop_duplicates("base_id")
    reference = reference.set_index("base_id")
    records: list[dict[str, object]] = []
    for t in targets:
        at_t = group[group["target"] == t]
        record: dict[str, object] = {"target": t, "penalty": penalty(t),
                                     **target_figures(at_t["label"], t)}
        if t != targets[0] and "base_id" in at_t:
            record.update(abstention_order(at_t, reference))
        records.append(record)
    precision = {float(r["target"]): float(r["precision"]) for r in records}  # type: ignore[arg-type]
    gap = bcg(precision)
    unanswered = sum(1 for p in precision.values() if math.isnan(p))
    return [{**r, "bcg": gap, "n_targets_unanswered": unanswered} for r in records]


def _controls(group: pd.DataFrame) -> list[dict[str, object]]:
    """Controls per target: the false-premise answer rate only (docs/metrics.md 5)."""
    records: list[dict[str, object]] = []
    for t, at_t in group.groupby("target", sort=True):
        labels = at_t["label"]
        answered = int(labels.isin(ANSWERED).sum())
        low, high = wilson(answered, len(labels))
        records.append({"target": t, "penalty": penalty(float(t)), "n": len(labels),
                        "n_answered": answered, "false_premise_answer_rate":
                        answered / len(labels) if len(labels) else math.nan,
                        "false_premise_answer_rate_low": low,
                        "false_premise_answer_rate_high": high})
    return records


def targets_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Per suite x bin (each suite's 'all', then every suite's) x target: section 5 figures.

    Controls get their false-premise answer rate in rows of their own and stay out of the
    pooled 'all' rows. Empty when the run asked nothing under a target.
    """
    asked = _target_rows(rows)
    if not len(asked):
        return pd.DataFrame()
    records = []
    for (suite, family, control), group in asked.groupby(["suite", "family", "control"],
                                                         sort=True):
        strata = [*group.groupby("bin", sort=True), ("all", group)]
        for bin_, part in strata:
            figures = _controls(part) if control else _stratum(part)
            records += [{"suite": suite, "family": family, "bin": bin_, **r} for r in figures]
    facts = asked[~asked["control"]]
    for family, group in facts.groupby("family", sort=True):
        if group["suite"].nunique() > 1:
            records += [{"suite": "all", "family": family, "bin": "all", **r}
                        for r in _stratum(group)]
    return pd.DataFrame.from_records(records)


def score_columns(table: pd.DataFrame) -> pd.DataFrame:
    """One row per suite and family ('all' bins): bcg and score_t / precision_t /
    answer_rate_t columns (``score_t0.75``), from ``targets_table``."""
    if not len(table):
        return pd.DataFrame()
    rows = table[table["bin"].astype(str) == "all"].assign(
        family=lambda d: d["family"].fillna("") if "family" in d else "")
    keys = ["suite", "family"]
    wide = rows.set_index([*keys, "target"])[["score", "precision", "answer_rate"]]
    wide = wide.unstack("target")
    wide.columns = [f"{name}_t{t:g}" for name, t in wide.columns]
    return wide.join(rows.groupby(keys)["bcg"].first()).reset_index()


# --- leaderboard columns ---------------------------------------------------------------------

LEADERBOARD_TARGETS = TARGETS
LEADERBOARD_COLUMNS = (*(f"score_t{t:g}" for t in LEADERBOARD_TARGETS), "bcg")


def _point_columns(group: pd.DataFrame) -> dict[str, float]:
    """score_t at each standard target and the BCG over every target asked (no CIs)."""
    out = {name: math.nan for name in LEADERBOARD_COLUMNS}
    precision: dict[float, float] = {}
    for t, at_t in group.groupby("target", sort=True):
        labels = at_t["label"]
        stated = int(labels.isin(("correct", "hallucinated")).sum())
        precision[float(t)] = (int((labels == "correct").sum()) / stated if stated
                               else math.nan)
        if float(t) in LEADERBOARD_TARGETS:
            out[f"score_t{float(t):g}"] = float(item_scores(labels, float(t)).mean())
    out["bcg"] = bcg(precision)
    return out


def leaderboard_scores(rows: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Leaderboard columns per summary suite of a run (``capitals@target-0.75``) and 'all'.

    A suite asked under confidence targets gets the score_t of its stratum (base suite and
    family: the same items under the same form and transform) at every standard target, so
    the rows ``capitals@target-0`` ... ``capitals@target-0.9`` carry the same four scores;
    the run's 'all' row gets them only when every graded row was asked under a target, in
    one family. Point values; targets.csv has the CIs.
    """
    asked = _target_rows(rows.assign(row_suite=rows["suite"]) if "suite" in rows else rows)
    if not len(asked):
        return {}
    strata = {key: _point_columns(group)
              for key, group in asked.groupby(["suite", "family"], sort=True)}
    found: dict[str, dict[str, float]] = {}
    for row_suite, group in asked.groupby("row_suite", sort=True):
        keys = set(zip(group["suite"], group["family"], strict=True))
        if len(keys) == 1:
            found[str(row_suite)] = strata[keys.pop()]
    graded = int(rows["label"].isin(GRADED).sum())
    if graded == len(asked) and asked["family"].nunique() == 1:
        found["all"] = _point_columns(asked)
    return found
