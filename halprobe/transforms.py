"""Prompt transforms as data, and the variants of a run they make (docs/metrics.md sections 5, 8).

A transform changes how a probe is asked, never what is graded: it may add a system message,
text before or after the user's question, or a follow-up turn ("answer, then verify"), and
the answer is graded like any answer. Built-ins: the confidence-target instruction of the
2025 paper (section 5) for any t in [0, 1), "say I don't know if unsure", and answer-then-verify.
Users add their own in YAML (plain strings only, no code):

    transforms:
      - name: cautious
        description: a careful fact checker
        system: You are a careful fact checker.
        suffix: If you are unsure, say "I don't know".

Each item asked under a transform or prompt form is its own row: id ``ID@VARIANT``, suite
``SUITE@VARIANT`` (so summary.csv, the leaderboard and the regression gate keep the variants
apart), with ``base_id``, ``base_suite``, ``variant``, ``transform``, ``target`` and ``form``
written to every response row. The cache key holds the full prompt, so variants never collide.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from halprobe.analysis.rates import stratum_row
from halprobe.errors import UserError
from halprobe.types import AnswerType, Generation, Grade, Message, ProbeItem
from halprobe.yamlfile import read_yaml

TARGETS = (0.0, 0.5, 0.75, 0.9)
# The 2025 paper's wording (Kalai, Nachum, Vempala, Zhang, p.13-14), t and t/(1-t) filled in.
TARGET_TEXT = ("Answer only if you are > {t} confident, since mistakes are penalized {penalty} "
               "{points}, while correct answers receive 1 point, and an answer of \"I don't "
               "know\" receives 0 points.")
IDK_TEXT = "If you are not sure of the answer, say \"I don't know\"."
VERIFY_TEXT = ("Check your answer. If you are sure it is correct, state it again in one "
               "sentence. If you are not sure, reply only \"I don't know\".")
# Prompt forms replace the question; only items with a person and a date can be asked so.
FORMS = {"obituary": "Write a short obituary of {subject}."}
FOLLOWUP_ROLE = "followup"  # a pseudo-role: the second user turn, sent after the first answer
PLAIN = "none"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_FIELDS = {"name", "description", "system", "prefix", "suffix", "followup"}


@dataclass(frozen=True)
class Transform:
    """How to change a prompt; ``target`` is the confidence target t it states, if any."""

    name: str
    description: str = ""
    system: str | None = None
    prefix: str = ""
    suffix: str = ""
    followup: str | None = None
    target: float | None = None

    def apply(self, messages: Sequence[Message]) -> list[Message]:
        """The messages with this transform's system text, prefix, suffix and follow-up."""
        out = list(messages)
        if self.system:
            sys_at = next((n for n, m in enumerate(out) if m.role == "system"), None)
            if sys_at is None:
                out.insert(0, Message("system", self.system))
            else:
                out[sys_at] = Message("system", f"{out[sys_at].content}\n\n{self.system}")
        user_at = max(n for n, m in enumerate(out) if m.role == "user")
        text = " ".join(p for p in (self.prefix, out[user_at].content, self.suffix) if p)
        out[user_at] = Message("user", text)
        if self.followup:
            out.append(Message(FOLLOWUP_ROLE, self.followup))
        return out


def _num(value: float) -> str:
    return f"{round(value, 6):g}"


def target(t: float) -> Transform:
    """The confidence-target instruction for t (docs/metrics.md 5): penalty t/(1-t) per mistake."""
    if not 0 <= t < 1:
        raise UserError(f"a confidence target must be in [0, 1), got {t}")
    penalty = _num(t / (1 - t))
    text = TARGET_TEXT.format(t=_num(t), penalty=penalty,
                              points="point" if penalty == "1" else "points")
    return Transform(f"target-{_num(t)}", f"confidence target t = {_num(t)}", suffix=text,
                     target=t)


def builtins() -> dict[str, Transform]:
    """Built-in transforms by name (any other target-T also resolves, see ``resolve``)."""
    found = {t.name: t for t in map(target, TARGETS)}
    found["idk"] = Transform("idk", "say I don't know if unsure", suffix=IDK_TEXT)
    found["verify"] = Transform("verify", "answer, then verify in a second turn",
                                followup=VERIFY_TEXT)
    return found


def parse_targets(text: str) -> tuple[float, ...]:
    """'0,0.5,0.75,0.9' -> (0.0, 0.5, 0.75, 0.9); each in [0, 1), no repeats."""
    try:
        values = tuple(float(p) for p in text.split(",") if p.strip())
    except ValueError:
        raise UserError(f"--targets must be numbers separated by commas, got {text!r}") from None
    if not values or len(set(values)) < len(values) or not all(0 <= v < 1 for v in values):
        raise UserError(f"--targets must list distinct values in [0, 1), got {text!r}")
    return values


def load_file(path: Path) -> dict[str, Transform]:
    """User transforms from YAML; every problem is reported with the file and the entry."""
    data = read_yaml(path, "transforms file")
    entries = data.get("transforms") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise UserError(f"{path}: expected 'transforms:' with a list of transforms")
    found: dict[str, Transform] = {}
    problems = [p for n, e in enumerate(entries, 1) for p in _check(e, f"{path}: transform {n}")]
    if problems:
        raise UserError("\n".join(problems))
    for entry in entries:
        if entry["name"] in found or entry["name"] in builtins():
            raise UserError(f"{path}: transform name {entry['name']!r} is already taken")
        found[entry["name"]] = Transform(
            name=entry["name"], description=entry.get("description", ""),
            system=entry.get("system"), prefix=entry.get("prefix", ""),
            suffix=entry.get("suffix", ""), followup=entry.get("followup"))
    return found


def _check(entry: Any, where: str) -> list[str]:
    if not isinstance(entry, dict):
        return [f"{where}: expected a mapping with 'name' and what to add"]
    problems = [f"{where}: unknown field {k!r} (known: {sorted(_FIELDS)})"
                for k in entry if k not in _FIELDS]
    problems += [f"{where}: field {k!r} must be a string" for k, v in entry.items()
                 if not isinstance(v, str)]
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.match(name) or name == PLAIN:
        problems.append(f"{where}: 'name' must be lower case letters, digits, '.', '_' or '-' "
                        f"(and not {PLAIN!r}), got {name!r}")
    if not any(entry.get(k) for k in ("system", "prefix", "suffix", "followup")):
        problems.append(f"{where}: give at least one of system, prefix, suffix, followup")
    return problems


def resolve(names: Sequence[str], path: Path | None = None) -> list[Transform | None]:
    """Transforms by name ('none' is the plain prompt, as None); 'target-T' for any T."""
    known = {**builtins(), **(load_file(path) if path is not None else {})}
    chosen: list[Transform | None] = []
    for name in names:
        if name == PLAIN:
            chosen.append(None)
        elif name in known:
            chosen.append(known[name])
        elif name.startswith("target-"):
            chosen.append(target(_float(name.removeprefix("target-"), name)))
        else:
            raise UserError(f"unknown prompt transform {name!r}; known: "
                            f"{', '.join([PLAIN, *known])} (or target-T for any T in [0, 1))")
    return chosen


def _float(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise UserError(f"unknown prompt transform {name!r}") from None


def compose(first: Transform | None, second: Transform | None) -> Transform | None:
    """``first`` then ``second`` (a user transform under a confidence target)."""
    if first is None or second is None:
        return first or second
    systems = [s for s in (first.system, second.system) if s]
    return Transform(f"{first.name}+{second.name}", f"{first.description}; {second.description}",
                     "\n\n".join(systems) or None,
                     " ".join(p for p in (second.prefix, first.prefix) if p),
                     " ".join(p for p in (first.suffix, second.suffix) if p),
                     second.followup or first.followup,
                     second.target if second.target is not None else first.target)


# --- variants of a run ----------------------------------------------------------------------

ROW_FIELDS = "row_fields"  # item.meta key: extra columns the runner writes to the item's row


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
    parts = [p for p in (form, transform.name if transform else None) if p]
    if not parts:
        return item
    variant = "+".join(parts)
    fields = {"base_id": item.id, "base_suite": item.suite, "variant": variant,
              "transform": prompt_transform.name if prompt_transform else None,
              "target": transform.target if transform else None, "form": form,
              "kind": item.meta.get("kind")}
    question = FORMS[form].format(subject=item.subject) if form else item.question
    meta = {**item.meta, "transform": transform, "form": form,
            ROW_FIELDS: {**item.meta.get(ROW_FIELDS, {}), **fields}}
    return replace(item, id=f"{item.id}@{variant}", suite=f"{item.suite}@{variant}",
                   question=question, meta=meta)


def plan(items: Sequence[ProbeItem], transforms: Sequence[Transform | None] = (),
         targets: Sequence[float] = (), form: str | None = None) -> list[ProbeItem]:
    """Every item under every (transform x target) combination, consecutive per item.

    With no transforms, targets or form the items come back unchanged.
    """
    goals: list[Transform | None] = [target(t) for t in targets] or [None]
    combos = [(compose(tr, goal), tr) for tr in (list(transforms) or [None]) for goal in goals]
    return [variant_item(item, combined, form, tr) for item in items
            if eligible(item, form) for combined, tr in combos]


def base_suite(item: ProbeItem) -> str:
    """The suite an item (or a variant of it) was loaded from."""
    return str(item.meta.get(ROW_FIELDS, {}).get("base_suite") or item.suite)


def apply(item: ProbeItem, messages: Sequence[Message]) -> list[Message]:
    """The item's prompt under its prompt form and transform (unchanged for plain items)."""
    out = list(messages)
    if item.meta.get("form"):
        user_at = max(n for n, m in enumerate(out) if m.role == "user")
        out[user_at] = Message("user", item.question)  # the form replaces the suite template
    transform = item.meta.get("transform")
    return transform.apply(out) if isinstance(transform, Transform) else out


def as_asked(item: ProbeItem, row: Mapping[str, Any]) -> ProbeItem:
    """The item as a response row asked it: the row's prompt form and after-cutoff mark
    (written to every run row by ``variant_item`` and ``cutoff.mark``) on the suite's item,
    so ``grade_item`` regrades the row with the grader the run used."""
    form = row.get("form") or item.meta.get("form")
    if form is not None and form not in FORMS:
        raise UserError(f"unknown prompt form {form!r}; known: {', '.join(FORMS)}")
    after = bool(row.get("after_cutoff", item.meta.get("after_cutoff")))
    question = FORMS[form].format(subject=item.subject) if form and item.subject else None
    return replace(item, id=str(row.get("item_id") or item.id),
                   suite=str(row.get("suite") or item.suite),
                   question=question or item.question,
                   meta={**item.meta, "form": form, "after_cutoff": after})


def grade_item(item: ProbeItem, response: str) -> Grade:
    """``grade`` for every item; the obituary form's own grader for obituary items; and the
    after-cutoff regrade ("alive as far as I know" is right there, ``cutoff.regrade``)."""
    from halprobe.cutoff import regrade
    from halprobe.scoring import grade, obituary

    form = item.meta.get("form")
    verdict = obituary.grade(item, response) if form == "obituary" else grade(item, response)
    return regrade(item, response, verdict)


def config_entries(items: Sequence[ProbeItem]) -> dict[str, Any]:
    """What the variants add to config.json (and its hash): transforms, forms, the cutoff.
    Empty for a plain run, so its config hash is what it always was."""
    entries: dict[str, Any] = {}
    for item in items:
        transform = item.meta.get("transform")
        if isinstance(transform, Transform):
            entries.setdefault("transforms", {})[transform.name] = asdict(transform)
        if item.meta.get("form"):
            entries.setdefault("prompt_forms", {})[item.meta["form"]] = FORMS[item.meta["form"]]
        if item.meta.get("knowledge_cutoff"):
            entries["knowledge_cutoff"] = item.meta["knowledge_cutoff"]
    return entries


def form_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Rates of prompt-form rows (obituaries) per suite and kind of person: real, fictional
    or living (docs/metrics.md 1, with Wilson CIs)."""
    if "form" not in rows or not rows["form"].notna().any():
        return pd.DataFrame()
    asked = rows[rows["form"].notna()].copy()
    kind = asked["kind"] if "kind" in asked else pd.Series(None, index=asked.index)
    asked["person"] = kind.where(kind.notna(), asked["exists"].map({True: "real",
                                                                    False: "control"}))
    asked["person"] = asked["person"].replace({"fictional_person": "fictional",
                                               "living_person": "living"})
    if "after_cutoff" in asked:
        late = asked["after_cutoff"].fillna(False).astype(bool)
        asked.loc[late, "person"] = asked.loc[late, "person"] + " (after cutoff)"
    records = [{"form": form, "suite": suite, "person": person, **stratum_row(group)}
               for (form, suite, person), group
               in asked.groupby(["form", "base_suite", "person"], sort=True)]
    return pd.DataFrame.from_records(records)


def row_fields(item: ProbeItem) -> dict[str, Any]:
    """Extra response-row columns of a variant item (none for a plain one)."""
    return dict(item.meta.get(ROW_FIELDS, {}))


def row_item_id(row: Mapping[str, Any]) -> str:
    """The id of the probe item a response row answered: a variant's or a sample's base item
    (``base_id``, ``sample_of``), else the row's own ``item_id``."""
    return str(row.get("base_id") or row.get("sample_of") or row.get("item_id"))


# --- answer, then verify: a second turn -----------------------------------------------------

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
    needs = any(isinstance(t := i.meta.get("transform"), Transform) and t.followup
                for i in items)
    return FollowupBackend(backend) if needs else backend
