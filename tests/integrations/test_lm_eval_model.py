"""The lm-evaluation-harness round trip on a real model: `halprobe export lm-eval`, then the
real `lm_eval` CLI on the default model's safetensors copy (offline, greedy, chat template),
then `halprobe import lm-eval`; its labels against `halprobe eval --model hf:default` on the
same items and prompts. Same f32 weights, same chat template, greedy: the answers are the
same text, so the labels are identical."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("lm_eval")

from halprobe.integrations.lm_eval_export import export
from tests.conftest import run_cli
from tests.integrations.roundtrip import assert_same_as_native

pytestmark = [pytest.mark.model, pytest.mark.slow]

OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def model_dir() -> Path:
    """The default GGUF as a local HF model directory (`hf:default` writes it on first use);
    benchmarks/compare_lm_eval.py runs lm-eval on the same copy."""
    from halprobe.backends.default import default_gguf
    from halprobe.backends.hf import from_spec, gguf_cache_dir

    directory = gguf_cache_dir(default_gguf())
    if not (directory / "config.json").is_file():
        from_spec("default", {}).close()
    return directory


def run_lm_eval(tasks: Path, out: Path, tmp: Path) -> Path:
    cmd = [sys.executable, "-m", "lm_eval", "--model", "hf",
           "--model_args", f"pretrained={model_dir()},dtype=float32", "--device", "cpu",
           "--batch_size", "1", "--include_path", str(tasks), "--tasks", "halprobe_capitals",
           "--apply_chat_template", "--log_samples", "--output_path", str(out)]
    env = {**os.environ, **OFFLINE, "HF_DATASETS_CACHE": str(tmp / "datasets")}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    [samples] = out.glob("*/samples_halprobe_capitals_*.jsonl")
    return samples


def test_lm_eval_answers_graded_by_halprobe_match_halprobe_eval(tmp_path: Path) -> None:
    export(["capitals"], tmp_path / "tasks", per_bin=1, seed=0)
    samples = run_lm_eval(tmp_path / "tasks", tmp_path / "lm_eval_out", tmp_path)
    imported = run_cli("import", "lm-eval", str(samples), "--out", str(tmp_path / "imported"),
                       "--results", str(tmp_path / "results"))
    assert imported.returncode == 0, imported.stderr
    # lm-eval's generate_until returns text only: no confidences to compare
    assert_same_as_native(tmp_path / "imported", tmp_path, "hf:default", confidences=False)
