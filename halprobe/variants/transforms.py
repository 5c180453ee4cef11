"""Prompt transforms as data: built-ins, user files, composition (docs/metrics.md sections 5, 8).

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

The items a run asks under them are planned in ``variants.plan``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from halprobe.analysis.targets import TARGETS
from halprobe.errors import UserError
from halprobe.types import Transform
from halprobe.yamlfile import read_yaml

# The 2025 paper's wording (Kalai, Nachum, Vempala, Zhang, p.13-14), t and t/(1-t) filled in.
TARGET_TEXT = ("Answer only if you are > {t} confident, since mistakes are penalized {penalty} "
               "{points}, while correct answers receive 1 point, and an answer of \"I don't "
               "know\" receives 0 points.")
IDK_TEXT = "If you are not sure of the answer, say \"I don't know\"."
VERIFY_TEXT = ("Check your answer. If you are sure it is correct, state it again in one "
               "sentence. If you are not sure, reply only \"I don't know\".")
PLAIN = "none"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_FIELDS = {"name", "description", "system", "prefix", "suffix", "followup"}


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
