"""The LM judge: its prompt, its verdicts, and asking it through the Runner (cache, retries)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from halprobe.backends.base import BackendError
from halprobe.backends.mock import MockBackend
from halprobe.run.judge import agreement, judge_messages, judge_rows, parse_verdict
from halprobe.store import ResponseCache
from halprobe.types import Message

ROWS = [
    {"item_id": "c/FRA", "question": "What is the capital of France?", "gold": "Paris",
     "aliases": ["Paris"], "exists": True, "response": "Paris.", "label": "correct"},
    {"item_id": "c/BFA", "question": "What is the capital of Burkina Faso?",
     "gold": "Ouagadougou", "aliases": [], "exists": True, "response": "Bobo-Dioulasso.",
     "label": "hallucinated"},
    {"item_id": "c/XXX", "question": "What is the capital of Laoistan?", "gold": None,
     "aliases": [], "exists": False, "response": "I don't know.", "label": "abstained"},
    {"item_id": "c/PER", "question": "What is the capital of Peru?", "gold": "Lima",
     "aliases": [], "exists": True, "response": "Lima.", "label": "correct"},
]
# What the scripted judge replies to each predicted answer
REPLIES = {"Paris.": "A", "Bobo-Dioulasso.": "B: INCORRECT", "I don't know.": "C",
           "Lima.": "Hmm, hard to say."}


def judge_reply(prompt: list[Message]) -> str:
    answer = prompt[-1].content.split("Predicted answer: ")[1].split("\n")[0]
    return REPLIES[answer]


def test_prompt_names_the_gold_and_every_alias_or_that_none_exists() -> None:
    text = judge_messages({**ROWS[0], "aliases": ["Paris", "Lutetia"]})[0].content
    assert "Gold target: Paris (also accepted: Lutetia)" in text
    assert "only declining is right" in judge_messages(ROWS[2])[0].content
    assert (parse_verdict("b"), parse_verdict("NOT_ATTEMPTED."), parse_verdict("?")) == (
        "hallucinated", "abstained", None)


def test_verdicts_through_the_runner_are_cached(tmp_path: Path) -> None:
    """Three verdicts and one reply without a verdict (None, left out of the agreement);
    3 of 3 comparable rows agree. A second pass asks the judge nothing."""
    judge = MockBackend(answer_fn=judge_reply)
    cache = ResponseCache(tmp_path / "cache.sqlite")
    judged = judge_rows(ROWS, judge, cache)
    assert [j["judge_label"] for j in judged] == ["correct", "hallucinated", "abstained", None]
    assert judged[3]["judge_raw"] == "Hmm, hard to say."
    result = agreement(judged)
    assert (result.rate, result.compared) == (1.0, 3)
    again = judge_rows(ROWS, judge, cache)
    assert len(judge.prompts) == 4 and again == judged


def test_a_retryable_failure_is_retried(tmp_path: Path) -> None:
    failed: list[str] = []

    def flaky(prompt: list[Message]) -> str:
        if not failed:
            failed.append("once")
            raise BackendError("retryable", "server busy")
        return judge_reply(prompt)

    judged = judge_rows(ROWS[:1], MockBackend(answer_fn=flaky), ResponseCache(
        tmp_path / "cache.sqlite"))
    assert failed == ["once"] and judged[0]["judge_label"] == "correct"


def test_grade_cli_with_a_mock_judge(tmp_path: Path) -> None:
    """`halprobe grade --judge mock:FILE` prints the agreement: the judge calls every answer
    correct, so it agrees on the one correct row of two."""
    answers = tmp_path / "judge.yaml"
    answers.write_text("default: A\n")
    lines = tmp_path / "in.jsonl"
    lines.write_text(
        '{"item": {"id": "c/FRA", "suite": "capitals", "question": "What is the capital of '
        'France?", "answer": "Paris", "aliases": ["Paris"], "answer_type": "entity"}, '
        '"response": "Paris."}\n'
        '{"item": {"id": "c/JPN", "suite": "capitals", "question": "What is the capital of '
        'Japan?", "answer": "Tokyo", "aliases": ["Tokyo"], "answer_type": "entity"}, '
        '"response": "Osaka."}\n')
    done = subprocess.run([sys.executable, "-m", "halprobe.cli", "grade", "--responses", str(lines),
                           "--judge", f"mock:{answers}", "--cache",
                           str(tmp_path / "c.sqlite")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "agrees with the matcher on 50.0% of 2 comparable rows" in done.stderr
