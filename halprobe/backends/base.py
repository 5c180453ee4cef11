"""The Backend protocol: turn chat prompts into generations, and say what you can do.

Adapters only generate and classify their own errors; retries, caching, concurrency and
progress live once, in the runner (docs/style.md habit 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol

from halprobe.types import Capabilities, DecodingParams, Generation, Message, Scored, ScoreRequest

ErrorKind = Literal["retryable", "auth", "bad_request", "quota", "fatal"]


class BackendError(Exception):
    """A generation failed; ``kind`` tells the runner whether to retry, skip or stop."""

    def __init__(self, kind: ErrorKind, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after


class Backend(Protocol):
    """What every model adapter provides."""

    capabilities: Capabilities

    def fingerprint(self) -> dict[str, Any]:
        """Model id, revision or file hash and adapter settings: enters every row and cache key."""
        ...

    def generate(self, prompts: Sequence[Sequence[Message]],
                 params: DecodingParams) -> list[Generation]:
        """One generation per prompt, in order; raise BackendError on failure."""
        ...

    def close(self) -> None:
        """Release the model or connections."""
        ...


class Scorer(Protocol):
    """A backend that also scores given continuations (``capabilities.scoring``): the second
    request type beside generation, for multiple-choice calibration (docs/metrics.md 4)."""

    capabilities: Capabilities

    def fingerprint(self) -> dict[str, Any]:
        ...

    def score(self, requests: Sequence[ScoreRequest]) -> list[Scored]:
        """One Scored per request, in order; raise BackendError on failure."""
        ...

    def close(self) -> None:
        ...
