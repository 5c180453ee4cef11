"""End to end with the real default model: a run, its files, and resume after SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import REPO, run_cli, write_suite

pytestmark = pytest.mark.model

CAPITALS = [
    ("FRA", "France", "Paris", 68_000_000), ("DEU", "Germany", "Berlin", 83_000_000),
    ("JPN", "Japan", "Tokyo", 124_000_000), ("KEN", "Kenya", "Nairobi", 55_000_000),
    ("BFA", "Burkina Faso", "Ouagadougou", 23_000_000), ("PER", "Peru", "Lima", 34_000_000),
    ("EGY", "Egypt", "Cairo", 112_000_000), ("ITA", "Italy", "Rome", 59_000_000),
    ("ESP", "Spain", "Madrid", 48_000_000), ("CAN", "Canada", "Ottawa", 40_000_000),
    ("AUS", "Australia", "Canberra", 27_000_000), ("BRB", "Barbados", "Bridgetown", 282_467),
    ("TUV", "Tuvalu", "Funafuti", 9_816), ("PLW", "Palau", "Ngerulmud", 17_727),
    ("NRU", "Nauru", "Yaren", 12_000), ("MHL", "Marshall Islands", "Majuro", 41_000),
    ("FSM", "Micronesia", "Palikir", 113_000), ("KIR", "Kiribati", "South Tarawa", 133_000),
    ("TON", "Tonga", "Nuku'alofa", 104_000), ("WSM", "Samoa", "Apia", 218_000),
]


def _items() -> list[dict[str, object]]:
    return [{"id": f"t/{code}", "question": f"What is the capital of {name}?", "answer": cap,
             "aliases": [cap], "answer_type": "entity", "popularity": pop,
             "proxy": "population", "subject": name}
            for code, name, cap, pop in CAPITALS]


YAML = """\
name: t
version: 0.1.0
prompt: {template: "{question} Answer in one sentence."}
bins: {scale: log10, edges: [3.0, 5.0, 6.0, 7.0, 7.5, 9.0]}
"""


@pytest.fixture
def capitals_suite(tmp_path: Path) -> Path:
    return write_suite(tmp_path / "suite", _items(), yaml_text=YAML)


def _rows(run: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (run / "responses.jsonl").read_text().splitlines()]


def test_eval_writes_run_directory_with_graded_rows(tmp_path: Path, capitals_suite: Path) -> None:
    out = tmp_path / "run"
    result = run_cli("eval", "--suite", str(capitals_suite), "--all", "--out", str(out),
                     "--cache", str(tmp_path / "c.sqlite"), "--no-progress",
                     env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert f"run written to {out}" in result.stdout
    rows = {r["item_id"]: r for r in _rows(out)}
    assert len(rows) == len(CAPITALS)
    assert rows["t/FRA"]["label"] == "correct" and rows["t/FRA"]["matched"] == "Paris"
    assert "Paris" in str(rows["t/FRA"]["response"])
    # SmolLM2-135M invents a capital for Burkina Faso (Kouilé) with this prompt
    assert rows["t/BFA"]["label"] == "hallucinated"
    assert rows["t/FRA"]["confidence_source"] == "logprobs:answer_span"
    assert 0 < float(rows["t/FRA"]["confidence"]) <= 1  # type: ignore[arg-type]
    config = json.loads((out / "config.json").read_text())
    assert config["status"] == "complete"
    assert config["fingerprint"]["model"] == "SmolLM2-135M-Instruct"
    assert len(config["fingerprint"]["sha256"]) == 16
    summary = pd.read_csv(out / "summary.csv")
    total = summary[(summary.suite == "all")].iloc[0]
    labels = pd.Series([r["label"] for r in rows.values()])
    graded = labels.isin(["correct", "hallucinated", "abstained", "non_answer", "vague"]).sum()
    assert total["n"] == graded
    assert total["hallucination_rate"] == pytest.approx((labels == "hallucinated").sum() / graded,
                                                        abs=1e-4)


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "halprobe.cli", *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "200"})


def test_killed_run_resumes_without_loss_or_duplicates(tmp_path: Path,
                                                       capitals_suite: Path) -> None:
    out, cache = tmp_path / "run", tmp_path / "cache.sqlite"
    args = ["eval", "--suite", str(capitals_suite), "--all", "--out", str(out), "--cache",
            str(cache), "--no-progress"]
    proc = _start(args)
    responses = out / "responses.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if responses.exists() and responses.read_text().count("\n") >= 5:
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = _rows(out)
    assert 5 <= len(before) < len(CAPITALS), "kill came too late to test resuming"

    resumed = run_cli(*args, env={"COLUMNS": "200"})
    assert resumed.returncode == 0, resumed.stderr
    after = _rows(out)
    ids = [r["item_id"] for r in after]
    assert len(ids) == len(set(ids)) == len(CAPITALS)
    assert after[: len(before)] == before
    assert f"already done {len(before)}" in resumed.stdout

    # A clean run with the same cache asks nothing: every answer is a cache hit ...
    again = run_cli(*args[:-5], "--out", str(tmp_path / "run2"), "--cache", str(cache),
                    "--no-progress", env={"COLUMNS": "200"})
    assert again.returncode == 0, again.stderr
    assert f"asked 0, cache hits {len(CAPITALS)}" in again.stdout
    # ... and gives exactly the answers and labels of the killed-and-resumed run.
    strip = ("cached", "latency_s")
    fresh = {r["item_id"]: {k: v for k, v in r.items() if k not in strip}
             for r in _rows(tmp_path / "run2")}
    assert fresh == {r["item_id"]: {k: v for k, v in r.items() if k not in strip} for r in after}
