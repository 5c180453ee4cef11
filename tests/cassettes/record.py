"""Re-record the checked-in cassettes from a real llama.cpp server (run from the repo root).

    .venv/bin/python tests/cassettes/record.py

Starts llama-cpp-python's server (`python -m halprobe.server`) with the embedded default GGUF on
127.0.0.1 and records, each into a fresh cassette (--record-mode once after deleting the old
file, so no stale interaction survives):
- capitals_smollm2.yaml: the tests' 20-capitals suite through `openai:smollm2`;
- ci_capitals.yaml: the built-in capitals suite, 4 items per bin (seed 0), which the GitHub
  workflow and the README's pytest example replay, and results/baselines/smollm2-capitals.csv,
  the baseline they are checked against.
The key is the test sentinel, so the scrubbing is exercised on every recording.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from halprobe.run.pipeline import EvalResult, run_eval  # noqa: E402
from halprobe.store.load import load_run  # noqa: E402
from tests.servers import (  # noqa: E402
    CAPITALS_CASSETTE,
    CASSETTES,
    SENTINEL_KEY,
    capitals_suite,
    eval_options,
    llama_server,
)

CI_CASSETTE = CASSETTES / "ci_capitals.yaml"
CI_BASELINE = ROOT / "results" / "baselines" / "smollm2-capitals.csv"
BASELINE_COLUMNS = ["item_id", "suite", "bin", "label"]


def main() -> None:
    os.environ["OPENAI_API_KEY"] = SENTINEL_KEY
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        suite = capitals_suite(work / "suite")
        CAPITALS_CASSETTE.unlink(missing_ok=True)
        CI_CASSETTE.unlink(missing_ok=True)
        with llama_server(work) as url:
            result = run_eval(eval_options(suite, CAPITALS_CASSETTE, "once", work / "run", url))
            assert isinstance(result, EvalResult)
            print(f"recorded {CAPITALS_CASSETTE}: {result.stats.labels}")
            ci = replace(eval_options(suite, CI_CASSETTE, "once", work / "ci", url),
                         suites=["capitals"], per_bin=4, seed=0)
            result = run_eval(ci)
            assert isinstance(result, EvalResult)
        CI_BASELINE.parent.mkdir(parents=True, exist_ok=True)
        load_run(result.run_dir).responses[BASELINE_COLUMNS].to_csv(CI_BASELINE, index=False)
        print(f"recorded {CI_CASSETTE} and {CI_BASELINE}: {result.stats.labels}")


if __name__ == "__main__":
    main()
