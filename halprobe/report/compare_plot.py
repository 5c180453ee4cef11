"""The talk's claim at a glance: two runs, per suite, what each says and how calibrated it is.

Left: stacked shares of hallucinated, abstained ("I don't know") and non-answer per suite,
one bar per run. Right: the multiple-choice ECE of teacher-forced options per suite
(docs/metrics.md 4). A calibrated base model beside a post-trained one shows the claim as a lower
hallucination bar bought with a taller abstention bar or a taller ECE bar (Kalai et al. 2025).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from halprobe.report.plots import DPI, PERCENT

SHARES = (("hr", "hallucinated", "#c62828"), ("abstained", "I don't know", "#9e9e9e"),
          ("non_answer", "non-answer", "#ffb300"))


def plot_compare(table: pd.DataFrame, labels: tuple[str, str], path: Path) -> Path | None:
    """compare.png from compare_table's rows (the 'all' stratum of each suite)."""
    rows = table[table["bin"] == "all"].sort_values("suite")
    if rows.empty:
        return None
    suites = list(rows["suite"])
    x = np.arange(len(suites))
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    shares, ece = fig.subplots(1, 2)
    for offset, side, hatch in ((-0.2, "a", ""), (0.2, "b", "//")):
        bottom = np.zeros(len(rows))
        for column, name, colour in SHARES:
            values = rows[f"{column}_{side}"].fillna(0.0).to_numpy(dtype=float)
            shares.bar(x + offset, values, 0.38, bottom=bottom, color=colour, hatch=hatch,
                       edgecolor="white", label=name if side == "a" else None)
            bottom += values
        if f"mc_ece_{side}" in rows:
            ece.bar(x + offset, rows[f"mc_ece_{side}"].to_numpy(dtype=float), 0.38,
                    color="#1565c0" if side == "a" else "#90caf9", hatch=hatch,
                    edgecolor="white", label=f"{side.upper()}: {labels['ab'.index(side)]}")
    shares.set(xticks=x, xticklabels=suites, ylim=(0, 1), ylabel="share of graded answers",
               title="What the model says (left bar: A, hatched: B)")
    shares.yaxis.set_major_formatter(PERCENT)
    shares.legend(fontsize=8, loc="upper left")
    ece.set(xticks=x, xticklabels=suites, ylabel="ECE of option probabilities",
            title="Multiple-choice miscalibration (lower: calibrated)")
    if ece.get_legend_handles_labels()[0]:
        ece.legend(fontsize=8, loc="upper left")
    else:
        ece.text(0.5, 0.5, "neither run has --choices", ha="center", transform=ece.transAxes)
    fig.suptitle(f"A = {labels[0]}   B = {labels[1]}", fontsize=10)
    fig.savefig(path, dpi=DPI)
    return path
