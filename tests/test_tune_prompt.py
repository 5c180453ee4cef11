"""`halprobe tune-prompt` end to end, with a scripted backend whose answers give gains worked
out by hand, and once with the real default model (marked)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from halprobe.cli import app
from halprobe.commands.tune_cmd import candidates, print_tables, write_tables
from halprobe.run.pipeline import EvalOptions, EvalResult, run_eval
from halprobe.types import Capabilities, DecodingParams, Generation, Message
from halprobe.variants.transforms import PLAIN
from tests.conftest import run_cli, write_suite

SUITE_YAML = """\
name: six
version: 0.1.0
prompt: {template: "{question} Answer in one sentence."}
bins: {scale: log10, edges: [5.0, 6.0, 7.0, 8.0]}
"""
# Two countries per bin: bin 0 (rare), bin 1, bin 2 (frequent).
COUNTRIES = [("TUV", "Tuvalu", "Funafuti", 2e5), ("NRU", "Nauru", "Yaren", 3e5),
             ("BRB", "Barbados", "Bridgetown", 2e6), ("MLT", "Malta", "Valletta", 3e6),
             ("PER", "Peru", "Lima", 2e7), ("KEN", "Kenya", "Nairobi", 3e7)]
KNOWN = {"Peru": "Lima", "Kenya": "Nairobi"}  # the scripted model knows only bin 2


def six_suite(directory: Path) -> Path:
    items = [{"id": f"six/{code}", "question": f"What is the capital of {name}?",
              "answer": cap, "aliases": [cap], "answer_type": "entity", "popularity": pop,
              "proxy": "population", "subject": name} for code, name, cap, pop in COUNTRIES]
    return write_suite(directory, items, yaml_text=SUITE_YAML)


class ScriptedBackend:
    """Plain prompt: right in bin 2, wrong elsewhere. "Say I don't know": always abstains.
    Confidence target: answers what it knows, and Malta, wrongly. Verify: repeats itself."""

    capabilities = Capabilities(logprobs=False)

    def __init__(self) -> None:
        self.prompts: list[list[Message]] = []

    def fingerprint(self) -> dict[str, Any]:
        return {"backend": "scripted", "model": "scripted"}

    def close(self) -> None:
        pass

    def generate(self, prompts: Sequence[Sequence[Message]],
                 params: DecodingParams) -> list[Generation]:
        self.prompts += [list(p) for p in prompts]
        return [Generation(self.answer(list(p)), prompt_tokens=10, completion_tokens=5)
                for p in prompts]

    @staticmethod
    def answer(prompt: list[Message]) -> str:
        text = prompt[-1].content
        if text.startswith("Check your answer"):
            return prompt[-2].content
        country = next(c for _, c, _, _ in COUNTRIES if c in text)
        capital = KNOWN.get(country)
        if "say \"I don't know\"" in text:
            return "I don't know."
        if "Answer only if you are >" in text and capital is None and country != "Malta":
            return "I don't know."
        return f"The capital of {country} is {capital or 'Atlantis'}."


def tune_scripted(tmp_path: Path, backend: ScriptedBackend, per_bin: int = 2,
                  chosen: tuple[str, ...] = (), gain: str = "score") -> tuple[Path, str]:
    """What `halprobe tune-prompt --per-bin N [--candidate ...] [--gain G]` does, asking the
    scripted model (the pipeline takes a Backend object; the command line builds one from
    --model). Returns the run directory and the tables as the command prints them."""
    names = candidates(0.75, None, list(chosen))
    out = tmp_path / "run"
    result = run_eval(EvalOptions(suites=[str(six_suite(tmp_path / "s"))], per_bin=per_bin,
                                  out=out, results=tmp_path, progress=False,
                                  prompt_transforms=[PLAIN, *names]), backend=backend)
    assert isinstance(result, EvalResult)
    tables = write_tables(result.run_dir, 0.75, 1.0, 0, names, gain)
    console = Console(record=True, width=200)
    print_tables(tables, console, 0.75, 1.0, gain)
    return out, console.export_text()


def test_tune_prompt_gains_and_lodo_by_hand(tmp_path: Path) -> None:
    """Scores at t = .75 (penalty 3): plain -3,-3 | -3,-3 | 1,1 per bin.
    Gains per domain (bins 0, 1, 2): target-0.75 (3, 1.5, 0), idk (3, 3, -1), verify 0.
    s_k = mean - sd (ddof 0): target 1.5 - sqrt(1.5) = 0.275; idk 5/3 - sqrt(96/27) = -0.219.
    LODO (candidates in order none, target, idk, verify; ties to the earlier):
    without bin 0, target (1.5, 0) has s = .75 - .75 = 0, idk (3, -1) s = -1: plain, gain 0;
    without bin 1, target (3, 0) s = 0: plain, gain 0; without bin 2, target (3, 1.5)
    s = 1.5, idk (3, 3) s = 3: idk, gain -1 on bin 2. Mean -1/3, worst domain bin 2."""
    out, printed = tune_scripted(tmp_path, ScriptedBackend())
    scores = pd.read_csv(out / "transfer_scores.csv").set_index("transform")
    assert scores.loc["idk", "s_k"] == pytest.approx(5 / 3 - math.sqrt(96 / 27), abs=1e-4)
    assert scores.loc["target-0.75", "s_k"] == pytest.approx(1.5 - math.sqrt(1.5), abs=1e-4)
    assert scores.loc["verify", "mean_gain"] == 0
    lodo = pd.read_csv(out / "lodo.csv", dtype={"held_out": str}).set_index("held_out")
    assert lodo["chosen"].to_dict() == {"six/0": "none", "six/1": "none", "six/2": "idk"}
    assert lodo["gain"].tolist() == pytest.approx([0, 0, -1])
    summary = json.loads((out / "lodo.json").read_text())
    assert summary["mean_gain"] == pytest.approx(-1 / 3, abs=1e-4)
    assert summary["worst_domain"] == "six/2" and summary["chosen_on_all"] == "target-0.75"
    assert "--prompt-transform target-0.75" in printed


def test_hr_drop_gain_by_hand(tmp_path: Path) -> None:
    """--gain hr-drop, no log-probs (so a prompt cut to fewer answers drops them at random).
    Bin 0: plain 2 wrong; target and idk answer nothing (m = 0): 0 - 0. Bin 1: target answers
    Malta wrongly (HR 1/2); plain cut to 1 of its 2 wrong answers keeps 1/2 a mistake: HR 1/2,
    D = 0. Bin 2: no mistakes anywhere. verify repeats plain. Every gain is 0: the score gains
    of the test above (up to +3) all come from answering less; the plain prompt is chosen."""
    out, printed = tune_scripted(tmp_path, ScriptedBackend(), gain="hr-drop")
    assert "drop in hallucination rate at equal coverage" in printed
    domains = pd.read_csv(out / "transfer_domains.csv")
    assert len(domains) == 9 and (domains["gain"] == 0).all()
    summary = json.loads((out / "lodo.json").read_text())
    assert (summary["gain"], summary["score_t"], summary["chosen_on_all"]) == (
        "hr-drop", None, "none")
    bad = CliRunner().invoke(app, ["tune-prompt", "--gain", "nope", "--results", str(tmp_path)])
    assert bad.exit_code != 0


def test_verify_asks_a_second_turn_with_the_answer(tmp_path: Path) -> None:
    scripted = ScriptedBackend()
    tune_scripted(tmp_path, scripted, per_bin=1, chosen=("verify",))
    second = [p for p in scripted.prompts if p[-1].content.startswith("Check your answer")]
    assert len(second) == 3  # one per sampled item
    assert [m.role for m in second[0]] == ["user", "assistant", "user"]
    rows = [json.loads(x) for x in (tmp_path / "run/responses.jsonl").read_text().splitlines()]
    verified = [r for r in rows if r.get("transform") == "verify"]
    assert all(r["completion_tokens"] == 10 for r in verified)  # both turns counted
    assert verified[0]["prompt"][-1]["role"] == "followup"


def test_unknown_candidate_is_a_user_error(tmp_path: Path) -> None:
    result = run_cli("tune-prompt", "--suite", str(six_suite(tmp_path / "s")),
                     "--candidate", "nope", "--results", str(tmp_path))
    assert result.returncode == 2
    assert "unknown prompt transform 'nope'" in result.stderr
    assert not (tmp_path / "runs").exists()


@pytest.mark.model
@pytest.mark.slow
def test_tune_prompt_with_the_default_model(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = run_cli("tune-prompt", "--suite", str(six_suite(tmp_path / "s")), "--per-bin", "1",
                     "--candidate", "idk", "--out", str(out), "--results", str(tmp_path),
                     "--no-progress")
    assert result.returncode == 0, result.stderr
    lodo = pd.read_csv(out / "lodo.csv")
    assert len(lodo) == 3 and set(lodo["chosen"]) <= {"none", "idk"}
