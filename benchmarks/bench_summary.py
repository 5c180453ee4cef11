"""Time of the end-of-run summary (bootstrap correlation included) on 30,000 response rows.

Usage: python benchmarks/bench_summary.py   (target: under 2 s for the bootstrap)
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from halprobe.analysis.summary import build_summary


def rows(per_bin: int = 1500, suites: tuple[str, ...] = ("p", "q", "r", "s")) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frames = []
    for suite in suites:
        for b in range(5):
            hr = 0.9 - 0.15 * b
            frames.append(pd.DataFrame({
                "item_id": [f"{suite}/{b}/{k}" for k in range(per_bin)], "suite": suite,
                "bin": b, "proxy": "views", "popularity": 10.0 ** (b + rng.random(per_bin)),
                "label": np.where(rng.random(per_bin) < hr, "hallucinated", "correct"),
                "exists": True, "confidence": rng.random(per_bin),
                "confidence_source": "logprobs:answer_span"}))
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    data = rows()
    start = time.perf_counter()
    build_summary(data)
    print(f"build_summary on {len(data):,} rows: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
