"""Imported answers become the rows `halprobe eval` writes (import_run.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from halprobe.errors import UserError
from halprobe.integrations.import_run import HarnessAnswer, HarnessRun, answer_row, write_run
from halprobe.integrations.items import find_item, load_suites

FRANCE = [{"role": "user", "content": "What is the capital of France? Answer in one sentence."}]


def answer(text: str | None, item_id: str = "capitals/FRA") -> HarnessAnswer:
    item = find_item("capitals", item_id, "test")
    return HarnessAnswer(item, FRANCE, text, error=None if text is not None else "timeout",
                         tokens=("Paris", ".") if text else None,
                         token_logprobs=(-0.1, -0.2) if text else None, harness_label="correct",
                         extra={"harness_sample_id": item_id})


def test_a_graded_row_has_the_runners_fields() -> None:
    row = answer_row(answer("The capital of France is Paris."))
    assert row["label"] == "correct" and row["matched"] == "Paris"
    assert row["confidence_source"] != "none"  # from the harness's log-probs
    assert row["harness_label"] == "correct" and row["harness_sample_id"] == "capitals/FRA"
    assert row["gold"] == "Paris" and row["prompt"] == FRANCE and row["bin"] is not None


def test_a_harness_error_is_an_error_row_not_an_answer() -> None:
    row = answer_row(answer(None))
    assert row["label"] == "error" and row["response"] is None
    assert row["reason"] == "harness error: timeout"


def test_one_answer_an_item(tmp_path: Path) -> None:
    source = tmp_path / "log.json"
    source.write_text("{}")
    run = HarnessRun("inspect", source, "m", {"model": "m"}, {}, load_suites(["capitals"]))
    with pytest.raises(UserError, match=r"item 'capitals/FRA' answered 2 times"):
        write_run(run, [answer("Paris."), answer("Lyon.")], tmp_path / "run", tmp_path)
    done = write_run(run, [answer("Paris.")], tmp_path / "run", tmp_path)
    assert dict(done.labels) == {"correct": 1}
    with pytest.raises(UserError, match="already holds a run"):
        write_run(run, [answer("Paris.")], tmp_path / "run", tmp_path)
