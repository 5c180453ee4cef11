"""Teacher-forced scoring with llama.cpp: many requests and all their options in two calls.

A scoring request is a prompt and continuations (the gold answer and distractors); the result
is the log-probability of every continuation token (docs/metrics.md 4: g(answer|prompt) from a
given string). Scoring has its own llama.cpp context, beside the generation engine's, with
one small KV stream per option (``kv_unified=false``, as the engine: a stream's attention is
the computation it would have alone, so a score does not depend on what is scored beside it).
For a group of requests:

- stream 0 holds the prefix all their prompts share (few-shot examples, chat template, the
  suite's question stem), kept from one group to the next;
- each request's first stream gets a copy of it (``llama_memory_seq_cp``: one memcpy of a
  small stream) and one llama.cpp call evaluates the rest of every prompt; an option's first
  token is predicted from the prompt's last position;
- the prompt is copied to the request's other streams, and one call evaluates every option of
  every request at once: an option of L tokens adds L - 1 (its last token predicts nothing).

So 5 options of 40 requests cost 2 calls, where the weights are read once a call (docs/
performance.md). Scores agree with the log-probs generation gives the same tokens to about
0.02 (a batch of several tokens rounds differently from one token a step:
tests/backends/test_completion.py).
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from typing import Any

import numpy as np

from halprobe.backends.base import BackendError

Request = tuple[list[int], list[list[int]]]  # prompt tokens, each option's tokens
Entry = tuple[int, int, int, bool]  # token, position, stream, wants logits
STREAM_CELLS = 256  # a stream's KV cells unless a request needs more (copies are whole streams)


def shared_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """Length of the common prefix of two token lists."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def pieces(start: int, end: int, size: int) -> list[tuple[int, int]]:
    """[start, end) cut into pieces of at most ``size`` tokens, none one token long (llama.cpp
    computes a one-token batch with other kernels)."""
    out = []
    while start < end:
        stop = min(end, start + size)
        if end - stop == 1:
            stop -= 1
        out.append((start, stop))
        start = stop
    return out


class Scorer:
    """A llama.cpp context for scoring (the same weights as the generation engine's)."""

    def __init__(self, llama_cpp: Any, model: Any, *, cells: int, n_streams: int,
                 n_batch: int, threads: int) -> None:
        from llama_cpp._internals import LlamaContext

        self._lib = llama_cpp
        self.cells, self.n_streams, self.n_batch = cells, n_streams, n_batch
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = cells * n_streams
        params.n_seq_max = n_streams
        params.kv_unified = False
        params.n_batch = params.n_ubatch = n_batch
        params.n_threads = params.n_threads_batch = threads
        params.flash_attn_type = 0  # as the generation engine
        self._context = LlamaContext(model=model, params=params, verbose=False)
        self._ctx = self._context.ctx
        self._memory = llama_cpp.llama_get_memory(self._ctx)
        self._batch = llama_cpp.llama_batch_init(n_batch, 0, 1)
        self._n_vocab = model.n_vocab()
        self._held: list[int] = []  # the prefix in stream 0

    def fits(self, request: Request) -> bool:
        prompt, options = request
        return len(prompt) + max((len(o) for o in options), default=0) <= self.cells

    def score(self, requests: Sequence[Request]) -> list[list[list[float]]]:
        """Log-prob of every token of every option of each (prompt, options) request."""
        for prompt, options in requests:
            if not prompt or len(options) >= self.n_streams:
                raise BackendError("bad_request", f"a scoring request needs a prompt and "
                                   f"at most {self.n_streams - 1} continuations")
        out: list[list[list[float]]] = []
        for group in self._groups(requests):
            out += self._score_group(group)
        return out

    def _groups(self, requests: Sequence[Request]) -> list[list[Request]]:
        """Consecutive requests whose options fit the streams and one call."""
        groups: list[list[Request]] = []
        group: list[Request] = []
        streams = tokens = 0
        for request in requests:
            options = request[1]
            need = max(1, len(options))
            size = sum(max(0, len(o) - 1) for o in options)
            if size > self.n_batch:
                raise BackendError("bad_request", f"continuations of {size} tokens in all do "
                                   f"not fit one llama.cpp call of {self.n_batch}")
            if group and (streams + need >= self.n_streams or tokens + size > self.n_batch):
                groups.append(group)
                group, streams, tokens = [], 0, 0
            group.append(request)
            streams, tokens = streams + need, tokens + size
        if group:
            groups.append(group)
        return groups

    def _score_group(self, group: Sequence[Request]) -> list[list[list[float]]]:
        base = self._hold_prefix(group)
        lib, memory = self._lib, self._memory
        firsts = []  # each request's first stream
        stream = 1
        for _, options in group:
            firsts.append(stream)
            stream += max(1, len(options))
        for first in firsts:
            lib.llama_memory_seq_rm(memory, first, -1, -1)
            if base:
                lib.llama_memory_seq_cp(memory, 0, first, -1, -1)
        entries = [(prompt[i], i, first, i == len(prompt) - 1)
                   for (prompt, _), first in zip(group, firsts, strict=True)
                   for i in range(base, len(prompt))]
        ends = iter(group)  # the request whose prompt ends at each entry that wants logits
        values: list[float] = []
        for start, stop in pieces(0, len(entries), self.n_batch):
            wanted = []
            for row in self._decode(entries[start:stop]):
                wanted += [(row, option[0]) for option in next(ends)[1] if option]
            values += self._logprobs(wanted)
        by_length: dict[int, list[tuple[Entry, int]]] = {}  # tokens a stream -> its entries
        for (prompt, options), first in zip(group, firsts, strict=True):
            for j, option in enumerate(options):
                if j:
                    lib.llama_memory_seq_rm(memory, first + j, -1, -1)
                    lib.llama_memory_seq_cp(memory, first, first + j, -1, -1)
                by_length.setdefault(len(option) - 1, []).extend(
                    ((t, len(prompt) + i, first + j, True), option[i + 1])
                    for i, t in enumerate(option[:-1]))
        rest: dict[tuple[int, int], float] = {}  # (stream, position) -> log-prob
        for length in sorted(k for k in by_length if k > 0):
            # one call for the options of one length: llama.cpp evaluates a call in pieces
            # of as many tokens from each stream, cut by what stands beside a stream's
            # tokens; streams of one length take one piece whatever the group holds (mixed
            # lengths moved a score by up to 0.4 with the other options of its group)
            pairs = by_length[length]
            rows = self._decode([entry for entry, _ in pairs])
            for (entry, _), value in zip(pairs, self._logprobs(
                    [(row, target) for row, (_, target) in zip(rows, pairs, strict=True)]),
                    strict=True):
                rest[entry[2], entry[1]] = value
        for (prompt, options), first in zip(group, firsts, strict=True):
            values += [rest[first + j, len(prompt) + i] for j, option in enumerate(options)
                       for i in range(len(option) - 1)]
        return self._arrange(group, values)

    @staticmethod
    def _arrange(group: Sequence[Request], values: list[float]) -> list[list[list[float]]]:
        """Per request and option: its first token's log-prob (from the first list of values)
        and the rest (in option order, after all the first tokens)."""
        n_first = sum(1 for _, options in group for o in options if o)
        firsts, rest = iter(values[:n_first]), iter(values[n_first:])
        out = []
        for _, options in group:
            out.append([[next(firsts)] + [next(rest) for _ in option[1:]] if option else []
                        for option in options])
        return out

    def _hold_prefix(self, group: Sequence[Request]) -> int:
        """Make stream 0 hold the group's common prompt prefix, two tokens short of the
        shortest prompt (so each request evaluates two or more); return its length."""
        prompts = [p for p, _ in group]
        want = min(len(p) for p in prompts) - 2
        for prompt in prompts[1:]:
            want = min(want, shared_prefix(prompts[0], prompt))
        if want < 2:
            return 0
        keep = shared_prefix(self._held, prompts[0][:want])
        if want - keep == 1:
            keep -= 1
        self._lib.llama_memory_seq_rm(self._memory, 0, keep, -1)
        self._held = self._held[:keep]
        for start, stop in pieces(keep, want, self.n_batch):
            self._decode([(prompts[0][i], i, 0, False) for i in range(start, stop)])
            self._held += prompts[0][start:stop]
        return want

    def _decode(self, entries: list[Entry]) -> list[int]:
        """One llama_decode call; returns the batch index of each entry that wants logits."""
        batch, rows = self._batch, []
        for i, (token, position, stream, wants) in enumerate(entries):
            batch.token[i] = token
            batch.pos[i] = position
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = stream
            batch.logits[i] = wants
            if wants:
                rows.append(i)
        batch.n_tokens = len(entries)
        status = self._lib.llama_decode(self._ctx, batch)
        if status != 0:
            raise BackendError("fatal", f"llama_decode returned {status} while scoring")
        return rows

    def _logprobs(self, wanted: list[tuple[int, int]]) -> list[float]:
        """log softmax(row)[token] for each (batch index, token) of the last call, in float64
        over the float32 logits (as generation's chooser)."""
        out = []
        work = np.empty(self._n_vocab, dtype=np.float32)
        for row, token in wanted:
            logits = self._row(row)
            top = float(logits.max())
            np.subtract(logits, top, out=work)
            np.exp(work, out=work)
            out.append(float(logits[token]) - top - float(np.log(work.sum(dtype=np.float64))))
        return out

    def _row(self, i: int) -> np.ndarray:
        pointer = self._lib.llama_get_logits_ith(self._ctx, i)
        buffer = (ctypes.c_float * self._n_vocab).from_address(ctypes.addressof(pointer.contents))
        return np.frombuffer(memoryview(buffer), dtype=np.float32)

    def close(self) -> None:
        self._lib.llama_batch_free(self._batch)
        self._context.close()
