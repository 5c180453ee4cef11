"""responses.jsonl is append-only and a torn last line (a kill mid-write) is cut on resume."""

from __future__ import annotations

from pathlib import Path

from halprobe.store.rundir import RunDir, find_resumable


def test_torn_line_is_cut_and_rows_survive(tmp_path: Path) -> None:
    run = RunDir(tmp_path / "run")
    run.write_config({"config_hash": "h1", "status": "running"})
    run.append({"item_id": "a", "label": "correct"})
    run.append({"item_id": "b", "label": "hallucinated"})
    run.close()
    with run.responses_path.open("a", encoding="utf-8") as f:
        f.write('{"item_id": "c", "lab')
    assert [r["item_id"] for r in run.read_rows()] == ["a", "b"]
    run.append({"item_id": "c", "label": "abstained"})
    run.close()
    assert [r["item_id"] for r in run.read_rows()] == ["a", "b", "c"]


def test_find_resumable_only_unfinished_same_config(tmp_path: Path) -> None:
    RunDir(tmp_path / "1-done").write_config({"config_hash": "h", "status": "complete"})
    assert find_resumable(tmp_path, "h") is None
    RunDir(tmp_path / "2-open").write_config({"config_hash": "h", "status": "running"})
    RunDir(tmp_path / "3-other").write_config({"config_hash": "x", "status": "running"})
    assert find_resumable(tmp_path, "h") == tmp_path / "2-open"


def test_append_many_writes_rows_in_order(tmp_path: Path) -> None:
    run = RunDir(tmp_path / "run")
    run.path.mkdir()
    run.append({"item_id": "a", "label": "correct"})
    run.append_many([{"item_id": "b", "label": "error"}, {"item_id": "c", "label": "correct"}])
    run.append_many([])
    run.close()
    assert [r["item_id"] for r in run.read_rows()] == ["a", "b", "c"]
