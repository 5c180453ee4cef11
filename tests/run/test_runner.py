"""The runner with many threads: each item stored once, counts right, a stop keeps the rest."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from halprobe.backends.base import BackendError
from halprobe.run.runner import RunAborted, Runner
from halprobe.store import ResponseCache, RunDir
from halprobe.types import (
    AnswerType,
    Capabilities,
    DecodingParams,
    Generation,
    Grade,
    Label,
    Message,
    ProbeItem,
)


class FakeBackend:
    """Answers "Paris" after a short sleep; 'retry' prompts fail once, 'stop' prompts abort."""

    def __init__(self, concurrency: int) -> None:
        self.capabilities = Capabilities(logprobs=False, max_concurrency=concurrency)
        self.asked: list[str] = []
        self._lock = threading.Lock()

    def fingerprint(self) -> dict[str, Any]:
        return {"backend": "fake"}

    def generate(self, prompts: Sequence[Sequence[Message]],
                 params: DecodingParams) -> list[Generation]:
        question = prompts[0][-1].content
        with self._lock:
            self.asked.append(question)
            first = self.asked.count(question) == 1
        time.sleep(0.01)
        if "retry" in question and first:
            raise BackendError("retryable", "busy", retry_after=0.0)
        if "stop" in question:
            raise BackendError("auth", "bad key")
        return [Generation(text="Paris.")]

    def close(self) -> None:
        pass


def items(n: int, tag: str = "") -> list[ProbeItem]:
    return [ProbeItem(id=f"t/{i}", suite="t", question=f"Q{i}{tag if i == 7 else ''}",
                      answer="Paris", aliases=(), answer_type=AnswerType.ENTITY)
            for i in range(n)]


def grade(item: ProbeItem, text: str) -> Grade:
    return Grade(Label.CORRECT, "Paris", "fake")


def runner(tmp_path: Path, backend: FakeBackend) -> Runner:
    run_dir = RunDir(tmp_path / "run")
    run_dir.path.mkdir(parents=True, exist_ok=True)
    return Runner(backend, ResponseCache(tmp_path / "cache.sqlite"), run_dir, DecodingParams(),
                  lambda i: [Message("user", i.question)], grade, show_progress=False)


def test_every_item_once_then_all_from_the_cache(tmp_path: Path) -> None:
    backend = FakeBackend(concurrency=16)
    stats = runner(tmp_path, backend).run(items(200, " retry"))
    rows = RunDir(tmp_path / "run").read_rows()
    assert sorted(r["item_id"] for r in rows) == sorted(f"t/{i}" for i in range(200))
    assert (stats.asked, stats.cache_hits, stats.errors, stats.labels) == (
        200, 0, 0, {"correct": 200})
    assert len(backend.asked) == 201  # the item that failed once was asked again
    (tmp_path / "run" / "responses.jsonl").unlink()
    again = runner(tmp_path, backend).run(items(200, " retry"))
    assert (again.asked, again.cache_hits, len(backend.asked)) == (0, 200, 201)


def test_a_stop_keeps_the_items_that_finished(tmp_path: Path) -> None:
    backend = FakeBackend(concurrency=4)
    with pytest.raises(RunAborted, match="bad key"):
        runner(tmp_path, backend).run(items(40, " stop"))
    rows = RunDir(tmp_path / "run").read_rows()
    stored = {r["item_id"] for r in rows}
    assert len(rows) == len(stored) and "t/7" not in stored
    finished = {f"t/{i}" for i in range(40) if f"Q{i}" in backend.asked}
    assert stored <= finished and len(stored) >= 4  # those before the stop were kept
