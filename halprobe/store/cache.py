"""SQLite response cache: a repeated or resumed run never asks the same question twice.

Keys hash everything that changes the output (backend fingerprint, full prompt, decoding
params including the sample index) and nothing operational (docs/style.md habit 6). Each put (or
put_many, the runner's batch of answers that finished together) is one committed transaction
in WAL mode, so a SIGKILL loses at most the answers in flight.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from halprobe.types import DecodingParams, Generation, Message

# Ordered, named migrations (docs/style.md habit 7): append, never edit an applied one.
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


def cache_key(fingerprint: dict[str, Any], messages: Sequence[Message],
              params: DecodingParams) -> str:
    """Stable hash of what determines a generation."""
    return CacheKeys(fingerprint, params)(messages)


class CacheKeys:
    """cache_key for one run's fingerprint and params, their JSON encoded once, not per item.

    The hashed text is the sorted-key JSON of {"fingerprint", "messages", "params"}, built from
    three pieces so that keys stay exactly those of earlier caches.
    """

    def __init__(self, fingerprint: dict[str, Any], params: DecodingParams) -> None:
        self._head = '{"fingerprint":' + _canonical(fingerprint) + ',"messages":'
        self._tail = ',"params":' + _canonical(flat_dict(params)) + "}"

    def __call__(self, messages: Sequence[Message]) -> str:
        blob = self._head + _canonical([flat_dict(m) for m in messages]) + self._tail
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def flat_dict(record: Any) -> dict[str, Any]:
    """A flat dataclass (fields of str, numbers, tuples of them) as a dict: ``asdict`` without
    its deep copy, which cost more than the JSON encoding around it."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


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
        self.put_many([(key, fingerprint, request, generation)])

    def put_many(self, entries: Iterable[tuple[str, dict[str, Any], dict[str, Any],
                                                 Generation]]) -> None:
        """Store several generations in one transaction (all or none survive a kill)."""
        now = time.time()
        values = [(key, json.dumps(fingerprint, sort_keys=True), json.dumps(request),
                   json.dumps(flat_dict(generation)), now)
                  for key, fingerprint, request, generation in entries]
        if not values:
            return
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany("INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?)",
                                     values)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()


def _generation_from_json(blob: str) -> Generation:
    data = json.loads(blob)
    for key in ("tokens", "token_logprobs"):
        if data.get(key) is not None:
            data[key] = tuple(data[key])
    return Generation(**data)
