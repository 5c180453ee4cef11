"""The geonames name index is built once per machine and read back from the halprobe cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from halprobe.scoring import places


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("HALPROBE_HOME", str(tmp_path))
    places._load_index.cache_clear()
    yield tmp_path / "places"
    places._load_index.cache_clear()


def test_index_is_saved_then_read_back_equal(fresh_cache: Path) -> None:
    built = places.index()
    files = list(fresh_cache.glob("index-*.bin"))
    assert len(files) == 1
    places._load_index.cache_clear()
    read = places.index()
    assert read == built
    assert read.city(703448).name == "Kyiv"  # geonames id of Kyiv
    assert "Kiev" in places.alternates(("Kyiv",), "UA")
    assert places.capital_of("Burkina Faso") == "Ouagadougou"


def test_damaged_cache_file_is_rebuilt(fresh_cache: Path) -> None:
    places.index()
    (path,) = fresh_cache.glob("index-*.bin")
    path.write_bytes(b"\x00not marshal")
    places._load_index.cache_clear()
    assert places.country_code("France") == "FR"
    assert path.stat().st_size > 1_000_000  # written again, whole


def test_unwritable_cache_still_grades(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("HALPROBE_HOME", str(blocker))
    places._load_index.cache_clear()
    try:
        assert places.is_place("Ouagadougou")
    finally:
        places._load_index.cache_clear()
