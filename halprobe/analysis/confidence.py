"""Answer confidence from generated-token log-probs (docs/metrics.md section 4).

Confidence is exp(sum of the answer tokens' log-probs) where the grader found the answer span
in the output, else over the whole output. The source is always recorded; when the backend
gave no log-probs there is no confidence at all, never a made-up 1.0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from halprobe.types import Generation


@dataclass(frozen=True)
class Confidence:
    value: float | None
    value_normalised: float | None
    source: str


def answer_token_range(tokens: tuple[str, ...], span: str | None) -> tuple[int, int] | None:
    """Indexes [start, end) of the tokens that cover the first occurrence of ``span``."""
    if not span:
        return None
    text = "".join(tokens)
    start = text.find(span)
    if start < 0:
        start = text.lower().find(span.lower())
    if start < 0:
        return None
    end = start + len(span)
    first = last = None
    offset = 0
    for index, piece in enumerate(tokens):
        piece_end = offset + len(piece)
        if first is None and piece_end > start:
            first = index
        if offset < end:
            last = index
        offset = piece_end
    return None if first is None or last is None else (first, last + 1)


def confidence(generation: Generation, matched: str | None) -> Confidence:
    """Sequence probability of the answer span (or the whole output) and its per-token mean."""
    if generation.token_logprobs is None or generation.tokens is None:
        return Confidence(None, None, "none")
    logprobs = generation.token_logprobs
    if not logprobs:
        return Confidence(None, None, "none")
    window = answer_token_range(generation.tokens, matched)
    source = "logprobs:answer_span" if window else "logprobs:sequence"
    chosen = logprobs[window[0]:window[1]] if window else logprobs
    total = sum(chosen)
    return Confidence(math.exp(total), math.exp(total / len(chosen)), source)
