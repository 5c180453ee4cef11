"""The variants of a run: every item under every prompt transform x confidence target, in a
prompt form, as the k-th sample (docs/metrics.md sections 5, 8).

Each item asked under a transform or prompt form is its own row: id ``ID@VARIANT``, suite
``SUITE@VARIANT`` (so summary.csv, the leaderboard and the regression gate keep the variants
apart), and its ``Variant`` (halprobe.types) writes ``base_id``, ``base_suite``, ``variant``,
``transform``, ``target`` and ``form`` to the row. The cache key holds the full prompt, so
variants never collide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace
from typing import Any

from halprobe.errors import UserError
from halprobe.types import AnswerType, Message, ProbeItem, Transform
from halprobe.variants.transforms import compose, target

# Prompt forms replace the question; only items with a person and a date can be asked so.
FORMS = {"obituary": "Write a short obituary of {subject}."}


def eligible(item: ProbeItem, form: str | None) -> bool:
    """Whether the item can be asked in this prompt form (any item when there is none)."""
    if form is None:
        return True
    if form not in FORMS:
        raise UserError(f"unknown prompt form {form!r}; known: {', '.join(FORMS)}")
    return item.answer_type is AnswerType.DATE and bool(item.subject)


def variant_item(item: ProbeItem, transform: Transform | None, form: str | None,
                 prompt_transform: Transform | None = None) -> ProbeItem:
    """The item asked under a transform and/or prompt form: a distinct id, suite and row."""
    variant = replace(item.variant, transform=transform, form=form,
                      prompt_transform=prompt_transform.name if prompt_transform else None,
                      base_id=item.id, base_suite=item.suite, kind=item.meta.get("kind"))
    if variant.name is None:
        return item
    question = FORMS[form].format(subject=item.subject) if form else item.question
    return replace(item, id=f"{item.id}@{variant.name}", suite=f"{item.suite}@{variant.name}",
                   question=question, variant=variant)


def plan(items: Sequence[ProbeItem], transforms: Sequence[Transform | None] = (),
         targets: Sequence[float] = (), form: str | None = None) -> list[ProbeItem]:
    """Every item under every (transform x target) combination, consecutive per item.

    With no transforms, targets or form the items come back unchanged.
    """
    goals: list[Transform | None] = [target(t) for t in targets] or [None]
    combos = [(compose(tr, goal), tr) for tr in (list(transforms) or [None]) for goal in goals]
    return [variant_item(item, combined, form, tr) for item in items
            if eligible(item, form) for combined, tr in combos]


def sample_item(item: ProbeItem, k: int) -> ProbeItem:
    """Item ``item`` as its k-th temperature-1 sample: own id, same prompt, rows that point
    back to it (``sample_of``, ``sample_index``)."""
    return replace(item, id=f"{item.id}#s{k}",
                   variant=replace(item.variant, sample_of=item.id, sample_index=k))


def base_suite(item: ProbeItem) -> str:
    """The suite an item (or a variant of it) was loaded from."""
    return item.variant.base_suite or item.suite


def apply(item: ProbeItem, messages: Sequence[Message]) -> list[Message]:
    """The item's prompt under its prompt form and transform (unchanged for plain items)."""
    out = list(messages)
    if item.variant.form:
        user_at = max(n for n, m in enumerate(out) if m.role == "user")
        out[user_at] = Message("user", item.question)  # the form replaces the suite template
    transform = item.variant.transform
    return transform.apply(out) if transform is not None else out


def as_asked(item: ProbeItem, row: Mapping[str, Any]) -> ProbeItem:
    """The item as a response row asked it: the row's prompt form and after-cutoff mark
    (written to every run row by its ``Variant``) on the suite's item, so ``grade_item``
    regrades the row with the grader the run used."""
    form = row.get("form") or item.variant.form
    if form is not None and form not in FORMS:
        raise UserError(f"unknown prompt form {form!r}; known: {', '.join(FORMS)}")
    after = bool(row.get("after_cutoff", item.variant.after_cutoff))
    question = FORMS[form].format(subject=item.subject) if form and item.subject else None
    return replace(item, id=str(row.get("item_id") or item.id),
                   suite=str(row.get("suite") or item.suite),
                   question=question or item.question,
                   variant=replace(item.variant, form=form, after_cutoff=after))


def config_entries(items: Sequence[ProbeItem],
                   knowledge_cutoff: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What the variants add to config.json (and its hash): transforms, forms, the cutoff
    (where some item is dated). Empty for a plain run, so its config hash is what it always
    was."""
    entries: dict[str, Any] = {}
    for item in items:
        transform = item.variant.transform
        if transform is not None:
            entries.setdefault("transforms", {})[transform.name] = asdict(transform)
        if item.variant.form:
            entries.setdefault("prompt_forms", {})[item.variant.form] = FORMS[item.variant.form]
        if knowledge_cutoff and item.variant.after_cutoff is not None:
            entries["knowledge_cutoff"] = dict(knowledge_cutoff)
    return entries


def row_item_id(row: Mapping[str, Any]) -> str:
    """The id of the probe item a response row answered: a variant's or a sample's base item
    (``base_id``, ``sample_of``), else the row's own ``item_id``."""
    return str(row.get("base_id") or row.get("sample_of") or row.get("item_id"))

