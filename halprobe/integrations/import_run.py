"""Write a halprobe run directory from a harness's answers, graded with halprobe's grader.

A harness records what the model said; halprobe grades it again here with
``variants.grading.grade_item`` (the function `halprobe eval` grades with) against the item loaded
from its suite, so an imported run's labels mean what a native run's labels mean. Where the
harness also recorded a halprobe label (the inspect scorer), the two are compared and a
difference is counted and reported (a log scored by another halprobe version).

The rows have the fields of the runner's rows (runner.py ``response_row``); the run directory
gets config.json (with ``imported_from``: harness, file, its SHA-256), responses.jsonl,
summary.csv and report.html, so `halprobe report`, the leaderboard and `halprobe check` read it
like any other run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from halprobe import __version__
from halprobe.backends.base import BackendError
from halprobe.errors import UserError
from halprobe.run.runner import response_row
from halprobe.store import RunDir
from halprobe.suites import Suite
from halprobe.types import Generation, ProbeItem
from halprobe.variants.grading import grade_item


@dataclass(frozen=True)
class HarnessAnswer:
    """One answer a harness recorded. ``response`` None: the harness recorded an error."""

    item: ProbeItem
    prompt: list[dict[str, str]]
    response: str | None
    error: str | None = None
    tokens: tuple[str, ...] | None = None
    token_logprobs: tuple[float, ...] | None = None
    harness_label: str | None = None  # the label a halprobe scorer inside the harness gave
    extra: dict[str, Any] = field(default_factory=dict)  # harness ids: sample id, epoch, doc


@dataclass(frozen=True)
class HarnessRun:
    """What a harness file says about the run as a whole."""

    harness: str  # "inspect" | "lm-eval"
    source: Path
    model: str
    fingerprint: dict[str, Any]
    decoding: dict[str, Any]
    suites: list[Suite]
    settings: dict[str, Any] = field(default_factory=dict)  # per_bin, seed, prompt_style...


@dataclass(frozen=True)
class Imported:
    run_dir: Path
    labels: Counter[str]
    n_compared: int  # answers that carried a harness label
    n_differ: int  # of those, how many halprobe graded differently now
    summary: pd.DataFrame  # summary.csv: suite x bin


def answer_row(answer: HarnessAnswer) -> dict[str, Any]:
    """A responses.jsonl row for one harness answer, graded now.

    Built by the runner's own row code (``runner.response_row``), so an imported row has
    exactly the fields and confidence figures a native row has, whatever later grading adds to
    rows; then the harness's own ids and label.
    """
    result: Generation | BackendError = (
        BackendError("fatal", f"harness error: {answer.error}") if answer.response is None
        else Generation(answer.response, answer.tokens, answer.token_logprobs))
    row = response_row(answer.item, answer.prompt, result, grade_item, cached=False,
                       latency=0.0)
    if answer.response is None:
        row["reason"] = f"harness error: {answer.error}"
    return {**row, **answer.extra, "harness_label": answer.harness_label, "latency_s": None}


def _hash(data: Any) -> str:
    """pipeline.py's hash of the suites' prompts: an imported run's prompt_hash equals a
    native run's for the same suite prompts."""
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_config(run: HarnessRun, answers: list[HarnessAnswer],
                 labels: Counter[str]) -> dict[str, Any]:
    """config.json of an imported run; ``config_hash`` is the source file's hash, so importing
    the same file twice is recognised."""
    sha = file_sha256(run.source)
    prompts = {s.name: {"system": s.spec.system, "template": s.spec.template}
               for s in run.suites}
    return {
        "halprobe_version": __version__, "config_hash": sha[:16],
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "model_spec": f"{run.harness}:{run.model}", "fingerprint": run.fingerprint,
        "decoding": run.decoding, **run.settings,
        "suites": [{"name": s.name, "version": s.spec.version, "digest": s.spec.digest,
                    "path": str(s.spec.path), "bins": s.spec.bins.count} for s in run.suites],
        "prompt_hash": _hash(prompts),
        "n_items": len(answers),
        "imported_from": {"harness": run.harness, "file": str(run.source.resolve()),
                          "sha256": sha},
        "frequency_proxy": "suite proxies (suite.yaml)",
        "stats": {"labels": dict(labels)}, "status": "complete",
    }


def default_run_dir(results: Path, run: HarnessRun) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", run.model).strip("-")[:40] or "model"
    return results / "runs" / f"{stamp}-{run.harness}-{slug}-{file_sha256(run.source)[:6]}"


def write_run(run: HarnessRun, answers: list[HarnessAnswer], out: Path | None,
              results: Path) -> Imported:
    """Grade, write the run directory, its summary and report; update the leaderboard when
    the run lands under RESULTS/runs."""
    from halprobe.report.html import write_report
    from halprobe.report.leaderboard import update_leaderboard
    from halprobe.run.pipeline import write_summary

    if not answers:
        raise UserError(f"{run.source}: no answers to import")
    ids = Counter(a.item.id for a in answers)
    repeated = [i for i, n in ids.items() if n > 1]
    if repeated:
        raise UserError(f"{run.source}: item {repeated[0]!r} answered {ids[repeated[0]]} times "
                        "(several epochs or repeats); import one answer an item")
    target = out or default_run_dir(results, run)
    if (target / "config.json").exists():
        raise UserError(f"{target} already holds a run; choose another --out")
    rows = [answer_row(a) for a in answers]
    labels = Counter(str(r["label"]) for r in rows)
    run_dir = RunDir(target)
    run_dir.write_config(build_config(run, answers, labels))
    run_dir.rewrite_rows(rows)
    analysis = write_summary(run_dir)
    write_report([target], target, {target: analysis})
    if target.parent.resolve() == (results / "runs").resolve():
        update_leaderboard(results)
    compared = [r for r in rows if r.get("harness_label") is not None]
    return Imported(target, labels, len(compared),
                    sum(r["harness_label"] != r["label"] for r in compared), analysis["summary"])
