"""results/leaderboard.csv: columns, order, sorting, provenance and idempotence."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
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
                           ("spearman_hr_proxy", "spearman"),
                           ("auroc", "auroc"), ("f_score", "f_score")):
        assert row[column] == pytest.approx(line[source]), column
    # no anchor: no level on the leaderboard, and the row says so
    assert math.isnan(row["monofact_sr"]) and row["anchor"] == "none: proxy ranks only"
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
    # as a run writes a variant's rows: its own suite, and the suite it asks (base_suite)
    rows["base_suite"], rows["variant"] = rows["suite"], "idk"
    rows["suite"] = rows["suite"] + "@idk"
    rows.to_json(run / "responses.jsonl", orient="records", lines=True)
    (run / "summary.csv").unlink()
    table = build_leaderboard(tmp_path)
    row = table[table["suite"] == "capitals@idk"].iloc[0]
    assert (row["suite_version"], row["suite_digest"]) == ("1.0.0", "digest-capitals")


# Ten capitals items asked at the four targets (c correct, h hallucinated, a abstained, v vague).
TARGET_LABELS = {0.0: "cchcchchch", 0.5: "cchcchchaa", 0.75: "achcchcaaa", 0.9: "aachcvcaaa"}
NAMES = {"c": "correct", "h": "hallucinated", "a": "abstained", "v": "vague"}


def _targets_run(root: Path) -> Path:
    """A run of `eval --targets 0,0.5,0.75,0.9` over ten capitals items, labels by hand."""
    run = write_run(root, RUN_A, summary=False)
    rows = [{"item_id": f"capitals/{i}@target-{t:g}", "suite": f"capitals@target-{t:g}",
             "bin": i % 2, "answer_type": "entity", "exists": True, "popularity": 1e6,
             "proxy": "population_wb", "question": f"Q {i}?", "gold": f"A{i}", "aliases": [],
             "base_id": f"capitals/{i}", "base_suite": "capitals",
             "variant": f"target-{t:g}", "transform": None, "target": t, "form": None,
             "response": "text", "label": NAMES[code], "confidence": None}
            for t, labels in TARGET_LABELS.items() for i, code in enumerate(labels)]
    (run / "responses.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows),
                                         encoding="utf-8")
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    config["transforms"] = {f"target-{t:g}": {"name": f"target-{t:g}", "target": t}
                            for t in TARGET_LABELS}
    (run / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return run


def test_score_t_columns_by_hand(tmp_path: Path) -> None:
    """score_t = (correct - t/(1-t) hallucinated) / 10: t = 0: (6 - 0)/10 = .6; t = .5:
    (5 - 3)/10 = .2; t = .75: (4 - 3 x 2)/10 = -.2; t = .9: (3 - 9 x 1)/10 = -.6 (the vague
    answer scores 0). precision = correct / (correct + hallucinated), the vague answer apart
    (docs/metrics.md 5): .6, .625, 2/3, 3/4 -> BCG = .0833 + .15 = .2333. Every target
    row of the suite and the run's 'all' row (all of it asked under targets) carry them."""
    _targets_run(tmp_path)
    table = build_leaderboard(tmp_path)
    assert list(table.columns[-5:]) == ["score_t0", "score_t0.5", "score_t0.75", "score_t0.9",
                                        "bcg"]
    assert len(table) == 5  # capitals@target-0 ... -0.9 and all
    for _, row in table.iterrows():
        assert [row[f"score_t{t:g}"] for t in TARGET_LABELS] == pytest.approx(
            [0.6, 0.2, -0.2, -0.6]), row["suite"]
        assert row["bcg"] == pytest.approx(0.23333, abs=1e-5)


def test_score_t_columns_are_empty_without_targets(results: Path) -> None:
    table = build_leaderboard(results)
    assert table[["score_t0", "score_t0.5", "score_t0.75", "score_t0.9", "bcg"]].isna().all().all()


def test_score_t_only_on_target_rows_of_a_mixed_run(tmp_path: Path) -> None:
    """A tune-prompt run: plain and target-0.75 rows; only the target suite gets score_t0.75
    (and BCG max(0, .75 - 4/6) = .0833); the plain and 'all' rows stay empty."""
    run = _targets_run(tmp_path)
    rows = [json.loads(line) for line in (run / "responses.jsonl").open(encoding="utf-8")]
    kept = [r for r in rows if r["target"] == 0.75]
    for r in kept:
        r.update(transform="target-0.75")
    plain = [{**r, "item_id": r["base_id"], "suite": "capitals", "variant": None,
              "transform": None, "target": None} for r in kept]
    (run / "responses.jsonl").write_text("".join(json.dumps(r) + "\n" for r in kept + plain),
                                         encoding="utf-8")
    table = build_leaderboard(tmp_path).set_index("suite")
    assert table.loc["capitals@target-0.75", "score_t0.75"] == pytest.approx(-0.2)
    assert table.loc["capitals@target-0.75", "bcg"] == pytest.approx(0.75 - 4 / 6)
    assert np.isnan(table.loc["capitals@target-0.75", "score_t0.5"])
    assert table.loc[["capitals", "all"], "score_t0.75"].isna().all()
