"""A backend with no model: answers come from a table or a function (`--model mock:FILE`).

For trying a suite, a grader or a CI gate without loading a model, and as the seam tests
use to give the pipeline a scripted model (``run_eval(options, backend=MockBackend(...))``),
as inspect_ai's ``mockllm`` provider does. FILE is YAML or JSON:

    default: I don't know.          # optional; the answer when no key matches
    answers:
      France: The capital of France is Paris.
      Burkina Faso: The capital of Burkina Faso is Bobo-Dioulasso.

An answer is chosen by the first key found in the prompt's last message (in file order).
It gives no log-probs, so answers carry no confidence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from halprobe.backends.files import file_digest
from halprobe.backends.spec import check_options
from halprobe.errors import UserError
from halprobe.types import Capabilities, DecodingParams, Generation, Message
from halprobe.yamlfile import read_yaml

DEFAULT_ANSWER = "I don't know."
AnswerFn = Callable[[list[Message]], str]


class MockBackend:
    """Answers by ``answer_fn(prompt)``, else by the first key of ``answers`` in the prompt's
    last message, else ``default``."""

    capabilities = Capabilities(logprobs=False)

    def __init__(self, answers: Mapping[str, str] | None = None, default: str = DEFAULT_ANSWER,
                 answer_fn: AnswerFn | None = None, model_id: str = "mock") -> None:
        self.answers = dict(answers or {})
        self.default = default
        self.answer_fn = answer_fn
        self.model_id = model_id
        self.prompts: list[list[Message]] = []  # every prompt asked, for tests to inspect

    def fingerprint(self) -> dict[str, Any]:
        return {"backend": "mock", "model": self.model_id}

    def close(self) -> None:
        pass

    def answer(self, prompt: list[Message]) -> str:
        if self.answer_fn is not None:
            return self.answer_fn(prompt)
        text = prompt[-1].content if prompt else ""
        return next((a for key, a in self.answers.items() if key in text), self.default)

    def generate(self, prompts: Sequence[Sequence[Message]],
                 params: DecodingParams) -> list[Generation]:
        out = []
        for prompt in prompts:
            self.prompts.append(list(prompt))
            text = self.answer(list(prompt))
            out.append(Generation(text, prompt_tokens=sum(len(m.content.split()) for m in prompt),
                                  completion_tokens=len(text.split()), finish_reason="stop"))
        return out


def from_file(path: Path) -> MockBackend:
    """The backend a mock answers file describes; a bad file is a UserError naming it."""
    data = read_yaml(path, "mock answers file")
    if not isinstance(data, dict) or not isinstance(data.get("answers", {}), dict):
        raise UserError(f"{path}: expected a mapping with 'answers:' (text to find: answer) "
                        "and an optional 'default:'")
    answers, default = data.get("answers", {}), data.get("default", DEFAULT_ANSWER)
    bad = [k for k, v in answers.items() if not isinstance(k, str) or not isinstance(v, str)]
    if bad or not isinstance(default, str):
        raise UserError(f"{path}: every answer and the default must be strings"
                        + (f" (key {bad[0]!r})" if bad else ""))
    return MockBackend(answers, default, model_id=f"mock-{file_digest(path)[:12]}")


def from_spec(target: str, options: dict[str, Any]) -> MockBackend:
    """``mock:FILE`` answers from the file; ``mock:idk`` says "I don't know." to everything."""
    check_options(MockBackend, options, "mock", set_by_spec=("answers", "default", "answer_fn",
                                                               "model_id"))
    if target == "idk":
        return MockBackend()
    return from_file(Path(target))
