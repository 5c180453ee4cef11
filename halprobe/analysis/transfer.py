"""Prompt transforms that generalise across domains (docs/metrics.md section 8, after Garg et al.).

Domains are the probe strata, suite x frequency bin. Every item is asked plainly and under
each candidate transform k; an item's score is 1 if correct, -t/(1-t) if hallucinated, 0
otherwise (score_t of section 5 at one target t, the scoring rule the user cares about).
- gain D_k^j = mean over the domain's items of (score under k - score plain), paired by item;
  CI by resampling items (docs/metrics.md 6: pair by item);
- s_k = mean_j D_k^j - alpha * sd_j D_k^j, sd over domains with ddof 0 [check: FUD's exact
  form]; the plain prompt is a candidate too (D = 0 everywhere), so "no transform" wins when
  every transform hurts somewhere more than it helps on average;
- leave-one-domain-out: for each domain j, the k with the best s_k on the other domains, and
  its gain on j. The intervals resample items within every domain and redo the choice in
  each draw, so they include the uncertainty of choosing. Reported with the worst domain.
Only items graded (not unscored, not an error) under the plain prompt and every candidate
take part; ties between candidates go to the earlier one (plain first).

The other gain of section 8, ``hr-drop``: the drop in hallucination rate at equal coverage.
A transform that makes the model answer less lowers its hallucination rate by abstaining
alone; this gain counts only what it does better than the plain prompt would do if it
answered as few items. In domain j with n paired items, let A_p be the items prompt p
answers (correct, hallucinated or vague) and m = min(|A_plain|, |A_k|). HR_p@m is the
number of hallucinations among the m answers p gives most confidently (its log-prob
confidence), divided by n; answers tied at the cut count in proportion (so with no
confidences, HR_p@m = HR_p x m / |A_p|, the expectation of dropping answers at random).
D_k^j = HR_plain@m - HR_k@m: positive when k hallucinates less at the same coverage. Only
the prompt that answers more is cut; the other keeps its own HR.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from halprobe.analysis.rates import GRADED
from halprobe.analysis.stats import N_RESAMPLES, resample_means
from halprobe.analysis.targets import item_scores

PLAIN = "none"


def _graded(rows: pd.DataFrame) -> pd.DataFrame:
    """Graded rows with candidate (transform or plain), base_id, base_suite and string bins."""
    graded = rows[rows["label"].isin(GRADED)].copy()
    graded["candidate"] = (graded["transform"].where(graded["transform"].notna(), PLAIN)
                           if "transform" in graded else PLAIN)
    if "base_id" not in graded:
        graded["base_id"] = graded["item_id"]
    graded["base_id"] = graded["base_id"].where(graded["base_id"].notna(), graded["item_id"])
    if "base_suite" not in graded:
        graded["base_suite"] = graded["suite"]
    graded["base_suite"] = graded["base_suite"].where(graded["base_suite"].notna(),
                                                      graded["suite"])
    graded["bin"] = graded["bin"].astype(str)
    return graded


def _pivot(graded: pd.DataFrame, value: str) -> pd.DataFrame:
    keys = ["base_suite", "bin", "base_id", "candidate"]
    table = graded.groupby(keys, sort=True)[value].first().unstack("candidate")
    table.index = table.index.set_names(["suite", "bin", "base_id"])
    order = [PLAIN, *sorted(c for c in table.columns if c != PLAIN)]
    return table.reindex(columns=order)


def paired_scores(rows: pd.DataFrame, t: float) -> pd.DataFrame:
    """Items x candidates: each item's score under the plain prompt and every transform,
    indexed by (suite, bin, base_id); items not graded under all of them are dropped."""
    graded = _graded(rows)
    graded["score"] = item_scores(graded["label"], t)
    return _pivot(graded, "score").dropna()


def paired_outcomes(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Items x candidates: the label code (0 abstained or no answer, 1 answered, 2 hallucinated)
    and the answer confidence, for items graded under the plain prompt and every transform."""
    graded = _graded(rows)
    graded["outcome"] = graded["label"].map({"abstained": 0.0, "non_answer": 0.0, "correct": 1.0,
                                             "vague": 1.0,
                                             "hallucinated": 2.0})
    if "confidence" not in graded:
        graded["confidence"] = math.nan
    graded["confidence"] = pd.to_numeric(graded["confidence"], errors="coerce")
    outcomes = _pivot(graded, "outcome").dropna()
    confidence = _pivot(graded, "confidence").reindex(outcomes.index)
    return outcomes, confidence


@dataclass(frozen=True)
class Domains:
    """Per-item gains over the plain prompt, grouped by domain (suite, bin)."""

    names: list[tuple[str, str]]
    candidates: list[str]
    gains: list[np.ndarray]  # per domain: items x candidates (plain's column is 0)

    @classmethod
    def from_scores(cls, scores: pd.DataFrame) -> Domains:
        names, gains = [], []
        for key, group in scores.groupby(level=["suite", "bin"], sort=True):
            names.append((str(key[0]), str(key[1])))
            values = group.to_numpy(dtype=float)
            gains.append(values - values[:, [0]])
        return cls(names, list(scores.columns), gains)

    def sizes(self) -> list[int]:
        return [len(g) for g in self.gains]

    def means(self) -> np.ndarray:
        """D, domains x candidates."""
        return np.array([g.mean(axis=0) for g in self.gains])

    def draws(self, n_resamples: int, seed: int) -> np.ndarray:
        """Bootstrap D: draws x domains x candidates, items resampled within each domain."""
        rng = np.random.default_rng(seed)
        return np.stack([resample_means(g, n_resamples, rng) for g in self.gains], axis=1)


def hr_at(answered: np.ndarray, hallucinated: np.ndarray, confidence: np.ndarray,
          m: np.ndarray) -> np.ndarray:
    """Hallucinations among the m most confident answers, over n (the last axis); answers
    tied at the cut count in proportion. Arrays (..., n); m (...)."""
    n = answered.shape[-1]
    key = np.where(answered, confidence, -np.inf)
    ranked = -np.sort(-key, axis=-1)
    cut = np.take_along_axis(ranked, np.clip(m - 1, 0, n - 1)[..., None], axis=-1)
    above = answered & (key > cut)
    tied = answered & (key == cut)
    n_tied = tied.sum(axis=-1)
    share = np.where(n_tied > 0, (m - above.sum(axis=-1)) / np.maximum(n_tied, 1), 0.0)
    kept = (hallucinated & above).sum(axis=-1) + (hallucinated & tied).sum(axis=-1) * share
    return np.where(m > 0, kept, 0.0) / n


def hr_drop(answered: np.ndarray, hallucinated: np.ndarray,
            confidence: np.ndarray) -> np.ndarray:
    """D = HR_plain@m - HR_k@m, m = min(answers of plain, answers of k). Arrays (..., n, K)
    with the plain prompt in column 0; returns (..., K)."""
    a, h, c = (np.moveaxis(x, -1, -2) for x in (answered, hallucinated, confidence))
    counts = a.sum(axis=-1)
    m = np.minimum(counts[..., :1], counts)
    pa, ph, pc = (np.broadcast_to(x[..., :1, :], x.shape) for x in (a, h, c))
    return hr_at(pa, ph, pc, m) - hr_at(a, h, c, m)


@dataclass(frozen=True)
class CoverageDomains:
    """Per-item outcomes grouped by domain, for the HR drop at equal coverage."""

    names: list[tuple[str, str]]
    candidates: list[str]
    answered: list[np.ndarray]  # per domain: items x candidates
    hallucinated: list[np.ndarray]
    confidence: list[np.ndarray]  # NaN-free: a candidate lacking some confidence is all tied

    @classmethod
    def from_outcomes(cls, outcomes: pd.DataFrame,
                      confidence: pd.DataFrame) -> CoverageDomains:
        names, answered, hallucinated, conf = [], [], [], []
        for key, group in outcomes.groupby(level=["suite", "bin"], sort=True):
            names.append((str(key[0]), str(key[1])))
            codes = group.to_numpy(dtype=float)
            answered.append(codes > 0)
            hallucinated.append(codes == 2)
            values = confidence.loc[group.index].to_numpy(dtype=float)
            unranked = (np.isnan(values) & (codes > 0)).any(axis=0)
            conf.append(np.where(unranked, 0.0, np.nan_to_num(values, nan=0.0)))
        return cls(names, list(outcomes.columns), answered, hallucinated, conf)

    def sizes(self) -> list[int]:
        return [len(a) for a in self.answered]

    def means(self) -> np.ndarray:
        """D, domains x candidates."""
        return np.array([hr_drop(a, h, c) for a, h, c
                         in zip(self.answered, self.hallucinated, self.confidence, strict=True)])

    def draws(self, n_resamples: int, seed: int) -> np.ndarray:
        """Bootstrap D: draws x domains x candidates, items resampled within each domain."""
        rng = np.random.default_rng(seed)
        out = []
        for a, h, c in zip(self.answered, self.hallucinated, self.confidence, strict=True):
            pick = rng.integers(0, len(a), size=(n_resamples, len(a)))
            out.append(hr_drop(a[pick], h[pick], c[pick]))
        return np.stack(out, axis=1)


GainDomains = Domains | CoverageDomains


def robust_score(gains: np.ndarray, alpha: float) -> np.ndarray:
    """s_k = mean - alpha * sd over the domain axis (-2) of ``gains`` (ddof 0)."""
    return gains.mean(axis=-2) - alpha * gains.std(axis=-2)


def _interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    tail = 100 * (1 - level) / 2
    return float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))


def domain_gains(domains: GainDomains, n_resamples: int = N_RESAMPLES,
                 seed: int = 0) -> pd.DataFrame:
    """D_k^j with its bootstrap CI, per domain and transform (the plain prompt left out)."""
    point, draws = domains.means(), domains.draws(n_resamples, seed)
    records = []
    for j, (suite, bin_) in enumerate(domains.names):
        for k, name in enumerate(domains.candidates[1:], start=1):
            low, high = _interval(draws[:, j, k])
            records.append({"suite": suite, "bin": bin_, "transform": name,
                            "n": domains.sizes()[j], "gain": point[j, k],
                            "gain_low": low, "gain_high": high})
    return pd.DataFrame.from_records(records)


def transform_scores(domains: GainDomains, alpha: float = 1.0) -> pd.DataFrame:
    """Per candidate over all domains: mean gain, sd, s_k and the worst domain."""
    point = domains.means()
    s = robust_score(point, alpha)
    records = []
    for k, name in enumerate(domains.candidates):
        worst = int(np.argmin(point[:, k]))
        records.append({"transform": name, "n_domains": len(domains.names),
                        "mean_gain": point[:, k].mean(), "sd_gain": point[:, k].std(),
                        "s_k": s[k], "worst_domain": "/".join(domains.names[worst]),
                        "worst_gain": point[worst, k]})
    return pd.DataFrame.from_records(records)


def _choose(gains: np.ndarray, alpha: float) -> np.ndarray:
    """Index of the best candidate by s_k (first on ties), over the domain axis (-2)."""
    return np.argmax(robust_score(gains, alpha), axis=-1)


def lodo(domains: GainDomains, alpha: float = 1.0, n_resamples: int = N_RESAMPLES,
         seed: int = 0) -> tuple[pd.DataFrame, dict[str, object]]:
    """Leave-one-domain-out: per held-out domain the transform chosen on the others and its
    gain there (CI), and the overall mean held-out gain (CI) with the worst domain."""
    d = len(domains.names)
    if d < 2:
        return pd.DataFrame(), {}
    point, draws = domains.means(), domains.draws(n_resamples, seed)
    rows, held_draws = [], []
    for j in range(d):
        others = [i for i in range(d) if i != j]
        chosen = int(_choose(point[others], alpha))
        chosen_b = _choose(draws[:, others, :], alpha)
        gain_b = draws[np.arange(n_resamples), j, chosen_b]
        held_draws.append(gain_b)
        low, high = _interval(gain_b)
        rows.append({"held_out": "/".join(domains.names[j]), "n": domains.sizes()[j],
                     "chosen": domains.candidates[chosen], "gain": point[j, chosen],
                     "gain_low": low, "gain_high": high})
    table = pd.DataFrame.from_records(rows)
    worst = int(table["gain"].idxmin())
    low, high = _interval(np.mean(held_draws, axis=0))
    summary: dict[str, object] = {
        "n_domains": d, "alpha": alpha, "mean_gain": float(table["gain"].mean()),
        "mean_gain_low": low, "mean_gain_high": high,
        "worst_domain": table.loc[worst, "held_out"], "worst_gain": table.loc[worst, "gain"],
        "chosen_on_all": domains.candidates[int(_choose(point, alpha))]}
    return table, summary


GAINS = ("score", "hr-drop")


def gain_domains(rows: pd.DataFrame, t: float, gain: str,
                 candidates: Sequence[str] | None) -> GainDomains | None:
    """The per-domain data of the chosen gain; None when fewer than two candidates pair up."""
    if gain not in GAINS:
        raise ValueError(f"unknown gain {gain!r}; known: {', '.join(GAINS)}")
    tables = [paired_scores(rows, t)] if gain == "score" else list(paired_outcomes(rows))
    if candidates is not None:
        keep = [c for c in (PLAIN, *candidates) if c in tables[0].columns]
        tables = [table[keep] for table in tables]
    if not len(tables[0]) or tables[0].shape[1] < 2 or tables[0].columns[0] != PLAIN:
        return None
    if gain == "score":
        return Domains.from_scores(tables[0])
    return CoverageDomains.from_outcomes(tables[0], tables[1])


def transfer_tables(rows: pd.DataFrame, t: float = 0.75, alpha: float = 1.0,
                    n_resamples: int = N_RESAMPLES, seed: int = 0,
                    candidates: Sequence[str] | None = None,
                    gain: str = "score") -> dict[str, object]:
    """Everything `halprobe tune-prompt` reports, from a run's response rows; ``gain`` is
    'score' (score_t at t) or 'hr-drop' (HR drop at equal coverage)."""
    domains = gain_domains(rows, t, gain, candidates)
    if domains is None:
        return {"domains": pd.DataFrame(), "scores": pd.DataFrame(), "lodo": pd.DataFrame(),
                "summary": {}, "n_items": 0}
    table, summary = lodo(domains, alpha, n_resamples, seed)
    return {"domains": domain_gains(domains, n_resamples, seed),
            "scores": transform_scores(domains, alpha), "lodo": table, "summary": summary,
            "n_items": sum(domains.sizes())}


def nan_to_none(value: object) -> object:
    """NaN as None, for JSON."""
    return None if isinstance(value, float) and math.isnan(value) else value
