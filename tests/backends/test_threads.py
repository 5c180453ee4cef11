"""The thread count of CPU models on a shared machine."""

from __future__ import annotations

import os

import pytest

from halprobe.backends import threads


def test_default_threads_leaves_busy_cores_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    cpus = len(os.sched_getaffinity(0))
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert threads.default_threads() == cpus
    monkeypatch.setattr(os, "getloadavg", lambda: (cpus + 5.0, 0.0, 0.0))
    assert threads.default_threads() == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (float(cpus), 0.0, 0.0))
    assert threads.default_threads(own=cpus) == cpus, "our own threads are not others' load"


def _run_tuner(tuner: threads.ThreadTuner, speed: dict[int, float], items: int) -> list[int]:
    picks = []
    for _ in range(items):
        threads = tuner.pick()
        picks.append(threads)
        tuner.record(threads, speed[threads])
    return picks


def test_thread_tuner_keeps_the_faster_setting_and_retries_the_other_rarely() -> None:
    tuner = threads.ThreadTuner(first=2, cpus=2, interval=4, max_interval=16)
    picks = _run_tuner(tuner, {2: 0.010, 1: 0.070}, 60)  # two threads win (idle machine)
    assert picks[:2] == [2, 1]
    assert picks.count(1) <= 5, "tries of the losing setting back off"
    tuner = threads.ThreadTuner(first=2, cpus=2, interval=4, max_interval=16)
    picks = _run_tuner(tuner, {2: 0.070, 1: 0.010}, 60)  # busy machine: one thread wins
    assert picks[2:].count(1) >= 50


def test_thread_tuner_follows_a_change_of_load() -> None:
    tuner = threads.ThreadTuner(first=2, cpus=2, interval=4, max_interval=64)
    _run_tuner(tuner, {2: 0.010, 1: 0.020}, 100)
    assert tuner.best == 2 and tuner.interval == 64
    picks = _run_tuner(tuner, {2: 0.100, 1: 0.020}, 12)  # other processes start
    assert tuner.best == 1 and picks[-8:].count(1) >= 7, picks


def test_a_single_core_has_nothing_to_tune() -> None:
    tuner = threads.ThreadTuner(first=1, cpus=1)
    assert _run_tuner(tuner, {1: 0.01}, 20) == [1] * 20
