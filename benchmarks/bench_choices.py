"""Teacher-forced scoring speed (issue 17 target: 5 options for each of 100 capitals with the
default model at >= 20 items/s on 2 cores).

Each item: the run's completion prompt (3 shots, the same for all items, so its KV is reused)
and 5 options (gold + 4 distractors); one forward pass an option, no generation. Prints
items/s for chat and completion prompts, with the CPU (lscpu) and the 1-minute load, for
each ``--score-weights`` (llama.cpp backends: native, or a float copy of the weights), and
how far each one's option log-probs lie from the exact weights' (f32) where f32 is timed too.

    PYTHONPATH=. python benchmarks/bench_choices.py [--threads 2] [--items 100] [--model SPEC]
        [--score-weights native,f32,bf16]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from typing import cast

import numpy as np

from halprobe.backends import create
from halprobe.backends.base import Scorer
from halprobe.run.choices import _continuation, plan
from halprobe.run.pipeline import prompt_builder
from halprobe.suites import load
from halprobe.types import ScoreRequest
from halprobe.variants.prompts import choose_shots, completion_builder


def cpu_name() -> str:
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    return next((line.split(":", 1)[1].strip() for line in out.splitlines()
                 if line.startswith("Model name")), "unknown CPU")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--model", default=None)
    parser.add_argument("--styles", default="completion,chat",
                        help="which prompt styles to time, comma-separated")
    parser.add_argument("--score-weights", default="native",
                        help="llama.cpp only: native and/or f32, f16, bf16, comma-separated")
    args = parser.parse_args()
    scores: dict[tuple[str, str], np.ndarray] = {}
    for weights in args.score_weights.split(","):
        options: dict[str, object] = {"n_threads": args.threads}
        if weights != "native":
            options["score_weights"] = weights
        scores.update(time_scoring(args, weights, options))
    for (style, weights), values in scores.items():
        exact = scores.get((style, "f32"))
        if exact is not None and weights != "f32":
            gap = np.abs(values - exact)
            print(f"{style}, {weights} against f32: option log-probs differ by {gap.mean():.3f} "
                  f"on average, {gap.max():.3f} at most; the same top option for "
                  f"{int((values.argmax(1) == exact.argmax(1)).sum())}/{len(values)} items")


def time_scoring(args: argparse.Namespace, weights: str,
                 options: dict[str, object]) -> dict[tuple[str, str], np.ndarray]:
    """Time each prompt style with one backend; the option log-probs by (style, weights)."""
    [suite] = load(["capitals"])
    items = sorted(suite.items, key=lambda i: i.id)[: args.items]
    planned = plan(items, suite.items, 4, seed=0)
    backend = cast(Scorer, create(args.model, options))
    shots = choose_shots(suite.items, items, 3, seed=0)
    styles = {"completion": completion_builder(shots)}
    if backend.capabilities.chat_template:
        styles["chat"] = prompt_builder([suite])
    styles = {k: v for k, v in styles.items() if k in args.styles.split(",")}
    out = {}
    for style, build in styles.items():
        requests = []
        for item, answers in planned:
            prompt = tuple(build(item))
            requests.append(ScoreRequest(prompt, tuple(_continuation(prompt, a)
                                                       for a in answers)))
        backend.score(requests[:4])  # warm up: first prefix, thread pools, a float copy
        load_before = os.getloadavg()[0]
        start, cpu = time.perf_counter(), time.process_time()
        scored = backend.score(requests)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        load_avg = (load_before + os.getloadavg()[0]) / 2
        correct = sum(max(s.logprobs) == s.logprobs[0] for s in scored)
        out[style, weights] = np.array([s.logprobs for s in scored])
        print(f"{style}, {weights} weights: {len(scored)} items x {len(planned[0][1])} "
              f"options in {wall:.2f} s = "
              f"{len(scored) / wall:.1f} items/s ({len(scored) / cpu:.1f} items per CPU second); "
              f"gold ranked first {correct}/{len(scored)}; "
              f"{args.threads} threads, {cpu_name()}, 1-min load {load_avg:.2f}")
    backend.close()
    return out


if __name__ == "__main__":
    main()
