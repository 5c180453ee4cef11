"""`halprobe grade`: grade stored responses with no model (one JSON object per line).

A line is either ``{"item": {probe item}, "response": "text"}`` or a row of a run's
responses.jsonl. A run row is regraded against the item it answered (from --suite, else the
suites in the run's config.json, else the built-in ones) as the run asked it: its prompt form
(obituary) and after-cutoff mark pick the grader, as in ``variants.grading.grade_item``; targets
and transforms change only the prompt. A row with a ``first_response`` (answer, then verify)
also gets the first answer's label, so the change the verification made is visible.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

import typer
from rich.console import Console

from halprobe.errors import SuiteError, UserError
from halprobe.suites.schema import item_from_dict
from halprobe.types import NO_CLAIM, Generation, Grade, ProbeItem
from halprobe.variants.grading import grade_item
from halprobe.variants.plan import as_asked, row_item_id


class SuitesNotLoaded(UserError):
    """The suites of run rows cannot be loaded: no line can be graded, so the command stops."""


class RunItems:
    """The probe items that run rows answered, by id; loaded when the first run row comes.
    Counts the run rows regraded and the labels that changed."""

    def __init__(self, responses: Path | None, suites: list[str]) -> None:
        self.responses, self.suites = responses, suites
        self._by_id: dict[str, ProbeItem] | None = None
        self.regraded = self.changed = 0

    def find(self, row: dict[str, Any]) -> ProbeItem:
        if self._by_id is None:
            from halprobe.suites.registry import load

            try:
                suites = load(self.specs())
            except UserError as exc:
                raise SuitesNotLoaded(f"cannot load the suites of the run's rows: {exc}"
                                      ) from None
            self._by_id = {i.id: i for suite in suites for i in suite.items}
        key = row_item_id(row)
        if key not in self._by_id:
            raise UserError(f"item {key!r} is in none of the suites searched; name its suite "
                            "with --suite")
        return self._by_id[key]

    def specs(self) -> list[str]:
        """--suite, else the run's suites (by path, or by name where the path is gone)."""
        if self.suites or self.responses is None:
            return self.suites
        path = self.responses.parent / "config.json"
        try:
            config = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return []
        entries = [e for e in config.get("suites", []) if isinstance(e, dict)]
        return [str(e["path"]) if Path(str(e.get("path", ""))).is_file() else str(e.get("name"))
                for e in entries]


def _parse(line: str, line_no: int, where: str) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise UserError(f"{where}:{line_no}: not valid JSON ({exc.msg})") from None
    if not isinstance(row, dict) or not (isinstance(row.get("item"), dict) or "item_id" in row):
        raise UserError(f"{where}:{line_no}: expected an object with an 'item' object, or a "
                        "row of a run's responses.jsonl")
    return row


def _item(row: dict[str, Any], line_no: int, where: str, items: RunItems) -> ProbeItem:
    if not isinstance(row.get("item"), dict):
        return items.find(row)
    try:
        return item_from_dict(row["item"], where=f"{where}:{line_no}")
    except SuiteError as exc:
        raise UserError(str(exc).splitlines()[0]) from None


def _fields(grade: Grade, prefix: str = "") -> dict[str, Any]:
    return {f"{prefix}label": str(grade.label), f"{prefix}matched": grade.matched,
            f"{prefix}reason": grade.reason, **grade.claim_fields(prefix)}


def _confidence(row: dict[str, Any], grade: Grade) -> dict[str, Any]:
    """A run row's answer confidence again, from its stored tokens and log-probs."""
    from halprobe.analysis.confidence import confidence

    if row.get("tokens") is None or row.get("token_logprobs") is None:
        return {}
    generation = Generation(row["response"], tuple(row["tokens"]),
                            tuple(row["token_logprobs"]))
    conf = confidence(generation, grade.matched if grade.label not in NO_CLAIM else None)
    return {"confidence": conf.value, "confidence_norm": conf.value_normalised,
            "confidence_source": conf.source}


def _grade_line(line: str, line_no: int, where: str, items: RunItems) -> dict[str, Any]:
    row = _parse(line, line_no, where)
    if "item" not in row and row.get("label") == "error" and row.get("response") is None:
        return row  # a backend error stays an error row: there is no answer to grade
    if not isinstance(row.get("response"), str):
        raise UserError(f"{where}:{line_no}: field 'response' must be a string")
    asked = as_asked(_item(row, line_no, where, items), row)
    result = grade_item(asked, row["response"])
    out = {**row, **_fields(result)}
    if "item" not in row:
        out.update(_confidence(row, result))
        items.regraded += 1
        items.changed += row.get("label") != out["label"]
    if isinstance(row.get("first_response"), str):
        out.update(_fields(grade_item(asked, row["first_response"]), "first_"))
    return out


def grade_lines(source: IO[str], where: str, items: RunItems | None = None,
                ) -> tuple[list[dict[str, Any]], int]:
    """Grade every line; report bad lines on stderr with their number; count them."""
    items = items or RunItems(None, [])
    graded: list[dict[str, Any]] = []
    failures = 0
    for line_no, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            graded.append(_grade_line(line, line_no, where, items))
        except SuitesNotLoaded:
            raise
        except UserError as exc:
            print(f"halprobe: error: {exc}", file=sys.stderr)
            failures += 1
    return graded, failures


def _judge_input(row: dict[str, Any]) -> dict[str, Any]:
    """What the judge reads of a line: from its 'item', or from a run row itself."""
    item = row.get("item")
    if not isinstance(item, dict):
        return {k: row.get(k) for k in ("item_id", "question", "gold", "aliases", "exists",
                                        "response", "label")}
    return {"item_id": item.get("id"), "question": item.get("question"),
            "gold": item.get("answer"), "aliases": item.get("aliases"),
            "exists": item.get("exists", True), "response": row["response"],
            "label": row["label"]}


def _judge(rows: list[dict[str, Any]], spec: str, cache: Path) -> list[dict[str, Any]]:
    """Add the LM judge's verdicts and print its agreement with the matcher."""
    from halprobe.backends import create
    from halprobe.run.judge import agreement, judge_rows
    from halprobe.store import ResponseCache

    flat = [_judge_input(r) for r in rows]
    backend = create(None if spec == "default" else spec)
    try:
        judged = judge_rows(flat, backend, ResponseCache(cache), show_progress=sys.stderr.isatty())
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
                                   '{"item": {probe item}, "response": "text", ...}, or a '
                                   "run's responses.jsonl (each row regraded as it was "
                                   "asked: obituary form, after the cutoff)."),
    suite: list[str] = typer.Option([], "--suite", "-s", help="Suites whose items a run's "
                                    "rows answer (repeat); default: those in the run's "
                                    "config.json, else the built-in ones."),
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
    items = RunItems(responses, suite)
    with responses.open(encoding="utf-8") as source:
        rows, failures = grade_lines(source, str(responses), items)
    if items.regraded:
        print(f"halprobe: regraded {items.regraded} run row(s); {items.changed} label(s) "
              "changed", file=sys.stderr)
    if judge is not None and rows:
        rows = _judge(rows, judge, cache)
    _write(rows, out)
    if failures:
        print(f"halprobe: {failures} line(s) could not be graded", file=sys.stderr)
        raise typer.Exit(1)
