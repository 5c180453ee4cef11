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
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping
from typing import Any

import pandas as pd

from halprobe.analysis.calibration import (
    mis_interval,
    sampled_miscalibration,
    sampling_confidence,
)

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


def annotate(rows: list[dict[str, Any]], samples: pd.DataFrame) -> list[dict[str, Any]]:
    """Response rows with the sampling columns (module docstring); other rows unchanged."""
    clusters = sample_clusters(samples)
    out = []
    for row in rows:
        row = dict(row)
        found = clusters.get(str(row.get("item_id")), {})
        conf = agreement(row, found) if found and row.get("label") != "error" else None
        row.update(n_samples=sum(found.values()), sampling_confidence=conf,
                   sample_clusters=found or None)
        if row.get("confidence_source") in (None, "none", SOURCE):
            row.update(confidence=conf, confidence_norm=conf,
                       confidence_source=SOURCE if conf is not None else "none")
        out.append(row)
    return out


def _clusters(value: Any) -> dict[str, int] | None:
    return value if isinstance(value, dict) and value else None


def item_mis_inputs(rows: pd.DataFrame
                    ) -> list[tuple[Mapping[Hashable, int], Hashable | None]]:
    """(sample count per cluster, gold key) of the rows that state a real fact and were
    sampled."""
    if "sample_clusters" not in rows:
        return []
    real = rows["exists"].astype("boolean").fillna(True) if "exists" in rows else None
    chosen = rows if real is None else rows[real.astype(bool)]
    prompts: list[tuple[Mapping[Hashable, int], Hashable | None]] = []
    for value in chosen["sample_clusters"]:
        clusters = _clusters(value)
        if clusters:
            prompts.append(({k: int(n) for k, n in clusters.items()}, GOLD))
    return prompts


def stratum_mis(rows: pd.DataFrame) -> dict[str, float | int]:
    """Mis (docs/metrics.md 4) of one stratum with its bootstrap interval over the prompts, its
    items, the fewest samples an item had, and the temperature-1 HR."""
    prompts = item_mis_inputs(rows)
    if not prompts:
        return {"mis": math.nan, "mis_low": math.nan, "mis_high": math.nan, "mis_n_items": 0,
                "samples_k": 0, "sampled_hr": math.nan}
    result = sampled_miscalibration(prompts, MIS_BINS)
    low, high = mis_interval(prompts, MIS_BINS)
    fewest = min(int(sum(freqs.values())) for freqs, _ in prompts)
    return {"mis": result.mis, "mis_low": low, "mis_high": high,
            "mis_n_items": result.n_prompts, "samples_k": fewest,
            "sampled_hr": sampled_hallucination_rate(prompts)}


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
