"""Model-file helpers shared by adapters."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_hex(path: Path, chunk: int = 1 << 20) -> str:
    """The file's full SHA-256, read in chunks (model files are hundreds of MB)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def file_digest(path: Path, chunk: int = 1 << 20) -> str:
    """sha256 of a model file (first 16 hex digits): the fingerprint names the exact weights."""
    return sha256_hex(path, chunk)[:16]
