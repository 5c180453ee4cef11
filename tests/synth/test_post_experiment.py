"""The controlled base-vs-post-trained experiment end to end on a tiny M3 (test_m3_backend's
world and size): three runs through eval's pipeline, each with scores and samples, the table
and the plot (docs/base-vs-instruct.md, the controlled version)."""

from __future__ import annotations

from pathlib import Path

import pytest

from halprobe.synth.m3_backend import trained
from halprobe.synth.plots import plot_post_training
from halprobe.synth.post_experiment import PostConfig, run

pytestmark = pytest.mark.slow


def test_three_models_one_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALPROBE_HOME", str(tmp_path / "home"))
    trained.cache_clear()
    config = PostConfig(alpha=1.5, n=200, people=300, items=40, steps=60, post_steps=150,
                        d_model=32, layers=1, batch=32)
    table = run(config, tmp_path / "out")
    trained.cache_clear()
    overall = table[table["bin"] == "all"].set_index("model")
    assert list(overall.index) == ["base", "post-seen", "post-idk"]
    assert (overall["n"] == 40).all() and (overall["mis_source"] == "scores").all()
    assert overall["mis"].between(0, 1).all() and overall["mis_exact"].between(0, 1).all()
    # the idk step abstains where the base model never does
    assert overall.loc["base", "abstained"] == 0 < overall.loc["post-idk", "abstained"]
    for name in overall.index:
        assert (tmp_path / "out" / "runs" / name / "summary.csv").is_file()
    png = plot_post_training(table, tmp_path / "post.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
