"""Grader vs careful human, on the tune split and on the frozen test split (issue 14).

``tests/data/grading/devset.jsonl`` is the tune split: the grader's rules were written on it,
so its agreement is in-sample. ``tests/data/grading/testset.jsonl`` is the test split: 407
answers labelled by hand under docs/metrics.md section 1 before the grader was run on them, and
never used for tuning (TESTSET.md); the few that repeat a tune row word for word are left out
of its figure. Both are graded as a run grades them (an obituary-form row
by the obituary grader), and each prints its agreement, its recall per human label and its
confusion matrix (human rows x grader columns); a failure repeats them.

Thresholds: the test split must reach 97% agreement and 93% recall of every human label
(issue 14); the tune split, where the rules were written, 98% and 95%.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from halprobe.suites.schema import validate_row
from halprobe.types import Label, ProbeItem
from halprobe.variants.grading import grade_item

DATA = Path(__file__).parents[1] / "data" / "grading"
SPLITS = {"tune": DATA / "devset.jsonl", "test": DATA / "testset.jsonl"}
THRESHOLDS = {"tune": (0.98, 0.95), "test": (0.97, 0.93)}
SUITES = ("capitals", "papers", "obituaries", "controls")
HUMAN_LABELS = {label.value for label in Label} - {Label.UNSCORED.value}
CONTROL_KINDS = {("fictional_country", "entity"), ("fictional_paper", "person"),
                 ("fictional_paper", "year"), ("fictional_person", "date"),
                 ("living_person", "date")}


@lru_cache(maxsize=2)
def rows(split: str) -> tuple[dict, ...]:
    with SPLITS[split].open(encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle if line.strip())


def _key(row: dict) -> tuple[str, str, str | None]:
    return row["item"]["id"], row["response"], row.get("form")


@lru_cache(maxsize=2)
def evaluated(split: str) -> tuple[dict, ...]:
    """The rows a split is scored on. The greedy model gives the same answer to an item each
    time it is asked, so a few real test rows repeat a tune row word for word (an item both
    samples drew); those are in-sample and left out of the test figure."""
    if split == "tune":
        return rows(split)
    tune = {_key(row) for row in rows("tune")}
    return tuple(row for row in rows(split) if _key(row) not in tune)


def item_of(row: dict, where: str) -> ProbeItem:
    item, problems = validate_row(row["item"], where, row["item"]["suite"])
    assert item is not None, problems
    form = row.get("form")
    return replace(item, variant=replace(item.variant, form=form)) if form else item


def confusion(split: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every row graded; the crosstab of human x grader labels, and the rows that disagree."""
    name = SPLITS[split].name
    table = pd.DataFrame([
        {"line": i, "id": row["item"]["id"], "response": row["response"],
         "human": row["human_label"],
         "grader": grade_item(item_of(row, f"{name}:{i}"), row["response"]).label.value}
        for i, row in enumerate(evaluated(split), start=1)])
    matrix = pd.crosstab(table["human"], table["grader"], margins=True)
    return matrix, table[table["human"] != table["grader"]]


def agreement_report(split: str) -> tuple[float, dict[str, float], str]:
    """Agreement, recall per human label, and the printable report of one split."""
    matrix, wrong = confusion(split)
    total = int(matrix.loc["All", "All"])
    agreement = 1 - len(wrong) / total
    recall = {label: 1 - (wrong["human"] == label).sum() / matrix.loc[label, "All"]
              for label in matrix.index if label != "All"}
    report = "\n".join([
        f"{split} split ({SPLITS[split].name}): agreement {agreement:.1%} on {total} rows; "
        "recall per human label: " + ", ".join(f"{k} {v:.1%}" for k, v in sorted(recall.items())),
        "confusion matrix (rows: human, columns: grader):",
        matrix.to_string(),
        *(f"  line {r.line} {r.id}: human={r.human} grader={r.grader} {r.response[:160]!r}"
          for r in wrong.itertuples()),
    ])
    return agreement, recall, report


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_split_shape(split: str) -> None:
    data = evaluated(split)
    origins = Counter(row["origin"] for row in data)
    assert len(data) >= 300, len(data)
    assert origins["real"] >= 150, origins
    assert {row["item"]["suite"] for row in data} >= set(SUITES)
    kinds = {(row["item"]["meta"].get("kind"), row["item"]["answer_type"]) for row in data
             if row["origin"] == "real" and row["item"]["suite"] == "controls"}
    assert kinds >= CONTROL_KINDS, kinds
    for i, row in enumerate(data, start=1):
        assert set(row) >= {"item", "response", "human_label", "reason", "origin"}, i
        assert row["human_label"] in HUMAN_LABELS and row["reason"].strip(), i
        item_of(row, f"{split}:{i}")


def test_test_split_covers_the_hard_cases() -> None:
    """Issue 14: other languages, stated/numeric dates, unusual wrong answers, real declines."""
    kinds = Counter(row.get("kind") for row in evaluated("test"))
    labels = Counter(row["human_label"] for row in evaluated("test"))
    assert kinds["language"] >= 60 and kinds["date_format"] >= 40, kinds
    assert kinds["unusual_wrong"] >= 40 and kinds["real_obituary"] >= 20, kinds
    assert labels["abstained"] >= 30, labels


def test_no_row_twice_and_repeats_of_tune_rows_keep_their_label() -> None:
    """No (item, response) twice in a split; a test row that repeats a tune row word for word
    was labelled the same way both times (two labellings, one reading of section 1)."""
    for split in SPLITS:
        keys = Counter(_key(row) for row in rows(split))
        assert [k for k, n in keys.items() if n > 1] == [], split
    tune = {_key(row): row["human_label"] for row in rows("tune")}
    repeats = [(row["item"]["id"], row["human_label"], tune[_key(row)]) for row in rows("test")
               if _key(row) in tune]
    assert [r for r in repeats if r[1] != r[2]] == []
    assert len(rows("test")) - len(repeats) == len(evaluated("test")) >= 300


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_grader_agrees_with_the_human_labels(split: str) -> None:
    agreement, _, report = agreement_report(split)
    print("\n" + report)
    assert agreement >= THRESHOLDS[split][0], report


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_grader_recalls_every_human_label(split: str) -> None:
    _, recall, report = agreement_report(split)
    assert all(v >= THRESHOLDS[split][1] for v in recall.values()), report
