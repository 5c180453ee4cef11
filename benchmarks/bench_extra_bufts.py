"""The default model with llama.cpp's extra buffer types on and off: speed and answers.

Usage: python benchmarks/bench_extra_bufts.py [--items 100] [--repeats 3]

`-o extra_bufts=off` (use_extra_bufts = False) keeps llama.cpp from repacking weights into its
CPU-specific buffer types, the AMX one among them, which crashes on Intel CPUs with AMX
(halprobe/backends/cpu.py). This measures what turning them off costs where they are safe: each
setting in its own process, alternating `--repeats` times, the same capital questions (the
capitals suite's first N by id, its own prompt, greedy, 32 new tokens, all prompts submitted at
once as `halprobe eval` does). Prints items/s per repeat, the ratio off/on within each repeat,
whether answers and log-probs are identical, and the CPU (lscpu) the figures belong to.
Asserts nothing: figures are read by people.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from typing import Any

SETTINGS = ("on", "off")
MAX_TOKENS = 32


def measure(setting: str, n: int) -> dict[str, Any]:
    """One process: load the default model with ``extra_bufts=setting``, answer n capitals."""
    from halprobe.backends.default import default_backend
    from halprobe.run.pipeline import prompt_builder
    from halprobe.suites import load
    from halprobe.types import DecodingParams

    suite = load(["capitals"])[0]
    items = sorted(suite.items, key=lambda i: i.id)[:n]
    prompts = [prompt_builder([suite])(item) for item in items]
    t0 = time.perf_counter()
    backend = default_backend({"extra_bufts": setting})
    loaded = time.perf_counter() - t0
    t0 = time.perf_counter()
    generations = backend.generate(prompts, DecodingParams(temperature=0.0,
                                                           max_tokens=MAX_TOKENS))
    seconds = time.perf_counter() - t0
    backend.close()
    return {"setting": setting, "load_s": loaded, "seconds": seconds, "items_per_s": n / seconds,
            "answers": [g.text for g in generations],
            "logprobs": [list(g.token_logprobs or ()) for g in generations]}


def cpu_model() -> str:
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    return next((line.split(":", 1)[1].strip() for line in out.splitlines()
                 if line.startswith("Model name")), "unknown")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=SETTINGS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.items)))
        return
    from halprobe.backends.cpu import this_machine

    cpu = this_machine()
    print(f"CPU: {cpu_model()}; llama.cpp features: {' '.join(cpu.features)}; "
          f"auto chooses extra_bufts={'on' if cpu.extra_bufts() else 'off'}")
    runs: dict[str, list[dict[str, Any]]] = {s: [] for s in SETTINGS}
    for repeat in range(args.repeats):
        order = SETTINGS if repeat % 2 == 0 else SETTINGS[::-1]
        for setting in order:
            out = subprocess.run([sys.executable, __file__, "--child", setting, "--items",
                                  str(args.items)], capture_output=True, text=True, check=True)
            runs[setting].append(json.loads(out.stdout.splitlines()[-1]))
        on, off = runs["on"][-1], runs["off"][-1]
        ratio = off["items_per_s"] / on["items_per_s"]
        print(f"repeat {repeat + 1}: on {on['items_per_s']:.2f} items/s, off "
              f"{off['items_per_s']:.2f} items/s, off/on {ratio:.2f}x"
              f" (load {on['load_s']:.2f} s / {off['load_s']:.2f} s)")
    ratios = [f["items_per_s"] / n["items_per_s"] for n, f in zip(runs["on"], runs["off"],
                                                                 strict=True)]
    print(f"median off/on: {statistics.median(ratios):.2f}x")
    on, off = runs["on"][0], runs["off"][0]
    same = sum(a == b for a, b in zip(on["answers"], off["answers"], strict=True))
    same_lp = sum(a == b for a, b in zip(on["logprobs"], off["logprobs"], strict=True))
    print(f"answers identical: {same}/{args.items}; log-probs identical bit for bit: "
          f"{same_lp}/{args.items}")
    for a, b in zip(on["answers"], off["answers"], strict=True):
        if a != b:
            print(f"  on:  {a!r}\n  off: {b!r}")


if __name__ == "__main__":
    main()
