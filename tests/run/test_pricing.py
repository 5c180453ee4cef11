"""Cost of hosted runs: usage after a run, estimate before one, user price tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from halprobe.errors import UserError
from halprobe.run.pricing import PRICES, dry_run_estimate, usage_cost


def test_cost_from_usage_and_dry_run_estimate(tmp_path: Path) -> None:
    assert usage_cost(1_000_000, 1_000_000, "gpt-4o-mini") == pytest.approx(0.75)
    # dated snapshots take their family's price (the longest matching name)
    assert usage_cost(2_000_000, 0, "gpt-4o-mini-2024-07-18") == pytest.approx(0.30)
    assert usage_cost(10, 10, "smollm2") is None
    estimate = dry_run_estimate(100, 4_001, 48, "gpt-4o")
    assert (estimate.requests, estimate.prompt_tokens, estimate.completion_tokens) == (
        100, 1001, 4800)
    assert estimate.cost_usd == pytest.approx((1001 * 2.5 + 4800 * 10.0) / 1e6)
    assert "characters/4" in estimate.note
    table = tmp_path / "prices.yaml"
    table.write_text("smollm2: {input: 1.0, output: 2.0}\ngpt-4o: {input: 0, output: 0}\n")
    assert usage_cost(1_000_000, 1_000_000, "smollm2", table) == pytest.approx(3.0)
    assert dry_run_estimate(1, 4, 1, "gpt-4o", table).cost_usd == 0
    assert PRICES["gpt-4o"].input == 2.5  # the built-in table is not changed by an override
    table.write_text("smollm2: {input: cheap}\n")
    with pytest.raises(UserError, match="smollm2"):
        usage_cost(1, 1, "smollm2", table)
    with pytest.raises(UserError, match="cannot read price table"):
        usage_cost(1, 1, "smollm2", tmp_path / "missing.yaml")
