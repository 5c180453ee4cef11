"""halprobe: measure how often language models state false facts, and why.

`import halprobe` is light (no torch); models load only when a backend is created.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("halprobe")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

if TYPE_CHECKING:
    from halprobe.types import Grade, ProbeItem


def grade(item: ProbeItem | dict[str, Any], response: str) -> Grade:
    """Grade one response to one probe item (a ProbeItem or an items.jsonl-style dict)."""
    from halprobe.scoring import grade as _grade
    from halprobe.suites.schema import item_from_dict

    probe = item_from_dict(item) if isinstance(item, dict) else item
    return _grade(probe, response)


def load_run(path: Any) -> Any:
    """A run directory as DataFrames: `.config`, `.responses`, `.summary` (see store.load)."""
    from halprobe.store.load import load_run as _load_run

    return _load_run(path)


__all__ = ["__version__", "grade", "load_run"]
