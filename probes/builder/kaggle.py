"""Kaggle celebrity deaths 2006-2016: a noisy parse (SOURCE.md), so most of this is rejection."""

from __future__ import annotations

import re
from collections import Counter

from builder.deaths import MONTHS, Death
from builder.sources import KAGGLE, Row
from builder.text import slug, to_int, words

# Kaggle nationality values that are demonyms but do not end like most demonyms do.
EXTRA_DEMONYMS = words(
    "Argentine Filipino Filipina Welsh Slovak Soviet Cypriot Malagasy Kazakh Czechoslovak "
    "Burkinabé Burkinabe Slovene Yugoslav Tajik Ni-Vanuatu Turkmen Manx Montenegrin I-Kiribati "
    "Mosotho "
    "Nigerien Monegasque Monégasque Curaçaoan Kosovar Guinea-Bissauan Bissau-Guinean Afghan "
    "Greek Czech Thai Swiss Dutch French Uzbek"
)
# Words that end like a demonym but are not one (field shifts in the Kaggle parse).
NOT_DEMONYMS = words("Historian Veteran Theologian Ryan Roman Puckish Ghoulish Ceramic Sri "
                     "Influential Official Medical Civil Episcopal Environmental")
DEMONYM_SUFFIXES = ("an", "ese", "ish", "i", "ic", "ch", "ss", "ek", "ai")
# Two-word nationalities the Kaggle parse split across `nationality` and `famous_for`.
TWO_WORD_DEMONYMS = frozenset({
    "New Zealand", "South African", "South Korean", "South Sudanese", "North Korean",
    "Northern Irish", "Puerto Rican", "Costa Rican", "Sri Lankan", "Hong Kong", "Sierra Leonean",
    "Papua New", "Solomon Islands", "Cook Islands", "East German", "East Timorese", "Cape Verdean",
    "Central African", "Saint Lucian", "Saudi Arabian", "Equatorial Guinean",
})  # fmt: skip
# Mojibake left by the upstream double mis-encoding (SOURCE.md): 'Ã', 'Ä‡', 'Åç', 'â€', ...
MOJIBAKE = re.compile(r"Ã|Â|â€|Ä[^a-zäöü ]|Å[^a-zåäö ]|[€™¡©º¶‡±ŸŒ»°‘‚ª√≠ƒ\xa0_]")
BAD_NAME = re.compile(r"[\^\"\n:;\[\]\d]")


def is_demonym(word: str) -> bool:
    if word in EXTRA_DEMONYMS:
        return True
    return (re.fullmatch(r"[A-Z][a-z]+", word) is not None and word.endswith(DEMONYM_SUFFIXES)
            and word not in NOT_DEMONYMS)  # fmt: skip


def nationality_ok(nationality: str, famous_for: str) -> bool:
    """A demonym ('Laotian', 'British-born', 'Irish-American') or a split two-word one."""
    base = nationality.removesuffix("-born")
    if is_demonym(base) or all(is_demonym(p) for p in base.split("-")):
        return True
    continuation = re.split(r"[\s-]", famous_for, maxsplit=1)[0]
    return f"{nationality} {continuation}" in TWO_WORD_DEMONYMS


def kaggle_reject(row: Row) -> str | None:
    """Why a Kaggle row is unusable, or None (noisy parse: SOURCE.md)."""
    if any(MOJIBAKE.search(v) for v in row.values()):
        return "garbled encoding"
    if BAD_NAME.search(row["name"]) or not row["name"][:1].isupper():
        return "name is not a name"
    if not row["fame_score"].strip():
        return "no fame_score"
    if not row["famous_for"].strip() or row["death_month"] not in MONTHS:
        return "no description or month"
    if not nationality_ok(row["nationality"], row["famous_for"]):
        return "nationality is not a demonym"
    return None


def kaggle_death(row: Row) -> Death:
    month = MONTHS.index(row["death_month"]) + 1
    date = f"{row['death_year']}-{month:02d}"
    famous_for = re.sub(r"\[[^\]]*\]", "", row["famous_for"]).strip()
    return Death(
        key=f"kaggle-{slug(row['name'], 40)}-{date}", name=row["name"],
        description=f"{row['nationality']} {famous_for}", date=date, precision="month",
        popularity=int(row["fame_score"]), proxy="fame_score",
        meta={"source": KAGGLE.name, "birth_year": to_int(row["birth_year"]),
              "nationality": row["nationality"], "famous_for": row["famous_for"]},
    )  # fmt: skip


def load_kaggle_deaths() -> tuple[list[Death], Counter[str]]:
    """Deaths 2006-2016 with month precision; repeated rows keep the highest fame_score."""
    dropped: Counter[str] = Counter()
    best: dict[str, Death] = {}
    for row in KAGGLE.rows():
        reason = kaggle_reject(row)
        if reason:
            dropped[reason] += 1
            continue
        death = kaggle_death(row)
        if death.key in best:
            dropped["repeated row"] += 1
            if death.popularity <= best[death.key].popularity:
                continue
        best[death.key] = death
    return [best[k] for k in sorted(best)], dropped
