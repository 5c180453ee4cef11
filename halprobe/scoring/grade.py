"""``grade(item, response)``: one label per response (METRICS.md section 1).

Order of decisions, each for a reason:
1. Empty output is an abstention (the model said nothing), not a parse failure.
2. Refusal and knowledge-cutoff phrases are blanked, then the typed matcher reads what is
   left: a refusal followed by a guess, or a hedged answer, is graded on the guess.
3. "X is alive" settles a death-date question with no date in it: abstained for a control
   (living or fictional person), hallucinated for a real dead person.
4. No answer of the asked type: abstained if the response declines, else unscored with the
   matcher's reason (STYLE.md habit 4: never silently mapped to a label).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from halprobe.scoring import abstention, dates, entity, person, titles, years
from halprobe.scoring.abstention import Abstention
from halprobe.types import AnswerType, Grade, Label, ProbeItem

Matcher = Callable[[ProbeItem, str], Grade]

MATCHERS: dict[AnswerType, Matcher] = {
    AnswerType.ENTITY: entity.match,
    AnswerType.PERSON: person.match,
    AnswerType.TITLE: titles.match,
    AnswerType.DATE: dates.match,
    AnswerType.YEAR: years.match,
}


def _alive(item: ProbeItem, verdict: Grade, found: Abstention) -> Grade:
    """A stated death date wins; otherwise "is alive" is true only of controls."""
    if verdict.label is not Label.UNSCORED:
        return verdict
    claim = found.alive[0].text
    if item.exists:
        return Grade(Label.HALLUCINATED, claim, "says a dead person is alive")
    return Grade(Label.ABSTAINED, claim, "says the person is alive")


def grade(item: ProbeItem, response: str) -> Grade:
    """Grade one response to one probe item with the matcher for its answer type."""
    if not unicodedata.is_normalized("NFC", response):
        response = unicodedata.normalize("NFC", response)
    if not response.strip():
        return Grade(Label.ABSTAINED, None, "empty response")
    found = abstention.detect(response)
    verdict = MATCHERS[item.answer_type](item, found.masked)
    if found.alive and item.answer_type is AnswerType.DATE:
        return _alive(item, verdict, found)
    if verdict.label is Label.UNSCORED and found.declines:
        return Grade(Label.ABSTAINED, found.refusals[0].text, "declines to answer")
    return verdict
