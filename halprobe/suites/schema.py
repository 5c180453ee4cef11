"""Validation of probe items at the file boundary: dict from JSON -> ProbeItem.

Every problem is reported with its file:line and field, and all of a file's problems are
collected before failing, so a user fixes a broken suite in one pass.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from halprobe.types import AnswerType, Precision, ProbeItem

REQUIRED = ("id", "question", "answer_type")
KNOWN = {
    "id", "suite", "question", "answer", "aliases", "answer_type", "exists", "popularity",
    "proxy", "precision", "event_date", "subject", "bin", "meta",
}


def _check_type(row: dict[str, Any], key: str, types: tuple[type, ...], where: str,
                problems: list[str]) -> None:
    value = row.get(key)
    if value is not None and not isinstance(value, types):
        names = " or ".join(t.__name__ for t in types)
        problems.append(f"{where}: field '{key}' must be {names}, got {type(value).__name__}")


def _check_enum(row: dict[str, Any], key: str, enum: type, where: str,
                problems: list[str]) -> None:
    value = row.get(key)
    allowed = [e.value for e in enum]  # type: ignore[attr-defined]
    if value is not None and value not in allowed:
        problems.append(f"{where}: field '{key}' is {value!r}; expected one of {allowed}")


def _check_popularity(row: dict[str, Any], where: str, problems: list[str]) -> None:
    value = row.get("popularity")
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{where}: field 'popularity' must be a number, got {value!r}")
    elif not math.isfinite(value) or value < 0:
        problems.append(f"{where}: field 'popularity' must be a finite number >= 0, got {value}")


def _check_event_date(row: dict[str, Any], where: str, problems: list[str]) -> None:
    value = row.get("event_date")
    if value is None:
        return
    if not isinstance(value, str) or parse_partial_iso(value) is None:
        problems.append(f"{where}: field 'event_date' is {value!r}; expected YYYY, YYYY-MM "
                        "or YYYY-MM-DD")


def parse_partial_iso(value: str) -> dt.date | None:
    """Parse 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' to the first day it can mean, else None."""
    padded = {4: "-01-01", 7: "-01", 10: ""}.get(len(value))
    if padded is None:
        return None
    try:
        return dt.date.fromisoformat(value + padded)
    except ValueError:
        return None


def validate_row(row: Any, where: str, suite: str) -> tuple[ProbeItem | None, list[str]]:
    """Check one parsed JSON object; return the item (or None) and the problems found."""
    if not isinstance(row, dict):
        return None, [f"{where}: expected a JSON object, got {type(row).__name__}"]
    problems: list[str] = []
    problems += [f"{where}: missing required field '{k}'" for k in REQUIRED if k not in row]
    problems += [f"{where}: unknown field '{k}'" for k in sorted(set(row) - KNOWN)]
    for key in ("id", "question", "suite", "subject", "proxy"):
        _check_type(row, key, (str,), where, problems)
    _check_type(row, "answer", (str,), where, problems)
    _check_type(row, "aliases", (list,), where, problems)
    _check_type(row, "exists", (bool,), where, problems)
    _check_type(row, "meta", (dict,), where, problems)
    _check_enum(row, "answer_type", AnswerType, where, problems)
    _check_enum(row, "precision", Precision, where, problems)
    _check_popularity(row, where, problems)
    _check_event_date(row, where, problems)
    aliases = row.get("aliases") or []
    if isinstance(aliases, list) and not all(isinstance(a, str) and a.strip() for a in aliases):
        problems.append(f"{where}: field 'aliases' must be a list of non-empty strings")
    exists = row.get("exists", True)
    if exists is True and not row.get("answer") and not aliases:
        problems.append(f"{where}: an item with exists=true needs 'answer' or 'aliases'")
    if row.get("answer_type") == "date" and exists is True and row.get("precision") is None:
        problems.append(f"{where}: a date item needs 'precision' (day, month or year)")
    bin_value = row.get("bin")
    if bin_value is not None and (isinstance(bin_value, bool) or not isinstance(bin_value, int)
                                  or bin_value < 0):
        problems.append(f"{where}: field 'bin' must be an integer >= 0, got {bin_value!r}")
    if problems:
        return None, problems
    return _to_item(row, suite), []


def _to_item(row: dict[str, Any], suite: str) -> ProbeItem:
    answer = row.get("answer")
    aliases = tuple(row.get("aliases") or ([answer] if answer else []))
    if answer and answer not in aliases:
        aliases = (answer, *aliases)
    precision = row.get("precision")
    return ProbeItem(
        id=row["id"],
        suite=row.get("suite") or suite,
        question=row["question"],
        answer=answer,
        aliases=aliases,
        answer_type=AnswerType(row["answer_type"]),
        exists=row.get("exists", True),
        popularity=None if row.get("popularity") is None else float(row["popularity"]),
        proxy=row.get("proxy"),
        precision=Precision(precision) if precision else None,
        event_date=row.get("event_date"),
        subject=row.get("subject"),
        bin=row.get("bin"),
        meta=row.get("meta") or {},
    )


def where_of(path: Path, line: int) -> str:
    """The 'file:line' prefix every problem message starts with."""
    return f"{path}:{line}"


def item_from_dict(row: dict[str, Any], where: str = "item") -> ProbeItem:
    """A ProbeItem from a dict, raising UserError with every problem when it does not validate."""
    from halprobe.errors import SuiteError

    item, problems = validate_row(row, where, str(row.get("suite") or ""))
    if item is None:
        raise SuiteError(problems)
    return item
