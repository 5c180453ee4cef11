"""`halprobe export lm-eval --suite capitals --out DIR`: a suite as an lm-evaluation-harness task.

Writes, per suite, ``DIR/halprobe_<suite>.yaml`` and ``DIR/halprobe_<suite>.jsonl`` (the items
`halprobe eval` would ask with the same --per-bin/--seed/--limit, items.py), for
`lm_eval --include_path DIR --tasks halprobe_<suite> --apply_chat_template --log_samples ...`.

The task is ``generate_until`` with the suite's user message as the prompt (its system message,
where a suite has one, as the task description, which lm-eval sends as the system turn under
``--apply_chat_template``), greedy, halprobe's 48 new tokens, stopping only at the model's end
of turn (lm-eval adds EOS to an empty ``until``): so the model is asked what halprobe asks. The
YAML is plain data, no ``!function`` (config files that execute code are avoided): lm-eval's
``exact_match`` against the gold is only a placeholder metric; halprobe grades the answers on
`halprobe import lm-eval`, from the item id and suite each data row carries.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from halprobe.errors import UserError
from halprobe.integrations.items import Plan, plan

TASK_PREFIX = "halprobe_"
MAX_TOKENS = 48  # halprobe eval's --max-tokens default


def task_name(suite: str) -> str:
    return f"{TASK_PREFIX}{suite}"


def data_rows(p: Plan, settings: dict[str, Any]) -> list[dict[str, Any]]:
    """One lm-eval doc an item: the user message to send, and what import needs back."""
    rows = []
    for item in p.items:
        messages = p.messages(item)
        user = [m.content for m in messages if m.role == "user"]
        if len(user) != 1 or len(messages) > 2:
            raise UserError(f"item {item.id}: its prompt is not one (system +) user turn; "
                            "lm-eval sends exactly that")
        rows.append({"item_id": item.id, "suite_ref": p.suite_ref, "bin": item.bin,
                     "prompt": user[0], "answer": item.answer or "", "halprobe": settings})
    return rows


def task_config(p: Plan, data: Path, max_tokens: int) -> dict[str, Any]:
    config: dict[str, Any] = {
        "task": task_name(p.suite.name),
        "dataset_path": "json",
        "dataset_kwargs": {"data_files": {"test": str(data.resolve())}},
        "test_split": "test",
        "output_type": "generate_until",
        "doc_to_text": "{{prompt}}",
        "doc_to_target": "{{answer}}",
        "generation_kwargs": {"until": [], "max_gen_toks": max_tokens, "do_sample": False,
                              "temperature": 0.0},
        "metric_list": [{"metric": "exact_match", "aggregation": "mean",
                         "higher_is_better": True}],
        "metadata": {"version": p.suite.spec.version, "halprobe_suite": p.suite_ref,
                     "suite_digest": p.suite.spec.digest},
    }
    if p.suite.spec.system:
        config["description"] = p.suite.spec.system
    return config


def export(suites: list[str], out: Path, per_bin: int | None = 8, seed: int = 0,
           limit: int | None = None, prompt_style: str = "chat",
           max_tokens: int = MAX_TOKENS) -> list[Path]:
    """Write each suite's task YAML and data; return the YAML paths."""
    if max_tokens < 1:
        raise UserError(f"--max-tokens must be a positive integer, got {max_tokens}")
    plans = [plan(s, per_bin, seed, limit, prompt_style) for s in suites or ["capitals"]]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot write to {out}: {exc.strerror or exc}") from None
    written = []
    for p in plans:
        settings = {"per_bin": per_bin, "seed": seed, "limit": limit,
                    "prompt_style": prompt_style, "max_tokens": max_tokens}
        data = out / f"{task_name(p.suite.name)}.jsonl"
        data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                for r in data_rows(p, settings)), encoding="utf-8")
        path = out / f"{task_name(p.suite.name)}.yaml"
        path.write_text(yaml.safe_dump(task_config(p, data, max_tokens), sort_keys=False,
                                       allow_unicode=True), encoding="utf-8")
        written.append(path)
    return written
