"""Persistence: run directories and the response cache. Computes no figures."""

from halprobe.store.cache import ResponseCache, cache_key
from halprobe.store.rundir import RunDir, find_resumable

__all__ = ["ResponseCache", "RunDir", "cache_key", "find_resumable"]
