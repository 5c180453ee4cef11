"""infini-gram queries for co-occurrence counts: an item's CNF, its encoding, a count cache.

docs/metrics.md section 3 anchors kappa on n_i, the documents where item i's subject and an
accepted answer co-occur. infini-gram asks that as a CNF query: two clauses joined by AND,
[[subject], [answer, alias, ...]] (OR inside the second), matched within a window of
``max_diff_tokens`` tokens of each other (infini-gram's own rule: see ``infinigram``).
Terms are the suite's strings as written (subject, answer, aliases; newlines made spaces):
infini-gram matches exact token sequences, case-sensitively, with no normalisation.

An index only answers queries encoded the way it was built:
- byte-level (its indexer run with no ``--tokenizer`` and ``--token_dtype u8``): the UTF-8
  bytes of each term, so a term also matches inside a longer word;
- tokenized (``llama``, ``olmo``, ``gpt2``, ``gptneox``): the tokenizer's ids, with the rules
  of infini-gram's own API server (``api/api_server.py``, ``Processor.tokenize``): Llama-2
  drops the bare "▁" id 29871 that it puts first, the others prefix a space. Either way a
  term matches where it starts a word in running text.
Tokenizers are loaded from the local Hugging Face cache only: halprobe never downloads one
while it runs; a missing one is an error naming the model to fetch.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from halprobe.analysis.corpus import CorpusItem
from halprobe.errors import UserError

Cnf = list[list[list[int]]]
Encoder = Callable[[str], list[int]]

# tokenizer name (as infini-gram's indexer and API server spell it) -> Hugging Face model id
TOKENIZERS = {"llama": "meta-llama/Llama-2-7b-hf", "olmo": "allenai/OLMo-7B-hf",
              "gpt2": "gpt2", "gptneox": "EleutherAI/pythia-6.9b"}
LLAMA_SPACE_ID = 29871
MIN_CHARS = 2  # as the Aho–Corasick counter: shorter terms match almost anywhere


class InfinigramError(UserError):
    """An index, API index or query infini-gram cannot serve; one line for the user."""


@dataclass(frozen=True)
class ItemCount:
    """One item's count and whether infini-gram estimated it from a subsample."""

    count: int
    approx: bool = False


def item_terms(item: CorpusItem, max_aliases: int | None = None
               ) -> tuple[str, list[str]] | None:
    """(subject, accepted answers) as searched, or None when either side has no usable term."""
    subject = " ".join(item.subject.split())
    aliases = list(dict.fromkeys(" ".join(a.split()) for a in item.aliases))
    aliases = [a for a in aliases if len(a) >= MIN_CHARS][:max_aliases]
    if len(subject) < MIN_CHARS or not aliases:
        return None
    return subject, aliases


def item_cnf(item: CorpusItem, encode: Encoder) -> Cnf | None:
    """[[subject], [alias, ...]] as token ids, or None when the item cannot be counted."""
    terms = item_terms(item)
    if terms is None:
        return None
    subject, aliases = terms
    clauses = [[encode(subject)], [ids for ids in map(encode, aliases) if ids]]
    return clauses if all(clauses[0]) and clauses[1] else None


def byte_encoder(term: str) -> list[int]:
    """A byte-level index's encoding: the term's UTF-8 bytes."""
    return list(term.encode("utf-8"))


def tokenizer_encoder(name: str, needed_by: str) -> Encoder:
    """The encoding of an index built with tokenizer ``name``, from the local cache only."""
    if name not in TOKENIZERS:
        raise InfinigramError(f"{needed_by}: unknown tokenizer {name!r}; infini-gram indexes "
                              f"use one of {', '.join(TOKENIZERS)}")
    hub_id = TOKENIZERS[name]
    try:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(hub_id, local_files_only=True,
                                                  add_bos_token=False, add_eos_token=False)
    except (OSError, ValueError, ImportError):
        raise InfinigramError(
            f"{needed_by} is encoded with the {name} tokenizer ({hub_id}), which is not in the "
            f"local Hugging Face cache; halprobe never downloads one while it runs: fetch it "
            f"once with `huggingface-cli download {hub_id}` (gated models need an HF token)"
        ) from None

    def encode(term: str) -> list[int]:
        if name == "llama":
            ids = list(tokenizer.encode(term))
            return ids[1:] if ids[:1] == [LLAMA_SPACE_ID] else ids
        return list(tokenizer.encode(" " + term))

    return encode


class CountCache:
    """Counts on disk keyed by (index identity, query): a rerun asks nothing twice.

    The query key is the canonical JSON of everything that changes the answer (the encoded
    CNF or query string, the window, the subsampling cap, the unit counted).
    """

    def __init__(self, path: Path | None) -> None:
        self.db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path)
            self.db.execute("CREATE TABLE IF NOT EXISTS counts (index_id TEXT, query TEXT, "
                            "count INTEGER, approx INTEGER, PRIMARY KEY (index_id, query))")
        self.hits = 0

    @staticmethod
    def key(query: dict[str, Any]) -> str:
        text = json.dumps(query, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, index_id: str, query: dict[str, Any]) -> ItemCount | None:
        if self.db is None:
            return None
        row = self.db.execute("SELECT count, approx FROM counts WHERE index_id = ? AND "
                              "query = ?", (index_id, self.key(query))).fetchone()
        if row is None:
            return None
        self.hits += 1
        return ItemCount(int(row[0]), bool(row[1]))

    def put(self, index_id: str, query: dict[str, Any], value: ItemCount) -> None:
        if self.db is not None:
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO counts VALUES (?, ?, ?, ?)",
                                (index_id, self.key(query), value.count, int(value.approx)))

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
