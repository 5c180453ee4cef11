"""What a supervised run was doing, kept where its parent can read it after a native crash.

A crash in a model's native code (llama.cpp, torch) kills the process before Python can say
anything; the thin parent (supervise.py) only sees the signal. So the child notes, as it goes,
what the parent's one-line message needs (backend, CPU features, the extra-bufts choice, the run
directory) in a small JSON file in a directory the parent made, and faulthandler writes the
Python stack of every thread there. Outside a supervised run (no directory given) ``note`` does
nothing. Standard library only: the parent imports this module too.
"""

from __future__ import annotations

import faulthandler
import json
import os
from pathlib import Path
from typing import IO, Any

ENV_DIR = "HALPROBE_CRASH_DIR"
CONTEXT_FILE = "context.json"
STACK_FILE = "stack.log"
_stack_file: IO[str] | None = None  # kept open for faulthandler as long as the process lives


def _directory() -> Path | None:
    value = os.environ.get(ENV_DIR)
    return Path(value) if value else None


def note(**fields: Any) -> None:
    """Merge ``fields`` into the crash context (atomically: a crash mid-write keeps the old)."""
    directory = _directory()
    if directory is None:
        return
    merged = {**read(directory), **fields}
    temporary = directory / (CONTEXT_FILE + ".tmp")
    temporary.write_text(json.dumps(merged, default=str), encoding="utf-8")
    os.replace(temporary, directory / CONTEXT_FILE)


def read(directory: Path) -> dict[str, Any]:
    try:
        data = json.loads((directory / CONTEXT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def enable_stack_dump() -> None:
    """faulthandler writes every thread's Python stack to the crash directory on a fatal signal
    (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT), not to the terminal."""
    global _stack_file
    directory = _directory()
    if directory is None or _stack_file is not None:
        return
    _stack_file = (directory / STACK_FILE).open("w", encoding="utf-8")
    faulthandler.enable(file=_stack_file, all_threads=True)
