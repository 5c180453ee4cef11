"""Sampled answers (`halprobe eval --samples K`): sampling confidence and generative Mis.

Each item is asked K more times at temperature 1 (samples.jsonl, one graded row a sample).
Samples are grouped into semantic answers by the grader's verdict (docs/metrics.md 4: "after the
matcher's normalisation"): every correct sample is the gold answer; a hallucinated or vague
one is the span the matcher read (``Grade.matched``), through the matchers' shared
``normalize`` (dates by their parsed year-month-day); an abstention, or an answer the grader
could not read, is its own cluster that never equals the gold one. Backend errors are not
samples.

Per item (``annotate``, columns added to the response rows):
- ``sampling_confidence``: the share of the K samples whose key equals the greedy answer's
  key; none when the greedy answer has no key (abstained, unscored): it states no answer;
- ``sample_clusters``: {key: count}, what ``generative_miscalibration`` needs;
- ``confidence`` / ``confidence_source``: where the backend gave no log-probs, the sampling
  confidence, with source "sampling"; a log-prob confidence is kept as it is.
Per stratum, ``stratum_mis`` gives Kalai–Vempala's Mis (docs/metrics.md 4, via
``calibration.generative_miscalibration``) over the sampled items that state a real fact
(exists = true), whatever their greedy answer: 10 equal-width bins of g, the prompt's
Good–Turing unseen mass U_c (clusters seen once / K) in the lowest bin with every gold answer
that was never sampled (no separate g = 0 bin; ``calibration.sampled_g``).

Where the run also scored the gold answer teacher-forced (``eval --choices K``, choices.jsonl),
``annotate`` adds ``gold_logprob`` (the summed log-probs of the gold continuation) and Mis takes
g(gold|c) = exp(gold_logprob) from it, as docs/metrics.md 4 says, instead of the gold's sample
share (``scored_g``); the other clusters keep their sampled shape, scaled to the 1 - g(gold|c)
left. ``mis_source`` says which: "scores", "samples" or "scores+samples" (some prompts each).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from halprobe.analysis.calibration import (
    generative_miscalibration,
    sampled_g,
    sampling_confidence,
)
from halprobe.analysis.stats import half_l1_basic_interval

GOLD = "=gold"
ABSTAIN = "=abstain"
UNREAD = "=unscored"
SOURCE = "sampling"
MIN_SAMPLES = 20  # docs/metrics.md 4: K >= 20 per prompt for Mis
MIS_BINS = 10


def answer_key(label: str, matched: str | None, answer_type: str | None = None) -> str | None:
    """The semantic answer of one graded response; None when it states no answer."""
    from halprobe.scoring.normalize import normalize

    if label == "correct":
        return GOLD
    if label not in ("hallucinated", "vague"):
        return None
    matched = matched if isinstance(matched, str) else None  # NaN from a DataFrame
    key = normalize(matched or "")
    if answer_type == "date" and matched:
        from halprobe.scoring.dates import find_dates

        mentions = find_dates(matched)
        if mentions and mentions[0].readings:
            key = "-".join("?" if part is None else str(part)
                           for part in mentions[0].readings[0])
    return f"={label}:{key}"


def cluster_key(label: str, matched: str | None, answer_type: str | None = None) -> str:
    """``answer_key``, with the no-answer clusters named (abstained vs unreadable)."""
    key = answer_key(label, matched, answer_type)
    if key is not None:
        return key
    return ABSTAIN if label == "abstained" else UNREAD


def _row_key(row: Mapping[str, Any]) -> str | None:
    return answer_key(str(row.get("label")), row.get("matched"), row.get("answer_type"))


def is_unread(key: Hashable) -> bool:
    """An unreadable sample's cluster (``=unscored#N``)."""
    return str(key).startswith(UNREAD)


def sample_clusters(samples: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Per greedy item id: {cluster key: count} over its samples (errors left out).

    Each unreadable sample (no answer of the asked kind, no decline) is a cluster of its own,
    ``=unscored#1``, ``=unscored#2``...: two texts that state nothing are not the same answer,
    so they are singletons, the unseen mass of docs/metrics.md 4. Pooled into one cluster they
    looked like one answer the model gives often, above the lowest bin (in the synthetic
    world that read M3's Mis .116 where the exact value is .062).
    """
    if not len(samples):
        return {}
    usable = samples[samples["label"] != "error"]
    clusters: dict[str, Counter[str]] = {}
    for row in usable.to_dict("records"):
        key = cluster_key(str(row["label"]), row.get("matched"), row.get("answer_type"))
        counts = clusters.setdefault(str(row["sample_of"]), Counter())
        if key == UNREAD:
            key = f"{UNREAD}#{sum(1 for k in counts if is_unread(k)) + 1}"
        counts[key] += 1
    return {item: dict(counts) for item, counts in clusters.items()}


def agreement(greedy: Mapping[str, Any], clusters: Mapping[str, int]) -> float | None:
    """``calibration.sampling_confidence`` of one greedy row over its sample clusters."""
    keys: list[Hashable | None] = [None if k == ABSTAIN or is_unread(k) else k
                                   for k, n in clusters.items() for _ in range(n)]
    return sampling_confidence(_row_key(greedy), keys)


def annotate(rows: list[dict[str, Any]], samples: pd.DataFrame,
             gold_logprobs: Mapping[str, float] | None = None) -> list[dict[str, Any]]:
    """Response rows with the sampling columns, and ``gold_logprob`` where the gold answer was
    scored (module docstring); other rows unchanged."""
    clusters = sample_clusters(samples)
    scores = gold_logprobs or {}
    out = []
    for row in rows:
        row = dict(row)
        found = clusters.get(str(row.get("item_id")), {})
        conf = agreement(row, found) if found and row.get("label") != "error" else None
        row.update(n_samples=sum(found.values()), sampling_confidence=conf,
                   sample_clusters=found or None)
        if str(row.get("item_id")) in scores:
            row["gold_logprob"] = float(scores[str(row.get("item_id"))])
        if row.get("confidence_source") in (None, "none", SOURCE):
            row.update(confidence=conf, confidence_norm=conf,
                       confidence_source=SOURCE if conf is not None else "none")
        out.append(row)
    return out


def _clusters(value: Any) -> dict[str, int] | None:
    return value if isinstance(value, dict) and value else None


def _sampled_facts(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows that state a real fact (exists is not false) and have sample clusters."""
    if "sample_clusters" not in rows:
        return rows.iloc[:0]
    real = rows["exists"].astype("boolean").fillna(True) if "exists" in rows else None
    chosen = rows if real is None else rows[real.astype(bool)]
    return chosen[chosen["sample_clusters"].map(_clusters).notna()]


def item_mis_inputs(rows: pd.DataFrame
                    ) -> list[tuple[Mapping[Hashable, int], Hashable | None]]:
    """(sample count per cluster, gold key) of the rows that state a real fact and were
    sampled."""
    return [({k: int(n) for k, n in clusters.items()}, GOLD)
            for clusters in _sampled_facts(rows)["sample_clusters"]]


def _gold_logprobs(rows: pd.DataFrame) -> list[float | None]:
    """Per prompt of ``item_mis_inputs`` (same rows, same order): its gold_logprob, or None."""
    chosen = _sampled_facts(rows)
    if "gold_logprob" not in chosen:
        return [None] * len(chosen)
    return [None if pd.isna(value) else float(value) for value in chosen["gold_logprob"]]


Prompt = tuple[dict[Hashable, float], Hashable, float]


def scored_g(counts: Mapping[Hashable, int], gold_logprob: float | None) -> Prompt:
    """(g per cluster, gold key, unseen mass U_c) of one prompt (docs/metrics.md 4).

    Without a score: ``calibration.sampled_g``. With one: g(gold) = exp(gold_logprob); the
    other clusters keep their sampled g (n_r / K, singletons in U_c), all scaled so that they
    and U_c share the 1 - g(gold) left; when every sample was the gold, that rest is unseen
    mass. Example: K = 10, gold 6, B 3, C 1, score ln .3: rest 1 - .6 = .4 becomes .7, so
    B = .3 x 1.75 = .525, U = .1 x 1.75 = .175 (C seen once), gold .3.
    """
    if gold_logprob is None:
        g, unseen = sampled_g(counts)
        return dict(g), GOLD, unseen
    gold = min(1.0, math.exp(gold_logprob))
    total = int(sum(counts.values()))
    others = {k: n for k, n in counts.items() if k != GOLD}
    rest = sum(others.values()) / total
    if rest <= 0:
        return {GOLD: gold}, GOLD, 1.0 - gold
    scale = (1.0 - gold) / rest
    g = {k: scale * n / total for k, n in others.items() if n >= 2}
    unseen = scale * sum(1 for n in others.values() if n == 1) / total
    return {GOLD: gold, **g}, GOLD, unseen


def _mis(prompts: list[Prompt]) -> float:
    return generative_miscalibration([(g, gold) for g, gold, _ in prompts], MIS_BINS,
                                     [u for _, _, u in prompts]).mis


def scored_interval(prompts: list[Prompt], level: float = 0.95, n_resamples: int = 2000,
                    seed: int = 0) -> tuple[float, float]:
    """Basic bootstrap interval of Mis over prompts, as ``calibration.mis_interval`` draws it,
    for prompts given as (g, gold, U_c): each prompt's P_B - G_B row once, then multinomial
    weightings of the rows."""
    rows = []
    for g, gold, unseen in prompts:
        one = generative_miscalibration([(g, gold)], MIS_BINS, [unseen])
        rows.append(one.p_shares - one.g_shares)
    return half_l1_basic_interval(np.array(rows), level, n_resamples, seed)


def mis_source(gold_logprobs: list[float | None]) -> str:
    """Where g(gold|c) came from: "scores", "samples", or "scores+samples" (some of each)."""
    scored = sum(1 for value in gold_logprobs if value is not None)
    if scored == 0:
        return "samples"
    return "scores" if scored == len(gold_logprobs) else "scores+samples"


def stratum_mis(rows: pd.DataFrame) -> dict[str, float | int | str]:
    """Mis (docs/metrics.md 4) of one stratum with its bootstrap interval over the prompts, its
    items, the fewest samples an item had, the temperature-1 HR, and where g(gold) came from
    (``mis_source``: teacher-forced scores where the run has them, else the samples)."""
    prompts = item_mis_inputs(rows)
    if not prompts:
        return {"mis": math.nan, "mis_low": math.nan, "mis_high": math.nan, "mis_n_items": 0,
                "samples_k": 0, "sampled_hr": math.nan, "mis_source": "none"}
    golds = _gold_logprobs(rows)
    inputs = [scored_g(counts, lp) for (counts, _), lp in zip(prompts, golds, strict=True)]
    low, high = scored_interval(inputs)
    fewest = min(int(sum(freqs.values())) for freqs, _ in prompts)
    return {"mis": _mis(inputs), "mis_low": low, "mis_high": high,
            "mis_n_items": len(inputs), "samples_k": fewest,
            "sampled_hr": sampled_hallucination_rate(prompts), "mis_source": mis_source(golds)}


def sampled_hallucination_rate(prompts: list[tuple[Mapping[Hashable, int], Hashable | None]]
                               ) -> float:
    """Share of the temperature-1 samples that are hallucinated, over graded samples (the
    unreadable ones left out): the rate the Kalai–Vempala bound is about (docs/metrics.md 4)."""
    wrong = graded = 0
    for counts, _ in prompts:
        for key, n in counts.items():
            if not is_unread(key):
                graded += n
                wrong += n if str(key).startswith("=hallucinated:") else 0
    return wrong / graded if graded else math.nan


def has_samples(rows: pd.DataFrame) -> bool:
    return "sample_clusters" in rows and bool(rows["sample_clusters"].map(_clusters).notna().any())
