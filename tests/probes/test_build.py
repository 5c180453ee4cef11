"""Properties of the shipped probe suites that users rely on, and of the script that builds them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

PROBES = Path(__file__).resolve().parents[2] / "probes"
SUITES = ("capitals", "papers", "obituaries", "controls")
ITEM_KEYS = [
    "id", "suite", "question", "answer", "aliases", "answer_type", "exists", "popularity",
    "proxy", "precision", "event_date", "subject", "bin", "meta",
]  # fmt: skip
SUITE_KEYS = ["name", "version", "description", "fact_kind", "prompt", "proxy", "bins",
              "sources", "build"]


@cache
def items(suite: str) -> list[dict[str, Any]]:
    with (PROBES / suite / "items.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@cache
def by_id(suite: str) -> dict[str, dict[str, Any]]:
    return {it["id"]: it for it in items(suite)}


def spec(suite: str) -> dict[str, Any]:
    return yaml.safe_load((PROBES / suite / "suite.yaml").read_text(encoding="utf-8"))


def test_france_capital_is_paris() -> None:
    france = by_id("capitals")["capitals/FRA"]
    assert france["question"] == "What is the capital of France?"
    assert france["answer"] == "Paris"
    assert france["aliases"] == ["Paris"]
    assert france["proxy"] == "population_wb" and france["popularity"] > 60_000_000


def test_multi_capital_countries_accept_every_capital() -> None:
    capitals = by_id("capitals")
    assert {"Pretoria", "Bloemfontein", "Cape Town"} <= set(capitals["capitals/ZAF"]["aliases"])
    assert {"La Paz", "Sucre"} <= set(capitals["capitals/BOL"]["aliases"])
    assert "Sri Jayawardenepura Kotte" in capitals["capitals/LKA"]["aliases"]
    assert "The Hague" not in capitals["capitals/NLD"]["aliases"]
    assert "Kiev" in capitals["capitals/UKR"]["aliases"]


@pytest.mark.parametrize("suite", SUITES)
def test_items_have_every_key_in_order_and_unique_sorted_ids(suite: str) -> None:
    rows = items(suite)
    ids = [it["id"] for it in rows]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for it in rows:
        assert list(it) == ITEM_KEYS
        assert it["suite"] == suite and it["id"].startswith(f"{suite}/")
        assert it["answer"] is None or it["answer"] in it["aliases"]
        assert it["popularity"] is not None or it["bin"] is not None, it["id"]


def test_every_control_is_unanswerable_and_binned() -> None:
    kinds: dict[str, int] = {}
    for it in items("controls"):
        assert it["exists"] is False and it["answer"] is None and it["aliases"] == []
        assert isinstance(it["bin"], int) and 0 <= it["bin"] <= 4
        assert it["meta"]["mimics"] in ("capitals", "papers", "obituaries")
        kinds[it["meta"]["kind"]] = kinds.get(it["meta"]["kind"], 0) + 1
    assert set(kinds) == {"fictional_person", "fictional_paper", "fictional_country",
                          "living_person"}  # fmt: skip
    assert all(40 <= n <= 100 for n in kinds.values()), kinds


def test_controls_are_absent_from_the_real_suites() -> None:
    papers = {it["subject"].lower() for it in items("papers")}
    people = {it["subject"].lower() for it in items("obituaries")}
    countries = {it["subject"].lower() for it in items("capitals")}
    for it in items("controls"):
        kind, subject = it["meta"]["kind"], it["subject"].lower()
        assert kind != "fictional_paper" or subject not in papers
        assert kind not in ("fictional_person", "living_person") or subject not in people
        assert kind != "fictional_country" or subject not in countries


def test_obituaries_are_dated_at_their_precision() -> None:
    rows = items("obituaries")
    assert len(rows) <= 8000
    for it in rows:
        assert it["answer_type"] == "date" and it["event_date"] == it["answer"]
        width = {"day": 10, "month": 7}[it["precision"]]
        assert len(it["answer"]) == width, it["id"]


def test_papers_ask_authors_and_year() -> None:
    gan = [it for it in items("papers") if it["subject"] == "Generative Adversarial Nets"]
    authors = next(it for it in gan if it["id"].endswith("/authors"))
    year = next(it for it in gan if it["id"].endswith("/year"))
    assert "Ian Goodfellow" in authors["aliases"] and "Yoshua Bengio" in authors["aliases"]
    assert authors["answer_type"] == "person"
    assert year["answer"] == "2014" and year["answer_type"] == "year"


@pytest.mark.parametrize("suite", SUITES)
def test_suite_yaml_has_the_manifest_keys_and_bins(suite: str) -> None:
    data = spec(suite)
    assert list(data) == SUITE_KEYS and data["name"] == suite
    assert data["prompt"] == {"system": None, "template": "{question} Answer in one sentence."}
    assert all((PROBES / s["file"]).is_file() for s in data["sources"])
    if suite == "controls":
        assert data["bins"] == {"explicit": True}
        return
    edges = data["bins"]["edges"]
    for values in edges.values() if isinstance(edges, dict) else [edges]:
        assert len(values) == 6 and values == sorted(values)


def test_suites_load_with_the_package_loader() -> None:
    loader = pytest.importorskip("halprobe.suites.loader")
    for suite in SUITES:
        loaded = loader.load_suite(PROBES / suite)
        assert len(loaded.items) == len(items(suite))
        assert {it.bin for it in loaded.items} == {0, 1, 2, 3, 4}


def test_build_is_deterministic_and_matches_the_shipped_files(tmp_path: Path) -> None:
    """Two builds under different hash seeds give the same bytes as the files in probes/."""
    runs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        cmd = [sys.executable, str(PROBES / "build.py"), "--out", str(out)]
        runs.append((out, subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)))
    for _, proc in runs:
        assert proc.wait(timeout=120) == 0
    for suite in SUITES:
        for name in ("items.jsonl", "suite.yaml"):
            shipped = (PROBES / suite / name).read_bytes()
            for out, _ in runs:
                assert (out / suite / name).read_bytes() == shipped, f"{suite}/{name}"
