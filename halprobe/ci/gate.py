"""The regression gate shared by `halprobe check` and the pytest plugin (docs/metrics.md 6)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from halprobe.analysis.regression import compare_runs
from halprobe.errors import UserError
from halprobe.store.load import load_run


def baseline_rows(source: Path) -> pd.DataFrame:
    """Response rows of a baseline: a run directory, a responses CSV, or a summary.csv.

    A summary (suite, bin, n, n_hallucinated) has no item ids, so its strata are compared
    with the two-proportion z test instead of McNemar.
    """
    if source.is_dir():
        return load_run(source).responses
    if not source.is_file():
        raise UserError(f"baseline not found: {source}")
    try:
        frame = pd.read_csv(source, dtype={"bin": str})
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UserError(f"baseline {source} is not a readable CSV: {exc}") from None
    if {"item_id", "suite", "bin", "label"} <= set(frame.columns):
        return frame
    if {"suite", "bin", "n", "n_hallucinated"} <= set(frame.columns):
        return _rows_from_summary(frame[frame["bin"] != "all"])
    raise UserError(f"baseline {source} needs columns item_id, suite, bin, label (responses) "
                    "or suite, bin, n, n_hallucinated (summary.csv)")


def _rows_from_summary(summary: pd.DataFrame) -> pd.DataFrame:
    records = []
    for row in summary.itertuples(index=False):
        for k in range(int(row.n)):
            records.append({"item_id": f"summary:{row.suite}:{row.bin}:{k}", "suite": row.suite,
                            "bin": str(row.bin),
                            "label": "hallucinated" if k < row.n_hallucinated else "correct"})
    return pd.DataFrame.from_records(records)


def _normalise_bins(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(bin=frame["bin"].astype(str))


def check_table(run: Path, baseline: Path, tolerance: float, alpha: float) -> pd.DataFrame:
    candidate = _normalise_bins(load_run(run).responses)
    before = _normalise_bins(baseline_rows(baseline))
    return compare_runs(before, candidate, tolerance=tolerance, alpha=alpha)
