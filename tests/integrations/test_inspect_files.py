"""halprobe tasks, scorer and metrics inside inspect_ai's real eval(), with inspect's mockllm
provider answering (model runs are in test_inspect_model.py); `halprobe import inspect` on the
logs it writes, and its one-line refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("inspect_ai")  # the dev extra installs it; without it nothing here applies

from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessage, ModelOutput, ModelUsage, get_model
from inspect_ai.scorer import match
from inspect_ai.solver import generate

import halprobe.integrations.inspect_registry  # noqa: F401  (the entry point's module)
from halprobe.integrations.inspect_task import capitals, suite
from halprobe.integrations.items import find_item
from halprobe.scoring import grade
from halprobe.store.load import load_run
from tests.conftest import run_cli

# Answers SmolLM2-135M-Instruct gave to these capitals questions (halprobe eval, seed 0).
ANSWERS = {"Philippines": "The capital of the Philippines is Pasay.",
           "Brunei": "The capital of Brunei is Brunei.",
           "Wallis and Futuna": "The capital of Walli and Futuna is FUTNA.",
           "Malawi": "The capital of Malawi is Lilongwe.",
           "Laos": "I don't know the capital of Laos."}


def said(text: str) -> ModelOutput:
    output = ModelOutput.from_content(model="mockllm", content=text)
    # with usage given, mockllm counts no tokens (tiktoken would download its table)
    output.usage = ModelUsage(input_tokens=12, output_tokens=9, total_tokens=21)
    return output


def answer(messages: list[ChatMessage], *_: Any) -> ModelOutput:
    question = messages[-1].text
    return said(next(a for country, a in ANSWERS.items() if country in question))


@pytest.fixture(scope="module")
def log_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    logs = tmp_path_factory.mktemp("logs")
    model = get_model("mockllm/model", custom_outputs=answer)
    [log] = inspect_eval(capitals(per_bin=1, seed=0), model=model, log_dir=str(logs),
                         display="none")
    assert log.status == "success"
    return Path(log.location)


def test_scores_are_halprobe_labels_with_reason_and_matched(log_file: Path) -> None:
    from inspect_ai.log import read_eval_log

    log = read_eval_log(str(log_file))
    scores = {s.id: s.scores["halprobe_grader"] for s in log.samples or []}
    assert {k: v.value for k, v in scores.items()} == {
        "capitals/PHL": "hallucinated", "capitals/BRN": "hallucinated",
        "capitals/WLF": "hallucinated", "capitals/MWI": "correct", "capitals/LAO": "abstained"}
    verdict = grade(find_item("capitals", "capitals/MWI", "test"), ANSWERS["Malawi"])
    assert scores["capitals/MWI"].metadata == {"reason": verdict.reason, "matched": "Lilongwe"}
    assert scores["capitals/MWI"].explanation == verdict.reason
    metrics = {k: m.value for k, m in log.results.scores[0].metrics.items()}
    assert metrics["hallucination_rate"] == 0.6 and metrics["accuracy"] == 0.2
    assert metrics["abstention_rate"] == 0.2 and metrics["non_answer_rate"] == 0.0
    assert {metrics[f"hallucination_rate_bin{b}"] for b in range(5)} == {0.0, 1.0}


def test_import_writes_a_run_halprobe_reads(log_file: Path, tmp_path: Path) -> None:
    result = run_cli("import", "inspect", str(log_file), "--results", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "labels in the harness log: 5 of 5 the same as halprobe's grading now" in \
        result.stdout
    [run_dir] = (tmp_path / "runs").iterdir()
    run = load_run(run_dir)
    assert sorted(run.responses["label"]) == ["abstained", "correct", "hallucinated",
                                              "hallucinated", "hallucinated"]
    assert run.responses["prompt"][0][-1]["content"].endswith("Answer in one sentence.")
    assert run.config["fingerprint"]["model"] == "mockllm/model"
    assert run.config["imported_from"]["harness"] == "inspect"
    assert "mockllm/model" in (tmp_path / "leaderboard.csv").read_text()
    check = run_cli("check", str(run_dir), "--baseline", str(run_dir))
    assert check.returncode == 0, check.stderr


def test_a_users_suite_runs_as_the_suite_task(tiny_suite: Path, tmp_path: Path) -> None:
    model = get_model("mockllm/model", custom_outputs=lambda *_: said("Paris."))
    [log] = inspect_eval(suite(path=str(tiny_suite), per_bin=5), model=model,
                         log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success"
    result = run_cli("import", "inspect", log.location, "--out", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr
    labels = load_run(tmp_path / "run").responses.set_index("item_id")["label"].to_dict()
    assert labels == {"tiny/FRA": "correct", "tiny/BFA": "hallucinated",
                      "tiny/BRB": "hallucinated"}


def test_a_log_of_another_task_is_one_line(tmp_path: Path) -> None:
    task = Task(dataset=[Sample(id="q1", input="Say hi", target="hi")], solver=generate(),
                scorer=match())
    model = get_model("mockllm/model", custom_outputs=lambda *_: said("hi"))
    [log] = inspect_eval(task, model=model, log_dir=str(tmp_path), display="none")
    result = run_cli("import", "inspect", log.location)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"halprobe: error: {log.location}: sample q1 has no halprobe item in its metadata: "
        "not a halprobe task (inspect eval halprobe/<suite>)")


def test_a_file_that_is_not_a_log_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": 1}')
    result = run_cli("import", "inspect", str(bad))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"halprobe: error: {bad}: not an inspect eval log (")


def test_the_entry_point_registers_tasks_and_provider() -> None:
    """pyproject's ``inspect_ai`` entry point names a module that registers what
    `inspect eval halprobe/capitals --model halprobe/default` looks up."""
    import importlib
    import tomllib

    from inspect_ai._util.registry import registry_lookup

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml")
                              .read_text())
    module = pyproject["project"]["entry-points"]["inspect_ai"]["halprobe"]
    importlib.import_module(module)
    for name in ("capitals", "papers", "obituaries", "controls", "suite"):
        assert registry_lookup("task", f"halprobe/{name}") is not None
    assert registry_lookup("modelapi", "halprobe/halprobe") is not None
