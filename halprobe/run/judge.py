"""Optional LM judge: a SimpleQA-style second opinion beside the deterministic grader.

Its verdicts are reported next to the matcher's (agreement, disagreements), never in place of
them (docs/metrics.md section 1). The prompt follows OpenAI simple-evals' SimpleQA grader,
shortened so that small local models can follow it.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from halprobe.backends.base import Backend
from halprobe.run.runner import Runner
from halprobe.store.cache import ResponseCache
from halprobe.store.rundir import RunDir
from halprobe.types import AnswerType, DecodingParams, Grade, Label, Message, ProbeItem

JUDGE_TEMPLATE = """\
Grade a predicted answer against the gold target. Reply with one letter.
A: CORRECT - the answer states the gold target (or an accepted alias) and contradicts nothing.
B: INCORRECT - the answer states something that contradicts the gold target, or gives a \
specific answer when the gold target says no answer exists. Hedged guesses count.
C: NOT_ATTEMPTED - the answer declines, says it does not know, or says no such thing exists, \
without committing to a specific answer.

Question: {question}
Gold target: {gold}
Predicted answer: {response}

Grade (A, B or C):"""

VERDICTS = {"A": "correct", "B": "hallucinated", "C": "abstained"}
_VERDICT = re.compile(r"\b(A|B|C|CORRECT|INCORRECT|NOT_ATTEMPTED)\b")
_WORDS = {"CORRECT": "A", "INCORRECT": "B", "NOT_ATTEMPTED": "C"}
COMPARABLE = ("correct", "hallucinated", "abstained")


def gold_text(row: dict[str, Any]) -> str:
    """What the judge is told the right answer is, including every accepted alias."""
    if row.get("exists") is False:
        return "None: this does not exist (or the person is alive); only declining is right."
    aliases = [a for a in row.get("aliases") or [] if a != row.get("gold")]
    extra = f" (also accepted: {', '.join(aliases)})" if aliases else ""
    return f"{row.get('gold')}{extra}"


def judge_messages(row: dict[str, Any]) -> list[Message]:
    text = JUDGE_TEMPLATE.format(question=row["question"], gold=gold_text(row),
                                 response=row.get("response") or "")
    return [Message("user", text)]


def parse_verdict(text: str) -> str | None:
    """The first verdict letter or word in the judge's reply, as a halprobe label."""
    match = _VERDICT.search(text.upper())
    if match is None:
        return None
    token = match.group(1)
    return VERDICTS[_WORDS.get(token, token)]


@dataclass(frozen=True)
class Agreement:
    rate: float
    compared: int
    confusion: pd.DataFrame
    disagreements: pd.DataFrame


def judge_rows(rows: Sequence[dict[str, Any]], backend: Backend, cache: ResponseCache,
               show_progress: bool = False) -> list[dict[str, Any]]:
    """Each row with `judge_label` (None when the reply had no verdict or the backend failed)
    and `judge_raw`. The judge is asked through the Runner, like any probe: cached (a rerun
    asks nothing twice), retried, concurrent where the backend allows, with a progress bar."""
    prompts = {f"judge/{n}": judge_messages(row) for n, row in enumerate(rows)}
    items = [ProbeItem(key, "judge", prompt[0].content, None, (), AnswerType.ENTITY)
             for key, prompt in prompts.items()]
    with tempfile.TemporaryDirectory(prefix="halprobe-judge-") as tmp:
        verdicts = RunDir(Path(tmp), rows_name="judge.jsonl")
        Runner(backend, cache, verdicts, DecodingParams(max_tokens=8),
               lambda item: prompts[item.id], _verdict_grade,
               show_progress=show_progress).run(items)
        found = {row["item_id"]: row for row in verdicts.read_rows()}
    out = []
    for key, row in zip(prompts, rows, strict=True):
        asked = found[key]
        label = asked["label"] if asked["label"] in COMPARABLE else None
        out.append({**row, "judge_label": label, "judge_raw": asked["response"]})
    return out


def _verdict_grade(item: ProbeItem, text: str) -> Grade:
    verdict = parse_verdict(text)
    if verdict is None:
        return Grade(Label.UNSCORED, None, "the judge's reply has no verdict")
    return Grade(Label(verdict), None, "LM judge")


def agreement(rows: Iterable[dict[str, Any]]) -> Agreement:
    """Agreement of judge and matcher on rows where both gave a comparable label."""
    frame = pd.DataFrame(list(rows))
    if "label" in frame:  # the judge's "not attempted" (C) covers declines and non-answers alike
        frame["label"] = frame["label"].replace({"non_answer": "abstained"})
    both = frame[frame["label"].isin(COMPARABLE) & frame["judge_label"].isin(COMPARABLE)]
    confusion = pd.crosstab(both["label"], both["judge_label"], rownames=["matcher"],
                            colnames=["judge"])
    agree = both["label"] == both["judge_label"]
    rate = float(agree.mean()) if len(both) else float("nan")
    columns = [c for c in ("item_id", "question", "response", "label", "judge_label")
               if c in both]
    return Agreement(rate, len(both), confusion, both.loc[~agree, columns])
