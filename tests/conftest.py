"""Shared fixtures: small real suite files on disk, and the CLI run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]

pytest_plugins = ["pytester"]

SUITE_YAML = """\
name: tiny
version: 0.1.0
description: Three capitals for tests.
prompt:
  system: null
  template: "{question}"
proxy:
  name: population
bins:
  scale: log10
  edges: [5.0, 7.0, 8.0]
"""

ITEMS = [
    {"id": "tiny/FRA", "question": "What is the capital of France?", "answer": "Paris",
     "aliases": ["Paris"], "answer_type": "entity", "popularity": 68_000_000,
     "proxy": "population"},
    {"id": "tiny/BFA", "question": "What is the capital of Burkina Faso?",
     "answer": "Ouagadougou", "aliases": ["Ouagadougou"], "answer_type": "entity",
     "popularity": 23_000_000, "proxy": "population"},
    {"id": "tiny/BRB", "question": "What is the capital of Barbados?", "answer": "Bridgetown",
     "aliases": ["Bridgetown"], "answer_type": "entity", "popularity": 282_467,
     "proxy": "population"},
]


def write_suite(directory: Path, items: list[dict[str, Any]] | None = None,
                yaml_text: str = SUITE_YAML) -> Path:
    """A suite.yaml + items.jsonl in ``directory``; returns the suite.yaml path."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "suite.yaml").write_text(yaml_text, encoding="utf-8")
    lines = [json.dumps(i) for i in (ITEMS if items is None else items)]
    (directory / "items.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory / "suite.yaml"


@pytest.fixture
def tiny_suite(tmp_path: Path) -> Path:
    return write_suite(tmp_path / "tiny")


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 600,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`halprobe ARGS` in a real subprocess, as a user would run it."""
    return subprocess.run([sys.executable, "-m", "halprobe.cli", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
