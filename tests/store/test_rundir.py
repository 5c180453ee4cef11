"""responses.jsonl is append-only; a torn last line (a kill mid-write) is left out by readers,
who never write, and cut by the writer on resume; a damaged file is a one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest

from halprobe import load_run
from halprobe.errors import UserError
from halprobe.store.rundir import RunDir, find_resumable

TORN = '{"item_id": "c", "lab'


def _two_rows_and_a_torn_line(tmp_path: Path) -> RunDir:
    run = RunDir(tmp_path / "run")
    run.write_config({"config_hash": "h1", "status": "running"})
    run.append({"item_id": "a", "label": "correct"})
    run.append({"item_id": "b", "label": "hallucinated"})
    run.close()
    with run.responses_path.open("a", encoding="utf-8") as f:
        f.write(TORN)
    return run


def test_readers_leave_a_torn_line_in_place(tmp_path: Path) -> None:
    """A notebook reading a run that is still being written must not cut the writer's line."""
    run = _two_rows_and_a_torn_line(tmp_path)
    before = run.responses_path.read_bytes()
    assert [r["item_id"] for r in run.read_rows()] == ["a", "b"]
    assert list(load_run(run.path).responses["item_id"]) == ["a", "b"]
    assert run.responses_path.read_bytes() == before


def test_the_writer_cuts_a_torn_line_before_appending(tmp_path: Path) -> None:
    run = _two_rows_and_a_torn_line(tmp_path)
    run.cut_torn_line()
    assert not run.responses_path.read_text().endswith(TORN)
    run.append({"item_id": "c", "label": "abstained"})
    run.close()
    assert [r["item_id"] for r in run.read_rows()] == ["a", "b", "c"]


def test_a_damaged_run_file_is_a_one_line_error_with_file_and_line(tmp_path: Path) -> None:
    run = _two_rows_and_a_torn_line(tmp_path)
    run.cut_torn_line()
    with run.responses_path.open("a", encoding="utf-8") as f:
        f.write("garbage\n" + '{"item_id": "d", "label": "correct"}\n')
    with pytest.raises(UserError, match=r"responses.jsonl:3: damaged run file: not a JSON row"):
        run.read_rows()
    run.config_path.write_text('{"status": "running",\n "seed": }', encoding="utf-8")
    with pytest.raises(UserError, match=r"config.json:2: damaged run file: not valid JSON"):
        load_run(run.path)


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
