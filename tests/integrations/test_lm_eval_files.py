"""`halprobe export lm-eval` writes plain-data tasks; `halprobe import lm-eval` grades a
--log_samples file into a run directory, and refuses other files in one line."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from halprobe.integrations.items import find_item, plan
from halprobe.integrations.lm_eval_export import export
from halprobe.store.load import load_run
from halprobe.variants.grading import grade_item
from tests.conftest import run_cli

STAMP = "2026-12-06T21-26-18.446089"
# Answers SmolLM2-135M-Instruct gave through lm-eval (hf, f32, chat template, greedy).
ANSWERS = {"capitals/BRN": "The capital of Brunei is Brunei.",
           "capitals/PHL": "The capital of the Philippines is Pasay.",
           "capitals/MWI": "Malawi is a country located in East Africa, known for its "
                           "vibrant culture, rich history, and diverse landscapes."}


def sample_line(doc_id: int, doc: dict[str, Any], answer: str) -> dict[str, Any]:
    """One line as lm-eval 0.4.13 writes it with --log_samples (fields as in a real file)."""
    context = f"<|im_start|>user\n{doc['prompt']}<|im_end|>\n<|im_start|>assistant\n"
    gen = {"until": [], "max_gen_toks": 48, "do_sample": False, "temperature": 0.0}
    return {"doc_id": doc_id, "doc": doc, "target": doc["answer"],
            "arguments": {"gen_args_0": {"arg_0": context, "arg_1": gen}},
            "resps": [[answer]], "filtered_resps": [answer], "filter": "none",
            "metrics": ["exact_match"], "doc_hash": "0" * 64, "prompt_hash": "1" * 64,
            "target_hash": "2" * 64, "exact_match": 0.0}


def lm_eval_output(tmp_path: Path) -> Path:
    """An exported task's docs answered as in a real lm-eval run: samples + results files."""
    export(["capitals"], tmp_path / "tasks", per_bin=1)
    docs = [json.loads(line) for line in
            (tmp_path / "tasks" / "halprobe_capitals.jsonl").read_text().splitlines()]
    out = tmp_path / "out" / "model"
    out.mkdir(parents=True)
    lines = [sample_line(n, d, ANSWERS[d["item_id"]]) for n, d in enumerate(docs)
             if d["item_id"] in ANSWERS]
    samples = out / f"samples_halprobe_capitals_{STAMP}.jsonl"
    samples.write_text("".join(json.dumps(line) + "\n" for line in lines))
    (out / f"results_{STAMP}.json").write_text(json.dumps({
        "model_name": "/cache/smollm2", "chat_template": "{% for m in messages %}...",
        "chat_template_sha": "872be49d", "lm_eval_version": "0.4.13",
        "config": {"model": "hf", "model_args": {"pretrained": "/cache/smollm2"}}}))
    return samples


def test_export_writes_plain_yaml_and_the_planned_items(tmp_path: Path) -> None:
    [path] = export(["capitals"], tmp_path, per_bin=2, seed=1)
    text = path.read_text()
    assert "!function" not in text and "!" not in text.replace("!=", "")
    config = yaml.safe_load(text)
    assert config["task"] == "halprobe_capitals"
    assert config["output_type"] == "generate_until"
    assert config["generation_kwargs"] == {"until": [], "max_gen_toks": 48, "do_sample": False,
                                           "temperature": 0.0}
    data = Path(config["dataset_kwargs"]["data_files"]["test"])
    docs = [json.loads(line) for line in data.read_text().splitlines()]
    p = plan("capitals", per_bin=2, seed=1)
    assert [d["item_id"] for d in docs] == [i.id for i in p.items]
    assert [d["prompt"] for d in docs] == [p.messages(i)[-1].content for i in p.items]
    assert docs[0]["halprobe"]["seed"] == 1


def test_export_command(tmp_path: Path) -> None:
    result = run_cli("export", "lm-eval", "--suite", "capitals", "--suite", "controls",
                     "--per-bin", "1", "--out", str(tmp_path / "tasks"))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "tasks").iterdir()) == [
        "halprobe_capitals.jsonl", "halprobe_capitals.yaml", "halprobe_controls.jsonl",
        "halprobe_controls.yaml"]
    assert "--tasks halprobe_capitals,halprobe_controls --apply_chat_template" in result.stdout
    bad = run_cli("export", "lm-eval", "--suite", "nope", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and bad.stderr.startswith("halprobe: error: unknown suite 'nope'")


def test_import_grades_with_halprobe(tmp_path: Path) -> None:
    samples = lm_eval_output(tmp_path)
    result = run_cli("import", "lm-eval", str(samples), "--out", str(tmp_path / "run"),
                     "--results", str(tmp_path / "results"))
    assert result.returncode == 0, result.stderr
    expected = {i: str(grade_item(find_item("capitals", i, "test"), text).label)
                for i, text in ANSWERS.items()}
    assert expected["capitals/BRN"] == expected["capitals/PHL"] == "hallucinated"
    counts = ", ".join(f"{label} {n}" for label, n in sorted(Counter(expected.values()).items()))
    assert f"imported 3 answers: {counts}" in result.stdout
    run = load_run(tmp_path / "run")
    labels = dict(zip(run.responses["item_id"], run.responses["label"], strict=True))
    assert labels == expected
    assert run.config["fingerprint"]["model"] == "/cache/smollm2"
    assert run.config["imported_from"]["harness"] == "lm-eval"
    assert run.config["status"] == "complete"
    all_row = run.summary[(run.summary["suite"] == "capitals") & (run.summary["bin"] == "all")]
    assert float(all_row["hallucination_rate"].iloc[0]) == pytest.approx(2 / 3, abs=1e-4)
    assert run.responses["harness_doc_id"].notna().all()
    report = run_cli("report", str(tmp_path / "run"), "--out", str(tmp_path / "report"))
    assert report.returncode == 0, report.stderr


def test_samples_of_another_task_are_one_line(tmp_path: Path) -> None:
    other = tmp_path / "samples_gsm8k.jsonl"
    doc = {"question": "2+2?", "answer": "4"}
    other.write_text(json.dumps({"doc_id": 0, "doc": doc, "filtered_resps": ["4"]}) + "\n")
    result = run_cli("import", "lm-eval", str(other), "--out", str(tmp_path / "run"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"halprobe: error: {other}:1: the sample's doc has no halprobe item_id: not a task "
        "written by `halprobe export lm-eval`"]
    assert not (tmp_path / "run").exists()


def test_a_file_that_is_not_samples_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "results.json"
    bad.write_text('{"results": {}}\n[1, 2]\n')
    result = run_cli("import", "lm-eval", str(bad))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"halprobe: error: {bad}:1: no 'doc' object: not an "
                                     "lm-eval --log_samples file")
    missing = run_cli("import", "lm-eval", str(tmp_path / "nope.jsonl"))
    assert missing.stderr.strip() == ("halprobe: error: lm-eval samples file not found: "
                                      f"{tmp_path / 'nope.jsonl'}")
