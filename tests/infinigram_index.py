"""A small corpus and a real byte-level infini-gram index of it, built by infini-gram's indexer.

The corpus is made for comparing infini-gram's counts with the Aho–Corasick counter's: most
facts are stated in documents padded with filler (so no other document's text lies within
infini-gram's window of them) and both counters agree; five documents each show one
documented rule where they differ (``analysis/infinigram.py``), listed in ``DIFFERENCES``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FILLER = "lorem ipsum dolor sit amet " * 5  # 135 bytes: more than the default window


def _padded(text: str) -> str:
    return f"{FILLER}{text} {FILLER}"


DOCS = [
    _padded("Paris is the capital of France."),
    _padded("Paris is the capital of France."),
    _padded("France and Paris again"),
    _padded("Paris, France. Paris, France."),  # twice in one document: counted once
    _padded("Berlin is the capital of Germany."),
    _padded("Tokyo, Japan"),
    _padded("Japan's capital Tokyo"),
    _padded("Cairo is in Egypt"),
    _padded("Madrid, Spain"),
    _padded("Rome, Italy"),
    _padded("NAIROBI, KENYA"),  # case: the counter folds case, infini-gram does not
    _padded("Lima " + "far " * 40 + "Peru"),  # 165 bytes apart: outside a 100-byte window
    _padded("Ottawans live in Canada"),  # a byte-level term matches inside a longer word
    FILLER + "Canberra is the capital of Australia",  # Canberra again within the window,
    "Canberra hosts parliament " + FILLER,  # across the document boundary: infini-gram
    # merges both sides into one range, which crosses the boundary and is dropped
]
# item -> (Aho–Corasick documents, infini-gram documents at the default 100-byte window)
EQUAL = {"t/FRA": 4, "t/DEU": 1, "t/JPN": 2, "t/EGY": 1, "t/ESP": 1, "t/ITA": 1}
DIFFERENCES = {
    "t/KEN": (1, 0, "case-sensitive exact match (NAIROBI, KENYA)"),
    "t/PER": (1, 0, "pair 165 bytes apart, outside the 100-byte window"),
    "t/CAN": (0, 1, "byte-level substring: Ottawa inside Ottawans"),
    "t/AUS": (1, 0, "Canberra also within the window in the next document: range dropped"),
}


def write_corpus(directory: Path) -> Path:
    """The corpus as one JSONL file (the format both the counter and the indexer read)."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"text": doc}) for doc in DOCS]
    (directory / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def build_index(data_dir: Path, save_dir: Path) -> Path:
    """infini-gram's own indexer, byte-level (no tokenizer, u8 tokens): nothing downloaded."""
    pytest.importorskip("infini_gram", reason="infini-gram 2.6 has wheels for Linux x86-64 "
                        "and macOS arm64 only (pyproject.toml installs it there)")
    cmd = [sys.executable, "-m", "infini_gram.indexing", "--data_dir", str(data_dir.resolve()),
           "--save_dir", str(save_dir.resolve()), "--token_dtype", "u8", "--cpus", "1",
           "--mem", "1", "--ulimit", "1024"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"infini-gram indexer failed:\n{proc.stdout}\n{proc.stderr}")
    return save_dir


def main() -> None:
    """Print infini-gram's counts beside the Aho–Corasick counter's on this corpus (markdown).

    ``python -m tests.infinigram_index`` from the repository root; builds in a temp folder.
    """
    import tempfile

    from halprobe.analysis.corpus import CorpusItem, count_cooccurrences
    from halprobe.analysis.infinigram import count_local
    from halprobe.analysis.infinigram_query import CountCache
    from tests.test_eval_model import CAPITALS

    items = [CorpusItem(f"t/{code}", name, (capital,)) for code, name, capital, _ in CAPITALS]
    with tempfile.TemporaryDirectory(prefix="ig-") as temp:
        corpus = write_corpus(Path(temp) / "corpus")
        index = build_index(corpus, Path(temp) / "index")
        counter = count_cooccurrences(corpus, items)
        by_window = {w: count_local(index, items, CountCache(None), window=w)
                     for w in (100, 1000)}
    why = {item: reason for item, (_, _, reason) in DIFFERENCES.items()}
    print("| item | subject / answer | Aho–Corasick | infini-gram w=100 | infini-gram w=1000 "
          "| why they differ |\n|---|---|---:|---:|---:|---|")
    for item in items:
        counts = [counter.counts[item.item_id]] + [c.counts[item.item_id]
                                                   for c in by_window.values()]
        if any(counts):
            print(f"| {item.item_id} | {item.subject} / {item.aliases[0]} | "
                  + " | ".join(map(str, counts)) + f" | {why.get(item.item_id, '')} |")
    print(f"| MF = N_1/n | | {counter.monofact:.4f} | "
          + " | ".join(f"{c.monofact:.4f}" for c in by_window.values()) + " | |")


if __name__ == "__main__":
    main()
