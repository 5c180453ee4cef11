"""`--reference-corpus infinigram:DIR` and `infinigram-api:NAME`: counts at any scale.

A corpus too large to stream is counted through infini-gram (docs/metrics.md section 3): a local
index built with its own indexer, or the public API's indexes of Dolma, the Pile, RedPajama.
The spec takes options as a query string, like model specs do:
``infinigram:DIR?window=100&max_clause_freq=50000&tokenizer=llama``. ``window`` is
infini-gram's ``max_diff_tokens`` (tokens; bytes in a byte-level index), ``max_clause_freq``
its subsampling cap, ``tokenizer`` the one a local tokenized index was built with (the API
knows its indexes' tokenizers). Counts are cached on disk, keyed by index identity and
query, so a rerun asks nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from halprobe.analysis.corpus import CorpusCounts, CorpusItem
from halprobe.analysis.infinigram import (
    DEFAULT_MAX_CLAUSE_FREQ,
    DEFAULT_WINDOW,
    count_local,
    inspect_index,
)
from halprobe.analysis.infinigram_api import check_index, count_api
from halprobe.analysis.infinigram_query import CountCache
from halprobe.errors import UserError

LOCAL, API = "infinigram:", "infinigram-api:"
OPTIONS = ("window", "max_clause_freq", "tokenizer")
API_LIMITS = {"window": 1000, "max_clause_freq": 500000}  # the API server's maxima
CACHE_FILE = "infinigram-counts.sqlite"


@dataclass(frozen=True)
class InfinigramSpec:
    """A parsed ``--reference-corpus`` that names an infini-gram index."""

    text: str
    api: bool
    target: str
    window: int = DEFAULT_WINDOW
    max_clause_freq: int = DEFAULT_MAX_CLAUSE_FREQ
    tokenizer: str | None = None


def _positive(where: str, key: str, value: str, limit: int | None) -> int:
    if not value.isdigit() or not 0 < int(value) <= (limit or int(value)):
        bound = f" (at most {limit} on the API)" if limit else ""
        raise UserError(f"{where}: {key} must be a positive integer{bound}, got {value!r}")
    return int(value)


def parse_spec(text: str) -> InfinigramSpec | None:
    """The spec, None when ``text`` is a plain corpus path, or a UserError if malformed."""
    api = text.startswith(API)
    if not api and not text.startswith(LOCAL):
        return None
    where = f"--reference-corpus {text}"
    target, _, query = text.removeprefix(API if api else LOCAL).partition("?")
    options = parse_qs(query, keep_blank_values=True)
    unknown = sorted(set(options) - set(OPTIONS) - ({"tokenizer"} if api else set()))
    if not target or unknown or any(len(v) != 1 for v in options.values()):
        raise UserError(f"{where}: expected {LOCAL}DIR or {API}NAME with options "
                        f"{', '.join(OPTIONS)} (each once)"
                        + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
    if api and "tokenizer" in options:
        raise UserError(f"{where}: the API knows its indexes' tokenizers; drop tokenizer=")
    values = {k: v[0] for k, v in options.items()}
    numbers = {k: _positive(where, k, values[k], API_LIMITS[k] if api else None)
               for k in ("window", "max_clause_freq") if k in values}
    return InfinigramSpec(text, api, target, tokenizer=values.get("tokenizer"), **numbers)


def check_spec(spec: InfinigramSpec) -> None:
    """Refuse a missing or malformed index or an unknown API name before anything runs."""
    if spec.api:
        check_index(spec.target)
    else:
        inspect_index(Path(spec.target))


def count_spec(spec: InfinigramSpec, items: Sequence[CorpusItem], cache_dir: Path | None,
               progress: Callable[[], None] | None = None) -> CorpusCounts:
    """Per-item counts from the index, in the Aho–Corasick counter's shape."""
    cache = CountCache(cache_dir / CACHE_FILE if cache_dir is not None else None)
    try:
        if spec.api:
            return count_api(spec.target, items, cache, spec.window, spec.max_clause_freq,
                             progress=progress)
        return count_local(Path(spec.target), items, cache, spec.window,
                           spec.max_clause_freq, spec.tokenizer, progress)
    finally:
        cache.close()
