"""suite.yaml: what a suite is called, how its questions are asked, and how its bins are cut.

Plain data only (no code in YAML). Problems are reported with the file and the line of the key.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from halprobe.errors import SuiteError
from halprobe.yamlfile import SafeLoader

SCALES = ("log10", "log10p1", "linear")
# docs/metrics.md 3: the theorem is about arbitrary facts (no pattern in the rest of the data
# predicts them: a death date, a paper's authors); a suite that does not say is systematic,
# so no monofact level or bound is compared with its hallucination rate unless its author
# marks it arbitrary.
FACT_KINDS = ("arbitrary", "systematic")
DEFAULT_FACT_KIND = "systematic"


@dataclass(frozen=True)
class BinSpec:
    """Frequency-bin edges per proxy (key None when the suite has one proxy)."""

    scale: str = "log10"
    edges: dict[str | None, tuple[float, ...]] = field(default_factory=dict)
    explicit: bool = False
    labels: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        if not self.edges:
            return len(self.labels) or 5
        return max(len(e) - 1 for e in self.edges.values())


@dataclass(frozen=True)
class SuiteSpec:
    """A parsed suite.yaml; ``digest`` hashes suite.yaml and the items file together."""

    name: str
    version: str
    description: str
    template: str
    system: str | None
    bins: BinSpec
    items_path: Path
    path: Path
    proxy: tuple[dict[str, str], ...] = ()
    sources: tuple[dict[str, Any], ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    digest: str = ""
    fact_kind: str = DEFAULT_FACT_KIND

    def render(self, question: str) -> str:
        """The user message for one item."""
        return self.template.replace("{question}", question)


def _key_lines(text: str) -> dict[str, int]:
    """1-based line of every top-level (and prompt/bins sub-) key, for error messages."""
    lines: dict[str, int] = {}
    node = yaml.compose(text, Loader=SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return lines
    for key, value in node.value:
        lines[key.value] = key.start_mark.line + 1
        if isinstance(value, yaml.MappingNode):
            for sub, _ in value.value:
                lines[f"{key.value}.{sub.value}"] = sub.start_mark.line + 1
    return lines


def load_spec(path: Path) -> SuiteSpec:
    """Read and validate a suite.yaml (or the suite.yaml inside a directory)."""
    path = path / "suite.yaml" if path.is_dir() else path
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=SafeLoader)
        lines = _key_lines(text)
    except FileNotFoundError:
        raise SuiteError([f"{path}: no such suite file"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise SuiteError([f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})"]) \
            from None
    if not isinstance(data, dict):
        raise SuiteError([f"{path}:1: expected a mapping of suite fields"])
    return _parse(data, path, lines)


def _parse(data: dict[str, Any], path: Path, lines: dict[str, int]) -> SuiteSpec:
    problems: list[str] = []

    def at(key: str) -> str:
        return f"{path}:{lines.get(key, lines.get(key.split('.')[0], 1))}"

    for key in ("name", "version"):
        if not data.get(key):
            problems.append(f"{at(key)}: missing required field '{key}'")
    prompt = data.get("prompt") or {}
    template = prompt.get("template", "{question}") if isinstance(prompt, dict) else None
    if not isinstance(template, str) or "{question}" not in template:
        problems.append(f"{at('prompt.template')}: prompt.template must be a string containing "
                        "'{question}'")
    bins = _parse_bins(data.get("bins"), at("bins"), problems)
    items_name = data.get("items", "items.jsonl")
    items_path = path.parent / str(items_name)
    if not items_path.is_file():
        problems.append(f"{at('items')}: items file {items_path} does not exist")
    fact_kind = data.get("fact_kind", DEFAULT_FACT_KIND)
    if fact_kind not in FACT_KINDS:
        problems.append(f"{at('fact_kind')}: fact_kind is {fact_kind!r}; expected one of "
                        f"{list(FACT_KINDS)} (default {DEFAULT_FACT_KIND})")
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        problems.append(f"{at('columns')}: columns must map item fields to CSV column names")
    if problems:
        raise SuiteError(problems)
    return SuiteSpec(
        name=str(data["name"]), version=str(data["version"]),
        description=str(data.get("description", "")).strip(),
        template=str(template), system=prompt.get("system"), bins=bins,
        items_path=items_path, path=path,
        proxy=tuple(_as_list(data.get("proxy"))), sources=tuple(_as_list(data.get("sources"))),
        columns={str(k): str(v) for k, v in columns.items()},
        digest=_digest(path, items_path), fact_kind=str(fact_kind),
    )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _parse_bins(raw: Any, where: str, problems: list[str]) -> BinSpec:
    if not isinstance(raw, dict):
        problems.append(f"{where}: missing 'bins' (edges: [6 numbers], or explicit: true)")
        return BinSpec()
    scale = raw.get("scale", "log10")
    if scale not in SCALES:
        problems.append(f"{where}: bins.scale is {scale!r}; expected one of {list(SCALES)}")
    labels = tuple(str(x) for x in raw.get("labels") or ())
    if raw.get("explicit"):
        return BinSpec(scale=scale, explicit=True, labels=labels)
    edges_raw = raw.get("edges")
    by_proxy = edges_raw if isinstance(edges_raw, dict) else {None: edges_raw}
    edges: dict[str | None, tuple[float, ...]] = {}
    for proxy, values in by_proxy.items():
        ok = (isinstance(values, list) and len(values) >= 2
              and all(isinstance(v, int | float) for v in values)
              and all(a <= b for a, b in itertools.pairwise(values)))
        if not ok:
            label = f" for proxy '{proxy}'" if proxy else ""
            problems.append(f"{where}: bins.edges{label} must be a non-decreasing list of at "
                            "least 2 numbers")
            continue
        edges[proxy] = tuple(float(v) for v in values or ())
    return BinSpec(scale=scale, edges=edges, labels=labels)


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()[:16]
