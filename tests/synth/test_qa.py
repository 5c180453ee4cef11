"""The QA view: synthetic answers graded by halprobe.scoring, summarised by halprobe.analysis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from halprobe.synth import qa
from halprobe.synth.models import good_turing, smoothed
from halprobe.synth.theory import linear_cuts, missing_mass, prompt_mis
from halprobe.synth.world import DAYS, date_text, zipf_world
from halprobe.types import AnswerType, Precision


def test_items_are_death_date_probes() -> None:
    world = zipf_world(1.0, seed=0)
    items = qa.items(world, 50, seed=0)
    assert items == qa.items(world, 50, seed=0)
    item = items[0]
    person = int(item.meta["person"])
    assert item.answer_type is AnswerType.DATE and item.precision is Precision.DAY
    assert item.answer == date_text(world.dates[person])
    assert item.question == f"When did {item.subject} die?"
    assert item.popularity == world.counts[person]
    assert item.bin == qa.count_bin(int(world.counts[person]))
    assert [qa.count_bin(c) for c in (0, 1, 2, 4, 5, 90)] == [0, 1, 2, 2, 3, 3]


@pytest.mark.parametrize("build", [good_turing, smoothed])
def test_calibrated_answers_hallucinate_at_the_missing_mass(build: object) -> None:
    world = zipf_world(1.0, seed=0)
    model = build(world)  # type: ignore[operator]
    items = qa.items(world, 1000, seed=0)
    rows = qa.graded_rows(items, qa.exact_answers(world, model, items), model.name)
    assert set(rows.label) <= {"correct", "hallucinated", "abstained"}
    table = qa.target_table(rows).set_index("target")
    m0 = missing_mass(world.p, world.counts)
    plain = table.loc[0.0]
    assert plain.answer_rate == 1.0
    assert plain.hallucination_rate_low <= m0 <= plain.hallucination_rate_high
    unseen = np.mean([i.bin == 0 for i in items])
    for t in (0.5, 0.75, 0.9):
        assert table.loc[t].hallucination_rate == 0.0
        assert table.loc[t].abstention_rate == pytest.approx(unseen)
        assert table.loc[t].precision_t == 1.0
    assert table.attrs["bcg"] == 0.0


def test_score_t_and_precision_t() -> None:
    labels = ["correct"] * 6 + ["hallucinated"] * 2 + ["abstained"] * 2
    rows = pd.DataFrame({"suite": "s", "bin": 0, "target": 0.75, "label": labels,
                         "popularity": 1.0})
    line = qa.target_table(rows).iloc[0]
    assert line.score_t == pytest.approx((6 - 3 * 2) / 10)
    assert line.precision_t == pytest.approx(6 / 8)
    assert line.answer_rate == pytest.approx(0.8)


def test_qa_mis_is_section_4_mis() -> None:
    probs = np.array([0.9, 1 / DAYS, 0.3])
    answers = []
    for q in probs:
        dist = {f"d{i}": (1 - q) / (DAYS - 1) for i in range(DAYS - 1)}
        dist["gold"] = q
        answers.append(dist)
    expected = prompt_mis(answers, ["gold"] * 3, linear_cuts(10))[0]
    assert qa.qa_mis(probs) == pytest.approx(expected)
