"""`halprobe import inspect LOGFILE`: an inspect_ai eval log as a halprobe run directory.

The log is read with inspect's own log API (``read_eval_log``: .eval and .json logs alike).
Each sample of a halprobe task names its suite and item in its metadata (inspect_task.py); its
answer is the output's completion, its log-probs (where the model gave them) feed the
confidence figures, and the halprobe score the log holds is kept as ``harness_label`` beside
the label halprobe gives now (import_run.py). A sample inspect recorded as an error becomes an
error row, as a backend error does in `halprobe eval`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from halprobe.errors import UserError
from halprobe.integrations import require
from halprobe.integrations.import_run import HarnessAnswer, HarnessRun
from halprobe.integrations.items import find_item, load_suites

SCORER = "halprobe_grader"


def read_log(path: Path) -> Any:
    """The whole log, samples included; a one-line error for anything that is not one."""
    require("inspect_ai", "halprobe import inspect")
    from inspect_ai.log import read_eval_log

    if not path.is_file():
        raise UserError(f"inspect log not found: {path}")
    try:
        log = read_eval_log(str(path))
    except Exception as exc:  # inspect raises many kinds for a file that is not a log
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"{path}: not an inspect eval log ({first[:200]})") from None
    if not log.samples:
        raise UserError(f"{path}: the log holds no samples (status {log.status}); "
                        "run the task to the end, or with samples logged")
    return log


def _prompt(sample: Any) -> list[dict[str, str]]:
    if isinstance(sample.input, str):
        return [{"role": "user", "content": sample.input}]
    return [{"role": m.role, "content": m.text} for m in sample.input]


def _logprobs(sample: Any) -> tuple[tuple[str, ...] | None, tuple[float, ...] | None]:
    choices = sample.output.choices if sample.output else []
    content = choices[0].logprobs.content if choices and choices[0].logprobs else None
    if not content:
        return None, None
    return tuple(lp.token for lp in content), tuple(float(lp.logprob) for lp in content)


def _answer(sample: Any, path: Path) -> HarnessAnswer:
    where = f"{path}: sample {sample.id}"
    meta = sample.metadata or {}
    if "item_id" not in meta or "suite_ref" not in meta:
        raise UserError(f"{where} has no halprobe item in its metadata: not a halprobe task "
                        "(inspect eval halprobe/<suite>)")
    item = find_item(str(meta["suite_ref"]), str(meta["item_id"]), where)
    extra = {"harness_sample_id": sample.id, "harness_epoch": sample.epoch}
    if sample.error is not None:
        return HarnessAnswer(item, _prompt(sample), None, error=sample.error.message,
                             extra=extra)
    score = (sample.scores or {}).get(SCORER)
    tokens, logprobs = _logprobs(sample)
    return HarnessAnswer(item, _prompt(sample), sample.output.completion, tokens=tokens,
                         token_logprobs=logprobs,
                         harness_label=str(score.value) if score is not None else None,
                         extra=extra)


def read_answers(path: Path) -> tuple[HarnessRun, list[HarnessAnswer]]:
    """The run and its answers, each with the probe item it answered."""
    log = read_log(path)
    answers = [_answer(s, path) for s in log.samples]
    refs = {str(s.metadata["suite_ref"]) for s in log.samples}
    config = log.plan.config.model_dump(exclude_none=True) if log.plan else {}
    task_args = dict(log.eval.task_args or {})
    run = HarnessRun(
        harness="inspect", source=path, model=str(log.eval.model),
        fingerprint={"backend": "inspect", "model": str(log.eval.model),
                     "model_args": log.eval.model_args or {},
                     "inspect_task": log.eval.task, "inspect_run_id": log.eval.run_id},
        decoding=config, suites=load_suites(refs),
        settings={"per_bin": task_args.get("per_bin", 8), "seed": task_args.get("seed", 0),
                  "limit": task_args.get("limit"),
                  "prompt_style": task_args.get("prompt_style", "chat")})
    return run, answers
