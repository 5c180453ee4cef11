"""`python -m halprobe.server`: halprobe's option taken out, the rest left to llama_cpp.server.

The server itself runs in tests/backends/test_openai_compat.py and the cassette tests, which
start it through this entry point (tests/servers.py).
"""

from __future__ import annotations

from halprobe.backends.default import default_gguf
from halprobe.server import parse


def test_extra_bufts_is_taken_and_the_default_model_filled_in() -> None:
    choice, rest = parse(["--extra_bufts", "off", "--port", "8000", "--logits_all", "true"])
    assert choice == "off"
    assert rest == ["--model", str(default_gguf()), "--port", "8000", "--logits_all", "true"]


def test_a_given_model_is_kept_and_auto_is_the_default() -> None:
    assert parse(["--model", "x.gguf", "--n_ctx", "512"]) == (
        "auto", ["--model", "x.gguf", "--n_ctx", "512"])
    assert parse(["--model=x.gguf"]) == ("auto", ["--model=x.gguf"])
    assert parse(["--help"]) == ("auto", ["--help"])
