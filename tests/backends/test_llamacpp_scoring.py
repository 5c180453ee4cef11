"""The scorer's bookkeeping, without a model: prefixes and call pieces worked out by hand."""

from __future__ import annotations

from halprobe.backends.llamacpp_scoring import pieces, shared_prefix


def test_shared_prefix_counts_the_common_start() -> None:
    assert shared_prefix([1, 2, 3, 4], [1, 2, 9]) == 2
    assert shared_prefix([1, 2], [1, 2, 3]) == 2
    assert shared_prefix([], [1]) == 0


def test_pieces_never_leave_a_one_token_piece() -> None:
    assert pieces(0, 10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert pieces(0, 9, 4) == [(0, 4), (4, 7), (7, 9)]  # not (8, 9): one token
    assert pieces(3, 5, 512) == [(3, 5)]
    assert pieces(5, 5, 4) == []
