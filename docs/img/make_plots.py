"""Draw the plots of docs/targets.md from run directories (issue 8).

    python docs/img/make_plots.py --targets RUN --cutoff RUN --obituary RUN --tune RUN
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

HERE = Path(__file__).parent


def targets_plot(run: Path, out: Path) -> None:
    """precision_t and answer rate against t, one line per suite; precision below the
    diagonal y = t is the behavioural-calibration gap."""
    table = pd.read_csv(run / "targets.csv", dtype={"bin": str})
    table = table[table["bin"] == "all"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8))
    for suite, group in table.groupby("suite"):
        left.errorbar(group["target"], group["precision"],
                      yerr=[group["precision"] - group["precision_low"],
                            group["precision_high"] - group["precision"]],
                      marker="o", capsize=3, label=f"{suite} (BCG {group['bcg'].iloc[0]:.2f})")
        right.plot(group["target"], group["answer_rate"], marker="o", label=suite)
    left.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="precision = t")
    left.set(xlabel="confidence target t", ylabel="precision_t = correct / answered",
             xlim=(-0.05, 1), ylim=(-0.05, 1.05), title="precision should be above t")
    right.set(xlabel="confidence target t", ylabel="answer rate", xlim=(-0.05, 1),
              ylim=(-0.05, 1.05), title="answers less as mistakes cost more?")
    left.legend(fontsize=7, loc="lower right")
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def deaths_plot(cutoff_run: Path, obituary_run: Path, out: Path) -> None:
    """Hallucination rate with Wilson 95% CIs: before vs after the knowledge cutoff, and
    obituaries of real, fictional and living people."""
    cut = pd.read_csv(cutoff_run / "cutoff.csv")
    obit = pd.read_csv(obituary_run / "obituary.csv")
    bars = [(f"date question\n{r.stratum}", r) for r in cut.itertuples()]
    bars += [(f"obituary\n{r.person}", r) for r in obit.itertuples()]
    fig, ax = plt.subplots(figsize=(9, 3.8))
    for x, (label, r) in enumerate(bars):
        ax.bar(x, r.hallucination_rate, color="tab:red" if "obituary" in label else "tab:blue")
        ax.errorbar(x, r.hallucination_rate, yerr=[[r.hallucination_rate
                                                    - r.hallucination_rate_low],
                                                   [r.hallucination_rate_high
                                                    - r.hallucination_rate]],
                    color="black", capsize=3)
        ax.text(x, 0.02, f"n={r.n}", ha="center", fontsize=7)
    ax.set_xticks(range(len(bars)), [b[0] for b in bars], fontsize=7)
    ax.set(ylabel="hallucination rate", ylim=(0, 1.05),
           title="SmolLM2-135M: invented death dates (95% Wilson CI)")
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def lodo_plot(run: Path, out: Path) -> None:
    """Leave-one-domain-out gain in score_t of the transform chosen on the other domains."""
    table = pd.read_csv(run / "lodo.csv")
    fig, ax = plt.subplots(figsize=(9, 3.8))
    colours = {name: f"C{n}" for n, name in enumerate(sorted(table["chosen"].unique()))}
    for x, r in enumerate(table.itertuples()):
        ax.bar(x, r.gain, color=colours[r.chosen])
        ax.errorbar(x, r.gain, yerr=[[r.gain - r.gain_low], [r.gain_high - r.gain]],
                    color="black", capsize=2)
    for name, colour in colours.items():
        ax.bar(0, 0, color=colour, label=f"chosen: {name}")
    ax.axhline(0, color="grey", linewidth=1)
    ax.set_xticks(range(len(table)), table["held_out"], rotation=60, fontsize=7)
    ax.set(ylabel="gain in score_0.75 on the held-out domain",
           title="leave-one-domain-out (95% CI, the choice redone in each draw)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("targets", "cutoff", "obituary", "tune"):
        parser.add_argument(f"--{name}", type=Path, required=True)
    args = parser.parse_args()
    targets_plot(args.targets, HERE / "targets_precision.png")
    deaths_plot(args.cutoff, args.obituary, HERE / "death_dates.png")
    lodo_plot(args.tune, HERE / "lodo.png")


if __name__ == "__main__":
    main()
