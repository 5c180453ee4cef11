"""Throughput of reference-corpus co-occurrence counting (issue 5; docs/metrics.md section 3).

Writes a synthetic corpus (default 200 MB, one document per line, or JSONL) to a temporary
folder, then times ``count_cooccurrences`` for 10,000 items, in one process (one core),
building the automaton included, and prints MB/s (10^6 bytes of corpus per wall second)
and MB per CPU second (what a core gives when other processes compete for it; the load
average is printed too). The generator knows the true counts, so the run checks them.
Target: >= 50 MB/s.

The corpus: documents of 40-160 pseudo-words drawn from 22,000 (the items' first names
among them, so names half-match everywhere); with chance ``--pairs`` (5%) a document
states one item's subject and answer, and it holds lone subjects or answers (chance
``--lone``, 0.3, for the first, again for each further one), in upper case or brackets.

    .venv/bin/python benchmarks/bench_corpus.py [--mb 200] [--items 10000] [--format txt]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

from halprobe.analysis.corpus import CorpusItem, count_cooccurrences

SYLLABLES = ("ka", "lo", "mi", "ra", "ten", "sor", "vel", "an", "de", "is", "ur", "bo", "chi",
             "el", "fa", "gun", "ha", "jo", "ne", "pri", "qua", "st", "th", "wen", "yo", "zel")


def _word(rng: random.Random, low: int = 1, high: int = 4) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(low, high)))


def make_items(n: int, rng: random.Random) -> tuple[list[CorpusItem], list[str]]:
    """Unique two-word subjects and answers; first names also occur as ordinary words."""
    firsts = sorted({_word(rng, 2, 3).title() for _ in range(3 * n)})[: max(n // 5, 50)]
    seen: set[str] = set()
    names: list[str] = []
    while len(names) < 2 * n:
        name = f"{rng.choice(firsts)} {_word(rng, 3, 5).title()}"
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    items = [CorpusItem(f"item/{i}", names[2 * i], (names[2 * i + 1],)) for i in range(n)]
    return items, [f.lower() for f in firsts]


def _sprinkle(words: list[str], items: list[CorpusItem], pairs: float, lone: float,
              rng: random.Random) -> set[int]:
    """Insert a subject+answer pair (chance ``pairs``) and lone names (chance ``lone``)."""
    subjects, answers = set(), set()
    if rng.random() < pairs:
        i = rng.randrange(len(items))
        words.insert(rng.randrange(len(words)), items[i].subject + ",")
        words.insert(rng.randrange(len(words)), items[i].aliases[0] + ".")
        subjects.add(i)
        answers.add(i)
    while rng.random() < lone:
        i = rng.randrange(len(items))
        if rng.random() < 0.5:
            words.insert(rng.randrange(len(words)), "(" + items[i].subject + ")")
            subjects.add(i)
        else:
            words.insert(rng.randrange(len(words)), items[i].aliases[0].upper())
            answers.add(i)
    return subjects & answers


def write_corpus(path: Path, items: list[CorpusItem], firsts: list[str], megabytes: float,
                 fmt: str, rng: random.Random, pairs: float = 0.05, lone: float = 0.3,
                 escapes: float = 0.0) -> list[int]:
    """Write documents until the file reaches ``megabytes``; return the true counts.

    With chance ``escapes`` a JSONL document holds a line break and a quoted, accented
    word (JSON escapes \\n, \\" and \\u00e9), as real exports do.
    """
    vocab = [_word(rng) for _ in range(20_000)] + firsts
    truth, written, target = [0] * len(items), 0, int(megabytes * 1e6)
    with path.open("w", encoding="utf-8") as out:
        while written < target:
            words = rng.choices(vocab, k=rng.randint(40, 160))
            for i in _sprinkle(words, items, pairs, lone, rng):
                truth[i] += 1
            if rng.random() < escapes:
                words.insert(rng.randrange(len(words)), '\n"caf\u00e9"')
            text = " ".join(words) + "."
            line = (json.dumps({"id": written, "text": text}) if fmt == "jsonl" else text) + "\n"
            out.write(line)
            written += len(line.encode())
    return truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="corpus size in MB")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--format", choices=("txt", "jsonl"), default="txt")
    parser.add_argument("--pairs", type=float, default=0.05,
                        help="chance that a document states one item's subject and answer")
    parser.add_argument("--lone", type=float, default=0.3,
                        help="chance of each further lone subject or answer in a document")
    parser.add_argument("--escapes", type=float, default=0.0,
                        help="jsonl: chance that a document holds JSON escapes (\\n, \\\", "
                        "\\u00e9), which take the slower exact path")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-prefilter", action="store_true",
                        help="run the automaton over every document (slower, same counts)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    items, firsts = make_items(args.items, rng)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / f"corpus.{args.format}"
        started = time.perf_counter()
        truth = write_corpus(corpus, items, firsts, args.mb, args.format, rng,
                             args.pairs, args.lone, args.escapes)
        size_mb = corpus.stat().st_size / 1e6
        print(f"wrote {size_mb:.1f} MB in {time.perf_counter() - started:.1f} s")
        started, cpu = time.perf_counter(), time.process_time()
        result = count_cooccurrences(corpus, items, prefilter=not args.no_prefilter)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    counts = [result.counts[item.item_id] for item in items]
    print(f"{args.items} items, {result.n_documents} documents, {result.n_bytes / 1e6:.1f} MB "
          f"in {elapsed:.2f} s: {result.n_bytes / 1e6 / elapsed:.1f} MB/s on one core "
          f"({result.n_bytes / 1e6 / cpu:.1f} MB per CPU second; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"co-occurrences found {sum(counts)}, true {sum(truth)}, "
          f"counts exact: {counts == truth}; MF = N_1/n = {result.monofact:.4f}")


if __name__ == "__main__":
    main()
