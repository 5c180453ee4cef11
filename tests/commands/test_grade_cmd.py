"""`halprobe grade --responses`: a run's rows regraded with the grader each row was asked
under, on real rows of SmolLM2-135M runs (issue 8 figures): plain, confidence target,
transforms (idk, verify), obituary form and after the knowledge cutoff."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from halprobe.cli import app
from halprobe.commands.grade_cmd import RunItems, grade_lines
from halprobe.scoring import grade
from halprobe.variants.plan import as_asked

DATA = Path(__file__).parents[1] / "data" / "regrade"
SUITES = ["capitals", "papers", "obituaries", "controls", str(DATA / "recent" / "suite.yaml")]


def _rows() -> list[dict]:
    return [json.loads(line) for line in (DATA / "responses.jsonl").open(encoding="utf-8")]


def _regrade(path: Path, suites: list[str]) -> tuple[list[dict], RunItems]:
    items = RunItems(path, suites)
    with path.open(encoding="utf-8") as source:
        rows, failures = grade_lines(source, str(path), items)
    assert failures == 0
    return rows, items


@pytest.fixture(scope="module")
def regraded() -> tuple[list[dict], RunItems]:
    return _regrade(DATA / "responses.jsonl", SUITES)


def test_every_kind_of_row_gets_the_label_its_run_gave(regraded: tuple) -> None:
    """The runs graded each row with its own grader; regrading from the file alone agrees,
    except where issue 14 changed a label on purpose: four obituaries that decline nothing and
    state no checkable claim were "abstained" and are now non-answers (docs/metrics.md
    section 1)."""
    rows, items = regraded
    before = _rows()
    kinds = {r.get("form") or r.get("transform") or ("target" if r.get("target") else None)
             or ("after-cutoff" if r.get("after_cutoff") else "plain") for r in before}
    assert kinds == {"plain", "idk", "verify", "target-0.75", "target", "obituary",
                     "after-cutoff"}
    changed = [(b["item_id"], b["label"], r["label"]) for b, r in zip(before, rows, strict=True)
               if b["label"] != r["label"]]
    assert changed == [(i, "abstained", "non_answer") for i in (
        "controls/living-nobel-128@obituary", "controls/person-arne-yurick@obituary",
        "controls/person-daniel-flake@obituary",
        "obituaries/cutoffdate-aurelio-pereira-2025-04-08@obituary")]
    assert (items.regraded, items.changed) == (len(before), len(changed))


def test_obituary_rows_need_the_obituary_grader(regraded: tuple) -> None:
    """The plain date grader reads three of these five obituaries otherwise: dates that are
    no death for a living person (a non-answer, not hallucinated); an invented age at death
    inside a long text (hallucinated). The other two (an award year and a birth year, no
    death) are non-answers both ways."""
    rows, items = regraded
    obituaries = [(before, after) for before, after in zip(_rows(), rows, strict=True)
                  if before.get("form") == "obituary" and not before.get("after_cutoff")]
    assert len(obituaries) == 5
    same = [before["item_id"] for before, after in obituaries
            if str(grade(items.find(before), before["response"]).label) == after["label"]]
    assert same == ["controls/person-arne-yurick@obituary", "controls/person-daniel-flake@obituary"]


def test_after_cutoff_rows_keep_their_mark() -> None:
    """A real after-cutoff row, its answer replaced by "alive as far as I know": abstained
    after the cutoff (the right answer there), hallucinated by the plain grader."""
    row = next(r for r in _rows() if r.get("after_cutoff") and not r.get("form"))
    items = RunItems(None, SUITES)
    item = items.find(row)
    row["response"] = f"As far as I know, {item.subject} is still alive."
    asked = as_asked(item, row)
    assert asked.variant.after_cutoff is True and asked.suite == row["suite"]
    assert str(grade(item, row["response"]).label) == "hallucinated"
    from halprobe.variants.grading import grade_item

    assert str(grade_item(asked, row["response"]).label) == "abstained"
    assert str(grade_item(replace(asked, variant=replace(asked.variant, after_cutoff=False)),
                          row["response"]).label) == "hallucinated"


def test_confidence_is_recomputed_from_stored_logprobs(regraded: tuple) -> None:
    rows, _ = regraded
    before = _rows()[0]
    assert before["tokens"] is not None
    assert rows[0]["confidence"] == pytest.approx(before["confidence"])
    assert rows[0]["confidence_source"] == before["confidence_source"]


def test_suites_come_from_the_run_config_else_built_in(tmp_path: Path) -> None:
    """A copy of the run with a config.json naming its suites: by path where the file is,
    by name where the path is gone; the cutoff suite is found by its path."""
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(DATA / "responses.jsonl", run / "responses.jsonl")
    suites = [{"name": n, "path": f"/gone/{n}/suite.yaml"} for n in SUITES[:4]]
    suites.append({"name": "recent-deaths", "path": SUITES[4]})
    (run / "config.json").write_text(json.dumps({"suites": suites}), encoding="utf-8")
    assert RunItems(run / "responses.jsonl", []).specs() == [*SUITES[:4], SUITES[4]]
    rows, _ = _regrade(run / "responses.jsonl", [])
    expected, _ = _regrade(DATA / "responses.jsonl", SUITES)
    assert [r["label"] for r in rows] == [r["label"] for r in expected]


def test_cli_regrades_a_run_and_reports_rows_it_cannot_place(tmp_path: Path) -> None:
    source = tmp_path / "responses.jsonl"
    lines = (DATA / "responses.jsonl").read_text(encoding="utf-8").splitlines()
    error_row = {**json.loads(lines[0]), "response": None, "label": "error"}
    stray = {**json.loads(lines[1]), "item_id": "capitals/NOPE", "base_id": None}
    source.write_text("\n".join([*lines, json.dumps(error_row), json.dumps(stray)]) + "\n",
                      encoding="utf-8")
    out = tmp_path / "graded.jsonl"
    args = ["grade", "--responses", str(source), "--out", str(out)]
    for suite in SUITES:
        args += ["--suite", suite]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1  # the stray row
    assert "capitals/NOPE" in result.output and "regraded 16 run row(s); 4 label(s)" in \
        result.output
    graded = [json.loads(line) for line in out.open(encoding="utf-8")]
    assert len(graded) == len(lines) + 1 and graded[-1]["label"] == "error"


def test_missing_suites_stop_the_command(tmp_path: Path) -> None:
    from halprobe.errors import UserError

    with pytest.raises(UserError, match="cannot load the suites"):
        _regrade(DATA / "responses.jsonl", ["/gone/suite.yaml"])


def test_an_item_line_takes_the_form_from_the_line(tmp_path: Path) -> None:
    """{"item": ..., "response": ..., "form": "obituary"}: graded as an obituary."""
    before = next(r for r in _rows() if r["item_id"].startswith("controls/living-nobel-128"))
    item = RunItems(None, SUITES).find(before)
    line = {"item": {"id": item.id, "question": item.question, "answer_type": "date",
                     "exists": False, "subject": item.subject},
            "response": before["response"]}
    path = tmp_path / "lines.jsonl"
    path.write_text(json.dumps(line) + "\n" + json.dumps({**line, "form": "obituary"}) + "\n",
                    encoding="utf-8")
    rows, _ = _regrade(path, [])
    assert [r["label"] for r in rows] == ["hallucinated", "non_answer"]  # no death stated


def test_sampled_answers_regrade_against_the_item_they_sample() -> None:
    """Rows of samples.jsonl (--samples, ids ID#sK) are found by their sample_of id."""
    path = DATA / "samples.jsonl"
    before = [json.loads(line)["label"] for line in path.open(encoding="utf-8")]
    rows, items = _regrade(path, ["capitals"])
    # the two that name no capital and decline nothing are non-answers now, and so is the
    # third ("I'm sure my AI assistant could have given a correct answer"), whose "I'm" an
    # older grader read as a city
    assert [r["label"] for r in rows] == ["hallucinated", "hallucinated", "non_answer",
                                          "non_answer", "non_answer", "correct", "correct",
                                          "correct"]
    assert before[2:5] == ["hallucinated", "abstained", "abstained"]
    assert (items.regraded, items.changed) == (8, 3)
