"""The short results table printed at the end of a run."""

from __future__ import annotations

import math

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table


def _pct(value: float) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{100 * value:.0f}%"


def _ci(row: pd.Series, name: str) -> str:
    """"57% [42, 71]": the bounds in percent too, without the sign, so the column fits 80
    characters (a wrapped "100% [21%,\n100%]" was hard to read)."""
    low, high = row[name + "_low"], row[name + "_high"]
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (low, high)):
        return _pct(row[name])
    return f"{_pct(row[name])} [{100 * low:.0f}, {100 * high:.0f}]"


def summary_table(summary: pd.DataFrame, title: str) -> Table:
    """suite x bin with n, hallucination rate (Wilson 95% CI), accuracy, abstention."""
    table = Table(title=title, title_justify="left", caption_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False, collapse_padding=True,
                  caption="rates of graded answers; hallucinated with its Wilson 95% CI in %;\n"
                          "no ans: no answer and no decline; unsc.: unscored or error rows")
    # "no ans" and "unsc.": the nine columns must fit an 80-column terminal
    for header in ("suite", "bin", "n", "hallucinated", "correct", "abstained",
                   "no ans", "vague", "unsc."):
        table.add_column(header, justify="left" if header in ("suite", "bin") else "right",
                         no_wrap=header == "hallucinated",
                         overflow="fold" if header == "suite" else "ellipsis")  # never cut
    for _, row in summary.iterrows():
        style = "bold" if row["bin"] == "all" else None
        table.add_row(str(row["suite"]), str(row["bin"]), str(row["n"]),
                      _ci(row, "hallucination_rate"), _pct(row["accuracy"]),
                      _pct(row["abstention_rate"]),
                      _pct(row.get("non_answer_rate", math.nan)), _pct(row["vague_rate"]),
                      str(row["n_unscored"] + row["n_error"]), style=style,
                      end_section=row["bin"] == "all")
    return table


def print_summary(summary: pd.DataFrame, title: str, console: Console | None = None) -> None:
    (console or Console()).print(summary_table(summary, title))
