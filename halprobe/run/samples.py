"""`halprobe eval --samples K`: ask every item K more times at temperature 1.

Sample k of item ID is the item ``ID#sk`` (``variants.plan.sample_item``) asked with
``DecodingParams(temperature=1, sample_index=k)``: backends seed their sampling by (seed,
sample_index), and the index is in the cache key (docs/style.md habit 6), so each sample is
asked once, ever. Its graded row goes
to samples.jsonl in the run directory (same format as responses.jsonl, plus ``sample_of``
and ``sample_index``), through the same Runner: written as it finishes, resumed on a rerun.
What the samples give (sampling confidence, generative Mis) is computed from the rows by
``halprobe.analysis.sampling``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pandas as pd
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from halprobe.analysis.choice import gold_logprobs, read_choices
from halprobe.analysis.sampling import annotate
from halprobe.backends.base import Backend
from halprobe.run.runner import PromptFn, Runner, RunStats
from halprobe.store import ResponseCache, RunDir
from halprobe.store.rundir import SAMPLES
from halprobe.types import DecodingParams, ProbeItem
from halprobe.variants.grading import grade_item
from halprobe.variants.plan import sample_item

TEMPERATURE = 1.0


def sample_params(params: DecodingParams, k: int) -> DecodingParams:
    return replace(params, temperature=TEMPERATURE, sample_index=k)


def run_samples(backend: Backend, cache: ResponseCache, run_path: Path,
                items: Sequence[ProbeItem], k: int, params: DecodingParams,
                prompt_fn: PromptFn, show_progress: bool = True) -> RunStats:
    """K passes over the items, sample index 1..K; returns what was asked and found."""
    total = RunStats()
    rows = RunDir(run_path, rows_name=SAMPLES)
    progress = Progress(TextColumn("[bold]sampling"), BarColumn(), MofNCompleteColumn(),
                        TimeRemainingColumn(), disable=not show_progress)
    with progress:
        task = progress.add_task("samples", total=k * len(items))
        for index in range(1, k + 1):
            runner = Runner(backend, cache, rows, sample_params(params, index), prompt_fn,
                            grade_item, show_progress=False)
            total.add(runner.run([sample_item(i, index) for i in items]))
            progress.advance(task, len(items))
    return total


def read_samples(run_path: Path) -> pd.DataFrame:
    return pd.DataFrame(RunDir(run_path, rows_name=SAMPLES).read_rows())


def sample_config(k: int, stats: RunStats | None) -> dict[str, Any]:
    """What config.json records about the samples."""
    return {"k": k, "temperature": TEMPERATURE, "file": SAMPLES,
            **({"stats": asdict(stats)} if stats is not None else {})}


def annotate_rows(rows: list[dict[str, Any]], run_path: Path) -> list[dict[str, Any]]:
    """Response rows with the sampling columns and the gold's teacher-forced score where
    --choices gave one (``analysis.sampling.annotate``)."""
    return annotate(rows, read_samples(run_path), gold_logprobs(read_choices(run_path)))
