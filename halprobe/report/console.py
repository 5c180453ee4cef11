"""The short results table printed at the end of a run."""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.table import Table


def _pct(value: float) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{100 * value:.0f}%"


def _ci(row: pd.Series, name: str) -> str:
    return f"{_pct(row[name])} [{_pct(row[name + '_low'])}, {_pct(row[name + '_high'])}]"


def summary_table(summary: pd.DataFrame, title: str) -> Table:
    """suite x bin with n, hallucination rate (Wilson 95% CI), accuracy, abstention."""
    table = Table(title=title, title_justify="left")
    for header in ("suite", "bin", "n", "hallucinated [95% CI]", "correct", "abstained",
                   "vague", "unscored"):
        table.add_column(header, justify="left" if header in ("suite", "bin") else "right")
    for _, row in summary.iterrows():
        style = "bold" if row["bin"] == "all" else None
        table.add_row(str(row["suite"]), str(row["bin"]), str(row["n"]),
                      _ci(row, "hallucination_rate"), _pct(row["accuracy"]),
                      _pct(row["abstention_rate"]), _pct(row["vague_rate"]),
                      str(row["n_unscored"] + row["n_error"]), style=style)
    return table


def print_summary(summary: pd.DataFrame, title: str, console: Console | None = None) -> None:
    (console or Console()).print(summary_table(summary, title))
