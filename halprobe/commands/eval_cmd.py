"""`halprobe eval`: run probe suites through a model and write a run directory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.console import Console

from halprobe.analysis.sampling import MIN_SAMPLES
from halprobe.backends.spec import RecordMode, parse_backend_options
from halprobe.report.console import print_summary
from halprobe.run.pipeline import DryRun, EvalOptions, EvalResult, run_eval
from halprobe.run.runner import RunAborted
from halprobe.variants.transforms import parse_targets

BACKEND_OPTIONS_HELP = (
    "KEY=VALUE passed to the backend; repeat for several. Default model and llamacpp: "
    "n_threads, n_ctx, n_batch, n_parallel, extra_bufts=auto|on|off (off avoids llama.cpp's "
    "AMX crash on Intel Xeons; auto turns it off there), score_weights=native|f32|f16|bf16 "
    "(--choices scores from a float copy of the weights: faster, kept out of Mis); hf: "
    "batch_size, n_threads; openai: "
    "logprobs, timeout, concurrency.")
MODEL_HELP = ("Model spec. Leave out for the embedded SmolLM2-135M-Instruct. "
              "llamacpp:FILE.gguf | hf:HUB_ID_OR_DIR | hf:DIR?gguf=FILE | openai:MODEL | "
              "gemma3-270m (a base model from PyPI: halprobe models) | mock:FILE (answers "
              "from a YAML file, no model)")


def eval_command(
    model: str | None = typer.Option(None, "--model", "-m", metavar="SPEC", help=MODEL_HELP),
    suite: list[str] = typer.Option([], "--suite", "-s", metavar="NAME|PATH",
                                    help="Suite name or path to a "
                                    "suite.yaml; repeat for several. Default: all four "
                                    "built-in suites."),
    per_bin: int = typer.Option(8, "--per-bin", help="Items sampled from each frequency bin "
                                "of each suite."),
    all_items: bool = typer.Option(False, "--all", help="Ask every item (ignores --per-bin)."),
    limit: int | None = typer.Option(None, "--limit", help="At most this many items in all "
                                     "(strata interleaved first)."),
    seed: int = typer.Option(0, "--seed", help="Seed for sampling items (and sampled decoding)."),
    max_tokens: int = typer.Option(48, "--max-tokens", help="Most tokens generated per answer."),
    out: Path | None = typer.Option(None, "--out", help="Run directory to write (default: "
                                    "results/runs/<run id>)."),
    results: Path = typer.Option(Path("results"), "--results", help="Results root (runs/, "
                                 "cache.sqlite)."),
    cache: Path | None = typer.Option(None, "--cache", help="SQLite response cache "
                                      "(default: RESULTS/cache.sqlite)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    base_url: str | None = typer.Option(None, "--base-url", help="openai: server URL "
                                        "(default: OPENAI_BASE_URL, else api.openai.com). "
                                        "The key comes from OPENAI_API_KEY."),
    concurrency: int | None = typer.Option(None, "--concurrency", help="openai: requests "
                                           "in flight (default 8)."),
    timeout: float | None = typer.Option(None, "--timeout", help="openai: seconds per "
                                         "request (default 60)."),
    cassette: Path | None = typer.Option(None, "--cassette", help="Record or replay every "
                                         "HTTP exchange in this vcrpy cassette (secrets "
                                         "scrubbed)."),
    record_mode: RecordMode = typer.Option(RecordMode.none, "--record-mode",
                                    help="Cassette mode: none replays only (CI), once "
                                    "records a new cassette, new_episodes adds, all "
                                    "re-records."),
    price_table: Path | None = typer.Option(None, "--price-table", help="YAML/JSON "
                                            "{model: {input: USD/1M, output: USD/1M}} "
                                            "overriding the built-in prices."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the number of requests, "
                                 "estimated tokens and cost; send nothing."),
    targets: str | None = typer.Option(None, "--targets", help="Ask every item under each "
                                       "confidence target, e.g. 0,0.5,0.75,0.9; writes "
                                       "targets.csv (answer rate, precision, score, BCG)."),
    prompt_transform: list[str] = typer.Option([], "--prompt-transform", help="Ask under "
                                               "this prompt transform: idk, verify, target-T "
                                               "or one from --transforms; repeat for several, "
                                               "'none' is the plain prompt."),
    transforms_file: Path | None = typer.Option(None, "--transforms", help="YAML file of "
                                                "your own prompt transforms."),
    prompt_form: str | None = typer.Option(None, "--prompt-form", help="obituary: ask "
                                           "'Write a short obituary of NAME.' for the "
                                           "death-date items (give --max-tokens 160)."),
    knowledge_cutoff: str | None = typer.Option(None, "--knowledge-cutoff", help="YYYY-MM, "
                                                "or auto to look the model up: items dated "
                                                "later form an after-cutoff stratum."),
    cutoff_table: Path | None = typer.Option(None, "--cutoff-table", help="YAML of model "
                                             "knowledge cutoffs, added to the built-in table."),
    samples: int = typer.Option(0, "--samples", help="Ask each item K more times at "
                                "temperature 1 (samples.jsonl): sampling confidence and the "
                                "generative miscalibration Mis of the bound. K >= 20 "
                                "recommended."),
    reference_corpus: Path | None = typer.Option(None, "--reference-corpus", help="Text "
                                                 "(one document a line) or JSONL file, or a "
                                                 "folder of them (.gz too): documents where "
                                                 "an item's subject and answer co-occur "
                                                 "become its frequency proxy. Or an "
                                                 "infini-gram index: infinigram:DIR or "
                                                 "infinigram-api:NAME "
                                                 "(docs/reference-corpus.md)."),
    corpus_text_field: str = typer.Option("text", "--corpus-text-field", help="The JSONL "
                                          "field that holds a document's text."),
    prompt_style: str = typer.Option("auto", "--prompt-style", metavar="chat|completion|auto",
                                     help="chat: the suite's chat prompt; completion: a "
                                     "few-shot 'Q: ... A:' prompt for base models (answer "
                                     "ends at its line); auto: chat where the model has a "
                                     "chat template, else completion."),
    shots: int = typer.Option(3, "--shots", help="Solved examples in a completion prompt, "
                              "drawn by --seed from items not asked."),
    choices: int = typer.Option(0, "--choices", metavar="K", help="Also score the gold answer "
                                "and K distractors of the same kind per item (teacher "
                                "forcing): multiple-choice calibration (ECE) and the "
                                "is-it-valid error with its bound, in choice.csv. K = 4 "
                                "gives 5 options."),
    backend_option: list[str] = typer.Option([], "--backend-option", "-o", metavar="KEY=VALUE",
                                             help=BACKEND_OPTIONS_HELP),
) -> None:
    """Ask a model the probe questions, grade every answer and write a run directory.

    Answers are cached, so a killed or interrupted run resumes where it stopped when the same
    command is run again, and nothing is asked twice.
    """
    backend_options = {**parse_backend_options(backend_option),
                       **{k: v for k, v in (("base_url", base_url), ("concurrency", concurrency),
                                            ("timeout", timeout)) if v is not None}}
    opts = EvalOptions(model=model, suites=suite, per_bin=None if all_items else per_bin,
                       limit=limit, seed=seed, max_tokens=max_tokens, out=out, results=results,
                       cache=cache, progress=progress, backend_options=backend_options,
                       cassette=cassette, record_mode=record_mode.value,
                       price_table=price_table, dry_run=dry_run,
                       targets=parse_targets(targets) if targets else (),
                       prompt_transforms=prompt_transform, transforms_file=transforms_file,
                       prompt_form=prompt_form, knowledge_cutoff=knowledge_cutoff,
                       cutoff_table=cutoff_table, samples=samples,
                       reference_corpus=reference_corpus, corpus_text_field=corpus_text_field,
                       prompt_style=prompt_style, shots=shots, choices=choices)
    console = Console()
    if 0 < samples < MIN_SAMPLES:
        console.print(f"[yellow]halprobe: warning: --samples {samples}: Mis needs K >= "
                      f"{MIN_SAMPLES} samples an item to be reliable (docs/metrics.md 4)[/yellow]")
    result = run_or_exit(opts, console)
    if isinstance(result, DryRun):
        print_dry_run(result, console)
        return
    print_result(result, console)


def run_or_exit(opts: EvalOptions, console: Console) -> EvalResult | DryRun:
    """run_eval, turning a run the backend stopped into a message and exit code 1."""
    try:
        return run_eval(opts)
    except RunAborted as exc:
        console.print(f"[red]halprobe: run stopped: {exc}[/red]\nFinished items are saved; "
                      "fix the cause and rerun the same command to resume.")
        raise typer.Exit(1) from None


def print_dry_run(result: DryRun, console: Console) -> None:
    extra = f" ({result.samples} of them --samples answers)" if result.samples else ""
    console.print(f"dry run: {result.requests} requests{extra}, nothing sent")
    estimate = result.estimate
    if estimate is None:
        console.print("local model: no API cost")
        return
    cost = "unknown" if estimate.cost_usd is None else f"${estimate.cost_usd:.4f}"
    console.print(f"estimated tokens: {estimate.prompt_tokens} prompt + "
                  f"{estimate.completion_tokens} completion; estimated cost {cost}")
    console.print(f"({estimate.note})")


def print_result(result: EvalResult, console: Console) -> None:
    stats = result.stats
    print_summary(result.summary, f"halprobe: {result.config['fingerprint'].get('model')}")
    print_variant_tables(result.tables, console)
    rate = stats.asked / stats.seconds if stats.seconds and stats.asked else 0.0
    console.print(f"asked {stats.asked}, cache hits {stats.cache_hits}, already done "
                  f"{stats.skipped_done}, errors {stats.errors}; {stats.seconds:.1f} s"
                  + (f" ({rate:.1f} items/s)" if rate else ""))
    usage = result.config.get("usage") or {}
    if usage.get("cost_usd") is not None:
        console.print(f"tokens: {usage['prompt_tokens']} prompt + {usage['completion_tokens']} "
                      f"completion; cost ${usage['cost_usd']:.4f}")
    print_extras(result, console)
    console.print(f"run written to [bold]{result.run_dir}[/bold] (report: "
                  f"{result.run_dir / 'report.html'})")


def print_extras(result: EvalResult, console: Console) -> None:
    """What --samples and --reference-corpus added: sampling figures, corpus counts."""
    sampled = result.config.get("samples")
    if sampled:
        stats = sampled.get("stats") or {}
        console.print(f"samples: {sampled['k']} an item at temperature "
                      f"{sampled['temperature']}; asked {stats.get('asked', 0)}, cache hits "
                      f"{stats.get('cache_hits', 0)}, errors {stats.get('errors', 0)}")
        rows = result.summary[result.summary["bin"] == "all"]
        for _, row in rows.iterrows():
            console.print(f"  {row['suite']}: Mis {row['mis']:.3f} over {row['mis_n_items']} "
                          f"items; HR of the samples {row.get('sampled_hr', float('nan')):.3f}; "
                          f"sampling confidence ECE {row['sampling_ece_width10']:.3f}, "
                          f"AUROC {row['sampling_auroc']:.3f}", markup=False, highlight=False)
    corpus = result.config.get("reference_corpus")
    if corpus:
        mf = corpus.get("monofact_exact")
        source = corpus.get("source")
        read = (f"{source['engine']} index {source['index']} ({corpus['n_documents']} "
                f"documents; {source['unit']} within {source['window']} tokens)" if source
                else f"{corpus['n_documents']} documents ({corpus['n_bytes'] / 1e6:.1f} MB, "
                f"{corpus['n_skipped_lines']} lines without a {corpus['text_field']!r} field)")
        console.print(f"reference corpus: {read}; {corpus['n_items_found']} of "
                      f"{corpus['n_items_counted']} items co-occur; MF = N_1/n = "
                      + ("n/a" if mf is None else f"{mf:.4f}"), markup=False, highlight=False)
        kappas = result.analysis.get("kappa")
        for _, row in (kappas.iterrows() if kappas is not None else iter(())):
            console.print(f"  anchor {row['suite']} ({row['proxy']}): kappa = sum n / sum c = "
                          f"{row['kappa']:.4g} [{row['kappa_low']:.4g}, {row['kappa_high']:.4g}] "
                          f"over {row['n_anchor']} items", markup=False, highlight=False)


VARIANT_COLUMNS = {
    "targets": ["suite", "family", "target", "n", "answer_rate", "precision", "score",
                "abstain_auc", "bcg", "false_premise_answer_rate"],
    "cutoff": ["suite", "variant", "stratum", "n", "hallucination_rate",
               "hallucination_rate_low", "hallucination_rate_high", "abstention_rate",
               "non_answer_rate", "accuracy"],
    "obituary": ["suite", "person", "n", "hallucination_rate", "hallucination_rate_low",
                 "hallucination_rate_high", "abstention_rate", "non_answer_rate", "accuracy"],
    "choice": ["suite", "mc_n", "mc_options", "mc_accuracy", "mc_ece", "mc_error",
               "iiv_error", "iiv_bound", "hr"],
}


def print_variant_tables(tables: dict[str, pd.DataFrame], console: Console) -> None:
    """The variant tables of a run (targets, knowledge cutoff, obituary form), where present."""
    for name, table in tables.items():
        rows = table[table["bin"] == "all"] if "bin" in table else table
        columns = [c for c in VARIANT_COLUMNS.get(name, list(table.columns)) if c in rows]
        console.print(f"\n[bold]{name}[/bold] ({name}.csv)")
        console.print(rows[columns].to_string(index=False, float_format=lambda v: f"{v:.3f}"),
                      markup=False, highlight=False)
