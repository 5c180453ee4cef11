"""Backends for halprobe's own tests, registered as a third-party plugin would be.

A test puts this folder on PYTHONPATH; importlib.metadata then finds the dist-info beside it and
its `halprobe.backends` entry points, so `--model crash:DIR` reaches these through the same
registry as any plugin. Each answers "Paris" to everything, with log-probs.

- ``crash:MARKER`` dies in native code (a NULL read through ctypes, in the backend's own model
  thread) on its fourth prompt, unless MARKER exists; it creates MARKER first, so a rerun
  resumes and finishes, as after a real crash that the user works around.
- ``block:N`` answers N prompts, then blocks every other until closed: a run that can only end
  by a signal, for Ctrl-C tests that must not race the run's end.
"""

from __future__ import annotations

import ctypes
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from halprobe.backends.base import BackendError
from halprobe.types import Capabilities, Generation

ANSWER = "Paris"


def _generation() -> Generation:
    return Generation(text=ANSWER, tokens=(ANSWER,), token_logprobs=(-0.1,), prompt_tokens=5,
                      completion_tokens=1, finish_reason="stop")


class CrashBackend:
    capabilities = Capabilities(logprobs=True, batching=False, max_batch_size=1,
                                max_concurrency=1)

    def __init__(self, marker: Path) -> None:
        self.marker = marker
        self.calls = 0
        self._lock = threading.Lock()

    def fingerprint(self) -> dict[str, Any]:
        return {"backend": "crash", "model": "crash-test"}

    def generate(self, prompts: Any, params: Any) -> list[Generation]:
        with self._lock:
            self.calls += 1
            crash = self.calls == 4 and not self.marker.exists()
        if crash:
            self.marker.touch()
            done: Future[None] = Future()
            threading.Thread(target=lambda: done.set_result(ctypes.string_at(0)),
                             name="model").start()
            done.result()
        return [_generation() for _ in prompts]

    def close(self) -> None:
        pass


class BlockBackend:
    capabilities = Capabilities(logprobs=True, batching=False, max_batch_size=1,
                                max_concurrency=2)

    def __init__(self, answered: int) -> None:
        self.left = answered
        self._lock = threading.Lock()
        self._closed = threading.Event()

    def fingerprint(self) -> dict[str, Any]:
        return {"backend": "block", "model": "block-test"}

    def generate(self, prompts: Any, params: Any) -> list[Generation]:
        with self._lock:
            self.left -= 1
            answer = self.left >= 0
        if not answer:
            self._closed.wait()
            raise BackendError("fatal", "closed")
        return [_generation() for _ in prompts]

    def close(self) -> None:
        self._closed.set()


def crash_backend(target: str, options: dict[str, Any]) -> CrashBackend:
    return CrashBackend(Path(target))


def block_backend(target: str, options: dict[str, Any]) -> BlockBackend:
    return BlockBackend(int(target))
