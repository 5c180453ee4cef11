"""The QA view of a synthetic world, graded and summarised by halprobe's own code.

"When did X die?" items are halprobe ProbeItems (answer_type date, precision day), asked about
people drawn from the world's own distribution p, so that the share of questions about people
never seen in training is the missing mass. The synthetic model answers with its most likely
date and that answer's probability as confidence; with a confidence target t (docs/metrics.md 5) it
answers only if the confidence is above t, else "I don't know". Responses go through
``halprobe.scoring.grade`` and ``halprobe.analysis.rates.summarise``: the same code that grades
a real model. Frequency bins are training counts: unseen, once, 2-4, 5+.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from halprobe.analysis.rates import summarise
from halprobe.scoring import grade
from halprobe.synth.models import SynthModel
from halprobe.synth.theory import bin_index, binned_mis, linear_cuts
from halprobe.synth.world import DAYS, World, date_text
from halprobe.types import AnswerType, Precision, ProbeItem

TARGETS = (0.0, 0.5, 0.75, 0.9)
QUESTION = "When did {name} die?"
IDK = "I don't know."
BIN_EDGES = (1, 2, 5)
QA_BINS = 10


@dataclass(frozen=True)
class Answer:
    """What the model would say, and its probability of saying it."""

    text: str
    confidence: float


def count_bin(count: int) -> int:
    """0 unseen, 1 seen once, 2 seen 2-4 times, 3 seen 5+ times."""
    return int(np.searchsorted(BIN_EDGES, count, side="right"))


def items(world: World, k: int, seed: int = 0) -> list[ProbeItem]:
    """k questions about people drawn from p (with replacement, as the documents are)."""
    rng = np.random.default_rng([seed, 11])
    cdf = np.cumsum(world.p)
    people = np.minimum(np.searchsorted(cdf, rng.random(k) * cdf[-1], side="right"),
                        len(world.p) - 1)
    out = []
    for i, person in enumerate(people.tolist()):
        name, gold = world.names.name(world.people[person]), date_text(world.dates[person])
        count = int(world.counts[person])
        out.append(ProbeItem(
            id=f"synth/{world.label}/{world.seed}/{i}", suite="synth",
            question=QUESTION.format(name=name), answer=gold, aliases=(gold,),
            answer_type=AnswerType.DATE, precision=Precision.DAY, popularity=float(count),
            proxy="training_count", event_date=gold, subject=name, bin=count_bin(count),
            meta={"person": person}))
    return out


def exact_answers(world: World, model: SynthModel, questions: Sequence[ProbeItem],
                  seed: int = 0) -> list[Answer]:
    """M1/M2: the most likely date given the name; ties (a uniform belief) broken at random."""
    rng = np.random.default_rng([seed, 13])
    out = []
    for item in questions:
        person = int(item.meta["person"])
        q = float(model.date_prob[person])
        other = (1 - q) / (DAYS - 1)
        true_day = int(world.dates[person])
        if np.isclose(q, other, rtol=1e-9, atol=0):
            day, conf = int(rng.integers(DAYS)), q
        elif q > other:
            day, conf = true_day, q
        else:
            day = int((true_day + 1 + rng.integers(DAYS - 1)) % DAYS)
            conf = other
        out.append(Answer(f"{item.subject} died on {date_text(day)}.", conf))
    return out


def graded_rows(questions: Sequence[ProbeItem], answers: Sequence[Answer], model: str,
                targets: Sequence[float] = TARGETS) -> pd.DataFrame:
    """One graded row per item and target: answer only if confidence > t, else "I don't know"."""
    rows = []
    for t in targets:
        for item, answer in zip(questions, answers, strict=True):
            text = answer.text if answer.confidence > t else IDK
            verdict = grade(item, text)
            rows.append({"suite": f"synth-{model}@t={t:g}", "bin": item.bin, "target": t,
                         "item_id": item.id, "response": text, "label": str(verdict.label),
                         "confidence": answer.confidence, "popularity": item.popularity})
    return pd.DataFrame.from_records(rows)


def target_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Per target: halprobe's summary rates plus answer rate, precision_t and score_t (sec. 5)."""
    summary = summarise(rows)
    out = []
    for t, group in rows.groupby("target", sort=True):
        line = summary[(summary.suite == group.suite.iloc[0]) & (summary.bin == "all")].iloc[0]
        correct, wrong = int(line["n_correct"]), int(line["n_hallucinated"])
        answered = correct + wrong + int(line["n_vague"])
        n = int(line["n"])
        out.append({"target": t, "n": n, "answer_rate": answered / n,
                    "hallucination_rate": line["hallucination_rate"],
                    "hallucination_rate_low": line["hallucination_rate_low"],
                    "hallucination_rate_high": line["hallucination_rate_high"],
                    "accuracy": line["accuracy"], "abstention_rate": line["abstention_rate"],
                    "precision_t": correct / answered if answered else np.nan,
                    "score_t": (correct - t / (1 - t) * wrong) / n})
    table = pd.DataFrame.from_records(out)
    table.attrs["bcg"] = float(np.nansum(np.maximum(0.0, table.target - table.precision_t)))
    return table


def qa_mis(date_prob: npt.ArrayLike, bins: int = QA_BINS) -> float:
    """Section 4 Mis over prompts for a model whose belief is q on the gold, rest uniform.

    Per prompt: the gold date with g = q, and DAYS - 1 other dates with g = (1 - q)/(DAYS - 1)
    each, so G and P per bin are sums over two groups a prompt (docs/metrics.md 4).
    """
    q = np.asarray(date_prob, dtype=np.float64)
    k = len(q)
    cuts = linear_cuts(bins)
    other = (1 - q) / (DAYS - 1)
    ids = np.concatenate([bin_index(q, cuts), bin_index(other, cuts), bin_index(q, cuts)])
    g_mass = np.concatenate([q, 1 - q, np.zeros(k)]) / k
    p_mass = np.concatenate([np.zeros(2 * k), np.ones(k)]) / k
    return binned_mis(ids, g_mass, p_mass, n_bins=bins + 2)[0]
