"""`halprobe compare`: two real run directories side by side, figures counted by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from halprobe.analysis.compare import compare_table, run_label
from halprobe.errors import UserError
from tests.conftest import run_cli


def _run(path: Path, model: str, style: str, labels: list[str],
         choices: list[list[float]] | None = None) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"fingerprint": {"model": model},
                                                  "prompt_style": style}))
    rows = [{"item_id": f"capitals/{n}", "suite": "capitals", "bin": n % 2, "label": label}
            for n, label in enumerate(labels)]
    (path / "responses.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    if choices:
        (path / "choices.jsonl").write_text("".join(
            json.dumps({"item_id": f"capitals/{n}", "suite": "capitals", "bin": n % 2,
                        "options": ["x", "y"], "gold_index": 0, "logprobs": lp}) + "\n"
            for n, lp in enumerate(choices)))
    return path


BASE = ["correct", "hallucinated", "hallucinated", "correct"]
TUNED = ["correct", "abstained", "non_answer", "unscored"]  # unscored: left out of the rates


def test_two_runs_per_bin(tmp_path: Path) -> None:
    half = list(np.log([0.5, 0.5]))
    a = _run(tmp_path / "a", "gemma", "completion", BASE, [half] * 4)
    b = _run(tmp_path / "b", "smol", "chat", TUNED)
    table = compare_table(a, b).set_index("bin")
    assert table.loc["all", "hr_a"] == 0.5 and table.loc["all", "hr_b"] == 0.0
    assert table.loc["all", "n_b"] == 3
    assert table.loc["0", "non_answer_b"] == 0.5  # items 0 and 2: correct, non_answer
    assert table.loc["1", "abstained_b"] == 1.0  # item 1 only (item 3 is unscored)
    # every option at .5, half of them golds: calibrated, ECE 0
    assert table.loc["all", "mc_ece_a"] == pytest.approx(0.0)
    assert "mc_ece_b" not in table
    assert run_label(b) == "smol (chat)"


def test_runs_without_a_common_suite_or_a_config(tmp_path: Path) -> None:
    a = _run(tmp_path / "a", "gemma", "completion", BASE)
    with pytest.raises(UserError, match="not a halprobe run"):
        compare_table(a, tmp_path)
    empty = _run(tmp_path / "b", "smol", "chat", [])
    with pytest.raises(UserError, match="share no suite"):
        compare_table(a, empty)


def test_the_command_writes_csv_and_plot(tmp_path: Path) -> None:
    a = _run(tmp_path / "a", "gemma", "completion", BASE)
    b = _run(tmp_path / "b", "smol", "chat", TUNED)
    done = run_cli("compare", str(a), str(b), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "A = gemma (completion)" in done.stdout
    assert (tmp_path / "out" / "compare.png").stat().st_size > 10_000
    assert not math.isnan(float((tmp_path / "out" / "compare.csv").read_text()
                                .splitlines()[1].split(",")[4]))


def test_the_printed_table_says_where_mis_came_from(tmp_path: Path) -> None:
    """A Mis from teacher-forced scores and one from samples alone are different estimates."""
    a = _run(tmp_path / "a", "gemma", "completion", BASE)
    (a / "summary.csv").write_text("suite,bin,mis,mis_source\ncapitals,all,0.25,scores\n")
    b = _run(tmp_path / "b", "smol", "chat", TUNED)
    done = run_cli("compare", str(a), str(b), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    header = next(line for line in done.stdout.splitlines() if "mis_a" in line)
    assert "mis_source_a" in header
    assert any("0.25" in line and "scores" in line for line in done.stdout.splitlines())
