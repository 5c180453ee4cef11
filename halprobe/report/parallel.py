"""Draw the report's figures two at a time, in forked processes.

Text layout makes the four figures of a run cost 1.3-1.6 s drawn one after the other and
0.7 s on two processes; issue 7 asks that everything outside the model take under 5% of a
default run. Fork is safe here: the model backend is closed before the report is written (and
the response cache with it), and a child only runs a plot function, which uses matplotlib on
the data it inherited and writes one PNG; it returns that PNG's path (or None), nothing else.
Without fork, with one CPU, or when the pool cannot start or breaks, the figures are drawn in
this process, one after the other, as they were before.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

Job = tuple[Callable[..., Path | None], tuple[Any, ...]]
_JOBS: list[Job] = []  # set before the fork, so that children inherit the data unpickled


def _draw_one(index: int) -> Path | None:
    func, args = _JOBS[index]
    return func(*args)


def _serial(jobs: Sequence[Job]) -> list[Path | None]:
    return [func(*args) for func, args in jobs]


def draw(jobs: Sequence[Job], processes: int = 2) -> list[Path | None]:
    """Run each job's plot function on its arguments; the results in the order of ``jobs``."""
    processes = min(processes, len(jobs), os.cpu_count() or 1)
    if processes < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return _serial(jobs)
    _JOBS[:] = jobs
    gc.freeze()  # the children's collections skip (and so do not copy) the inherited heap: 0.1 s
    try:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_draw_one, range(len(jobs))))
    except (OSError, BrokenProcessPool) as exc:  # could not fork, or a child died
        log.warning("drawing the figures in parallel failed (%s); drawing them here", exc)
        return _serial(jobs)
    finally:
        gc.unfreeze()
        _JOBS.clear()
