"""Knowledge cutoffs: which model knows facts up to when, and the "after cutoff" stratum.

A model cannot know of a death after its training data ends. Items whose ``event_date`` is
later than the cutoff month are split into their own stratum (suite ``SUITE@after-cutoff``),
so they are reported as their own row and stay out of the suite's monofact correlation: their
facts are missing from training because of the date, not because they are rare. There,
abstaining or "as far as I know X is alive" is the right outcome (``regrade``) and a specific
wrong date is a hallucination. A correct date after the cutoff is kept as correct: it says the
cutoff is later than the table claims.

The table of known cutoffs is data (``cutoffs.yaml`` in the package); a user file in the same
form adds entries, and its entries win.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from halprobe.errors import UserError
from halprobe.scoring import abstention, dates
from halprobe.suites.schema import parse_partial_iso
from halprobe.types import AFTER_CUTOFF, Grade, Label, ProbeItem
from halprobe.yamlfile import read_yaml

TABLE = Path(__file__).with_name("cutoffs.yaml")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Cutoff:
    """A knowledge cutoff month and where it came from."""

    month: str  # YYYY-MM
    model: str = ""
    source: str = ""

    @property
    def last_day(self) -> dt.date:
        year, month = (int(p) for p in self.month.split("-"))
        after = dt.date(year + month // 12, month % 12 + 1, 1)
        return after - dt.timedelta(days=1)


def parse_month(text: Any, where: str = "--knowledge-cutoff") -> str:
    """'2024-06' as given; anything else is a user error naming the option or file."""
    if not isinstance(text, str) or not _MONTH.match(text.strip()):
        raise UserError(f"{where}: expected a month YYYY-MM, got {text!r}")
    return text.strip()


def load_table(path: Path) -> list[dict[str, Any]]:
    """The entries of a cutoffs YAML file, each with name, match, cutoff, source."""
    data = read_yaml(path, "cutoff table")
    entries = data.get("models") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UserError(f"{path}: expected 'models:' with a list of {{name, cutoff}} entries")
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise UserError(f"{path}: model {n}: needs a 'name'")
        parse_month(entry.get("cutoff"), f"{path}: model {n} ({entry['name']}): cutoff")
        if not isinstance(entry.get("match", []), list):
            raise UserError(f"{path}: model {n} ({entry['name']}): 'match' must be a list")
    return entries


def _names(model: str) -> set[str]:
    """The model id, its last path component and that without a file suffix, lower case."""
    low = model.strip().lower()
    last = PurePosixPath(low).name
    return {low, last, last.removesuffix(".gguf"), PurePosixPath(last).stem}


def lookup(model: str, extra: Path | None = None) -> Cutoff | None:
    """The cutoff of a model from the user's table (first) and the built-in one, or None."""
    entries = (load_table(extra) if extra is not None else []) + load_table(TABLE)
    names = _names(model)
    for entry in entries:
        patterns = [entry["name"], *entry.get("match", [])]
        if any(fnmatch.fnmatchcase(n, str(p).lower()) for n in names for p in patterns):
            return Cutoff(parse_month(entry["cutoff"]), entry["name"],
                          str(entry.get("source", "")))
    return None


def resolve(value: str, model: str, extra: Path | None = None) -> Cutoff:
    """--knowledge-cutoff: a month, or 'auto' to look the model up in the tables."""
    if value != "auto":
        return Cutoff(parse_month(value), model, "--knowledge-cutoff")
    found = lookup(model, extra)
    if found is None:
        raise UserError(f"no known knowledge cutoff for model {model!r}: pass "
                        "--knowledge-cutoff YYYY-MM or add it with --cutoff-table FILE")
    return found


def is_after(event_date: str | None, cutoff: Cutoff) -> bool:
    """True when the event certainly falls after the cutoff month (its first possible day
    is later): a year-only 2024 is not after 2024-06."""
    first = parse_partial_iso(event_date) if event_date else None
    return first is not None and first > cutoff.last_day


def mark(items: list[ProbeItem], cutoff: Cutoff) -> list[ProbeItem]:
    """Items after the cutoff moved to suite ``SUITE@after-cutoff``; dated items get an
    ``after_cutoff`` column in their rows."""
    out = []
    for item in items:
        if item.event_date is None:
            out.append(item)
            continue
        after = is_after(item.event_date, cutoff)
        variant = replace(item.variant, after_cutoff=after,
                          base_suite=item.variant.base_suite or item.suite)
        suite = f"{item.suite}@{AFTER_CUTOFF}" if after else item.suite
        out.append(replace(item, suite=suite, variant=variant))
    return out


def config_entry(cutoff: Cutoff) -> dict[str, str]:
    """config.json's ``knowledge_cutoff``."""
    return {"month": cutoff.month, "model": cutoff.model, "source": cutoff.source}


def regrade(item: ProbeItem, response: str, verdict: Grade) -> Grade:
    """After the cutoff, "X is alive" with no death date is the right answer: abstained."""
    if verdict.label is not Label.HALLUCINATED or not item.variant.after_cutoff:
        return verdict
    found = abstention.detect(response)
    if found.alive and not dates.answer_dates(found.masked):
        return Grade(Label.ABSTAINED, found.alive[0].text,
                     "says the person is alive; the death is after the knowledge cutoff")
    return verdict
