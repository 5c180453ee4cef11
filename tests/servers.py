"""Real servers for tests: the llama.cpp OpenAI-compatible server, and a scriptable stub.

``llama_server()`` starts llama-cpp-python's server through `python -m halprobe.server` (which
keeps llama.cpp's AMX buffers off on CPUs where they crash) with the embedded default GGUF on a
free loopback port, waits until /v1/models answers and stops it afterwards (terminate, then kill).
``StubServer`` is a plain http.server on 127.0.0.1 whose answer is picked by the prompt text
("status 429", "status 401", ...), so tests can provoke each error a hosted API returns.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from halprobe.backends.default import default_gguf
from tests.conftest import write_suite
from tests.test_eval_model import CAPITALS, YAML

CASSETTES = Path(__file__).resolve().parent / "cassettes"
CAPITALS_CASSETTE = CASSETTES / "capitals_smollm2.yaml"
SERVER_MODEL = "smollm2"
SENTINEL_KEY = "sk-test-SECRET-123"
# llama.cpp's threads spin while they wait: on a busy 2-core runner, one thread answers in
# about 1 s where the default (all cores) took 2-15 s.
THREADS = ("--n_threads", "1", "--n_threads_batch", "1")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def capitals_suite(directory: Path, count: int = len(CAPITALS)) -> Path:
    """The capitals suite of tests/test_eval_model.py (its first ``count`` items).

    The checked-in cassette asks all 20; re-record it (tests/cassettes/record.py) if they change.
    """
    items = [{"id": f"t/{code}", "question": f"What is the capital of {name}?", "answer": cap,
              "aliases": [cap], "answer_type": "entity", "popularity": pop,
              "proxy": "population", "subject": name}
             for code, name, cap, pop in CAPITALS[:count]]
    return write_suite(directory, items, yaml_text=YAML)


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited ({proc.returncode}):\n"
                               f"{log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/models", timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"llama_cpp.server did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def llama_server(log_dir: Path, timeout: float = 60) -> Iterator[str]:
    """The base URL (http://127.0.0.1:PORT/v1) of a running llama.cpp server."""
    port = free_port()
    log = log_dir / f"llama-server-{port}.log"
    cmd = [sys.executable, "-m", "halprobe.server", "--model", str(default_gguf()),
           "--logits_all", "true", "--host", "127.0.0.1", "--port", str(port),
           *THREADS]
    with log.open("wb") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(proc, url, log, timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def llama_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One llama.cpp server for a test module."""
    with llama_server(tmp_path_factory.mktemp("llama")) as url:
        yield url


# --- A scriptable OpenAI-compatible stub -----------------------------------------------------

def completion_body(text: str, logprobs: bool) -> dict[str, Any]:
    words = text.split(" ")
    tokens = [w if i == 0 else " " + w for i, w in enumerate(words)]
    content: list[dict[str, Any]] = [
        {"token": t, "logprob": -0.25, "bytes": None, "top_logprobs": []} for t in tokens]
    return {"id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": "stub",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "logprobs": {"content": content} if logprobs else None,
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 11, "completion_tokens": len(tokens),
                      "total_tokens": 11 + len(tokens)}}


ERRORS: dict[str, tuple[int, dict[str, str], dict[str, Any]]] = {
    "status 429": (429, {"Retry-After": "2"},
                   {"message": "Rate limit reached", "type": "requests", "code": None}),
    "status 429 ms": (429, {"retry-after-ms": "250", "Retry-After": "9"},
                      {"message": "Rate limit reached", "code": "rate_limit_exceeded"}),
    "status 429 quota": (429, {}, {"message": "You exceeded your current quota",
                                   "type": "insufficient_quota", "code": "insufficient_quota"}),
    "status 400": (400, {}, {"message": "Invalid value for 'messages'", "code": None}),
    "status 404": (404, {}, {"message": "The model 'nope' does not exist", "code": None}),
    "status 500": (500, {}, {"message": "The server had an error", "code": None}),
    "status 503 date": (503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},
                        {"message": "overloaded", "code": None}),
}


class StubServer:
    """A threaded http.server on 127.0.0.1 answering POST /v1/chat/completions."""

    def __init__(self, logprobs: str = "yes", delay: float = 0.0,
                 require_key: str | None = None) -> None:
        self.logprobs, self.delay = logprobs, delay  # logprobs: yes | no | reject
        self.require_key = require_key
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def answer(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, str],
                                                                             dict[str, Any]]:
        prompt = body["messages"][-1]["content"]
        if body["model"] == "missing":
            return 404, {}, {"error": {"message": "The model 'missing' does not exist"}}
        if prompt == "sleep":
            time.sleep(2)
        key = headers.get("authorization", "").removeprefix("Bearer ")
        if prompt == "status 401" or self.require_key not in (None, key):
            # echo the key, as some servers do, to test that it is scrubbed
            return 401, {}, {"error": {"message": f"Incorrect API key provided: {key}",
                                       "code": "invalid_api_key"}}
        if prompt in ERRORS:
            status, extra, error = ERRORS[prompt]
            return status, extra, {"error": error}
        if body.get("logprobs") and self.logprobs == "reject":
            return 400, {}, {"error": {"message": "logprobs is not supported", "code": None}}
        wants = bool(body.get("logprobs")) and self.logprobs == "yes"
        return 200, {}, completion_body(f"The answer to {prompt} is Paris.", wants)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                headers = {k.lower(): v for k, v in self.headers.items()}
                stub.requests.append(body)
                stub.headers.append(headers)
                if stub.delay:
                    time.sleep(stub.delay)
                status, extra, payload = stub.answer(body, headers)
                data = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **extra}.items():
                    self.send_header(name, value)
                self.send_header("Set-Cookie", f"session={SENTINEL_KEY}")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def eval_options(suite: Path, cassette: Path, record_mode: str, out: Path,
                 base_url: str) -> Any:
    """EvalOptions of an `openai:smollm2` run of ``suite`` through ``cassette``."""
    from halprobe.run.pipeline import EvalOptions

    return EvalOptions(model=f"openai:{SERVER_MODEL}", backend_options={"base_url": base_url},
                       suites=[str(suite)], per_bin=None, cassette=cassette,
                       record_mode=record_mode, out=out, results=out.parent / "results",
                       progress=False)
