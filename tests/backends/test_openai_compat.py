"""The openai: backend against real HTTP servers: a scriptable stub, and llama.cpp's server."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator

import pytest

from halprobe.backends import create
from halprobe.backends.base import Backend, BackendError
from halprobe.backends.openai_compat import (
    OpenAICompatBackend,
    _echoed_logprobs,
    _generation,
    _line_end_logprob,
    parse_retry_after,
    strip_url,
)
from halprobe.errors import UserError
from halprobe.types import DecodingParams, Generation, Message, ScoreRequest
from tests.servers import SENTINEL_KEY, SERVER_MODEL, StubServer, free_port, llama_url

__all__ = ["llama_url"]  # the fixture, imported so pytest finds it here


def ask(backend: Backend, prompt: str, params: DecodingParams | None = None) -> Generation:
    return backend.generate([[Message("user", prompt)]], params or DecodingParams())[0]


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        yield server


def test_generation_carries_text_tokens_logprobs_usage_and_params(stub: StubServer) -> None:
    backend = create("openai:stub-model", {"base_url": stub.url, "api_key": SENTINEL_KEY})
    assert backend.capabilities.logprobs and backend.capabilities.max_batch_size == 1
    assert backend.capabilities.max_concurrency == 8
    gen = ask(backend, "France", DecodingParams(max_tokens=7, temperature=0.5, top_p=0.9,
                                                seed=3))
    assert gen.text == "The answer to France is Paris."
    assert "".join(gen.tokens or ()) == gen.text and gen.token_logprobs == (-0.25,) * 6
    assert (gen.prompt_tokens, gen.completion_tokens, gen.finish_reason) == (11, 6, "stop")
    sent = stub.requests[-1]
    assert (sent["model"], sent["max_tokens"], sent["temperature"], sent["top_p"],
            sent["seed"]) == ("stub-model", 7, 0.5, 0.9, 3)
    assert sent["logprobs"] is True
    assert len(stub.requests) == 2  # one probe at construction, then the question
    backend.close()


@pytest.mark.parametrize("mode", ["no", "reject"])
def test_server_without_logprobs_gives_none_never_made_up(mode: str) -> None:
    with StubServer(logprobs=mode) as server:
        backend = create("openai:m", {"base_url": server.url})
        assert backend.capabilities.logprobs is False
        assert backend.fingerprint()["logprobs"] is False
        gen = ask(backend, "France")
        assert gen.text.endswith("Paris.") and gen.token_logprobs is None and gen.tokens is None
        assert "logprobs" not in server.requests[-1]


def test_partial_logprobs_are_dropped_never_filled_in() -> None:
    token = {"token": "Paris", "logprob": None}
    completion = {"choices": [{"message": {"content": " Paris "}, "finish_reason": "stop",
                               "logprobs": {"content": [token]}}]}
    gen = _generation(completion)
    assert (gen.text, gen.tokens, gen.token_logprobs, gen.prompt_tokens) == (
        "Paris", None, None, None)


def test_requests_in_flight_each_borrow_their_own_client() -> None:
    """Concurrent requests get a client each (own connection pool), reused afterwards and all
    closed with the backend."""
    from concurrent.futures import ThreadPoolExecutor

    with StubServer(delay=0.2) as server:
        backend = create("openai:stub-model", {"base_url": server.url, "concurrency": 4})
        with ThreadPoolExecutor(4) as pool:
            texts = [g.text for g in pool.map(lambda c: ask(backend, c), ["Peru", "Chad"] * 4)]
        assert texts == [f"The answer to {c} is Paris." for c in ["Peru", "Chad"] * 4]
        clients = list(backend._clients)  # type: ignore[attr-defined]
        assert 2 <= len(clients) <= 4
        ask(backend, "Peru")
        assert backend._clients == clients  # type: ignore[attr-defined]
        backend.close()
        assert all(c.is_closed() for c in clients)


def test_probe_happens_once_per_backend(stub: StubServer) -> None:
    backend = create("openai:m", {"base_url": stub.url})
    for prompt in ("a", "b", "c"):
        ask(backend, prompt)
    assert [r["messages"][-1]["content"] for r in stub.requests] == ["Say OK.", "a", "b", "c"]


@pytest.mark.parametrize(("prompt", "kind", "retry_after"), [
    ("status 429", "retryable", 2.0), ("status 429 ms", "retryable", 0.25),
    ("status 429 quota", "quota", None), ("status 401", "auth", None),
    ("status 400", "bad_request", None), ("status 404", "bad_request", None),
    ("status 500", "retryable", None), ("status 503 date", "retryable", 0.0),
])
def test_errors_are_classified_and_never_show_the_key(stub: StubServer, prompt: str, kind: str,
                                                      retry_after: float | None) -> None:
    backend = create("openai:m", {"base_url": stub.url, "api_key": SENTINEL_KEY})
    with pytest.raises(BackendError) as info:
        ask(backend, prompt)
    assert info.value.kind == kind
    assert info.value.retry_after == retry_after
    assert f"HTTP {prompt.split()[1]}" in str(info.value) and stub.url in str(info.value)
    assert SENTINEL_KEY not in str(info.value) and "SECRET" not in repr(info.value.args)
    assert stub.headers[-1]["authorization"] == f"Bearer {SENTINEL_KEY}"  # it was sent


def test_auth_error_message_names_the_server_cause(stub: StubServer) -> None:
    backend = create("openai:m", {"base_url": stub.url, "api_key": SENTINEL_KEY})
    with pytest.raises(BackendError, match=r"HTTP 401 .*Incorrect API key provided: \*\*\*"):
        ask(backend, "status 401")


def test_timeout_and_refused_connection_are_retryable(stub: StubServer) -> None:
    backend = create("openai:m", {"base_url": stub.url, "timeout": 0.3, "logprobs": False})
    start = time.monotonic()
    with pytest.raises(BackendError, match="timed out") as info:
        ask(backend, "sleep")
    assert info.value.kind == "retryable" and time.monotonic() - start < 1.5
    closed = create("openai:m", {"base_url": f"http://127.0.0.1:{free_port()}/v1",
                                 "logprobs": False, "api_key": SENTINEL_KEY})
    with pytest.raises(BackendError, match="cannot connect") as info:
        ask(closed, "hello")
    assert info.value.kind == "retryable" and SENTINEL_KEY not in str(info.value)


def test_unreachable_server_fails_at_construction_with_user_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(UserError, match=f"cannot use model 'm' at {url}"):
        create("openai:m", {"base_url": url, "timeout": 0.5})


def test_unknown_model_fails_at_construction_naming_the_cause(stub: StubServer) -> None:
    with pytest.raises(UserError, match=r"cannot use model 'missing' at .*HTTP 404 .*does "
                                        r"not exist"):
        create("openai:missing", {"base_url": stub.url})
    with (StubServer(require_key=SENTINEL_KEY) as guarded,
          pytest.raises(UserError, match=r"HTTP 401 .*Incorrect API key") as info):
        create("openai:m", {"base_url": guarded.url, "api_key": "sk-wrong-KEY-789"})
    assert "sk-wrong-KEY-789" not in str(info.value)


def test_key_handling_and_fingerprint(stub: StubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(UserError, match="OPENAI_API_KEY"):
        create("openai:gpt-4o-mini", {})
    local = create("openai:m", {"base_url": stub.url})  # no key: a placeholder is sent
    assert stub.headers[-1]["authorization"] == "Bearer sk-no-key"
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", stub.url.replace("://", "://user:pw@") + "?k=v")
    backend = create("openai:m", {"concurrency": 50})
    fingerprint = backend.fingerprint()
    assert fingerprint == {"backend": "openai", "model": "m", "base_url": stub.url,
                           "logprobs": True}
    assert SENTINEL_KEY not in json.dumps(fingerprint)
    assert backend.capabilities.max_concurrency == 50
    assert local.fingerprint()["base_url"] == stub.url
    with pytest.raises(UserError, match="concurrency"):
        create("openai:m", {"base_url": stub.url, "concurrency": 0})


def test_retry_after_parsing() -> None:
    assert parse_retry_after({"retry-after": "0.1"}) == 0.1
    assert parse_retry_after({"retry-after": "garbage"}) is None
    assert parse_retry_after({"retry-after": "99999"}) == 120.0
    assert parse_retry_after({}) is None
    future = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 28 <= parse_retry_after({"retry-after": future}) <= 30  # type: ignore[operator]
    assert strip_url("https://u:p@host:8443/v1/?key=sk-x#f") == "https://host:8443/v1"


@pytest.mark.server
def test_real_llama_server_gives_logprobs_that_cover_the_text(llama_url: str) -> None:
    backend = create(f"openai:{SERVER_MODEL}", {"base_url": llama_url})
    assert backend.capabilities.logprobs
    gen = ask(backend, "What is the capital of France? Answer in one sentence.",
              DecodingParams(max_tokens=24))
    assert "Paris" in gen.text
    assert gen.tokens is not None and gen.token_logprobs is not None
    assert "".join(gen.tokens).strip() == gen.text
    assert len(gen.tokens) == len(gen.token_logprobs) == gen.completion_tokens
    assert all(lp <= 0 for lp in gen.token_logprobs)
    assert gen.finish_reason == "stop"
    backend.close()


@pytest.mark.server
def test_a_completion_prompt_goes_to_the_completions_endpoint(llama_url: str) -> None:
    """The few-shot prompt of a base model: the server's /completions, stopped at the line."""
    backend = create(f"openai:{SERVER_MODEL}", {"base_url": llama_url})
    prompt = ("Q: What is the capital of France?\nA: Paris\n\n"
              "Q: What is the capital of Japan?\nA: Tokyo\n\n"
              "Q: What is the capital of Kenya?\nA:")
    gen = backend.generate([[Message("completion", prompt)]], DecodingParams(max_tokens=16))[0]
    assert gen.text == "Nairobi"  # as the in-process backend answers (test_completion.py)
    assert gen.token_logprobs and all(lp <= 0 for lp in gen.token_logprobs)
    assert gen.finish_reason == "stop"
    backend.close()


@pytest.mark.server
def test_real_llama_server_echoes_shifted_logprobs_so_scoring_says_unsupported(
        llama_url: str) -> None:
    """llama-cpp-python's server echoes prompt log-probs, but each token gets the log-prob of
    the token after it (":" after "A" about -20, " Nairobi" after "A:" -9.5): scoring stops
    with a clear error rather than return those numbers."""
    prompt = (Message("completion", "Q: What is the capital of France?\nA: Paris\n\n"
                                    "Q: What is the capital of Kenya?\nA:"),)
    backend = create(f"openai:{SERVER_MODEL}", {"base_url": llama_url})
    assert isinstance(backend, OpenAICompatBackend)
    try:
        assert backend.capabilities.scoring  # the server decides, at the first score
        with pytest.raises(BackendError, match="scoring is not supported by this server") as e:
            backend.score([ScoreRequest(prompt, (" Nairobi\n", " Lima\n"))])
        assert e.value.kind == "fatal" and "not those of the echoed tokens" in str(e.value)
    finally:
        backend.close()


def test_a_server_without_prompt_logprobs_is_named_clearly() -> None:
    assert _echoed_logprobs({"choices": [{"text": "x", "logprobs": None}]}, 0, 3) is None
    answer = {"choices": [{"logprobs": {"text_offset": [0, 3, 7, 9],
                                        "token_logprobs": [None, -1.0, -0.5, -2.0]}}]}
    assert _echoed_logprobs(answer, 3, 9) == [-1.0, -0.5]  # tokens starting at 3 and 7
    assert _echoed_logprobs(answer, 0, 3) is None  # the first token has no log-prob


def test_the_end_of_a_line_sums_the_line_breaks_the_server_lists() -> None:
    """An option " Lima" then the end of its line: the echoed "\n" (p .5) and the "\n\n" the
    server lists beside it (p .25) both end the line: log .75; " L" does not."""
    top = {"\n": math.log(0.5), "\n\n": math.log(0.25), " L": math.log(0.2)}
    answer = {"choices": [{"logprobs": {"text_offset": [0, 3, 8], "tokens": ["A:", " Lima", "\n"],
                                        "token_logprobs": [None, -1.0, math.log(0.5)],
                                        "top_logprobs": [None, {" Lima": -1.0}, top]}}]}
    assert _line_end_logprob(answer, 8, math.log(0.5)) == pytest.approx(math.log(0.75))
    # a server that lists no alternatives: the echoed line break alone
    assert _line_end_logprob({"choices": [{"logprobs": {"text_offset": [0, 3, 8]}}]}, 8,
                             -0.7) == -0.7
    # the echoed token missing from its own list still counts
    answer["choices"][0]["logprobs"]["top_logprobs"][2] = {"\n\n": math.log(0.25)}
    assert _line_end_logprob(answer, 8, math.log(0.5)) == pytest.approx(math.log(0.75))
