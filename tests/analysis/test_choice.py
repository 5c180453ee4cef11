"""Multiple-choice calibration and the 2025 paper's is-it-valid bound, on hand-worked values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from halprobe.analysis.choice import (
    choice_table,
    gold_logprobs,
    iiv_terms,
    option_probabilities,
)

# Two prompts, gold first, three options each: probabilities (.6, .3, .1) and (.2, .5, .3).
LOGPROBS = [list(np.log([0.6, 0.3, 0.1]) - 2.0), list(np.log([0.2, 0.5, 0.3]) - 7.0)]


def test_option_probabilities_normalise_log_probs() -> None:
    assert option_probabilities(LOGPROBS[0]) == pytest.approx([0.6, 0.3, 0.1])


def test_iiv_terms_by_hand() -> None:
    probs = [option_probabilities(lp) for lp in LOGPROBS]
    terms = iiv_terms(probs, [0, 0])
    # threshold 1/2: gold .6 called valid, gold .2 not; no distractor above 1/2 (.5 is not)
    assert terms["iiv_threshold"] == 0.5
    assert terms["iiv_error"] == pytest.approx(0.5 * 0.5 + 0.5 * 0.0)
    assert terms["mc_error"] == pytest.approx((0.4 + 0.8) / 2)
    assert terms["iiv_delta"] == pytest.approx(abs((0.6 + 0.0) / 2 - (1 + 0) / 2))
    assert terms["iiv_bound"] == pytest.approx(2 * 0.25 - 0.5 - 0.2)


def test_the_theorem_holds_for_any_scores() -> None:
    """Theorem 1 is a statement about every distribution over the options: never violated."""
    rng = np.random.default_rng(7)
    for _ in range(300):
        k = int(rng.integers(2, 6))
        probs = [rng.dirichlet(np.full(k + 1, rng.uniform(0.1, 3))) for _ in range(12)]
        golds = [int(rng.integers(0, k + 1)) for _ in probs]
        terms = iiv_terms(probs, golds)
        assert terms["mc_error"] >= terms["iiv_bound"] - 1e-12


def test_choice_table_per_bin_with_ece_and_hr_beside() -> None:
    choices = pd.DataFrame({"item_id": ["a", "b"], "suite": ["capitals"] * 2, "bin": [0, 0],
                            "logprobs": LOGPROBS, "gold_index": [0, 0]})
    responses = pd.DataFrame({"item_id": ["a", "b"], "label": ["correct", "hallucinated"]})
    table = choice_table(choices, responses)
    row = table[table["bin"] == "0"].iloc[0]
    assert row["mc_accuracy"] == 0.5 and row["hr"] == 0.5
    # six (probability, is gold) pairs in width bins .1 .2 .3 .3 .5 .6; golds .6 and .2:
    # gaps .1, |1 - .2|, .3 + .3, .5, |1 - .6|
    assert row["mc_ece"] == pytest.approx((0.1 + 0.8 + 0.3 + 0.3 + 0.5 + 0.4) / 6)
    assert list(table["bin"]) == ["0", "all"]
    assert math.isclose(row["mc_gold_p"], 0.4)


def test_gold_logprobs_reads_the_gold_option() -> None:
    rows = [{"item_id": "a", "gold_index": 0, "logprobs": [-1.25, -0.5], "whole_answer": True},
            {"item_id": "b", "gold_index": 1, "logprobs": [-3.0, -2.0, -9.0],
             "whole_answer": True}]
    assert gold_logprobs(rows) == {"a": -1.25, "b": -2.0}


def test_gold_logprobs_leave_out_scores_of_a_reply_s_first_tokens() -> None:
    """A chat prompt's option is scored as the reply's first tokens, not the whole answer:
    not the g(gold|c) of Mis (nor is a row that does not say)."""
    rows = [{"item_id": "chat", "gold_index": 0, "logprobs": [-6.0, -9.0],
             "whole_answer": False},
            {"item_id": "old", "gold_index": 0, "logprobs": [-1.0, -2.0]},
            {"item_id": "completion", "gold_index": 0, "logprobs": [-0.5, -2.0],
             "whole_answer": True}]
    assert gold_logprobs(rows) == {"completion": -0.5}


def test_gold_logprobs_leave_out_scores_from_a_float_copy() -> None:
    """Mis sets g(gold) beside sampled answers: scores from other weights than generation's
    (score_weights f32, f16, bf16) must not enter it."""
    rows = [{"item_id": "a", "gold_index": 0, "logprobs": [-1.25, -0.5], "whole_answer": True},
            {"item_id": "b", "gold_index": 0, "logprobs": [-3.0, -2.0], "whole_answer": True,
             "score_weights": "bf16"},
            {"item_id": "c", "gold_index": 0, "logprobs": [-0.5, -2.0], "whole_answer": True,
             "score_weights": "native"}]
    assert gold_logprobs(rows) == {"a": -1.25, "c": -0.5}
