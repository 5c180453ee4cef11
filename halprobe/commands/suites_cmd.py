"""`halprobe suites`: list suites with their item counts per frequency bin."""

from __future__ import annotations

from collections import Counter

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from halprobe.suites import builtin_names, load


def suites_command(
    suite: list[str] = typer.Option([], "--suite", "-s", help="Suite name or path to a "
                                    "suite.yaml (default: every built-in suite)."),
) -> None:
    """List probe suites: version, proxy, and how many items fall in each frequency bin."""
    suites = load(suite or builtin_names())
    width = max(s.spec.bins.count for s in suites)
    table = Table(title="halprobe suites (bin 0 = rarest)", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for header in ("suite", "version", "proxy", "items", *[f"bin {b}" for b in range(width)]):
        table.add_column(header, justify="left" if header in ("suite", "version", "proxy")
                         else "right", no_wrap=header != "proxy",
                         overflow="fold")  # a name is never cut short
    for s in suites:
        counts = Counter(i.bin for i in s.items)
        proxies = ", ".join(str(p.get("name")) for p in s.spec.proxy if isinstance(p, dict)) \
            or "-"
        table.add_row(s.name, s.spec.version, proxies, str(len(s.items)),
                      *[str(counts.get(b, 0)) for b in range(width)])
    Console().print(table)
