"""The check both harness round trips end with: the imported run against a plain
`halprobe eval` of the same five capitals (per_bin 1, seed 0) and the same weights."""

from __future__ import annotations

from pathlib import Path

from halprobe.run.pipeline import EvalOptions, EvalResult, run_eval
from halprobe.store.load import load_run


def assert_same_as_native(imported: Path, tmp_path: Path, model: str | None,
                          also: tuple[str, ...] = (), confidences: bool = True) -> None:
    """Same items, answers and labels (and the ``also`` columns, and the confidences where the
    harness passes log-probs through) as halprobe's own run."""
    native = run_eval(EvalOptions(model=model, suites=["capitals"], per_bin=1, seed=0,
                                  out=tmp_path / "native", results=tmp_path / "results",
                                  cache=tmp_path / "cache.sqlite", progress=False))
    assert isinstance(native, EvalResult)
    theirs = load_run(imported).responses.set_index("item_id")
    ours = load_run(native.run_dir).responses.set_index("item_id")
    assert sorted(theirs.index) == sorted(ours.index) and len(ours) == 5
    for column in ("response", "label", *also):
        assert theirs[column].to_dict() == ours[column].to_dict(), column
    if confidences:
        assert theirs["confidence_source"].to_dict() == ours["confidence_source"].to_dict()
        assert theirs["confidence"].round(6).to_dict() == ours["confidence"].round(6).to_dict()
