"""Run probe items through a backend: cache, retries, concurrency, progress, crash-safe rows.

Everything operational lives here once (docs/style.md habit 2): adapters only generate. Each
finished item is graded in its worker; the main thread stores what has finished (cache, then
responses.jsonl) as soon as it has it, one transaction and one write for the items that finished
together, so a killed run loses at most the items in flight and the cache makes the rerun ask
nothing twice.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, cast

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
)
from tenacity.wait import wait_exponential_jitter

from halprobe.analysis.confidence import confidence
from halprobe.backends.base import Backend, BackendError
from halprobe.store.cache import CacheKeys, ResponseCache, flat_dict
from halprobe.store.rundir import RunDir
from halprobe.types import (
    NO_CLAIM,
    DecodingParams,
    Generation,
    Grade,
    Message,
    ProbeItem,
    ResponseRow,
)

PromptFn = Callable[[ProbeItem], list[Message]]
GradeFn = Callable[[ProbeItem, str], Grade]
CachePut = tuple[str, dict[str, Any], dict[str, Any], Generation]  # ResponseCache.put's args


class RunAborted(Exception):
    """The backend said something no retry can fix (bad key, no quota): stop the run."""


@dataclass
class RunStats:
    asked: int = 0
    cache_hits: int = 0
    errors: int = 0
    skipped_done: int = 0
    retried_errors: int = 0
    seconds: float = 0.0
    labels: dict[str, int] = field(default_factory=dict)

    def add(self, other: RunStats) -> None:
        """Add another pass's counts (the --samples passes are one Runner run each)."""
        for name in ("asked", "cache_hits", "errors", "skipped_done", "retried_errors",
                     "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for label, n in other.labels.items():
            self.labels[label] = self.labels.get(label, 0) + n


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, BackendError) and exc.kind == "retryable"


def _wait(state: RetryCallState) -> float:
    """Honour a server's Retry-After when it gave one, else exponential backoff with jitter."""
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, BackendError) and exc.retry_after is not None:
        return exc.retry_after
    return float(wait_exponential_jitter(multiplier=0.5, max=30)(state))


@dataclass
class _Finished:
    """One batch's rows and the fresh generations to cache, handed to the main thread."""

    rows: list[ResponseRow]
    puts: list[CachePut]
    cache_hits: int
    asked: int


class Runner:
    """Asks, caches, grades and stores; one instance per run."""

    def __init__(self, backend: Backend, cache: ResponseCache, run_dir: RunDir,
                 params: DecodingParams, prompt_fn: PromptFn, grade_fn: GradeFn,
                 attempts: int = 10, max_retry_seconds: float = 300.0,
                 show_progress: bool = True) -> None:
        self.backend, self.cache, self.run_dir = backend, cache, run_dir
        self.params, self.prompt_fn, self.grade_fn = params, prompt_fn, grade_fn
        self.attempts, self.show_progress = attempts, show_progress
        self.max_retry_seconds = max_retry_seconds
        self.fingerprint = backend.fingerprint()
        self.keys = CacheKeys(self.fingerprint, params)
        # One Retrying for the run: tenacity keeps each call's state per thread.
        self.retrying = Retrying(
            stop=stop_after_attempt(attempts) | stop_after_delay(max_retry_seconds),
            wait=_wait, retry=retry_if_exception(_is_retryable), reraise=True)
        self.stats = RunStats()

    def run(self, items: Sequence[ProbeItem]) -> RunStats:
        """Ask every item not already in responses.jsonl; return counts for the run."""
        start = time.perf_counter()
        self.stats.retried_errors = self.run_dir.drop_rows("error")
        self.run_dir.cut_torn_line()  # appending after half a line would damage the file
        done = {row["item_id"] for row in self.run_dir.read_rows()}
        todo = [i for i in items if i.id not in done]
        self.stats.skipped_done = len(items) - len(todo)
        execution = self._execute(todo)
        try:
            with self._progress(len(items), self.stats.skipped_done) as advance:
                for finished in execution:
                    self._store(finished)
                    advance(sum(len(f.rows) for f in finished))
        finally:
            # Ctrl-C while storing: close the generator now, so its pool drops what is still
            # queued at once, rather than whenever the traceback lets go of it
            execution.close()
        self.run_dir.close()
        self.stats.seconds = time.perf_counter() - start
        return self.stats

    def _store(self, finished: list[_Finished]) -> None:
        """Cache, then append, what finished: a kill between the two re-grades from the cache."""
        self.cache.put_many(p for f in finished for p in f.puts)
        rows = [row for f in finished for row in f.rows]
        self.run_dir.append_many(rows)
        for f in finished:
            self.stats.cache_hits += f.cache_hits
            self.stats.asked += f.asked
        for row in rows:
            self.stats.labels[row["label"]] = self.stats.labels.get(row["label"], 0) + 1
            self.stats.errors += row["label"] == "error"

    def _batches(self, items: Sequence[ProbeItem]) -> list[list[ProbeItem]]:
        size = max(1, self.backend.capabilities.max_batch_size)
        return [list(items[i:i + size]) for i in range(0, len(items), size)]

    def _execute(self, items: Sequence[ProbeItem]) -> Generator[list[_Finished], None, None]:
        """Batches as they finish: everything finished by the time the caller asks, together."""
        batches = self._batches(items)
        workers = self.backend.capabilities.max_concurrency
        if workers <= 1:
            yield from ([self._run_batch(b)] for b in batches)
            return
        done: queue.SimpleQueue[Future[_Finished]] = queue.SimpleQueue()
        pool = ThreadPoolExecutor(max_workers=workers)
        try:
            futures = [pool.submit(self._run_batch, b) for b in batches]
            for f in futures:
                f.add_done_callback(done.put)
            for group in _drained(done, len(futures)):
                ok = [f.result() for f in group if f.exception() is None]
                if ok:
                    yield ok  # stored before a failure in the same group is raised
                for f in group:
                    f.result()
        except BaseException:
            # Ctrl-C or a fatal error: waiting for what is in flight would only throw it away
            # later (the caller stores nothing more); closing the backend stops it.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()

    def _run_batch(self, items: list[ProbeItem]) -> _Finished:
        prompts = [self.prompt_fn(i) for i in items]
        keys = [self.keys(p) for p in prompts]
        cached = [self.cache.get(k) for k in keys]
        missing = [n for n, c in enumerate(cached) if c is None]
        fresh: dict[int, Generation | BackendError] = {}
        latency = 0.0
        if missing:
            t0 = time.perf_counter()
            fresh = self._generate([prompts[n] for n in missing], missing)
            latency = (time.perf_counter() - t0) / len(missing)
        finished = _Finished([], [], len(items) - len(missing), len(missing))
        for n, item in enumerate(items):
            hit = cached[n]
            result: Generation | BackendError = hit if hit is not None else fresh[n]
            messages = [flat_dict(m) for m in prompts[n]]
            if isinstance(result, Generation) and hit is None:
                finished.puts.append((keys[n], self.fingerprint, {"messages": messages}, result))
            finished.rows.append(response_row(item, messages, result, self.grade_fn,
                                              hit is not None,
                                              0.0 if hit is not None else latency))
        return finished

    def _generate(self, prompts: list[list[Message]],
                  slots: list[int]) -> dict[int, Generation | BackendError]:
        """Generations for the batch; a batch-level error is retried, then split per item."""
        try:
            gens: list[Generation | BackendError] = list(self._with_retries(prompts))
        except BackendError as exc:
            if exc.kind in ("auth", "quota", "fatal"):
                raise RunAborted(f"{exc.kind}: {exc}") from None
            gens = [exc] if len(prompts) == 1 else [self._generate([p], [0])[0] for p in prompts]
        return dict(zip(slots, gens, strict=True))

    def _with_retries(self, prompts: list[list[Message]]) -> list[Generation]:
        return self.retrying(self.backend.generate, prompts, self.params)

    def _progress(self, total: int, completed: int) -> Any:
        return _ProgressContext(total, completed, self.show_progress)


def response_row(item: ProbeItem, prompt: list[dict[str, Any]],
                 result: Generation | BackendError, grade_fn: GradeFn, cached: bool,
                 latency: float) -> ResponseRow:
    """One responses.jsonl row: the item, the prompt, the answer graded by ``grade_fn`` and its
    confidence, or an error row. The runner's rows and rows imported from a harness
    (integrations/import_run.py) are built here, so both carry the same fields."""
    # built as a plain dict and typed once: the variant and claim fields are spread in, in
    # the order runs have always written them
    base: dict[str, Any] = {
        "item_id": item.id, "suite": item.suite, "bin": item.bin,
        "answer_type": str(item.answer_type), "exists": item.exists,
        "popularity": item.popularity, "proxy": item.proxy, "event_date": item.event_date,
        "question": item.question, "gold": item.answer, "aliases": list(item.aliases),
        "fact_kind": item.meta.get("fact_kind"),
        "prompt": prompt,
        **item.variant.row_fields(),  # a variant's base id, transform, target, form, sample
    }
    if isinstance(result, BackendError):
        return cast(ResponseRow, {**base, "response": None, "label": "error", "matched": None,
                "reason": f"backend error ({result.kind}): {result}", "error": str(result),
                "confidence": None, "confidence_norm": None, "confidence_source": "none",
                "cached": cached, "latency_s": round(latency, 4)})
    grade = grade_fn(item, result.text)
    conf = confidence(result, grade.matched if grade.label not in NO_CLAIM else None)
    return cast(ResponseRow, {**base, "response": result.text, "label": str(grade.label),
            "matched": grade.matched, "reason": grade.reason, **grade.claim_fields(),
            "error": None,
            "confidence": conf.value, "confidence_norm": conf.value_normalised,
            "confidence_source": conf.source,
            "tokens": list(result.tokens) if result.tokens is not None else None,
            "token_logprobs": (list(result.token_logprobs)
                               if result.token_logprobs is not None else None),
            "prompt_tokens": result.prompt_tokens,
            "completion_tokens": result.completion_tokens,
            "finish_reason": result.finish_reason,
            **({"first_response": result.first_text}  # the answer a follow-up checked
               if result.first_text is not None else {}),
            "cached": cached, "latency_s": round(latency, 4)})


class _ProgressContext:
    """A rich progress bar (or nothing, when disabled or not a terminal)."""

    def __init__(self, total: int, completed: int, enabled: bool) -> None:
        self.progress = Progress(TextColumn("[bold]asking"), BarColumn(), MofNCompleteColumn(),
                                 TimeRemainingColumn(), disable=not enabled, transient=False)
        self.task = self.progress.add_task("items", total=total, completed=completed)

    def __enter__(self) -> Callable[[int], None]:
        self.progress.start()
        return lambda n: self.progress.advance(self.task, n)

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def _drained(done: queue.SimpleQueue[Future[_Finished]],
             total: int) -> Iterator[list[Future[_Finished]]]:
    """Wait for the next finished future, then take every other one already finished."""
    left = total
    while left:
        group = [done.get()]
        while True:
            try:
                group.append(done.get_nowait())
            except queue.Empty:
                break
        left -= len(group)
        yield group
