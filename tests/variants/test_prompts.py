"""Completion prompts for base models: shots outside the sample, fixed by the seed, exact text."""

from __future__ import annotations

import pytest

from halprobe.errors import UserError
from halprobe.types import AnswerType, Capabilities, ProbeItem
from halprobe.variants.prompts import (
    Shots,
    check_shots,
    choose_shots,
    completion_builder,
    completion_prompt,
    option_text,
    resolve_style,
)


def _item(code: str, country: str, capital: str | None, suite: str = "capitals",
          **meta: str) -> ProbeItem:
    return ProbeItem(f"{suite}/{code}", suite, f"What is the capital of {country}?", capital,
                     (capital,) if capital else (), AnswerType.ENTITY, exists=bool(capital),
                     meta=dict(meta))


POOL = [_item("FRA", "France", "Paris"), _item("JPN", "Japan", "Tokyo"),
        _item("PER", "Peru", "Lima"), _item("KEN", "Kenya", "Nairobi"),
        _item("MNG", "Mongolia", "Ulaanbaatar")]
CONTROL = _item("ALU", "Alurea", None, suite="controls", mimics="capitals")


def test_shots_never_include_an_asked_item_and_follow_the_seed() -> None:
    asked = POOL[:2]
    shots = choose_shots(POOL, asked, k=2, seed=0)
    chosen = shots.ids()["capitals"]
    assert len(chosen) == 2 and not {"capitals/FRA", "capitals/JPN"} & set(chosen)
    assert choose_shots(POOL, asked, k=2, seed=0).ids() == shots.ids()
    seeds = {tuple(choose_shots(POOL, asked, k=2, seed=s).ids()["capitals"]) for s in range(8)}
    assert len(seeds) > 1  # three candidates, two places: the seed decides which


def test_completion_prompt_text() -> None:
    shots = Shots({"capitals": (POOL[2], POOL[3])})
    assert completion_prompt(POOL[0], shots) == (
        "Q: What is the capital of Peru?\nA: Lima\n\n"
        "Q: What is the capital of Kenya?\nA: Nairobi\n\n"
        "Q: What is the capital of France?\nA:")
    [message] = completion_builder(shots)(CONTROL)
    assert message.role == "completion"
    assert message.content.startswith("Q: What is the capital of Peru?")  # the mimicked suite's
    assert message.content.endswith("Q: What is the capital of Alurea?\nA:")
    assert option_text("Paris") == " Paris\n"  # the answer, then the end of its line


def test_controls_alone_have_no_examples_to_show() -> None:
    shots = choose_shots([CONTROL], [CONTROL], k=3, seed=0)
    with pytest.raises(UserError, match="controls mimic"):
        check_shots(shots, [CONTROL], 3)
    check_shots(shots, [CONTROL], 0)  # zero shots asked: nothing missing


def test_auto_style_follows_the_chat_template() -> None:
    base = Capabilities(logprobs=True, chat_template=False)
    instruct = Capabilities(logprobs=True)
    assert resolve_style("auto", base) == "completion"
    assert resolve_style("auto", instruct) == "chat"
    assert resolve_style("completion", instruct) == "completion"
    with pytest.raises(UserError, match="no chat template"):
        resolve_style("chat", base)
    with pytest.raises(UserError, match="must be one of"):
        resolve_style("fewshot", instruct)
