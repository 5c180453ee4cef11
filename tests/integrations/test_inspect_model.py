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
from tests.conftest import run_cli
from tests.integrations.roundtrip import assert_same_as_native

pytestmark = [pytest.mark.model, pytest.mark.slow]


def test_inspect_answers_match_halprobe_eval(tmp_path: Path) -> None:
    [log] = inspect_eval(capitals(per_bin=1, seed=0), model="halprobe/default",
                         log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success", log.error
    imported = run_cli("import", "inspect", log.location, "--out", str(tmp_path / "imported"),
                       "--results", str(tmp_path / "results"))
    assert imported.returncode == 0, imported.stderr
    assert "5 of 5 the same as halprobe's grading now" in imported.stdout
    assert_same_as_native(tmp_path / "imported", tmp_path, None, also=("prompt",))
