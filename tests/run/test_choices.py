"""--choices: distractors of the same kind, never the gold; options scored by the real model."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from halprobe.analysis.choice import gold_logprobs
from halprobe.backends.default import default_gguf
from halprobe.backends.llamacpp import LlamaCppBackend
from halprobe.errors import UserError
from halprobe.run.choices import distractors, plan, run_choices
from halprobe.types import AnswerType, Capabilities, Message, ProbeItem
from halprobe.variants.plan import variant_item
from halprobe.variants.prompts import Shots, completion_builder
from halprobe.variants.transforms import resolve


def _capital(code: str, country: str, capital: str, *aliases: str) -> ProbeItem:
    return ProbeItem(f"capitals/{code}", "capitals", f"What is the capital of {country}?",
                     capital, (capital, *aliases), AnswerType.ENTITY, bin=0)


POOL = [_capital("FRA", "France", "Paris"), _capital("KEN", "Kenya", "Nairobi"),
        _capital("PER", "Peru", "Lima"), _capital("JPN", "Japan", "Tokyo"),
        _capital("XXX", "Nowhere", "paris"),  # the gold spelled otherwise: never a distractor
        _capital("KAZ", "Kazakhstan", "Astana", "Nur-Sultan"),
        _capital("NUR", "Elsewhere", "Nur-Sultan")]


def test_distractors_are_other_answers_of_the_suite_never_the_gold() -> None:
    chosen = distractors(POOL[0], POOL, k=3, seed=0)
    assert len(chosen) == 3 and not {"Paris", "paris"} & set(chosen)
    assert chosen == distractors(POOL[0], POOL, k=3, seed=0)
    assert "Nur-Sultan" not in distractors(POOL[5], POOL, k=10, seed=0)  # an alias of Astana
    assert sorted(distractors(POOL[1], POOL, k=10, seed=0)) == [
        "Astana", "Lima", "Nur-Sultan", "Paris", "Tokyo"]
    assert [options[0] for _, options in plan(POOL[:2], POOL, 2, 0)] == ["Paris", "Nairobi"]


def test_a_variant_draws_its_distractors_from_the_suite_it_came_from() -> None:
    """Kenya asked under "say I don't know" (suite capitals@idk) and after a cutoff mark gets
    the same options as plain Kenya: the pool is the base suite's."""
    asked = variant_item(POOL[1], resolve(["idk"])[0], None, resolve(["idk"])[0])
    assert asked.suite == "capitals@idk"
    assert distractors(asked, POOL, k=10, seed=0) == distractors(POOL[1], POOL, k=10, seed=0)
    assert len(plan([asked], POOL, 2, 0)) == 1


def test_a_backend_that_cannot_score_is_one_error(tmp_path: Path) -> None:
    server = SimpleNamespace(capabilities=Capabilities(logprobs=True))
    with pytest.raises(UserError, match="cannot score given answers"):
        run_choices(server, tmp_path, POOL, POOL, 2, 0, completion_builder(Shots({})))


@pytest.mark.model
def test_options_are_scored_after_the_completion_prompt(tmp_path: Path) -> None:
    backend = LlamaCppBackend(default_gguf(), n_threads=1)
    shots = Shots({"capitals": (POOL[3],)})
    chat = tmp_path / "chat"
    chat.mkdir()
    try:
        assert run_choices(backend, tmp_path, POOL[:3], POOL, 3, 0,
                           completion_builder(shots)) == 3
        run_choices(backend, chat, POOL[:3], POOL, 3, 0,
                    lambda item: [Message("user", item.question)])
    finally:
        backend.close()
    rows = [json.loads(line) for line in (tmp_path / "choices.jsonl").read_text().splitlines()]
    france = rows[0]
    assert france["options"][0] == "Paris" and france["gold_index"] == 0
    assert len(france["logprobs"]) == 4 and all(lp < 0 for lp in france["logprobs"])
    assert max(france["logprobs"]) == france["logprobs"][0]  # the model knows Paris
    # " Paris" and the end of the answer line: the whole answer, Mis may use it; after a
    # chat template the reply's first tokens only
    assert all(row["whole_answer"] is True and "score_weights" not in row for row in rows)
    assert gold_logprobs(rows).keys() == {r["item_id"] for r in rows}
    chat_rows = [json.loads(line) for line in (chat / "choices.jsonl").read_text().splitlines()]
    assert [r["whole_answer"] for r in chat_rows] == [False] * 3
    assert gold_logprobs(chat_rows) == {}
