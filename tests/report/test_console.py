"""The table printed at the end of `halprobe eval` stays readable in an 80-column terminal."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from halprobe.analysis.rates import wilson
from halprobe.report.console import print_summary


def _row(suite: str, bin_: str, n: int, hallucinated: int, correct: int) -> dict[str, object]:
    low, high = wilson(hallucinated, n)
    return {"suite": suite, "bin": bin_, "n": n, "hallucination_rate": hallucinated / n,
            "hallucination_rate_low": low, "hallucination_rate_high": high,
            "accuracy": correct / n, "abstention_rate": (n - hallucinated - correct) / n,
            "vague_rate": 0.0, "n_unscored": 0, "n_error": 0}


def test_rates_and_intervals_fit_80_columns_unwrapped() -> None:
    summary = pd.DataFrame([_row("obituaries", "0", 8, 8, 0), _row("obituaries", "all", 40, 38, 0),
                            _row("capitals", "all", 40, 22, 13)])
    console = Console(width=80, color_system=None, record=True)
    print_summary(summary, "halprobe: test", console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "100% [68, 100]" in text  # 8/8: Wilson [.676, 1]
    assert "95% [83, 99]" in text  # 38/40: Wilson [.835, .986]
    assert "55% [40, 69]" in text  # 22/40: Wilson [.398, .693]
    assert "obituaries" in text and "…" not in text
