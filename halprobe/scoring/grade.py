"""``grade(item, response)``: one label per response (docs/metrics.md section 1).

Order of decisions, each for a reason:
1. Empty output is a non-answer (the model said nothing and declined nothing), not a parse
   failure.
2. Refusal and knowledge-cutoff phrases are blanked, then the typed matcher reads what is
   left: a refusal followed by a guess, or a hedged answer, is graded on the guess.
3. "X is alive" settles a death-date question with no date in it: abstained for a control
   (living or fictional person), hallucinated for a real dead person.
4. No answer of the asked type: abstained if the response declines ("I don't know" is the
   only abstention, docs/metrics.md section 1). A response that gives no answer and does not
   decline ("Botswana is a landlocked country ...", a birth date for a death question, the
   question restated, gibberish) is a non-answer, reported apart, except that a plain "X died"
   about a living or fictional person is hallucinated.
5. Unscored is left for what the matcher saw but could not read (an ambiguous 7/6/1954, a
   capital slot holding no name), with its reason (docs/style.md habit 4).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from halprobe.scoring import abstention, dates, entity, person, titles, years
from halprobe.scoring.abstention import Abstention
from halprobe.scoring.normalize import lowered
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


# Matcher reasons that mean "nothing of the asked kind in the response" (not "unreadable").
NOTHING_FOUND = frozenset({dates.NO_ANSWER, entity.NO_ANSWER, person.NO_ANSWER, titles.NO_ANSWER,
                           years.NO_ANSWER})


def _not_attempted(item: ProbeItem, text: str, verdict: Grade) -> Grade:
    """No answer given and none declined: a non-answer, unless it says a living or fictional
    person died."""
    if item.answer_type is AnswerType.DATE and not item.exists:
        claim = dates.death_claim(text)
        if claim:
            return Grade(Label.HALLUCINATED, claim, "says a living or fictional person died")
    return Grade(Label.NON_ANSWER, None, f"no answer: {verdict.reason}")


# "Toronto? No wait, Ottawa.", "Canberra. Actually no, it's Sydney.": a self-correction
# withdraws what came before it; the answer given after the last one is graded.
_CORRECTION = re.compile(r"\b(?:no,?\s+wait|wait,?\s+no|actually,?\s+no|no,?\s+actually"
                         r"|(?:sorry,?\s+)?i\s+mean|correction\s*:|scratch\s+that|just\s+kidding"
                         r"|on\s+second\s+thought)\b")


_CORRECTION_WORDS = ("wait", "actually", "mean", "kidding", "thought", "correction", "scratch")


def _after_correction(item: ProbeItem, text: str) -> Grade | None:
    """The verdict on what follows the last self-correction, when that states an answer."""
    low = lowered(text)
    marks = list(_CORRECTION.finditer(low)) if any(w in low for w in _CORRECTION_WORDS) else []
    if not marks:
        return None
    tail = " " * marks[-1].end() + text[marks[-1].end():]
    verdict = MATCHERS[item.answer_type](item, tail)
    return None if verdict.label is Label.UNSCORED else verdict


def grade(item: ProbeItem, response: str) -> Grade:
    """Grade one response to one probe item with the matcher for its answer type."""
    if not unicodedata.is_normalized("NFC", response):
        response = unicodedata.normalize("NFC", response)
    if not response.strip():
        return Grade(Label.NON_ANSWER, None, "empty response")
    found = abstention.detect(response)
    verdict = _after_correction(item, found.masked) or MATCHERS[item.answer_type](
        item, found.masked)
    if found.alive and item.answer_type is AnswerType.DATE:
        return _alive(item, verdict, found)
    if verdict.label is not Label.UNSCORED:
        return verdict
    if found.declines:
        return Grade(Label.ABSTAINED, found.refusals[0].text, "declines to answer")
    if verdict.reason in NOTHING_FOUND:
        return _not_attempted(item, found.masked, verdict)
    return verdict
