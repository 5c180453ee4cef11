"""report.html: self-contained (images embedded, nothing fetched), with its PNGs and tables."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from halprobe.commands.report_cmd import report_command
from halprobe.errors import UserError
from halprobe.report.html import write_report
from tests.report.conftest import write_run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SINGLE = ("hr_vs_monofact.png", "outcomes.png", "reliability.png", "risk_coverage.png")


def _embedded(page: str) -> list[str]:
    return re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)


def test_single_run_report_is_self_contained(tmp_path: Path) -> None:
    run = write_run(tmp_path, "20260101-000000-SmolLM2-aaaaaa", per_bin=10)
    start = time.perf_counter()
    path = write_report([run], run)
    elapsed = time.perf_counter() - start
    assert path == run / "report.html"
    page = path.read_text(encoding="utf-8")
    assert len(_embedded(page)) == 4
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<script" not in page and "<link" not in page
    for name in SINGLE:
        data = (run / name).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 15_000, name
    assert len(pd.read_csv(run / "correlation.csv")) > 0
    # no anchor: rank statistics only; no level, no y = x, no bound (docs/metrics.md 3)
    assert not (run / "bound.csv").exists() and not (run / "kappa.csv").exists()
    assert "rank statistics only" in page and "y = x" not in page
    assert "Monofact levels</h3><p class='muted'>None: no anchor" in page
    assert "Kalai–Vempala bound estimate</h3><p class='muted'>Not reported" in page
    # the closing note: Spearman per suite with its CI and the sign verdict
    assert re.search(r"capitals</b>: Spearman of HR with the proxy bin across 5 bins "
                     r"= [+-]\d\.\d\d \(95% bootstrap CI", page)
    assert "the sign the theory predicts" in page or "opposite of the theory" in page
    assert "controls</b>: no frequency proxy" in page
    # the run's configuration
    for text in ("SmolLM2-135M-Instruct", "ad0419a2e482b6d6", "digest-papers", "fingerprint"):
        assert text in page
    assert elapsed < 30  # the target is < 5 s on an idle machine; CI boxes are shared


def test_several_runs_side_by_side(tmp_path: Path) -> None:
    a = write_run(tmp_path, "20260101-000000-SmolLM2-aaaaaa")
    b = write_run(tmp_path, "20260102-000000-Other-bbbbbb", model="Other-1B", seed=2,
                  hall_scale=0.6)
    out = tmp_path / "report"
    page = write_report([a, b], out).read_text(encoding="utf-8")
    assert (out / "models.png").read_bytes().startswith(PNG_MAGIC)
    assert (out / f"{a.name}_hr_vs_monofact.png").is_file()
    assert (out / f"{b.name}_correlation.csv").is_file()
    # models.png, compare.png (two runs: A against B) and four figures a run
    assert len(_embedded(page)) == 2 + 2 * 4
    assert "A against B" in page and (out / "compare.csv").is_file()
    assert "Models side by side" in page and "Other-1B" in page


def test_runs_of_one_model_are_told_apart_by_start_and_hash(tmp_path: Path) -> None:
    a = write_run(tmp_path, "20260101-093000-SmolLM2-aaaaaa")
    b = write_run(tmp_path, "20260102-171500-SmolLM2-bbbbbb", seed=2)
    c = write_run(tmp_path, "my-own-run-name", seed=3)
    page = write_report([a, b, c], tmp_path / "report").read_text(encoding="utf-8")
    assert "(2026-01-01 09:30:00, aaaaaa)" in page and "(2026-01-02 17:15:00, bbbbbb)" in page
    assert "(my-own-run-name)" in page  # an id not made by halprobe is shown whole


def test_run_without_logprobs_draws_no_calibration_figures(tmp_path: Path) -> None:
    run = write_run(tmp_path, "20260101-000000-hosted", logprobs=False)
    page = write_report([run], run).read_text(encoding="utf-8")
    assert len(_embedded(page)) == 2
    assert not (run / "reliability.png").exists()
    assert "Reliability diagram: not drawn (no answer has a confidence" in page
    assert "Risk-coverage curve: not drawn (no answer has a confidence" in page


def test_empty_run_is_a_user_error(tmp_path: Path) -> None:
    run = write_run(tmp_path, "20260101-000000-empty")
    (run / "responses.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(UserError, match="no responses"):
        write_report([run], run)


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(report_command)
    return app


def test_command_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = write_run(tmp_path, "20260101-000000-SmolLM2-aaaaaa")
    b = write_run(tmp_path, "20260102-000000-Other-bbbbbb", model="Other-1B", seed=2)
    runner = CliRunner()
    result = runner.invoke(_app(), [str(a)])
    assert result.exit_code == 0, result.output
    assert (a / "report.html").is_file()
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(_app(), [str(a), str(b)]).exit_code == 0
    assert (tmp_path / "report" / "report.html").is_file()
    with pytest.raises(UserError, match="not a halprobe run directory"):
        report_command(runs=[tmp_path / "nothing"], out=None)


def test_an_anchored_run_says_by_what_and_shows_levels(tmp_path: Path) -> None:
    from halprobe.report.cells import monofact_rows, support_note

    run = write_run(tmp_path, "20260101-000000-SmolLM2-aaaaaa", per_bin=10, anchored=True)
    page = write_report([run], run).read_text(encoding="utf-8")
    assert "Levels are anchored on corpus.jsonl" in page
    assert len(pd.read_csv(run / "kappa.csv")) == 2  # capitals and papers
    assert not (run / "bound.csv").exists()  # anchored, but no samples: still no bound
    summary = pd.DataFrame({"anchor": ["none: proxy ranks only"], "monofact_sr": [np.nan]})
    assert "rank statistics only" in support_note(summary)
    assert monofact_rows(summary) == []


def test_sampling_table_only_for_runs_with_samples() -> None:
    from halprobe.report.cells import sampling_rows

    summary = pd.DataFrame({"suite": ["s", "s"], "bin": ["0", "all"], "samples_k": [20, 20],
                            "n_sampling_confidence": [3, 3], "sampling_ece_width10": [0.25, 0.25],
                            "sampling_ece_mass15": [0.3, 0.3], "sampling_brier": [0.1, 0.1],
                            "sampling_auroc": [float("nan"), 1.0], "mis": [0.2, 0.2],
                            "mis_n_items": [2, 2]})
    rows = sampling_rows(summary)
    assert [r["Mis"] for r in rows] == ["0.200", "0.200"]
    assert rows[0]["AUROC"] == "–" and rows[1]["K"] == "20"
    assert sampling_rows(summary.assign(samples_k=float("nan"))) == []


def test_names_with_markup_are_escaped_in_the_page(tmp_path: Path) -> None:
    """A model or suite name is text, never markup: <, >, & and both quotes come out escaped."""
    model, suite = """<script>alert("x")</script> & 'co'""", """pa<i>pers</i> & "q" 'r'"""
    run = write_run(tmp_path, "20260101-000000-evil", model=model)
    rows = [json.loads(line) for line in (run / "responses.jsonl").read_text().splitlines()]
    for row in rows:
        row["suite"] = suite if row["suite"] == "papers" else row["suite"]
    (run / "responses.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    page = write_report([run], run).read_text(encoding="utf-8")
    assert "<script" not in page and "<i>" not in page
    assert ("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;co&#39;"
            in page)  # the title, the heading and the configuration table
    assert "<b>pa&lt;i&gt;pers&lt;/i&gt; &amp; &#34;q&#34; &#39;r&#39;</b>: Spearman" in page
    assert "<td>pa&lt;i&gt;pers&lt;/i&gt; &amp; &#34;q&#34; &#39;r&#39;</td>" in page
