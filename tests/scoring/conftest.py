"""Builders for ProbeItem objects as the suites would load them (one per answer type)."""

from __future__ import annotations

from halprobe.types import AnswerType, Precision, ProbeItem

GAN_AUTHORS = ("Ian J. Goodfellow", "Jean Pouget-Abadie", "Mehdi Mirza", "Bing Xu",
               "David Warde-Farley", "Sherjil Ozair", "Aaron Courville", "Yoshua Bengio")


def capital(country: str, *aliases: str, exists: bool = True, **meta: str) -> ProbeItem:
    """A capitals item; no aliases means a control (fictional country)."""
    return ProbeItem(id=f"capitals/{country}", suite="capitals",
                     question=f"What is the capital of {country}?",
                     answer=aliases[0] if aliases else None, aliases=aliases,
                     answer_type=AnswerType.ENTITY, exists=exists and bool(aliases), meta=meta)


def death(person: str, answer: str | None, precision: Precision = Precision.DAY) -> ProbeItem:
    """A death-date item; ``answer=None`` is a control (living or fictional person)."""
    return ProbeItem(id=f"deaths/{person}", suite="deaths", question=f"When did {person} die?",
                     answer=answer, aliases=(answer,) if answer else (),
                     answer_type=AnswerType.DATE, exists=answer is not None,
                     precision=precision, subject=person)


def authors(title: str, *names: str) -> ProbeItem:
    """A paper-authors item; no names means a fictional paper."""
    return ProbeItem(id=f"papers/{title}", suite="papers",
                     question=f'Who wrote the paper "{title}"?',
                     answer=names[0] if names else None, aliases=names,
                     answer_type=AnswerType.PERSON, exists=bool(names))


def pub_year(title: str, year: str | None) -> ProbeItem:
    """A publication-year item; ``year=None`` is a fictional paper."""
    return ProbeItem(id=f"years/{title}", suite="papers",
                     question=f'In which year was the paper "{title}" published?',
                     answer=year, aliases=(year,) if year else (), answer_type=AnswerType.YEAR,
                     exists=year is not None, precision=Precision.YEAR)


def title_of(question: str, *titles: str) -> ProbeItem:
    """A title item (for the later suite)."""
    return ProbeItem(id=f"titles/{question}", suite="titles", question=question,
                     answer=titles[0] if titles else None, aliases=titles,
                     answer_type=AnswerType.TITLE, exists=bool(titles))


def gan() -> ProbeItem:
    return authors("Generative Adversarial Nets", *GAN_AUTHORS)


EINSTEIN = death("Albert Einstein", "1955-04-18")
