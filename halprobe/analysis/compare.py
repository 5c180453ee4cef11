"""Two runs side by side, per suite and bin: the talk's claim in numbers.

Pretraining calibrates; post-training lowers hallucination only by giving up calibration or
by saying "I don't know" (Kalai et al. 2025). So per stratum, for each run: the hallucination
rate, abstained ("I don't know") and non-answer rates (docs/metrics.md 1; ``non_answer`` rows are
counted where the grader gives that label), the multiple-choice ECE of teacher-forced
options (analysis/choice.py, docs/metrics.md 4), the sampled Mis where the run has samples, and
the score at each confidence target (docs/metrics.md 5) where the run asked them. Rates are over
all graded items (unscored and error rows left out), as in the summary.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from halprobe.analysis.choice import choice_table, read_choices
from halprobe.errors import UserError
from halprobe.store.rundir import CONFIG, RunDir

GRADED = ("correct", "hallucinated", "abstained", "vague", "non_answer")
RATES = ("hr", "abstained", "non_answer")
KEY = ["suite", "bin"]


def outcome_rates(rows: pd.DataFrame) -> pd.DataFrame:
    """n, HR, abstained and non-answer shares per suite x bin and per suite ('all')."""
    if rows.empty:
        return pd.DataFrame(columns=[*KEY, "n", *RATES])
    graded = rows[rows["label"].isin(GRADED)].copy()
    graded["bin"] = graded["bin"].astype(str)
    records = []
    for suite, group in graded.groupby("suite", sort=True):
        strata = [(b, g) for b, g in group.groupby("bin", sort=True)] + [("all", group)]
        for bin_name, part in strata:
            labels = part["label"]
            records.append({"suite": suite, "bin": bin_name, "n": len(part),
                            "hr": float((labels == "hallucinated").mean()),
                            "abstained": float((labels == "abstained").mean()),
                            "non_answer": float((labels == "non_answer").mean())})
    return pd.DataFrame(records)


def _optional(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame(columns=columns)
    table = pd.read_csv(path, dtype={"bin": str})
    return table[[c for c in columns if c in table]]


def _targets(run: Path) -> pd.DataFrame:
    """score_t<t> per suite (the 'all' stratum), where the run asked confidence targets."""
    path = run / "targets.csv"
    if not path.is_file():
        return pd.DataFrame(columns=KEY)
    table = pd.read_csv(path)
    if "target" not in table or "score" not in table:
        return pd.DataFrame(columns=KEY)
    wide = table.pivot_table(index="suite", columns="target", values="score", aggfunc="mean")
    wide.columns = [f"score_t{t:g}" for t in wide.columns]
    return wide.reset_index().assign(bin="all")


def run_table(run: Path) -> pd.DataFrame:
    """One run's comparison columns per suite x bin."""
    if not (run / CONFIG).is_file():
        raise UserError(f"{run} is not a halprobe run directory (no {CONFIG})")
    rows = pd.DataFrame(RunDir(run).read_rows())
    table = outcome_rates(rows)
    choices = choice_table(pd.DataFrame(read_choices(run)))
    if len(choices):
        choices["bin"] = choices["bin"].astype(str)
        table = table.merge(choices[[*KEY, "mc_ece", "mc_accuracy", "iiv_error"]],
                            on=KEY, how="left")
    summary = _optional(run / "summary.csv", [*KEY, "mis", "mis_source"])  # samples or scores
    if "mis" in summary and summary["mis"].notna().any():
        table = table.merge(summary, on=KEY, how="left")
    return table.merge(_targets(run), on=KEY, how="left")


def run_label(run: Path) -> str:
    """The model and prompt style a run used, for column headers and the plot legend."""
    config = json.loads((run / CONFIG).read_text(encoding="utf-8"))
    model = config.get("fingerprint", {}).get("model") or config.get("model_spec", "model")
    return f"{model} ({config.get('prompt_style', 'chat')})"


def compare_table(run_a: Path, run_b: Path) -> pd.DataFrame:
    """Both runs' columns side by side (suffixes _a and _b) on the strata they share."""
    a, b = (run_table(run).set_index(KEY).add_suffix(side).reset_index()
            for run, side in ((run_a, "_a"), (run_b, "_b")))
    both = a.merge(b, on=KEY, how="inner")
    if both.empty:
        raise UserError(f"{run_a} and {run_b} share no suite: nothing to compare")
    return both


SHOWN = ("n", "hr", "abstained", "non_answer", "mc_ece", "mis", "mis_source")


def printable(table: pd.DataFrame) -> pd.DataFrame:
    """The columns a reader compares first, A beside B, then the target scores."""
    columns = list(KEY)
    for name in SHOWN:
        columns += [c for c in (f"{name}_a", f"{name}_b") if c in table]
    columns += sorted(c for c in table if c.startswith("score_t"))
    return table[columns]
