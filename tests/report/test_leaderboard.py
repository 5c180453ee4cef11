"""results/leaderboard.csv: columns, order, sorting, provenance and idempotence."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from halprobe.analysis.summary import build_summary
from halprobe.commands.leaderboard_cmd import leaderboard_command
from halprobe.errors import UserError
from halprobe.report.leaderboard import COLUMNS, build_leaderboard, update_leaderboard
from tests.report.conftest import SUITES, fake_config, write_run

RUN_A = "20260101-000000-SmolLM2-aaaaaa"
RUN_B = "20260102-000000-Other-bbbbbb"


@pytest.fixture
def results(tmp_path: Path) -> Path:
    write_run(tmp_path, RUN_A)
    write_run(tmp_path, RUN_B, model="Other-1B", seed=3, hall_scale=0.6,
              created="2026-01-02T00:00:00+00:00")
    write_run(tmp_path, "20260103-000000-unfinished", status="running")
    return tmp_path


def test_columns_rows_and_sorting(results: Path) -> None:
    table = build_leaderboard(results)
    assert tuple(table.columns) == COLUMNS
    assert list(COLUMNS[:9]) == ["run_id", "model", "fingerprint", "date", "halprobe_version",
                                 "suite", "suite_version", "suite_digest", "prompt_hash"]
    assert set(table["run_id"]) == {RUN_A, RUN_B}  # the unfinished run is left out
    assert len(table) == 2 * (len(SUITES) + 1)
    assert sorted(table["suite"].unique()) == sorted([*SUITES, "all"])
    keys = list(zip(table["suite"], table["hallucination_rate"], table["run_id"], strict=True))
    assert keys == sorted(keys)
    assert table["n"].dtype == "Int64"


def test_figures_and_provenance_come_from_the_run(results: Path) -> None:
    table = build_leaderboard(results)
    run = results / "runs" / RUN_A
    summary = build_summary(pd.read_json(run / "responses.jsonl", lines=True))
    row = table[(table["run_id"] == RUN_A) & (table["suite"] == "capitals")].iloc[0]
    line = summary[(summary["suite"] == "capitals") & (summary["bin"] == "all")].iloc[0]
    for column, source in (("hallucination_rate", "hallucination_rate"), ("ece", "ece_width10"),
                           ("monofact_sr", "monofact_sr"), ("spearman", "spearman"),
                           ("auroc", "auroc"), ("f_score", "f_score")):
        assert row[column] == pytest.approx(line[source]), column
    config = fake_config("SmolLM2-135M-Instruct", "2026-01-01T00:00:00+00:00")
    blob = json.dumps(config["fingerprint"], sort_keys=True).encode()
    assert row["fingerprint"] == hashlib.sha256(blob).hexdigest()[:12]
    assert (row["model"], row["suite_version"], row["suite_digest"]) == (
        "SmolLM2-135M-Instruct", "1.0.0", "digest-capitals")
    assert (row["date"], row["prompt_hash"]) == ("2026-01-01T00:00:00+00:00",
                                                 "ad0419a2e482b6d6")
    overall = table[(table["run_id"] == RUN_A) & (table["suite"] == "all")].iloc[0]
    assert overall["suite_version"] == ""
    assert len(overall["suite_digest"]) == 16


def test_uses_a_full_summary_csv_and_agrees_with_recomputing(results: Path) -> None:
    before = build_leaderboard(results)
    run = results / "runs" / RUN_A
    full = build_summary(pd.read_json(run / "responses.jsonl", lines=True))
    full.to_csv(run / "summary.csv", index=False, float_format="%.4f")
    after = build_leaderboard(results)
    numeric = list(COLUMNS[9:])
    pd.testing.assert_frame_equal(before[numeric], after[numeric], atol=1e-4,
                                  check_dtype=False)


def test_written_atomically_and_idempotent(results: Path) -> None:
    path = update_leaderboard(results)
    assert path == results / "leaderboard.csv"
    first = path.read_bytes()
    assert update_leaderboard(results).read_bytes() == first
    assert not list(results.glob(".*.tmp"))
    read = pd.read_csv(path)
    assert tuple(read.columns) == COLUMNS and len(read) == 8


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(leaderboard_command)
    return app


def test_command_writes_default_and_out(results: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(_app(), ["--results", str(results)])
    assert result.exit_code == 0, result.output
    assert (results / "leaderboard.csv").is_file() and "8 rows from 2 run(s)" in result.output
    out = tmp_path / "elsewhere" / "board.csv"
    assert runner.invoke(_app(), ["--results", str(results), "--out", str(out)]).exit_code == 0
    assert out.read_bytes() == (results / "leaderboard.csv").read_bytes()


def test_command_without_runs_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no runs under"):
        leaderboard_command(results=tmp_path, out=None)
    write_run(tmp_path, "20260103-000000-unfinished", status="running")
    with pytest.raises(UserError, match="no complete runs"):
        leaderboard_command(results=tmp_path, out=None)


def test_prompt_variant_suites_keep_their_base_suites_provenance(tmp_path: Path) -> None:
    run = write_run(tmp_path, RUN_A)
    rows = pd.read_json(run / "responses.jsonl", lines=True)
    rows["suite"] = rows["suite"] + "@idk"
    rows.to_json(run / "responses.jsonl", orient="records", lines=True)
    (run / "summary.csv").unlink()
    table = build_leaderboard(tmp_path)
    row = table[table["suite"] == "capitals@idk"].iloc[0]
    assert (row["suite_version"], row["suite_digest"]) == ("1.0.0", "digest-capitals")
