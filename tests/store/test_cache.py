"""The response cache survives reopening, keys on what changes output, records migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from halprobe.store.cache import MIGRATIONS, ResponseCache, cache_key
from halprobe.types import DecodingParams, Generation, Message

FP = {"backend": "llamacpp", "model": "m", "sha256": "abc"}
PROMPT = [Message("user", "What is the capital of France?")]


def test_roundtrip_after_reopen(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    gen = Generation(text="Paris.", tokens=("Paris", "."), token_logprobs=(-0.1, -0.2),
                     prompt_tokens=12, completion_tokens=2, finish_reason="stop")
    key = cache_key(FP, PROMPT, DecodingParams())
    cache = ResponseCache(path)
    assert cache.get(key) is None
    cache.put(key, FP, {"messages": []}, gen)
    cache.close()
    reopened = ResponseCache(path)
    assert reopened.get(key) == gen
    assert (reopened.hits, reopened.misses) == (1, 0)


def test_key_changes_with_output_relevant_inputs_only() -> None:
    base = cache_key(FP, PROMPT, DecodingParams())
    assert base == cache_key(dict(reversed(FP.items())), PROMPT, DecodingParams())
    assert base != cache_key({**FP, "sha256": "abd"}, PROMPT, DecodingParams())
    assert base != cache_key(FP, [Message("user", "What is the capital of Peru?")],
                             DecodingParams())
    assert base != cache_key(FP, PROMPT, DecodingParams(max_tokens=16))
    assert base != cache_key(FP, PROMPT, DecodingParams(sample_index=1))


def test_migrations_are_recorded_once(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    ResponseCache(path).close()
    ResponseCache(path).close()
    names = [r[0] for r in sqlite3.connect(path).execute("SELECT name FROM _migrations")]
    assert names == [m[0] for m in MIGRATIONS]


def test_keys_are_those_of_earlier_caches() -> None:
    """CacheKeys encodes the fingerprint and params once; the hash must not change with that."""
    import hashlib
    import json
    from dataclasses import asdict

    params = DecodingParams(max_tokens=16, sample_index=2)
    payload = {"fingerprint": FP, "messages": [asdict(m) for m in PROMPT],
               "params": asdict(params)}
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert cache_key(FP, PROMPT, params) == hashlib.sha256(blob.encode()).hexdigest()


def test_put_many_is_one_transaction(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    gens = {cache_key(FP, [Message("user", q)], DecodingParams()): Generation(text=q)
            for q in ("a", "b", "c")}
    cache.put_many((k, FP, {"messages": []}, g) for k, g in gens.items())
    cache.put_many([])
    cache.close()
    reopened = ResponseCache(tmp_path / "c.sqlite")
    assert {k: reopened.get(k) for k in gens} == gens
