"""Co-occurrence counts from a local infini-gram index (docs/metrics.md section 3).

A corpus too large to stream (a pretraining corpus of trillions of tokens) is searched
through a suffix-array index built with infini-gram's own indexer
(``python -m infini_gram.indexing``). Each item's n_i is the number of documents holding an
occurrence pair that satisfies the CNF ``subject AND (answer OR alias ...)`` under
infini-gram's ``find_cnf``: the pair lies within ``window`` tokens (``max_diff_tokens``;
bytes in a byte-level index) inside one document. ``find_cnf`` returns one pointer per
matching occurrence; pointers are mapped to their documents and distinct documents counted,
so a document stating the fact twice counts once, as in the Aho–Corasick counter.

Where it differs from ``analysis.corpus`` on the same text (all from infini-gram's rules):
- exact, case-sensitive token match with no normalisation; in a byte-level index a term also
  matches inside a longer word ("Paris" in "Parisian");
- a pair further apart than the window is not counted (the counter takes whole documents);
- infini-gram joins an occurrence's nearest matches on both sides into one range and drops
  a range that crosses a document boundary, so a pair is missed when the other clause also
  occurs within the window on the far side, in a neighbouring document;
- a clause with more than ``max_clause_freq`` occurrences is subsampled: the count is then an
  estimate (scaled by the subsampling factor) and marked approximate.

The index's token width is read from its files: the indexer writes pointers of
ceil(log2(bytes) / 8) bytes, one per token, so width = bytes * pointer size / table size.
The engine asserts (aborts the process) on a malformed index, so the files are checked here
first and a bad index is a one-line error.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from halprobe.analysis.corpus import CorpusCounts, CorpusItem
from halprobe.analysis.infinigram_query import (
    CountCache,
    Encoder,
    InfinigramError,
    ItemCount,
    byte_encoder,
    item_cnf,
    tokenizer_encoder,
)
from halprobe.errors import MissingDependencyError

DTYPES = {1: "u8", 2: "u16", 4: "u32"}
KINDS = ("tokenized", "table", "offset", "metadata", "metaoff", "unigram")  # engine's order
DEFAULT_WINDOW = 100  # infini-gram's default max_diff_tokens
DEFAULT_MAX_CLAUSE_FREQ = 50000  # infini-gram's default
PTR_BATCH = 512  # the engine starts one thread per pointer it maps to a document


@dataclass(frozen=True)
class LocalIndex:
    """A checked index folder: its shards' token width, size and a fingerprint."""

    path: Path
    token_width: int
    n_shards: int
    n_bytes: int
    identity: str

    @property
    def dtype(self) -> str:
        return DTYPES[self.token_width]


def _classify(path: Path) -> dict[str, list[Path]]:
    """Files by kind, the way the engine sorts them: by substring of the full path."""
    kinds: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    for file in sorted(path.iterdir()):
        kind = next((k for k in KINDS if k in str(file)), None)
        if kind is not None:
            kinds[kind].append(file)
    return kinds


def _width(data: Path, table: Path) -> int | None:
    """Token width of one shard from its sizes (module docstring), or None if inconsistent."""
    size, table_size = data.stat().st_size, table.stat().st_size
    if size < 2 or table_size == 0:
        return None
    pointer = math.ceil(math.log2(size) / 8)
    width, rest = divmod(size * pointer, table_size)
    return width if not rest and width in DTYPES and size % width == 0 else None


def inspect_index(path: Path) -> LocalIndex:
    """The index at ``path``, or an InfinigramError that says what is wrong with it."""
    where = f"--reference-corpus infinigram:{path}"
    if not path.is_dir():
        raise InfinigramError(f"{where}: no such folder")
    word = next((k for k in KINDS if k in str(path)), None)
    if word is not None:
        raise InfinigramError(f"{where}: infini-gram sorts index files by words in their full "
                              f"path, and the folder's path holds {word!r}: move the index")
    files = _classify(path)
    n = len(files["tokenized"])
    if not n:
        raise InfinigramError(f"{where}: not an infini-gram index (no tokenized.* file); "
                              "build one with python -m infini_gram.indexing")
    if len(files["table"]) != n or len(files["offset"]) != n or \
            len(files["metaoff"]) != len(files["metadata"]) or len(files["metadata"]) not in (0, n):
        raise InfinigramError(f"{where}: incomplete index: {n} tokenized, "
                              f"{len(files['table'])} table, {len(files['offset'])} offset files")
    widths = {_width(d, t) for d, t in zip(files["tokenized"], files["table"], strict=True)}
    if len(widths) != 1 or None in widths or any(f.stat().st_size % 8 for f in files["offset"]):
        raise InfinigramError(f"{where}: malformed index: its table, tokenized and offset file "
                              "sizes do not fit together (a build that did not finish?)")
    stats = [(f.name, f.stat().st_size, f.stat().st_mtime_ns)
             for kind in KINDS for f in files[kind]]
    identity = hashlib.sha256(repr((str(path.resolve()), stats)).encode()).hexdigest()[:16]
    return LocalIndex(path, widths.pop() or 1, n,
                      sum(f.stat().st_size for f in files["tokenized"]), identity)


def open_engine(index: LocalIndex) -> Any:
    """infini-gram's engine on the index; it needs the optional package ``infini-gram``."""
    try:
        from infini_gram.engine import InfiniGramEngine
    except ImportError:
        raise MissingDependencyError("infini-gram", "--reference-corpus infinigram:") from None
    top = 2 ** (8 * index.token_width) - 1  # the engine wants eos < vocab <= the dtype's max
    return InfiniGramEngine(index_dir=str(index.path), eos_token_id=0, vocab_size=top,
                            version=4, token_dtype=index.dtype)


def count_documents(engine: Any, cnf: list[list[list[int]]], window: int,
                    max_clause_freq: int) -> ItemCount:
    """Distinct documents among ``find_cnf``'s matches, scaled up if it subsampled."""
    found = engine.find_cnf(cnf, max_clause_freq=max_clause_freq, max_diff_tokens=window)
    if "error" in found:
        raise InfinigramError(f"infini-gram: {found['error']}")
    pairs = [(s, ptr) for s, ptrs in enumerate(found["ptrs_by_shard"]) for ptr in ptrs]
    docs: set[int] = set()
    for start in range(0, len(pairs), PTR_BATCH):
        # the C++ call: the Python wrapper rejects odd pointers, valid in a byte-level index
        batch = engine.engine.get_docs_by_ptrs(list_of_s_and_ptr=pairs[start:start + PTR_BATCH],
                                               max_disp_len=1)
        docs.update(doc.doc_ix for doc in batch)
    scale = found["cnt"] / len(pairs) if pairs else 1.0
    return ItemCount(round(len(docs) * scale), bool(found["approx"]))


def local_encoder(index: LocalIndex, tokenizer: str | None) -> Encoder:
    """UTF-8 bytes for a byte-level index; a tokenized index needs its tokenizer named."""
    where = f"infinigram:{index.path}"
    if tokenizer is None:
        if index.token_width != 1:
            raise InfinigramError(f"{where} is a {index.dtype} (tokenized) index: name the "
                                  f"tokenizer it was built with, e.g. {where}?tokenizer=llama")
        return byte_encoder
    if index.token_width == 1:
        raise InfinigramError(f"{where} is a byte-level (u8) index, built with no tokenizer: "
                              f"its queries are UTF-8 bytes; drop tokenizer={tokenizer}")
    return tokenizer_encoder(tokenizer, where)


def count_local(path: Path, items: Sequence[CorpusItem], cache: CountCache,
                window: int = DEFAULT_WINDOW, max_clause_freq: int = DEFAULT_MAX_CLAUSE_FREQ,
                tokenizer: str | None = None,
                progress: Callable[[], None] | None = None) -> CorpusCounts:
    """Documents per item where subject and an answer co-occur in the window (docstring);
    ``progress`` is called once an item."""
    index = inspect_index(path)
    encode = local_encoder(index, tokenizer)
    engine: Any = None
    counts: dict[str, int] = {}
    approx = []
    for item in items:
        if progress is not None:
            progress()
        cnf = item_cnf(item, encode)
        if cnf is None:
            continue
        query = {"cnf": cnf, "window": window, "max_clause_freq": max_clause_freq,
                 "unit": "documents"}
        found = cache.get(index.identity, query)
        if found is None:
            engine = engine if engine is not None else open_engine(index)
            found = count_documents(engine, cnf, window, max_clause_freq)
            cache.put(index.identity, query, found)
        counts[item.item_id] = found.count
        if found.approx:
            approx.append(item.item_id)
    n_docs = sum(f.stat().st_size // 8 for f in _classify(path)["offset"])
    return CorpusCounts(counts=counts, n_documents=n_docs, n_bytes=index.n_bytes,
                        files=[str(path)],
                        source={"engine": "infini-gram", "index": str(path),
                                "token_dtype": index.dtype, "tokenizer": tokenizer,
                                "unit": "documents", "window": window,
                                "max_clause_freq": max_clause_freq, "approx_items": approx,
                                "cache_hits": cache.hits})
