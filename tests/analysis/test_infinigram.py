"""infini-gram counts from a real byte-level index built by infini-gram's own indexer, checked
against the Aho–Corasick counter on the same corpus (tests/infinigram_index.py)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from halprobe.analysis.corpus import CorpusItem, count_cooccurrences
from halprobe.analysis.infinigram import count_local, inspect_index
from halprobe.analysis.infinigram_query import CountCache, InfinigramError
from halprobe.errors import MissingDependencyError, UserError
from halprobe.run.count_sources import parse_spec
from tests.infinigram_index import DIFFERENCES, EQUAL, build_index, write_corpus
from tests.test_eval_model import CAPITALS

ITEMS = [CorpusItem(f"t/{code}", name, (capital,)) for code, name, capital, _ in CAPITALS]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("ig")
    corpus = write_corpus(root / "corpus")
    return corpus, build_index(corpus, root / "index")


def test_counts_match_the_counter_except_by_the_documented_rules(built: tuple[Path, Path]
                                                                  ) -> None:
    corpus, index = built
    counter = count_cooccurrences(corpus, ITEMS).counts
    counts = count_local(index, ITEMS, CountCache(None))
    assert set(counts.counts) == set(counter) == {item.item_id for item in ITEMS}
    for item_id, expected in EQUAL.items():
        assert counts.counts[item_id] == counter[item_id] == expected, item_id
    for item_id, (by_counter, by_index, _why) in DIFFERENCES.items():
        assert (counter[item_id], counts.counts[item_id]) == (by_counter, by_index), item_id
    others = set(counter) - set(EQUAL) - set(DIFFERENCES)
    assert all(counter[i] == counts.counts[i] == 0 for i in others)
    assert counts.n_documents == 15 and counts.source["unit"] == "documents"
    assert counts.source["token_dtype"] == "u8" and not counts.source["approx_items"]


def test_the_window_decides_what_co_occurs(built: tuple[Path, Path]) -> None:
    _, index = built
    peru = [i for i in ITEMS if i.item_id == "t/PER"]
    assert count_local(index, peru, CountCache(None), window=100).counts == {"t/PER": 0}
    assert count_local(index, peru, CountCache(None), window=200).counts == {"t/PER": 1}


def test_a_rerun_reads_every_count_from_the_cache(built: tuple[Path, Path],
                                                  tmp_path: Path) -> None:
    _, index = built
    first = count_local(index, ITEMS, CountCache(tmp_path / "c.sqlite"))
    again = count_local(index, ITEMS, CountCache(tmp_path / "c.sqlite"))
    assert first.source["cache_hits"] == 0 and again.source["cache_hits"] == len(ITEMS)
    assert again.counts == first.counts
    wider = count_local(index, ITEMS, CountCache(tmp_path / "c.sqlite"), window=200)
    assert wider.source["cache_hits"] == 0  # the window is part of the key


def test_a_missing_or_malformed_index_is_one_line(built: tuple[Path, Path],
                                                  tmp_path: Path) -> None:
    _, index = built
    with pytest.raises(InfinigramError, match="no such folder"):
        inspect_index(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InfinigramError, match=r"not an infini-gram index"):
        inspect_index(tmp_path / "empty")
    broken = shutil.copytree(index, tmp_path / "broken")
    (broken / "offset.0").unlink()
    with pytest.raises(InfinigramError, match="incomplete index: 1 tokenized, 1 table, 0 offset"):
        inspect_index(broken)
    cut = shutil.copytree(index, tmp_path / "cut")
    data = (cut / "table.0").read_bytes()
    (cut / "table.0").write_bytes(data[: len(data) - 3])
    with pytest.raises(InfinigramError, match="malformed index"):
        inspect_index(cut)
    word = shutil.copytree(index, tmp_path / "stable")  # the engine would misread its files
    with pytest.raises(InfinigramError, match="holds 'table'"):
        inspect_index(word)


def test_an_index_of_token_ids_needs_its_tokenizer_named(tmp_path: Path) -> None:
    wide = tmp_path / "u16"
    wide.mkdir()
    (wide / "tokenized.0").write_bytes(b"\xff" * 64)  # 32 two-byte tokens
    (wide / "table.0").write_bytes(b"\0" * 32)  # one 1-byte pointer a token
    (wide / "offset.0").write_bytes(b"\0" * 8)
    assert inspect_index(wide).dtype == "u16"
    with pytest.raises(InfinigramError, match=r"u16 \(tokenized\) index: name the tokenizer"):
        count_local(wide, ITEMS, CountCache(None))
    with pytest.raises(InfinigramError, match="unknown tokenizer 'bert'"):
        count_local(wide, ITEMS, CountCache(None), tokenizer="bert")


def test_a_byte_level_index_takes_no_tokenizer(built: tuple[Path, Path]) -> None:
    _, index = built
    with pytest.raises(InfinigramError, match=r"byte-level .* drop tokenizer=llama"):
        count_local(index, ITEMS, CountCache(None), tokenizer="llama")


def test_without_the_package_one_error_names_the_install(built: tuple[Path, Path],
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    _, index = built
    monkeypatch.setitem(sys.modules, "infini_gram.engine", None)  # as if not installed
    with pytest.raises(MissingDependencyError, match="pip install 'infini-gram'"):
        count_local(index, ITEMS, CountCache(None))


@pytest.mark.parametrize(("spec", "message"), [
    ("infinigram:", "expected infinigram:DIR"),
    ("infinigram:x?window=0", "window must be a positive integer"),
    ("infinigram:x?size=3", "unknown: size"),
    ("infinigram-api:v4_piletrain_llama?window=5000", r"at most 1000 on the API"),
    ("infinigram-api:v4_piletrain_llama?tokenizer=llama", "knows its indexes' tokenizers"),
])
def test_a_bad_spec_is_one_line(spec: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_spec(spec)


def test_spec_options_are_read() -> None:
    spec = parse_spec("infinigram:/data/idx?window=30&max_clause_freq=9&tokenizer=llama")
    assert spec is not None and not spec.api and spec.target == "/data/idx"
    assert (spec.window, spec.max_clause_freq, spec.tokenizer) == (30, 9, "llama")
    assert parse_spec("corpus/web") is None
