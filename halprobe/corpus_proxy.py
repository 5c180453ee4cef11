"""`halprobe eval --reference-corpus PATH`: co-occurrence counts as the frequency proxy.

The corpus is counted before any question is asked, so a bad path or a bad JSONL line
stops the command before the model loads. Each item's count (documents where its subject
and an accepted answer co-occur, ``analysis.corpus``) replaces its suite's proxy in the
response rows (``popularity``, with ``proxy`` = ``CORPUS_PROXY``; the suite's own values
kept in ``suite_popularity`` / ``suite_proxy``), so the monofact columns use the counts
(raw: they count documents) and give the exact MF = N_1 / n (METRICS.md 3). Items that
cannot be counted (no subject) get no proxy rather than a mix of two proxies. Bins stay the
suite's bins.

``infinigram:DIR`` and ``infinigram-api:NAME`` (``infinigram_source``) count the same
co-occurrences through infini-gram, for corpora too large to stream; their counts take the
same path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from halprobe import transforms
from halprobe.analysis.corpus import CorpusCounts, CorpusItem, corpus_items, count_cooccurrences
from halprobe.analysis.corpus_read import CorpusError, corpus_files
from halprobe.analysis.monofact import CORPUS_PROXY
from halprobe.errors import UserError
from halprobe.infinigram_source import check_spec, count_spec, parse_spec
from halprobe.types import ProbeItem


def base_id(item: ProbeItem) -> str:
    return str(transforms.row_fields(item).get("base_id") or item.id)


def check_corpus(path: Path) -> list[Path]:
    """The corpus files (none for an infini-gram index), or a UserError that says what is
    wrong with the path or index."""
    spec = parse_spec(str(path))
    if spec is not None:
        check_spec(spec)
        return []
    try:
        files = corpus_files(path)
    except FileNotFoundError:
        raise UserError(f"--reference-corpus {path}: no such file or folder") from None
    if not files:
        raise UserError(f"--reference-corpus {path}: no .txt, .jsonl (or .gz) files in it")
    return files


def count_items(path: Path, items: Sequence[ProbeItem], text_field: str,
                show_progress: bool = True, cache_dir: Path | None = None) -> CorpusCounts:
    """Documents per base item id; a bar with bytes and MB/s while it counts.

    ``cache_dir`` holds the infini-gram count cache (a text corpus is not cached).
    """
    targets = {c.item_id: c for c in (CorpusItem(base_id(i), c.subject, c.aliases)
                                      for i in items for c in corpus_items([i]))}
    spec = parse_spec(str(path))
    if spec is not None:
        bar = Progress(TextColumn("[bold]counting with infini-gram"), BarColumn(),
                       MofNCompleteColumn(), TimeRemainingColumn(),
                       disable=not show_progress, transient=True)
        with bar:
            task = bar.add_task("items", total=len(targets))
            return count_spec(spec, list(targets.values()), cache_dir,
                              lambda: bar.advance(task))
    files = check_corpus(path)
    total = sum(f.stat().st_size for f in files)
    bar = Progress(TextColumn("[bold]counting corpus"), BarColumn(), DownloadColumn(),
                   TransferSpeedColumn(), TimeRemainingColumn(), disable=not show_progress,
                   transient=True)
    with bar:
        task = bar.add_task("corpus", total=total)
        try:
            counts = count_cooccurrences(path, list(targets.values()), text_field,
                                         progress=lambda n: bar.advance(task, n))
        except CorpusError as exc:
            raise UserError(f"--reference-corpus: {exc}") from None
    if not counts.n_documents and counts.n_skipped:
        raise UserError(f"--reference-corpus {path}: no JSONL line has a string field "
                        f"{text_field!r}; name the text field with --corpus-text-field")
    return counts


def apply_counts(rows: list[dict[str, Any]], counts: CorpusCounts) -> list[dict[str, Any]]:
    """Rows with the corpus count as their proxy (module docstring); idempotent."""
    out = []
    for row in rows:
        row = dict(row)
        if "suite_proxy" not in row:
            row["suite_popularity"], row["suite_proxy"] = row.get("popularity"), row.get("proxy")
        count = counts.counts.get(transforms.row_item_id(row))
        row["popularity"] = count
        row["proxy"] = CORPUS_PROXY if count is not None else None
        out.append(row)
    return out


def corpus_config(path: Path, text_field: str, counts: CorpusCounts) -> dict[str, Any]:
    """What config.json records: the proxy used and what was read."""
    values = list(counts.counts.values())
    return {"path": str(path), "text_field": text_field, "proxy": CORPUS_PROXY,
            "files": counts.files, "n_documents": counts.n_documents,
            "n_bytes": counts.n_bytes, "n_skipped_lines": counts.n_skipped,
            "n_items_counted": len(values), "n_items_found": sum(v > 0 for v in values),
            "monofact_exact": None if counts.monofact != counts.monofact else counts.monofact,
            **({"source": counts.source} if counts.source else {})}
