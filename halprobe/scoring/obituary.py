"""Grade answers to "Write a short obituary of NAME." (issue 8; METRICS.md section 1).

An obituary states many dates (birth, prizes, marriages); only those the text gives for the
death count. Every date and every age at death the text claims is extracted with the date
matcher's own finder and cue tagger (``halprobe.scoring.dates``), an age being tagged like a
date ("passed away on June 5, 2020, at the age of 82": both are the death's), then checked:

- a person who is alive or fictional (``exists`` false): any death claimed (a date, an age at
  death, or a plain "died") is hallucinated; otherwise abstained;
- a real dead person: a death date that contradicts the gold, or an age at death that
  contradicts the gold birth and death (or the birth date the text itself gives), is
  hallucinated; the gold date is correct, consistent but coarser is vague; a numeric date
  that reads both ways is unscored; "X is alive" with no date is hallucinated, as in
  ``grade``; no death date at all is abstained (the reason names an age if one was given).
Refusal phrases ("I couldn't find information about X") are blanked first, as in ``grade``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from halprobe.scoring import abstention
from halprobe.scoring.dates import (
    DateMention,
    Ymd,
    death_claim,
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


def _control(claims: DeathClaims) -> Grade:
    """A living or fictional person: any death claimed is invented."""
    if claims.dates:
        return Grade(Label.HALLUCINATED, claims.dates[0].text,
                     "states a death date for a living or fictional person")
    if claims.ages:
        return Grade(Label.HALLUCINATED, claims.ages[0][0].text,
                     "states an age at death for a living or fictional person")
    if claims.claim:
        return Grade(Label.HALLUCINATED, claims.claim,
                     "says a living or fictional person died")
    return Grade(Label.ABSTAINED, claims.alive or claims.refusal, "claims no death")


_ORDER = (("wrong", Label.HALLUCINATED, "states a death date that contradicts the gold"),
          ("ambiguous", Label.UNSCORED, "numeric death date reads both as d/m and m/d"),
          ("correct", Label.CORRECT, "states the gold death date"),
          ("vague", Label.VAGUE, "death date consistent with the gold but less precise"))


def _real(item: ProbeItem, claims: DeathClaims) -> Grade:
    gold, fields = gold_date(item)
    outcomes = {judge(m, gold, fields): m for m in reversed(claims.dates)}
    if "wrong" not in outcomes:
        ages = {check_age(item, n, claims): m for m, n in reversed(claims.ages)}
        if "wrong" in ages:
            return Grade(Label.HALLUCINATED, ages["wrong"].text,
                         "states an age at death that contradicts the gold")
    for outcome, label, reason in _ORDER:
        if outcome in outcomes:
            return Grade(label, outcomes[outcome].text, reason)
    if claims.alive:
        return Grade(Label.HALLUCINATED, claims.alive, "says a dead person is alive")
    if claims.ages:
        return Grade(Label.ABSTAINED, claims.ages[0][0].text,
                     "no death date stated (only an age at death)")
    return Grade(Label.ABSTAINED, claims.refusal, "no death date stated")


def grade(item: ProbeItem, response: str) -> Grade:
    """One label for an obituary written about the item's subject."""
    if not response.strip():
        return Grade(Label.ABSTAINED, None, "empty response")
    claims = extract(response)
    if not item.exists or not item.answer:
        return _control(claims)
    return _real(item, claims)
