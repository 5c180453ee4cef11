"""Re-record the checked-in cassettes from a real llama.cpp server (run from the repo root).

    .venv/bin/python tests/cassettes/record.py

Starts `python -m llama_cpp.server` with the embedded default GGUF on 127.0.0.1, runs the
20-capitals suite through `openai:smollm2` into a fresh cassette (--record-mode once after
deleting the old file, so no stale interaction survives), and stops the server. The key is
the test sentinel, so the scrubbing is exercised on every recording.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from halprobe.pipeline import run_eval
from tests.servers import (
    CAPITALS_CASSETTE,
    SENTINEL_KEY,
    capitals_suite,
    eval_options,
    llama_server,
)


def main() -> None:
    os.environ["OPENAI_API_KEY"] = SENTINEL_KEY
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        suite = capitals_suite(work / "suite")
        CAPITALS_CASSETTE.unlink(missing_ok=True)
        with llama_server(work) as url:
            result = run_eval(eval_options(suite, CAPITALS_CASSETTE, "once", work / "run", url))
        print(f"recorded {CAPITALS_CASSETTE}: {result.stats.labels}")


if __name__ == "__main__":
    main()
