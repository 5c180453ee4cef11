"""The inspect_ai round trip on a real model: inspect's eval() of halprobe/capitals with the
default model through halprobe's model provider (`halprobe/default`: the embedded GGUF through
halprobe's llama.cpp backend), then `halprobe import inspect`; its answers and labels against
a plain `halprobe eval` of the same items and prompts. Same backend, greedy: identical."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("inspect_ai")

from inspect_ai import eval as inspect_eval

import halprobe.integrations.inspect_registry  # noqa: F401  (the entry point's module)
from halprobe.integrations.inspect_task import capitals
from halprobe.pipeline import EvalOptions, EvalResult, run_eval
from halprobe.store.load import load_run
from tests.conftest import run_cli

pytestmark = [pytest.mark.model, pytest.mark.slow]


def test_inspect_answers_match_halprobe_eval(tmp_path: Path) -> None:
    [log] = inspect_eval(capitals(per_bin=1, seed=0), model="halprobe/default",
                         log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success", log.error
    imported = run_cli("import", "inspect", log.location, "--out", str(tmp_path / "imported"),
                       "--results", str(tmp_path / "results"))
    assert imported.returncode == 0, imported.stderr
    assert "5 of 5 the same as halprobe's grading now" in imported.stdout
    native = run_eval(EvalOptions(suites=["capitals"], per_bin=1, seed=0,
                                  out=tmp_path / "native", results=tmp_path / "results",
                                  cache=tmp_path / "cache.sqlite", progress=False))
    assert isinstance(native, EvalResult)
    theirs = load_run(tmp_path / "imported").responses.set_index("item_id")
    ours = load_run(native.run_dir).responses.set_index("item_id")
    assert sorted(theirs.index) == sorted(ours.index) and len(ours) == 5
    assert theirs["response"].to_dict() == ours["response"].to_dict()
    assert theirs["label"].to_dict() == ours["label"].to_dict()
    assert theirs["prompt"].to_dict() == ours["prompt"].to_dict()
    # the provider passes the backend's log-probs: the imported run has confidence figures
    assert theirs["confidence_source"].to_dict() == ours["confidence_source"].to_dict()
    assert theirs["confidence"].round(6).to_dict() == ours["confidence"].round(6).to_dict()
