"""Knowledge cutoffs: the table and its user extension, the after-cutoff stratum, the regrade
of "alive as far as I know", and the before/after table (values worked out by hand)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from halprobe.analysis.variant_tables import cutoff_table
from halprobe.errors import UserError
from halprobe.run.pipeline import model_name
from halprobe.scoring import grade
from halprobe.types import AnswerType, Label, Precision, ProbeItem
from halprobe.variants.cutoff import (
    Cutoff,
    is_after,
    lookup,
    mark,
    parse_month,
    regrade,
    resolve,
)

JUNE_2024 = Cutoff("2024-06")


def dated(event: str | None, suite: str = "obituaries") -> ProbeItem:
    return ProbeItem(id=f"{suite}/{event}", suite=suite, question="On what date did X die?",
                     answer=event, aliases=(event,) if event else (),
                     answer_type=AnswerType.DATE, precision=Precision.DAY, event_date=event,
                     subject="X")


def test_month_and_last_day() -> None:
    assert JUNE_2024.last_day == dt.date(2024, 6, 30)
    assert Cutoff("2023-12").last_day == dt.date(2023, 12, 31)
    assert Cutoff("2024-02").last_day == dt.date(2024, 2, 29)
    for bad in ("2024-13", "2024", "June 2024", "2024-6"):
        with pytest.raises(UserError, match="expected a month YYYY-MM"):
            parse_month(bad)


@pytest.mark.parametrize(("event", "after"), [
    ("2024-07-01", True), ("2024-06-30", False), ("2024-07", True), ("2024-06", False),
    ("2024", False), ("2025", True), (None, False)])
def test_is_after_compares_the_first_day_the_date_can_mean(event: str | None,
                                                           after: bool) -> None:
    assert is_after(event, JUNE_2024) is after


@pytest.mark.parametrize(("model", "month"), [
    ("SmolLM2-135M-Instruct", "2024-06"), ("HuggingFaceTB/SmolLM2-360M-Instruct", "2024-06"),
    ("gpt-4o-mini-2024-07-18", "2023-10"), ("gpt-4.1-mini", "2024-06"),
    ("/models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", "2023-12"),
    ("meta-llama/Meta-Llama-3-8B-Instruct", "2023-03")])
def test_lookup_known_models(model: str, month: str) -> None:
    found = lookup(model)
    assert found is not None and found.month == month


def test_user_table_extends_and_wins(tmp_path: Path) -> None:
    table = tmp_path / "cutoffs.yaml"
    table.write_text("models:\n  - name: my-model\n    cutoff: '2022-01'\n"
                     "  - name: SmolLM2-135M-Instruct\n    cutoff: '2024-09'\n"
                     "    source: our own probe\n", encoding="utf-8")
    assert lookup("my-model", table) == Cutoff("2022-01", "my-model", "")
    assert lookup("SmolLM2-135M-Instruct", table) == Cutoff("2024-09", "SmolLM2-135M-Instruct",
                                                            "our own probe")
    assert lookup("unknown-model") is None
    table.write_text("models:\n  - name: bad\n    cutoff: 2022\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"model 1 \(bad\): cutoff"):
        lookup("bad", table)


def test_resolve_and_model_names() -> None:
    assert resolve("2023-04", "x") == Cutoff("2023-04", "x", "--knowledge-cutoff")
    assert resolve("auto", model_name(None)).month == "2024-06"
    with pytest.raises(UserError, match="no known knowledge cutoff for model 'mystery'"):
        resolve("auto", "mystery")
    assert model_name("hf:HuggingFaceTB/SmolLM2-135M-Instruct") == \
        "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert model_name("llamacpp:/m/x.gguf") == "/m/x.gguf"
    assert model_name("hf:/dir?gguf=f.gguf") == "/dir"


def test_mark_moves_later_items_to_their_own_stratum() -> None:
    items = mark([dated("2024-05-01"), dated("2025-01-02"), dated(None)], JUNE_2024)
    assert [i.suite for i in items] == ["obituaries", "obituaries@after-cutoff", "obituaries"]
    assert [i.id for i in items] == ["obituaries/2024-05-01", "obituaries/2025-01-02",
                                     "obituaries/None"]
    assert items[1].variant.row_fields() == {"after_cutoff": True, "base_suite": "obituaries"}
    assert items[0].variant.row_fields()["after_cutoff"] is False
    assert items[2].variant.row_fields() == {}


def test_alive_after_the_cutoff_is_abstained_a_date_is_not() -> None:
    before, after = mark([dated("2024-05-01"), dated("2025-01-02")], JUNE_2024)
    alive = "As far as I know, X is still alive."
    assert grade(after, alive).label is Label.HALLUCINATED
    assert regrade(after, alive, grade(after, alive)).label is Label.ABSTAINED
    assert regrade(before, alive, grade(before, alive)).label is Label.HALLUCINATED
    wrong = "X died on March 3, 2025."
    assert regrade(after, wrong, grade(after, wrong)).label is Label.HALLUCINATED
    right = "X died on January 2, 2025."
    assert regrade(after, right, grade(after, right)).label is Label.CORRECT


def test_cutoff_table_by_hand() -> None:
    """Before: 2 hallucinated, 1 correct, 1 unscored (left out): HR 2/3. After: 1
    hallucinated, 3 abstained: HR 1/4, Wilson [.046, .699]; undated rows take no part."""
    labels = [("hallucinated", False), ("hallucinated", False), ("correct", False),
              ("unscored", False), ("hallucinated", True), ("abstained", True),
              ("abstained", True), ("abstained", True), ("correct", None)]
    rows = pd.DataFrame([{"suite": "obituaries", "label": label, "after_cutoff": after,
                          "bin": 0} for label, after in labels])
    table = cutoff_table(rows).set_index("stratum")
    assert table.loc["before-cutoff", "n"] == 3 and table.loc["before-cutoff", "n_unscored"] == 1
    assert table.loc["before-cutoff", "hallucination_rate"] == pytest.approx(2 / 3)
    assert table.loc["after-cutoff", "hallucination_rate"] == pytest.approx(0.25)
    assert table.loc["after-cutoff", "abstention_rate"] == pytest.approx(0.75)
    assert table.loc["after-cutoff", "hallucination_rate_low"] == pytest.approx(0.0456, abs=1e-3)
    assert table.loc["after-cutoff", "hallucination_rate_high"] == pytest.approx(0.699, abs=1e-3)
    assert cutoff_table(rows.drop(columns="after_cutoff")).empty


def test_bad_cutoff_on_the_command_line_is_one_line(tmp_path: Path, tiny_suite: Path) -> None:
    from tests.conftest import run_cli

    result = run_cli("eval", "--suite", str(tiny_suite), "--knowledge-cutoff", "June 2024",
                     "--results", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == ("halprobe: error: --knowledge-cutoff: expected a month "
                                     "YYYY-MM, got 'June 2024'")
    assert not (tmp_path / "runs").exists()
