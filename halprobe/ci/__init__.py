"""halprobe in CI: cassettes that replay HTTP, the regression gate, the pytest plugin.

The record modes live here, not in cassettes.py, so the CLI and the pytest plugin can name
them without importing vcrpy.
"""

from enum import StrEnum


class RecordMode(StrEnum):
    """vcrpy record modes: none replays only (CI), once records a new cassette,
    new_episodes adds, all re-records."""

    none = "none"
    once = "once"
    new_episodes = "new_episodes"
    all = "all"


RECORD_MODES = tuple(mode.value for mode in RecordMode)
