"""Model-file helpers shared by adapters."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_digest(path: Path, chunk: int = 1 << 20) -> str:
    """sha256 of a model file (first 16 hex digits): the fingerprint names the exact weights."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()[:16]
