"""Answer, then verify: a prompt whose transform has a follow-up turn is asked in two turns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from halprobe.types import FOLLOWUP_ROLE, Generation, Message, ProbeItem


class FollowupBackend:
    """Wraps a backend so a prompt ending in a follow-up turn gets two turns: the answer, then
    the follow-up with the answer in context. The second reply is the answer that is graded;
    the first is kept as ``first_text`` (the row's ``first_response``: what the check
    changed); token counts are summed, tokens and log-probs are the second reply's."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.capabilities = inner.capabilities

    def fingerprint(self) -> dict[str, Any]:
        return dict(self.inner.fingerprint())

    def close(self) -> None:
        self.inner.close()

    def generate(self, prompts: Sequence[Sequence[Message]], params: Any) -> list[Generation]:
        firsts = [[m for m in p if m.role != FOLLOWUP_ROLE] for p in prompts]
        gens = list(self.inner.generate(firsts, params))
        todo = [n for n, p in enumerate(prompts) if p and p[-1].role == FOLLOWUP_ROLE]
        if not todo:
            return gens
        seconds = [[*firsts[n], Message("assistant", gens[n].text),
                    Message("user", prompts[n][-1].content)] for n in todo]
        for n, second in zip(todo, self.inner.generate(seconds, params), strict=True):
            gens[n] = _joined(gens[n], second)
        return gens


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _joined(first: Generation, second: Generation) -> Generation:
    return replace(second, prompt_tokens=_add(first.prompt_tokens, second.prompt_tokens),
                   completion_tokens=_add(first.completion_tokens, second.completion_tokens),
                   first_text=first.text)


def with_followups(backend: Any, items: Sequence[ProbeItem]) -> Any:
    """The backend, wrapped when some item's transform has a follow-up turn."""
    needs = any(i.variant.transform is not None and i.variant.transform.followup
                for i in items)
    return FollowupBackend(backend) if needs else backend
