"""Load a suite's items (JSONL or CSV with a column map), validated and binned.

All problems in a file are collected and raised together, each as file:line: field.
"""

from __future__ import annotations

import csv
import json
import pickle
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from halprobe import __version__, types
from halprobe.errors import SuiteError
from halprobe.store.derived import derived, derived_path
from halprobe.suites import binning, schema
from halprobe.suites.binning import assign_bin
from halprobe.suites.schema import validate_row
from halprobe.suites.spec import SuiteSpec, load_spec
from halprobe.types import ProbeItem


@dataclass(frozen=True)
class Suite:
    """A validated suite: its spec and its binned items."""

    spec: SuiteSpec
    items: tuple[ProbeItem, ...]

    @property
    def name(self) -> str:
        return self.spec.name


def _jsonl_rows(path: Path, problems: list[str]) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                yield line_no, json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{path}:{line_no}: not valid JSON ({exc.msg}, column {exc.colno})")


def _csv_rows(path: Path, columns: dict[str, str],
              problems: list[str]) -> Iterator[tuple[int, Any]]:
    """CSV rows mapped to item fields; `aliases` columns are '|'-separated."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in columns.values() if c not in (reader.fieldnames or [])]
        if missing:
            problems.append(f"{path}:1: columns {missing} named in suite.yaml are not in the CSV")
            return
        for row in reader:
            yield reader.line_num, _map_csv_row(row, columns)


def _map_csv_row(row: dict[str, str], columns: dict[str, str]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for field_name, column in columns.items():
        value = (row.get(column) or "").strip()
        if value == "":
            continue
        if field_name == "aliases":
            item[field_name] = [a.strip() for a in value.split("|") if a.strip()]
        elif field_name == "popularity":
            try:
                item[field_name] = float(value)
            except ValueError:
                item[field_name] = value  # reported by validation with its line
        elif field_name == "exists":
            item[field_name] = value.lower() in ("1", "true", "yes")
        elif field_name == "bin":
            item[field_name] = int(value) if value.isdigit() else value
        else:
            item[field_name] = value
    return item


def load_suite(path: Path) -> Suite:
    """Read suite.yaml and its items; raise SuiteError listing every problem found.

    A suite that validated once is kept, as its items, under the halprobe cache and keyed by
    the digest of suite.yaml and the items file and by this code: the built-in suites hold
    30,000 items, and parsing and validating them took 2 s of every run (read back: 0.2 s).
    """
    spec = load_spec(path)
    cached = derived_path("suites", spec.name, _CODE, __version__, spec.digest,
                          str(spec.items_path.resolve()))
    items = derived(cached, lambda: _validated(spec).items,
                    lambda value: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL),
                    _items_from_pickle)
    return Suite(spec=spec, items=items)


def _items_from_pickle(data: bytes) -> tuple[ProbeItem, ...]:
    items = pickle.loads(data)
    if not isinstance(items, tuple):
        raise TypeError(f"a cached suite holds {type(items).__name__}, not a tuple of items")
    return items


def _validated(spec: SuiteSpec) -> Suite:
    """Parse, validate and bin every item of a suite."""
    problems: list[str] = []
    rows = (_csv_rows(spec.items_path, spec.columns, problems)
            if spec.items_path.suffix.lower() == ".csv"
            else _jsonl_rows(spec.items_path, problems))
    items: list[ProbeItem] = []
    first_line: dict[str, int] = {}
    for line_no, row in rows:
        where = f"{spec.items_path}:{line_no}"
        item, row_problems = validate_row(row, where, spec.name)
        problems += row_problems
        if item is None:
            continue
        if item.id in first_line:
            problems.append(f"{where}: field 'id': duplicate id {item.id!r} "
                            f"(first on line {first_line[item.id]})")
            continue
        first_line[item.id] = line_no
        outside = binning.outside_edges(item, spec.bins)
        if outside:
            problems.append(f"{where}: field 'popularity': {outside}")
            continue
        binned = assign_bin(item, spec.bins)
        if binned is None:
            problems.append(f"{where}: field 'bin': item has no popularity to bin and no "
                            "explicit 'bin'")
            continue
        items.append(binned)
    if not items and not problems:
        problems.append(f"{spec.items_path}: the suite has no items")
    if problems:
        raise SuiteError(problems)
    return Suite(spec=spec, items=tuple(items))


_CODE = (sys.modules[__name__], schema, binning, types)  # what decides the validated items
