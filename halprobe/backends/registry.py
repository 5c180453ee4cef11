"""Resolve a --model spec to a backend, by prefix, through lazy factories.

Built-in prefixes import their heavy libraries only when used, so `import halprobe` never
imports torch. Third-party adapters register under the entry-point group `halprobe.backends`:
the entry point's name is the prefix and it loads a callable ``(target, options) -> Backend``.
Parsing and option checks live in ``spec.py``, which adapters import; this module imports
adapters, never the other way.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from halprobe.backends.base import Backend
from halprobe.backends.spec import (
    BUILTIN,
    DEFAULT_SPEC,
    NAMED_PREFIX,
    plugins,
    prefixes,
    split_spec,
)
from halprobe.errors import UserError

Factory = Callable[[str, dict[str, Any]], Backend]


def _load(target: str) -> Factory:
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    factory: Factory = getattr(module, attr)
    return factory


def create(spec: str | None, options: dict[str, Any] | None = None) -> Backend:
    """Build the backend a spec names, loading its model now."""
    options = dict(options or {})
    prefix, target = split_spec(spec)
    if prefix == DEFAULT_SPEC:
        from halprobe.backends.default import default_backend

        return default_backend(options)
    if prefix == NAMED_PREFIX:
        from halprobe.backends.gemma import named_backend

        return named_backend(target, options)
    found = plugins()
    if prefix in BUILTIN:
        factory = _load(BUILTIN[prefix])
    elif prefix in found:
        factory = found[prefix].load()
    else:
        raise UserError(f"unknown model spec prefix {prefix!r} in {spec!r}; known prefixes: "
                        f"{', '.join(p + ':' for p in prefixes())}")
    return factory(target, options)
