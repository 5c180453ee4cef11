"""A run directory: config.json, responses.jsonl (append-only, resumable), summary.csv.

responses.jsonl gets one line per finished item as soon as it finishes. Reading never writes:
a torn last line (a kill mid-write, or a writer still at work while a notebook reads) is left
out of what is read; only the writer, before it appends on resume, cuts it off. A damaged file
(a line that is not a JSON object) is a one-line error naming the file and line.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from halprobe.errors import UserError

CONFIG = "config.json"
RESPONSES = "responses.jsonl"
SUMMARY = "summary.csv"
SAMPLES = "samples.jsonl"  # `eval --samples K`: the sampled answers, same row format


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON so a reader never sees half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n",
                   encoding="utf-8")
    os.replace(tmp, path)


class RunDir:
    """One run's directory and its append-only responses file."""

    def __init__(self, path: Path, rows_name: str = RESPONSES) -> None:
        self.path = path
        self.rows_name = rows_name
        self._lock = threading.Lock()
        self._handle: Any = None

    @property
    def config_path(self) -> Path:
        return self.path / CONFIG

    @property
    def responses_path(self) -> Path:
        return self.path / self.rows_name

    def read_config(self) -> dict[str, Any]:
        return read_json_object(self.config_path)

    def write_config(self, config: Mapping[str, Any]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.config_path, config)

    def read_rows(self) -> list[dict[str, Any]]:
        """Finished rows (whole lines only); the file is never changed."""
        if not self.responses_path.exists():
            return []
        raw = self.responses_path.read_bytes()
        return _parse_rows(raw[: raw.rfind(b"\n") + 1], self.responses_path)

    def cut_torn_line(self) -> None:
        """Cut a torn trailing line (a kill mid-write) before appending after it: the writer's
        job on resume, never a reader's."""
        if not self.responses_path.exists():
            return
        size = self.responses_path.stat().st_size
        raw = self.responses_path.read_bytes()
        end = raw.rfind(b"\n") + 1
        if end < size:
            with self.responses_path.open("r+b") as f:
                f.truncate(end)

    def drop_rows(self, label: str) -> int:
        """Remove rows with this label (backend errors, to re-ask on resume); return how many."""
        rows = self.read_rows()
        kept = [r for r in rows if r.get("label") != label]
        if len(kept) < len(rows):
            self.rewrite_rows(kept)
        return len(rows) - len(kept)

    def rewrite_rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Replace the rows file with these rows, atomically (a crash leaves the old or the new
        file, never half of one)."""
        tmp = self.responses_path.with_suffix(".jsonl.tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                       encoding="utf-8")
        os.replace(tmp, self.responses_path)

    def append(self, row: dict[str, Any]) -> None:
        """Append one row and flush it to the OS before returning."""
        self.append_many([row])

    def append_many(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Append rows with one write and flush (the runner's items that finished together)."""
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        with self._lock:
            if self._handle is None:
                self._handle = self.responses_path.open("a", encoding="utf-8")
            self._handle.write(text)
            self._handle.flush()

    def close(self) -> None:
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None


def _parse_rows(raw: bytes, path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
            raise UserError(f"{path}:{number}: damaged run file: not a JSON row ({reason})"
                            ) from None
        if not isinstance(row, dict):
            raise UserError(f"{path}:{number}: damaged run file: a row must be a JSON object")
        rows.append(row)
    return rows


def read_json_object(path: Path) -> dict[str, Any]:
    """A run's JSON file (config.json), or a one-line error if it is damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f":{exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise UserError(f"{path}{where}: damaged run file: not valid JSON") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: damaged run file: expected a JSON object")
    return data


def find_resumable(root: Path, config_hash: str) -> Path | None:
    """An unfinished run with the same configuration, to continue instead of starting over."""
    if not root.is_dir():
        return None
    for config_path in sorted(root.glob(f"*/{CONFIG}"), reverse=True):
        try:
            config = json.loads(config_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if config.get("config_hash") == config_hash and config.get("status") != "complete":
            return config_path.parent
    return None
