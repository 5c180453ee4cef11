"""Co-occurrence counts from the public infini-gram API (docs/metrics.md section 3).

The API (https://api.infini-gram.io/, documented at infini-gram.readthedocs.io/en/latest/
api.html) serves suffix-array indexes of real pretraining corpora: Dolma (OLMo's), the Pile
(Pythia's), RedPajama, C4, DCLM. One POST per item asks a ``count`` query in its CNF string
form, ``subject AND answer OR alias ...`` (OR binds tighter than AND there), and the server
encodes each term with the index's own tokenizer, exactly as the index was built. Only a
term holding the operator words " AND " / " OR " cannot be sent as text: it is sent as
``query_ids`` encoded here with that tokenizer, from the local cache only.

What comes back is not a document count. ``count`` of a CNF query is the number of
occurrences of its rarest clause that have a match of the other clause within
``max_diff_tokens`` tokens in the same document (the API offers no per-document count): a
document stating the fact k times counts up to k times, so it bounds the documents from
above. config.json records ``unit: windows``. The server also caps a query at 4 terms a
clause: the first 4 accepted answers are asked. A clause with more than ``max_clause_freq``
occurrences is subsampled and the count marked approximate. The API takes no key.

Failures: an unknown index name is refused before any request; connection errors, timeouts,
HTTP 429 and 5xx are retried with tenacity (exponential backoff with jitter, as the runner
retries backends); what still fails, and any ``error`` in a response, is one-line
InfinigramError.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tenacity import Retrying, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

from halprobe.analysis.corpus import CorpusCounts, CorpusItem
from halprobe.analysis.infinigram import DEFAULT_MAX_CLAUSE_FREQ, DEFAULT_WINDOW
from halprobe.analysis.infinigram_query import (
    CountCache,
    Encoder,
    InfinigramError,
    ItemCount,
    item_terms,
    tokenizer_encoder,
)

API_URL = "https://api.infini-gram.io/"
MAX_TERMS = 4  # the server's MAX_TERMS_PER_CLAUSE
ATTEMPTS = 5
TIMEOUT_S = 30.0
# name -> (tokenizer, documents), from the API documentation's table of indexes
API_INDEXES: dict[str, tuple[str, int]] = {
    "v4_olmo-2-0325-32b-instruct_llama": ("llama", 3_163_901_920),
    "v4_olmo-2-1124-13b-instruct_llama": ("llama", 3_163_974_994),
    "v4_olmoe-0125-1b-7b-instruct_llama": ("llama", 3_163_953_717),
    "v4_olmo-mix-1124_llama": ("llama", 3_081_440_534),
    "v4_dclm-baseline_llama": ("llama", 2_948_096_911),
    "v4_dolma-v1_7_llama": ("llama", 3_403_336_408),
    "v4_rpj_llama_s4": ("llama", 931_361_530),
    "v4_piletrain_llama": ("llama", 210_607_728),
    "v4_c4train_llama": ("llama", 364_868_892),
    "v4_dolma-v1_6-sample_llama": ("llama", 13_095_416),
    "v4_dolmasample_olmo": ("olmo", 13_095_416),
    "v4_pileval_llama": ("llama", 214_670),
    "v4_pileval_gpt2": ("gpt2", 214_670),
}


class _Retryable(Exception):
    """A failure worth another try (network, timeout, 429, 5xx)."""


def _http() -> Any:
    """The HTTP library the openai client brings: httpx2 (openai 3.x) or httpx (1.x)."""
    try:
        import httpx2 as http
    except ImportError:  # pragma: no cover - older openai releases
        import httpx as http  # type: ignore[no-redef]
    return http


def check_index(name: str) -> str:
    """The index's tokenizer; an unknown name is an error listing the known ones."""
    if name not in API_INDEXES:
        raise InfinigramError(f"--reference-corpus infinigram-api:{name}: unknown API index; "
                              f"known: {', '.join(API_INDEXES)}")
    return API_INDEXES[name][0]


class ApiClient:
    """POSTs count queries to the API; retries what may pass on a second try."""

    def __init__(self, url: str = API_URL, attempts: int = ATTEMPTS,
                 wait_s: float = 1.0) -> None:
        self.url, self.attempts = url, attempts
        self.http = _http()
        self.client = self.http.Client(timeout=TIMEOUT_S)
        self.retrying = Retrying(stop=stop_after_attempt(attempts), reraise=True,
                                 retry=retry_if_exception(lambda e: isinstance(e, _Retryable)),
                                 wait=wait_exponential_jitter(multiplier=wait_s, max=30,
                                                             jitter=wait_s))

    def count(self, payload: dict[str, Any]) -> ItemCount:
        try:
            result = self.retrying(self._post, payload)
        except _Retryable as exc:
            raise InfinigramError(f"infini-gram API: {exc} (after {self.attempts} tries)") from None
        if not isinstance(result.get("count"), int):
            raise InfinigramError(f"infini-gram API: a response without a count: "
                                  f"{str(result)[:200]}")
        return ItemCount(result["count"], bool(result.get("approx")))

    def _post(self, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.client.post(self.url, json=payload)
        except self.http.TimeoutException:
            raise _Retryable(f"request to {self.url} timed out") from None
        except self.http.TransportError as exc:
            raise _Retryable(f"cannot connect to {self.url}: {type(exc).__name__}") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise _Retryable(f"HTTP {response.status_code} from {self.url}")
        try:
            body = response.json()
        except ValueError:
            raise InfinigramError(f"infini-gram API: HTTP {response.status_code}, not JSON "
                                  f"from {self.url}") from None
        if not isinstance(body, dict) or "error" in body or response.status_code >= 400:
            error = body.get("error") if isinstance(body, dict) else body
            raise InfinigramError(f"infini-gram API: HTTP {response.status_code}: {error}")
        return body

    def close(self) -> None:
        self.client.close()


def api_payload(name: str, item: CorpusItem, window: int, max_clause_freq: int,
                encode: Encoder | None) -> dict[str, Any] | None:
    """The documented JSON payload of a CNF count query for one item, or None."""
    terms = item_terms(item, MAX_TERMS)
    if terms is None:
        return None
    subject, aliases = terms
    payload: dict[str, Any] = {"index": name, "query_type": "count",
                               "max_diff_tokens": window, "max_clause_freq": max_clause_freq}
    if any(" AND " in t or " OR " in t for t in (subject, *aliases)):
        if encode is None:
            return payload  # the caller gets the encoder and asks again
        payload["query_ids"] = [[encode(subject)], [encode(a) for a in aliases]]
    else:
        payload["query"] = f"{subject} AND {' OR '.join(aliases)}"
    return payload


def count_api(name: str, items: Sequence[CorpusItem], cache: CountCache,
              window: int = DEFAULT_WINDOW, max_clause_freq: int = DEFAULT_MAX_CLAUSE_FREQ,
              client: ApiClient | None = None,
              progress: Callable[[], None] | None = None) -> CorpusCounts:
    """Co-occurrence windows per item from the API (module docstring), cached on disk;
    ``progress`` is called once an item."""
    tokenizer = check_index(name)
    client = client if client is not None else ApiClient()
    encode: Encoder | None = None
    counts: dict[str, int] = {}
    approx = []
    try:
        for item in items:
            if progress is not None:
                progress()
            payload = api_payload(name, item, window, max_clause_freq, encode)
            if payload is not None and "query" not in payload and "query_ids" not in payload:
                encode = tokenizer_encoder(tokenizer, f"infinigram-api:{name}")
                payload = api_payload(name, item, window, max_clause_freq, encode)
            if payload is None:
                continue
            found = cache.get(f"api:{client.url}", payload)
            if found is None:
                found = client.count(payload)
                cache.put(f"api:{client.url}", payload, found)
            counts[item.item_id] = found.count
            if found.approx:
                approx.append(item.item_id)
    finally:
        client.close()
    return CorpusCounts(counts=counts, n_documents=API_INDEXES[name][1], files=[name],
                        source={"engine": "infini-gram API", "url": client.url, "index": name,
                                "tokenizer": tokenizer, "unit": "windows", "window": window,
                                "max_clause_freq": max_clause_freq, "approx_items": approx,
                                "cache_hits": cache.hits})
