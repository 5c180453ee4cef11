"""Fake run directories shaped like `halprobe eval` writes them (pipeline.build_config,
runner._row), with labels drawn so that rarer bins hallucinate more."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SUITES = {  # name -> (proxy name, exists, proxy value of bin 0)
    "capitals": ("population_wb", True, 1e5),
    "papers": ("citations_gs_2017", True, 3.0),
    "controls": (None, False, None),
}


FACT_KINDS = {"capitals": "systematic", "papers": "arbitrary", "controls": "systematic"}


def fake_rows(seed: int = 0, per_bin: int = 10, logprobs: bool = True,
              hall_scale: float = 1.0, anchored: bool = False) -> list[dict[str, Any]]:
    """Response rows over the SUITES: bins 0..4 for facts, bin 0 only for controls. With
    ``anchored``, each fact has an exact count ~ Poisson(proxy / (10 x bin 0's proxy)) from a
    reference corpus "corpus.jsonl" (docs/metrics.md 3)."""
    rng = np.random.default_rng(seed)
    rows = []
    for suite, (proxy, exists, base) in SUITES.items():
        for b in range(5 if exists else 1):
            for i in range(per_bin):
                pop = base * 10 ** (b + rng.uniform(0, 1)) if base is not None else None
                p_hall = min(0.95, hall_scale * (0.7 - 0.13 * b)) if exists else 0.6
                draw = rng.uniform()
                label = ("hallucinated" if draw < p_hall else "abstained"
                         if draw < p_hall + 0.15 else "correct")
                if not exists and label == "correct":
                    label = "abstained"
                if rng.uniform() < 0.03:
                    label = "unscored"
                conf = float(rng.beta(5, 2) if label == "correct" else rng.beta(2, 3))
                answered = label in ("correct", "hallucinated")
                has = logprobs and answered
                rows.append({
                    "item_id": f"{suite}/{b}-{i}", "suite": suite, "bin": b,
                    "answer_type": "entity", "exists": exists, "popularity": pop,
                    "proxy": proxy, "event_date": None, "question": f"Q {suite} {b} {i}?",
                    "gold": None if not exists else f"A{i}", "aliases": [],
                    "prompt": [{"role": "user", "content": f"Q {suite} {b} {i}?"}],
                    "response": "text", "label": label, "matched": None, "reason": "",
                    "error": None, "confidence": conf if has else None,
                    "confidence_norm": conf ** 0.2 if has else None,
                    "confidence_source": "logprobs:answer_span" if has else "none",
                    "tokens": None, "token_logprobs": None, "prompt_tokens": 10,
                    "completion_tokens": 8, "finish_reason": "stop", "cached": False,
                    "latency_s": 0.1, "fact_kind": FACT_KINDS[suite],
                    **({"corpus_count": int(rng.poisson(pop / (10 * base))),
                        "anchor": "corpus.jsonl"} if anchored and base is not None else {})})
    return rows


def fake_config(model: str, created: str, status: str = "complete") -> dict[str, Any]:
    fingerprint = {"backend": "llamacpp", "model": model, "file": f"{model}.gguf",
                   "sha256": "b179c9523d0e6a0f"}
    return {
        "halprobe_version": "0.1.0", "config_hash": f"hash-{model}", "created": created,
        "model_spec": "default", "fingerprint": fingerprint,
        "capabilities": {"logprobs": True, "batching": False, "max_batch_size": 1,
                         "max_concurrency": 1},
        "decoding": {"max_tokens": 48, "temperature": 0.0, "top_p": 1.0, "seed": 0,
                     "sample_index": 0},
        "seed": 0, "per_bin": 10, "limit": None,
        "suites": [{"name": name, "version": "1.0.0", "digest": f"digest-{name}",
                    "path": f"probes/{name}/suite.yaml", "bins": 5} for name in SUITES],
        "prompt_hash": "ad0419a2e482b6d6", "n_items": 110, "status": status,
    }


def write_run(root: Path, run_id: str, model: str = "SmolLM2-135M-Instruct", seed: int = 0,
              created: str = "2026-01-01T00:00:00+00:00", status: str = "complete",
              summary: bool = True, **row_options: Any) -> Path:
    """RESULTS/runs/<run_id>/ with config.json, responses.jsonl and (rates-only) summary.csv."""
    from halprobe.analysis.rates import summarise

    directory = root / "runs" / run_id
    directory.mkdir(parents=True)
    (directory / "config.json").write_text(json.dumps(fake_config(model, created, status)),
                                           encoding="utf-8")
    rows = fake_rows(seed, **row_options)
    (directory / "responses.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    if summary:
        summarise(pd.DataFrame(rows)).to_csv(directory / "summary.csv", index=False,
                                             float_format="%.4f")
    return directory
