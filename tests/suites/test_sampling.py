"""Sampling is stratified, seeded and stable."""

from __future__ import annotations

from halprobe.suites.selection import sample
from halprobe.types import AnswerType, ProbeItem


def _items() -> list[ProbeItem]:
    return [ProbeItem(id=f"s/{b}-{k}", suite="s", question="q", answer="a", aliases=("a",),
                      answer_type=AnswerType.ENTITY, bin=b) for b in range(3) for k in range(10)]


def test_per_bin_takes_that_many_from_each_bin() -> None:
    chosen = sample(_items(), per_bin=4, limit=None, seed=1)
    assert sorted(i.bin for i in chosen) == [0] * 4 + [1] * 4 + [2] * 4


def test_same_seed_same_items_other_seed_other_items() -> None:
    a = [i.id for i in sample(_items(), 4, None, seed=1)]
    assert a == [i.id for i in sample(list(reversed(_items())), 4, None, seed=1)]
    assert a != [i.id for i in sample(_items(), 4, None, seed=2)]


def test_limit_keeps_strata_interleaved() -> None:
    chosen = sample(_items(), per_bin=None, limit=3, seed=0)
    assert [i.bin for i in chosen] == [0, 1, 2]
