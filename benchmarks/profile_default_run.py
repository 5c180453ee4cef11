"""Where a default `halprobe eval` spends its wall time: the model, and everything else.

Usage: python benchmarks/profile_default_run.py [eval args...] [--html FILE] [--text FILE]
Runs `halprobe eval` in this process (fresh results, cache and run directory in a temp dir)
under pyinstrument (a sampling profiler: about 1 ms a sample, little overhead, whole stacks;
in the benchmark extra), then charges each sample to the outermost halprobe part on its
stack: the model (backends: loading and generating), sampling (suites), grading (scoring),
store, analysis, report; what is on no such part's stack is start-up and glue (imports, CLI,
runner, pipeline). Prints the table and the share outside the model; the target is < 5%.

Where the backend decodes on its own thread (llama.cpp, 16 prompts side by side) the runner's
worker threads wait on it and the main thread waits on them; pyinstrument samples the main
thread only, so that wait is charged to the model, and the CPU time the worker threads spend
outside `backend.generate` (prompts, cache lookups, grading each answer) is measured with
thread_time and charged as "runner workers (grading, cache)", outside the model, taken off the
model's share (on two busy cores it takes the decoder's CPU). Forked children (the report's
figures) run without the profiler's hook, as they do without the profiler.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

PARTS = {  # path inside the halprobe package -> part; the outermost one on a stack wins
    "backends/registry.py": "model: load", "backends/default.py": "model: load",
    "backends/": "model: generate", "suites/": "sampling", "scoring/": "grading",
    "store/": "store", "analysis/": "analysis", "report/": "report",
}
WORKERS = "runner workers (grading, cache)"
OUTSIDE = ("sampling", "grading", "store", "analysis", "report", WORKERS)
WAITING = "Runner._execute"  # the main thread waiting on the workers, which wait on the model


def part_of(file_path: str | None) -> str | None:
    if not file_path:
        return None
    path = file_path.replace(os.sep, "/")
    marker = "/halprobe/"
    if marker not in path or "/site-packages/" in path:
        return None
    inner = path.rsplit(marker, 1)[1]
    return next((part for prefix, part in PARTS.items() if inner.startswith(prefix)), None)


def charge(frame: Any, totals: dict[str, float]) -> None:
    """Add each subtree's time to the outermost part on its path; the rest is glue."""
    part = part_of(frame.file_path)
    if part is None and frame.function == "_drained":
        part = "model: generate"  # waiting for the worker threads' results
    if part is not None:
        totals[part] = totals.get(part, 0.0) + frame.time
        return
    children = frame.children
    glue = frame.time - sum(c.time for c in children)
    totals["start-up and glue"] = totals.get("start-up and glue", 0.0) + glue
    for child in children:
        charge(child, totals)


class WorkerClock:
    """CPU seconds the runner's worker threads spend outside backend.generate."""

    def __init__(self) -> None:
        from halprobe.run.runner import Runner

        self.seconds, self.lock = 0.0, threading.Lock()
        run_batch, generate = Runner._run_batch, Runner._generate
        generating: dict[int, float] = {}

        def timed_batch(runner: Any, items: Any) -> Any:
            if threading.current_thread() is threading.main_thread():
                return run_batch(runner, items)  # sampled by the profiler already
            start = time.thread_time()
            generating[threading.get_ident()] = 0.0
            try:
                return run_batch(runner, items)
            finally:
                spent = time.thread_time() - start - generating.pop(threading.get_ident())
                with self.lock:
                    self.seconds += spent

        def timed_generate(runner: Any, *args: Any) -> Any:
            start = time.thread_time()
            try:
                return generate(runner, *args)
            finally:
                me = threading.get_ident()
                if me in generating:
                    generating[me] += time.thread_time() - start

        Runner._run_batch, Runner._generate = timed_batch, timed_generate  # type: ignore


def run_eval(extra: list[str]) -> int:
    """The eval, as the CLI runs it; returns how many items it answered."""
    from halprobe.cli import app

    with tempfile.TemporaryDirectory() as tmp:
        args = ["eval", "--results", str(Path(tmp) / "results"), "--no-progress", *extra]
        app(args, standalone_mode=False)
        rows = Path(tmp).glob("results/runs/*/responses.jsonl")
        return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in rows)


def main(argv: list[str]) -> None:
    from pyinstrument import Profiler

    html = text = None
    if "--html" in argv:
        at = argv.index("--html")
        html, argv = Path(argv[at + 1]), argv[:at] + argv[at + 2:]
    if "--text" in argv:
        at = argv.index("--text")
        text, argv = Path(argv[at + 1]), argv[:at] + argv[at + 2:]
    load_before = os.getloadavg()[0]
    os.register_at_fork(after_in_child=lambda: sys.setprofile(None))
    profiler = Profiler(interval=0.001)
    start = time.perf_counter()
    profiler.start()
    import halprobe.cli  # noqa: F401  (first, as the CLI imports it: libraries load as there)

    workers = WorkerClock()
    items = run_eval(argv)
    profiler.stop()
    wall = time.perf_counter() - start
    totals: dict[str, float] = {}
    root = profiler.last_session.root_frame() if profiler.last_session else None
    if root is not None:
        charge(root, totals)
    if workers.seconds:
        totals[WORKERS] = workers.seconds
        totals["model: generate"] = totals.get("model: generate", 0.0) - workers.seconds
    if html is not None:
        html.write_text(profiler.output_html(), encoding="utf-8")
    if text is not None:
        text.write_text(profiler.output_text(color=False), encoding="utf-8")
    report(totals, wall, (load_before + os.getloadavg()[0]) / 2, items)


def report(totals: dict[str, float], wall: float, load: float, items: int) -> None:
    sampled = sum(totals.values())
    print(f"\n{items} items, wall {wall:.1f} s (sampled {sampled:.1f} s, {items / wall:.2f} "
          f"items/s), load average {load:.1f}")
    for part, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {part:18} {seconds:7.2f} s  {seconds / sampled:6.1%}")
    outside = sum(totals.get(p, 0.0) for p in OUTSIDE)
    model = sum(v for k, v in totals.items() if k.startswith("model"))
    print(f"outside the model ({', '.join(OUTSIDE)}): {outside:.2f} s = "
          f"{outside / sampled:.1%} of wall (target < 5%)")
    print(f"model {model / sampled:.1%}; start-up and glue "
          f"{totals.get('start-up and glue', 0.0) / sampled:.1%}")


if __name__ == "__main__":
    main(sys.argv[1:])
