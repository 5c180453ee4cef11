"""A built suite: its items (items.jsonl) and its manifest (suite.yaml), written byte-stable."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from builder.sources import Source

VERSION = "1.0.0"
# "Answer in one sentence." keeps small chat models on the asked fact: SmolLM2-135M answers
# "What is the capital of France?" with a list of French words, but "... Answer in one
# sentence." with "The capital of France is Paris."
PROMPT_TEMPLATE = "{question} Answer in one sentence."
ITEM_KEYS = (
    "id", "suite", "question", "answer", "aliases", "answer_type", "exists", "popularity",
    "proxy", "precision", "event_date", "subject", "bin", "meta",
)  # fmt: skip
Item = dict[str, Any]


def make_item(**fields: Any) -> Item:
    """A ProbeItem record with every key, in the order items.jsonl promises."""
    unknown = set(fields) - set(ITEM_KEYS)
    if unknown:
        raise ValueError(f"unknown item keys: {sorted(unknown)}")
    defaults: Item = {"exists": True, "aliases": [], "meta": {}}
    return {key: fields.get(key, defaults.get(key)) for key in ITEM_KEYS}


def control_item(key: str, question: str, answer_type: str, kind: str, mimics: str,
                 bin_: int = 0, **extra: Any) -> Item:  # fmt: skip
    """An exists=false item: no answer, no aliases, an explicit bin."""
    meta = {"kind": kind, "mimics": mimics, **extra.pop("meta", {})}
    return make_item(
        id=f"controls/{key}", suite="controls", question=question, answer=None, aliases=[],
        answer_type=answer_type, exists=False, bin=bin_, meta=meta, **extra,
    )  # fmt: skip


class Flow(list):
    """A YAML list written on one line (bin edges)."""


class _FlowMap(dict):
    """A YAML mapping written on one line (a source)."""


class _Folded(str):
    """A long YAML string written as a folded block (descriptions)."""

    __slots__ = ()


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
_Dumper.add_representer(
    _FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True)
)
_Dumper.add_representer(
    _Folded, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style=">")
)


# docs/metrics.md 3: levels are compared only for arbitrary facts (no pattern predicts them).
# Capitals are closer to systematic (many are the largest or best-known city); controls state
# no fact at all, so no level is compared for them either way.
FACT_KINDS = {"capitals": "systematic", "controls": "systematic", "obituaries": "arbitrary",
              "papers": "arbitrary"}


@dataclass
class Suite:
    """One built suite: its items plus what goes into suite.yaml."""

    name: str
    description: str
    proxy: Any
    bins: dict[str, Any]
    sources: list[Source]
    items: list[Item] = field(default_factory=list)

    def manifest(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": VERSION,
            "description": _Folded(" ".join(self.description.split())),
            "fact_kind": FACT_KINDS[self.name],
            "prompt": {"system": None, "template": PROMPT_TEMPLATE},
            "proxy": self.proxy,
            "bins": self.bins,
            "sources": [_FlowMap(s.manifest()) for s in self.sources],
            "build": "python probes/build.py",
        }

    def write(self, out: Path) -> None:
        items = sorted(self.items, key=lambda it: it["id"])
        ids = [it["id"] for it in items]
        if len(set(ids)) != len(ids):
            dupes = sorted(k for k, n in Counter(ids).items() if n > 1)
            raise ValueError(f"{self.name}: duplicate ids {dupes[:5]}")
        folder = out / self.name
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "items.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
            for it in items:
                fh.write(json.dumps(it, ensure_ascii=False) + "\n")
        text = yaml.dump(self.manifest(), Dumper=_Dumper, sort_keys=False,
                         allow_unicode=True, width=100)  # fmt: skip
        (folder / "suite.yaml").write_text(text, encoding="utf-8", newline="\n")


def edges_block(edges: list[float], scale: str) -> dict[str, Any]:
    return {"scale": scale, "edges": Flow(edges)}
