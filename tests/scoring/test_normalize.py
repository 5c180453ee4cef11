"""The shared core: folding keeps offsets, normalising compares names, spans are whole words."""

from __future__ import annotations

import pytest

from halprobe.scoring.normalize import alias_pattern, find_alias, find_spans, fold, normalize


def test_fold_strips_accents_and_keeps_length() -> None:
    text = "Bogotá, Asunción, Hagåtña, Łódź"
    assert fold(text) == "Bogota, Asuncion, Hagatna, Lodz"
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize(("raw", "expected"), [
    ("The Hague", "hague"),
    ("Washington, D.C.", "washington dc"),
    ("N’Djamena", "ndjamena"),
    ("Porto-Novo", "porto novo"),
    ("  SÃO   Tomé ", "sao tome"),
])
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_span_is_original_text_with_accents() -> None:
    span = find_alias("Bogota", "The capital of Colombia is Bogotá.")
    assert span is not None and span.text == "Bogotá"


def test_accented_alias_matches_plain_response() -> None:
    span = find_alias("Bogotá", "It is Bogota.")
    assert span is not None and span.text == "Bogota"


def test_whole_words_only() -> None:
    assert find_alias("Rome", "Romeo and Juliet") is None
    assert find_alias("Male", "a female doctor") is None


@pytest.mark.parametrize("response", ["Washington, D.C.", "Washington DC", "washington d. c."])
def test_punctuation_inside_alias_is_flexible(response: str) -> None:
    assert find_alias("Washington, D.C.", response) is not None


def test_optional_article_and_saint() -> None:
    assert find_alias("The Hague", "the seat is Hague") is not None
    assert find_alias("St. John's", "Saint John's is the capital") is not None


def test_pattern_finds_all_aliases_longest_first() -> None:
    pattern = alias_pattern(("Luxembourg", "Luxembourg City"))
    spans = find_spans(pattern, "Luxembourg City, Luxembourg")
    assert [s.text for s in spans] == ["Luxembourg City", "Luxembourg"]
