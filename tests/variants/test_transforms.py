"""Prompt transforms as data: the confidence-target text, user YAML, variants as distinct rows,
the follow-up turn, and `halprobe eval --targets / --prompt-transform / --prompt-form`."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from halprobe.cli import app
from halprobe.errors import UserError
from halprobe.run.followup import FollowupBackend, with_followups
from halprobe.run.pipeline import EvalOptions, EvalResult, prompt_builder, run_eval
from halprobe.scoring import grade
from halprobe.suites import load_suite
from halprobe.types import FOLLOWUP_ROLE, DecodingParams, Message, Transform
from halprobe.variants.grading import grade_item
from halprobe.variants.plan import apply, config_entries, plan, variant_item
from halprobe.variants.transforms import (
    builtins,
    load_file,
    parse_targets,
    resolve,
    target,
)
from tests.conftest import write_suite
from tests.scoring.conftest import capital
from tests.test_tune_prompt import ScriptedBackend, six_suite

PARIS = capital("France", "Paris")
DEATHS_YAML = """\
name: d
version: 0.1.0
prompt: {template: "{question} Answer in one sentence."}
bins: {explicit: true}
"""


@pytest.mark.parametrize(("t", "shown", "penalty"), [
    (0.0, "> 0 confident", "penalized 0 points"), (0.5, "> 0.5 confident", "penalized 1 point"),
    (0.75, "> 0.75 confident", "penalized 3 points"), (0.9, "> 0.9 confident",
                                                        "penalized 9 points")])
def test_target_text_states_t_and_the_penalty(t: float, shown: str, penalty: str) -> None:
    suffix = target(t).suffix
    assert shown in suffix and penalty in suffix and target(t).target == t
    assert suffix.endswith("while correct answers receive 1 point, and an answer of "
                           "\"I don't know\" receives 0 points.")


def test_parse_targets() -> None:
    assert parse_targets("0,0.5,0.75,0.9") == (0.0, 0.5, 0.75, 0.9)
    for bad in ("1", "0.5,0.5", "x", "", "-0.1"):
        with pytest.raises(UserError):
            parse_targets(bad)


def test_apply_adds_system_prefix_suffix_and_followup() -> None:
    t = Transform("t", system="Be careful.", prefix="Q:", suffix="Be brief.", followup="Sure?")
    out = t.apply([Message("user", "What is the capital of France?")])
    assert out == [Message("system", "Be careful."),
                   Message("user", "Q: What is the capital of France? Be brief."),
                   Message(FOLLOWUP_ROLE, "Sure?")]
    kept = t.apply([Message("system", "You are kind."), Message("user", "Hi")])
    assert kept[0] == Message("system", "You are kind.\n\nBe careful.")


def test_user_transforms_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("transforms:\n  - name: cautious\n    system: You check facts.\n"
                    "    suffix: Say I don't know if unsure.\n", encoding="utf-8")
    found = load_file(path)
    assert found["cautious"] == Transform("cautious", system="You check facts.",
                                          suffix="Say I don't know if unsure.")
    assert resolve(["none", "cautious", "idk", "target-0.8"], path)[0] is None
    assert resolve(["target-0.8"])[0] == target(0.8)


@pytest.mark.parametrize(("text", "message"), [
    ("transforms: []\n", "expected 'transforms:'"),
    ("transforms:\n  - name: Bad Name\n    suffix: x\n", "'name' must be"),
    ("transforms:\n  - name: ok\n", "give at least one of"),
    ("transforms:\n  - name: ok\n    suffix: x\n    code: !!python/name:os.system\n",
     "not valid YAML"),
    ("transforms:\n  - name: ok\n    suffix: x\n    run: y\n", "unknown field 'run'"),
    ("transforms:\n  - name: idk\n    suffix: x\n", "already taken"),
])
def test_bad_transform_files_are_user_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=message):
        load_file(path)


def test_unknown_transform_names_the_known_ones() -> None:
    with pytest.raises(UserError, match=r"unknown prompt transform 'nope'.*idk"):
        resolve(["nope"])


def test_targets_make_distinct_rows_with_the_base_item() -> None:
    items = plan([PARIS], targets=(0.0, 0.75))
    assert [i.id for i in items] == ["capitals/France@target-0", "capitals/France@target-0.75"]
    assert {i.suite for i in items} == {"capitals@target-0", "capitals@target-0.75"}
    fields = items[1].variant.row_fields()
    assert fields["base_id"] == "capitals/France" and fields["base_suite"] == "capitals"
    assert fields["target"] == 0.75 and fields["transform"] is None
    assert plan([PARIS]) == [PARIS] and config_entries([PARIS]) == {}


def test_transform_times_target_composes() -> None:
    items = plan([PARIS], resolve(["none", "idk"]), (0.5,))
    assert [i.id.split("@")[1] for i in items] == ["target-0.5", "idk+target-0.5"]
    text = apply(items[1], [Message("user", "Q?")])[-1].content
    assert text.startswith("Q? If you are not sure") and "> 0.5 confident" in text


def test_a_target_answer_is_graded_like_any_answer() -> None:
    asked = variant_item(PARIS, target(0.9), None)
    for response in ("The capital of France is Paris.", "Lyon.", "I don't know."):
        assert grade_item(asked, response) == grade(PARIS, response)


def test_obituary_form_replaces_the_question_and_drops_other_items(tmp_path: Path) -> None:
    turing = {"id": "d/turing", "question": "On what date did Alan Turing die?",
              "answer": "1954-06-07", "answer_type": "date", "precision": "day",
              "subject": "Alan Turing", "bin": 0}
    suite = load_suite(write_suite(tmp_path / "d", [turing], yaml_text=DEATHS_YAML))
    items = plan([PARIS, *suite.items], form="obituary")
    assert [i.id for i in items] == ["d/turing@obituary"]
    assert prompt_builder([suite])(items[0]) == [Message("user", "Write a short obituary of "
                                                                 "Alan Turing.")]
    assert grade_item(items[0], "Alan Turing died on 7 June 1954.").label == "correct"
    assert grade_item(items[0], "Alan Turing (1912-1954) was a mathematician.").label == "vague"


def test_followup_backend_asks_a_second_turn() -> None:
    inner = ScriptedBackend()
    plain = [Message("user", "What is the capital of Peru?")]
    verify = builtins()["verify"].apply(plain)
    wrapped = with_followups(inner, [variant_item(PARIS, builtins()["verify"], None)])
    assert isinstance(wrapped, FollowupBackend) and with_followups(inner, [PARIS]) is inner
    first, second = wrapped.generate([plain, verify], DecodingParams())
    assert first.text == second.text == "The capital of Peru is Lima."
    assert second.completion_tokens == 10 and second.prompt_tokens == 20
    assert inner.prompts[-1][1] == Message("assistant", "The capital of Peru is Lima.")
    assert wrapped.fingerprint() == inner.fingerprint()


def test_eval_targets_writes_bcg_by_hand(tmp_path: Path) -> None:
    """The scripted model under targets 0 and .75: at t = 0 it answers all six (right in bin
    2 only): precision 2/6; at .75 it answers Peru, Kenya (right) and Malta (wrong):
    precision 2/3. BCG = max(0, 0 - 1/3) + max(0, .75 - 2/3) = 1/12. score_.75 =
    (2 - 3 x 1) / 6 = -1/6."""
    out = tmp_path / "run"
    result = run_eval(EvalOptions(suites=[str(six_suite(tmp_path / "s"))], per_bin=None,
                                  targets=(0.0, 0.75), out=out, results=tmp_path,
                                  progress=False), backend=ScriptedBackend())
    assert isinstance(result, EvalResult)
    table = pd.read_csv(out / "targets.csv", dtype={"bin": str})
    row = table[(table["bin"] == "all") & (table["target"] == 0.75)].iloc[0]
    assert row["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert row["score"] == pytest.approx(-1 / 6, abs=1e-4)
    assert row["bcg"] == pytest.approx(1 / 12, abs=1e-4)
    summary = pd.read_csv(out / "summary.csv")
    assert {"six@target-0", "six@target-0.75"} <= set(summary["suite"])
    config = json.loads((out / "config.json").read_text())
    assert set(config["transforms"]) == {"target-0", "target-0.75"}
    assert "targets" in result.tables


def test_eval_unknown_prompt_form_is_a_user_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--suite", str(six_suite(tmp_path / "s")),
                                      "--prompt-form", "poem", "--results", str(tmp_path)])
    assert isinstance(result.exception, UserError)
    assert "unknown prompt form 'poem'" in str(result.exception)


class DoubtingBackend(ScriptedBackend):
    """Answers like the scripted model, then doubts every answer it is asked to check."""

    @staticmethod
    def answer(prompt: list[Message]) -> str:
        if prompt[-1].content.startswith("Check your answer"):
            return "I don't know."
        return ScriptedBackend.answer(prompt)


def test_verify_rows_keep_the_first_answer(tmp_path: Path) -> None:
    """Answer, then verify: the row's response is the checked reply ("I don't know."), and
    first_response the answer before the check. Regrading the run labels both: the check
    turned 2 correct answers (bin 2) and 4 wrong ones into abstentions. A second run served
    from the cache keeps the first answers."""
    suite = six_suite(tmp_path / "s")
    for name in ("run", "again"):
        run_eval(EvalOptions(suites=[str(suite)], per_bin=None, prompt_transforms=["verify"],
                             out=tmp_path / name, results=tmp_path,
                             cache=tmp_path / "cache.sqlite", progress=False),
                 backend=DoubtingBackend())
        rows = [json.loads(line) for line in (tmp_path / name / "responses.jsonl").open()]
        assert {r["response"] for r in rows} == {"I don't know."}
        assert {r["label"] for r in rows} == {"abstained"}
        assert sorted(r["first_response"] for r in rows)[:2] == [
            "The capital of Barbados is Atlantis.", "The capital of Kenya is Nairobi."]
    assert all(r["cached"] for r in rows)
    graded = tmp_path / "graded.jsonl"
    result = CliRunner().invoke(app, ["grade", "--responses", str(tmp_path / "run" /
                                                                  "responses.jsonl"),
                                      "--suite", str(suite), "--out", str(graded)])
    assert result.exit_code == 0, result.output
    regraded = [json.loads(line) for line in graded.open()]
    firsts = sorted(r["first_label"] for r in regraded)
    assert firsts == ["correct"] * 2 + ["hallucinated"] * 4
    assert {r["label"] for r in regraded} == {"abstained"}


def test_followup_backend_keeps_the_first_reply() -> None:
    inner = DoubtingBackend()
    plain = [Message("user", "What is the capital of Peru?")]
    wrapped = FollowupBackend(inner)
    once, checked = wrapped.generate([plain, builtins()["verify"].apply(plain)],
                                     DecodingParams())
    assert once.first_text is None
    assert (checked.text, checked.first_text) == ("I don't know.",
                                                  "The capital of Peru is Lima.")
