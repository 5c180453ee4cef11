"""Draw the report's figures in a forked worker that loads matplotlib while the run is summarised.

Loading matplotlib (0.6 s) and drawing the four figures of a run (1.0-1.3 s one after the
other) were most of what a default run spends outside the model, and issue 7 asks that this
be under 5% of the run. So `eval` forks one worker as soon as the model is closed: it loads
matplotlib on the second core while this process computes the summary tables (two processes
loading it beside this one took the cores from it); when the figures are asked for, the
worker forks a helper, which inherits matplotlib loaded, and the two draw two figures each.
This process never loads matplotlib. A job names a plot function of halprobe.report.plots and
gives its arguments (pickled: tables of a few hundred rows); a figure comes back as its PNG's
path or None. Without fork, with one CPU, or when a pool cannot start or breaks, the figures
are drawn in the process at hand, byte for byte the same PNGs (tested).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import TracebackType
from typing import Any

log = logging.getLogger(__name__)

Job = tuple[str, tuple[Any, ...]]  # (plot function in halprobe.report.plots, its arguments)


def _load_plots() -> None:
    import halprobe.report.plots  # noqa: F401  (loads matplotlib before the first job comes)


def draw_here(job: Job) -> Path | None:
    """Draw one figure in this process."""
    from halprobe.report import plots

    name, args = job
    result: Path | None = getattr(plots, name)(*args)
    return result


def _draw_shared(jobs: list[Job], helpers: int) -> list[Path | None]:
    """In the worker, matplotlib loaded: fork ``helpers`` and draw the jobs between them and
    this process, round robin; the results in the order of ``jobs``."""
    if helpers < 1 or len(jobs) < 2:
        return [draw_here(job) for job in jobs]
    share = helpers + 1
    results: list[Path | None] = [None] * len(jobs)
    theirs = [n for n in range(len(jobs)) if n % share]
    try:
        with ProcessPoolExecutor(helpers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(draw_here, jobs[n]) for n in theirs]
            for n in range(0, len(jobs), share):
                results[n] = draw_here(jobs[n])
            for n, future in zip(theirs, futures, strict=True):
                results[n] = future.result()
    except (OSError, BrokenProcessPool):
        for n in theirs:
            results[n] = draw_here(jobs[n])
    return results


class FigureWorkers:
    """The figures' worker process, started by ``start`` (or at the first ``draw``).

    Use as a context manager; leaving it shuts the workers down.
    """

    def __init__(self, processes: int = 2) -> None:
        self.processes = min(processes, os.cpu_count() or 1)  # drawing, the worker included
        self._pool: Executor | None = None
        self._failed = self.processes < 2 or "fork" not in multiprocessing.get_all_start_methods()

    def start(self) -> None:
        """Fork the worker now, so that it loads matplotlib while this process works on."""
        if self._pool is not None or self._failed:
            return
        try:
            pool = ProcessPoolExecutor(1, initializer=_load_plots,
                                       mp_context=multiprocessing.get_context("fork"))
            pool.submit(int)  # forks the worker now
        except OSError as exc:
            self._fall_back(exc)
            return
        self._pool = pool

    def draw(self, jobs: Sequence[Job]) -> list[Path | None]:
        """Each job's figure; the results in the order of ``jobs``."""
        self.start()
        if self._pool is not None:
            try:
                return self._pool.submit(_draw_shared, list(jobs), self.processes - 1).result()
            except (OSError, BrokenProcessPool) as exc:  # could not fork, or the worker died
                self._fall_back(exc)
        return [draw_here(job) for job in jobs]

    def _fall_back(self, exc: BaseException) -> None:
        log.warning("drawing the figures in worker processes failed (%s); drawing them here", exc)
        self._failed = True
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> FigureWorkers:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
