"""Deaths as read from the Nobel and recent-deaths lists, before they become obituary items."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from builder.sources import CUTOFF, NOBEL, Row
from builder.suite import Item, make_item
from builder.text import name_key, slug

DEATH_QUESTION = "On what date did {name}, {description}, die?"
MONTH_QUESTION = "In what month and year did {name}, {description}, die?"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")  # fmt: skip
PRIZE_NAMES = {"physics": "Physics", "chemistry": "Chemistry", "medicine": "Physiology or Medicine",
               "literature": "Literature", "economics": "Economic Sciences", "peace": "Peace"}


@dataclass(frozen=True)
class Death:
    """One person's death, before it becomes a ProbeItem."""

    key: str
    name: str
    description: str
    date: str
    precision: str
    popularity: int
    proxy: str
    meta: dict[str, Any]

    def item(self) -> Item:
        template = MONTH_QUESTION if self.precision == "month" else DEATH_QUESTION
        return make_item(
            id=f"obituaries/{self.key}", suite="obituaries",
            question=template.format(name=self.name, description=self.description),
            answer=self.date, aliases=[self.date], answer_type="date",
            popularity=self.popularity, proxy=self.proxy, precision=self.precision,
            event_date=self.date, subject=self.name, meta=self.meta,
        )  # fmt: skip


def nobel_description(years: str, categories: str) -> str:
    """'Nobel laureate in Physics (1921)'; several prizes are listed in order."""
    prizes: dict[str, list[str]] = {}
    for year, category in zip(years.split("|"), categories.split("|"), strict=True):
        prizes.setdefault(PRIZE_NAMES[category], []).append(year)
    if list(prizes) == ["Peace"]:
        return f"Nobel Peace Prize laureate ({', '.join(prizes['Peace'])})"
    parts = [f"{name} ({', '.join(ys)})" for name, ys in prizes.items()]
    return "Nobel laureate in " + " and ".join(parts)


def nobel_name(row: Row) -> str:
    return f"{row['firstname']} {row['surname']}".strip()


def load_nobel_deaths() -> list[Death]:
    """Deceased laureates (people, not organisations) that have Pantheon page views."""
    deaths = []
    for row in NOBEL.rows():
        if not row["died"] or row["gender"] == "org" or not row["pantheon_total_pageviews"]:
            continue
        deaths.append(Death(
            key=f"nobel-{row['id']}", name=nobel_name(row),
            description=nobel_description(row["prize_years"], row["prize_categories"]),
            date=row["died"], precision="day", popularity=int(row["pantheon_total_pageviews"]),
            proxy="pantheon_total_pageviews",
            meta={"source": NOBEL.name, "laureate_id": int(row["id"]), "born": row["born"],
                  "prize_years": [int(y) for y in row["prize_years"].split("|")],
                  "prize_categories": row["prize_categories"].split("|"),
                  "pantheon_en_curid": int(row["pantheon_en_curid"]),
                  "pantheon_hpi": round(float(row["pantheon_hpi"]), 2)},
        ))  # fmt: skip
    return deaths


# Peerage titles after the name ("Norman Tebbit, Baron Tebbit") make the question read badly.
PEERAGE = re.compile(r", (?:\d+\w* )?(?:Baron|Baroness|Lady|Lord|Earl|Marquess|Viscount|Duke|"
                     r"Duchess|Prince|Princess|Count|Countess)\b.*$")  # fmt: skip


def clean_wiki_description(text: str) -> str:
    """Drop wiki italics ('') and trailing reference links ([https://...)."""
    text = re.sub(r"\[https?://.*$", "", text)
    text = re.sub(r"'{2,}", "", text)
    return re.sub(r"\s+", " ", text).strip(" .;,")


def cutoff_ok(name: str, description: str) -> bool:
    """A person row with a usable one-line description (drops 'IMDb', events, link debris)."""
    return (
        bool(description) and description[0].isalpha() and not re.search(r"\d", name)
        and description.count("(") == description.count(")")
    )  # fmt: skip


def load_cutoff_deaths() -> tuple[list[Death], Counter[str]]:
    """Recent deaths (2020-2025) with full dates, from the Wikipedia 'Deaths in' lists."""
    dropped: Counter[str] = Counter()
    rows = CUTOFF.rows()
    by_article: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        by_article[(name_key(row["name"]), row["pageviews_60d"])].add(row["death_date"])
    deaths = []
    for row in rows:
        name, description = row["name"], clean_wiki_description(row["description"])
        if not cutoff_ok(name, description):
            dropped["not a person or no description"] += 1
            continue
        if len(by_article[(name_key(name), row["pageviews_60d"])]) > 1:
            dropped["same article listed under two dates"] += 1
            continue
        deaths.append(Death(
            key=f"cutoffdate-{slug(name, 40)}-{row['death_date']}",
            name=PEERAGE.sub("", name), description=description, date=row["death_date"],
            precision="day", popularity=int(row["pageviews_60d"]), proxy="pageviews_60d",
            meta={"source": CUTOFF.name, "wikipedia_title": name},
        ))  # fmt: skip
    return deaths, dropped
