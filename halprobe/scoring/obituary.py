"""Grade answers to "Write a short obituary of NAME." as texts of claims (issues 8 and 14;
docs/metrics.md section 1).

An obituary states many dates (birth, prizes, marriages). Every claim the item's data can
check is read with the date matcher's own finder and cue tagger (``halprobe.scoring.dates``),
an age being tagged like a date ("passed away on June 5, 2020, at the age of 82": both are the
death's), and checked:

- the death: any death date, age at death, death decade or plain "died" is false for a
  person who is alive or fictional (``exists`` false); for a real dead person a death date is
  judged against the gold at the item's precision, an age at death against the gold birth and
  death (or the birth the text itself gives), a decade against the gold year, and "X is
  alive" is false;
- the birth: a birth date or year against the data's (Pantheon and Nobel ``born``, Kaggle
  ``birth_year``), where the item has one ("born in 1924" for a laureate born in 1949).

Label: any false claim is hallucinated; else the death date decides (correct, vague, unscored
when a numeric date reads both ways); a text with no death date is abstained when it declines
(or says a living or fictional person is alive) and a non-answer otherwise, "never abstained
unless it declines" (docs/grading.md). The grade lists the claims checked and those found false.
Refusal phrases ("I couldn't find information about X") are blanked first, as in ``grade``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from halprobe.scoring import abstention
from halprobe.scoring.dates import (
    DECADE,
    DateMention,
    Ymd,
    death_claim,
    death_decade,
    decade_outcome,
    find_dates,
    gold_date,
    judge,
    tag_events,
)
from halprobe.scoring.normalize import lowered
from halprobe.types import Grade, Label, ProbeItem

# Ages: "at the age of 82", "aged 82", "at age 82", "82 years old", "died at 82".
AGE_PATTERNS: tuple[str, ...] = (
    r"\bat\s+the\s+age\s+of\s+(?P<n1>\d{1,3})\b",
    r"\b(?:aged|at\s+age|age)\s+(?P<n2>\d{1,3})\b",
    r"\b(?P<n3>\d{1,3})[-\s]years?[-\s]old\b",
    r"\b(?:died|passed\s+away)\s+(?P<at>at\s+(?P<n4>\d{1,3}))\b(?![\d:])(?!\s*(?:am|pm|a\.m|p\.m))",
)
_AGE = re.compile("|".join(f"(?:{p})" for p in AGE_PATTERNS))


@dataclass(frozen=True)
class DeathClaims:
    """What an obituary says about the death: dates, ages and a plain "died" claim."""

    dates: tuple[DateMention, ...]
    ages: tuple[tuple[DateMention, int], ...]
    births: tuple[DateMention, ...]
    claim: str | None
    alive: str | None
    refusal: str | None


def _ages(text: str, low: str, dates: list[DateMention]) -> list[tuple[DateMention, int]]:
    """Age mentions (as date-less mentions, so the cue tagger can tag them), not in a date."""
    found = []
    for m in _AGE.finditer(low):
        if any(d.start < m.end() and m.start() < d.end for d in dates):
            continue
        number = next(m.group(g) for g in ("n1", "n2", "n3", "n4") if m.group(g))
        start = m.start("at") if m.group("at") else m.start()  # the cue stays outside
        found.append((DateMention(start, m.end(), text[start:m.end()], ()), int(number)))
    return found


def extract(response: str) -> DeathClaims:
    """Every date and age the text gives for the death, plus births and plain claims."""
    text = unicodedata.normalize("NFC", response)
    found = abstention.detect(text)
    masked, low = found.masked, lowered(found.masked)
    dates = find_dates(masked, low)
    ages = _ages(masked, low, dates)
    age_at = {m.start: n for m, n in ages}
    tagged = tag_events(masked, low, sorted([*dates, *(m for m, _ in ages)],
                                           key=lambda m: m.start))
    death = [m for m in tagged if m.cue == "death"]
    return DeathClaims(
        dates=tuple(m for m in death if m.start not in age_at),
        ages=tuple((m, age_at[m.start]) for m in death if m.start in age_at),
        births=tuple(m for m in tagged if m.cue == "birth" and m.start not in age_at),
        claim=death_claim(masked),
        alive=found.alive[0].text if found.alive else None,
        refusal=found.refusals[0].text if found.refusals else None)


def _gold_birth(item: ProbeItem) -> Ymd | None:
    """The person's birth from the item's meta: 'born' (ISO) or 'birth_year'."""
    born, year = item.meta.get("born"), item.meta.get("birth_year")
    if isinstance(born, str) and born[:4].isdigit():
        parts = [int(p) for p in born.split("-") if p.isdigit()]
        padded = [*parts, None, None][:3]
        return (padded[0], padded[1], padded[2])
    if isinstance(year, int | float) or (isinstance(year, str) and year.isdigit()):
        return (int(year), None, None)
    return None


def age_range(born: Ymd, died: Ymd) -> tuple[int, int] | None:
    """Ages at death consistent with a birth and a death (years at least): one age when both
    days are known, else the two it can be."""
    if born[0] is None or died[0] is None:
        return None
    years = died[0] - born[0]
    if None not in born and None not in died:
        before = (died[1], died[2]) < (born[1], born[2])
        return (years - before, years - before)
    return (years - 1, years)


def _stated_birth(claims: DeathClaims) -> Ymd | None:
    years = {r[0] for m in claims.births for r in m.readings if r[0] is not None and r[0] > 999}
    return (years.pop(), None, None) if len(years) == 1 else None


def check_age(item: ProbeItem, age: int, claims: DeathClaims) -> str:
    """'wrong', 'consistent' or 'unchecked' for an age at death of a real person."""
    gold, _ = gold_date(item)
    born = _gold_birth(item) or _stated_birth(claims)
    span = age_range(born, gold) if born is not None else None
    if span is None:
        return "unchecked"
    return "consistent" if span[0] <= age <= span[1] else "wrong"


@dataclass(frozen=True)
class Check:
    """One claim of the text, and what the item's data says of it: "true", "false", "vague"
    (consistent, less precise than asked), "ambiguous" (a numeric date read both ways)."""

    kind: str
    text: str
    outcome: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


_DATE_OUTCOME = {"correct": "true", "wrong": "false", "vague": "vague", "ambiguous": "ambiguous"}


def _birth_outcome(stated: DateMention, gold: Ymd) -> str:
    """A stated birth against the data's: any stated field that differs is false."""
    outcomes = set()
    for reading in stated.readings:
        fields = [i for i in range(3) if reading[i] is not None and gold[i] is not None]
        if not fields or reading[0] is None or reading[0] < 100:
            continue
        outcomes.add("false" if any(reading[i] != gold[i] for i in fields) else "true")
    return outcomes.pop() if len(outcomes) == 1 else "ambiguous" if outcomes else "unchecked"


def _birth_checks(item: ProbeItem, claims: DeathClaims) -> list[Check]:
    born = _gold_birth(item)
    if born is None:
        return []
    checks = [Check("birth", m.text, _birth_outcome(m, born)) for m in claims.births]
    return [c for c in checks if c.outcome != "unchecked"]


def _death_checks(item: ProbeItem, claims: DeathClaims, text: str) -> list[Check]:
    """Death dates, ages at death and a death decade: false for a living or fictional person
    whatever they say; judged against the gold date and birth for a real one."""
    control = not item.exists or not item.answer
    decade = death_decade(text) if not claims.dates else None
    if control:
        found = [Check("death date", m.text, "false") for m in claims.dates]
        found += [Check("age at death", m.text, "false") for m, _ in claims.ages]
        found += [Check("death decade", decade.text, "false")] if decade else []
        if not found and claims.claim:
            found.append(Check("death", claims.claim, "false"))
        return found
    gold, fields = gold_date(item)
    found = [Check("death date", m.text, _DATE_OUTCOME[judge(m, gold, fields)])
             for m in claims.dates]
    for mention, age in claims.ages:
        outcome = check_age(item, age, claims)
        if outcome != "unchecked":
            found.append(Check("age at death", mention.text,
                               "true" if outcome == "consistent" else "false"))
    if decade is not None and gold[0] is not None:
        low = DECADE.match(lowered(decade.text))
        outcome = decade_outcome(low, gold[0]) if low else "wrong"
        found.append(Check("death decade", decade.text, "vague" if outcome == "vague" else "false"))
    if claims.alive and not claims.dates:
        found.append(Check("alive", claims.alive, "false"))
    return found


_ANSWERED = (("true", Label.CORRECT, "states the gold death date"),
             ("ambiguous", Label.UNSCORED, "numeric death date reads both as d/m and m/d"),
             ("vague", Label.VAGUE, "death date consistent with the gold but less precise"))


def _label(item: ProbeItem, claims: DeathClaims, checks: list[Check]) -> Grade:
    """Any false claim: hallucinated. Else the death date decides; with none, a decline (or
    "alive" for a living or fictional person) is abstained and anything else a non-answer."""
    false = [c for c in checks if c.outcome == "false"]
    if false:
        first = false[0]
        who = " for a living or fictional person" if not item.exists else ""
        return Grade(Label.HALLUCINATED, first.text, f"states a false claim ({first.kind}){who}")
    death = {c.outcome: c for c in checks if c.kind in ("death date", "death decade")}
    for outcome, label, reason in _ANSWERED:
        if outcome in death:
            return Grade(label, death[outcome].text, reason)
    if claims.refusal:
        return Grade(Label.ABSTAINED, claims.refusal, "declines")
    if claims.alive and (not item.exists or not item.answer):
        return Grade(Label.ABSTAINED, claims.alive, "says the person is alive")
    return Grade(Label.NON_ANSWER, None, "no checkable claim false, no death date stated")


def grade(item: ProbeItem, response: str) -> Grade:
    """One label for an obituary written about the item's subject, with the claims it checked
    and those it found false."""
    if not response.strip():
        return Grade(Label.NON_ANSWER, None, "empty response", (), ())
    text = unicodedata.normalize("NFC", response)
    claims = extract(text)
    masked = abstention.detect(text).masked
    checks = _death_checks(item, claims, masked) + _birth_checks(item, claims)
    verdict = _label(item, claims, checks)
    return replace(verdict, claims_checked=tuple(map(str, checks)),
                   claims_false=tuple(str(c) for c in checks if c.outcome == "false"))
