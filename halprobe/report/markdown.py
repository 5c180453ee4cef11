"""Markdown tables for CI logs and GitHub step summaries."""

from __future__ import annotations

import math

import pandas as pd


def _cell(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.2e}" if 0 < abs(value) < 1e-3 else f"{value:.3f}"
    if isinstance(value, bool):
        return "**FAIL**" if value else "ok"
    return str(value)


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table of a DataFrame (no tabulate dependency needed)."""
    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(_cell(v) for v in row) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])
