"""Property-based robustness of every matcher (issue 14, item 7): whatever the text (random
Unicode, 100 kB responses, empty or whitespace-only, HTML, Markdown tables, code blocks), each
matcher and both graders return one label and raise nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from halprobe.scoring import grade, obituary
from halprobe.scoring.grade import MATCHERS
from halprobe.types import Grade, Label, Precision, ProbeItem
from tests.scoring.conftest import EINSTEIN, capital, death, gan, pub_year, title_of

ITEMS: tuple[ProbeItem, ...] = (
    capital("France", "Paris", cca2="FR"), capital("Zorvania"), gan(),
    pub_year("Generative Adversarial Nets", "2014"), pub_year("Quantum Folding", None),
    replace(EINSTEIN, meta={"born": "1879-03-14"}), death("Tom Hanks", None),
    death("Whitney Houston", "2012-02", Precision.MONTH), title_of("Who wrote it?", "Dune"),
)
PIECES = st.sampled_from([
    "The capital of France is Paris.", "Столица — Москва.", "中国的首都是北京。",
    "He died on 18/04/1955 (DD/MM/YYYY).", "Christmas Day 1977", "in the late 1960s",
    "I don't know.", "Je ne sais pas.", "written by Ian Goodfellow et al.", "published in 2014",
    "<p>Paris</p><br/><script>x</script>", "| city | country |\n|---|---|\n| Paris | France |",
    "```python\nprint('Lyon')\n```", "**Paris**", "   \n\t ", "1/2/3/4/5", "'54", "\u200b\u0301",
])
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(PIECES, st.text(max_size=40)), max_size=12).map(" ".join),
    st.sampled_from(["", " ", "\n\n", "\t \u00a0"]),
)
def _hundred_kb(unit: str) -> str:
    return (unit * (100_000 // len(unit) + 1))[:100_000]


HUGE = st.tuples(st.lists(PIECES, min_size=1, max_size=5), st.text(max_size=50)).map(
    lambda parts: _hundred_kb(" ".join(parts[0]) + parts[1] + " "))
CHECK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALID = set(Label)
# hypothesis warns that printing a 100 kB example is expensive; it only prints on a failure
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


def _every_verdict(text: str) -> list[Grade]:
    verdicts = [grade(item, text) for item in ITEMS]
    verdicts += [MATCHERS[item.answer_type](item, text) for item in ITEMS]
    verdicts += [obituary.grade(item, text) for item in ITEMS if item.answer_type.value == "date"]
    return verdicts


@CHECK
@given(TEXTS)
def test_every_matcher_labels_any_text(text: str) -> None:
    assert all(isinstance(v, Grade) and v.label in VALID for v in _every_verdict(text))


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HUGE)
def test_every_matcher_labels_a_100_kb_response(text: str) -> None:
    assert len(text) == 100_000
    assert all(v.label in VALID for v in _every_verdict(text))


@pytest.mark.parametrize("text", ["", " ", "\n", "\t\u00a0\u2003"])
def test_empty_and_whitespace_are_non_answers(text: str) -> None:
    assert {grade(item, text).label for item in ITEMS} == {Label.NON_ANSWER}
