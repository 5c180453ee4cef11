"""Make the builder behind ``python probes/build.py`` importable as ``builder``, as the script
itself sees it (the script's folder is first on its path)."""

from __future__ import annotations

import sys
from pathlib import Path

PROBES = Path(__file__).resolve().parents[2] / "probes"
if str(PROBES) not in sys.path:
    sys.path.insert(0, str(PROBES))
