"""A harness asks the items and messages `halprobe eval` asks (integrations/items.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from halprobe.errors import UserError
from halprobe.integrations import require
from halprobe.integrations.items import find_item, plan
from halprobe.run.pipeline import EvalOptions, plan_variants, prompt_builder
from halprobe.suites import load, sample


def test_plan_samples_what_eval_samples() -> None:
    p = plan("capitals", per_bin=2, seed=3)
    suite = load(["capitals"])[0]
    expected = plan_variants(EvalOptions(suites=["capitals"], per_bin=2, seed=3),
                             sample(suite.items, 2, None, 3))
    assert [i.id for i in p.items] == [i.id for i in expected]
    assert len(p.items) == 10 and p.suite_ref == "capitals"
    build = prompt_builder([suite])
    assert all(p.messages(i) == build(i) for i in p.items)


def test_a_users_suite_is_referred_to_by_its_path(tiny_suite: Path) -> None:
    p = plan(str(tiny_suite), per_bin=None)
    assert p.suite_ref == str(tiny_suite.resolve())
    assert find_item(p.suite_ref, "tiny/FRA", "x").answer == "Paris"
    assert p.metadata(p.items[0])["suite_ref"] == str(tiny_suite.resolve())


def test_unknown_item_or_style_is_one_line() -> None:
    with pytest.raises(UserError, match=r"^log:3: item 'capitals/XXX' is not in suite"):
        find_item("capitals", "capitals/XXX", "log:3")
    with pytest.raises(UserError, match="prompt_style 'fewshot' is not available"):
        plan("capitals", prompt_style="fewshot")
    with pytest.raises(UserError, match="per_bin must be a positive integer"):
        plan("capitals", per_bin=0)


def test_a_missing_harness_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "inspect_ai", None)  # as if not installed
    with pytest.raises(UserError, match=r"pip install 'halprobe\[inspect\]'"):
        require("inspect_ai", "halprobe import inspect")


def test_the_cli_imports_no_harness() -> None:
    import subprocess

    code = ("import sys, halprobe.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('inspect_ai', 'lm_eval', 'datasets')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"
