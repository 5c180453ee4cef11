"""The two figures of ``halprobe synth``: g(H) against MF, and the post-training frontier.

Drawn with matplotlib's object API (``Figure``, no pyplot): no display, no global backend
switch, nothing left open. Every axis is labelled; legends sit where they cover no data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

MARKERS = {"0.5": "o", "1": "s", "1.5": "^", "2": "D", "A": "*"}


def _world_name(alpha: str) -> str:
    return "scenario A" if alpha == "A" else f"Zipf α = {alpha}"


def plot_g_vs_mf(rows: pd.DataFrame, path: Path) -> Path:
    """Each world and seed as a point (MF, g(H)), with intervals for sampled models; y = x."""
    fig = Figure(figsize=(6.4, 5.2), layout="constrained")
    ax = fig.subplots()
    top = float(max(rows["mf"].max(), rows["g_h_high"].max(), 0.05)) * 1.08
    ax.plot([0, top], [0, top], ls="--", color="grey", lw=1, label="y = x (g(H) = MF)")
    for alpha, group in rows.groupby("alpha", sort=False):
        err = np.vstack([group.g_h - group.g_h_low, group.g_h_high - group.g_h]).clip(min=0)
        ax.errorbar(group.mf, group.g_h, yerr=err if err.any() else None, ls="none",
                    marker=MARKERS.get(str(alpha), "o"), ms=7, capsize=3, alpha=0.85,
                    label=_world_name(str(alpha)))
    models = ", ".join(sorted(rows["model"].str.upper().unique()))
    ax.set(xlim=(0, top), ylim=(0, top), aspect="equal",
           xlabel="monofact rate MF = N₁ / n (Good–Turing)",
           ylabel="hallucination rate g(H) (P[generation is false])",
           title=f"Hallucination rate vs monofact rate ({models}, n = {int(rows.n.iloc[0]):,})")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    fig.savefig(path, dpi=130)
    return path


def plot_frontier(frontiers: pd.DataFrame, path: Path) -> Path:
    """One panel per world: g(H) against Mis as post-training moves the unseen mass."""
    worlds = list(dict.fromkeys(frontiers["alpha"]))
    cols = min(3, len(worlds))
    rows = -(-len(worlds) // cols)
    fig = Figure(figsize=(4.0 * cols, 3.4 * rows + 0.9), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    styles = {"seen": ("tab:blue", "-", ".", "to seen facts"),
              "idk": ("tab:orange", "--", "x", "to “I don't know”")}
    for ax, alpha in zip(axes, worlds, strict=False):
        world = frontiers[frontiers.alpha == alpha]
        m0 = float(world["missing_mass"].iloc[0])
        for target, (color, ls, marker, label) in styles.items():
            line = world[world.target == target]
            ax.plot(line.mis, line.g_h, ls=ls, marker=marker, ms=4, color=color,
                    label=f"unseen mass moved {label}")
        start = world[world.fraction == 0].iloc[0]
        ax.plot(start.mis, start.g_h, "ko", ms=5, label="before post-training (fraction 0)")
        xs = np.linspace(0, m0, 2)
        ax.plot(xs, m0 - xs, ls="--", color="grey", lw=1, label="g(H) + Mis = missing mass M0")
        ax.set(xlabel="miscalibration Mis", ylabel="hallucination rate g(H)",
               title=f"{_world_name(str(alpha))}: M0 = {m0:.3g}")
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    spare = axes[len(worlds):]
    for ax in spare:
        ax.axis("off")
    if len(spare):
        spare[0].legend(handles, labels, loc="center", fontsize=9, frameon=False)
    else:
        fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=9)
    model = str(frontiers["model"].iloc[0]).upper()
    fig.suptitle(f"Post-training frontier of {model}: a growing fraction (0 → 1) of the "
                 "unseen mass is moved")
    fig.savefig(path, dpi=110)
    return path


ESTIMATOR_PANELS = ("mis", "sampled_hr", "sr", "u", "bound", "mis_literal")


def plot_estimators(table: pd.DataFrame, path: Path) -> Path:
    """estimators.csv drawn: per quantity, estimate (with its interval) against the exact value
    the world knows, one colour a model; on the diagonal an estimator is right."""
    fig = Figure(figsize=(13, 8), layout="constrained")
    axes = fig.subplots(2, 3).ravel()
    kinds = table["quantity"].str.split(" ").str[0]
    models = sorted(table["model"].unique())
    colours = {m: f"C{i}" for i, m in enumerate(models)}
    for ax, name in zip(axes, ESTIMATOR_PANELS, strict=True):
        rows = table[kinds == name]
        top = float(np.nanmax([rows["exact"].max(), rows["estimate"].max(), 0.05])) * 1.05
        ax.plot([0, top], [0, top], color="grey", ls="--", lw=1)
        for model, group in rows.groupby("model"):
            low = (group["estimate"] - group["low"]).clip(lower=0).fillna(0)
            high = (group["high"] - group["estimate"]).clip(lower=0).fillna(0)
            ax.errorbar(group["exact"], group["estimate"], yerr=[low, high], fmt="o", ms=4,
                        color=colours[str(model)], alpha=0.8, label=str(model))
        ax.set(title=name, xlabel="exact (the world)", ylabel="estimate (halprobe)",
               xlim=(0, top), ylim=(0, top))
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle("Estimators against the synthetic world's exact values (per bin and overall)")
    fig.savefig(path, dpi=110)
    return path


POST_BARS = (("hr", "hallucination rate (greedy)"),
             ("sampled_hr", "hallucination rate (temperature 1)"),
             ("abstained", "\"I don't know\" (greedy)"),
             ("mis", "Mis (g(gold) from scores)"), ("mc_ece", "multiple-choice ECE"))


def plot_post_training(table: pd.DataFrame, path: Path) -> Path:
    """post_training.csv drawn (overall stratum): per model, its hallucination rates (greedy
    and sampled), "I don't know" share, Mis with its interval (the exact Mis as a black tick)
    and multiple-choice ECE; the dashed line is the share of asked people seen at most once
    in training."""
    rows = table[table["bin"] == "all"].reset_index(drop=True)
    fig = Figure(figsize=(8.4, 4.8), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / len(POST_BARS)
    x = np.arange(len(rows))
    for i, (column, label) in enumerate(POST_BARS):
        pos = x - 0.4 + width * (i + 0.5)
        values = rows[column].astype(float).to_numpy()
        err = None
        if column == "mis":
            err = np.vstack([values - rows["mis_low"], rows["mis_high"] - values]).clip(min=0)
            ax.scatter(pos, rows["mis_exact"], marker="_", s=300, color="black", zorder=3,
                       label="Mis, exact (the network's own g)")
        ax.bar(pos, values, width, yerr=err, capsize=3, color=f"C{i}", label=label)
    ax.axhline(float(rows["seen_at_most_once"].iloc[0]), ls="--", color="grey", lw=1,
               label="asked people seen at most once")
    ax.set_xticks(x, [str(m) for m in rows["model"]])
    ax.set(ylim=(0, 1), ylabel="share / Mis",
           title="One tiny transformer (M3) before and after post-training, same questions")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.savefig(path, dpi=130)
    return path
