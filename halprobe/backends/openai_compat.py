"""`openai:<model>`: the OpenAI API or any OpenAI-compatible server (vLLM, llama.cpp, Ollama).

The adapter only generates and classifies its own errors (docs/style.md habit 2): the client never
retries (max_retries=0); the runner retries BackendError(kind="retryable") and honours
``retry_after``. Log-probs are probed once, when the backend is built, because the answer enters
the fingerprint (and so every cache key) before the first item is asked; a server that gives
none yields generations with ``token_logprobs=None``, never made-up values. The API key is
never logged, recorded in the fingerprint, or shown in an error message.

Each request in flight borrows its own client (its own connection pool): one shared pool is
scanned, connection by connection and under one lock, twice per request, which at 50 runner
threads cost a fifth of the client's CPU (benchmarks/bench_openai_concurrency.py).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import math
import os
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from halprobe.backends.base import BackendError
from halprobe.backends.line_end import split_line_end
from halprobe.errors import MissingDependencyError, UserError
from halprobe.types import (
    LINE_END,
    Capabilities,
    DecodingParams,
    Generation,
    Message,
    Scored,
    ScoreRequest,
    completion_text,
)

__all__ = ["OpenAICompatBackend", "from_spec"]

OPENAI_URL = "https://api.openai.com/v1"
PLACEHOLDER_KEY = "sk-no-key"  # servers that need no key still want the header to be there
MAX_RETRY_AFTER = 120.0  # seconds; a longer Retry-After is a stop in disguise
PROBE_MESSAGES = (Message("user", "Say OK."),)
# Tried in order by the probe; llama.cpp's server only returns log-probs with top_logprobs set.
LOGPROB_VARIANTS: tuple[dict[str, Any], ...] = ({"logprobs": True, "top_logprobs": 0},
                                                {"logprobs": True})
PROBE_ATTEMPTS = 3
# Scoring's check of a server's echoed log-probs: any language model continues a count with
# near certainty, so the count's later tokens must get log-probs near 0. llama-cpp-python's
# server (0.3.x) gives each echoed token the log-prob of that token one place later instead
# (about -10 here); its scores would be wrong, not missing.
COUNT = "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20"
COUNT_FROM = COUNT.index("10")
ALTERNATIVES = 5  # top log-probs asked beside an echoed line break (OpenAI allows up to 5)
COUNT_LEAST = -1.0  # the mean log-prob of the count's tokens from "10" on must be above this


def strip_url(url: str) -> str:
    """The URL without credentials, query or fragment: safe for fingerprints and messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def parse_retry_after(headers: Any) -> float | None:
    """Seconds to wait from retry-after-ms, or Retry-After in seconds or as an HTTP date."""
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return min(max(float(millis) / 1000, 0.0), MAX_RETRY_AFTER)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class OpenAICompatBackend:
    """Chat completions over HTTP, one prompt per request, many requests at once."""

    def __init__(self, model: str, base_url: str | None = None, api_key: str | None = None,
                 timeout: float = 60.0, concurrency: int = 8, logprobs: bool | None = None,
                 **_: Any) -> None:
        try:
            import openai
        except ImportError:
            raise MissingDependencyError("openai", "the openai: backend") from None
        self.model = model
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL
        self._key = api_key or os.environ.get("OPENAI_API_KEY") or self._keyless()
        if self._key != PLACEHOLDER_KEY:
            from halprobe.backends.cassettes import register_secret

            register_secret(self._key)
        if concurrency < 1:
            raise UserError(f"--concurrency must be a positive integer, got {concurrency}")
        # One SSL context for all clients: making one costs ~45 ms, the rest of a client ~0.3.
        self._ssl = _http_module().create_ssl_context()
        self._client = openai.OpenAI(api_key=self._key, base_url=self.base_url,
                                     timeout=timeout, max_retries=0,
                                     http_client=openai.DefaultHttpxClient(verify=self._ssl))
        # The endpoint as the client would join it to base_url, joined once: an absolute URL
        # saves the client a URL parse and merge per request.
        base = self._client.base_url
        self._url = str(base.copy_with(raw_path=base.raw_path + b"chat/completions"))
        # a completion prompt (a base model, --prompt-style completion) goes to /completions
        self._text_url = str(base.copy_with(raw_path=base.raw_path + b"completions"))
        self._clients = [self._client]  # every client made, to close
        self._idle: queue.SimpleQueue[Any] = queue.SimpleQueue()  # clients not in use
        self._idle.put(self._client)
        self._lock = threading.Lock()
        self._echo_checked = False
        self._logprob_args = (dict(LOGPROB_VARIANTS[0]) if logprobs
                              else {} if logprobs is False else self._probe_logprobs())
        # scoring: asked of /completions with echo; a server that gives no prompt log-probs
        # says so at the first score (a probe here would cost every run a request)
        self.capabilities = Capabilities(logprobs=bool(self._logprob_args), batching=False,
                                         max_batch_size=1, max_concurrency=concurrency,
                                         scoring=True)

    def _keyless(self) -> str:
        if urlsplit(self.base_url).hostname == urlsplit(OPENAI_URL).hostname:
            raise UserError("the OpenAI API needs a key: set OPENAI_API_KEY (or pass "
                            "--base-url for a server that needs none)")
        return PLACEHOLDER_KEY

    def fingerprint(self) -> dict[str, Any]:
        return {"backend": "openai", "model": self.model, "base_url": strip_url(self.base_url),
                "logprobs": self.capabilities.logprobs}

    def generate(self, prompts: Sequence[Sequence[Message]],
                 params: DecodingParams) -> list[Generation]:
        return [self._one(p, params) for p in prompts]

    def _one(self, prompt: Sequence[Message], params: DecodingParams) -> Generation:
        if completion_text(prompt) is None:
            return _generation(self._complete(prompt, params, self._logprob_args))
        # the legacy completions API asks log-probs as a count of alternatives
        extra = {"logprobs": 1} if self._logprob_args else {}
        return _text_generation(self._complete(prompt, params, extra))

    def score(self, requests: Sequence[ScoreRequest]) -> list[Scored]:
        """Teacher-forced log-probs (docs/metrics.md 4) from the completions endpoint: the
        prompt and one continuation sent as the prompt with ``echo`` and ``logprobs``, one
        token generated and ignored; the continuation's tokens are those that start at or
        after the end of the prompt's text (``text_offset``). Completion prompts only: the
        endpoint takes text, and a chat prompt's text is the server's template."""
        from concurrent.futures import ThreadPoolExecutor

        self._check_echo()
        jobs = []
        for request in requests:
            text = completion_text(request.prompt)
            if text is None:
                raise BackendError("bad_request", "the openai: backend scores completion "
                                   "prompts only (--prompt-style completion): a chat "
                                   "prompt's text is the server's chat template")
            jobs += [(text, continuation) for continuation in request.continuations]
        with ThreadPoolExecutor(self.capabilities.max_concurrency) as pool:
            values = list(pool.map(lambda job: self._score_one(*job), jobs))
        out, n = [], 0
        for request in requests:
            mine = values[n:n + len(request.continuations)]
            n += len(mine)
            out.append(Scored(tuple(sum(v) for v in mine), tuple(len(v) for v in mine)))
        return out

    def _score_one(self, prompt: str, continuation: str) -> list[float]:
        """The continuation's echoed log-probs; a trailing line break is the end of the line:
        the echoed line break's probability plus that of the other line-starting tokens the
        server lists beside it (``ALTERNATIVES`` of them: a lower bound where the vocabulary
        has more; llama.cpp and hf sum them all, line_end.py)."""
        if not continuation:
            return []
        body, ends_line = split_line_end(continuation)
        text = prompt + body + (LINE_END if ends_line else "")
        answer = self._post(self._text_url, self._echo_body(text, ALTERNATIVES))
        values = _echoed_logprobs(answer, len(prompt), len(text))
        if values is None:
            raise self._no_scoring("it answered /completions with echo=true without the "
                                   "log-probs of the prompt's tokens")
        if ends_line:
            values[-1] = _line_end_logprob(answer, len(prompt + body), values[-1])
        return values

    def _echo_body(self, text: str, alternatives: int = 1) -> dict[str, Any]:
        return {"model": self.model, "prompt": text, "max_tokens": 1, "temperature": 0.0,
                "echo": True, "logprobs": alternatives}

    def _echo(self, text: str, start: int) -> list[float] | None:
        """The echoed log-probs of the tokens of ``text`` that start at ``start`` or later."""
        return _echoed_logprobs(self._post(self._text_url, self._echo_body(text)), start,
                                len(text))

    def check_scoring(self) -> None:
        """Whether this server can score (`eval --choices` asks before the run starts)."""
        self._check_echo()

    def _check_echo(self) -> None:
        """Once: the server's echoed log-probs are those of the echoed tokens (COUNT)."""
        with self._lock:
            if self._echo_checked:
                return
            values = self._echo(COUNT, COUNT_FROM)
            if values is None:
                raise self._no_scoring("it answered /completions with echo=true without "
                                       "the log-probs of the prompt's tokens")
            mean = sum(values) / len(values)
            if mean < COUNT_LEAST:
                raise self._no_scoring(
                    f"its echoed log-probs are not those of the echoed tokens: a count from "
                    f"1 to 20 got {mean:.1f} a token from 10 on, where a model gives near 0; "
                    "llama-cpp-python's server gives each token the next one's")
            self._echo_checked = True

    def _no_scoring(self, why: str) -> BackendError:
        return BackendError("fatal", "teacher-forced scoring is not supported by this server "
                            f"({strip_url(self.base_url)}: {why})")

    def close(self) -> None:
        with self._lock:
            for client in self._clients:
                client.close()

    @contextmanager
    def _borrow(self) -> Iterator[Any]:
        """A client no other request is using; made when all are busy, kept for reuse."""
        try:
            client = self._idle.get_nowait()
        except queue.Empty:
            client = self._new_client()
        try:
            yield client
        finally:
            self._idle.put(client)

    def _new_client(self) -> Any:
        """A copy of the first client with its own connection pool."""
        import openai

        with self._lock:
            client = self._client.with_options(
                http_client=openai.DefaultHttpxClient(verify=self._ssl))
            self._clients.append(client)
        return client

    def _probe_logprobs(self) -> dict[str, Any]:
        """The first request variant whose answer carries log-probs; {} when none does.

        A variant the server rejects (400) is skipped; when every variant was rejected, a plain
        request must work, or the model cannot be used at all (wrong name, bad key).
        """
        answered = False
        for variant in LOGPROB_VARIANTS:
            try:
                completion = self._probe(variant)
            except BackendError as exc:
                if exc.kind != "bad_request":
                    raise self._unusable(exc) from None
                continue
            if _logprob_content(completion):
                return dict(variant)
            answered = True
        if not answered:
            try:
                self._probe({})
            except BackendError as exc:
                raise self._unusable(exc) from None
        return {}

    def _unusable(self, exc: BackendError) -> UserError:
        return UserError(f"cannot use model {self.model!r} at {strip_url(self.base_url)}: "
                         f"{exc}")

    def _probe(self, variant: dict[str, Any]) -> dict[str, Any]:
        """One tiny request; the runner does not exist yet, so retryable errors retry here."""
        params = DecodingParams(max_tokens=1)
        for attempt in range(PROBE_ATTEMPTS):
            try:
                return self._complete(PROBE_MESSAGES, params, variant)
            except BackendError as exc:
                if exc.kind != "retryable" or attempt == PROBE_ATTEMPTS - 1:
                    raise
                time.sleep(exc.retry_after if exc.retry_after is not None else 0.5 * 2 ** attempt)
        raise AssertionError("unreachable")

    def _complete(self, messages: Sequence[Message], params: DecodingParams,
                  extra: dict[str, Any]) -> dict[str, Any]:
        """One chat completion as the server's JSON (the client's typed layer costs twice the
        CPU per request, which shows at 50 requests in flight)."""
        text = completion_text(messages)
        return self._post(self._url if text is None else self._text_url,
                          {**self._request(messages, params), **extra})

    def _post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        """One request; the server's JSON, or a classified BackendError."""
        import openai

        from halprobe.backends.cassettes import CassetteMiss, unmatched_request_error

        try:
            with self._borrow() as client:
                response: Any = client.post(url, cast_to=_http_module().Response, body=body)
            data = response.json()
        except (openai.OpenAIError, CassetteMiss) as exc:
            miss = unmatched_request_error(exc)
            if miss is not None:
                raise miss from None
            raise self._classify(exc) from None
        except ValueError:
            raise BackendError("fatal", f"{strip_url(self.base_url)} answered with something "
                               "that is not JSON") from None
        if not isinstance(data, dict) or not data.get("choices"):
            raise BackendError("fatal", f"{strip_url(self.base_url)} answered with no choices")
        return data

    def _request(self, messages: Sequence[Message], params: DecodingParams) -> dict[str, Any]:
        text = completion_text(messages)
        asked: dict[str, Any] = (
            {"messages": [{"role": m.role, "content": m.content} for m in messages]}
            if text is None else {"prompt": text, "stop": ["\n"]})  # the answer line
        return {"model": self.model, **asked,
                "max_tokens": params.max_tokens, "temperature": params.temperature,
                "top_p": params.top_p, "seed": _request_seed(params)}

    def _classify(self, exc: Exception) -> BackendError:
        """Map a client error to what the runner should do about it (retry, skip or stop)."""
        import openai

        where = strip_url(self.base_url)
        if isinstance(exc, openai.APITimeoutError):
            return BackendError("retryable", f"request to {where} timed out")
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc.__context__
            return BackendError("retryable", self._scrub(f"cannot connect to {where}: "
                                                         f"{cause or exc}"))
        if not isinstance(exc, openai.APIStatusError):
            return BackendError("fatal", self._scrub(f"{type(exc).__name__} from {where}: {exc}"))
        status = exc.status_code
        message = self._scrub(f"HTTP {status} from {where}: {_server_message(exc)}")
        if status == 429 and getattr(exc, "code", None) == "insufficient_quota":
            return BackendError("quota", message)
        if status in (408, 409, 429) or status >= 500:
            return BackendError("retryable", message, parse_retry_after(exc.response.headers))
        if status in (401, 403):
            return BackendError("auth", message)
        return BackendError("bad_request", message)

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text


def _server_message(exc: Any) -> str:
    """The server's own words: the client hands us the inner "error" object when there is one."""
    body = exc.body
    if isinstance(body, dict):
        text = body.get("message") or body.get("detail") or json.dumps(body)
    else:
        text = body or getattr(exc, "message", "") or type(exc).__name__
    return str(text)[:500]


def _request_seed(params: DecodingParams) -> int:
    """The seed sent; each sample index of a sampled run gets its own, stably."""
    if params.sample_index == 0:
        return params.seed
    digest = hashlib.sha256(f"{params.seed}:{params.sample_index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1


def _http_module() -> Any:
    """The HTTP library of the installed client: httpx2 (openai 3.x) or httpx (1.x)."""
    try:
        import httpx2 as http
    except ImportError:  # pragma: no cover - older openai releases
        import httpx as http  # type: ignore[no-redef]
    return http


def _logprob_content(completion: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-token log-probs when the server gave a number for every token, else []."""
    logprobs = completion["choices"][0].get("logprobs") or {}
    content = list(logprobs.get("content") or [])
    usable = all(isinstance(t, dict) and isinstance(t.get("token"), str)
                 and isinstance(t.get("logprob"), int | float) for t in content)
    return content if usable else []


def _generation(completion: dict[str, Any]) -> Generation:
    choice = completion["choices"][0]
    message = choice.get("message") or {}
    text = message.get("content") or message.get("refusal") or ""
    content = _logprob_content(completion)
    usage = completion.get("usage") or {}
    return Generation(
        text=text.strip(),
        tokens=tuple(t["token"] for t in content) if content else None,
        token_logprobs=tuple(float(t["logprob"]) for t in content) if content else None,
        prompt_tokens=usage.get("prompt_tokens"),
        completion_tokens=usage.get("completion_tokens"),
        finish_reason=choice.get("finish_reason"))


def _echoed_logprobs(completion: dict[str, Any], start: int, end: int) -> list[float] | None:
    """The log-probs of the echoed tokens whose text starts in [start, end); None when the
    answer carries none for them (no echo, no prompt log-probs, or no offsets)."""
    logprobs = completion["choices"][0].get("logprobs") or {}
    offsets, values = logprobs.get("text_offset") or [], logprobs.get("token_logprobs") or []
    if len(offsets) != len(values):
        return None
    picked = [v for o, v in zip(offsets, values, strict=True)
              if isinstance(o, int) and start <= o < end]
    if not picked or not all(isinstance(v, int | float) for v in picked):
        return None
    return [float(v) for v in picked]


def _line_end_logprob(completion: dict[str, Any], offset: int, own: float) -> float:
    """log of the summed probability of the line-starting tokens the server lists at the
    echoed token that starts at ``offset`` (its own among them); ``own`` where it lists none."""
    logprobs = completion["choices"][0].get("logprobs") or {}
    offsets, tops = logprobs.get("text_offset") or [], logprobs.get("top_logprobs") or []
    at = [n for n, o in enumerate(offsets) if o == offset]
    if not at or at[0] >= len(tops) or not isinstance(tops[at[0]], dict):
        return own
    listed = tops[at[0]]
    values = [float(v) for k, v in listed.items()
              if str(k).startswith(LINE_END) and isinstance(v, int | float)]
    tokens = logprobs.get("tokens") or []
    if at[0] >= len(tokens) or tokens[at[0]] not in listed:
        values.append(own)  # the echoed token itself, where the list leaves it out
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def _text_generation(completion: dict[str, Any]) -> Generation:
    """A /completions answer: text, and per-token log-probs where every token has one."""
    choice = completion["choices"][0]
    logprobs = choice.get("logprobs") or {}
    tokens, values = logprobs.get("tokens") or [], logprobs.get("token_logprobs") or []
    usable = bool(tokens) and len(tokens) == len(values) and all(
        isinstance(v, int | float) for v in values)
    usage = completion.get("usage") or {}
    return Generation(
        text=str(choice.get("text") or "").strip(),
        tokens=tuple(tokens) if usable else None,
        token_logprobs=tuple(float(v) for v in values) if usable else None,
        prompt_tokens=usage.get("prompt_tokens"),
        completion_tokens=usage.get("completion_tokens"),
        finish_reason=choice.get("finish_reason"))


def from_spec(target: str, options: dict[str, Any]) -> OpenAICompatBackend:
    """`openai:<model>`; options: base_url, api_key, timeout, concurrency, logprobs."""
    from halprobe.backends.spec import check_options

    check_options(OpenAICompatBackend, options, "openai")
    return OpenAICompatBackend(target, **options)
