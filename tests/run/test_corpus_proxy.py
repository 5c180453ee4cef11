"""`halprobe eval --reference-corpus`: a hand-made corpus with known counts, through the CLI,
answers replayed from the checked-in cassette (no model, no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from halprobe.analysis.monofact import CORPUS_PROXY
from tests.conftest import run_cli
from tests.servers import CAPITALS_CASSETTE, SERVER_MODEL, capitals_suite, free_port

TEXT_DOCS = ["Paris is the capital of France.", "France and Paris again", "Berlin, Germany",
             "Tokyo", "Japan", "Lima Peru", "Germanys Berlin"]  # Germanys: no whole word
JSONL_DOCS = [{"text": "Nairobi, Kenya"}, {"text": "Kenya: Nairobi"},
              {"id": 7}, {"text": "KENYA (NAIROBI) and Kenya"}, {"text": "Cairo\nEgypt"}]
# FRA 2, DEU 1, PER 1, KEN 3, EGY 1 documents: n = 8 mentions, N_1 = 3 -> MF = .375
EXPECTED = {"t/FRA": 2, "t/DEU": 1, "t/PER": 1, "t/KEN": 3, "t/EGY": 1}


def _corpus(root: Path) -> Path:
    (root / "web").mkdir(parents=True)
    (root / "a.txt").write_text("\n".join(TEXT_DOCS) + "\n", encoding="utf-8")
    lines = [json.dumps(d) for d in JSONL_DOCS]
    (root / "web" / "b.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _eval(tmp_path: Path, *extra: str) -> tuple[int, str, Path]:
    suite = capitals_suite(tmp_path / "suite")
    out = tmp_path / "run"
    proc = run_cli("eval", "--model", f"openai:{SERVER_MODEL}",
                   "--base-url", f"http://127.0.0.1:{free_port()}/v1",
                   "--cassette", str(CAPITALS_CASSETTE), "--suite", str(suite), "--all",
                   "--out", str(out), "--results", str(tmp_path / "results"),
                   "--no-progress", *extra)
    return proc.returncode, proc.stdout + proc.stderr, out


def test_counts_anchor_the_proxy_and_give_the_exact_monofact(tmp_path: Path) -> None:
    code, output, out = _eval(tmp_path, "--reference-corpus", str(_corpus(tmp_path / "c")))
    assert code == 0, output
    rows = {r["item_id"]: r for r in map(json.loads, (out / "responses.jsonl").open())}
    assert {k: r["corpus_count"] for k, r in rows.items() if r["corpus_count"]} == EXPECTED
    assert rows["t/FRA"]["popularity"] == 68_000_000  # the suite's proxy is kept
    assert {r["anchor"] for r in rows.values()} == {f"reference corpus c ({CORPUS_PROXY})"}
    config = json.loads((out / "config.json").read_text())
    corpus = config["reference_corpus"]
    assert corpus["n_documents"] == 11 and corpus["n_skipped_lines"] == 1
    assert corpus["monofact_exact"] == pytest.approx(3 / 8)
    assert corpus["n_items_counted"] == 20 and corpus["n_items_found"] == 5
    assert CORPUS_PROXY in config["frequency_proxy"]
    summary = pd.read_csv(out / "summary.csv", dtype={"bin": str})
    at = summary.set_index(["suite", "bin"])
    # every counted capital is in bin 4 (population >= 10^7.5): N_1 = 3 of n = 8 there
    assert at.loc[("t", "4"), "monofact_exact"] == pytest.approx(3 / 8)
    assert at.loc[("t", "all"), "monofact_exact"] == pytest.approx(3 / 8)
    # kappa = sum n_i / sum c_i over the counted items with a population (docs/metrics.md 3)
    population = sum(r["popularity"] for r in rows.values() if r["popularity"])
    assert at.loc[("t", "all"), "kappa"] == pytest.approx(8 / population, rel=1e-3)
    assert at.loc[("t", "4"), "anchor"] == f"reference corpus c ({CORPUS_PROXY})"
    assert not (out / "bound.csv").exists()  # no samples, so no Mis and no bound
    assert "MF = N_1/n = 0.3750" in output
    assert "anchor t (population): kappa = sum n / sum c" in output


def test_a_bad_path_or_jsonl_line_stops_before_any_question(tmp_path: Path) -> None:
    code, output, out = _eval(tmp_path, "--reference-corpus", str(tmp_path / "nowhere"))
    assert code == 2 and "--reference-corpus" in output and "no such file or folder" in output
    corpus = _corpus(tmp_path / "c")
    with (corpus / "web" / "b.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"text": "Lima, Peru"\n')
    code, output, out = _eval(tmp_path, "--reference-corpus", str(corpus))
    assert code == 2 and "b.jsonl: line 6: not valid JSON" in output, output
    assert "Traceback" not in output and not out.exists()
    code, output, _ = _eval(tmp_path, "--reference-corpus", str(corpus / "a.txt"),
                            "--corpus-text-field", "body")
    assert code == 0  # a text file has no fields: the option does not apply
