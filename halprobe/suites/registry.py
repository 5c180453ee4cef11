"""Find suites by name (built-in) or by path (a user's suite.yaml), with no code change."""

from __future__ import annotations

from pathlib import Path

from halprobe.errors import UserError
from halprobe.suites.loader import Suite, load_suite

DEFAULT_SUITES = ("capitals", "papers", "obituaries", "controls")


def builtin_root() -> Path:
    """probes/ of a source checkout, or the copy packed into an installed wheel."""
    packaged = Path(__file__).resolve().parents[1] / "_probes"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "probes"


def builtin_names() -> list[str]:
    root = builtin_root()
    return sorted(p.parent.name for p in root.glob("*/suite.yaml"))


def resolve(name_or_path: str) -> Path:
    """The suite.yaml a --suite argument means: a built-in name, a directory or a file."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.is_dir() or "/" in name_or_path:
        target = candidate / "suite.yaml" if candidate.is_dir() else candidate
        if not target.is_file():
            raise UserError(f"suite file not found: {target}")
        return target
    path = builtin_root() / name_or_path / "suite.yaml"
    if not path.is_file():
        known = ", ".join(builtin_names()) or "none installed"
        raise UserError(f"unknown suite {name_or_path!r}; built-in suites: {known} "
                        "(or pass a path to a suite.yaml)")
    return path


def load(names_or_paths: list[str] | tuple[str, ...]) -> list[Suite]:
    """Load several suites; the default set when none is named."""
    chosen = list(names_or_paths) or [n for n in DEFAULT_SUITES if n in builtin_names()]
    return [load_suite(resolve(n)) for n in chosen]
