"""`halprobe eval --samples K`: sample items, request counts, and a real run of the default
model (marked ``model``) that stores, resumes and summarises its samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import halprobe
from halprobe.analysis.sampling import GOLD, answer_key
from halprobe.run.samples import sample_params
from halprobe.store.cache import cache_key
from halprobe.types import AnswerType, DecodingParams, Message, ProbeItem
from halprobe.variants.plan import sample_item
from tests.conftest import run_cli

ITEM = ProbeItem("c/FRA", "capitals", "What is the capital of France?", "Paris", ("Paris",),
                 AnswerType.ENTITY, subject="France")


def test_each_sample_is_its_own_item_and_cache_entry() -> None:
    first, second = sample_item(ITEM, 1), sample_item(ITEM, 2)
    assert (first.id, second.id) == ("c/FRA#s1", "c/FRA#s2")
    assert first.question == ITEM.question and first.suite == ITEM.suite
    assert first.variant.row_fields() == {"sample_of": "c/FRA", "sample_index": 1}
    params = DecodingParams(max_tokens=32, seed=3)
    one, two = sample_params(params, 1), sample_params(params, 2)
    assert (one.temperature, one.sample_index, one.seed, one.max_tokens) == (1.0, 1, 3, 32)
    prompt = [Message("user", ITEM.question)]
    keys = {cache_key({"model": "m"}, prompt, p) for p in (params, one, two)}
    assert len(keys) == 3


def test_dry_run_counts_the_samples(tmp_path: Path) -> None:
    proc = run_cli("eval", "--suite", "capitals", "--limit", "3", "--samples", "4",
                   "--dry-run", "--results", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "dry run: 15 requests (12 of them --samples answers), nothing sent" in proc.stdout
    assert "Mis needs K >= 20" in proc.stdout
    bad = run_cli("eval", "--samples", "-1", "--dry-run", "--results", str(tmp_path))
    assert bad.returncode == 2 and "--samples must be 0 or more" in bad.stderr


def _agreement(greedy: dict[str, object], samples: list[dict[str, object]]) -> float | None:
    """Independent statement: the share of samples graded as the greedy answer was, with
    the same matched text (case and punctuation aside) when it is not the gold."""
    if greedy["label"] not in ("correct", "hallucinated", "vague"):
        return None
    same = [s for s in samples if s["label"] == greedy["label"]
            and (greedy["label"] == "correct"
                 or answer_key(str(s["label"]), s["matched"])  # type: ignore[arg-type]
                 == answer_key(str(greedy["label"]), greedy["matched"]))]  # type: ignore[arg-type]
    return len(same) / len(samples)


@pytest.mark.model
def test_default_model_with_three_samples(tmp_path: Path) -> None:
    args = ("eval", "--suite", "capitals", "--limit", "3", "--samples", "3", "--out",
            str(tmp_path / "run"), "--results", str(tmp_path / "results"), "--cache",
            str(tmp_path / "cache.sqlite"), "--no-progress")
    proc = run_cli(*args, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "samples: 3 an item at temperature 1.0; asked 9, cache hits 0, errors 0" in proc.stdout
    run = halprobe.load_run(tmp_path / "run")
    assert len(run.responses) == 3 and len(run.samples) == 9
    assert sorted(run.samples["sample_index"].value_counts().to_dict().items()) == [
        (1, 3), (2, 3), (3, 3)]
    assert set(run.samples["sample_of"]) == set(run.responses["item_id"])
    for greedy in run.responses.to_dict("records"):
        mine = run.samples[run.samples["sample_of"] == greedy["item_id"]].to_dict("records")
        assert greedy["n_samples"] == 3
        expected = _agreement(greedy, mine)
        got = greedy["sampling_confidence"]
        assert (got is None or got != got) if expected is None else got == pytest.approx(expected)
        clusters = greedy["sample_clusters"]
        assert sum(clusters.values()) == 3
        assert clusters.get(GOLD, 0) == sum(s["label"] == "correct" for s in mine)
    overall = run.summary[(run.summary["suite"] == "all") & (run.summary["bin"] == "all")]
    assert 0.0 <= float(overall["mis"].iloc[0]) <= 1.0
    assert int(overall["samples_k"].iloc[0]) == 3
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["samples"]["k"] == 3 and config["samples"]["stats"]["asked"] == 9
    assert "HR of the samples" in proc.stdout
    # capitals are systematic facts and the run has no anchor: Mis, but no bound
    assert not (tmp_path / "run" / "bound.csv").exists()
    # a rerun asks nothing: every answer and sample is in the cache and the run directory
    again = run_cli(*args, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "asked 0" in again.stdout and "samples: 3 an item" in again.stdout
    assert len(halprobe.load_run(tmp_path / "run").samples) == 9
