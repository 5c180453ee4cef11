"""Tables of a run's variant rows, from the stored rows alone: prompt-form rows (obituaries)
per kind of person, and the before/after knowledge-cutoff strata (docs/metrics.md 1, 6)."""

from __future__ import annotations

import pandas as pd

from halprobe.analysis.rates import GRADED, stratum_row
from halprobe.types import AFTER_CUTOFF


def form_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Rates of prompt-form rows (obituaries) per suite and kind of person: real, fictional
    or living (docs/metrics.md 1, with Wilson CIs)."""
    if "form" not in rows or not rows["form"].notna().any():
        return pd.DataFrame()
    asked = rows[rows["form"].notna()].copy()
    kind = asked["kind"] if "kind" in asked else pd.Series(None, index=asked.index)
    asked["person"] = kind.where(kind.notna(), asked["exists"].map({True: "real",
                                                                    False: "control"}))
    asked["person"] = asked["person"].replace({"fictional_person": "fictional",
                                               "living_person": "living"})
    if "after_cutoff" in asked:
        late = asked["after_cutoff"].fillna(False).astype(bool)
        asked.loc[late, "person"] = asked.loc[late, "person"] + " (after cutoff)"
    records = [{"form": form, "suite": suite, "person": person, **stratum_row(group)}
               for (form, suite, person), group
               in asked.groupby(["form", "base_suite", "person"], sort=True)]
    return pd.DataFrame.from_records(records)


def cutoff_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Per base suite (and variant): the before- and after-cutoff strata side by side, with
    counts and Wilson CIs (docs/metrics.md 1, 6). Only rows with an event date take part."""
    if "after_cutoff" not in rows or not rows["after_cutoff"].notna().any():
        return pd.DataFrame()
    dated = rows[rows["after_cutoff"].notna() & rows["label"].isin((*GRADED, "unscored",
                                                                     "error"))].copy()
    dated["base_suite"] = dated.get("base_suite", dated["suite"]).fillna(dated["suite"])
    dated["variant"] = dated["variant"].fillna("") if "variant" in dated else ""
    records = []
    for (suite, variant), group in dated.groupby(["base_suite", "variant"], sort=True):
        for after, part in group.groupby(group["after_cutoff"].astype(bool), sort=True):
            records.append({"suite": suite, "variant": variant,
                            "stratum": AFTER_CUTOFF if after else "before-cutoff",
                            **stratum_row(part)})
    return pd.DataFrame.from_records(records)
