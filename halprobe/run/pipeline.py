"""The steps of `halprobe eval`: plan items, open the run, ask, summarise, report.

Everything that can fail because of user input (suites, model spec, output directory) is
checked before the run directory is created, so a bad command leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
import sys
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import pandas as pd

from halprobe import __version__
from halprobe.analysis.choice import choice_table, read_choices
from halprobe.analysis.corpus import CorpusCounts
from halprobe.analysis.monofact import CORPUS_PROXY
from halprobe.analysis.summary import analysis_tables
from halprobe.analysis.variant_tables import cutoff_table, form_table
from halprobe.backends import create, split_spec
from halprobe.backends.base import Backend
from halprobe.backends.default import DEFAULT_MODEL_ID
from halprobe.errors import UserError
from halprobe.process import crash_context
from halprobe.report.parallel import FigureWorkers
from halprobe.run.choices import check_scoring, run_choices
from halprobe.run.corpus_proxy import (
    anchor_label,
    apply_counts,
    check_corpus,
    corpus_config,
    count_items,
)
from halprobe.run.followup import with_followups
from halprobe.run.pricing import CostEstimate, dry_run_estimate, usage_cost
from halprobe.run.runner import Runner, RunStats
from halprobe.run.samples import annotate_rows, run_samples, sample_config
from halprobe.store import ResponseCache, RunDir, find_resumable
from halprobe.store.rundir import SAMPLES, SUMMARY, read_json_object
from halprobe.suites import Suite, load, sample
from halprobe.types import (
    NATIVE_WEIGHTS,
    AnswerType,
    DecodingParams,
    Message,
    ProbeItem,
    RunConfig,
)
from halprobe.variants import cutoff, plan, transforms
from halprobe.variants.grading import grade_item
from halprobe.variants.prompts import (
    DEFAULT_SHOTS,
    STYLES,
    Shots,
    check_shots,
    choose_shots,
    completion_builder,
    question_line,
    resolve_style,
)


@dataclass
class EvalOptions:
    model: str | None = None
    suites: list[str] = field(default_factory=list)
    per_bin: int | None = 8
    limit: int | None = None
    seed: int = 0
    max_tokens: int = 48
    out: Path | None = None
    results: Path = Path("results")
    cache: Path | None = None
    progress: bool = True
    backend_options: dict[str, Any] = field(default_factory=dict)
    cassette: Path | None = None
    record_mode: str = "none"
    price_table: Path | None = None
    dry_run: bool = False
    targets: tuple[float, ...] = ()
    prompt_transforms: list[str] = field(default_factory=list)
    transforms_file: Path | None = None
    prompt_form: str | None = None
    knowledge_cutoff: str | None = None
    cutoff_table: Path | None = None
    samples: int = 0  # --samples K: K more answers per item at temperature 1
    reference_corpus: Path | None = None
    corpus_text_field: str = "text"
    prompt_style: str = "auto"  # chat | completion | auto (prompts.py)
    shots: int = DEFAULT_SHOTS  # solved examples in a completion prompt
    choices: int = 0  # --choices K: teacher-forced gold + K distractors an item (run/choices.py)


@dataclass
class EvalResult:
    run_dir: Path
    summary: pd.DataFrame
    stats: RunStats
    config: RunConfig
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    analysis: dict[str, pd.DataFrame] = field(default_factory=dict)  # summary.analysis_tables


@dataclass
class DryRun:
    """What a run would send, without sending anything."""

    requests: int
    estimate: CostEstimate | None
    samples: int = 0  # of the requests, this many are --samples answers


def check_options(opts: EvalOptions) -> None:
    for name in ("per_bin", "limit"):
        value = getattr(opts, name)
        if value is not None and value < 1:
            raise UserError(f"--{name.replace('_', '-')} must be a positive integer, got {value}")
    if opts.max_tokens < 1:
        raise UserError(f"--max-tokens must be a positive integer, got {opts.max_tokens}")
    if opts.samples < 0:
        raise UserError(f"--samples must be 0 or more, got {opts.samples}")
    if opts.prompt_style not in STYLES:
        raise UserError(f"--prompt-style must be one of {', '.join(STYLES)}, "
                        f"not {opts.prompt_style!r}")
    if opts.shots < 0:
        raise UserError(f"--shots must be 0 or more, got {opts.shots}")
    if opts.choices < 0:
        raise UserError(f"--choices must be 0 or more, got {opts.choices}")
    if opts.prompt_style == "completion":
        check_completion_options(opts)


def check_completion_options(opts: EvalOptions) -> None:
    """Prompt transforms and confidence targets are instructions: a base model asked by
    completion does not follow them, so they are refused rather than silently ignored."""
    if opts.prompt_transforms or opts.targets or opts.prompt_form:
        raise UserError("--prompt-style completion does not take --prompt-transform, "
                        "--targets or --prompt-form (instructions a base model does not "
                        "follow)")


def check_writable(directory: Path) -> None:
    """Fail early, with the path, when results cannot be written there; leave no trace."""
    created: list[Path] = []
    probe = directory
    while not probe.exists() and probe != probe.parent:
        created.append(probe)
        probe = probe.parent
    try:
        for path in reversed(created):
            path.mkdir()
        with tempfile.NamedTemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise UserError(f"cannot write to output directory {directory}: "
                        f"{exc.strerror or exc}") from None
    finally:
        for path in created:
            if path.is_dir():
                path.rmdir()


def prompt_builder(suites: list[Suite], style: str = "chat",
                   shots: Shots | None = None) -> Any:
    """The runner's prompt function: the suite's chat prompt, or a few-shot completion."""
    if style == "completion":
        return completion_builder(shots or Shots({}))
    specs = {s.name: s.spec for s in suites}

    def build(item: ProbeItem) -> list[Message]:
        spec = specs[plan.base_suite(item)]
        system = [Message("system", spec.system)] if spec.system else []
        return plan.apply(item, [*system, Message("user", spec.render(item.question))])

    return build


def _hash(data: Any) -> str:
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def build_config(opts: EvalOptions, suites: list[Suite], items: list[ProbeItem],
                 backend: Backend, params: DecodingParams,
                 shots: Shots | None = None) -> RunConfig:
    """Full provenance; ``config_hash`` covers exactly what decides the run's answers.
    ``shots``: a completion-style run's examples (a chat run keeps its old hash)."""
    prompts: dict[str, Any] = {s.name: {"system": s.spec.system, "template": s.spec.template}
                               for s in suites}
    if shots is not None:
        prompts = {"style": "completion", "format": question_line_format(),
                   "shots": shots.ids()}
    variants = plan.config_entries(items, cutoff_entry(opts))
    decisive = {
        "fingerprint": backend.fingerprint(), "params": asdict(params),
        "suites": {s.name: s.spec.digest for s in suites}, "prompts": prompts,
        "items": [i.id for i in items],
        **variants,
        **({"samples": opts.samples} if opts.samples else {}),  # a plain run keeps its hash
        **({"choices": opts.choices} if opts.choices else {}),
    }
    return cast(RunConfig, {
        "halprobe_version": __version__,
        "config_hash": _hash(decisive),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "model_spec": opts.model or "default",
        "fingerprint": decisive["fingerprint"],
        "capabilities": asdict(backend.capabilities),
        "decoding": asdict(params),
        "seed": opts.seed, "per_bin": opts.per_bin, "limit": opts.limit,
        "suites": [{"name": s.name, "version": s.spec.version, "digest": s.spec.digest,
                    "path": str(s.spec.path), "bins": s.spec.bins.count} for s in suites],
        "prompt_hash": _hash(prompts),
        "prompt_style": "chat" if shots is None else "completion",
        **({"shots": shots.ids(), "n_shots": opts.shots} if shots is not None else {}),
        "n_items": len(items),
        **({"choices": opts.choices} if opts.choices else {}),
        **variants,
        "status": "running",
    })


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")[:40] or "model"


def open_run_dir(opts: EvalOptions, config: RunConfig) -> tuple[RunDir, bool]:
    """The run directory to write: --out, an unfinished run of the same config, or a new one."""
    if opts.out is not None:
        existing = opts.out / "config.json"
        if existing.is_file():
            old = read_json_object(existing)
            if old.get("config_hash") != config["config_hash"]:
                raise UserError(f"{opts.out} already holds a different run; choose another --out")
            return RunDir(opts.out), True
        return RunDir(opts.out), False
    root = opts.results / "runs"
    resumable = find_resumable(root, config["config_hash"])
    if resumable is not None:
        return RunDir(resumable), True
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"{stamp}-{_slug(config['fingerprint'].get('model', 'model'))}-" \
           f"{config['config_hash'][:6]}"
    return RunDir(root / name), False


def dry_run(opts: EvalOptions, suites: list[Suite], items: list[ProbeItem]) -> DryRun:
    """Requests, tokens and cost of the planned run; hosted models only have a cost."""
    prefix, target = split_spec(opts.model)
    asks = 1 + opts.samples
    samples = len(items) * opts.samples
    if prefix != "openai":
        return DryRun(len(items) * asks, None, samples)
    build = prompt_builder(suites)
    chars = sum(len(m.content) for item in items for m in build(item))
    return DryRun(len(items) * asks, dry_run_estimate(len(items) * asks, chars * asks,
                                                      opts.max_tokens, target,
                                                      opts.price_table), samples)


def run_usage(rows: list[dict[str, Any]], model: str,
              price_table: Path | None) -> dict[str, Any]:
    """Tokens the run actually spent (cache hits cost nothing) and their price, if known."""
    fresh = [r for r in rows if not r.get("cached")]
    prompt = sum(r.get("prompt_tokens") or 0 for r in fresh)
    completion = sum(r.get("completion_tokens") or 0 for r in fresh)
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "cost_usd": usage_cost(prompt, completion, model, price_table)}


def run_eval(opts: EvalOptions, backend: Backend | None = None) -> EvalResult | DryRun:
    """Plan, run, summarise; returns where the run was written and its summary.

    ``backend``: ask this Backend object instead of loading ``opts.model`` (a test's scripted
    model, or one already loaded); the caller keeps it, so it is not closed here."""
    check_options(opts)
    suites = load(opts.suites)
    pool = [i for s in suites for i in s.items if plan.eligible(i, opts.prompt_form)]
    items = plan_variants(opts, with_fact_kind(sample(pool, opts.per_bin, opts.limit, opts.seed),
                                               suites))
    if opts.reference_corpus is not None:
        check_corpus(opts.reference_corpus)
    if opts.dry_run:
        return dry_run(opts, suites, items)
    check_writable(opts.out if opts.out is not None else opts.results / "runs")
    params = DecodingParams(max_tokens=opts.max_tokens, seed=opts.seed)
    with FigureWorkers() as figures, cassette_context(opts):  # the infini-gram API's HTTP too
        counts = (count_items(opts.reference_corpus, items, opts.corpus_text_field,
                              opts.progress, opts.results)
                  if opts.reference_corpus is not None else None)
        result = _run_with_backend(opts, suites, items, params, counts, figures, backend)
        result.tables = write_variant_tables(result.run_dir)
        write_outputs(opts, result.run_dir, result.analysis, figures)
    return result


def with_fact_kind(items: list[ProbeItem], suites: list[Suite]) -> list[ProbeItem]:
    """The chosen items with their suite's fact_kind (suite.yaml; docs/metrics.md 3) in meta,
    from where every response row carries it."""
    kinds = {s.spec.name: s.spec.fact_kind for s in suites}
    return [replace(i, meta={**i.meta, "fact_kind": kinds.get(i.suite)}) for i in items]


def plan_variants(opts: EvalOptions, items: list[ProbeItem]) -> list[ProbeItem]:
    """Items under each --prompt-transform x --targets, in --prompt-form, split at the
    --knowledge-cutoff; unchanged when none is given."""
    if opts.prompt_form and not items:
        raise UserError(f"--prompt-form {opts.prompt_form} asks date questions about people "
                        "(suites obituaries, controls); the chosen suites have none")
    chosen = transforms.resolve(opts.prompt_transforms, opts.transforms_file)
    items = plan.plan(items, chosen, opts.targets, opts.prompt_form)
    month = knowledge_cutoff(opts)
    return cutoff.mark(items, month) if month is not None else items


def knowledge_cutoff(opts: EvalOptions) -> cutoff.Cutoff | None:
    """--knowledge-cutoff, resolved (a month, or the model's entry in the cutoff tables)."""
    if not opts.knowledge_cutoff:
        return None
    return cutoff.resolve(opts.knowledge_cutoff, model_name(opts.model), opts.cutoff_table)


def cutoff_entry(opts: EvalOptions) -> dict[str, str] | None:
    month = knowledge_cutoff(opts)
    return cutoff.config_entry(month) if month is not None else None


def model_name(spec: str | None) -> str:
    """The model id a --model spec names, for the lookup (before any model is loaded)."""
    _, target = split_spec(spec)
    target = target.split("?", 1)[0]
    return target if target and target != "default" else DEFAULT_MODEL_ID


def write_variant_tables(run_dir: Path) -> dict[str, pd.DataFrame]:
    """targets.csv, cutoff.csv, obituary.csv and choice.csv (--choices) of a run, where it
    has such rows."""
    from halprobe.analysis.targets import targets_table

    rows = pd.DataFrame(RunDir(run_dir).read_rows())
    choices = pd.DataFrame(read_choices(run_dir))
    tables = {"targets": targets_table(rows), "cutoff": cutoff_table(rows),
              "obituary": form_table(rows), "choice": choice_table(choices, rows)}
    for name, table in tables.items():
        if len(table):
            table.to_csv(run_dir / f"{name}.csv", index=False, float_format="%.4f")
    return {name: table for name, table in tables.items() if len(table)}


def cassette_context(opts: EvalOptions) -> Any:
    """Record or replay every HTTP exchange of the run when --cassette is given."""
    if opts.cassette is None:
        return contextlib.nullcontext()
    from halprobe.backends.cassettes import use_cassette

    return use_cassette(opts.cassette, opts.record_mode)


def _run_with_backend(opts: EvalOptions, suites: list[Suite], items: list[ProbeItem],
                      params: DecodingParams, counts: CorpusCounts | None = None,
                      figures: FigureWorkers | None = None,
                      given: Backend | None = None) -> EvalResult:
    """Ask, then summarise; ``figures`` start loading matplotlib while the model loads."""
    if figures is not None:
        figures.start()  # forked before the model loads: no model, threads or cache in it
    loaded = given if given is not None else create(opts.model, opts.backend_options)
    backend = with_followups(loaded, items)
    try:
        shots = completion_shots(opts, suites, items, backend)
        build = prompt_builder(suites, "completion" if shots else "chat", shots)
        config = build_config(opts, suites, items, backend, params, shots)
        run_dir, resumed = open_run_dir(opts, config)
        if resumed:
            config = cast(RunConfig, {**run_dir.read_config(), "status": "running"})
        if opts.choices:
            check_scoring(backend)  # before the answers, not after them
            weights = getattr(backend.capabilities, "score_weights", NATIVE_WEIGHTS)
            if opts.samples and weights != NATIVE_WEIGHTS:
                print(f"halprobe: note: scores from {weights} weights are not generation's "
                      "arithmetic: Mis takes g(gold) from the samples (mis_source)",
                      file=sys.stderr)
        run_dir.write_config(config)
        crash_context.note(run_dir=str(run_dir.path))
        cache = ResponseCache(cache_path(opts, run_dir))
        runner = Runner(backend, cache, run_dir, params, build,
                        grade_item, show_progress=opts.progress)
        stats = runner.run(items)
        sampled = (run_samples(backend, cache, run_dir.path, items, opts.samples, params,
                               build, opts.progress) if opts.samples else None)
        if opts.choices:
            pool = [i for s in suites for i in s.items]
            run_choices(backend, run_dir.path, items, pool, opts.choices, opts.seed, build)
        cache.close()
    finally:
        if given is None:
            backend.close()
    finish_rows(run_dir, opts, counts)
    if figures is not None:
        from halprobe.report.html import draw_response_figures_early

        draw_response_figures_early(run_dir.path, figures)
    analysis = write_summary(run_dir)
    usage = run_usage(run_dir.read_rows() + RunDir(run_dir.path, SAMPLES).read_rows(),
                      str(config["fingerprint"].get("model")), opts.price_table)
    config = cast(RunConfig, {**config, "status": "complete", "resumed": resumed,
                              "stats": asdict(stats), "usage": usage,
                              **extras_config(opts, counts, sampled)})
    run_dir.write_config(config)
    return EvalResult(run_dir.path, analysis["summary"], stats, config, analysis=analysis)


def completion_shots(opts: EvalOptions, suites: list[Suite], items: list[ProbeItem],
                     backend: Backend) -> Shots | None:
    """The run's solved examples when it asks by completion (``--prompt-style``, resolved
    against the model: auto is completion for a model without a chat template); else None."""
    style = resolve_style(opts.prompt_style, backend.capabilities)
    if style != "completion":
        return None
    check_completion_options(opts)
    shots = choose_shots([i for s in suites for i in s.items], items, opts.shots, opts.seed)
    check_shots(shots, items, opts.shots)
    return shots


def question_line_format() -> str:
    return question_line(ProbeItem("", "", "{question}", None, (), AnswerType.ENTITY))


def finish_rows(run_dir: RunDir, opts: EvalOptions, counts: CorpusCounts | None) -> None:
    """Rewrite responses.jsonl (atomically) with the corpus counts as proxy and the
    sampling columns, where the run has them; the summary reads them from there."""
    if counts is None and not opts.samples:
        return
    rows = run_dir.read_rows()
    if counts is not None and opts.reference_corpus is not None:
        rows = apply_counts(rows, counts.counts, anchor_label(opts.reference_corpus))
    if opts.samples:
        rows = annotate_rows(rows, run_dir.path)
    run_dir.rewrite_rows(rows)


def extras_config(opts: EvalOptions, counts: CorpusCounts | None,
                  sampled: RunStats | None) -> dict[str, Any]:
    """config.json entries: which frequency proxy the monofact columns use, the samples."""
    out: dict[str, Any] = {"frequency_proxy": "suite proxies (suite.yaml)"}
    if counts is not None and opts.reference_corpus is not None:
        out["frequency_proxy"] = ("suite proxies, anchored on reference corpus "
                                  f"co-occurrence documents ({CORPUS_PROXY})")
        out["reference_corpus"] = corpus_config(opts.reference_corpus, opts.corpus_text_field,
                                                counts)
    if opts.samples:
        out["samples"] = sample_config(opts.samples, sampled)
    return out


def cache_path(opts: EvalOptions, run_dir: RunDir) -> Path:
    """The shared cache, except with a cassette: then the run's own, so HTTP really replays."""
    if opts.cache is not None:
        return opts.cache
    if opts.cassette is not None:
        return run_dir.path / "cache.sqlite"
    return opts.results / "cache.sqlite"


def write_outputs(opts: EvalOptions, path: Path,
                  analysis: dict[str, pd.DataFrame] | None = None,
                  figures: FigureWorkers | None = None) -> None:
    """report.html in the run directory; the run's rows in RESULTS/leaderboard.csv.

    ``analysis`` (the tables write_summary computed) spares the report computing them again.
    """
    from halprobe.report.html import write_report
    from halprobe.report.leaderboard import update_leaderboard

    write_report([path], path, {path: analysis} if analysis else None, figures)
    if path.parent.resolve() == (opts.results / "runs").resolve():
        update_leaderboard(opts.results)


def write_summary(run_dir: RunDir) -> dict[str, pd.DataFrame]:
    """summary.csv of the run; returns every analysis table (the report shows them all)."""
    rows = pd.DataFrame(run_dir.read_rows())
    tables = analysis_tables(rows)
    tables["summary"].to_csv(run_dir.path / SUMMARY, index=False, float_format="%.6g")
    return tables
