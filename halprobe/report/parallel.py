"""Draw the report's figures in a forked worker that has loaded matplotlib by the time they are
asked for.

Loading matplotlib (0.6 s) and drawing the four figures of a run (1.0-1.3 s one after the
other) were most of what a default run spends outside the model, whose target is under 5% of
the run (docs/performance.md). So `eval` forks one worker before the model loads: it loads
matplotlib on the core that loading the model leaves idle, then waits, blocked on a pipe,
using no CPU while the model runs. Once the rows are final it draws the two figures made from
them alone, on one core, while this process computes the summary on the other; for the two
made from the summary it forks a helper (which inherits matplotlib loaded) and each draws one.
The eval process itself never loads matplotlib. A job names a plot function of
halprobe.report.plots and gives its arguments (pickled: tables of a few hundred rows); a
figure comes back as its PNG's path or None. Without fork, with one CPU, or when the worker
cannot start or dies, the figures are drawn in this process, byte for byte the same PNGs
(tested).

The worker ignores Ctrl-C (the eval process handles it and closes the pipe) and leaves
quietly when the pipe closes, also when the eval process was killed.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType
from typing import Any

log = logging.getLogger(__name__)

Job = tuple[str, tuple[Any, ...]]  # (plot function in halprobe.report.plots, its arguments)


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


def _key(job: Job) -> tuple[str, Any]:
    name, args = job
    return name, args[-1]  # a plot function's last argument is the PNG path it writes


def _serve(conn: Connection, their_end: Connection) -> None:
    """The worker: load matplotlib, then draw each list of jobs that comes down the pipe,
    with the number of helpers asked for."""
    their_end.close()  # a copy from the fork: held open here, the pipe would never close
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(Exception):  # drawing the first job reports the same failure
        import halprobe.report.plots  # noqa: F401  (now, while nothing waits for it)
    while True:
        try:
            jobs, helpers = conn.recv()
        except (EOFError, OSError):
            return  # the eval process is done, or gone
        try:
            reply: tuple[str, Any] = ("ok", _draw_shared(jobs, helpers))
        except Exception as exc:  # reported by the eval process, which draws them itself
            reply = ("failed", f"{type(exc).__name__}: {exc}")
        conn.send(reply)


class FigureWorkers:
    """The figures' worker process, started by ``start`` (or at the first ``draw``).

    Use as a context manager; leaving it closes the pipe, and the worker leaves.
    """

    def __init__(self, processes: int = 2) -> None:
        self.processes = min(processes, os.cpu_count() or 1)  # drawing, the worker included
        self._conn: Connection | None = None
        self._process: BaseProcess | None = None
        self._failed = self.processes < 2 or "fork" not in multiprocessing.get_all_start_methods()
        self._sent: list[list[Job]] = []  # asked ahead by prefetch, answers not read yet
        self._ready: dict[tuple[str, Any], Path | None] = {}  # (function, output path): figure

    def start(self) -> None:
        """Fork the worker now, so that it loads matplotlib while this process works on."""
        if self._process is not None or self._failed:
            return
        context = multiprocessing.get_context("fork")
        conn, child_end = context.Pipe()
        # Not a daemon: a daemon may not fork the helper. close() ends it; so does the pipe
        # closing when this process dies.
        process = context.Process(target=_serve, args=(child_end, conn), name="halprobe figures")
        try:
            process.start()
        except OSError as exc:
            self._fall_back(exc)
            return
        finally:
            child_end.close()
        self._conn, self._process = conn, process

    def prefetch(self, jobs: Sequence[Job], helpers: int = 0) -> None:
        """Start drawing these now; a later ``draw`` of a job with the same function and output
        path takes its figure (so ask ahead only once the job's data is final). By default the
        worker draws them alone, leaving the other core to this process's work meanwhile."""
        self.start()
        if self._conn is not None and jobs:
            try:
                self._conn.send((list(jobs), helpers))
            except OSError as exc:
                self._fall_back(exc)
            else:
                self._sent.append(list(jobs))

    def draw(self, jobs: Sequence[Job]) -> list[Path | None]:
        """Each job's figure; the results in the order of ``jobs``."""
        self.start()
        self._collect()
        todo = [job for job in jobs if _key(job) not in self._ready]
        if todo:
            self.prefetch(todo, helpers=self.processes - 1)  # this process only waits
            self._collect()
        return [self._ready[_key(job)] if _key(job) in self._ready else draw_here(job)
                for job in jobs]

    def _collect(self) -> None:
        """Read the answers to everything asked ahead, in the order asked."""
        while self._sent and self._conn is not None:
            jobs = self._sent.pop(0)
            try:
                status, result = self._conn.recv()
            except (OSError, EOFError) as exc:  # the worker died
                self._fall_back(exc)
                break
            if status != "ok":
                self._fall_back(result)
                break
            self._ready.update(zip(map(_key, jobs), result, strict=True))
        self._sent.clear()  # after a failure: drawn here instead

    def _fall_back(self, reason: object) -> None:
        log.warning("drawing the figures in a worker process failed (%s); drawing them here",
                    reason)
        self._failed = True
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            # Idle, it leaves at once on the closed pipe; still loading matplotlib (an eval that
            # stopped early, at a bad model spec say), it has nothing worth waiting for.
            self._process.join(timeout=0.2)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join()
            self._process = None

    def __enter__(self) -> FigureWorkers:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
