"""Record and replay every HTTP exchange of a run with vcrpy, secrets scrubbed before writing.

A cassette makes a hosted-model run repeatable in CI with no key and no network. Requests match
on method, path and a canonical JSON body (key order and whitespace do not matter; host and
port do not either, so a cassette recorded against one server port replays anywhere). Secrets
never reach the file: credential headers are dropped, and the API key's value is replaced
wherever it appears (URL, headers, body), in requests and responses, by hooks that run before
anything is recorded.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import vcr
from vcr.errors import CannotOverwriteExistingCassetteException as CassetteMiss

from halprobe.backends.spec import RECORD_MODES
from halprobe.errors import UserError

__all__ = ["CassetteMiss", "register_secret", "unmatched_request_error", "use_cassette"]

SECRET_HEADERS = ("authorization", "api-key", "x-api-key", "openai-organization",
                  "openai-project", "cookie", "set-cookie")
SECRET_ENV = ("OPENAI_API_KEY",)
REDACTED = "<REDACTED>"
MIN_SECRET_LEN = 8  # shorter strings would scrub ordinary text
BODY_PREVIEW = 200

_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """A value (an API key passed explicitly) to scrub from every cassette from now on."""
    if value and len(value) >= MIN_SECRET_LEN:
        _secrets.add(value)


def _current_secrets(extra: Iterable[str]) -> list[str]:
    found = {os.environ.get(name, "") for name in SECRET_ENV} | _secrets | set(extra)
    return sorted((s for s in found if len(s) >= MIN_SECRET_LEN), key=len, reverse=True)


def canonical_body(body: bytes | str | None) -> str:
    """JSON bodies re-dumped with sorted keys and no whitespace; anything else as it is."""
    if body is None:
        return ""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    try:
        return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False)
    except ValueError:
        return text


def _match_canonical_body(r1: Any, r2: Any) -> None:
    if canonical_body(r1.body_bytes) != canonical_body(r2.body_bytes):
        raise AssertionError("bodies differ after canonical JSON encoding")


def _scrub_text(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def _scrub_body(body: Any, secrets: list[str]) -> Any:
    if isinstance(body, bytes):
        raw = body
        for secret in secrets:
            raw = raw.replace(secret.encode(), REDACTED.encode())
        return raw
    return _scrub_text(body, secrets) if isinstance(body, str) else body


def _request_scrubber(extra: Iterable[str]) -> Any:
    def scrub(request: Any) -> Any:
        secrets = _current_secrets(extra)
        request.uri = _scrub_text(request.uri, secrets)
        request.body = _scrub_body(request.body_bytes, secrets)
        for name in list(request.headers):
            if name.lower() in SECRET_HEADERS:
                del request.headers[name]
            else:
                request.headers[name] = _scrub_text(str(request.headers[name]), secrets)
        return request

    return scrub


def _response_scrubber(extra: Iterable[str]) -> Any:
    def scrub(response: dict[str, Any]) -> dict[str, Any]:
        secrets = _current_secrets(extra)
        headers = response.get("headers", {})
        for name in list(headers):
            if name.lower() in SECRET_HEADERS:
                del headers[name]
            else:
                headers[name] = [_scrub_text(str(v), secrets) for v in headers[name]]
        body = response.get("body", {})
        if "string" in body:
            body["string"] = _scrub_body(body["string"], secrets)
        return response

    return scrub


@contextlib.contextmanager
def use_cassette(path: Path, record_mode: str = "none",
                 secrets: Iterable[str] = ()) -> Iterator[Any]:
    """Record or replay all HTTP inside the block; modes: none | once | new_episodes | all."""
    if record_mode not in RECORD_MODES:
        raise UserError(f"--record-mode must be one of {', '.join(RECORD_MODES)}, "
                        f"got {record_mode!r}")
    path = Path(path)
    if record_mode == "none" and not path.is_file():
        raise UserError(f"cassette {path} does not exist; record it first with "
                        "--record-mode once (needs the server or API)")
    extra = tuple(secrets)
    recorder = vcr.VCR(
        record_mode=record_mode, match_on=("method", "path", "canonical_body"),
        filter_headers=list(SECRET_HEADERS), decode_compressed_response=True,
        before_record_request=_request_scrubber(extra),
        before_record_response=_response_scrubber(extra))
    recorder.register_matcher("canonical_body", _match_canonical_body)
    path.parent.mkdir(parents=True, exist_ok=True)
    with recorder.use_cassette(str(path)) as cassette:
        yield cassette


def _find_miss(exc: BaseException | None) -> CassetteMiss | None:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, CassetteMiss):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def unmatched_request_error(exc: BaseException) -> UserError | None:
    """A clear UserError when ``exc`` (or its cause) is a replay with no recorded answer."""
    miss = _find_miss(exc)
    if miss is None or miss.failed_request is None:
        return None
    request = miss.failed_request
    body = canonical_body(request.body_bytes)
    shown = body[:BODY_PREVIEW] + ("..." if len(body) > BODY_PREVIEW else "")
    why = ("its recorded answer was already used in this run"
           if getattr(miss, "reason", "") == "already_played"
           else "no recorded request matches it (method, path and JSON body)")
    return UserError(
        f"cassette {miss.cassette.path} is stale: {request.method} {request.path} was not "
        f"recorded ({why}). Request body: {shown}\nThis happens after a change to prompts, "
        "suites, model or decoding options. Re-record against the server or API: delete the "
        "file and run with --record-mode once (or --record-mode new_episodes to add only the "
        "missing requests).")
