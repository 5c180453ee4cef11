"""Read a finished (or interrupted, or still running) run back as DataFrames, for notebooks
and reports. Reading never writes to the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from halprobe.errors import UserError
from halprobe.store.rundir import CONFIG, SAMPLES, SUMMARY, RunDir, read_json_object


@dataclass(frozen=True)
class Run:
    """One run directory: its provenance, its per-item rows and its per-stratum summary.

    ``samples``: the `eval --samples K` answers, one row a sample (``sample_of`` is the
    item id, ``sample_index`` 1..K); empty when the run has none.
    """

    path: Path
    config: dict[str, Any]
    responses: pd.DataFrame
    summary: pd.DataFrame
    samples: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def run_id(self) -> str:
        return self.path.name


def load_run(path: str | Path) -> Run:
    """`halprobe.load_run("results/runs/<id>")`: config, responses, summary and samples."""
    directory = Path(path)
    if not (directory / CONFIG).is_file():
        raise UserError(f"{directory} is not a halprobe run directory (no {CONFIG})")
    config = read_json_object(directory / CONFIG)
    responses = pd.DataFrame(RunDir(directory).read_rows())
    summary_path = directory / SUMMARY
    summary = (pd.read_csv(summary_path, dtype={"bin": str}) if summary_path.is_file()
               else pd.DataFrame())
    samples = pd.DataFrame(RunDir(directory, rows_name=SAMPLES).read_rows())
    return Run(directory, config, responses, summary, samples)


def find_runs(results: Path) -> list[Path]:
    """Every run directory under RESULTS/runs, oldest first."""
    return sorted(p.parent for p in (results / "runs").glob(f"*/{CONFIG}"))
