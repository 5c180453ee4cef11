"""infini-gram API counts replayed from a cassette hand-written from the API's documented
format (tests/cassettes/infinigram_api_count.yaml says so): no network, no key."""

from __future__ import annotations

from pathlib import Path

import pytest

from halprobe.analysis.corpus import CorpusItem
from halprobe.analysis.infinigram_api import ApiClient, api_payload, count_api
from halprobe.analysis.infinigram_query import CountCache, InfinigramError
from halprobe.backends.cassettes import use_cassette
from tests.servers import CASSETTES, free_port

CASSETTE = CASSETTES / "infinigram_api_count.yaml"
ITEMS = [CorpusItem("t/FRA", "France", ("Paris",)), CorpusItem("t/KEN", "Kenya", ("Nairobi",)),
         CorpusItem("t/JPN", "Japan", ("Tokyo", "Tōkyō", "Tokyo")),
         CorpusItem("t/TUV", "Tuvalu", ("Funafuti",)), CorpusItem("t/X", "X", ("Y",))]


def _client() -> ApiClient:
    return ApiClient(attempts=3, wait_s=0.01)


def test_counts_replay_with_a_retry_and_are_cached(tmp_path: Path) -> None:
    cache = tmp_path / "counts.sqlite"
    with use_cassette(CASSETTE) as cassette:
        counts = count_api("v4_piletrain_llama", ITEMS, CountCache(cache), client=_client())
        assert cassette.play_count == 5  # the 500 and its retry included
        again = count_api("v4_piletrain_llama", ITEMS, CountCache(cache), client=_client())
        assert cassette.play_count == 5  # nothing asked twice
    expected = {"t/FRA": 1234, "t/KEN": 1, "t/JPN": 50213, "t/TUV": 0}  # X: too short
    assert counts.counts == again.counts == expected
    assert counts.source["unit"] == "windows" and counts.source["approx_items"] == ["t/JPN"]
    assert again.source["cache_hits"] == 4 and counts.n_documents == 210_607_728


def test_an_error_answer_is_one_line() -> None:
    with use_cassette(CASSETTE), pytest.raises(
            InfinigramError, match=r"HTTP 400: \[Flask\] Invalid index: v4_dolma-v1_6-sample"):
        count_api("v4_dolma-v1_6-sample_llama", ITEMS[:1], CountCache(None), client=_client())


def test_an_unknown_index_is_refused_before_any_request() -> None:
    with pytest.raises(InfinigramError, match="unknown API index; known: v4_olmo"):
        count_api("v4_nosuch", ITEMS, CountCache(None), client=_client())


def test_a_server_that_never_answers_fails_after_the_retries() -> None:
    client = ApiClient(url=f"http://127.0.0.1:{free_port()}/", attempts=2, wait_s=0.01)
    with pytest.raises(InfinigramError, match=r"cannot connect to .* \(after 2 tries\)"):
        count_api("v4_piletrain_llama", ITEMS[:1], CountCache(None), client=client)


def test_payloads_follow_the_documented_cnf_form() -> None:
    item = CorpusItem("i", " Marshall  Islands", ("Majuro", "Delap-Uliga-Djarrit", "a", "b1",
                                                    "c2", "d3"))
    payload = api_payload("v4_piletrain_llama", item, 50, 7, None)
    assert payload == {"index": "v4_piletrain_llama", "query_type": "count",
                       "max_diff_tokens": 50, "max_clause_freq": 7,
                       "query": "Marshall Islands AND Majuro OR Delap-Uliga-Djarrit OR b1 OR c2"}


def test_an_operator_word_needs_the_tokenizer_which_is_not_downloaded() -> None:
    item = CorpusItem("i", "Trinidad AND Tobago", ("Port of Spain",))
    with pytest.raises(InfinigramError, match=r"llama tokenizer \(meta-llama/Llama-2-7b-hf\), "
                                              r"which is not in the local Hugging Face cache"):
        count_api("v4_piletrain_llama", [item], CountCache(None), client=_client())
