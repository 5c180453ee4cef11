"""The items and prompts a harness asks: the same as `halprobe eval` would ask.

Both harness integrations go through here, so a suite run in inspect_ai or lm-evaluation-harness
samples the same items (``suites.sample`` with the same per-bin count and seed) and sends the
same messages (``pipeline.prompt_builder``) as ``halprobe eval --suite S --per-bin N --seed K``;
that is what makes an imported run comparable with a native one item by item.

Each harness record carries a ``suite_ref`` (the built-in suite's name, or the path of a user's
suite.yaml) and the item id; on import the item is loaded again from its suite and graded with
halprobe's grader, so grading never depends on what a harness file says the gold answer is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from halprobe.errors import UserError
from halprobe.suites import Suite, load, sample
from halprobe.suites.registry import builtin_root
from halprobe.types import Message, ProbeItem

# "chat": the suite's system and user messages through the model's chat template (what
# halprobe asks an instruct model). Completion prompts for base models join here.
PROMPT_STYLES = ("chat",)


@dataclass(frozen=True)
class Plan:
    """One suite's sampled items, as a harness task asks them."""

    suite: Suite
    items: list[ProbeItem]
    suite_ref: str
    prompt_style: str

    def messages(self, item: ProbeItem) -> list[Message]:
        # imported here: inspect loads this module at every start, the pipeline only on use
        from halprobe.run.pipeline import prompt_builder

        return prompt_builder([self.suite])(item)

    def metadata(self, item: ProbeItem) -> dict[str, Any]:
        """What a harness keeps beside each sample: enough to find the item again and to
        group metrics by frequency bin."""
        return {"item_id": item.id, "suite": item.suite, "suite_ref": self.suite_ref,
                "bin": item.bin, "answer_type": str(item.answer_type), "exists": item.exists,
                "popularity": item.popularity, "prompt_style": self.prompt_style}


def check_style(prompt_style: str) -> None:
    if prompt_style not in PROMPT_STYLES:
        raise UserError(f"prompt_style {prompt_style!r} is not available; choose one of "
                        f"{', '.join(PROMPT_STYLES)}")


def suite_ref(suite: Suite) -> str:
    """The built-in suite's name, else the absolute path of its suite.yaml."""
    builtin = builtin_root() / suite.name / "suite.yaml"
    if builtin.is_file() and builtin.resolve() == suite.spec.path.resolve():
        return suite.name
    return str(suite.spec.path.resolve())


def plan(suite: str, per_bin: int | None = 8, seed: int = 0, limit: int | None = None,
         prompt_style: str = "chat") -> Plan:
    """The items `halprobe eval --suite SUITE --per-bin N --seed K --limit L` would ask."""
    check_style(prompt_style)
    for name, value in (("per_bin", per_bin), ("limit", limit)):
        if value is not None and value < 1:
            raise UserError(f"{name} must be a positive integer, got {value}")
    loaded = load([suite])[0]
    return Plan(loaded, sample(loaded.items, per_bin, limit, seed), suite_ref(loaded),
                prompt_style)


@cache
def _suite_items(ref: str) -> dict[str, ProbeItem]:
    return {i.id: i for i in load([ref])[0].items}


def load_suites(refs: Iterable[str]) -> list[Suite]:
    return load(sorted(set(refs)))


def find_item(ref: str, item_id: str, where: str) -> ProbeItem:
    """The probe item a harness record answered; a one-line error naming the record if the
    suite or the item is not there."""
    try:
        items = _suite_items(ref)
    except UserError as exc:
        raise UserError(f"{where}: cannot load suite {ref!r}: {str(exc).splitlines()[0]}"
                        ) from None
    if item_id not in items:
        raise UserError(f"{where}: item {item_id!r} is not in suite {ref!r} (a different "
                        "version of the suite?)")
    return items[item_id]
