"""Grader vs careful human on the labelled development set (issue 3, "Done when").

``tests/data/grading/devset.jsonl`` holds real responses of the default model and responses
written to be hard, each labelled by hand under METRICS.md section 1 (how: the README beside it).
The grader must agree on at least 98% of rows and recall at least 95% of every human label;
the confusion matrix (human rows x grader columns) is printed, and repeated in any failure.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pandas as pd

from halprobe.scoring import grade
from halprobe.suites.schema import validate_row
from halprobe.types import Label, ProbeItem

DEVSET = Path(__file__).parents[1] / "data" / "grading" / "devset.jsonl"
SUITES = ("capitals", "papers", "obituaries", "controls")
HUMAN_LABELS = {label.value for label in Label} - {Label.UNSCORED.value}
MIN_AGREEMENT, MIN_RECALL = 0.98, 0.95
CONTROL_KINDS = {("fictional_country", "entity"), ("fictional_paper", "person"),
                 ("fictional_paper", "year"), ("fictional_person", "date"),
                 ("living_person", "date")}


@lru_cache(maxsize=1)
def rows() -> tuple[dict, ...]:
    with DEVSET.open(encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle if line.strip())


def item_of(row: dict, line: int) -> ProbeItem:
    item, problems = validate_row(row["item"], f"{DEVSET.name}:{line}", row["item"]["suite"])
    assert item is not None, problems
    return item


def confusion() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every row graded; the crosstab of human x grader labels, and the rows that disagree."""
    table = pd.DataFrame([
        {"line": i, "id": row["item"]["id"], "response": row["response"],
         "human": row["human_label"], "grader": grade(item_of(row, i), row["response"]).label.value}
        for i, row in enumerate(rows(), start=1)])
    matrix = pd.crosstab(table["human"], table["grader"], margins=True)
    return matrix, table[table["human"] != table["grader"]]


def test_devset_shape() -> None:
    data = rows()
    origins = Counter(row["origin"] for row in data)
    suites = {row["item"]["suite"] for row in data}
    assert len(data) >= 300, len(data)
    assert origins["real"] >= 150 and set(origins) <= {"real", "adversarial"}, origins
    assert suites >= set(SUITES), suites
    kinds = {(row["item"]["meta"].get("kind"), row["item"]["answer_type"]) for row in data
             if row["origin"] == "real" and row["item"]["suite"] == "controls"}
    assert kinds >= CONTROL_KINDS, kinds
    for i, row in enumerate(data, start=1):
        assert set(row) >= {"item", "response", "human_label", "reason", "origin"}, i
        assert row["human_label"] in HUMAN_LABELS and row["reason"].strip(), i
        item_of(row, i)


def test_devset_has_no_duplicates() -> None:
    keys = Counter((row["item"]["id"], row["response"]) for row in rows())
    assert [k for k, n in keys.items() if n > 1] == []


def test_grader_agrees_with_the_human_labels() -> None:
    matrix, wrong = confusion()
    total = int(matrix.loc["All", "All"])
    agreement = 1 - len(wrong) / total
    recall = {label: 1 - (wrong["human"] == label).sum() / matrix.loc[label, "All"]
              for label in matrix.index if label != "All"}
    report = "\n".join([
        f"agreement {agreement:.1%} on {total} rows "
        f"(min {MIN_AGREEMENT:.0%}; recall per human label, min {MIN_RECALL:.0%}: "
        + ", ".join(f"{k} {v:.1%}" for k, v in sorted(recall.items())) + ")",
        "confusion matrix (rows: human, columns: grader):",
        matrix.to_string(),
        *(f"  line {r.line} {r.id}: human={r.human} grader={r.grader} {r.response!r}"
          for r in wrong.itertuples()),
    ])
    print("\n" + report)
    assert agreement >= MIN_AGREEMENT, report
    assert all(v >= MIN_RECALL for v in recall.values()), report
