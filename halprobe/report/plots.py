"""The report's PNG figures, from a run's summary and response rows.

Drawn with matplotlib's object API (``Figure``, no pyplot): no display, no global backend
switch, nothing left open, no network. Rates are shown in percent with their Wilson 95%
intervals (docs/metrics.md 1 and 6); bin 0 is the rarest fifth of a suite. Each function returns
the path it wrote, or None when the run has nothing to draw (e.g. no confidences).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from halprobe.analysis.calibration import answer_rows, reliability_table, risk_curve

DPI = 110
OUTCOMES = (("correct", "#2e7d32"), ("vague", "#9ccc65"), ("abstained", "#9e9e9e"),
            ("non_answer", "#d7ccc8"), ("hallucinated", "#c62828"))
PERCENT = PercentFormatter(xmax=1.0, decimals=0)


def _colours(names: list[str]) -> dict[str, str]:
    palette = [f"C{i}" for i in range(10)]
    return {name: palette[i % len(palette)] for i, name in enumerate(names)}


def _bin_order(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").fillna(np.inf)


def strata(summary: pd.DataFrame) -> pd.DataFrame:
    """The suite x bin rows of a summary (no 'all' rows), in bin order."""
    rows = summary[(summary["suite"] != "all") & (summary["bin"].astype(str) != "all")]
    return rows.assign(_order=_bin_order(rows["bin"])).sort_values(["suite", "_order"])


def _label(suite: str, summary: pd.DataFrame) -> str:
    """Suite name with its Spearman (95% CI) from the suite's 'all' row, when there is one."""
    row = summary[(summary["suite"] == suite) & (summary["bin"].astype(str) == "all")]
    if not len(row) or "spearman" not in row:
        return suite
    r = row.iloc[0]
    if not np.isfinite(r["spearman"]):
        return f"{suite}: Spearman n/a (< 3 bins, or a constant rate)"
    return f"{suite}: Spearman {r['spearman']:+.2f} [{r['spearman_low']:+.2f}, " \
           f"{r['spearman_high']:+.2f}]"


def _yerr(rows: pd.DataFrame, name: str) -> np.ndarray:
    return np.vstack([rows[name] - rows[f"{name}_low"],
                      rows[f"{name}_high"] - rows[name]]).clip(min=0)


LABEL_OFFSETS = ((5, 4), (-11, -12), (5, -12), (-11, 4))


def _scatter_panel(ax: Axes, rows: pd.DataFrame, summary: pd.DataFrame,
                   colours: dict[str, str]) -> None:
    """HR against the ANCHORED sr per bin of arbitrary facts, with y = x (docs/metrics.md 3).

    Drawn only where a level exists: without an anchor there is no sr, no y = x.
    """
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="y = x (HR = monofact level)")
    for index, (suite, group) in enumerate(rows.groupby("suite", sort=True)):
        colour = colours[str(suite)]
        ax.errorbar(group["monofact_sr"], group["hallucination_rate"],
                    yerr=_yerr(group, "hallucination_rate"), color=colour, marker="o", ms=6,
                    lw=1, capsize=3, alpha=0.9, label=_label(str(suite), summary))
        offset = LABEL_OFFSETS[index % len(LABEL_OFFSETS)]
        for _, r in group.iterrows():
            ax.annotate(str(r["bin"]), (r["monofact_sr"], r["hallucination_rate"]),
                        xytext=offset, textcoords="offset points", fontsize=8, color=colour)
    anchors = ", ".join(sorted(rows["anchor"].dropna().astype(str).unique()))
    ax.set(xlim=(-0.03, 1.03), ylim=(-0.03, 1.08),
           xlabel="anchored monofact level sr [share of training mentions seen once]",
           ylabel="hallucination rate [% of graded answers]",
           title=f"Arbitrary facts: HR vs anchored sr\n(anchor: {anchors})")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=8.5,
              title="suite: Spearman HR vs proxy bin [95% CI]", title_fontsize=8.5)


def _by_bin_panel(ax: Axes, rows: pd.DataFrame, colours: dict[str, str]) -> None:
    """HR (solid, with CI) by bin, a rank view; the anchored sr (dashed) where there is one."""
    labels = list(dict.fromkeys(rows.sort_values(["_order", "bin"])["bin"].astype(str)))
    position = {label: float(i) for i, label in enumerate(labels)}  # any bin names, in order
    groups = list(rows.groupby("suite", sort=True))
    anchored = bool(np.isfinite(rows["monofact_sr"]).any())
    for index, (suite, group) in enumerate(groups):
        colour = colours[str(suite)]
        dodge = 0.07 * (index - (len(groups) - 1) / 2)  # keep the CIs apart
        x = group["bin"].astype(str).map(position).to_numpy(dtype=float) + dodge
        ax.errorbar(x, group["hallucination_rate"], yerr=_yerr(group, "hallucination_rate"),
                    color=colour, marker="o", ms=5, lw=1.4, capsize=3, label=str(suite))
        if anchored:
            ax.plot(x, group["monofact_sr"], color=colour, ls="--", marker="s", ms=4,
                    mfc="white")
    handles = [Line2D([], [], color=colours[str(s)], marker="o", lw=1.4, label=str(s))
               for s, _ in groups]
    if anchored:
        handles.append(Line2D([], [], color="black", ls="--", marker="s", mfc="white",
                              label="anchored sr"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=8.5,
              ncol=min(len(handles), 4))
    ax.set_xticks(range(len(labels)), labels)
    ax.set(ylim=(-0.03, 1.08), xlabel="frequency bin of the proxy (0 = rarest)",
           ylabel="hallucination rate [%]",
           title="HR by proxy bin" + ("" if anchored else " (rank only: no anchor, no level)"))


def plot_hr_vs_monofact(summary: pd.DataFrame, path: Path) -> Path | None:
    """Per bin: HR (Wilson CI) by proxy bin; beside it, only for arbitrary facts with an
    anchored level, HR against sr with y = x (docs/metrics.md 3: a proxy alone only ranks)."""
    rows = strata(summary)
    rows = rows[rows["proxy_source"].fillna("none") != "none"] if "proxy_source" in rows \
        else rows.iloc[0:0]
    if not len(rows):
        return None
    levels = rows[np.isfinite(rows["monofact_sr"]) & (rows.get("fact_kind") == "arbitrary")]
    colours = _colours(sorted(rows["suite"].unique()))
    fig = Figure(figsize=(12.5 if len(levels) else 7.0, 6.6), layout="constrained")
    if len(levels):
        left, right = fig.subplots(1, 2, width_ratios=[1.15, 1])
        _scatter_panel(left, levels, summary, colours)
        left.xaxis.set_major_formatter(PERCENT)
        axes: list[Axes] = [left, right]
    else:
        right = fig.subplots(1, 1)
        axes = [right]
    _by_bin_panel(right, rows, colours)
    for ax in axes:
        ax.yaxis.set_major_formatter(PERCENT)
        ax.grid(alpha=0.3)
    fig.suptitle("Hallucination rate per frequency bin (error bars: Wilson 95% CI)")
    fig.savefig(path, dpi=DPI)
    return path


def plot_outcomes(summary: pd.DataFrame, path: Path) -> Path | None:
    """Per suite: stacked shares of correct, vague, abstained and hallucinated by bin."""
    rows = strata(summary)
    if not len(rows) or not (rows["n"] > 0).any():
        return None
    suites = sorted(rows["suite"].unique())
    cols = min(2, len(suites))
    nrows = -(-len(suites) // cols)
    fig = Figure(figsize=(5.2 * cols, 3.5 * nrows + 0.6), layout="constrained")
    axes = fig.subplots(nrows, cols, squeeze=False).ravel()
    widest = int(rows.groupby("suite").size().max())
    for ax, suite in zip(axes, suites, strict=False):
        group = rows[rows["suite"] == suite]
        x = np.arange(len(group))
        bottom = np.zeros(len(group))
        for outcome, colour in OUTCOMES:
            count = group[f"n_{outcome}"] if f"n_{outcome}" in group else 0 * group["n"]
            share = (count / group["n"].where(group["n"] > 0)).fillna(0.0)
            share = share.to_numpy(dtype=float)
            ax.bar(x, share, bottom=bottom, color=colour, width=0.7, label=outcome)
            bottom += share
        for xi, n in zip(x, group["n"], strict=True):
            ax.text(xi, 1.01, f"n={n}", ha="center", va="bottom", fontsize=7.5)
        ax.set_xticks(x, [str(b) for b in group["bin"]])
        ax.set_xlim(-0.6, widest - 0.4)
        left_out = int((group["n_unscored"] + group["n_error"]).sum())
        title = f"{suite} ({left_out} unscored or error left out)" if left_out else str(suite)
        ax.set(ylim=(0, 1.12), xlabel="frequency bin (0 = rarest)",
               ylabel="share of graded answers [%]", title=title)
        ax.yaxis.set_major_formatter(PERCENT)
        ax.set_yticks(np.linspace(0, 1, 6))
    for ax in axes[len(suites):]:
        ax.axis("off")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], loc="outside lower center", ncol=4, fontsize=9)
    fig.suptitle("Outcome shares by frequency bin (error and unscored rows left out)")
    fig.savefig(path, dpi=DPI)
    return path


def _answers_with_confidence(responses: pd.DataFrame) -> pd.DataFrame:
    if "confidence" not in responses:
        return responses.iloc[0:0]
    answered = answer_rows(responses)
    answered["confidence"] = pd.to_numeric(answered["confidence"], errors="coerce")
    return answered[answered["confidence"].notna()]


def _source(rows: pd.DataFrame) -> str:
    if "confidence_source" not in rows:
        return "unknown"
    return "+".join(sorted(str(s) for s in rows["confidence_source"].dropna().unique()))


def plot_reliability(responses: pd.DataFrame, path: Path, n_bins: int = 10) -> Path | None:
    """Accuracy against mean confidence in 10 equal-width bins, with the count per bin."""
    rows = _answers_with_confidence(responses)
    if not len(rows):
        return None
    table = reliability_table(rows["confidence"], rows["y"], n_bins, "width")
    fig = Figure(figsize=(6.4, 6.4), layout="constrained")
    ax, hist = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    width = 1 / n_bins
    filled = table[table["count"] > 0]
    ax.bar(filled["conf_low"], filled["accuracy"], width=width, align="edge", color="C0",
           alpha=0.75, edgecolor="white", label="accuracy of the answers in the bin")
    ax.plot(filled["mean_confidence"], filled["accuracy"], "o", color="C1", ms=5,
            label="(mean confidence, accuracy)")
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="perfect calibration")
    total = int(table["count"].sum())
    ece = float((filled["count"] * filled["gap"]).sum() / total)
    ax.set(xlim=(0, 1), ylim=(0, 1.02), ylabel="accuracy [% correct of answered]",
           title=f"Reliability diagram: {total} answers, ECE = {ece:.3f}\n"
                 f"confidence source: {_source(rows)}")
    ax.yaxis.set_major_formatter(PERCENT)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8.5)
    hist.bar(table["conf_low"], table["count"], width=width, align="edge", color="grey",
             edgecolor="white")
    hist.set(xlabel="answer confidence [%] (10 equal-width bins)", ylabel="answers")
    hist.xaxis.set_major_formatter(PERCENT)
    hist.grid(alpha=0.3)
    fig.savefig(path, dpi=DPI)
    return path


def plot_risk_coverage(responses: pd.DataFrame, path: Path, max_risk: float = 0.05
                       ) -> Path | None:
    """Risk (share hallucinated) among the k most confident answers against coverage k/N."""
    rows = _answers_with_confidence(responses)
    if not len(rows):
        return None
    fig = Figure(figsize=(7.4, 5.8), layout="constrained")
    ax = fig.subplots()
    groups = [(str(s), g) for s, g in rows.groupby("suite", sort=True)]
    if len(groups) > 1:
        groups.append(("all suites", rows))
    colours = _colours([name for name, _ in groups])
    dashes = ("-", "--", "-.", ":")  # so that curves on top of each other stay visible
    for index, (name, group) in enumerate(groups):
        curve = risk_curve(group["confidence"], group["y"])
        coverage = np.arange(1, curve.size + 1) / curve.size
        pooled = name == "all suites"
        ax.plot(coverage, curve, label=f"{name} (N = {curve.size})",
                color="black" if pooled else colours[name], lw=2.2 if pooled else 1.6,
                ls="-" if pooled else dashes[index % len(dashes)], alpha=0.7 if pooled else 1)
    ax.axhline(max_risk, ls=":", color="grey", lw=1, label=f"{max_risk:.0%} risk")
    ax.set(xlim=(0, 1), ylim=(-0.02, 1.03),
           xlabel="coverage [% of answers kept, most confident first]",
           ylabel="risk [% hallucinated among kept answers]",
           title=f"Risk-coverage curve (confidence source: {_source(rows)})")
    ax.xaxis.set_major_formatter(PERCENT)
    ax.yaxis.set_major_formatter(PERCENT)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=8.5, ncol=3)
    fig.savefig(path, dpi=DPI)
    return path


def plot_models(summaries: Mapping[str, pd.DataFrame], path: Path) -> Path | None:
    """Several runs side by side: HR per suite (and all suites) as grouped bars with CIs."""
    rows = pd.concat([s[s["bin"].astype(str) == "all"].assign(run=label)
                      for label, s in summaries.items()], ignore_index=True)
    if not len(rows):
        return None
    suites = [s for s in sorted(rows["suite"].unique()) if s != "all"] + ["all"]
    runs = list(summaries)
    width = 0.8 / len(runs)
    fig = Figure(figsize=(max(7.0, 1.3 * len(suites) * max(1, len(runs) / 2)), 5.0),
                 layout="constrained")
    ax = fig.subplots()
    colours = _colours(runs)
    for i, run in enumerate(runs):
        data = rows[rows["run"] == run].set_index("suite").reindex(suites)
        x = np.arange(len(suites)) - 0.4 + width * (i + 0.5)
        ax.bar(x, data["hallucination_rate"], width=width * 0.95, color=colours[run],
               yerr=_yerr(data[[c for c in data if c.startswith("hallucination_rate")]]
                          .fillna(0), "hallucination_rate"), capsize=3, label=run)
    ax.set_xticks(np.arange(len(suites)), ["all suites" if s == "all" else s for s in suites])
    ax.set(ylim=(0, 1), xlabel="suite", ylabel="hallucination rate [% of graded answers]",
           title="Hallucination rate by model and suite (Wilson 95% CI)")
    ax.yaxis.set_major_formatter(PERCENT)
    ax.grid(alpha=0.3, axis="y")
    fig.legend(loc="outside lower center", fontsize=8.5,
               ncol=_legend_columns(runs, fig.get_figwidth()))
    fig.savefig(path, dpi=DPI)
    return path


def _legend_columns(labels: list[str], width_inches: float, max_columns: int = 3) -> int:
    """As many legend columns as fit the figure's width: long run labels stack in one column
    instead of running off both edges (about 0.07 inch a character at 8.5 pt)."""
    needed = 0.07 * max(map(len, labels), default=0) + 0.6  # text, handle and padding
    return max(1, min(max_columns, len(labels), int(width_inches // needed)))
