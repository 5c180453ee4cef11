"""`halprobe import lm-eval SAMPLES.jsonl`: lm-evaluation-harness answers as a halprobe run.

Reads the per-sample file `lm_eval --log_samples` writes for a task that
`halprobe export lm-eval` made: each line's ``doc`` carries the item id and suite, its
``filtered_resps`` the answer (the "none" filter: the text as generated). Grading happens here,
with halprobe's grader (import_run.py); the task's own placeholder metric is ignored. The model,
its arguments and whether the chat template was applied come from the ``results_*.json`` that
lm-eval writes beside the samples file (same timestamp), where it is there.

A plain JSON reader, no lm_eval import: the file format is all that is needed, so importing
works wherever halprobe does.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from halprobe.errors import UserError
from halprobe.integrations.import_run import HarnessAnswer, HarnessRun
from halprobe.integrations.items import find_item, load_suites
from halprobe.store.cache import flat_dict
from halprobe.suites import Suite

KEPT_FILTER = "none"  # lm-eval's unfiltered answer


def _lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        raise UserError(f"lm-eval samples file not found: {path}")
    records = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UserError(f"{path}:{n}: not valid JSON ({exc.msg}): not an lm-eval "
                                "--log_samples file") from None
            if not isinstance(record, dict) or not isinstance(record.get("doc"), dict):
                raise UserError(f"{path}:{n}: no 'doc' object: not an lm-eval --log_samples "
                                "file")
            records.append((n, record))
    if not records:
        raise UserError(f"{path}: no samples in the file")
    return records


def _response(record: dict[str, Any], where: str) -> str:
    answers = record.get("filtered_resps")
    if not isinstance(answers, list) or not answers or not isinstance(answers[0], str):
        raise UserError(f"{where}: no generated text in 'filtered_resps' (a generate_until "
                        "task's sample has one string)")
    return answers[0].strip()


def _answer(record: dict[str, Any], where: str, suites: dict[str, Suite]) -> HarnessAnswer:
    doc = record["doc"]
    if "item_id" not in doc or "suite_ref" not in doc:
        raise UserError(f"{where}: the sample's doc has no halprobe item_id: not a task "
                        "written by `halprobe export lm-eval`")
    ref = str(doc["suite_ref"])
    item = find_item(ref, str(doc["item_id"]), where)
    if ref not in suites:
        suites[ref] = load_suites([ref])[0]
    from halprobe.run.pipeline import prompt_builder

    prompt = [flat_dict(m) for m in prompt_builder([suites[ref]])(item)]
    return HarnessAnswer(item, prompt, _response(record, where),
                         extra={"harness_doc_id": record.get("doc_id")})


def results_file(samples: Path) -> Path | None:
    """lm-eval's results_<timestamp>.json written with this samples_<task>_<timestamp>.jsonl."""
    stamp = re.search(r"_(\d{4}-\d\d-\d\dT[\d.-]+)\.jsonl$", samples.name)
    if stamp:
        candidate = samples.with_name(f"results_{stamp.group(1)}.json")
        if candidate.is_file():
            return candidate
    return None


def _results(samples: Path) -> dict[str, Any]:
    path = results_file(samples)
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _run(path: Path, results: dict[str, Any], suites: list[Suite], settings: dict[str, Any],
         model: str | None) -> HarnessRun:
    config = results.get("config") or {}
    name = model or str(results.get("model_name") or config.get("model") or "unknown")
    chat = results.get("chat_template") is not None
    if results and not chat:
        print(f"halprobe: warning: {path}: lm-eval ran without --apply_chat_template; "
              "halprobe asks instruct models through their chat template", file=sys.stderr)
    fingerprint = {"backend": "lm-eval", "model": name,
                   "lm_eval_model": config.get("model"), "model_args": config.get("model_args"),
                   "lm_eval_version": results.get("lm_eval_version"),
                   "chat_template_sha": results.get("chat_template_sha")}
    return HarnessRun(harness="lm-eval", source=path, model=name, fingerprint=fingerprint,
                      decoding={"max_tokens": settings.get("max_tokens"), "temperature": 0.0},
                      suites=suites,
                      settings={**{k: settings.get(k) for k in ("per_bin", "seed", "limit")},
                                "prompt_style": settings.get("prompt_style", "chat")
                                if chat or not results else "none (no chat template)"})


def read_answers(path: Path, model: str | None = None) -> tuple[HarnessRun, list[HarnessAnswer]]:
    """The run and its answers (filter "none" only), each with the item it answered."""
    suites: dict[str, Suite] = {}
    answers: list[HarnessAnswer] = []
    settings: dict[str, Any] = {}
    for n, record in _lines(path):
        if record.get("filter", KEPT_FILTER) != KEPT_FILTER:
            continue
        answers.append(_answer(record, f"{path}:{n}", suites))
        settings = record["doc"].get("halprobe") or settings
    return _run(path, _results(path), list(suites.values()), settings, model), answers
