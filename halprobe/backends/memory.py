"""How many sequences a local backend can hold in memory at once."""

from __future__ import annotations


def units_that_fit(per_unit: int, share: float, cap: int, available: int | None = None) -> int:
    """As many units of ``per_unit`` bytes as fit in ``share`` of the available memory (psutil's
    figure unless ``available`` is given), between 1 and ``cap``."""
    if available is None:
        import psutil

        available = int(psutil.virtual_memory().available)
    return max(1, min(cap, int(available * share) // max(1, per_unit)))
