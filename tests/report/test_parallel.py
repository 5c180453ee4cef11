"""Figures drawn in forked worker processes are the figures drawn here, byte for byte; and
without fork, one CPU, or a broken pool, they are drawn here."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pandas as pd
import pytest

from halprobe.analysis.summary import build_summary
from halprobe.report import parallel
from tests.report.conftest import fake_rows


def _jobs(out: Path) -> list[parallel.Job]:
    rows = pd.DataFrame(fake_rows(0, per_bin=10))
    summary = build_summary(rows)
    bare = rows.assign(confidence=None, confidence_source="none")
    return [("plot_hr_vs_monofact", (summary, out / "hr_vs_monofact.png")),
            ("plot_outcomes", (summary, out / "outcomes.png")),
            ("plot_reliability", (rows, out / "reliability.png")),
            ("plot_risk_coverage", (bare, out / "risk_coverage.png"))]  # nothing: None


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_parallel_figures_equal_serial_ones(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    serial_dir, parallel_dir = tmp_path / "serial", tmp_path / "parallel"
    serial_dir.mkdir()
    parallel_dir.mkdir()
    with parallel.FigureWorkers(processes=1) as here:
        serial_out = here.draw(_jobs(serial_dir))
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    with parallel.FigureWorkers() as workers:
        workers.start()
        monkeypatch.setattr(workers, "_fall_back", None)  # a fallback would fail the test
        parallel_out = workers.draw(_jobs(parallel_dir))
    assert [p.name if p else None for p in parallel_out] == \
        [p.name if p else None for p in serial_out]
    assert parallel_out[-1] is None and parallel_out[0] == parallel_dir / "hr_vs_monofact.png"
    for path in serial_out[:-1]:
        assert path is not None
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG") and data == (parallel_dir / path.name).read_bytes()


def test_one_cpu_draws_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    monkeypatch.setattr(parallel, "multiprocessing", None)  # would fail if used
    with parallel.FigureWorkers() as workers:
        assert workers.draw(_jobs(tmp_path))[1] == tmp_path / "outcomes.png"


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_dead_worker_falls_back_to_drawing_here(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    with parallel.FigureWorkers() as workers:
        workers.start()
        assert workers._process is not None
        workers._process.kill()
        workers._process.join()
        assert workers.draw(_jobs(tmp_path))[0] == tmp_path / "hr_vs_monofact.png"
    assert (tmp_path / "outcomes.png").is_file()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_the_worker_leaves_when_the_pipe_closes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing (as leaving the eval does) ends the worker: nothing is left running."""
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    workers = parallel.FigureWorkers()
    workers.start()
    process = workers._process
    assert process is not None and process.is_alive()
    workers.close()
    assert not process.is_alive() and process.exitcode == 0


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_figures_asked_ahead_are_taken_not_drawn_again(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """eval asks for the response-row figures while it computes the summary; the report then
    takes them (same function, same PNG path) and draws only the others."""
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    jobs = _jobs(tmp_path)
    with parallel.FigureWorkers() as workers:
        workers.prefetch(jobs[2:])
        assert workers.draw(jobs[2:]) == [tmp_path / "reliability.png", None]
        (tmp_path / "reliability.png").write_bytes(b"kept")  # drawn again, it would change
        assert workers.draw(jobs) == [tmp_path / "hr_vs_monofact.png",
                                      tmp_path / "outcomes.png", tmp_path / "reliability.png",
                                      None]
    assert (tmp_path / "reliability.png").read_bytes() == b"kept"
    assert (tmp_path / "outcomes.png").read_bytes().startswith(b"\x89PNG")
