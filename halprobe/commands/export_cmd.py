"""`halprobe export lm-eval --suite S --out DIR`: a halprobe suite as another harness's task
(halprobe/integrations/lm_eval_export.py). inspect_ai needs no export: its tasks are
registered (`inspect eval halprobe/<suite>`)."""

from __future__ import annotations

from pathlib import Path

import typer

from halprobe.integrations.lm_eval_export import MAX_TOKENS, export, task_name

export_app = typer.Typer(help="Write halprobe suites as another harness's tasks.",
                         no_args_is_help=True, rich_markup_mode=None)


@export_app.command("lm-eval")
def export_lm_eval(
    suite: list[str] = typer.Option([], "--suite", "-s", metavar="NAME|PATH",
                                    help="Suite name or suite.yaml path; repeat for several "
                                    "(default: capitals)."),
    out: Path = typer.Option(..., "--out", help="Folder for the task YAMLs and data "
                             "(lm_eval --include_path)."),
    per_bin: int = typer.Option(8, "--per-bin", help="Items sampled from each frequency bin, "
                                "as halprobe eval --per-bin."),
    all_items: bool = typer.Option(False, "--all", help="Every item (ignores --per-bin)."),
    seed: int = typer.Option(0, "--seed", help="Seed for sampling items, as halprobe eval."),
    limit: int | None = typer.Option(None, "--limit", help="At most this many items a suite."),
    prompt_style: str = typer.Option("chat", "--prompt-style", help="chat: the suite's "
                                     "messages through the model's chat template (run "
                                     "lm_eval with --apply_chat_template)."),
    max_tokens: int = typer.Option(MAX_TOKENS, "--max-tokens", help="Most tokens generated "
                                   "per answer."),
) -> None:
    """Write lm-evaluation-harness task YAMLs and JSONL data for halprobe suites."""
    written = export(suite, out, None if all_items else per_bin, seed, limit, prompt_style,
                     max_tokens)
    tasks = ",".join(task_name(p.stem.removeprefix("halprobe_")) for p in written)
    for path in written:
        typer.echo(f"wrote {path} and {path.with_suffix('.jsonl').name}")
    typer.echo(f"run: lm_eval --model hf --model_args pretrained=MODEL --include_path {out} "
               f"--tasks {tasks} --apply_chat_template --log_samples --output_path OUT\n"
               "then: halprobe import lm-eval OUT/<model>/samples_<task>_<time>.jsonl")
