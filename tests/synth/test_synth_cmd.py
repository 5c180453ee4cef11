"""`halprobe synth` as a typer command: table, CSVs and plots; bad options are user errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from halprobe.commands.synth_cmd import parse_alphas, synth_command
from halprobe.errors import UserError

app = typer.Typer()
app.command()(synth_command)


def _run(*args: str) -> object:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "120"})


def test_synth_writes_table_csv_and_plots(tmp_path: Path) -> None:
    out = tmp_path / "synth"
    result = _run("--alpha", "1,2", "--scenario-a", "--seeds", "2", "--qa", "60",
                  "--out", str(out))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    text = result.output  # type: ignore[attr-defined]
    assert "scenario A" in text and "2/2" in text and "QA view" in text
    rows = pd.read_csv(out / "synth.csv")
    assert len(rows) == 6 and rows.holds.all()
    assert (abs(rows.g_h - rows.mf) <= 0.01).all()
    assert set(pd.read_csv(out / "synth_frontier.csv").target) == {"seen", "idk"}
    assert len(pd.read_csv(out / "synth_qa.csv")) == 3 * 4
    for png in ("g_vs_mf.png", "frontier.png"):
        assert (out / png).read_bytes()[:4] == b"\x89PNG"


def test_synth_m2_single_world(tmp_path: Path) -> None:
    result = _run("--alpha", "1.5", "--model", "m2", "--qa", "0", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    rows = pd.read_csv(tmp_path / "synth.csv")
    assert list(rows.model) == ["m2"] and "beta=" in rows.params[0]
    assert not (tmp_path / "synth_qa.csv").exists()


def test_parse_alphas() -> None:
    assert parse_alphas(["0.5,1", "2"]) == [0.5, 1.0, 2.0]
    for bad in (["x"], ["0"], ["-1"], ["inf"]):
        with pytest.raises(UserError):
            parse_alphas(bad)


@pytest.mark.parametrize("args", [["--model", "m4"], ["--bins", "5"], ["--seeds", "0"],
                                  ["--delta", "1.5"], ["--alpha", "abc"],
                                  ["--people", "2000000"], ["--smoothing", "0"]])
def test_bad_options_are_user_errors(tmp_path: Path, args: list[str]) -> None:
    result = _run(*args, "--out", str(tmp_path / "x"))
    assert isinstance(result.exception, UserError)  # type: ignore[attr-defined]
    assert not (tmp_path / "x").exists()


def test_cli_constants_match_the_package() -> None:
    # synth_cmd keeps its own copies so that `halprobe --help` does not load the synth package
    from halprobe.commands import synth_cmd
    from halprobe.synth import experiment, theory, world

    assert synth_cmd.MODELS == experiment.MODELS
    assert synth_cmd.ALPHAS == world.ALPHAS
    assert synth_cmd.BINS == theory.BINS


@pytest.mark.slow
def test_synth_m3_reports_intervals(tmp_path: Path) -> None:
    result = _run("--alpha", "1.5", "--model", "m3", "--n", "500", "--steps", "30",
                  "--samples", "200", "--qa", "20", "--no-progress", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    row = pd.read_csv(tmp_path / "synth.csv").iloc[0]
    assert row.model == "m3" and row.g_h_low <= row.g_h <= row.g_h_high
    assert row.mis_low <= row.mis <= row.mis_high and row.bound_low <= row.bound_high
    assert sum(row[f"n_{k}"] for k in ("true", "wrong_date", "nobody", "unknown_name",
                                       "malformed")) == 200
    assert (tmp_path / "g_vs_mf.png").exists()


def test_unwritable_out_fails_before_running(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = _run("--alpha", "1", "--out", str(blocker / "sub"))
    assert isinstance(result.exception, UserError)  # type: ignore[attr-defined]
    assert "cannot create output directory" in str(result.exception)  # type: ignore[attr-defined]


def test_check_estimators_writes_the_table_and_the_plot(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALPROBE_HOME", str(tmp_path / "home"))  # M3's weights
    result = _run("--check-estimators", "--alpha", "1", "--n", "600", "--people", "1200",
                  "--check-items", "40", "--check-m3-steps", "30", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    table = pd.read_csv(tmp_path / "estimators.csv")
    assert list(table.columns) == ["world", "model", "quantity", "exact", "estimate", "low",
                                   "high"]
    assert set(table["model"]) == {"m1-calibrated", "m2-calibrated", "m2", "m1-post-seen-0.5",
                                   "m1-post-idk-0.5", "m3"}
    m3 = table[table["model"] == "m3"].set_index("quantity")
    assert 0 <= m3.loc["mis [bin all]", "exact"] <= 1  # M3's exact values are computed
    assert m3.loc["mf [bin all]", "exact"] == m3.loc["mf [bin all]", "estimate"]
    assert list((tmp_path / "home" / "synth-m3").glob("*.bin"))  # the weights were cached
    assert (tmp_path / "estimators.png").read_bytes()[:4] == b"\x89PNG"
    for option, value in (("--proxy-noise", "-1"), ("--check-m3-steps", "5")):
        bad = _run("--check-estimators", option, value, "--out", str(tmp_path))
        assert isinstance(bad.exception, UserError)  # type: ignore[attr-defined]


def test_post_training_experiment_takes_one_world() -> None:
    result = _run("--post-training-experiment", "--alpha", "1,2")
    assert result.exit_code != 0 and "one --alpha" in str(result.exception)  # type: ignore[attr-defined]
