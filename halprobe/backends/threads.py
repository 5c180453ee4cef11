"""How many threads a CPU model should use on a machine that other processes share.

ggml's (llama.cpp) and torch's threads meet at a busy-wait barrier after every operation, so
the right count depends on how busy the cores are, and changes during a run
(docs/performance.md has the measurements).
"""

from __future__ import annotations

import math
import os


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_threads(own: int = 0) -> int:
    """Threads for a model: one more than the idle cores, rounded up; at least one.

    ggml's and torch's threads meet at a busy-wait barrier after every operation, hundreds of
    times a token. When other processes hold the cores, the thread waiting for a descheduled
    peer spins out its time slice: at load 6 on 2 cores, 2 threads ran 7x slower than 1, while
    beside one other busy process 2 threads were still 1.6x faster (docs/performance.md).
    Busy cores are the 1-minute load average less the ``own`` threads of this process; the
    average lags by a minute, so the llama.cpp backend checks the choice by measuring
    (ThreadTuner).
    """
    cpus = usable_cores()
    try:
        busy = max(0.0, os.getloadavg()[0] - own)
    except OSError:
        busy = 0.0
    return max(1, min(cpus, math.ceil(cpus - busy + 1)))


class ThreadTuner:
    """Keeps the faster of all cores and one thread, by measured seconds a decoded token.

    The load on a shared machine changes during a run, and which setting wins flips with it
    (see default_threads), so each round's decode speed is recorded for the setting it ran
    with (a round: a few decode steps of the llama.cpp engine) and the other setting is tried
    again every ``interval`` rounds, or at once when the current one becomes slower than the
    other was; an interval doubles (up to ``max_interval``) each time the try loses, so a
    losing setting costs little. Outputs do not depend on the thread count (checked bit for
    bit), only speed does.
    """

    def __init__(self, first: int, cpus: int, interval: int = 32, max_interval: int = 128):
        # A try of the other setting runs one round at its speed (half, when it loses): every
        # 32 rounds or fewer it would cost a run 3% or more. A change of load is caught sooner,
        # by the current setting getting slower than the other was.
        self.best = first
        self.other = 1 if first > 1 else cpus
        self.speed: dict[int, float] = {}
        self.interval, self.start_interval, self.max_interval = interval, interval, max_interval
        self.countdown = 2  # round 1 as chosen, round 2 the other

    def pick(self) -> int:
        """Threads for the next round."""
        self.countdown -= 1
        return self.other if self.countdown <= 0 else self.best

    def record(self, threads: int, seconds_per_token: float) -> None:
        if threads == self.best:
            old = self.speed.get(threads, seconds_per_token)
            self.speed[threads] = 0.7 * old + 0.3 * seconds_per_token
            if self.speed[threads] > self.speed.get(self.other, float("inf")):
                self.countdown = 1  # slower than the other was: the load changed, try it now
            return
        self.speed[threads] = seconds_per_token
        if seconds_per_token < self.speed.get(self.best, float("inf")):
            self.best, self.other = threads, self.best
            self.interval = self.start_interval
        else:
            self.interval = min(self.max_interval, 2 * self.interval)
        self.countdown = self.interval
