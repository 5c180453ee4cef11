"""Multiple-choice calibration and the is-it-valid error, from teacher-forced option scores.

Each scored item has options (the gold answer and k distractors of the same kind) with the
log-probability the model gives each as its answer. Normalised over the options they are a
distribution p(r|c) over a small answer set, to which two analyses apply exactly:

- Calibration (docs/metrics.md 4; the GPT-4 technical report's plot of a base model before and
  after post-training): every option's normalised probability against whether it is the gold,
  as a reliability table and ECE over 10 equal-width bins.
- The 2025 paper's reduction (Kalai, Nachum, Vempala, Zhang, "Why Language Models Hallucinate",
  Theorem 1): the is-it-valid (IIV) classifier calls an option valid when p(r|c) > 1/|E_c|
  (|E_c| = distractors of the prompt, the fewest over the stratum). Its error is half the
  share of golds called invalid plus half the share of distractors called valid (the IIV
  distribution is half valid examples, half errors drawn uniformly). The theorem then gives
  err >= 2 * err_iiv - |V_c| / |E_c| - delta, with err = mean (1 - p(gold|c)) the model's
  error over these answer sets, |V_c| = 1 and delta = |p(A) - true(A)| for
  A = {(c, r): p(r|c) > 1/|E_c|} (true(A): share of prompts whose gold is in A). It holds
  for any scores; the bound is printed beside the generative hallucination rate, which it
  does not bound (a free answer is not a choice among k + 1 options).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from halprobe.analysis.calibration import ece
from halprobe.types import NATIVE_WEIGHTS

CHOICES_FILE = "choices.jsonl"  # one row an item: options, gold_index, logprobs, n_tokens


def read_choices(run_dir: Path) -> list[dict[str, Any]]:
    """A run's teacher-forced option scores (run/choices.py), [] when it has none."""
    path = run_dir / CHOICES_FILE
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def gold_logprobs(choices: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Per item id: the teacher-forced log-probability of its gold option, where it is the
    g(gold|c) that Mis sets beside the sampled answers' frequencies (``analysis.sampling``):

    - only a score of the whole answer (``whole_answer``: a completion prompt's option ends
      the answer line). A chat prompt's option is the reply's first tokens, and a chat model
      replies in sentences: SmolLM2-135M-Instruct's " Nairobi" after its chat template scores
      .003 on average over 40 capitals whose samples were right 17% of the time. Rows written
      before the field existed are left out too;
    - only scores of generation's own arithmetic: not ``score_weights`` f32, f16, bf16 (a
      float copy's log-probs lie about 0.24 from the 8-bit-activation arithmetic a quantised
      model generates with: docs/performance.md)."""
    return {str(row["item_id"]): float(row["logprobs"][int(row["gold_index"])])
            for row in choices if row.get("whole_answer") is True
            and row.get("score_weights", NATIVE_WEIGHTS) == NATIVE_WEIGHTS}


def option_probabilities(logprobs: Sequence[float]) -> np.ndarray:
    """The options' log-probabilities normalised to sum to one (a softmax)."""
    values = np.asarray(logprobs, dtype=np.float64)
    shifted = np.exp(values - values.max())
    return np.asarray(shifted / shifted.sum())


def iiv_terms(probs: Sequence[np.ndarray], golds: Sequence[int]) -> dict[str, float]:
    """err, err_iiv, delta and the bound of Theorem 1 over prompts with one valid option each
    (module docstring). Example: probs (.6 gold, .3, .1) and (.2 gold, .5, .3): threshold 1/2,
    err_iiv = .5 * 1/2 + .5 * 0 = .25, err = .6, delta = |.3 - .5| = .2, bound = -.2."""
    if not probs:
        return {"mc_error": math.nan, "iiv_error": math.nan, "iiv_delta": math.nan,
                "iiv_bound": math.nan, "iiv_threshold": math.nan}
    fewest = min(len(p) - 1 for p in probs)
    threshold = 1.0 / fewest if fewest else math.inf
    gold_p = np.array([p[g] for p, g in zip(probs, golds, strict=True)])
    gold_missed = float(np.mean(gold_p <= threshold))
    wrong_called = float(np.mean([np.mean(np.delete(p, g) > threshold)
                                  for p, g in zip(probs, golds, strict=True)]))
    err_iiv = 0.5 * gold_missed + 0.5 * wrong_called
    model_a = float(np.mean([p[p > threshold].sum() for p in probs]))
    true_a = float(np.mean(gold_p > threshold))
    delta = abs(model_a - true_a)
    err = float(np.mean(1.0 - gold_p))
    return {"mc_error": err, "iiv_error": err_iiv, "iiv_delta": delta,
            "iiv_bound": 2 * err_iiv - 1.0 / fewest - delta if fewest else math.nan,
            "iiv_threshold": threshold}


def _record(rows: pd.DataFrame) -> dict[str, float]:
    probs = [option_probabilities(lp) for lp in rows["logprobs"]]
    golds = [int(g) for g in rows["gold_index"]]
    flat_p = np.concatenate(probs) if probs else np.array([])
    flat_y = np.concatenate([np.arange(len(p)) == g for p, g in zip(probs, golds, strict=True)])\
        if probs else np.array([])
    chosen = [int(np.argmax(p)) == g for p, g in zip(probs, golds, strict=True)]
    return {"mc_n": len(rows), "mc_options": float(np.mean([len(p) for p in probs])),
            "mc_accuracy": float(np.mean(chosen)) if chosen else math.nan,
            "mc_gold_p": float(np.mean([p[g] for p, g in zip(probs, golds, strict=True)])),
            "mc_ece": ece(flat_p.tolist(), flat_y.tolist()),
            **iiv_terms(probs, golds)}


def choice_table(choices: pd.DataFrame, responses: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per suite x bin (and each suite's 'all'): the multiple-choice figures, and the
    generative hallucination rate of the same items beside them (docs/metrics.md 1)."""
    if choices.empty:
        return pd.DataFrame()
    records = []
    for suite, group in choices.groupby("suite", sort=True):
        strata = [(str(b), g) for b, g in group.groupby("bin", sort=True)] + [("all", group)]
        for bin_name, rows in strata:
            record: dict[str, object] = {"suite": suite, "bin": bin_name, **_record(rows)}
            if responses is not None and len(responses):
                asked = responses[responses["item_id"].isin(set(rows["item_id"]))]
                record["hr"] = (float((asked["label"] == "hallucinated").mean())
                                if len(asked) else math.nan)
            records.append(record)
    return pd.DataFrame(records)


def reliability_points(choices: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Every option's normalised probability and whether it is the gold (for the diagram)."""
    probs = [option_probabilities(lp) for lp in choices["logprobs"]]
    ys = [np.arange(len(p)) == int(g) for p, g in zip(probs, choices["gold_index"], strict=True)]
    return np.concatenate(probs), np.concatenate(ys).astype(float)
