"""Continuous batching over llama.cpp, giving every sequence the logits it gets alone, bit for bit.

Decoding one token costs nearly as much as decoding sixteen side by side (the weights are read
once a step), so sequences are decoded together: a step evaluates the next token of every
running sequence, a finished sequence's slot takes the next waiting prompt at once.

Why the answers do not change: each sequence has its own KV stream (llama.cpp's
``kv_unified=false``), so its attention is the computation it would have alone, and the weight
matrix products are computed column by column. With one KV cache shared by all sequences
(llama.cpp's default), a sequence's attention reads its cells among the others' and rounds
differently: logits up to 1.3 apart, seen. Prompts are evaluated one sequence per call, never as
a one-token piece (llama.cpp computes a one-token prompt batch with other kernels). Checked bit
for bit against one-at-a-time decoding in tests/backends/test_llamacpp.py; figures in
docs/performance.md.
"""

from __future__ import annotations

import ctypes
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from halprobe.backends.base import BackendError
from halprobe.backends.llamacpp_scoring import decode, open_context, pieces, shared_prefix
from halprobe.backends.threads import ThreadTuner
from halprobe.types import DecodingParams

TUNE_EVERY_STEPS = 4  # a try of the other thread count lasts this many steps
COPY_MIN_TOKENS = 8  # copy another stream's KV (one memcpy) rather than evaluate this many


@dataclass
class Decoded:
    """What one prompt produced: token ids, their log-probs and why decoding stopped."""

    tokens: list[int]
    logprobs: list[float]
    finish_reason: str


@dataclass
class _Request:
    prompt: list[int]
    params: DecodingParams
    future: Future[Decoded]
    rng: np.random.Generator | None
    out: list[int] = field(default_factory=list)
    logprobs: list[float] = field(default_factory=list)
    stream: int = -1
    position: int = 0  # where the next evaluated token goes
    stops: frozenset[int] = frozenset()  # more end tokens (a completion prompt's newlines)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits.astype(np.float64) - logits.max()
    return shifted - np.log(np.exp(shifted).sum())


class TokenChooser:
    """The next token from a row of logits, and its log-probability under the model.

    Greedy needs only the argmax and log-sum-exp of the logits (float32 in a reused buffer,
    summed in float64): about 0.1 ms a token, against 1.4 ms for a float64 log_softmax.
    """

    def __init__(self, n_vocab: int) -> None:
        self._work = np.empty(n_vocab, dtype=np.float32)

    def __call__(self, logits: np.ndarray, params: DecodingParams,
                 rng: np.random.Generator | None) -> tuple[int, float]:
        token = int(logits.argmax()) if rng is None else self._sample(logits, params, rng)
        top = logits[token] if rng is None else logits.max()
        np.subtract(logits, top, out=self._work)
        np.exp(self._work, out=self._work)
        lse = float(top) + float(np.log(self._work.sum(dtype=np.float64)))
        return token, float(logits[token]) - lse

    @staticmethod
    def _sample(logits: np.ndarray, params: DecodingParams, rng: np.random.Generator) -> int:
        probs = np.exp(log_softmax(logits / params.temperature))
        if params.top_p < 1.0:
            order = np.argsort(-probs)
            keep = order[: int(np.searchsorted(np.cumsum(probs[order]), params.top_p)) + 1]
            mask = np.zeros_like(probs)
            mask[keep] = probs[keep]
            probs = mask / mask.sum()
        return int(rng.choice(len(probs), p=probs))


class DecodeEngine:
    """One llama.cpp context with ``n_streams`` KV streams, decoded by one background thread.

    ``submit`` may be called from any thread; the runner's worker threads each wait on their
    own prompt while this thread decodes all of them together.
    """

    def __init__(self, llama_cpp: Any, model: Any, *, n_streams: int, n_ctx: int, n_batch: int,
                 threads: int, tuner: ThreadTuner | None,
                 is_end: Callable[[int], bool]) -> None:
        self._lib = llama_cpp
        self.n_streams, self.n_ctx, self.n_batch = n_streams, n_ctx, n_batch
        self._context = open_context(llama_cpp, model, n_ctx, n_streams, n_batch, threads)
        self._ctx = self._context.ctx
        self._memory = llama_cpp.llama_get_memory(self._ctx)
        self._batch = llama_cpp.llama_batch_init(max(n_batch, n_streams), 0, 1)
        self._n_vocab = model.n_vocab()
        self._choose = TokenChooser(self._n_vocab)
        self._is_end = is_end
        self._threads, self._tuner = threads, tuner
        self._step_seconds, self._step_tokens = 0.0, 0
        self._held: list[list[int]] = [[] for _ in range(n_streams)]  # tokens in each stream
        self._free = list(range(n_streams))
        self._running: list[_Request] = []
        self._waiting: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="llama.cpp decode", daemon=True)
        self._thread.start()

    @property
    def threads(self) -> int:
        """The thread count decoding uses now (the tuner may change it during a run)."""
        return self._threads

    # -- called from any thread -------------------------------------------------------------

    def submit(self, prompt: list[int], params: DecodingParams,
               stops: frozenset[int] = frozenset()) -> Future[Decoded]:
        """Queue a prompt; the future holds its Decoded or the BackendError that stopped it.
        ``stops``: tokens that end this prompt's answer besides the model's end tokens."""
        if len(prompt) + params.max_tokens > self.n_ctx:
            raise BackendError("bad_request", f"prompt of {len(prompt)} tokens and "
                               f"{params.max_tokens} new ones do not fit the context of "
                               f"{self.n_ctx} a sequence (backend option n_ctx)")
        if self._closed:
            raise BackendError("fatal", "the llama.cpp backend is closed")
        rng = (np.random.default_rng([params.seed, params.sample_index, *prompt[-8:]])
               if params.temperature > 0 else None)
        request = _Request(prompt, params, Future(), rng, stops=stops)
        self._waiting.put(request)
        return request.future

    def close(self) -> None:
        """Stop decoding (a running prompt fails with a BackendError) and free the context."""
        if self._closed:
            return
        self._closed = True
        self._waiting.put(None)
        self._thread.join()
        self._lib.llama_batch_free(self._batch)
        self._context.close()

    # -- the decode thread ------------------------------------------------------------------

    def _loop(self) -> None:
        closed = BackendError("fatal", "the llama.cpp backend closed")
        steps = 0
        while not self._closed and self._admit():
            if not self._running:
                continue
            if steps % TUNE_EVERY_STEPS == 0:
                self._tune()
            try:
                self._step()
            except Exception as exc:  # any failure must reach the waiting callers
                error = exc if isinstance(exc, BackendError) else BackendError(
                    "fatal", f"llama.cpp decoding failed: {type(exc).__name__}: {exc}")
                self._fail(list(self._running), error)
            steps += 1
        self._fail(list(self._running), closed)
        while not self._waiting.empty():
            request = self._waiting.get_nowait()
            if request is not None:
                request.future.set_exception(closed)

    def _admit(self) -> bool:
        """Start waiting prompts in free streams; wait for one when nothing runs. False: stop."""
        while self._free:
            try:
                request = self._waiting.get(block=not self._running)
            except queue.Empty:
                break
            if request is None:
                return False
            if not request.future.set_running_or_notify_cancel():
                continue
            try:
                self._start(request)
            except Exception as exc:  # reported to the caller waiting on it
                self._fail([request], exc if isinstance(exc, BackendError) else BackendError(
                    "fatal", f"llama.cpp failed on a prompt: {type(exc).__name__}: {exc}"))
        return True

    def _start(self, request: _Request) -> None:
        """Evaluate the prompt in the free stream that already holds most of it."""
        held = self._take_stream(request)
        logits = self._prefill(request.stream, request.prompt, held)
        request.position = len(request.prompt)
        self._advance(request, logits)

    def _take_stream(self, request: _Request) -> int:
        """Give the request the free stream that holds most of its prompt; return how much.

        Where another stream holds a longer part of it (the first prompts of a run, when every
        free stream is empty), that stream's KV cache is copied over first: llama.cpp copies
        whole streams, a few milliseconds, against about 3 ms a token to evaluate.
        """
        prompt = request.prompt
        held = [shared_prefix(tokens, prompt) for tokens in self._held]  # of the prompt, per stream
        stream = max(self._free, key=lambda s: (held[s], -s))
        self._free.remove(stream)
        request.stream = stream
        self._running.append(request)
        source = max(range(self.n_streams), key=held.__getitem__)
        if held[source] >= held[stream] + COPY_MIN_TOKENS:
            self._lib.llama_memory_seq_cp(self._memory, source, stream, -1, -1)
            self._held[stream] = list(self._held[source])
            held[stream] = held[source]
        return held[stream]

    def _prefill(self, stream: int, prompt: list[int], held: int) -> np.ndarray:
        """Evaluate what the stream does not hold yet (it holds the prompt's first ``held``
        tokens), always two tokens or more a call.

        llama.cpp computes a one-token batch with other kernels than a longer one (logits up to
        0.8 apart), while any split into pieces of two or more tokens gives a fresh
        evaluation's logits bit for bit; so an answer never depends on the prompt before it.
        """
        shared = max(0, min(held, len(prompt) - 2))
        self._lib.llama_memory_seq_rm(self._memory, stream, shared, -1)
        self._held[stream] = list(prompt[:shared])
        for start, end in pieces(shared, len(prompt), self.n_batch):
            self._decode([(prompt[i], i, stream, i == len(prompt) - 1)
                          for i in range(start, end)])
            self._held[stream].extend(prompt[start:end])
        return self._logits(-1)

    def _step(self) -> None:
        """Evaluate the last chosen token of every running sequence, then choose the next."""
        # In stream order: llama.cpp splits a step into several calls wherever the stream ids
        # of consecutive entries are not consecutive numbers.
        running = sorted(self._running, key=lambda r: r.stream)
        start = time.perf_counter()
        self._decode([(r.out[-1], r.position, r.stream, True) for r in running])
        self._step_seconds += time.perf_counter() - start
        self._step_tokens += len(running)
        for row, request in enumerate(running):
            self._held[request.stream].append(request.out[-1])
            request.position += 1
            self._advance(request, self._logits(row))

    def _advance(self, request: _Request, logits: np.ndarray) -> None:
        """Choose the request's next token; finish it at an end token or max_tokens."""
        token, logprob = self._choose(logits, request.params, request.rng)
        if self._is_end(token) or token in request.stops:
            self._finish(request, "stop")
            return
        request.out.append(token)
        request.logprobs.append(logprob)
        if len(request.out) >= request.params.max_tokens:
            self._finish(request, "length")  # its logits would never be read: not evaluated

    def _finish(self, request: _Request, reason: str) -> None:
        self._release(request)
        request.future.set_result(Decoded(request.out, request.logprobs, reason))

    def _fail(self, requests: list[_Request], exc: BackendError) -> None:
        for request in requests:
            self._release(request)
            if request.stream >= 0:  # (stream -1 would mean every stream to llama.cpp)
                self._held[request.stream] = []
                self._lib.llama_memory_seq_rm(self._memory, request.stream, 0, -1)
            request.future.set_exception(exc)

    def _release(self, request: _Request) -> None:
        if request in self._running:
            self._running.remove(request)
            self._free.append(request.stream)

    def _decode(self, entries: list[tuple[int, int, int, bool]]) -> None:
        """One llama_decode call: (token, position, stream, wants logits) per entry."""
        decode(self._lib, self._ctx, self._batch, entries)

    def _logits(self, row: int) -> np.ndarray:
        """Logits of one output row: a view of llama.cpp's buffer, not a copy."""
        pointer = self._lib.llama_get_logits_ith(self._ctx, row)
        buffer = (ctypes.c_float * self._n_vocab).from_address(ctypes.addressof(pointer.contents))
        return np.frombuffer(memoryview(buffer), dtype=np.float32)

    def _tune(self) -> None:
        """Record the decode steps' seconds a token since the last call; switch threads if the
        tuner says so (outputs do not depend on the thread count, only speed does)."""
        if self._tuner is None:
            return
        if self._step_tokens:
            self._tuner.record(self._threads, self._step_seconds / self._step_tokens)
        wanted = self._tuner.pick()
        if wanted != self._threads:
            self._lib.llama_set_n_threads(self._ctx, wanted, wanted)
            self._threads = wanted
        self._step_seconds, self._step_tokens = 0.0, 0
