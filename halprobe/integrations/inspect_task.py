"""halprobe's suites as inspect_ai tasks, its grader as an inspect scorer, per-bin metrics.

`inspect eval halprobe/capitals --model ... -T per_bin=8 -T seed=0 -T prompt_style=chat` asks
the items and messages `halprobe eval --suite capitals --per-bin 8 --seed 0` asks (items.py),
greedy, with halprobe's answer length (48 tokens). Each sample keeps the item id, suite, bin
and proxy value in its metadata; the scorer grades with ``variants.grading.grade_item`` and gives
the label itself as the score value ("correct", "hallucinated", "abstained", "vague", ...), with
halprobe's ``reason`` and ``matched`` span in the score metadata. The metrics are the rate of
each label, for all samples and per frequency bin (inspect's ``grouped`` on the ``bin``
metadata): what inspect has no notion of, "I don't know" apart from a false answer, by how
rare the fact is. `halprobe import inspect LOG` then gives halprobe's full analysis.

This module imports inspect_ai: it is loaded by inspect (through the ``inspect_ai`` entry
point, inspect_registry.py) or by a user who has the extra installed.
"""

from __future__ import annotations

from typing import Any

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
)
from inspect_ai.scorer import (
    Metric,
    SampleScore,
    Score,
    Scorer,
    Target,
    grouped,
    metric,
    scorer,
)
from inspect_ai.solver import TaskState, generate

from halprobe.integrations.items import Plan, find_item, plan
from halprobe.types import Message

MAX_TOKENS = 48  # halprobe eval's --max-tokens default
BIN_KEY = "bin"


def _chat_message(message: Message) -> ChatMessage:
    kinds: dict[str, type[ChatMessage]] = {"system": ChatMessageSystem,
                                           "user": ChatMessageUser,
                                           "assistant": ChatMessageAssistant}
    return kinds[message.role](content=message.content)


def samples(p: Plan) -> list[Sample]:
    return [Sample(id=item.id, input=[_chat_message(m) for m in p.messages(item)],
                   target=item.answer or "", metadata=p.metadata(item))
            for item in p.items]


def suite_task(suite: str, per_bin: int | None = 8, seed: int = 0, prompt_style: str = "chat",
               limit: int | None = None, max_tokens: int = MAX_TOKENS) -> Task:
    """An inspect Task for one halprobe suite (a built-in name or a suite.yaml path)."""
    p = plan(suite, per_bin, seed, limit, prompt_style)
    return Task(dataset=MemoryDataset(samples(p), name=f"halprobe_{p.suite.name}"),
                solver=generate(), scorer=halprobe_grader(),
                epochs=Epochs(1, "mode"),  # labels are categories: several epochs keep the mode
                config=GenerateConfig(max_tokens=max_tokens, temperature=0.0, seed=seed),
                metadata={"halprobe_suite": p.suite_ref, "per_bin": per_bin, "seed": seed,
                          "prompt_style": prompt_style, "limit": limit,
                          "suite_version": p.suite.spec.version,
                          "suite_digest": p.suite.spec.digest})


@task
def capitals(per_bin: int | None = 8, seed: int = 0, prompt_style: str = "chat",
             limit: int | None = None, max_tokens: int = MAX_TOKENS) -> Task:
    """Capitals of countries and territories, by population bin."""
    return suite_task("capitals", per_bin, seed, prompt_style, limit, max_tokens)


@task
def papers(per_bin: int | None = 8, seed: int = 0, prompt_style: str = "chat",
           limit: int | None = None, max_tokens: int = MAX_TOKENS) -> Task:
    """Authors of papers, by citation-count bin."""
    return suite_task("papers", per_bin, seed, prompt_style, limit, max_tokens)


@task
def obituaries(per_bin: int | None = 8, seed: int = 0, prompt_style: str = "chat",
               limit: int | None = None, max_tokens: int = MAX_TOKENS) -> Task:
    """Death dates of people, by page-view bin."""
    return suite_task("obituaries", per_bin, seed, prompt_style, limit, max_tokens)


@task
def controls(per_bin: int | None = 8, seed: int = 0, prompt_style: str = "chat",
             limit: int | None = None, max_tokens: int = MAX_TOKENS) -> Task:
    """Questions about things that do not exist: only abstaining is right."""
    return suite_task("controls", per_bin, seed, prompt_style, limit, max_tokens)


@task
def suite(path: str, per_bin: int | None = 8, seed: int = 0, prompt_style: str = "chat",
          limit: int | None = None, max_tokens: int = MAX_TOKENS) -> Task:
    """Any suite: `-T path=my_suite/suite.yaml` (a user's suite, no code change)."""
    return suite_task(path, per_bin, seed, prompt_style, limit, max_tokens)


def _rate(label: str) -> Metric:
    def rate(scores: list[SampleScore]) -> float:
        return sum(s.score.value == label for s in scores) / len(scores) if scores else 0.0

    return rate


@metric
def hallucination_rate() -> Metric:
    """hallucinated / all items (docs/metrics.md 1)."""
    return _rate("hallucinated")


@metric
def abstention_rate() -> Metric:
    """Declines ("I don't know") / all items (docs/metrics.md 1)."""
    return _rate("abstained")


@metric
def accuracy() -> Metric:
    """correct / all items (docs/metrics.md 1)."""
    return _rate("correct")


@metric
def non_answer_rate() -> Metric:
    """Neither an answer of the asked kind nor a decline (docs/metrics.md 1)."""
    return _rate("non_answer")


@metric
def vague_rate() -> Metric:
    """Consistent with the gold but less precise than asked (docs/metrics.md 1)."""
    return _rate("vague")


def _by_bin(m: Metric, name: str) -> Metric:
    """``name`` over all samples, ``name_bin0`` ... per frequency bin (0 = rarest)."""
    return grouped(m, BIN_KEY, name_template=f"{name}_bin{{group_name}}", all_label=name)


@scorer(metrics=[_by_bin(hallucination_rate(), "hallucination_rate"),
                 _by_bin(abstention_rate(), "abstention_rate"), _by_bin(accuracy(), "accuracy"),
                 _by_bin(non_answer_rate(), "non_answer_rate"),
                 _by_bin(vague_rate(), "vague_rate")])
def halprobe_grader() -> Scorer:
    """halprobe's typed grader: the label as the value; reason and matched in metadata."""

    async def score(state: TaskState, target: Target) -> Score:
        from halprobe.variants.grading import (
            grade_item,  # the grader's tables load on first use, not at start
        )

        meta: dict[str, Any] = state.metadata
        item = find_item(str(meta["suite_ref"]), str(meta["item_id"]), f"sample {state.sample_id}")
        text = state.output.completion
        verdict = grade_item(item, text)
        return Score(value=str(verdict.label), answer=text, explanation=verdict.reason,
                     metadata={"reason": verdict.reason, "matched": verdict.matched})

    return score
