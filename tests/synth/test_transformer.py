"""M3: a tiny transformer trained on a small world, sampled, scored and asked questions.

Small settings (1,000 documents, a one-layer model, 150 steps) keep this under a minute on two
CPU cores; the full-size run is `halprobe synth --model m3`.
"""

from __future__ import annotations

import math

import pytest

from halprobe.synth import m3, qa
from halprobe.synth.sampled import OUTCOMES
from halprobe.synth.transformer import M3Config, Vocab
from halprobe.synth.world import zipf_world

pytestmark = pytest.mark.slow

CONFIG = M3Config(d_model=64, n_layer=1, steps=150, batch=64, lr=5e-3, seed=0)


@pytest.fixture(scope="module")
def trained() -> tuple[object, object]:
    world = zipf_world(1.5, n=1000, seed=0)
    return world, m3.fit(world, CONFIG.steps, config=CONFIG)


def test_vocab_round_trips_documents() -> None:
    world = zipf_world(1.0, n=20, seed=0)
    vocab = Vocab()
    for doc in world.documents():
        ids = vocab.encode(doc)
        assert vocab.decode(ids) == doc and len(ids) == 9
    with pytest.raises(KeyError):
        vocab.encode("Fact: nonsense")


def test_m3_learns_the_format_and_gives_estimates_with_intervals(trained: tuple) -> None:
    world, lm = trained
    assert lm.final_loss < math.log(len(lm.vocab)) / 2
    est = m3.evaluate(world, lm, samples=400, bins=20)
    assert sum(est.outcomes.values()) == 400 and set(est.outcomes) == set(OUTCOMES)
    assert est.outcomes["malformed"] <= 0.2 * 400
    assert est.outcomes["true"] > 0
    assert 0 <= est.g_h_ci[0] <= est.g_h <= est.g_h_ci[1] <= 1
    assert 0 <= est.mis_ci[0] <= est.mis <= est.mis_ci[1] <= 1


def test_m3_sampling_is_seeded_and_scores_match(trained: tuple) -> None:
    _, lm = trained
    first, again = lm.sample(50, seed=3), lm.sample(50, seed=3)
    assert first == again
    wellformed = [(t, lp) for t, lp in first if t.startswith("Fact: ") and t.endswith(".")]
    scores = lm.score([t for t, _ in wellformed[:10]])
    assert scores == pytest.approx([lp for _, lp in wellformed[:10]], abs=1e-3)


def test_m3_answers_questions_with_halprobe_confidence(trained: tuple) -> None:
    world, lm = trained
    items = qa.items(world, 40, seed=0)
    answers = m3.answers(lm, items)
    assert all(0 < a.confidence <= 1 for a in answers)
    assert all(a.text.startswith(f"{i.subject} died on")
               for a, i in zip(answers, items, strict=True))
    rows = qa.graded_rows(items, answers, "m3")
    assert (rows.label == "unscored").mean() <= 0.1
    table = qa.target_table(rows).set_index("target")
    assert table.loc[0.0].answer_rate > 0.8
    assert table.loc[0.9].answer_rate <= table.loc[0.5].answer_rate
