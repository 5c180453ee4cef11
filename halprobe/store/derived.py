"""Where halprobe keeps files it derives on this machine (converted models, lookup indexes,
validated suites), and how it names and writes them.

``HALPROBE_HOME`` moves it; the default follows the XDG cache convention. Everything there can be
deleted at any time: it is rebuilt from the installed packages and the suite files on next use.
A derived file's name carries a hash of its inputs and of the code that derives it, so a new
halprobe or changed data never reads a stale copy.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TypeVar

T = TypeVar("T")


def cache_root() -> Path:
    home = os.environ.get("HALPROBE_HOME")
    if home:
        return Path(home)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "halprobe"


def derived_path(kind: str, stem: str, modules: tuple[ModuleType, ...], *inputs: str) -> Path:
    """cache_root()/kind/stem-<hash of the modules' source and the inputs>.bin."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(module.__file__ or "").read_bytes())
    for value in inputs:
        digest.update(b"\0" + value.encode())
    return cache_root() / kind / f"{stem}-{digest.hexdigest()[:16]}.bin"


def write_derived(path: Path, data: bytes) -> None:
    """Write atomically (a reader never sees half a file); a cache that cannot be written
    is not an error, it only costs rebuilding next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(data)
        os.replace(tmp.name, path)
    except OSError:
        pass


def derived(path: Path, build: Callable[[], T], dump: Callable[[T], bytes],
            load: Callable[[bytes], T]) -> T:
    """The value kept at ``path`` (read with ``load``), else ``build()``, kept there for next
    time with ``dump``. A file that cannot be read back (missing, damaged, from another Python)
    is rebuilt; ``load`` raises ValueError or TypeError for content of the wrong shape."""
    try:
        data = path.read_bytes()
        with gc_paused():
            return load(data)
    except (OSError, EOFError, ValueError, TypeError, AttributeError, pickle.UnpicklingError):
        pass
    value = build()
    write_derived(path, dump(value))
    return value


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a derived file is read back, and what was read
    frozen (gc.freeze) before it is turned on again: the tens of thousands of containers it
    creates would otherwise set off collections that walk every object of the process (the
    built-in suites: 0.17-0.46 s with it on, 0.09 s off), and the first collection after it is
    on again walked them all once more (0.09 s). What is read lives as long as the process and
    has no reference cycles, so there is nothing for the collector to find in it; freed objects
    are still freed when their last reference goes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
