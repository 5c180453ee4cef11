"""Suite obituaries: death dates from three sources, each with its own proxy and edges."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from builder.bins import bin_of, quantile_edges
from builder.deaths import Death, load_cutoff_deaths, load_nobel_deaths
from builder.kaggle import load_kaggle_deaths
from builder.sources import CUTOFF, KAGGLE, NOBEL
from builder.suite import Flow, Suite
from builder.text import name_key

# Per-source caps keep the suite near 8,000 items; cut by a stratified sample (see below).
SOURCE_CAPS = {CUTOFF.name: 3600, KAGGLE.name: 4000}
OBITUARY_PROXIES = {
    "pantheon_total_pageviews": "Pantheon 1.0 total Wikipedia page views 2008-2013 (all language "
    "editions) of a Nobel laureate; chosen over HPI, which also weighs age and spread across "
    "languages, because views track how much text readers meet about the person.",
    "pageviews_60d": "English Wikipedia page views in the 60 days around the death (2020-2025).",
    "fame_score": "Kaggle celebrity-deaths fame score, a Wikipedia-derived notability count "
    "(undocumented upstream; 1 to 695).",
}  # fmt: skip


def dedupe_people(sources: Sequence[list[Death]]) -> tuple[list[list[Death]], int]:
    """Drop a person already asked by an earlier (more precise) source, matched by name_key."""
    seen: set[str] = set()
    kept_lists, removed = [], 0
    for deaths in sources:
        kept = [d for d in deaths if name_key(d.name) not in seen]
        removed += len(deaths) - len(kept)
        seen.update(name_key(d.name) for d in kept)
        kept_lists.append(kept)
    return kept_lists, removed


def stratified_sample(deaths: list[Death], cap: int, rng: random.Random) -> list[Death]:
    """At most `cap` deaths, drawn within proxy quintiles in proportion to their size."""
    if len(deaths) <= cap:
        return deaths
    ordered = sorted(deaths, key=lambda d: d.key)
    edges = quantile_edges([d.popularity for d in ordered], "log10")
    strata: dict[int, list[Death]] = defaultdict(list)
    for d in ordered:
        strata[bin_of(d.popularity, edges, "log10")].append(d)
    shares = {b: cap * len(s) / len(ordered) for b, s in strata.items()}
    quota = {b: math.floor(v) for b, v in shares.items()}
    for b in sorted(shares, key=lambda b: (quota[b] - shares[b], b))[: cap - sum(quota.values())]:
        quota[b] += 1
    picked = [d for b in sorted(strata) for d in rng.sample(strata[b], quota[b])]
    return sorted(picked, key=lambda d: d.key)


@dataclass
class Obituaries:
    """The obituaries suite plus what controls need from it (edges, all people's names)."""

    suite: Suite
    edges: dict[str, list[float]]


def build_obituaries(rng: random.Random) -> Obituaries:
    """Death dates: Nobel laureates (1920s-2016), recent deaths (2020-25), Kaggle (2006-16)."""
    nobel = load_nobel_deaths()
    cutoff, cut_dropped = load_cutoff_deaths()
    kaggle, kag_dropped = load_kaggle_deaths()
    (nobel, cutoff, kaggle), n_dupes = dedupe_people([nobel, cutoff, kaggle])
    before = {CUTOFF.name: len(cutoff), KAGGLE.name: len(kaggle)}
    cutoff = stratified_sample(cutoff, SOURCE_CAPS[CUTOFF.name], rng)
    kaggle = stratified_sample(kaggle, SOURCE_CAPS[KAGGLE.name], rng)
    deaths = [*nobel, *cutoff, *kaggle]
    by_proxy: dict[str, list[float]] = defaultdict(list)
    for d in deaths:
        by_proxy[d.proxy].append(d.popularity)
    edges = {p: quantile_edges(by_proxy[p], "log10") for p in OBITUARY_PROXIES}
    fmt = lambda c: ", ".join(f"{k} {v}" for k, v in sorted(c.items()))  # noqa: E731
    description = f"""
        On what date did a person die: {len(nobel)} Nobel laureates (deceased people with Pantheon
        page views; day precision; deaths 1904-2016), {len(cutoff)} recent deaths from Wikipedia
        'Deaths in' lists (day precision; 2020-2025, mostly after many models' training cutoff:
        split on event_date), and {len(kaggle)} Kaggle celebrity deaths (month precision, answer
        YYYY-MM; 2006-2016). Each source has its own proxy and its own quintile edges, so bin 0 is
        the rarest fifth of each source. Cleaning: recent deaths dropped {fmt(cut_dropped)}; Kaggle
        dropped {fmt(kag_dropped)}. {n_dupes} people already asked by a more precise source were
        dropped (same normalised name). Recent deaths ({before[CUTOFF.name]}) and Kaggle deaths
        ({before[KAGGLE.name]}) were cut to {SOURCE_CAPS[CUTOFF.name]} and
        {SOURCE_CAPS[KAGGLE.name]} by a seeded sample stratified by proxy quintile.
    """
    suite = Suite(
        name="obituaries", description=description,
        proxy=[{"name": k, "description": v} for k, v in OBITUARY_PROXIES.items()],
        bins={"scale": "log10", "edges": {p: Flow(e) for p, e in edges.items()}},
        sources=[NOBEL, CUTOFF, KAGGLE], items=[d.item() for d in deaths],
    )  # fmt: skip
    return Obituaries(suite=suite, edges=edges)
