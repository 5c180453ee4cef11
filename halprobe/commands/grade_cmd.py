"""`halprobe grade`: grade stored responses with no model (one JSON object per line)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

import typer
from rich.console import Console

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


def grade_lines(source: IO[str], where: str) -> tuple[list[dict[str, Any]], int]:
    """Grade every line; report bad lines on stderr with their number; count them."""
    graded: list[dict[str, Any]] = []
    failures = 0
    for line_no, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            graded.append(_grade_line(line, line_no, where))
        except UserError as exc:
            print(f"halprobe: error: {exc}", file=sys.stderr)
            failures += 1
    return graded, failures


def _judge(rows: list[dict[str, Any]], spec: str, cache: Path) -> list[dict[str, Any]]:
    """Add the LM judge's verdicts and print its agreement with the matcher."""
    from halprobe.backends import create
    from halprobe.judge import agreement, judge_rows
    from halprobe.store import ResponseCache

    flat = [{"item_id": r["item"].get("id"), "question": r["item"].get("question"),
             "gold": r["item"].get("answer"), "aliases": r["item"].get("aliases"),
             "exists": r["item"].get("exists", True), "response": r["response"],
             "label": r["label"]} for r in rows]
    backend = create(None if spec == "default" else spec)
    try:
        judged = judge_rows(flat, backend, ResponseCache(cache))
    finally:
        backend.close()
    result = agreement(judged)
    console = Console(stderr=True)
    console.print(f"judge {spec}: agrees with the matcher on {result.rate:.1%} of "
                  f"{result.compared} comparable rows")
    console.print(result.confusion.to_string())
    if len(result.disagreements):
        console.print(result.disagreements.to_string(max_colwidth=60))
    return [{**r, "judge_label": j["judge_label"], "judge_raw": j["judge_raw"]}
            for r, j in zip(rows, judged, strict=True)]


def _write(rows: list[dict[str, Any]], out: Path | None) -> None:
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if out is None:
        sys.stdout.write(lines)
        return
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(lines, encoding="utf-8")
    tmp.replace(out)


def grade_command(
    responses: Path = typer.Option(..., "--responses", "-r", help="JSONL: each line "
                                   '{"item": {probe item}, "response": "text", ...}.'),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write graded JSONL here "
                                    "(default: stdout)."),
    judge: str | None = typer.Option(None, "--judge", help="Also ask an LM judge (a model "
                                     "spec, or 'default'); its verdicts go beside the "
                                     "matcher's as judge_label, never replace them."),
    cache: Path = typer.Option(Path("results/cache.sqlite"), "--cache",
                               help="Response cache for the judge's answers."),
) -> None:
    """Grade responses against their probe items; adds 'label', 'matched' and 'reason'.

    Bad lines are reported with their line number and skipped; the exit code is 1 if any were.
    """
    if not responses.is_file():
        raise UserError(f"responses file not found: {responses}")
    with responses.open(encoding="utf-8") as source:
        rows, failures = grade_lines(source, str(responses))
    if judge is not None and rows:
        rows = _judge(rows, judge, cache)
    _write(rows, out)
    if failures:
        print(f"halprobe: {failures} line(s) could not be graded", file=sys.stderr)
        raise typer.Exit(1)
