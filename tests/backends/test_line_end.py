"""The end of an answer line in teacher-forced scoring (backends/line_end.py), and on the real
model: a completion answer's score is the probability that it is the whole line."""

from __future__ import annotations

import math

import numpy as np
import pytest

from halprobe.backends.default import default_gguf
from halprobe.backends.line_end import LINE_START, line_start_ids, pick, split_line_end
from halprobe.backends.llamacpp import LlamaCppBackend
from halprobe.types import Message, ScoreRequest

SHOTS = ("Q: What is the capital of France?\nA: Paris\n\n"
         "Q: What is the capital of Japan?\nA: Tokyo\n\n")


def test_trailing_line_breaks_mean_the_line_ends() -> None:
    assert split_line_end(" Paris\n") == (" Paris", True)
    assert split_line_end(" Paris\n\n") == (" Paris", True)
    assert split_line_end(" Paris") == (" Paris", False)
    assert split_line_end("\n") == ("", True)


def test_the_line_end_sums_every_line_starting_token() -> None:
    texts = {0: "Paris", 1: "\n", 2: "\n\n", 3: "a\n"}  # "a\n" adds to the line first
    starts = line_start_ids(texts, texts.__getitem__)
    assert list(starts) == [1, 2]
    logprobs = np.log(np.array([0.4, 0.3, 0.2, 0.1]))
    assert pick(logprobs, LINE_START, starts) == pytest.approx(math.log(0.5))
    assert pick(logprobs, 0, starts) == pytest.approx(math.log(0.4))


@pytest.mark.model
def test_a_known_answer_is_most_of_the_line_it_ends() -> None:
    """SmolLM2 answers " Berlin" and ends the line with "\\n". The literal string " Berlin\\n\\n"
    ends in a "\\n\\n" token that a prompt never shows it there (the shots' blank lines are
    two "\\n" tokens): scored as that token it was e^-6.9; as the end of the line it is the
    same as " Berlin\\n", most of the probability."""
    prompt = (Message("completion", f"{SHOTS}Q: What is the capital of Germany?\nA:"),)
    backend = LlamaCppBackend(default_gguf(), n_threads=1)
    try:
        [scored] = backend.score([ScoreRequest(prompt, (" Berlin\n", " Berlin\n\n",
                                                        " Berlin", " Munich\n"))])
    finally:
        backend.close()
    line, double, bare, wrong = scored.logprobs
    assert line == double and scored.n_tokens[0] == scored.n_tokens[1] == scored.n_tokens[2] + 1
    assert bare > line > math.log(0.5)
    assert wrong < line - 3
