"""`halprobe eval --reference-corpus PATH`: exact co-occurrence counts that anchor the proxy.

The corpus is counted before any question is asked, so a bad path or a bad JSONL line
stops the command before the model loads. Each item's count n_i (documents where its
subject and an accepted answer co-occur, ``analysis.corpus``) goes into the response rows as
``corpus_count``, with ``anchor`` naming the corpus; the suite's proxy c_i stays in
``popularity``. The summary then anchors the proxy, kappa = sum n_i / sum c_i per suite and
proxy (``analysis.anchor``, docs/metrics.md 3), and gives MF = N_1 / n exactly where every item
of a stratum was counted. Items that cannot be counted (no subject) get no count. Bins stay
the suite's bins. Any source of per-item counts (an infini-gram index) anchors the same way.

``infinigram:DIR`` and ``infinigram-api:NAME`` (``infinigram_source``) count the same
co-occurrences through infini-gram, for corpora too large to stream; their counts take the
same path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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

from halprobe.analysis.anchor import ANCHOR_COL, COUNT_COL
from halprobe.analysis.corpus import CorpusCounts, CorpusItem, corpus_items, count_cooccurrences
from halprobe.analysis.corpus_read import CorpusError, corpus_files
from halprobe.analysis.monofact import CORPUS_PROXY
from halprobe.errors import UserError
from halprobe.run.count_sources import check_spec, count_spec, parse_spec
from halprobe.types import ProbeItem
from halprobe.variants.plan import row_item_id


def base_id(item: ProbeItem) -> str:
    return str(item.variant.base_id or item.id)


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


def apply_counts(rows: list[dict[str, Any]], counts: Mapping[str, int], anchor: str
                 ) -> list[dict[str, Any]]:
    """Rows with their exact count (``corpus_count``) and the ``anchor`` that gave it, per
    base item id (module docstring); the suite's proxy is kept. Idempotent."""
    out = []
    for row in rows:
        count = counts.get(row_item_id(row))
        out.append({**row, ANCHOR_COL: anchor if count is not None else None,
                    COUNT_COL: count})
    return out


def anchor_label(path: Path) -> str:
    """How a summary names a reference corpus anchor: a local corpus by its file name, an
    infini-gram index by its spec (the API's counts are windows, not documents: the name says
    which engine and index gave them)."""
    spec = parse_spec(str(path))
    name = path.name if spec is None else spec.text.partition("?")[0]
    return f"reference corpus {name} ({CORPUS_PROXY})"


def corpus_config(path: Path, text_field: str, counts: CorpusCounts) -> dict[str, Any]:
    """What config.json records: the proxy used and what was read."""
    values = list(counts.counts.values())
    return {"path": str(path), "text_field": text_field, "proxy": CORPUS_PROXY,
            "files": counts.files, "n_documents": counts.n_documents,
            "n_bytes": counts.n_bytes, "n_skipped_lines": counts.n_skipped,
            "n_items_counted": len(values), "n_items_found": sum(v > 0 for v in values),
            "monofact_exact": None if counts.monofact != counts.monofact else counts.monofact,
            **({"source": counts.source} if counts.source else {})}
