"""`halprobe check`: the regression gate on real runs replayed from the checked-in cassette."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import REPO, run_cli

CASSETTE = REPO / "tests" / "cassettes" / "ci_capitals.yaml"
BASELINE = REPO / "results" / "baselines" / "smollm2-capitals.csv"
REPLAY = ["eval", "--model", "openai:smollm2", "--base-url", "http://127.0.0.1:9/v1",
          "--suite", "capitals", "--per-bin", "4", "--cassette", str(CASSETTE),
          "--no-progress"]


@pytest.fixture(scope="module")
def replayed_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("check") / "run"
    result = run_cli(*REPLAY, "--out", str(out), env={"OPENAI_API_KEY": ""})
    assert result.returncode == 0, result.stderr
    return out


def test_run_against_itself_passes_and_writes_markdown(replayed_run: Path,
                                                        tmp_path: Path) -> None:
    summary = tmp_path / "step-summary.md"
    result = run_cli("check", str(replayed_run), "--baseline", str(replayed_run),
                     env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: no significant rise" in result.stdout
    text = summary.read_text()
    assert text.startswith("## halprobe check") and "| capitals | 4 |" in text
    assert (replayed_run / "check.md").read_text() == text


def test_replay_matches_the_checked_in_baseline(replayed_run: Path) -> None:
    result = run_cli("check", str(replayed_run), "--baseline", str(BASELINE))
    assert result.returncode == 0, result.stdout + result.stderr


def _worse_copy(run: Path, tmp_path: Path, flips: int) -> Path:
    """The same run with ``flips`` correct answers turned into hallucinations."""
    worse = tmp_path / "worse"
    shutil.copytree(run, worse)
    rows = [json.loads(x) for x in (run / "responses.jsonl").read_text().splitlines()]
    for row in rows:
        if flips and row["label"] == "correct":
            row["label"], flips = "hallucinated", flips - 1
    (worse / "responses.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return worse


def test_a_few_flips_are_not_significant(replayed_run: Path, tmp_path: Path) -> None:
    # 1 newly wrong, 0 fixed: exact McNemar p = 0.5; not significant, exit 0
    worse = _worse_copy(replayed_run, tmp_path, flips=1)
    result = run_cli("check", str(worse), "--baseline", str(replayed_run))
    assert result.returncode == 0, result.stdout


def test_summary_csv_baseline_uses_the_z_test(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"config_hash": "x", "status": "complete"}))
    rows = [{"item_id": f"s/{i}", "suite": "s", "bin": 0,
             "label": "hallucinated" if i < 66 else "correct"} for i in range(300)]
    (run / "responses.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    baseline = tmp_path / "summary.csv"
    pd.DataFrame([{"suite": "s", "bin": "0", "n": 300, "n_hallucinated": 45},
                  {"suite": "s", "bin": "all", "n": 300, "n_hallucinated": 45}]
                 ).to_csv(baseline, index=False)
    # docs/metrics.md 6: 45/300 vs 66/300 gives z = 2.21, one-sided p = .014 -> fails at .05
    result = run_cli("check", str(run), "--baseline", str(baseline))
    assert result.returncode == 1, result.stdout
    assert ("| s | 0 | 300 | 300 | 0 | 0.150 | 0.220 | 0.070 | 0.000 | 0.000 | 0.000 | 0.000 | z |"
            in result.stdout)
    assert "FAIL: hallucination rate rose significantly in 1 stratum(s): s/bin 0" \
        in result.stdout


def test_bad_baseline_is_a_user_error(replayed_run: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    result = run_cli("check", str(replayed_run), "--baseline", str(bad))
    assert result.returncode == 2
    assert "needs columns item_id, suite, bin, label" in result.stderr


@pytest.mark.model
def test_prompt_that_invites_guessing_fails_the_gate(tmp_path: Path) -> None:
    """The default model, same capitals, with a prompt that pushes it to guess: exit 1."""
    worse_suite = tmp_path / "capitals-guess"
    worse_suite.mkdir()
    shutil.copy(REPO / "probes" / "capitals" / "items.jsonl", worse_suite / "items.jsonl")
    yaml_text = (REPO / "probes" / "capitals" / "suite.yaml").read_text()
    guess = "{question} Answer with a city whose name starts with K, in one sentence."
    (worse_suite / "suite.yaml").write_text(
        yaml_text.replace("'{question} Answer in one sentence.'", repr(guess)))
    common = ["--per-bin", "25", "--seed", "0", "--no-progress", "--cache",
              str(tmp_path / "cache.sqlite")]
    base = run_cli("eval", "--suite", "capitals", "--out", str(tmp_path / "base"), *common)
    assert base.returncode == 0, base.stderr
    worse = run_cli("eval", "--suite", str(worse_suite / "suite.yaml"), "--out",
                    str(tmp_path / "worse"), *common)
    assert worse.returncode == 0, worse.stderr
    result = run_cli("check", str(tmp_path / "worse"), "--baseline", str(tmp_path / "base"))
    assert result.returncode == 1, result.stdout
    assert "FAIL: hallucination rate rose significantly in" in result.stdout
    assert "capitals/bin 4" in result.stdout  # the well-known capitals are the ones lost
