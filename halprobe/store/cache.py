"""SQLite response cache: a repeated or resumed run never asks the same question twice.

Keys hash everything that changes the output (backend fingerprint, full prompt, decoding
params including the sample index) and nothing operational (STYLE.md habit 6). Each put is
its own committed transaction in WAL mode, so a SIGKILL loses at most the answer in flight.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from halprobe.types import DecodingParams, Generation, Message

# Ordered, named migrations (STYLE.md habit 7): append, never edit an applied one.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("0001_responses", """
        CREATE TABLE responses (
            key TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            request TEXT NOT NULL,
            generation TEXT NOT NULL,
            created REAL NOT NULL
        )"""),
)


def cache_key(fingerprint: dict[str, Any], messages: list[Message],
              params: DecodingParams) -> str:
    """Stable hash of what determines a generation."""
    payload = {
        "fingerprint": fingerprint,
        "messages": [asdict(m) for m in messages],
        "params": asdict(params),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    """Append-only store of generations; safe to share between the runner's threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()
        self.hits = 0
        self.misses = 0

    def _migrate(self) -> None:
        self._db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, "
                         "applied REAL NOT NULL)")
        applied = {r[0] for r in self._db.execute("SELECT name FROM _migrations")}
        for name, sql in MIGRATIONS:
            if name in applied:
                continue
            with self._lock:
                self._db.execute("BEGIN")
                self._db.execute(sql)
                self._db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, time.time()))
                self._db.execute("COMMIT")

    def get(self, key: str) -> Generation | None:
        with self._lock:
            row = self._db.execute("SELECT generation FROM responses WHERE key = ?",
                                   (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return _generation_from_json(row[0])

    def put(self, key: str, fingerprint: dict[str, Any], request: dict[str, Any],
            generation: Generation) -> None:
        values = (key, json.dumps(fingerprint, sort_keys=True), json.dumps(request),
                  json.dumps(asdict(generation)), time.time())
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?)", values)

    def close(self) -> None:
        self._db.close()


def _generation_from_json(blob: str) -> Generation:
    data = json.loads(blob)
    for key in ("tokens", "token_logprobs"):
        if data.get(key) is not None:
            data[key] = tuple(data[key])
    return Generation(**data)
