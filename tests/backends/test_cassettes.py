"""Cassettes: record with secrets scrubbed, replay offline, and fail clearly when stale."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import pytest

from halprobe.backends import create
from halprobe.backends.base import Backend, BackendError
from halprobe.backends.cassettes import (
    CassetteMiss,
    canonical_body,
    unmatched_request_error,
    use_cassette,
)
from halprobe.errors import UserError
from halprobe.run.pipeline import run_eval
from halprobe.scoring.places import index as place_index
from halprobe.types import DecodingParams, Generation, Message
from tests.servers import (
    CAPITALS_CASSETTE,
    SENTINEL_KEY,
    StubServer,
    capitals_suite,
    eval_options,
    free_port,
    llama_server,
)
from tests.test_eval_model import YAML

OTHER_KEY = "sk-explicit-OTHER-456"


@pytest.fixture(autouse=True, scope="module")
def _warm_place_index() -> None:
    """Build the grader's city index once, before the runner's threads would each build it."""
    place_index()


def closed_url() -> str:
    return f"http://127.0.0.1:{free_port()}/v1"


def rows(run: Path) -> dict[str, dict[str, object]]:
    lines = (run / "responses.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["item_id"]: r for r in map(json.loads, lines)}


def ask(backend: Backend, prompt: str) -> Generation:
    return backend.generate([[Message("user", prompt)]], DecodingParams())[0]


def test_canonical_body_ignores_key_order_and_whitespace() -> None:
    assert canonical_body(b'{"b": 1,  "a": {"y": 2, "x": 1}}') == '{"a":{"x":1,"y":2},"b":1}'
    assert canonical_body(b"not json") == "not json" and canonical_body(None) == ""


def test_recording_scrubs_every_secret_and_replays_offline(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL_KEY)
    cassette = tmp_path / "c.yaml"
    with StubServer() as stub, use_cassette(cassette, "once"):
        env_keyed = create("openai:m", {"base_url": stub.url})
        explicit = create("openai:m", {"base_url": stub.url, "api_key": OTHER_KEY})
        live = [ask(env_keyed, "France"), ask(explicit, "Peru")]
        with pytest.raises(BackendError):  # its body echoes the key; recorded all the same
            ask(explicit, "status 401")
    assert stub.headers[0]["authorization"] == f"Bearer {SENTINEL_KEY}"
    text = cassette.read_text(encoding="utf-8")
    for secret in (SENTINEL_KEY, OTHER_KEY, "SECRET", "authorization", "set-cookie"):
        assert secret.lower() not in text.lower()
    assert "Incorrect API key provided: <REDACTED>" in text
    # The server is gone: the same calls replay from the file, errors included.
    with use_cassette(cassette, "none"):
        backend = create("openai:m", {"base_url": stub.url, "api_key": OTHER_KEY})
        assert [ask(backend, "France"), ask(backend, "Peru")] == live
        with pytest.raises(BackendError) as info:
            ask(backend, "status 401")
    assert info.value.kind == "auth" and OTHER_KEY not in str(info.value)


def test_replay_matches_json_bodies_whatever_their_key_order(tmp_path: Path) -> None:
    cassette = tmp_path / "c.yaml"
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "seed": 0}
    with StubServer() as stub, use_cassette(cassette, "once"):
        url = f"{stub.url}/chat/completions"
        recorded = httpx2.post(url, json=body).json()
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    with use_cassette(cassette, "none"):  # and on another port: host and port are not matched
        other = closed_url() + "/chat/completions"
        replayed = httpx2.post(other, content=reordered,
                               headers={"content-type": "application/json"}).json()
    assert replayed == recorded


def test_a_miss_wrapped_by_the_client_is_still_found(tmp_path: Path) -> None:
    """Some openai releases wrap transport errors in APIConnectionError: follow the cause."""
    with use_cassette(CAPITALS_CASSETTE, "none"), pytest.raises(CassetteMiss) as info:
        httpx2.post(closed_url() + "/chat/completions", json={"model": "m", "messages": []})
    try:
        raise RuntimeError("Connection error.") from info.value
    except RuntimeError as wrapped:
        error = unmatched_request_error(wrapped)
    assert error is not None and "POST /v1/chat/completions" in str(error)
    assert '{"messages":[],"model":"m"}' in str(error)
    assert unmatched_request_error(RuntimeError("unrelated")) is None


def test_bad_mode_and_missing_cassette_are_user_errors(tmp_path: Path) -> None:
    with (pytest.raises(UserError, match="--record-mode must be one of"),
          use_cassette(tmp_path / "c.yaml", "sometimes")):
        pass
    with (pytest.raises(UserError, match="does not exist; record it first"),
          use_cassette(tmp_path / "c.yaml", "none")):
        pass


def test_checked_in_cassette_replays_with_no_server_and_no_network(tmp_path: Path) -> None:
    before = CAPITALS_CASSETTE.read_bytes()
    suite = capitals_suite(tmp_path / "suite")
    result = run_eval(eval_options(suite, CAPITALS_CASSETTE, "none", tmp_path / "run",
                                   closed_url()))
    got = rows(result.run_dir)
    assert len(got) == 20 and result.stats.errors == 0 and result.stats.asked == 20
    assert got["t/FRA"]["label"] == "correct" and got["t/FRA"]["matched"] == "Paris"
    assert got["t/FRA"]["confidence_source"] == "logprobs:answer_span"
    # SmolLM2-135M invents a capital for Burkina Faso (Kouilé), as in-process
    assert got["t/BFA"]["label"] == "hallucinated"
    assert sum(result.stats.labels.values()) == 20 and "error" not in result.stats.labels
    assert result.config["fingerprint"]["logprobs"] is True
    assert CAPITALS_CASSETTE.read_bytes() == before  # replay never writes
    text = before.decode("utf-8")
    assert "SECRET" not in text and "authorization" not in text.lower()


def test_stale_cassette_after_a_prompt_change_names_the_request(tmp_path: Path) -> None:
    changed = YAML.replace("Answer in one sentence.", "Answer in one word.")
    suite = capitals_suite(tmp_path / "suite")
    suite.write_text(changed, encoding="utf-8")
    with pytest.raises(UserError) as info:
        run_eval(eval_options(suite, CAPITALS_CASSETTE, "none", tmp_path / "run",
                              closed_url()))
    message = str(info.value)
    assert f"cassette {CAPITALS_CASSETTE} is stale" in message
    assert "POST /v1/chat/completions" in message
    assert "What is the capital of" in message and "Answer in one word." in message
    assert "--record-mode once" in message


@pytest.mark.server
def test_record_from_real_server_then_replay_with_it_stopped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL_KEY)
    suite, cassette = capitals_suite(tmp_path / "suite", count=8), tmp_path / "rec.yaml"
    with llama_server(tmp_path) as url:
        recorded = run_eval(eval_options(suite, cassette, "once", tmp_path / "rec", url))
    text = cassette.read_text(encoding="utf-8")
    assert SENTINEL_KEY not in text and "SECRET" not in text
    assert "authorization" not in text.lower()
    assert recorded.stats.errors == 0
    replayed = run_eval(eval_options(suite, cassette, "none", tmp_path / "replay", url))
    keep = ("label", "response", "matched", "tokens", "token_logprobs", "confidence")
    before, after = rows(recorded.run_dir), rows(replayed.run_dir)
    assert len(after) == 8 and {r["label"] for r in after.values()} >= {"correct", "hallucinated"}
    assert {k: {f: r[f] for f in keep} for k, r in after.items()} == \
           {k: {f: r[f] for f in keep} for k, r in before.items()}
