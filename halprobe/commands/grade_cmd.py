"""`halprobe grade`: grade stored responses with no model (one JSON object per line)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

import typer

from halprobe.errors import SuiteError, UserError
from halprobe.scoring import grade
from halprobe.suites.schema import item_from_dict


def _grade_line(line: str, line_no: int, where: str) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise UserError(f"{where}:{line_no}: not valid JSON ({exc.msg})") from None
    if not isinstance(row, dict) or not isinstance(row.get("item"), dict):
        raise UserError(f"{where}:{line_no}: expected an object with an 'item' object")
    if not isinstance(row.get("response"), str):
        raise UserError(f"{where}:{line_no}: field 'response' must be a string")
    try:
        item = item_from_dict(row["item"], where=f"{where}:{line_no}")
    except SuiteError as exc:
        raise UserError(str(exc).splitlines()[0]) from None
    result = grade(item, row["response"])
    return {**row, "label": str(result.label), "matched": result.matched,
            "reason": result.reason}


def grade_stream(source: IO[str], sink: IO[str], where: str) -> int:
    """Grade every line; report bad lines on stderr with their number; return how many failed."""
    failures = 0
    for line_no, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            graded = _grade_line(line, line_no, where)
        except UserError as exc:
            print(f"halprobe: error: {exc}", file=sys.stderr)
            failures += 1
            continue
        sink.write(json.dumps(graded, ensure_ascii=False) + "\n")
    return failures


def grade_command(
    responses: Path = typer.Option(..., "--responses", "-r", help="JSONL: each line "
                                   '{"item": {probe item}, "response": "text", ...}.'),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write graded JSONL here "
                                    "(default: stdout)."),
) -> None:
    """Grade responses against their probe items; adds 'label', 'matched' and 'reason'.

    Bad lines are reported with their line number and skipped; the exit code is 1 if any were.
    """
    if not responses.is_file():
        raise UserError(f"responses file not found: {responses}")
    with responses.open(encoding="utf-8") as source:
        if out is None:
            failures = grade_stream(source, sys.stdout, str(responses))
        else:
            tmp = out.with_suffix(out.suffix + ".tmp")
            with tmp.open("w", encoding="utf-8") as sink:
                failures = grade_stream(source, sink, str(responses))
            tmp.replace(out)
    if failures:
        print(f"halprobe: {failures} line(s) could not be graded", file=sys.stderr)
        raise typer.Exit(1)
