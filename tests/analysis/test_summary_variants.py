"""The correlation table's 'all' row pools base suites only: variant suites (targets,
transforms, prompt forms, after the cutoff) ask the same items again and keep their own rows."""

from __future__ import annotations

import pandas as pd
import pytest

from halprobe.analysis.summary import analysis_tables
from tests.report.conftest import fake_rows


def test_all_row_leaves_variant_suites_out() -> None:
    base = pd.DataFrame(fake_rows(seed=0))
    capitals = base[base["suite"] == "capitals"]
    variants = [capitals.assign(suite=f"capitals@{v}", item_id=capitals["item_id"] + f"@{v}",
                                label="hallucinated", base_suite="capitals")
                for v in ("target-0.75", "after-cutoff")]
    mixed = pd.concat([base, *variants], ignore_index=True)
    alone = analysis_tables(base, n_resamples=200)["correlation"].set_index("suite")
    pooled = analysis_tables(mixed, n_resamples=200)["correlation"].set_index("suite")
    assert {"capitals@target-0.75", "capitals@after-cutoff"} <= set(pooled.index)
    numeric = alone.loc["all"].index[alone.loc["all"].map(lambda v: isinstance(v, float))]
    assert pooled.loc["all", numeric].tolist() == pytest.approx(
        alone.loc["all", numeric].tolist(), nan_ok=True)
