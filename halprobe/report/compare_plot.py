"""The talk's claim at a glance: two runs, per suite, what each says and how calibrated it is.

Left: stacked shares of hallucinated, abstained ("I don't know") and non-answer per suite,
one bar per run. Middle: the multiple-choice ECE of teacher-forced options per suite
(docs/metrics.md 4). Right: the sampled generative miscalibration Mis (docs/metrics.md 4), where
the runs have --samples, its source (scores or samples) in the legend. A calibrated base model
beside a post-trained one shows the claim as a lower hallucination bar bought with a taller
abstention bar or taller miscalibration bars (Kalai et al. 2025).
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
    fig = Figure(figsize=(14, 4.6), layout="constrained")
    shares, ece, mis = fig.subplots(1, 3)
    for offset, side, hatch in ((-0.2, "a", ""), (0.2, "b", "//")):
        bottom = np.zeros(len(rows))
        for column, name, colour in SHARES:
            values = rows[f"{column}_{side}"].fillna(0.0).to_numpy(dtype=float)
            shares.bar(x + offset, values, 0.38, bottom=bottom, color=colour, hatch=hatch,
                       edgecolor="white", label=name if side == "a" else None)
            bottom += values
        colour = "#1565c0" if side == "a" else "#90caf9"
        label = f"{side.upper()}: {labels['ab'.index(side)]}"
        if f"mc_ece_{side}" in rows:
            ece.bar(x + offset, rows[f"mc_ece_{side}"].to_numpy(dtype=float), 0.38,
                    color=colour, hatch=hatch, edgecolor="white", label=label)
        if f"mis_{side}" in rows and rows[f"mis_{side}"].notna().any():
            sources = sorted(set(rows[f"mis_source_{side}"].dropna()) - {"none"})
            mis.bar(x + offset, rows[f"mis_{side}"].to_numpy(dtype=float), 0.38,
                    color=colour, hatch=hatch, edgecolor="white",
                    label=f"{side.upper()}: g(gold) from {', '.join(sources)}")
    shares.set(xticks=x, xticklabels=suites, ylim=(0, 1), ylabel="share of graded answers",
               title="What the model says (left bar: A, hatched: B)")
    shares.yaxis.set_major_formatter(PERCENT)
    shares.legend(fontsize=8, loc="upper left")
    ece.set(xticks=x, xticklabels=suites, ylabel="ECE of option probabilities",
            title="Multiple-choice miscalibration (lower: calibrated)")
    mis.set(xticks=x, xticklabels=suites, ylabel="Mis of sampled answers",
            title="Generative miscalibration (lower: calibrated)")
    for panel, missing in ((ece, "neither run has --choices"),
                           (mis, "neither run has --samples")):
        if panel.get_legend_handles_labels()[0]:
            panel.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08))
        else:
            panel.text(0.5, 0.5, missing, ha="center", transform=panel.transAxes)
    fig.suptitle(f"A = {labels[0]}   B = {labels[1]}", fontsize=10)
    fig.savefig(path, dpi=DPI)
    return path
