"""results/leaderboard.csv: one row per complete run x suite, plus the run's "all" row.

Each row joins a run's provenance (config.json) to its summary's "all" row for the suite
(summary.csv; recomputed from responses.jsonl with ``build_summary`` when the run predates
a column). Column meanings are in docs/report.md. The file is rewritten whole from the runs
on disk each time, atomically, so it is idempotent and never half-written.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

from halprobe.analysis.summary import build_summary
from halprobe.analysis.targets import LEADERBOARD_COLUMNS, leaderboard_scores
from halprobe.store.load import find_runs, load_run
from halprobe.store.rundir import CONFIG, SUMMARY, read_json_object

LEADERBOARD = "leaderboard.csv"

PROVENANCE = ("run_id", "model", "fingerprint", "date", "halprobe_version", "suite",
              "suite_version", "suite_digest", "prompt_hash")
# leaderboard column -> summary.csv column
FIGURES = {
    "n": "n", "accuracy": "accuracy", "hallucination_rate": "hallucination_rate",
    "hallucination_rate_low": "hallucination_rate_low",
    "hallucination_rate_high": "hallucination_rate_high",
    "abstention_rate": "abstention_rate", "non_answer_rate": "non_answer_rate",
    "hallucination_given_attempted": "hallucination_given_attempted",
    "f_score": "f_score", "fact_kind": "fact_kind", "anchor": "anchor",
    "monofact_sr": "monofact_sr", "monofact_u": "monofact_u", "ece": "ece_width10",
    "brier": "brier", "auroc": "auroc", "spearman_hr_proxy": "spearman",
    "spearman_low": "spearman_low", "spearman_high": "spearman_high",
}
# monofact_sr (mention-weighted) and monofact_u (item-weighted, like the rate beside it) are
# levels: empty unless `anchor` names exact counts (docs/metrics.md 3); the
# spearman_* columns are rank statistics (HR against the proxy's bins: < 0 as predicted).
# Confidence targets (docs/metrics.md 5): score_t0, score_t0.5, score_t0.75, score_t0.9, bcg; empty
# for a run asked under no target.
COLUMNS = (*PROVENANCE, *FIGURES, *LEADERBOARD_COLUMNS)
SORT = ["suite", "hallucination_rate", "run_id"]


def short_hash(data: Any, length: int = 12) -> str:
    """First hex digits of the SHA-256 of canonical JSON (sorted keys)."""
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:length]


def is_complete(run_dir: Path) -> bool:
    try:
        config = json.loads((run_dir / CONFIG).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return isinstance(config, dict) and config.get("status") == "complete"


def run_summary(run_dir: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """A run's config and summary, recomputed when summary.csv lacks a leaderboard figure."""
    config = read_json_object(run_dir / CONFIG)
    path = run_dir / SUMMARY
    summary = pd.read_csv(path, dtype={"bin": str}) if path.is_file() else pd.DataFrame()
    if not len(summary) or not {*FIGURES.values(), "base_suite"} <= set(summary.columns):
        summary = build_summary(load_run(run_dir).responses)
    return config, summary


def asked_targets(config: dict[str, Any]) -> bool:
    """Whether the run asked anything under a confidence target (config.json's transforms)."""
    entries = config.get("transforms")
    return isinstance(entries, dict) and any(
        isinstance(t, dict) and t.get("target") is not None for t in entries.values())


def target_scores(run_dir: Path, config: dict[str, Any]) -> dict[str, dict[str, float]]:
    """score_t and BCG per summary suite; read from responses.jsonl only for a targets run."""
    if not asked_targets(config):
        return {}
    return leaderboard_scores(load_run(run_dir).responses)


def _suite_provenance(config: dict[str, Any], suite: str, base: str) -> dict[str, str]:
    """Version and digest of the suite a summary row asked (``base``: its base suite)."""
    suites = [s for s in config.get("suites", []) if isinstance(s, dict)]
    if suite == "all":
        digests = {str(s.get("name")): s.get("digest") for s in suites}
        return {"suite_version": "", "suite_digest": short_hash(digests, 16)}
    match = next((s for s in suites if s.get("name") == base), {})
    return {"suite_version": str(match.get("version", "")),
            "suite_digest": str(match.get("digest", ""))}


def run_rows(run_dir: Path) -> list[dict[str, Any]]:
    """The leaderboard rows of one run: each suite's "all" row and the run's overall row."""
    config, summary = run_summary(run_dir)
    fingerprint = config.get("fingerprint") or {}
    base = {"run_id": run_dir.name,
            "model": str(fingerprint.get("model") or config.get("model_spec", "")),
            "fingerprint": short_hash(fingerprint), "date": str(config.get("created", "")),
            "halprobe_version": str(config.get("halprobe_version", "")),
            "prompt_hash": str(config.get("prompt_hash", ""))}
    scores = target_scores(run_dir, config)
    rows = []
    for _, line in summary[summary["bin"].astype(str) == "all"].iterrows():
        suite = str(line["suite"])
        figures = {name: line.get(column, math.nan) for name, column in FIGURES.items()}
        asked = str(line.get("base_suite", suite))
        rows.append({**base, "suite": suite, **_suite_provenance(config, suite, asked), **figures,
                     **scores.get(suite, {})})
    return rows


def build_leaderboard(results: Path) -> pd.DataFrame:
    """Rows of every complete run under RESULTS/runs, in the documented order."""
    rows = [row for run_dir in find_runs(results) if is_complete(run_dir)
            for row in run_rows(run_dir)]
    table = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    table["n"] = table["n"].astype("Int64")
    return table.sort_values(SORT, kind="mergesort", na_position="last", ignore_index=True)


def write_csv_atomic(table: pd.DataFrame, path: Path) -> Path:
    """Write through a temporary file in the same folder, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    table.to_csv(tmp, index=False, float_format="%.4f")
    os.replace(tmp, path)
    return path


def update_leaderboard(results: Path, out: Path | None = None) -> Path:
    """Rewrite RESULTS/leaderboard.csv (or ``out``) from the runs on disk; return its path."""
    return write_csv_atomic(build_leaderboard(results), out or results / LEADERBOARD)
