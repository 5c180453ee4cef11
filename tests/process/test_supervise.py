"""A crash in a model's native code ends in one line and a resumable run; Ctrl-C stops at once.

The backends here are a real third-party plugin (tests/data/plugins, found through its
dist-info's `halprobe.backends` entry points once the folder is on PYTHONPATH): one that dies in
native code in its own model thread, one that answers a few prompts and then blocks, so a
signal test never races the end of the run.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from halprobe.process.supervise import describe, wanted
from tests.conftest import REPO, run_cli

PLUGINS = REPO / "tests" / "data" / "plugins"
PLUGIN_ENV = {"PYTHONPATH": os.pathsep.join([str(PLUGINS), os.environ.get("PYTHONPATH", "")])}


def _rows(run: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (run / "responses.jsonl").read_text().splitlines()]


def _eval_args(model: str, tmp_path: Path) -> list[str]:
    return ["eval", "--model", model, "--suite", "capitals", "--per-bin", "2",
            "--out", str(tmp_path / "run"), "--cache", str(tmp_path / "c.sqlite"),
            "--no-progress"]


def test_native_crash_is_one_line_and_the_rerun_resumes(tmp_path: Path) -> None:
    marker = tmp_path / "crashed-once"
    args = _eval_args(f"crash:{marker}", tmp_path)
    crashed = run_cli(*args, env=PLUGIN_ENV)
    assert crashed.returncode == 128 + signal.SIGSEGV
    lines = crashed.stderr.strip().splitlines()
    assert len(lines) == 1, crashed.stderr
    run = tmp_path / "run"
    assert lines[0].startswith("halprobe: error: the model crashed in native code (SIGSEGV)")
    assert f"finished rows are kept in {run}: rerun the same command to resume" in lines[0]
    assert "Traceback" not in crashed.stderr
    done = len(_rows(run))
    assert done == 3  # the fourth prompt crashed; one prompt in flight at a time
    assert "string_at" in (run / "crash.log").read_text()  # the Python stack, for a bug report

    resumed = run_cli(*args, env={**PLUGIN_ENV, "COLUMNS": "200"})
    assert resumed.returncode == 0, resumed.stderr
    assert f"already done {done}" in resumed.stdout
    ids = [r["item_id"] for r in _rows(run)]
    assert len(ids) == len(set(ids)) == 10  # capitals: 5 bins x 2


def test_crash_line_for_llama_cpp_names_features_and_the_option(tmp_path: Path) -> None:
    context = {"backend": "llamacpp", "cpu_features": ["AVX2", "AVX512", "AMX_INT8"],
               "extra_bufts": "on", "extra_bufts_used": True, "run_dir": str(tmp_path)}
    line = describe(signal.SIGSEGV, context, tmp_path)
    assert "llama.cpp's native code (SIGSEGV)" in line
    assert "CPU features AVX2, AVX512, AMX_INT8" in line
    assert "try -o extra_bufts=off" in line
    assert f"kept in {tmp_path}: rerun the same command to resume" in line
    assert "\n" not in line
    already_off = describe(signal.SIGSEGV, {**context, "extra_bufts_used": False}, tmp_path)
    assert "extra buffer types were already off" in already_off
    killed = describe(signal.SIGKILL, {}, tmp_path)
    assert "out-of-memory" in killed and "no run directory was started yet" in killed


def test_only_model_loading_commands_are_supervised() -> None:
    assert wanted(["eval", "--per-bin", "2"], {})
    assert wanted(["tune-prompt"], {}) and wanted(["grade", "--judge", "x"], {})
    assert not wanted(["eval", "--help"], {})
    assert not wanted(["report", "RUN"], {}) and not wanted([], {})
    assert not wanted(["eval"], {"HALPROBE_SUPERVISED": "1"})  # the child itself


def test_ctrl_c_stops_at_once_with_one_line_and_leaves_nothing_running(tmp_path: Path) -> None:
    """Ctrl-C mid-run: exit 130, the resume hint, no traceback, the figure worker gone, the
    finished rows kept; prompts in flight are not waited for. The backend answers 4 prompts
    and blocks on the rest, so the run cannot end before the signal."""
    out = tmp_path / "run"
    # SIGINT as a terminal leaves it: a shell starts background jobs (`cmd &`, as CI scripts
    # may) with SIGINT ignored, which exec keeps, and then no Ctrl-C could reach the run
    proc = subprocess.Popen([sys.executable, "-m", "halprobe.cli",
                             *_eval_args("block:4", tmp_path)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **PLUGIN_ENV},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (
            (out / "responses.jsonl").exists() and len(_rows(out)) >= 4):
        time.sleep(0.05)
    assert len(_rows(out)) == 4
    children = psutil.Process(proc.pid).children(recursive=True)
    assert len(children) >= 2, "the supervised run and its figure worker should be running"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)  # to the parent alone: it forwards it
    try:
        _, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # say what was still running, then clean up
        left = [(p.pid, p.name(), p.status(), p.cmdline()[-3:]) for p in children
                if p.is_running()]
        for p in [psutil.Process(proc.pid), *children]:
            with contextlib.suppress(psutil.Error):
                p.kill()
        _, stderr = proc.communicate(timeout=30)
        pytest.fail(f"no exit 60 s after Ctrl-C; still running: {left}; stderr: {stderr}")
    assert proc.returncode == 130
    assert time.monotonic() - sent < 15
    assert "interrupted; finished items are saved" in stderr and "Traceback" not in stderr
    _, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
    assert len(_rows(out)) == 4
    assert json.loads((out / "config.json").read_text())["status"] == "running"


def test_killing_the_parent_kills_the_run(tmp_path: Path) -> None:
    """kill -9 of `halprobe eval` stops the work too (the child dies with its parent)."""
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "halprobe.cli",
                             *_eval_args("block:2", tmp_path)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **PLUGIN_ENV})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (
            (out / "responses.jsonl").exists() and len(_rows(out)) >= 2):
        time.sleep(0.05)
    children = psutil.Process(proc.pid).children(recursive=True)
    assert children
    proc.kill()
    proc.wait()
    _, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
