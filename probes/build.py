"""Build halprobe's probe suites (capitals, papers, obituaries, controls) from ``probes/sources/``.

    python probes/build.py [--out DIR]

Each suite gets ``<suite>/items.jsonl`` (one ProbeItem a line, sorted by id) and
``<suite>/suite.yaml`` (docs/design.md, "Probe items"). The build reads only the copies under
``probes/sources/`` (never ``../shared``), uses one fixed seed, sorts before every random choice and
never iterates a set, so two runs give byte-identical files. The rules it applies, and why, are
in ATTRIBUTION.md and in each suite.yaml description; the code is in ``probes/builder/``, one
module per suite.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from builder.bins import bin_counts
from builder.capitals import build_capitals
from builder.controls import build_controls
from builder.obituaries import build_obituaries
from builder.papers import build_papers
from builder.sources import PROBES
from builder.suite import Suite

SEED = 20240615


def summary(suite: Suite) -> str:
    """One line per suite for the console: items and items per bin."""
    bins = suite.bins
    if "edges" in bins:
        edges = bins["edges"] if isinstance(bins["edges"], dict) else {
            suite.proxy["name"]: bins["edges"]}  # fmt: skip
        counts = bin_counts(suite.items, edges, bins["scale"])
    else:
        counts = Counter(it["bin"] for it in suite.items)
    per_bin = " ".join(f"{b}:{counts[b]}" for b in range(5))
    return f"{suite.name:<11} {len(suite.items):>6} items  bins {per_bin}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--out", type=Path, default=PROBES, help="output folder (default probes/)")
    args = parser.parse_args(argv)
    obituaries = build_obituaries(random.Random(SEED))
    suites = [
        build_capitals(),
        build_papers(),
        obituaries.suite,
        build_controls(obituaries, random.Random(SEED + 1)),
    ]
    for suite in suites:
        suite.write(args.out)
        print(summary(suite))


if __name__ == "__main__":
    main()
