"""Reference-corpus co-occurrence counts (docs/metrics.md section 3, issue 5)."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from halprobe.analysis.corpus import CorpusItem, corpus_items, count_cooccurrences
from halprobe.analysis.corpus_read import CorpusError
from halprobe.types import AnswerType, ProbeItem

ITEMS = [
    CorpusItem("fr", "France", ("Paris",)),
    CorpusItem("ny", "New York State", ("Albany",)),
    CorpusItem("zola", "Émile Zola", ("Paris", "Île-de-France")),
    CorpusItem("ch", "Zürich", ("Kanton Zürich",)),
    CorpusItem("dk", "Ærø", ("Ærøskøbing",)),
    CorpusItem("jp", "Japan", ("東京", "Tokyo")),
]
SEPARATORS = {"\u00a0", "\u00ab", "\u00b7", "\u00bb", "\u2010", "\u2011", "\u2013", "\u2014",
              "\u2018", "\u2019", "\u201c", "\u201d", "\u2026", "\u200b", "\u3000", "\u3001",
              "\u3002", "\uff0c"}


def _normalise(text: str) -> str:
    """Independent, slow statement of the matching rule: word chars are ASCII letters and
    digits and non-ASCII characters other than the listed separators; case folded."""
    chars = [c if (c.isascii() and c.isalnum()) or (not c.isascii() and c not in SEPARATORS)
             else " " for c in text]
    return " " + "".join(chars).lower() + " "


def _reference(docs: list[str], items: list[CorpusItem]) -> dict[str, int]:
    counts = dict.fromkeys((item.item_id for item in items), 0)
    for doc in docs:
        text = _normalise(doc)
        for item in items:
            subject = f" {_normalise(item.subject).strip()} " in text
            alias = any(f" {_normalise(a).strip()} " in text for a in item.aliases)
            counts[item.item_id] += subject and alias
    return counts


def _write(path: Path, docs: list[str]) -> Path:
    path.write_text("".join(doc + "\n" for doc in docs), encoding="utf-8")
    return path


def test_whole_words_case_and_punctuation(tmp_path: Path) -> None:
    docs = [
        "The capital of FRANCE is Paris.",            # fr, and zola? no subject
        "Comparison: france's parisian cafés",        # nothing (Parisian, comparison)
        "France’s capital, Paris…",                   # fr (curly quote, ellipsis)
        "France",                                     # subject alone
        "Paris",                                      # answer alone, next document
        "Émile Zola lived in PARIS (Île-de-France).",  # zola and fr
        "new york state capital: Albany",             # ny
        "Zürich is in the Kanton Zürich; Ærø near Ærøskøbing",  # ch, dk
        "Japan 東京 and Tokyo",                        # jp once, not twice
    ]
    result = count_cooccurrences(_write(tmp_path / "c.txt", docs), ITEMS)
    assert result.counts == {"fr": 3, "ny": 1, "zola": 1, "ch": 1, "dk": 1, "jp": 1}
    assert result.counts == _reference(docs, ITEMS)
    assert result.n_documents == len(docs)
    # N_1 = facts seen once (ny, zola, ch, dk, jp), n = 8 mentions
    assert result.monofact == pytest.approx(5 / 8)


def _random_docs(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    names = [name for item in ITEMS for name in (item.subject, *item.aliases)]
    filler = ["the", "of", "parisian", "comparison", "new", "york", "state", "zola2", "émile",
              "zürichsee", "japanese", "toky", "ile", "de", "France-Presse", "Albanyx"]
    wrappers = ["{}", "({})", "{},", "{}’s", "“{}”", "{}.", "{}—", "{}\u00a0"]
    docs = []
    for _ in range(n):
        words = rng.choices(filler, k=rng.randint(0, 12))
        for _ in range(rng.randint(0, 3)):
            name = rng.choice(names)
            name = rng.choice([name, name.upper(), name.lower()])
            words.insert(rng.randint(0, len(words)), rng.choice(wrappers).format(name))
        docs.append(" ".join(words))
    return docs


@pytest.mark.parametrize("seed", [0, 1])
def test_prefilter_and_automaton_agree_with_a_naive_reference(tmp_path: Path, seed: int) -> None:
    docs = _random_docs(seed, 400)
    path = _write(tmp_path / "c.txt", docs)
    expected = _reference(docs, ITEMS)
    assert sum(expected.values()) > 50
    for prefilter in (True, False):
        for block in (97, 1 << 20):  # tiny blocks cut between documents
            got = count_cooccurrences(path, ITEMS, block_bytes=block, prefilter=prefilter)
            assert got.counts == expected
            assert got.n_documents == len(docs)


def test_jsonl_field_skips_and_newlines_inside_text(tmp_path: Path) -> None:
    lines = [json.dumps({"body": "France\nand its capital Paris"}),
             json.dumps({"text": "France Paris"}),  # no 'body': skipped
             json.dumps({"body": None}),  # not a string: skipped
             "",
             json.dumps({"body": "Japan"}),
             json.dumps({"body": "Tokyo"})]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = count_cooccurrences(path, ITEMS, text_field="body")
    assert result.counts["fr"] == 1 and result.counts["jp"] == 0
    assert result.n_documents == 3 and result.n_skipped == 2


@pytest.mark.parametrize("bad", ["not json", '{"text": "France Paris', '["France Paris"]',
                                 '{"text": "a\\qb"}', '{"text": "a"}, {"text": "b"}', "1"])
def test_a_bad_jsonl_line_names_the_file_and_line(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"text": "France Paris"}) + "\n\n" + bad + "\n",
                    encoding="utf-8")
    with pytest.raises(CorpusError, match=r"c\.jsonl: line 3: not (valid JSON|a JSON object)"):
        count_cooccurrences(path, ITEMS)


def test_jsonl_text_field_is_read_as_json_reads_it(tmp_path: Path) -> None:
    """The fast reader of the text field against json.loads: escapes, nested objects, a
    key that is also a value, keys inside strings, ensure_ascii escapes."""
    records = [
        {"id": 1, "text": "France \"Paris\" \\ end"},           # escaped quote, backslash
        {"meta": {"text": "France Paris"}, "text": "nothing"},   # nested key first
        {"meta": {"text": "France Paris"}},                      # only a nested key: skipped
        {"kind": "text", "text": "Paris, France"},               # "text" as a value too
        {"title": "\"text\": France Paris", "text": "Japan"},    # the key inside a string
        {"text": "Émile Zola, Île-de-France\r\nÆrø"},           # escapes of non-ASCII
        {"text": "Zürich\tKanton Zürich", "n": [1, {"x": 2}]},
    ]
    lines = [json.dumps(r) for r in records] + [json.dumps(records[5], ensure_ascii=False),
                                                 '{ "text" :  "Japan Tokyo" }']
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    texts = [r.get("text") for r in map(json.loads, lines)]
    docs = [t for t in texts if isinstance(t, str)]
    result = count_cooccurrences(path, ITEMS)
    assert result.counts == _reference(docs, ITEMS)
    assert result.counts["fr"] == 2 and result.counts["zola"] == 2 and result.counts["jp"] == 1
    assert result.n_documents == len(docs) == 8 and result.n_skipped == 1


def test_folder_is_read_recursively_with_gzip(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "a.txt", ["France Paris"])
    with gzip.open(tmp_path / "sub" / "b.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"text": "Paris, France"}) + "\n")
    (tmp_path / "notes.md").write_text("France Paris\n")
    result = count_cooccurrences(tmp_path, ITEMS)
    assert result.counts["fr"] == 2 and len(result.files) == 2
    with pytest.raises(FileNotFoundError):
        count_cooccurrences(tmp_path / "missing", ITEMS)


def test_corpus_items_from_probe_items() -> None:
    probe = [
        ProbeItem("c/FRA", "capitals", "Capital of France?", "Paris", ("Paris", "Paname"),
                  AnswerType.ENTITY, subject="France"),
        ProbeItem("c/X", "capitals", "Capital of X?", "Y", (), AnswerType.ENTITY),
    ]
    assert corpus_items(probe) == [CorpusItem("c/FRA", "France", ("Paris", "Paname"))]


def test_short_patterns_are_ignored(tmp_path: Path) -> None:
    items = [CorpusItem("x", "A", ("France",))]
    assert count_cooccurrences(_write(tmp_path / "c.txt", ["A France"]), items).counts == {"x": 0}


def test_crlf_and_last_line_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_bytes(b"France Paris\r\nParis\r\nFrance and Paris")
    result = count_cooccurrences(path, ITEMS)
    assert result.counts["fr"] == 2 and result.n_documents == 3


def test_progress_reports_every_byte_on_disk(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", ["France Paris"] * 500)
    with gzip.open(tmp_path / "b.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps({"text": f"Paris, France {n}"}) + "\n" for n in range(500))
    seen: list[int] = []
    result = count_cooccurrences(tmp_path, ITEMS, block_bytes=512, progress=seen.append)
    assert sum(seen) == result.n_bytes == sum(p.stat().st_size for p in tmp_path.iterdir())
    assert len(seen) > 10 and result.counts["fr"] == 1000


@pytest.mark.parametrize("seed", [0, 1])
def test_jsonl_layouts_count_as_json_loads_reads_them(tmp_path: Path, seed: int) -> None:
    """Random documents written in every JSONL layout (key order, separators, CRLF,
    ensure_ascii, nested objects, a missing field): counts equal a json.loads reference, for
    blocks that cut documents anywhere."""
    rng = random.Random(seed)
    lines, texts = [], []
    for index, doc in enumerate(_random_docs(seed, 300)):
        if rng.random() < 0.2:
            doc = doc.replace(" ", rng.choice(["\n", "\t", '"', "\\", " / "]), 2)
        record: dict[str, object] = {"id": index, "text": doc}
        if rng.random() < 0.3:
            record = {"text": doc, "meta": {"text": "France Paris", "n": [1, {"x": "{"}]}}
        if rng.random() < 0.1:
            record = {"id": index, "body": doc}  # no text: skipped
        else:
            texts.append(doc)
        line = json.dumps(record, ensure_ascii=rng.random() < 0.5,
                          separators=rng.choice([(", ", ": "), (",", ":")]))
        lines.append(line + rng.choice(["\n", "\r\n"]))
    path = tmp_path / "c.jsonl"
    path.write_bytes("".join(lines).encode("utf-8"))
    expected = _reference(texts, ITEMS)
    assert sum(expected.values()) > 30
    for block in (97, 1 << 20):
        got = count_cooccurrences(path, ITEMS, block_bytes=block)
        assert got.counts == expected
        assert got.n_documents == len(texts) and got.n_skipped == len(lines) - len(texts)
