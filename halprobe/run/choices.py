"""`eval --choices K`: teacher-forced scoring of the gold answer and K distractors per item.

The distractors are answers of other items of the same suite and answer type (other capitals,
other papers' authors, other death dates), never an alias of the gold, drawn by the run's seed
and the item's id. Each option is scored as the model would write it after the run's own
prompt (prompts.option_text for a completion prompt: " Paris" and the end of the answer
line; the bare answer for a chat prompt). One row an item goes to choices.jsonl; the figures
(analysis/choice.py) come from there. Scores are not cached: scoring costs one forward pass an
option over a reused prompt prefix, about what reading the cache would.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from halprobe.analysis.choice import CHOICES_FILE
from halprobe.backends.base import BackendError
from halprobe.errors import UserError
from halprobe.types import NATIVE_WEIGHTS, Message, ProbeItem, ScoreRequest, completion_text
from halprobe.variants.plan import base_suite
from halprobe.variants.prompts import option_text

CHUNK = 256  # requests handed to the backend at once (llama.cpp groups them by its streams)


def _key(answer: str) -> str:
    return " ".join(answer.casefold().split())


def distractors(item: ProbeItem, pool: Sequence[ProbeItem], k: int, seed: int) -> list[str]:
    """k answers of the same kind as the item's gold, none of them one of its aliases; from
    the suite it was loaded from (a variant's suite, ``capitals@idk``, holds no pool items)."""
    gold = {_key(a) for a in (item.answer or "", *item.aliases)}
    suite = base_suite(item)
    seen: dict[str, str] = {}
    for other in pool:
        if (other.suite == suite and other.answer_type == item.answer_type
                and other.exists and other.answer and _key(other.answer) not in gold):
            seen.setdefault(_key(other.answer), other.answer)
    candidates = sorted(seen.values())
    # seeded by the suite item's id: its variants are offered the same options
    base_id = item.variant.base_id or item.id
    return random.Random(f"{seed}:{base_id}").sample(candidates, min(k, len(candidates)))


def plan(items: Sequence[ProbeItem], pool: Sequence[ProbeItem], k: int,
         seed: int) -> list[tuple[ProbeItem, list[str]]]:
    """(item, options with the gold first) for every item with a gold and a distractor."""
    planned = []
    for item in items:
        if item.exists and item.answer:
            wrong = distractors(item, pool, k, seed)
            if wrong:
                planned.append((item, [item.answer, *wrong]))
    return planned


def _continuation(prompt: Sequence[Message], answer: str) -> str:
    return option_text(answer) if completion_text(prompt) is not None else answer


def check_scoring(backend: Any) -> None:
    """Before anything is asked: a backend that cannot score given answers is a UserError
    (a server is asked once whether its echoed log-probs can be used, where the backend
    has such a check), so `eval --choices` fails at its start, not after the answers."""
    if not getattr(backend.capabilities, "scoring", False):
        raise UserError("--choices: this backend cannot score given answers (teacher "
                        "forcing needs llamacpp:, hf:, the default model, or an openai: "
                        "server that echoes prompt log-probs)")
    check = getattr(backend, "check_scoring", None)
    if check is not None:
        try:
            check()
        except BackendError as exc:
            raise UserError(f"--choices: {exc}") from None


def run_choices(backend: Any, run_dir: Path, items: Sequence[ProbeItem],
                pool: Sequence[ProbeItem], k: int, seed: int,
                prompt_fn: Callable[[ProbeItem], list[Message]]) -> int:
    """Score every planned item's options; write choices.jsonl; return how many items."""
    check_scoring(backend)
    planned = plan(items, pool, k, seed)
    rows: list[dict[str, Any]] = []
    # scores from a float copy of the weights say so: Mis does not mix them with samples
    weights = getattr(backend.capabilities, "score_weights", NATIVE_WEIGHTS)
    apart = {} if weights == NATIVE_WEIGHTS else {"score_weights": weights}
    always_whole = getattr(backend.capabilities, "scores_whole_answers", False)
    for start in range(0, len(planned), CHUNK):
        chunk = planned[start:start + CHUNK]
        requests = []
        for item, options in chunk:
            prompt = tuple(prompt_fn(item))
            requests.append(ScoreRequest(prompt, tuple(_continuation(prompt, o)
                                                       for o in options)))
        whole = [always_whole or completion_text(r.prompt) is not None for r in requests]
        try:
            scores = backend.score(requests)
        except BackendError as exc:  # a server refusing, a chat prompt sent to /completions
            raise UserError(f"--choices: {exc}") from None
        for (item, options), scored, is_whole in zip(chunk, scores, whole, strict=True):
            rows.append({"item_id": item.id, "suite": item.suite, "bin": item.bin,
                         "options": options, "gold_index": 0,
                         "logprobs": list(scored.logprobs), "n_tokens": list(scored.n_tokens),
                         "whole_answer": is_whole, **apart})
    with (run_dir / CHOICES_FILE).open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)
