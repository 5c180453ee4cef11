"""The report's figures: each writes a non-trivial PNG, or nothing when there is nothing to draw."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

from halprobe.analysis.summary import build_summary
from halprobe.report import plots
from tests.report.conftest import fake_rows


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return pd.DataFrame(fake_rows(0, per_bin=10))


@pytest.fixture(scope="module")
def summary(rows: pd.DataFrame) -> pd.DataFrame:
    return build_summary(rows)


def _check_png(path: Path | None, min_width: int = 500) -> None:
    assert path is not None and path.is_file()
    image = imread(path)
    height, width = image.shape[:2]
    assert width >= min_width and height >= 400
    assert np.unique(image.reshape(-1, image.shape[-1]), axis=0).shape[0] > 50  # not blank


def test_every_figure(tmp_path: Path, rows: pd.DataFrame, summary: pd.DataFrame) -> None:
    _check_png(plots.plot_hr_vs_monofact(summary, tmp_path / "a.png"), 600)
    # no anchor: one panel (HR by bin), no level panel with its diagonal
    assert imread(tmp_path / "a.png").shape[1] < 1200
    anchored = build_summary(pd.DataFrame(fake_rows(0, per_bin=10, anchored=True)))
    _check_png(plots.plot_hr_vs_monofact(anchored, tmp_path / "a2.png"), 1200)
    _check_png(plots.plot_outcomes(summary, tmp_path / "b.png"))
    _check_png(plots.plot_reliability(rows, tmp_path / "c.png"))
    _check_png(plots.plot_risk_coverage(rows, tmp_path / "d.png"))
    other = build_summary(pd.DataFrame(fake_rows(1, per_bin=10, hall_scale=0.5)))
    _check_png(plots.plot_models({"model A": summary, "model B": other}, tmp_path / "e.png"))


def test_strata_are_in_bin_order(summary: pd.DataFrame) -> None:
    strata = plots.strata(summary)
    assert "all" not in set(strata["bin"]) and "all" not in set(strata["suite"])
    capitals = strata[strata["suite"] == "capitals"]
    assert list(capitals["bin"]) == ["0", "1", "2", "3", "4"]


def test_nothing_to_draw_returns_none(tmp_path: Path, rows: pd.DataFrame,
                                      summary: pd.DataFrame) -> None:
    bare = rows.assign(confidence=None, confidence_source="none")
    assert plots.plot_reliability(bare, tmp_path / "r.png") is None
    assert plots.plot_risk_coverage(bare, tmp_path / "k.png") is None
    controls = summary[summary["suite"].isin(["controls"])]
    assert plots.plot_hr_vs_monofact(controls, tmp_path / "m.png") is None
    assert not list(tmp_path.iterdir())


def test_legend_names_the_suites_spearman(summary: pd.DataFrame) -> None:
    label = plots._label("capitals", summary)
    row = summary[(summary["suite"] == "capitals") & (summary["bin"] == "all")].iloc[0]
    assert label == (f"capitals: Spearman {row['spearman']:+.2f} [{row['spearman_low']:+.2f}, "
                     f"{row['spearman_high']:+.2f}]")
    assert plots._label("controls", summary).startswith("controls: Spearman n/a")


def test_model_legend_stacks_long_run_labels() -> None:
    from halprobe.report.plots import _legend_columns

    long = ["SmolLM2-135M-Instruct (20261127-122655-SmolLM2-135M-Instruct-a0706b)"] * 2
    assert _legend_columns(long, 7.0) == 1  # 4.6 inches of text each: one a row
    assert _legend_columns(["gpt-4o", "smollm2", "llama"], 7.0) == 3
    assert _legend_columns(["a model name of thirty chars..", "another"], 7.0) == 2
