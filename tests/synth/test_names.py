"""The name universe: big enough, fixed, and free of words the date grader reads."""

from __future__ import annotations

from halprobe.synth.names import BLOCKED, universe


def test_universe_has_a_million_distinct_names() -> None:
    names = universe()
    assert names.size >= 10**6
    assert len(set(names.first)) == len(names.first)
    assert len(set(names.last)) == len(names.last)


def test_universe_is_fixed_and_lookup_round_trips() -> None:
    names = universe()
    for name_id in (0, 1, 123_456, names.size - 1):
        assert names.lookup(names.name(name_id)) == name_id
    assert names.lookup("Nobody Atall") is None
    assert names.lookup("no-space") is None
    universe.cache_clear()
    assert universe().first == names.first and universe().last == names.last


def test_no_name_part_is_a_month_or_a_cue_word() -> None:
    names = universe()
    words = {w.lower() for w in names.first + names.last}
    assert not words & BLOCKED
    assert all(w.isalpha() for w in words)
