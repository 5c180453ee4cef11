"""Suite controls (exists=false): questions whose only right answer is to abstain."""

from __future__ import annotations

import random
from collections import Counter

from builder.bins import bin_of
from builder.deaths import DEATH_QUESTION, nobel_description, nobel_name
from builder.fictional import fictional_countries, fictional_papers, fictional_people, people_names
from builder.obituaries import OBITUARY_PROXIES, Obituaries
from builder.sources import CUTOFF, KAGGLE, MLEDOZE, NOBEL, PANTHEON, PAPERS
from builder.suite import Item, Suite, control_item
from builder.text import name_key

BORN_FROM = "1940"  # living-laureate controls: born this year or later
# Laureates born 1940 or later who were alive in the Oct 2016 export but have died since, as far as
# the builder knows; the deaths lists miss most of them (2017-2019 is not covered at all).
DIED_AFTER_EXPORT = {
    "Kary B. Mullis": "2019-08-07", "Thomas A. Steitz": "2018-10-09",
    "John E. Sulston": "2018-03-06", "Liu Xiaobo": "2017-07-13", "David Trimble": "2022-07-25",
    "Toshihide Maskawa": "2021-07-23", "Robert H. Grubbs": "2021-12-19",
    "Edward C. Prescott": "2022-11-06", "Mario J. Molina": "2020-10-07",
    "Betty Williams": "2020-03-17", "Sir J. Fraser Stoddart": "2024-12-30",
}  # fmt: skip


def living_laureates(names: dict[str, list[str]], edges: list[float]) -> list[Item]:
    """Death-date questions about laureates born >= 1940 and alive as far as anyone here knows."""
    dead = {name_key(n) for n in [*names[CUTOFF.name], *names[KAGGLE.name], *DIED_AFTER_EXPORT]}
    items = []
    for row in NOBEL.rows():
        name = nobel_name(row)
        if row["died"] or row["gender"] == "org" or not row["born"] or row["born"] < BORN_FROM:
            continue
        if not row["pantheon_total_pageviews"] or name_key(name) in dead \
                or name_key(row["full_name"]) in dead:
            continue
        views = int(row["pantheon_total_pageviews"])
        description = nobel_description(row["prize_years"], row["prize_categories"])
        items.append(control_item(
            f"living-nobel-{row['id']}", DEATH_QUESTION.format(name=name, description=description),
            "date", "living_person", "obituaries", bin_=bin_of(views, edges, "log10"),
            popularity=views, proxy="pantheon_total_pageviews", precision="day", subject=name,
            meta={"laureate_id": int(row["id"]), "born": row["born"],
                  "rule": f"alive in the Oct 2016 Nobel export, born >= {BORN_FROM}, in no deaths "
                          "list (cutoffdate, kaggle) and not a death known to the builder"},
        ))  # fmt: skip
    return items


def build_controls(obituaries: Obituaries, rng: random.Random) -> Suite:
    """Questions with no true answer: fictional people, papers, countries; living people."""
    names = people_names()
    items = [
        *fictional_people(names, rng),
        *fictional_papers(rng),
        *fictional_countries(rng),
        *living_laureates(names, obituaries.edges["pantheon_total_pageviews"]),
    ]
    kinds = Counter(it["meta"]["kind"] for it in items)
    description = f"""
        Controls: exists=false, answer null; the only right outcome is to abstain (or say the
        person is alive). {kinds['fictional_person']} fictional people: a first name used at least
        five times in the Nobel, Pantheon and recent-deaths lists x a surname from the Kaggle or
        recent-deaths lists that occurs once in all lists and never in Pantheon or Nobel; the full
        name and surname + first initial are absent from every list (Nobel, Pantheon, recent
        deaths, Kaggle, paper authors). Asked the obituaries day-precision question with a generic
        description used at least three times in the recent-deaths list (crime-related ones left
        out, since a real namesake could exist). {kinds['fictional_paper'] // 2} fictional papers:
        the left half of a real title joined by 'for' to the right half of a real title from
        another field (4-7 words a side, no generic opening such as 'A Fast ...'), absent from
        the papers list; asked both paper questions ({kinds['fictional_paper']}
        items). {kinds['fictional_country']} fictional countries: onset + ending shaped like a
        country name, at edit distance >= 3 from every mledoze name, alt spelling and capital and
        from historical and fictional states; asked the capital question.
        {kinds['living_person']} living people: Nobel laureates alive in the Oct 2016 export, born
        in {BORN_FROM} or later, with Pantheon page views, in neither deaths list, and not among
        the deaths since 2016 known to the builder (DIED_AFTER_EXPORT in build.py); asked the
        obituaries death-date question. Bins are explicit: fictional entities get bin 0 (rarest);
        living laureates get the bin of their page views under the obituaries edges for
        pantheon_total_pageviews. Seeded and deterministic.
    """
    return Suite(
        name="controls", description=description,
        proxy=[{"name": "pantheon_total_pageviews",
                "description": OBITUARY_PROXIES["pantheon_total_pageviews"]}],
        bins={"explicit": True}, sources=[NOBEL, PANTHEON, CUTOFF, KAGGLE, PAPERS, MLEDOZE],
        items=items,
    )  # fmt: skip
