"""The end of an answer line in teacher-forced scoring.

A completion prompt's answer ends where the model starts a new line (generation stops at a
line break). So a continuation that ends in a line break (``types.LINE_END``) is scored as its
text, then the probability that the next token begins a new line: the sum over every token
whose text starts with a line break. Scoring the tokens of the literal string instead is wrong
twice over: a tokenizer merges "\\n\\n" at the end of a text into one token that it splits in
the middle of one (SmolLM2 gives that merged token e^-6 after " Berlin", where it ends the
line with "\\n" at .84), and the model may end the line with any of several newline tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from halprobe.types import LINE_END

LINE_START = -2  # a continuation's last "token": any token whose text starts a new line


def split_line_end(continuation: str) -> tuple[str, bool]:
    """The continuation's text without its trailing line breaks, and whether it had any."""
    text = continuation.rstrip(LINE_END)
    return text, len(text) < len(continuation)


def continuation_tokens(continuation: str, tokens_of: Callable[[str], list[int]]) -> list[int]:
    """A continuation's tokens: its text's (``tokens_of``, never asked for an empty text),
    then LINE_START where it ends in a line break."""
    body, ends_line = split_line_end(continuation)
    return (tokens_of(body) if body else []) + ([LINE_START] if ends_line else [])


def line_start_ids(candidates: Iterable[int], text_of: Callable[[int], str]) -> np.ndarray:
    """The token ids among ``candidates`` whose text begins with a line break."""
    return np.array(sorted(t for t in candidates if text_of(t).startswith(LINE_END)),
                    dtype=np.int64)


def pick(logprobs: np.ndarray, token: int, line_starts: np.ndarray) -> float:
    """A token's log-prob from a row of log-probs (float64), or for LINE_START the log of the
    summed probability of every line-starting token."""
    if token != LINE_START:
        return float(logprobs[token])
    values = logprobs[line_starts]
    top = float(values.max())
    return top + float(np.log(np.exp(values - top).sum()))
