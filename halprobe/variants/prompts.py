"""Prompt styles: chat prompts for instruction-tuned models, few-shot completion prompts for
base (pretrained) models.

A base model has no chat template and does not follow instructions; it continues text. Asked
"Q: <question>\\nA:" after k solved examples of the same suite, it answers on one line, the
way lm-evaluation-harness asks base checkpoints. The shots are items of the suite that are NOT
in the run's sample (an answer shown in the prompt must never be the one graded), drawn by the
run's seed, and recorded in config.json and in the prompt hash. Grading is unchanged.

Control items (no true answer, docs/metrics.md 1) get the shots of the suite they mimic: the shots
show how an answer looks, never how to decline, so a base model that abstains does so itself.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from halprobe.errors import UserError
from halprobe.types import COMPLETION_ROLE, LINE_END, Capabilities, Message, ProbeItem

STYLES = ("chat", "completion", "auto")
DEFAULT_SHOTS = 3
SEPARATOR = "\n\n"  # between solved examples


def resolve_style(style: str, capabilities: Capabilities) -> str:
    """``auto``: chat where the model has a chat template, else completion."""
    if style not in STYLES:
        raise UserError(f"--prompt-style must be one of {', '.join(STYLES)}, not {style!r}")
    if style == "auto":
        return "chat" if capabilities.chat_template else "completion"
    if style == "chat" and not capabilities.chat_template:
        raise UserError("this model has no chat template (a base model): use "
                        "--prompt-style completion (or auto)")
    return style


def shot_suite(item: ProbeItem, answerable: set[str]) -> str:
    """Whose shots an item gets: its own suite's, or for controls the suite they mimic."""
    if item.suite in answerable:
        return item.suite
    return str(item.meta.get("mimics") or item.suite)


@dataclass(frozen=True)
class Shots:
    """The solved examples of each suite, in prompt order."""

    by_suite: dict[str, tuple[ProbeItem, ...]]

    def ids(self) -> dict[str, list[str]]:
        """What config.json records (and the prompt hash covers)."""
        return {suite: [i.id for i in items] for suite, items in sorted(self.by_suite.items())}


def choose_shots(pool: Iterable[ProbeItem], asked: Sequence[ProbeItem], k: int,
                 seed: int) -> Shots:
    """k answerable items per suite of ``pool`` outside ``asked``, fixed by the seed."""
    if k < 0:
        raise UserError(f"--shots must be 0 or more, got {k}")
    taken = {i.id for i in asked}
    candidates: dict[str, list[ProbeItem]] = {}
    for item in pool:
        if item.exists and item.answer and item.id not in taken:
            candidates.setdefault(item.suite, []).append(item)
    by_suite = {}
    for suite, items in sorted(candidates.items()):
        rng = random.Random(f"{seed}:{suite}")
        by_suite[suite] = tuple(rng.sample(sorted(items, key=lambda i: i.id),
                                           min(k, len(items))))
    return Shots(by_suite)


def check_shots(shots: Shots, asked: Sequence[ProbeItem], k: int) -> None:
    """Every asked item has its k examples (a controls-only run has none to show)."""
    needed = {shot_suite(i, set(shots.by_suite)) for i in asked}
    missing = sorted(needed - set(shots.by_suite))
    if k and missing:
        raise UserError(f"no solved examples for suite {missing[0]!r} (its items have no "
                        "answer): add the suite its controls mimic to --suite")


def question_line(item: ProbeItem) -> str:
    return f"Q: {item.question}\nA:"


def completion_prompt(item: ProbeItem, shots: Shots) -> str:
    """k solved examples, then the item's question, ending where the answer starts."""
    examples = shots.by_suite.get(shot_suite(item, set(shots.by_suite)), ())
    solved = "".join(f"{question_line(s)} {s.answer}{SEPARATOR}" for s in examples)
    return solved + question_line(item)


def completion_builder(shots: Shots) -> Callable[[ProbeItem], list[Message]]:
    """The runner's prompt function for completion style: one completion message an item."""

    def build(item: ProbeItem) -> list[Message]:
        return [Message(COMPLETION_ROLE, completion_prompt(item, shots))]

    return build


def option_text(answer: str) -> str:
    """A multiple-choice option as the model would write it after "A:" (teacher forcing):
    the answer, then the end of its line (scored as any token that starts a new line)."""
    return f" {answer}{LINE_END}"
