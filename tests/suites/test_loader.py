"""Suite validation reports every problem with file:line and field; good suites load binned."""

from __future__ import annotations

from pathlib import Path

import pytest

from halprobe.errors import SuiteError
from halprobe.suites import load_suite
from tests.conftest import ITEMS, SUITE_YAML, write_suite


def test_valid_suite_loads_with_bins(tiny_suite: Path) -> None:
    suite = load_suite(tiny_suite)
    bins = {i.id: i.bin for i in suite.items}
    # log10 populations: France 7.83 -> bin 1, Burkina Faso 7.36 -> bin 1, Barbados 5.45 -> bin 0
    assert bins == {"tiny/FRA": 1, "tiny/BFA": 1, "tiny/BRB": 0}
    assert suite.items[0].aliases == ("Paris",)
    assert suite.spec.render("Q?") == "Q?"


def test_each_bad_row_is_reported_with_file_line_and_field(tmp_path: Path) -> None:
    bad = [
        ITEMS[0],
        {**ITEMS[1], "answer_type": "city"},
        {**ITEMS[2], "popularity": "many"},
        {k: v for k, v in ITEMS[0].items() if k != "question"} | {"id": "tiny/X"},
    ]
    path = write_suite(tmp_path / "s", bad)
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    items = tmp_path / "s" / "items.jsonl"
    problems = info.value.problems
    assert any(p.startswith(f"{items}:2:") and "'answer_type'" in p for p in problems)
    assert any(p.startswith(f"{items}:3:") and "'popularity'" in p for p in problems)
    assert any(p.startswith(f"{items}:4:") and "'question'" in p for p in problems)
    assert not any(p.startswith(f"{items}:1:") for p in problems)


def test_duplicate_id_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    path = write_suite(tmp_path / "s", [ITEMS[0], ITEMS[1], ITEMS[0]])
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    assert info.value.problems == [
        f"{tmp_path / 's' / 'items.jsonl'}:3: field 'id': duplicate id 'tiny/FRA' "
        "(first on line 1)"]


def test_broken_json_line_is_reported(tmp_path: Path) -> None:
    path = write_suite(tmp_path / "s", ITEMS)
    items = tmp_path / "s" / "items.jsonl"
    items.write_text(items.read_text() + '{"id": "tiny/Y",\n', encoding="utf-8")
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    assert info.value.problems[0].startswith(f"{items}:4: not valid JSON")


def test_item_without_proxy_or_bin_cannot_be_binned(tmp_path: Path) -> None:
    row = {k: v for k, v in ITEMS[0].items() if k != "popularity"}
    path = write_suite(tmp_path / "s", [row])
    with pytest.raises(SuiteError, match=r"items.jsonl:1: field 'bin'"):
        load_suite(path)


def test_popularity_outside_the_bin_edges_is_refused_not_put_in_an_end_bin(
        tmp_path: Path) -> None:
    """Edges 5..8 on log10: Tuvalu's 9,816 people (3.99) and a country of 10^9 (9.0) lie outside;
    an edge value itself (10^8 = 8.0) is inside, in the last bin."""
    rows = [ITEMS[0],
            {**ITEMS[0], "id": "tiny/TUV", "popularity": 9_816},
            {**ITEMS[0], "id": "tiny/BIG", "popularity": 1_000_000_000},
            {**ITEMS[0], "id": "tiny/EDGE", "popularity": 100_000_000}]
    path = write_suite(tmp_path / "s", rows)
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    items = tmp_path / "s" / "items.jsonl"
    assert info.value.problems == [
        f"{items}:2: field 'popularity': popularity 9816 is log10 3.99, outside the bin edges "
        "[5, 8] of suite.yaml: widen the first or last edge, or give the item an explicit 'bin'",
        f"{items}:3: field 'popularity': popularity 1e+09 is log10 9, outside the bin edges "
        "[5, 8] of suite.yaml: widen the first or last edge, or give the item an explicit 'bin'"]
    fine = load_suite(write_suite(tmp_path / "ok", [ITEMS[0], rows[3]]))
    assert [i.bin for i in fine.items] == [1, 1]


def test_control_with_explicit_bin_needs_no_answer(tmp_path: Path) -> None:
    control = {"id": "c/1", "question": "What is the capital of Zembla?", "answer": None,
               "aliases": [], "answer_type": "entity", "exists": False, "bin": 0}
    suite = load_suite(write_suite(tmp_path / "s", [control]))
    assert suite.items[0].exists is False and suite.items[0].bin == 0


def test_suite_yaml_problems_name_the_line(tmp_path: Path) -> None:
    text = SUITE_YAML.replace('template: "{question}"', 'template: "Tell me"')
    path = write_suite(tmp_path / "s", ITEMS, yaml_text=text)
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    assert info.value.problems == [f"{path}:6: prompt.template must be a string containing "
                                   "'{question}'"]


def test_fact_kind_defaults_to_systematic_and_is_validated(tmp_path: Path) -> None:
    assert load_suite(write_suite(tmp_path / "a", ITEMS)).spec.fact_kind == "systematic"
    text = SUITE_YAML.replace("version: 0.1.0\n", "version: 0.1.0\nfact_kind: arbitrary\n")
    assert load_suite(write_suite(tmp_path / "b", ITEMS, yaml_text=text)).spec.fact_kind \
        == "arbitrary"
    bad = SUITE_YAML.replace("version: 0.1.0\n", "version: 0.1.0\nfact_kind: random\n")
    path = write_suite(tmp_path / "c", ITEMS, yaml_text=bad)
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    assert info.value.problems == [f"{path}:3: fact_kind is 'random'; expected one of "
                                   "['arbitrary', 'systematic'] (default systematic)"]


def test_invalid_yaml_reports_line(tmp_path: Path) -> None:
    path = write_suite(tmp_path / "s", ITEMS, yaml_text="name: x\nbins: [1, 2\n")
    with pytest.raises(SuiteError, match=r"suite.yaml:3: not valid YAML"):
        load_suite(path)


def test_csv_suite_with_column_map(tmp_path: Path) -> None:
    directory = tmp_path / "csv"
    directory.mkdir()
    (directory / "items.csv").write_text(
        "key,q,a,alts,pop,kind\n"
        "c/FRA,What is the capital of France?,Paris,Paris,68000000,entity\n"
        "c/BRB,What is the capital of Barbados?,Bridgetown,Bridgetown|Bridge Town,282467,\n",
        encoding="utf-8")
    (directory / "suite.yaml").write_text(
        SUITE_YAML + "items: items.csv\ncolumns: {id: key, question: q, answer: a, "
        "aliases: alts, popularity: pop, answer_type: kind}\n", encoding="utf-8")
    with pytest.raises(SuiteError) as info:
        load_suite(directory / "suite.yaml")
    assert info.value.problems == [
        f"{directory / 'items.csv'}:3: missing required field 'answer_type'"]
    csv_path = directory / "items.csv"
    csv_path.write_text(csv_path.read_text().replace("282467,\n", "282467,entity\n"))
    suite = load_suite(directory / "suite.yaml")
    assert [i.aliases for i in suite.items] == [("Paris",), ("Bridgetown", "Bridge Town")]
    assert [i.bin for i in suite.items] == [1, 0]


def test_validated_suite_is_read_back_from_the_cache_until_its_file_changes(
        tiny_suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALPROBE_HOME", str(tmp_path / "home"))
    first = load_suite(tiny_suite)
    (cached,) = (tmp_path / "home" / "suites").glob("*.bin")
    assert load_suite(tiny_suite).items == first.items
    items_file = first.spec.items_path
    lines = items_file.read_text(encoding="utf-8").splitlines(keepends=True)
    items_file.write_text("".join(lines[1:]), encoding="utf-8")  # drop the first item
    changed = load_suite(tiny_suite)
    assert [i.id for i in changed.items] == [i.id for i in first.items][1:]
    cached.write_bytes(b"not a pickle")  # a damaged cache file is ignored, not fatal
    items_file.write_text("".join(lines), encoding="utf-8")
    assert load_suite(tiny_suite).items == first.items


def test_a_broken_suite_is_never_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALPROBE_HOME", str(tmp_path / "home"))
    path = write_suite(tmp_path / "broken", [{"id": "x", "question": "Q?"}])
    with pytest.raises(SuiteError):
        load_suite(path)
    assert not (tmp_path / "home" / "suites").exists()
