"""Resolve a --model spec to a backend, by prefix, through lazy factories.

Built-in prefixes import their heavy libraries only when used, so `import halprobe` never
imports torch. Third-party adapters register under the entry-point group `halprobe.backends`:
the entry point's name is the prefix and it loads a callable ``(target, options) -> Backend``.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from halprobe.backends.base import Backend
from halprobe.errors import UserError

Factory = Callable[[str, dict[str, Any]], Backend]

BUILTIN: dict[str, str] = {
    "llamacpp": "halprobe.backends.llamacpp:from_spec",
    "hf": "halprobe.backends.hf:from_spec",
    "openai": "halprobe.backends.openai_compat:from_spec",
    "synth": "halprobe.synth.backend:from_spec",  # the synthetic world (docs/metrics.md 7)
}
DEFAULT_SPEC = "default"
NAMED_PREFIX = "named"  # models shipped on PyPI, named without a prefix (backends/gemma.py)


def check_options(backend: Callable[..., Any], options: dict[str, Any], name: str,
                  set_by_spec: tuple[str, ...] = ()) -> None:
    """Refuse options the backend's constructor does not take (a typo would otherwise be
    ignored silently), or that the model spec sets, naming the ones it does take."""
    params = inspect.signature(backend).parameters.values()
    known = {p.name for p in params if p.default is not inspect.Parameter.empty
             and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)} - set(set_by_spec)
    unknown = sorted(set(options) - known)
    if unknown:
        raise UserError(f"the {name} backend has no option {unknown[0]!r} (--backend-option, "
                        f"or a flag for another backend); its options: {', '.join(sorted(known))}")


def parse_backend_options(pairs: list[str]) -> dict[str, Any]:
    """KEY=VALUE pairs from the command line; values read as YAML scalars (4, 0.5, true)."""
    import yaml

    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            # the argument is not echoed: it could be a key (`-o api_key...` mistyped)
            raise UserError("--backend-option without '=': expected KEY=VALUE, e.g. "
                            "n_threads=2")
        try:
            value = yaml.safe_load(raw) if raw.strip() else raw
        except yaml.YAMLError:
            value = raw
        options[key.strip()] = value if isinstance(value, str | int | float | bool) else raw
    return options


def _load(target: str) -> Factory:
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    factory: Factory = getattr(module, attr)
    return factory


def _plugins() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group="halprobe.backends")}


def prefixes() -> list[str]:
    return sorted({*BUILTIN, *_plugins()})


def split_spec(spec: str | None) -> tuple[str, str]:
    """'hf:org/model' -> ('hf', 'org/model'); None or 'default' -> the embedded model;
    a named model ('gemma3-270m') -> ('named', 'gemma3-270m')."""
    from halprobe.backends.gemma import NAMED

    if spec is None or spec == DEFAULT_SPEC:
        return DEFAULT_SPEC, ""
    if spec in NAMED:
        return NAMED_PREFIX, spec
    prefix, sep, target = spec.partition(":")
    if not sep or not target:
        raise UserError(f"model spec {spec!r} has no prefix; use one of "
                        f"{', '.join(p + ':' for p in prefixes())}, a named model "
                        f"({', '.join(sorted(NAMED))}), or leave --model out for the "
                        "embedded default model")
    return prefix, target


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
    plugins = _plugins()
    if prefix in BUILTIN:
        factory = _load(BUILTIN[prefix])
    elif prefix in plugins:
        factory = plugins[prefix].load()
    else:
        raise UserError(f"unknown model spec prefix {prefix!r} in {spec!r}; known prefixes: "
                        f"{', '.join(p + ':' for p in prefixes())}")
    return factory(target, options)
