"""`--model mock:FILE`: answers from a file, through the same registry, runner and grader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from halprobe.backends import create
from halprobe.errors import UserError
from halprobe.types import DecodingParams, Message
from tests.conftest import run_cli

ANSWERS = """\
default: I don't know.
answers:
  France: The capital of France is Paris.
  Japan: The capital of Japan is Osaka.
"""


def test_first_key_in_the_last_message_else_the_default(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(ANSWERS)
    backend = create(f"mock:{tmp_path / 'a.yaml'}")
    prompts = [[Message("system", "Japan"), Message("user", "What is the capital of France?")],
               [Message("user", "What is the capital of Japan?")],
               [Message("user", "What is the capital of Peru?")]]
    texts = [g.text for g in backend.generate(prompts, DecodingParams())]
    assert texts == ["The capital of France is Paris.", "The capital of Japan is Osaka.",
                     "I don't know."]
    assert backend.fingerprint()["backend"] == "mock"
    assert backend.generate([prompts[2]], DecodingParams())[0].token_logprobs is None


def test_a_bad_file_or_an_option_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("answers: [1, 2]\n")
    with pytest.raises(UserError, match=r"bad.yaml: expected a mapping with 'answers:'"):
        create(f"mock:{tmp_path / 'bad.yaml'}")
    with pytest.raises(UserError, match="the mock backend has no option 'n_threads'"):
        create("mock:idk", {"n_threads": 2})
    with pytest.raises(UserError, match="cannot read mock answers file"):
        create(f"mock:{tmp_path / 'missing.yaml'}")


def test_eval_with_the_mock_model_grades_its_answers(tmp_path: Path) -> None:
    """Two capitals asked: Paris is correct, Osaka (for Tokyo) hallucinated; every other
    item gets the default decline."""
    (tmp_path / "a.yaml").write_text(ANSWERS)
    out = tmp_path / "run"
    done = run_cli("eval", "--model", f"mock:{tmp_path / 'a.yaml'}", "--suite", "capitals",
                   "--all", "--out", str(out), "--results", str(tmp_path), "--no-progress")
    assert done.returncode == 0, done.stderr
    rows = {r["item_id"]: r for r in map(json.loads, (out / "responses.jsonl").open())}
    france = next(r for r in rows.values() if r["gold"] == "Paris")
    japan = next(r for r in rows.values() if r["gold"] == "Tokyo")
    assert (france["label"], japan["label"]) == ("correct", "hallucinated")
    assert {r["label"] for r in rows.values() if r["gold"] not in ("Paris", "Tokyo")} \
        == {"abstained"}


def test_choices_with_a_backend_that_cannot_score_stops_before_asking(tmp_path: Path) -> None:
    """`eval --choices` checks the backend can score before any answer is asked: one line,
    exit 2, no run directory left behind."""
    (tmp_path / "a.yaml").write_text(ANSWERS)
    out = tmp_path / "run"
    done = run_cli("eval", "--model", f"mock:{tmp_path / 'a.yaml'}", "--suite", "capitals",
                   "--per-bin", "1", "--choices", "2", "--out", str(out), "--results",
                   str(tmp_path), "--no-progress")
    assert done.returncode == 2
    assert "--choices: this backend cannot score given answers" in done.stderr
    assert "Traceback" not in done.stderr and not out.exists()
