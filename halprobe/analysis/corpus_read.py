"""Reading a reference corpus as blocks of documents: text files, JSONL, folders, gzip.

A ``.txt`` file holds one document per line; a ``.jsonl`` file one JSON object per line with
the text in a field. Files are read in blocks cut at line ends (memory stays bounded whatever
the corpus size). JSONL lines are not parsed one by one: ``_TextField`` cuts the text fields
out of a whole block with numpy and blanks the rest, and decodes the few lines with escapes
or an unusual layout together in one ``json.loads`` a block (parsing every line cost a
quarter of the counting throughput). ``corpus`` matches the blocks.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np

__all__ = ["BLOCK_BYTES", "JSONL_SUFFIXES", "TEXT_SUFFIXES", "CorpusError", "corpus_files",
           "jsonl_blocks", "text_blocks"]

TEXT_SUFFIXES = (".txt", ".txt.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
BLOCK_BYTES = 2 * 1024 * 1024

class CorpusError(ValueError):
    """A corpus file that cannot be read as documents: names the file and line."""


def corpus_files(path: str | Path) -> list[Path]:
    """The corpus files under ``path`` (itself if a file), sorted."""
    root = Path(path)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise FileNotFoundError(f"reference corpus not found: {root}")
    return sorted(p for p in root.rglob("*") if p.is_file()
                  and p.name.endswith(TEXT_SUFFIXES + JSONL_SUFFIXES))


def text_blocks(handle: io.BufferedIOBase, block_bytes: int) -> Iterator[tuple[bytes, int, int]]:
    """(block, documents, skipped) from a one-document-per-line file, cut at line ends."""
    while block := handle.read(block_bytes):
        if not block.endswith(b"\n"):
            block += handle.readline()
        yield block, block.count(b"\n") + (not block.endswith(b"\n")), 0


class _TextField:
    """Turns a block of JSONL lines into a block of documents, one a line, with numpy.

    Each line keeps its bytes: the text of the field stays where it is and the rest of the
    line (braces, the key, other fields) becomes spaces, so no line is parsed or copied on
    its own; ``json.loads`` of every line cost a quarter of the counting throughput. The
    vectorised path takes a line only where it cannot misread it: the line is framed by
    braces, holds the key ``"field"`` exactly once, no ``{`` precedes it (so it is not in a
    nested object; inside a string its quotes would be escaped and not match), a string
    follows its colon and has no backslash. Any other line (escapes, odd layout, no such
    field) goes through ``json.loads``, which gives the exact text or the error with file
    and line; decoded text is never longer than its JSON form, so it is written over the
    line and padded with spaces.
    """

    def __init__(self, name: str, where: str) -> None:
        self.name, self.where = name, where
        self.key = json.dumps(name).encode()

    def blank(self, block: bytearray, line_no: int) -> tuple[int, int, int]:
        """Rewrite a block of whole lines in place; (documents, skipped lines, lines)."""
        arr = np.frombuffer(block, dtype=np.uint8)
        special = np.flatnonzero((arr == 0x0A) | (arr == 0x22) | (arr == 0x7B) | (arr == 0x5C))
        kinds = arr[special]
        ends = special[kinds == 0x0A]
        if not block.endswith(b"\n"):
            ends = np.append(ends, len(block))
        starts = np.r_[0, ends[:-1] + 1]
        good, opens, closes = self._fast_lines(arr, starts, ends, special, kinds)
        arr[_ranges(starts[good], opens)] = 0x20
        arr[_ranges(closes, ends[good])] = 0x20
        rest = [(int(starts[i]), int(ends[i]), int(i)) for i in np.flatnonzero(~good)]
        lines = [(begin, stop, line_no + i + 1, block[begin:stop]) for begin, stop, i in rest]
        lines = [line for line in lines if line[3].strip()]  # untouched so far
        texts = self._decode_all([line[2:] for line in lines])
        for (begin, stop, _, _), text in zip(lines, texts, strict=True):
            block[begin:stop] = (text or b"")[:stop - begin].ljust(stop - begin)
        skipped = sum(text is None for text in texts)
        return int(good.sum()) + len(texts) - skipped, skipped, len(ends)

    def _fast_lines(self, arr: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                    special: np.ndarray, kinds: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Lines the vectorised path takes, and their text's [open, close) byte offsets.

        ``special``: offsets of every newline, quote, ``{`` and backslash; ``kinds``: which.
        """
        last = len(arr) - 1
        quotes = special[kinds == 0x22]
        braces, slashes = special[kinds == 0x7B], special[kinds == 0x5C]
        key = np.frombuffer(self.key, dtype=np.uint8)
        window = np.minimum(quotes[:, None] + np.arange(len(key)), last)
        hits = quotes[np.all(arr[window] == key, axis=1)]
        line = np.searchsorted(ends, hits)
        once = np.bincount(line, minlength=len(starts)) == 1
        at = np.zeros(len(starts), dtype=np.int64)
        at[line] = hits  # read only where the line holds the key once
        after = np.minimum(at + len(key), last - 2)
        spaced = (arr[after + 1] == 0x20) & (arr[after + 2] == 0x22)
        opens = np.where(spaced, after + 2, after + 1)
        framed = ends - (arr[np.clip(ends - 1, 0, last)] == 0x0D)
        close_at = np.searchsorted(quotes, opens, side="right")
        closes = quotes[np.minimum(close_at, len(quotes) - 1)] if len(quotes) else opens
        good = (once & (arr[np.minimum(starts, last)] == 0x7B)
                & (arr[np.clip(framed - 1, 0, last)] == 0x7D)
                & (arr[after] == 0x3A) & (spaced | (arr[after + 1] == 0x22))
                & (close_at < len(quotes)) & (closes < framed)
                & (np.searchsorted(braces, at) - np.searchsorted(braces, starts) == 1)
                & (np.searchsorted(slashes, closes) == np.searchsorted(slashes, opens)))
        return good, opens[good] + 1, closes[good]

    def _decode_all(self, lines: list[tuple[int, bytearray]]) -> list[bytes | None]:
        """``_decode`` of each (line number, line), in one ``json.loads`` where all parse
        as one object each (its per-call overhead was most of the cost of escaped lines)."""
        try:
            records = json.loads(b"[" + b",".join(line for _, line in lines) + b"]")
        except ValueError:
            records = None
        if (not isinstance(records, list) or len(records) != len(lines)
                or not all(isinstance(r, dict) for r in records)):
            return [self._decode(bytes(line), line_no) for line_no, line in lines]
        texts = [r.get(self.name) for r in records]
        return [t.replace("\n", " ").encode("utf-8", errors="replace") if isinstance(t, str)
                else None for t in texts]

    def _decode(self, line: bytes, line_no: int) -> bytes | None:
        """The field's text of a line the fast path left (escapes, odd layout), or None."""
        try:
            record = json.loads(line)
        except ValueError as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise CorpusError(f"{self.where}: line {line_no}: not valid JSON ({reason})"
                              ) from None
        if not isinstance(record, dict):
            raise CorpusError(f"{self.where}: line {line_no}: not a JSON object")
        text = record.get(self.name)
        if not isinstance(text, str):
            return None
        return text.replace("\n", " ").encode("utf-8", errors="replace")


def _ranges(begins: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Every index in [begins[i], stops[i]) for all i, as one array."""
    lengths = np.maximum(stops - begins, 0)
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(begins - (np.cumsum(lengths) - lengths), lengths)
    return offsets + np.arange(total)


def jsonl_blocks(handle: io.BufferedIOBase, block_bytes: int, text_field: str,
                  where: str = "corpus") -> Iterator[tuple[bytes, int, int]]:
    """(block, documents, skipped): one document a line, the text fields only."""
    field = _TextField(text_field, where)
    line_no = 0
    while True:
        block = bytearray(block_bytes)  # read into, and rewritten in place: no copy
        size = handle.readinto(block)
        if not size:
            return
        del block[size:]
        if not block.endswith(b"\n"):
            block += handle.readline()
        docs, skipped, lines = field.blank(block, line_no)
        line_no += lines
        yield block, docs, skipped  # type: ignore[misc]  # read by the counter as bytes
