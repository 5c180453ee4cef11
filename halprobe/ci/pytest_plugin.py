"""pytest plugin: put a hallucination regression check in your own test suite.

    def test_no_new_hallucinations(halprobe_eval):
        run = halprobe_eval(model="openai:smollm2", base_url="http://127.0.0.1:8000/v1",
                            suites=["capitals"], per_bin=4,
                            cassette="tests/cassettes/ci_capitals.yaml")
        assert_no_regression(run, baseline="results/baselines/smollm2-capitals.csv")

The cassette replays with no server, no key and no network (record mode `none`); pass
`--halprobe-record-mode once` to pytest to record it against a live server.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from halprobe.backends.spec import RECORD_MODES


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("halprobe")
    group.addoption("--halprobe-record-mode", default="none", choices=RECORD_MODES,
                    help="vcrpy record mode for halprobe_eval cassettes (default: none, "
                         "replay only).")


@pytest.fixture
def halprobe_eval(tmp_path: Path, request: pytest.FixtureRequest) -> Callable[..., Any]:
    """A function that runs `halprobe eval` (from a cassette) and returns the loaded run."""
    from halprobe.run.pipeline import EvalOptions, EvalResult, run_eval
    from halprobe.store.load import load_run

    record_mode = str(request.config.getoption("--halprobe-record-mode"))
    counter = iter(range(1_000_000))

    def run(model: str | None = None, suites: Sequence[str] = (), *,
            cassette: str | Path | None = None, base_url: str | None = None,
            per_bin: int | None = None, limit: int | None = None, seed: int = 0,
            max_tokens: int = 48) -> Any:
        out = tmp_path / f"halprobe-run-{next(counter)}"
        opts = EvalOptions(model=model, suites=list(suites), per_bin=per_bin, limit=limit,
                           seed=seed, max_tokens=max_tokens, out=out,
                           results=tmp_path / "halprobe-results", progress=False,
                           backend_options={"base_url": base_url} if base_url else {},
                           cassette=Path(cassette) if cassette else None,
                           record_mode=record_mode)
        result = run_eval(opts)
        assert isinstance(result, EvalResult)
        return load_run(result.run_dir)

    return run


def assert_no_regression(run: Any, baseline: str | Path, tolerance: float = 0.02,
                         alpha: float = 0.05) -> pd.DataFrame:
    """Fail the test when the run's hallucination rate rose significantly over the baseline."""
    from halprobe.ci.gate import check_table
    from halprobe.report.markdown import markdown_table

    table = check_table(Path(run.path), Path(baseline), tolerance, alpha)
    failed = table[table["failed"]] if not table.empty else table
    if len(failed):
        raise AssertionError("hallucination rate rose significantly (Holm-corrected, "
                             f"alpha {alpha}, tolerance {tolerance}):\n"
                             + markdown_table(table))
    return table
