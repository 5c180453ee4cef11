"""`halprobe eval --reference-corpus infinigram:DIR | infinigram-api:NAME` end to end: a real
byte-level index built by infini-gram's indexer, or the API's exchanges replayed inside the run's
cassette; the model's answers replayed from the checked-in capitals cassette."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from halprobe.analysis.monofact import CORPUS_PROXY
from tests.conftest import run_cli
from tests.infinigram_index import DIFFERENCES, EQUAL, build_index, write_corpus
from tests.servers import CAPITALS_CASSETTE, SERVER_MODEL, capitals_suite, free_port
from tests.test_eval_model import CAPITALS

COUNTS = {**EQUAL, **{item: by_index for item, (_, by_index, _) in DIFFERENCES.items()}}
FOUND = {item: n for item, n in COUNTS.items() if n}  # 4, 1, 2, 1, 1, 1, 1: n = 11, N_1 = 5


def _eval(tmp_path: Path, corpus: str) -> tuple[int, str, Path]:
    out = tmp_path / f"run{len(list(tmp_path.glob('run*')))}"
    proc = run_cli("eval", "--model", f"openai:{SERVER_MODEL}",
                   "--base-url", f"http://127.0.0.1:{free_port()}/v1",
                   "--cassette", str(CAPITALS_CASSETTE),
                   "--suite", str(capitals_suite(tmp_path / "suite")), "--all",
                   "--out", str(out), "--results", str(tmp_path / "results"),
                   "--no-progress", "--reference-corpus", corpus)
    return proc.returncode, proc.stdout + proc.stderr, out


def test_eval_takes_its_counts_from_a_local_index(tmp_path: Path) -> None:
    index = build_index(write_corpus(tmp_path / "corpus"), tmp_path / "idx")
    code, output, out = _eval(tmp_path, f"infinigram:{index}")
    assert code == 0, output
    rows = {r["item_id"]: r for r in map(json.loads, (out / "responses.jsonl").open())}
    assert {k: r["corpus_count"] for k, r in rows.items() if r["corpus_count"]} == FOUND
    assert {r["anchor"] for r in rows.values()} == {
        f"reference corpus infinigram:{index} ({CORPUS_PROXY})"}
    corpus = json.loads((out / "config.json").read_text())["reference_corpus"]
    assert corpus["monofact_exact"] == pytest.approx(5 / 11)
    assert corpus["n_items_counted"] == 20 and corpus["n_documents"] == 15
    source = corpus["source"]
    assert (source["engine"], source["unit"], source["window"]) == ("infini-gram",
                                                                    "documents", 100)
    assert source["cache_hits"] == 0
    said = " ".join(output.split())  # the console folds long lines at its width
    assert "MF = N_1/n = 0.4545" in said and "infini-gram index" in said
    code, output, out = _eval(tmp_path, f"infinigram:{index}")
    assert code == 0, output
    again = json.loads((out / "config.json").read_text())["reference_corpus"]["source"]
    assert again["cache_hits"] == 20  # the rerun asked the index nothing


@pytest.mark.parametrize(("corpus", "message"), [
    ("infinigram:/nowhere/idx", "infinigram:/nowhere/idx: no such folder"),
    ("infinigram-api:v4_nosuch", "infinigram-api:v4_nosuch: unknown API index"),
    ("infinigram:idx?window=x", "window must be a positive integer"),
])
def test_a_bad_index_stops_before_any_question(tmp_path: Path, corpus: str,
                                               message: str) -> None:
    code, output, out = _eval(tmp_path, corpus)
    assert code == 2 and message in output, output
    assert "Traceback" not in output and not out.exists()


def _api_cassette(path: Path, windows: dict[str, int]) -> Path:
    """The capitals cassette plus one infini-gram count exchange a capital, written in the
    API's documented format (as tests/cassettes/infinigram_api_count.yaml; counts invented)."""
    cassette = yaml.safe_load(CAPITALS_CASSETTE.read_text(encoding="utf-8"))
    for code, name, capital, _ in CAPITALS:
        body = {"index": "v4_piletrain_llama", "query_type": "count", "max_diff_tokens": 100,
                "max_clause_freq": 50000, "query": f"{name} AND {capital}"}
        answer = {"count": windows.get(f"t/{code}", 0), "approx": False, "latency": 9.0}
        cassette["interactions"].append({
            "request": {"body": json.dumps(body), "headers": {}, "method": "POST",
                        "uri": "https://api.infini-gram.io/"},
            "response": {"body": {"string": json.dumps(answer)},
                         "headers": {"content-type": ["application/json"]},
                         "status": {"code": 200, "message": "OK"}}})
    path.write_text(yaml.safe_dump(cassette, allow_unicode=True), encoding="utf-8")
    return path


def test_eval_asks_the_api_inside_the_run_cassette(tmp_path: Path) -> None:
    windows = {"t/FRA": 9, "t/KEN": 1, "t/TUV": 1, "t/PLW": 2}  # N_1 = 2 of n = 13
    cassette = _api_cassette(tmp_path / "both.yaml", windows)
    out = tmp_path / "run"
    proc = run_cli("eval", "--model", f"openai:{SERVER_MODEL}",
                   "--base-url", f"http://127.0.0.1:{free_port()}/v1",
                   "--cassette", str(cassette),
                   "--suite", str(capitals_suite(tmp_path / "suite")), "--all",
                   "--out", str(out), "--results", str(tmp_path / "results"), "--no-progress",
                   "--reference-corpus", "infinigram-api:v4_piletrain_llama")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = {r["item_id"]: r for r in map(json.loads, (out / "responses.jsonl").open())}
    assert {k: r["corpus_count"] for k, r in rows.items() if r["corpus_count"]} == windows
    assert rows["t/FRA"]["anchor"] == (
        f"reference corpus infinigram-api:v4_piletrain_llama ({CORPUS_PROXY})")
    corpus = json.loads((out / "config.json").read_text())["reference_corpus"]
    assert corpus["source"]["unit"] == "windows" and corpus["n_items_counted"] == 20
    assert corpus["monofact_exact"] == pytest.approx(2 / 13)
