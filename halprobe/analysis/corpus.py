"""Count subject–answer co-occurrences in a reference corpus (docs/metrics.md section 3).

Kandpal et al. measure how often a fact appears in training text as the number of documents
where the question's subject and the answer co-occur. Given such a corpus, the counts are
the frequency proxy (use ``scale="raw"`` in ``monofact``: they already count documents) and
MF = N_1 / n is exact on it: N_1 = facts found in exactly one document, n = the sum of the
counts (fact mentions). A document mentioning several facts counts once for each.

Corpus formats (``path`` is a file or a folder searched recursively, in sorted order):
- ``.txt`` (or ``.txt.gz``): one document per line. (Not per paragraph: a line needs no
  look-ahead, so memory stays bounded and a JSONL export converts with no state.)
- ``.jsonl`` (or ``.jsonl.gz``): one JSON object per line, its text in ``text_field``;
  objects without a string there are skipped and counted; a line that is not a JSON object
  raises ``CorpusError`` naming the file and line. Lines are not parsed one by one
  (``corpus_read``: numpy cuts the text fields out of a whole block; lines with escapes are
  decoded in one ``json.loads`` a block): ``json.loads`` of every line cost a quarter of
  the throughput.
Other files in a folder are ignored.

Matching: one Aho–Corasick automaton (pyahocorasick) over every subject and alias string,
case-insensitive, whole words only. Text and patterns go through the same normalisation:
ASCII letters lowercased, every ASCII character that is not a letter or digit (and the
common Unicode spaces, dashes and quotes) turned into a space, the rest lowercased. Each
pattern is then anchored by a space on both sides (" new york "), and each document is
framed by spaces, so a hit is a whole-word hit by construction ("paris" does not match in
"comparison") and the automaton idles at its root inside words, which keeps it fast.
pyahocorasick still reads only ~20-60 MB/s (one C step per character), so ``AnchorFilter``
first drops, with numpy over whole blocks, the documents that cannot hold any item's
subject and answer together; the counts are the same with ``prefilter=False``, only slower.
Known limits: a subject contained in its own answer ("Mexico" in "Mexico City") co-occurs
whenever the answer appears; scripts written without spaces (Chinese, Japanese) only match
where the name stands between separators; patterns shorter than ``min_chars`` are dropped.

Memory is bounded by the block size (``block_bytes``, 2 MiB) and the longest document, plus
~12 MB of lookup tables and the automaton (which grow with the items, not the corpus),
whatever the corpus size: files are read block by block, never whole.
"""

from __future__ import annotations

import gzip
import io
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import ahocorasick
import numpy as np

from halprobe.analysis.corpus_read import (
    BLOCK_BYTES,
    JSONL_SUFFIXES,
    corpus_files,
    jsonl_blocks,
    text_blocks,
)
from halprobe.analysis.monofact import good_turing_mf
from halprobe.types import ProbeItem

_TABLE = bytes(
    byte if byte >= 0x80 or byte == 0x0A else (
        ord(chr(byte).lower()) if chr(byte).isalnum() else 0x20)
    for byte in range(256)
)
_PRE_TABLE = bytes(ord(chr(byte).lower()) if byte < 0x80 and chr(byte).isalnum()
                   else (0x0A if byte == 0x0A else 0x20) for byte in range(256))
_K1, _K2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)
_M50, _M7F, _M80 = (np.uint64(0x5050505050505050), np.uint64(0x7F7F7F7F7F7F7F7F),
                    np.uint64(0x8080808080808080))
_ONE, _SEVEN = np.uint64(1), np.uint64(7)
_BLOOM_BITS = 22
_BUCKET_BITS = 20
_BUCKET_SHIFT = np.uint64(64 - _BUCKET_BITS)
_UNICODE_SEPARATORS = tuple(chr(cp).encode() for cp in (
    0x00A0, 0x00AB, 0x00B7, 0x00BB, 0x2010, 0x2011, 0x2013, 0x2014, 0x2018, 0x2019, 0x201C,
    0x201D, 0x2026, 0x200B, 0x3000, 0x3001, 0x3002, 0xFF0C))


@dataclass(frozen=True)
class CorpusItem:
    """What is counted for one probe item: its subject and the accepted answer strings."""

    item_id: str
    subject: str
    aliases: tuple[str, ...]


@dataclass
class CorpusCounts:
    """Documents per item where subject and an alias co-occur, with what was read.

    ``n_bytes`` is the size of the files on disk (compressed size for .gz), ``n_skipped``
    the JSONL lines without a text field; ``source`` what another count source (an
    infini-gram index) adds to config.json: engine, index, window, unit counted.
    """

    counts: dict[str, int]
    n_documents: int = 0
    n_bytes: int = 0
    n_skipped: int = 0
    files: list[str] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def monofact(self) -> float:
        """Exact MF = N_1 / n over the counted facts (docs/metrics.md 2 and 3)."""
        return good_turing_mf(self.counts.values())


def corpus_items(items: Iterable[ProbeItem]) -> list[CorpusItem]:
    """CorpusItems from probe items with a subject and an answer (others cannot be counted)."""
    out = []
    for item in items:
        aliases = tuple(dict.fromkeys(a for a in (item.answer, *item.aliases) if a))
        if item.subject and aliases:
            out.append(CorpusItem(item.id, item.subject, aliases))
    return out


def normalise_bytes(block: bytes) -> str:
    """The matching form of a block of text: see the module docstring."""
    block = block.translate(_TABLE)
    if not block.isascii():
        for separator in _UNICODE_SEPARATORS:
            if separator in block:
                block = block.replace(separator, b" ")
    text = block.replace(b"\n", b" \n ").decode("utf-8", errors="replace")
    return " " + (text if text.isascii() else text.lower()) + " "


class AnchorFilter:
    """Skips documents that cannot hold a co-occurrence, so the automaton reads few of them.

    Each pattern gets an anchor: its longest run of ASCII letters and digits (lowercased);
    a pattern with none gets the pseudo-anchor "has a non-ASCII byte". A document can hold
    item i's subject and alias only if it holds both anchors as whole tokens, where a token
    is a maximal run of ASCII letters and digits (every other byte separates). The
    automaton's separators are a subset of these and its ASCII folding is the same, so the
    filter never drops a document the automaton would count (the one exception, the Kelvin
    sign that lowercases to "k", is ignored). Tokens are found and hashed with numpy over
    the whole block (see ``_Tokens``), with no Python object per token; a hash collision
    only lets an extra document through.
    """

    def __init__(self, n_items: int) -> None:
        self.n_items = n_items
        self.anchors: dict[bytes, list[tuple[int, int]]] = {}  # b"": the non-ASCII pseudo

    def add(self, pattern: str, item: int, role: int) -> None:
        """Register item's subject (role 0) or alias (role 1) pattern under its anchor."""
        tokens = pattern.encode().translate(_PRE_TABLE).split()
        anchor = max(reversed(tokens), key=len) if tokens else b""
        self.anchors.setdefault(anchor, []).append((item, role))

    def build(self) -> None:
        """Hash the anchors (in one pass) into sorted keys, a bloom table and item lists."""
        words = [anchor for anchor in self.anchors if anchor]
        tokens = _Tokens(b" " + b" ".join(words) + b" " * 17)
        hashes = tokens.keys(np.arange(len(tokens.starts)))
        ids: dict[int, int] = {}
        members: list[tuple[list[int], list[int]]] = [([], [])]  # id 0: non-ASCII pseudo
        for item, role in self.anchors.get(b"", []):
            members[0][role].append(item)
        for word, key in zip(words, hashes, strict=True):
            anchor_id = ids.setdefault(int(key), len(members))
            if anchor_id == len(members):
                members.append(([], []))
            for item, role in self.anchors[word]:
                members[anchor_id][role].append(item)
        self.keys = np.array(sorted(ids), dtype=np.uint64)
        self.key_ids = np.array([ids[int(k)] for k in self.keys], dtype=np.int64)
        self.bucket_start = np.searchsorted(self.keys >> _BUCKET_SHIFT,
                                            np.arange((1 << _BUCKET_BITS) + 1, dtype=np.uint64))
        self.bucket_max = int(np.diff(self.bucket_start).max()) if len(self.keys) else 0
        self.bloom = np.zeros(1 << _BLOOM_BITS, dtype=bool)  # by first 8 bytes only
        self.bloom[_bloom_index(tokens.heads)] = True
        self.tables = [_csr([member[role] for member in members]) for role in (0, 1)]
        self.needs_non_ascii = bool(members[0][0] or members[0][1])

    def candidates(self, block: bytes) -> list[tuple[int, int]]:
        """(start, end) byte ranges of the documents in ``block`` worth scanning."""
        docs, anchors, newlines = self._hits(block)
        keep = np.ones(len(docs), dtype=bool)
        for pointer, _ in self.tables:  # docs with some subject anchor and some alias anchor
            in_role = np.zeros(len(newlines) + 1, dtype=bool)
            in_role[docs[pointer[anchors + 1] > pointer[anchors]]] = True
            keep &= in_role[docs]
        docs, anchors = docs[keep], anchors[keep]
        keys = np.sort(np.concatenate([_expand(table, anchors, docs, self.n_items) * 2 + role
                                       for role, table in enumerate(self.tables)]))
        both = (keys[1:] >> 1 == keys[:-1] >> 1) & (keys[1:] & 1 == 1) & (keys[:-1] & 1 == 0)
        chosen = _unique(keys[1:][both] // (2 * self.n_items))
        bounds = np.concatenate([[-1], newlines - 1, [len(block)]])
        return [(int(bounds[d]) + 1, int(bounds[d + 1])) for d in chosen]

    def _hits(self, block: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Document index and anchor id of every anchor token in ``block``, and newlines."""
        tokens = _Tokens(b" " + block.translate(_PRE_TABLE) + b" " * 17)
        hit = np.flatnonzero(self.bloom[_bloom_index(tokens.heads)])
        where = self._lookup(tokens.keys(hit))
        found = where >= 0
        newlines = tokens.newlines()
        docs = np.searchsorted(newlines, tokens.starts[hit[found]])
        anchors = self.key_ids[where[found]]
        if self.needs_non_ascii and not block.isascii():
            high = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) >= 0x80) + 1
            extra = _unique(np.searchsorted(newlines, high))
            docs = np.concatenate([docs, extra])
            anchors = np.concatenate([anchors, np.zeros(len(extra), dtype=np.int64)])
        return docs, anchors, newlines

    def _lookup(self, hashes: np.ndarray) -> np.ndarray:
        """Index of each hash in ``keys``, or -1.

        Keys are bucketed by their top bits, so a lookup is a few vectorised gathers (a
        binary search per hash cost more than finding the tokens).
        """
        bucket = hashes >> _BUCKET_SHIFT
        low, high = self.bucket_start[bucket], self.bucket_start[bucket + _ONE]
        where = np.full(len(hashes), -1, dtype=np.int64)
        for step in range(self.bucket_max):
            open_ = np.flatnonzero(low + step < high)
            slot = low[open_] + step
            match = self.keys[slot] == hashes[open_]
            where[open_[match]] = slot[match]
        return where


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique's hash path is many times slower on int64)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if ordered.size else ordered


def _csr(groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    pointer = np.zeros(len(groups) + 1, dtype=np.int64)
    pointer[1:] = np.cumsum([len(group) for group in groups])
    flat = np.array([i for group in groups for i in group], dtype=np.int64)
    return pointer, flat


def _expand(table: tuple[np.ndarray, np.ndarray], anchors: np.ndarray, docs: np.ndarray,
            n_items: int) -> np.ndarray:
    """doc * n_items + item for every item registered under each (doc, anchor) hit."""
    pointer, flat = table
    counts = pointer[anchors + 1] - pointer[anchors]
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    first = np.repeat(pointer[anchors] - (np.cumsum(counts) - counts), counts)
    return np.repeat(docs, counts) * n_items + flat[first + np.arange(total)]


class _Tokens:
    """Tokens of a prefilter-normalised buffer, found and keyed with numpy, no object each.

    ``buf`` holds only lowercase ASCII letters/digits, spaces and newlines, starts with a
    space and ends with at least 17 spaces (so that 8-byte loads stay inside it). A token's
    key is its first 16 bytes (longer tokens sharing them collide, which only lets extra
    documents through), read as two 8-byte words cut at the token's end. ``heads`` (the
    first word) is computed for every token; the full key only for the tokens asked for.
    """

    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        self.arr = np.frombuffer(buf, dtype=np.uint8)
        word = self.arr > 32
        self.starts = np.flatnonzero(word[1:] > word[:-1]) + 1
        self.window = np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
        self.heads, self.cut = _cut(self.window[self.starts])

    def keys(self, index: np.ndarray) -> np.ndarray:
        """Full keys of the tokens at ``index``."""
        tail, _ = _cut(self.window[self.starts[index] + 8])
        tail[self.cut[index] != 0] = 0  # the token ended within its first 8 bytes
        tail *= _K2
        return np.bitwise_xor(tail, self.heads[index] * _K1, out=tail)

    def newlines(self) -> np.ndarray:
        return np.flatnonzero(self.arr == 10)


def _bloom_index(heads: np.ndarray) -> np.ndarray:
    return (heads * _K1) >> np.uint64(64 - _BLOOM_BITS)


def _cut(words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep each 8-byte word's bytes before its first separator; also flag the separators.

    Word bytes (digits, letters) have bit 0x10 or 0x40 set, separators (space, newline)
    neither: adding 0x7F to (byte & 0x50) sets a byte's top bit exactly for word bytes.
    In-place numpy steps, as this runs on every token.
    """
    ends = np.bitwise_and(words, _M50)
    ends += _M7F
    ends &= _M80
    ends ^= _M80  # top bit set on separator bytes
    lowest = np.negative(ends)
    lowest &= ends  # the first separator's top bit, or 0
    lowest >>= _SEVEN
    lowest -= _ONE  # ones below the first separator byte (all ones when none)
    words &= lowest
    return words, ends


class CooccurrenceCounter:
    """One automaton over all subjects and aliases; ``feed`` counts a block of documents.

    ``prefilter=False`` runs the automaton over every document (slower, same counts).
    """

    def __init__(self, items: Sequence[CorpusItem], min_chars: int = 2,
                 prefilter: bool = True) -> None:
        self.ids = [item.item_id for item in items]
        self.min_chars = min_chars
        self.counts = [0] * len(items)
        self.automaton = ahocorasick.Automaton()
        self.subject_of: list[list[int]] = []
        self.alias_of: list[list[int]] = []
        self.filter = AnchorFilter(len(items)) if prefilter else None
        for index, item in enumerate(items):
            self._add(item.subject, index, 0)
            for alias in item.aliases:
                self._add(alias, index, 1)
        if len(self.automaton):
            self.automaton.make_automaton()
        if self.filter is not None:
            self.filter.build()

    def _add(self, text: str, index: int, role: int) -> None:
        key = normalise_bytes(text.replace("\n", " ").encode()).strip()
        if len(key) < self.min_chars:
            return
        pid = self.automaton.get(f" {key} ", None)
        if pid is None:
            pid = len(self.subject_of)
            self.automaton.add_word(f" {key} ", pid)
            self.subject_of.append([])
            self.alias_of.append([])
        members = (self.subject_of, self.alias_of)[role][pid]
        if index not in members:
            members.append(index)
            if self.filter is not None:
                self.filter.add(text, index, role)

    def feed(self, block: bytes) -> None:
        """Count co-occurrences in a block of newline-separated documents."""
        if not len(self.automaton):
            return
        if self.filter is not None:
            ranges = self.filter.candidates(block)
            if not ranges:
                return
            block = b"\n".join(block[start:end] for start, end in ranges)
        self._scan(block)

    def _scan(self, block: bytes) -> None:
        text = normalise_bytes(block)
        newlines, at = [], text.find("\n")
        while at >= 0:
            newlines.append(at)
            at = text.find("\n", at + 1)
        current, found = -1, set[int]()
        for end, pid in self.automaton.iter(text):
            doc = bisect_right(newlines, end)
            if doc != current:
                self._tally(found)
                current, found = doc, set[int]()
            found.add(pid)
        self._tally(found)

    def _tally(self, found: set[int]) -> None:
        if not found:
            return
        subjects, aliases = set(), set()
        for pid in found:
            subjects.update(self.subject_of[pid])
            aliases.update(self.alias_of[pid])
        for index in subjects & aliases:
            self.counts[index] += 1


def count_cooccurrences(path: str | Path, items: Sequence[CorpusItem], text_field: str = "text",
                        min_chars: int = 2, block_bytes: int = BLOCK_BYTES,
                        prefilter: bool = True,
                        progress: Callable[[int], None] | None = None) -> CorpusCounts:
    """Documents where each item's subject and any of its aliases co-occur (docs/metrics.md 3).

    ``progress`` is called with the bytes of the files on disk read since its last call.
    Raises ``CorpusError`` (file and line) for a JSONL line that is not a JSON object.
    """
    counter = CooccurrenceCounter(items, min_chars, prefilter)
    result = CorpusCounts(counts={})
    for file in corpus_files(path):
        with file.open("rb") as raw:
            read = 0
            handle = cast(io.BufferedIOBase, gzip.GzipFile(fileobj=raw)
                          if file.name.endswith(".gz") else raw)
            blocks = (jsonl_blocks(handle, block_bytes, text_field, str(file))
                      if file.name.endswith(JSONL_SUFFIXES) else text_blocks(handle, block_bytes))
            for block, documents, skipped in blocks:
                counter.feed(block)
                result.n_documents += documents
                result.n_skipped += skipped
                if progress is not None:
                    progress(raw.tell() - read)
                    read = raw.tell()
        result.n_bytes += file.stat().st_size
        result.files.append(str(file))
    result.counts = dict(zip(counter.ids, counter.counts, strict=True))
    return result
