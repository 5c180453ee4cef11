"""Teacher-forced scoring with llama.cpp: many requests and all their options in a few calls.

A scoring request is a prompt and continuations (the gold answer and distractors); the result
is the log-probability of every continuation token (docs/metrics.md 4: g(answer|prompt) from a
given string). Scoring has its own llama.cpp context, beside the generation engine's, with
one small KV stream a prompt and one an option (``kv_unified=false``, as the engine: a
stream's attention is the computation it would have alone). For a group of requests:

- stream 0 holds the prefix all their prompts share (few-shot examples, chat template, the
  suite's question stem), kept from one group to the next and copied to each prompt's stream
  (``llama_memory_seq_cp``: one memcpy of a 256-cell stream);
- the rest of every prompt is evaluated, and an option's first token is scored from its
  prompt's last position;
- the prompt is copied to a stream for each option of two tokens or more, which then adds
  L - 1 tokens (its last token predicts nothing).

Every call holds streams of one length with consecutive ids, which llama.cpp evaluates as one
piece (the weights read once for all of them), and a stream meets the same kernels whatever
else the group holds: a score is the same, bit for bit, alone or in any group (with mixed
lengths in a call it moved by up to 0.4). Scores agree with the log-probs generation gives the
same tokens to about 0.02 (several tokens a call round differently from one a step):
tests/backends/test_completion.py. Where the time goes: docs/base-vs-instruct.md.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from typing import Any

import numpy as np

from halprobe.backends.base import BackendError
from halprobe.backends.line_end import LINE_START, pick

Request = tuple[list[int], list[list[int]]]  # prompt tokens, each option's tokens
Entry = tuple[int, int, int, bool]  # token, position, stream, wants logits
Target = tuple[int, int, int, int]  # token, position, stream, token its logits score or -1
NO_TARGET = -1  # an evaluated token whose logits score nothing
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


def open_context(llama_cpp: Any, model: Any, cells: int, n_streams: int, n_batch: int,
                 threads: int) -> Any:
    """A llama.cpp context of ``n_streams`` KV streams of ``cells`` cells each (not unified:
    a stream's attention never reads another's cells), calls of up to ``n_batch`` tokens,
    flash attention off (it changes answers and was not faster here). The generation
    engine and the scorer each open one on the same weights."""
    from llama_cpp._internals import LlamaContext

    params = llama_cpp.llama_context_default_params()
    params.n_ctx = cells * n_streams
    params.n_seq_max = n_streams
    params.kv_unified = False
    params.n_batch = params.n_ubatch = n_batch
    params.n_threads = params.n_threads_batch = threads
    params.flash_attn_type = 0
    return LlamaContext(model=model, params=params, verbose=False)


def decode(llama_cpp: Any, ctx: Any, batch: Any, entries: Sequence[Entry],
           during: str = "") -> list[int]:
    """One llama_decode call over (token, position, stream, wants logits) entries; returns
    the batch index of each entry that wants logits. The generation engine and the scorer
    both decode through it."""
    rows = []
    for i, (token, position, stream, wants) in enumerate(entries):
        batch.token[i] = token
        batch.pos[i] = position
        batch.n_seq_id[i] = 1
        batch.seq_id[i][0] = stream
        batch.logits[i] = wants
        if wants:
            rows.append(i)
    batch.n_tokens = len(entries)
    status = llama_cpp.llama_decode(ctx, batch)
    if status != 0:
        raise BackendError("fatal", f"llama_decode returned {status}{during}")
    return rows


class Scorer:
    """A llama.cpp context for scoring (the same weights as the generation engine's)."""

    def __init__(self, llama_cpp: Any, model: Any, *, cells: int, n_streams: int,
                 n_batch: int, threads: int, line_starts: np.ndarray) -> None:
        self._lib = llama_cpp
        self.cells, self.n_streams, self.n_batch = cells, n_streams, n_batch
        self._context = open_context(llama_cpp, model, cells, n_streams, n_batch, threads)
        self._ctx = self._context.ctx
        self._memory = llama_cpp.llama_get_memory(self._ctx)
        self._batch = llama_cpp.llama_batch_init(n_batch, 0, 1)
        self._n_vocab = model.n_vocab()
        self._held: list[int] = []  # the prefix in stream 0
        self._line_starts = line_starts  # what an option's last LINE_START stands for

    def score(self, requests: Sequence[Request]) -> list[list[list[float]]]:
        """Log-prob of every token of every option of each (prompt, options) request."""
        for prompt, options in requests:
            if not prompt or len(options) >= self.n_streams - 1:
                raise BackendError("bad_request", f"a scoring request needs a prompt and "
                                   f"at most {self.n_streams - 2} continuations")
        out: list[list[list[float]]] = []
        for group in self._groups(requests):
            out += self._score_group(group)
        return out

    def _groups(self, requests: Sequence[Request]) -> list[list[Request]]:
        """Consecutive requests whose prompts and options fit the streams (one a prompt, one
        an option of two tokens or more; stream 0 holds the prefix)."""
        groups: list[list[Request]] = []
        group: list[Request] = []
        streams = 0
        for request in requests:
            need = 1 + sum(len(o) > 1 for o in request[1])
            if group and streams + need >= self.n_streams:
                groups.append(group)
                group, streams = [], 0
            group.append(request)
            streams += need
        if group:
            groups.append(group)
        return groups

    def _score_group(self, group: Sequence[Request]) -> list[list[list[float]]]:
        """Prompts (past the held prefix) in streams 1..G, then each option of two tokens or
        more in a stream of its own after them, copied from its prompt's stream."""
        base = self._hold_prefix(group)
        lib, memory = self._lib, self._memory
        order = sorted(range(len(group)), key=lambda n: len(group[n][0]))
        home = {n: 1 + i for i, n in enumerate(order)}  # request -> its prompt's stream
        tails = []
        for n in order:
            prompt, options = group[n]
            lib.llama_memory_seq_rm(memory, home[n], -1, -1)
            if base:
                lib.llama_memory_seq_cp(memory, 0, home[n], -1, -1)
            firsts = {option[0] for option in options if option}  # read from the last row
            tails.append([(prompt[i], i, home[n], NO_TARGET)
                          for i in range(base, len(prompt) - 1)]
                         + [(prompt[-1], len(prompt) - 1, home[n], t) for t in sorted(firsts)])
        got = self._evaluate(tails)
        streams = [(n, j) for n in order for j, o in enumerate(group[n][1]) if len(o) > 1]
        streams.sort(key=lambda nj: len(group[nj[0]][1][nj[1]]))
        own = {nj: len(group) + 1 + i for i, nj in enumerate(streams)}
        rests = []
        for (n, j), stream in own.items():
            prompt, option = group[n][0], group[n][1][j]
            lib.llama_memory_seq_rm(memory, stream, -1, -1)
            lib.llama_memory_seq_cp(memory, home[n], stream, -1, -1)
            rests.append([(t, len(prompt) + i, stream, option[i + 1])
                          for i, t in enumerate(option[:-1])])
        got.update(self._evaluate(rests))
        return [[[got[home[n], len(prompt) - 1, option[0]]]
                 + [got[own[n, j], len(prompt) + i, t] for i, t in enumerate(option[1:])]
                 if option else [] for j, option in enumerate(options)]
                for n, (prompt, options) in enumerate(group)]

    def _evaluate(self, streams: list[list[Target]]) -> dict[tuple[int, int, int], float]:
        """Evaluate each stream's entries; return (stream, position, target) -> log-prob.

        Streams of one length go in one call, in stream order: llama.cpp evaluates a call in
        pieces of as many tokens from each stream and starts a new piece where stream ids
        are not consecutive, so a stream's tokens meet the same kernels whatever else the
        group holds (streams of mixed lengths in one call moved a score by up to 0.4 with
        what was scored beside it) and one piece holds every stream of that length."""
        by_length: dict[int, list[list[Target]]] = {}
        for entries in streams:
            if entries:
                by_length.setdefault(len({e[1] for e in entries}), []).append(entries)
        got: dict[tuple[int, int, int], float] = {}
        for length in sorted(by_length):
            if length > self.n_batch:
                raise BackendError("bad_request", f"{length} tokens of one sequence do not "
                                   f"fit one llama.cpp call of {self.n_batch}")
            same = by_length[length]
            per_call = max(1, self.n_batch // length)
            for start in range(0, len(same), per_call):
                got.update(self._call([e for entries in same[start:start + per_call]
                                       for e in entries]))
        return got

    def _call(self, entries: list[Target]) -> dict[tuple[int, int, int], float]:
        """One llama_decode over entries (one cell a stream and position, however many
        targets read its logits); the log-prob of every target."""
        cells: list[tuple[int, int, int]] = []
        wanted: set[tuple[int, int]] = set()
        for token, position, stream, target in entries:
            if not cells or cells[-1][1:] != (position, stream):
                cells.append((token, position, stream))
            if target != NO_TARGET:
                wanted.add((stream, position))
        rows = self._decode([(t, p, s, (s, p) in wanted) for t, p, s in cells])
        row_of = dict(zip([(s, p) for _, p, s in cells if (s, p) in wanted], rows,
                          strict=True))
        targets = [(s, p, t) for _, p, s, t in entries if t != NO_TARGET]
        values = self._logprobs([(row_of[s, p], t) for s, p, t in targets])
        return dict(zip(targets, values, strict=True))

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
        return decode(self._lib, self._ctx, self._batch, entries, " while scoring")

    def _logprobs(self, wanted: list[tuple[int, int]]) -> list[float]:
        """log softmax(row)[token] for each (batch index, token) of the last call, in float64
        over the float32 logits (as generation's chooser); LINE_START sums the line-starting
        tokens' probabilities (line_end.py)."""
        out = []
        work = np.empty(self._n_vocab, dtype=np.float32)
        for row, token in wanted:
            logits = self._row(row)
            top = float(logits.max())
            np.subtract(logits, top, out=work)
            np.exp(work, out=work)
            norm = top + float(np.log(work.sum(dtype=np.float64)))
            if token == LINE_START:
                out.append(pick(logits.astype(np.float64) - norm, token, self._line_starts))
            else:
                out.append(float(logits[token]) - norm)
        return out

    def _row(self, i: int) -> np.ndarray:
        pointer = self._lib.llama_get_logits_ith(self._ctx, i)
        buffer = (ctypes.c_float * self._n_vocab).from_address(ctypes.addressof(pointer.contents))
        return np.frombuffer(memoryview(buffer), dtype=np.float32)

    def close(self) -> None:
        self._lib.llama_batch_free(self._batch)
        self._context.close()
