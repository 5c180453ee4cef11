"""`halprobe doctor` on the real default model: the report a user pastes, and its exit code."""

from __future__ import annotations

import hashlib

import pytest

from halprobe.backends.default import default_gguf
from tests.conftest import run_cli

pytestmark = pytest.mark.model


def _fields(stdout: str) -> dict[str, str]:
    return dict(line.split(None, 1) for line in stdout.splitlines() if " " in line.strip())


def test_doctor_reports_the_machine_and_the_default_models_answer() -> None:
    done = run_cli("doctor")
    assert done.returncode == 0, done.stdout + done.stderr
    fields = _fields(done.stdout)
    for key in ("python", "halprobe", "torch", "transformers", "llama-cpp-python", "cpu",
                "cores", "memory_free_gib", "llama_cpp_features", "extra_bufts"):
        assert key in fields, key
    assert fields["extra_bufts"].startswith("auto -> use_extra_bufts=")
    assert fields["default_model_sha256"] == hashlib.sha256(
        default_gguf().read_bytes()).hexdigest()
    assert "Paris" in fields["answer"]


def test_doctor_exits_1_when_the_model_does_not_answer() -> None:
    done = run_cli("doctor", "-o", "n_ctx=1")  # loads, then refuses: the probe fails
    assert done.returncode == 1
    assert "none: the model failed (exit code 1): halprobe: error: backend option n_ctx" in \
        done.stdout


def test_doctor_checks_the_workaround_setting() -> None:
    done = run_cli("doctor", "-o", "extra_bufts=off")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _fields(done.stdout)["extra_bufts"] == "off -> use_extra_bufts=False"
