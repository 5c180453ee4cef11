"""Teacher-forced scoring in the llama.cpp engine: many requests, few llama.cpp calls.

A scoring request is a prompt and continuations (the gold answer and distractors); the result
is the log-probability of every continuation token (docs/metrics.md 4: g(answer|prompt) from a
given string). Scoring requests that wait together are scored together, each in its own KV
stream: one llama.cpp call evaluates what their streams do not hold of their prompts (the
few-shot prefix stays in the stream from the request before), then one call a continuation
index evaluates that continuation of every request at once; after each, the continuation is
removed from the streams again. The weights are read once a call, not once a sequence, so 16
requests of 5 options cost about 6 calls instead of 96.

Unlike generation, scores are not bit for bit those of a prompt evaluated alone (a batch of
several sequences rounds differently): they agree with the generation log-probs of the same
tokens to about 0.01 (tests/backends/test_completion.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from halprobe.backends.base import BackendError

Entry = tuple[int, int, int, bool]  # token, position, stream, wants logits


@dataclass
class ScoredTokens:
    """A scoring request's result: the log-probability of each token of each continuation."""

    logprobs: list[list[float]]


def token_logprob(logits: np.ndarray, token: int, work: np.ndarray) -> float:
    """log softmax(logits)[token], summed in float64 over a float32 buffer (as the chooser)."""
    top = float(logits.max())
    np.subtract(logits, top, out=work)
    np.exp(work, out=work)
    return float(logits[token]) - top - float(np.log(work.sum(dtype=np.float64)))


class ScoringMixin:
    """The scoring half of DecodeEngine (which provides these attributes and methods)."""

    _lib: Any
    _memory: Any
    _held: list[list[int]]
    _n_vocab: int
    n_batch: int
    _decode: Callable[[list[Entry]], None]
    _logits: Callable[[int], np.ndarray]
    _release: Callable[[Any], None]
    _fail: Callable[[list[Any], BackendError], None]

    def _score_all(self, requests: list[Any]) -> None:
        """Score every request (each holds a stream; ``position`` = prompt tokens it holds)."""
        if not requests:
            return
        # in stream order: llama.cpp splits a call wherever consecutive entries' stream ids
        # are not consecutive numbers, and each piece reads the weights again
        requests = sorted(requests, key=lambda r: r.stream)
        try:
            results = self._score_streams(requests)
        except Exception as exc:  # every waiting caller hears of it
            self._fail(requests, exc if isinstance(exc, BackendError) else BackendError(
                "fatal", f"llama.cpp scoring failed: {type(exc).__name__}: {exc}"))
            return
        for request, result in zip(requests, results, strict=True):
            self._release(request)
            request.future.set_result(ScoredTokens(result))

    def _calls(self, entries: list[Entry], read: Callable[[int, int], None]) -> None:
        """Evaluate entries in calls of at most n_batch; ``read(call row, entry index)`` runs
        for each entry that wants logits, right after its call."""
        for start in range(0, len(entries), self.n_batch):
            chunk = entries[start:start + self.n_batch]
            self._decode(chunk)
            for row, entry in enumerate(chunk):
                if entry[3]:
                    read(row, start + row)

    def _reader(self, results: list[list[list[float]]], targets: list[tuple[int, int]],
                work: np.ndarray) -> Callable[[int, int], None]:
        """Append the log-prob of entry i's next token to its request's last continuation."""
        def read(row: int, i: int) -> None:
            request, token = targets[i]
            results[request][-1].append(token_logprob(self._logits(row), token, work))
        return read

    def _score_streams(self, requests: list[Any]) -> list[list[list[float]]]:
        work = np.empty(self._n_vocab, dtype=np.float32)
        firsts: dict[int, np.ndarray] = {}
        entries: list[Entry] = []
        owner: list[int] = []
        for n, request in enumerate(requests):
            prompt, stream = request.prompt, request.stream
            shared = max(0, min(request.position, len(prompt) - 1))
            self._lib.llama_memory_seq_rm(self._memory, stream, shared, -1)
            self._held[stream] = list(prompt)
            entries += [(prompt[i], i, stream, i == len(prompt) - 1)
                        for i in range(shared, len(prompt))]
            owner += [n] * (len(prompt) - shared)
        self._calls(entries, lambda row, i: firsts.__setitem__(owner[i],
                                                               self._logits(row).copy()))
        results: list[list[list[float]]] = [[] for _ in requests]
        most = max(len(r.continuations) for r in requests)
        for j in range(most):
            entries, targets = [], []
            for n, request in enumerate(requests):
                if j >= len(request.continuations):
                    continue
                tokens = request.continuations[j]
                results[n].append([token_logprob(firsts[n], tokens[0], work)] if tokens else [])
                base = len(request.prompt)
                entries += [(t, base + i, request.stream, True)
                            for i, t in enumerate(tokens[:-1])]
                targets += [(n, t) for t in tokens[1:]]
            self._calls(entries, self._reader(results, targets, work))
            for request in requests:
                self._lib.llama_memory_seq_rm(self._memory, request.stream,
                                              len(request.prompt), -1)
        return results
