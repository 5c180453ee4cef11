"""Wall time, items/s and peak memory of a default `halprobe eval` (fresh cache, no resume).

Usage: python benchmarks/bench_default_eval.py [extra eval args...]
Prints the figures the issues ask for; no assertion (targets are read by people, not tests).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main(extra: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        cmd = [sys.executable, "-m", "halprobe.cli", "eval", "--out", str(out), "--cache",
               str(Path(tmp) / "cache.sqlite"), "--no-progress", *extra]
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        load = (load_before + os.getloadavg()[0]) / 2
        if done.returncode != 0:
            sys.exit(f"eval failed:\n{done.stderr}")
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        rows = [json.loads(x) for x in (out / "responses.jsonl").read_text().splitlines()]
        generated = sum(r.get("completion_tokens") or 0 for r in rows)
        # The runner's wall time: the model, with grading and storing beside it (prompts are
        # decoded side by side, so the rows' latencies overlap and do not add up).
        asking = json.loads((out / "config.json").read_text())["stats"]["seconds"]
    print(done.stdout)
    print(f"items: {len(rows)}  wall: {wall:.1f} s  "
          f"items/s (whole process): {len(rows) / wall:.2f}")
    print(f"asking (runner): {asking:.1f} s ({asking / wall:.0%} of wall)  generated tokens: "
          f"{generated}  tokens/s while asking: {generated / asking if asking else 0:.1f}")
    print(f"peak RSS: {peak_mb:.0f} MB")
    print(f"load average (1 min, mean of start and end): {load:.1f} on {os.cpu_count()} cores "
          "(figures taken above ~1.5 on 2 cores are not comparable)")


if __name__ == "__main__":
    main(sys.argv[1:])
