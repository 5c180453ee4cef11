"""Calibration and selective prediction from answer confidences (docs/metrics.md section 4).

Inputs are a confidence per answer and whether it was correct. A row without a confidence
(no log-probs and no samples) is dropped, never filled in: a confidence of 1 would make
ECE = 1 - accuracy and is a lie. The metric functions warn with the number they dropped
(``MissingConfidenceWarning``); ``calibration_metrics`` returns it as ``n_no_confidence``
beside the figures, together with the confidence's source.

Which rows: an answer is correct (y = 1) or hallucinated (y = 0). Abstentions state no
factoid and vague answers are neither right nor wrong, so ``answer_rows`` leaves both out.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from halprobe.analysis.stats import half_l1_basic_interval, rankdata

Strategy = Literal["width", "mass"]
_EDGE_EPS = 1e-9  # so that .6 with 0.2-wide bins lands in [.6, .8), not [.4, .6)


class MissingConfidenceWarning(UserWarning):
    """Rows without a confidence were dropped from a calibration figure."""


def drop_missing(confidence: Iterable[float | None], correct: Iterable[float | bool]
                 ) -> tuple[np.ndarray, np.ndarray, int]:
    """Float arrays of the rows that have a confidence, and how many rows had none."""
    conf = np.array([math.nan if c is None else c for c in confidence], dtype=float)
    y = np.asarray(list(correct), dtype=float)
    if conf.shape != y.shape:
        raise ValueError(f"{conf.size} confidences but {y.size} outcomes")
    keep = np.isfinite(conf) & np.isfinite(y)
    if ((conf[keep] < 0) | (conf[keep] > 1)).any():
        raise ValueError("confidences must lie in [0, 1]")
    if not np.isin(y[keep], (0.0, 1.0)).all():
        raise ValueError("outcomes must be 0/1 (correct or not)")
    return conf[keep], y[keep], int((~keep).sum())


def _clean(confidence: Iterable[float | None], correct: Iterable[float | bool]
           ) -> tuple[np.ndarray, np.ndarray]:
    conf, y, dropped = drop_missing(confidence, correct)
    if dropped:
        warnings.warn(f"dropped {dropped} row(s) with no confidence", MissingConfidenceWarning,
                      stacklevel=3)
    return conf, y


def _width_bins(conf: np.ndarray, n_bins: int) -> np.ndarray:
    return np.clip(np.floor(conf * n_bins + _EDGE_EPS), 0, n_bins - 1).astype(int)


def _mass_bins(conf: np.ndarray, n_bins: int) -> np.ndarray:
    """Equal-mass bins cut only between distinct confidences (docs/metrics.md 4).

    A confidence's bin is set by how many confidences lie below it (floor(below * n_bins /
    N)), so tied confidences always share a bin and the bins do not depend on row order;
    bins are then renumbered 0, 1, ... (ties can leave fewer than n_bins).
    """
    if not conf.size:
        return np.zeros(0, dtype=int)
    below = np.searchsorted(np.sort(conf, kind="stable"), conf, side="left")
    raw = np.minimum(below * n_bins // conf.size, n_bins - 1)
    return np.unique(raw, return_inverse=True)[1].astype(int)


def reliability_table(confidence: Iterable[float | None], correct: Iterable[float | bool],
                      n_bins: int = 10, strategy: Strategy = "width") -> pd.DataFrame:
    """Per bin: confidence range, count, mean confidence, accuracy and gap (docs/metrics.md 4).

    ``strategy="width"``: n_bins equal-width bins on [0, 1], left-closed ([.1, .2)), 1.0 in
    the last; empty bins are kept with count 0. ``"mass"``: equal-count bins over the sorted
    confidences, cut only between distinct values (``_mass_bins``: tied confidences share a
    bin, so the figure does not depend on row order).
    """
    conf, y = _clean(confidence, correct)
    if strategy == "width":
        ids = _width_bins(conf, n_bins)
        low, high = np.arange(n_bins) / n_bins, np.arange(1, n_bins + 1) / n_bins
    elif strategy == "mass":
        ids = _mass_bins(conf, n_bins)
        n_bins = int(ids.max()) + 1 if ids.size else 0
        low = np.array([conf[ids == b].min() for b in range(n_bins)])
        high = np.array([conf[ids == b].max() for b in range(n_bins)])
    else:
        raise ValueError(f"unknown binning strategy {strategy!r}: use 'width' or 'mass'")
    count = np.bincount(ids, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(ids, weights=conf, minlength=n_bins) / count
        accuracy = np.bincount(ids, weights=y, minlength=n_bins) / count
    return pd.DataFrame({"bin": np.arange(n_bins), "conf_low": low, "conf_high": high,
                         "count": count, "mean_confidence": mean_conf, "accuracy": accuracy,
                         "gap": np.abs(accuracy - mean_conf)})


def ece(confidence: Iterable[float | None], correct: Iterable[float | bool], n_bins: int = 10,
        strategy: Strategy = "width") -> float:
    """ECE = sum_b (n_b / N) |acc_b - conf_b| (docs/metrics.md 4): 10 width or 15 mass bins."""
    table = reliability_table(confidence, correct, n_bins, strategy)
    total = table["count"].sum()
    filled = table[table["count"] > 0]
    return float((filled["count"] * filled["gap"]).sum() / total) if total else math.nan


def brier(confidence: Iterable[float | None], correct: Iterable[float | bool]) -> float:
    """Brier = mean (conf - y)^2 (docs/metrics.md 4)."""
    conf, y = _clean(confidence, correct)
    return float(np.mean((conf - y) ** 2)) if conf.size else math.nan


def _sorted_groups(conf: np.ndarray, y: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Errors in confidence-descending order, tie-group id per position, group end flags."""
    order = np.argsort(-conf, kind="stable")
    c, errors = conf[order], 1.0 - y[order]
    starts = np.r_[True, c[1:] != c[:-1]] if c.size else np.zeros(0, dtype=bool)
    ends = np.r_[c[1:] != c[:-1], True] if c.size else np.zeros(0, dtype=bool)
    return errors, np.cumsum(starts) - 1, ends


def risk_curve(confidence: Iterable[float | None], correct: Iterable[float | bool]
               ) -> np.ndarray:
    """risk(k) = errors in the top k / k, k = 1..N, sorted by confidence desc (docs/metrics.md 4).

    Within a run of tied confidences the order is arbitrary, so risk(k) there is its
    expectation over orders (errors spread evenly over the tie): order-independent.
    """
    conf, y = _clean(confidence, correct)
    errors, gid, _ = _sorted_groups(conf, y)
    if not errors.size:
        return errors
    size, err = np.bincount(gid), np.bincount(gid, weights=errors)
    before = np.r_[0.0, np.cumsum(err)[:-1]]
    first = np.r_[0, np.cumsum(size)[:-1]]
    position = np.arange(errors.size) - first[gid] + 1
    cumulative = before[gid] + position * err[gid] / size[gid]
    return cumulative / np.arange(1, errors.size + 1)


def aurc(confidence: Iterable[float | None], correct: Iterable[float | bool]) -> float:
    """AURC = (1/N) sum_k risk(k) (docs/metrics.md 4): (.9,.8,.7,.6) with (1,1,0,1) -> .146."""
    curve = risk_curve(confidence, correct)
    return float(curve.mean()) if curve.size else math.nan


def oracle_aurc(correct: Iterable[float | bool]) -> float:
    """AURC of a perfect ranking (all correct answers first): .0625 for (1,1,0,1)."""
    y = np.asarray(list(correct), dtype=float)
    if not y.size:
        return math.nan
    k = np.arange(1, y.size + 1)
    return float(np.mean(np.maximum(0.0, k - y.sum()) / k))


def e_aurc(confidence: Iterable[float | None], correct: Iterable[float | bool]) -> float:
    """E-AURC = AURC - oracle AURC over the same rows (docs/metrics.md 4)."""
    conf, y = _clean(confidence, correct)
    return aurc(conf, y) - oracle_aurc(y)


def auroc(confidence: Iterable[float | None], correct: Iterable[float | bool]) -> float:
    """P(conf of a correct answer > conf of a wrong one), ties 1/2 (docs/metrics.md 4): .667.

    NaN when all answers are correct or all wrong.
    """
    conf, y = _clean(confidence, correct)
    n_pos, n_neg = int(y.sum()), int(y.size - y.sum())
    if not n_pos or not n_neg:
        return math.nan
    ranks = rankdata(conf)
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def coverage_at_risk(confidence: Iterable[float | None], correct: Iterable[float | bool],
                     max_risk: float = 0.05) -> float:
    """Largest coverage k/N whose risk(k) <= max_risk, sorted by confidence desc (section 4).

    Only cut points between distinct confidences count, since a confidence threshold cannot
    split a tie. 0 when even the most confident answers are too often wrong.
    """
    conf, y = _clean(confidence, correct)
    errors, _, ends = _sorted_groups(conf, y)
    if not errors.size:
        return math.nan
    k = np.arange(1, errors.size + 1)
    ok = ends & (np.cumsum(errors) / k <= max_risk + 1e-12)
    return float(k[ok].max() / errors.size) if ok.any() else 0.0


def sampling_confidence(greedy: Hashable | None, samples: Sequence[Hashable | None]
                        ) -> float | None:
    """Share of the K sampled answers whose normalised key equals the greedy one (section 4).

    None (no confidence) when the greedy answer has no key (an abstention) or nothing was
    sampled. A sample without a key (abstained, unparsed) does not agree.
    """
    if greedy is None or not samples:
        return None
    return sum(1 for key in samples if key is not None and key == greedy) / len(samples)


def cluster_frequencies(keys: Iterable[Hashable]) -> dict[Hashable, float]:
    """g(r|c): share of a prompt's samples in each semantic answer (normalised key)."""
    counts = Counter(keys)
    total = sum(counts.values())
    return {key: n / total for key, n in counts.items()}


@dataclass(frozen=True)
class GenerativeMiscalibration:
    """Mis with its parts; index 0 of g_shares/p_shares is the lowest bin [0, 1/n_bins)."""

    mis: float
    g_shares: np.ndarray
    p_shares: np.ndarray
    n_prompts: int


def _g_bin(g: float, n_bins: int) -> int:
    return min(max(math.floor(g * n_bins + _EDGE_EPS), 0), n_bins - 1)


SingletonRule = Literal["unseen", "sampled"]


def sampled_g(counts: Mapping[Hashable, int], singletons: SingletonRule = "unseen"
              ) -> tuple[dict[Hashable, float], float]:
    """g(r|c) of the sampled clusters and the unseen mass U_c from K samples (docs/metrics.md 4).

    U_c = (clusters seen once) / K, the Good–Turing estimate of the mass the model puts on
    answers the K samples missed. With ``singletons="unseen"`` (the default) the clusters seen
    once are read as what they are in Good–Turing, the witnesses of that unseen mass: they
    join it in the lowest bin, and the clusters seen at least twice keep g = (1 - U_c) times
    their share among those clusters, which is their raw share n_r / K. ``"sampled"`` is the
    literal reading, g = (1 - U_c) f(r|c) over every sampled cluster, singletons included:
    kept because the synthetic check (``halprobe synth --check-estimators``) shows its bias
    (a model that puts .6 on one date and spreads the rest gets g = .36 for it, not .6).
    """
    total = int(sum(counts.values()))
    if total <= 0:
        raise ValueError("a prompt has no sampled answers")
    unseen = sum(1 for n in counts.values() if n == 1) / total
    if singletons == "sampled":
        return {k: (1 - unseen) * n / total for k, n in counts.items()}, unseen
    if singletons != "unseen":
        raise ValueError(f"unknown singleton rule {singletons!r}: use 'unseen' or 'sampled'")
    return {k: n / total for k, n in counts.items() if n >= 2}, unseen


def generative_miscalibration(
        prompts: Iterable[tuple[Mapping[Hashable, float], Hashable | None]],
        n_bins: int = 10, unseen: Sequence[float] | None = None) -> GenerativeMiscalibration:
    """Kalai–Vempala Mis = 1/2 sum_B |P_B - G_B| (docs/metrics.md 4).

    Each prompt gives (g(r|c) per answer cluster r, the gold cluster or None), and
    ``unseen`` its unseen mass U_c (0 when not given; ``sampled_g`` gives both from sample
    counts). Bins: ``n_bins`` equal-width bins on [0, 1], left-closed; there is no separate
    g = 0 bin: U_c goes into the LOWEST bin, and so does a gold answer that has no g (never
    sampled). G_B = mean_c (sum_{r: g in B} g(r|c) + U_c for the lowest bin),
    P_B = mean_c 1[g(gold|c) in B]. Worked example: Mis = .20. The g of each prompt (with its
    U_c) must sum to 1; an abstention is its own cluster, which never equals the gold one.
    """
    if n_bins < 2:
        raise ValueError("Mis needs >= 2 bins (one bin always gives 0); use >= 10")
    g_shares, p_shares, count = np.zeros(n_bins), np.zeros(n_bins), 0
    masses = iter(unseen) if unseen is not None else None
    for g, gold in prompts:
        u = float(next(masses)) if masses is not None else 0.0
        total = float(sum(g.values())) + u
        if total <= 0:
            raise ValueError("a prompt has no sampled answers")
        for value in g.values():
            g_shares[_g_bin(value / total, n_bins)] += value / total
        g_shares[0] += u / total
        gold_g = g.get(gold, 0.0) / total if gold is not None else 0.0
        p_shares[_g_bin(gold_g, n_bins)] += 1
        count += 1
    if not count:
        return GenerativeMiscalibration(math.nan, g_shares, p_shares, 0)
    g_shares, p_shares = g_shares / count, p_shares / count
    return GenerativeMiscalibration(float(0.5 * np.abs(p_shares - g_shares).sum()),
                                    g_shares, p_shares, count)


def _prompt_rows(g: Mapping[Hashable, float], gold: Hashable | None, unseen: float,
                 n_bins: int) -> np.ndarray:
    """One prompt's P_B - G_B (a row of n_bins), as ``generative_miscalibration`` bins it."""
    row = np.zeros(n_bins)
    total = float(sum(g.values())) + unseen
    for value in g.values():
        row[_g_bin(value / total, n_bins)] -= value / total
    row[0] -= unseen / total
    row[_g_bin(g.get(gold, 0.0) / total if gold is not None else 0.0, n_bins)] += 1.0
    return row


def mis_interval(prompts: Sequence[tuple[Mapping[Hashable, int], Hashable | None]],
                 n_bins: int = 10, level: float = 0.95, n_resamples: int = 2000,
                 seed: int = 0, singletons: SingletonRule = "unseen") -> tuple[float, float]:
    """Basic bootstrap interval of the sampled Mis, resampling prompts (docs/metrics.md 6).

    Mis of a resample is 1/2 sum_B |mean_c (P_B - G_B)(c)|, so each prompt's row is computed
    once and a draw is a multinomial weighting of the rows. Mis is an absolute value, so a
    resample's noise only adds to it and the percentile interval sits above the estimate; the
    basic interval (2 Mis - upper percentile, 2 Mis - lower percentile, clipped at 0)
    reflects that bias back. In the synthetic check (calibrated models, K = 20, 300 prompts)
    the percentile interval held the exact Mis in 70% of seeds, the basic one in >= 90%.
    """
    if not prompts:
        return math.nan, math.nan
    rows = []
    for counts, gold in prompts:
        g, u = sampled_g(counts, singletons)
        rows.append(_prompt_rows(g, gold, u, n_bins))
    return half_l1_basic_interval(np.array(rows), level, n_resamples, seed)


def sampled_miscalibration(prompts: Iterable[tuple[Mapping[Hashable, int], Hashable | None]],
                           n_bins: int = 10, singletons: SingletonRule = "unseen"
                           ) -> GenerativeMiscalibration:
    """Mis from each prompt's sample counts per cluster (``sampled_g``), docs/metrics.md 4."""
    shares, golds, masses = [], [], []
    for counts, gold in prompts:
        g, u = sampled_g(counts, singletons)
        shares.append(g)
        golds.append(gold)
        masses.append(u)
    return generative_miscalibration(zip(shares, golds, strict=True), n_bins, masses)


def answer_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows that state an answer (correct or hallucinated), with y = 1 when correct."""
    answered = rows[rows["label"].isin(("correct", "hallucinated"))].copy()
    answered["y"] = (answered["label"] == "correct").astype(float)
    return answered


def calibration_metrics(confidence: Iterable[float | None], correct: Iterable[float | bool],
                        source: str | None = None, max_risk: float = 0.05) -> dict[str, object]:
    """All section 4 figures over one set of answers, with n, rows dropped and the source."""
    conf, y, dropped = drop_missing(confidence, correct)
    out: dict[str, object] = {"n_confidence": int(conf.size), "n_no_confidence": dropped,
                              "confidence_source": source or ("none" if not conf.size else "")}
    out.update({
        "ece_width10": ece(conf, y, 10, "width") if conf.size else math.nan,
        "ece_mass15": ece(conf, y, 15, "mass") if conf.size else math.nan,
        "brier": brier(conf, y), "aurc": aurc(conf, y),
        "e_aurc": e_aurc(conf, y) if conf.size else math.nan, "auroc": auroc(conf, y),
        "coverage_at_risk": coverage_at_risk(conf, y, max_risk),
    })
    return out


def calibration_table(rows: pd.DataFrame, conf_col: str = "confidence",
                      by: Sequence[str] = ("suite", "bin")) -> pd.DataFrame:
    """calibration_metrics per stratum of response rows; sources from 'confidence_source'."""
    answered = answer_rows(rows)
    records = []
    for keys, group in answered.groupby(list(by), sort=True):
        sources = (group.loc[group[conf_col].notna(), "confidence_source"].dropna().unique()
                   if "confidence_source" in group else [])
        source = "+".join(sorted(str(s) for s in sources)) or "none"
        metrics = calibration_metrics(group[conf_col].astype(float), group["y"], source)
        key_values = keys if isinstance(keys, tuple) else (keys,)
        records.append({**dict(zip(by, key_values, strict=True)), **metrics})
    return pd.DataFrame.from_records(records)
