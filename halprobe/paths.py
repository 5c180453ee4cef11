"""Where halprobe keeps files it derives on this machine (converted models, lookup indexes).

``HALPROBE_HOME`` moves it; the default follows the XDG cache convention. Everything there can be
deleted at any time: it is rebuilt from the installed packages on the next use.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    home = os.environ.get("HALPROBE_HOME")
    if home:
        return Path(home)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "halprobe"
