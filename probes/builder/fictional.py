"""Fictional people, papers and countries for the controls suite: invented, and checked absent
from every real list the builder reads."""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from builder.deaths import DEATH_QUESTION, nobel_name
from builder.papers import SMALL_WORDS, split_authors
from builder.sources import CUTOFF, KAGGLE, MLEDOZE, NOBEL, PANTHEON, PAPERS, Row
from builder.suite import Item, control_item
from builder.text import NAME_NOISE, fold, name_key, slug, title_key, words

N_FICTIONAL_PEOPLE = 80
N_FICTIONAL_PAPERS = 40  # two items each
N_FICTIONAL_COUNTRIES = 60
# Countries to stay away from when inventing one: historical states, regions and well-known
# fictional countries (a model may rightly know the capital of Ruritania's "Strelsau").
_NOT_INVENTED_WORDS = (
    "Prussia Bohemia Moravia Yugoslavia Czechoslovakia Rhodesia Zaire Burma Ceylon Siam Persia "
    "Abyssinia Dahomey Bessarabia Transylvania Wallachia Moldavia Galicia Illyria Dalmatia "
    "Carinthia Silesia Pomerania Livonia Courland Lusatia Bavaria Saxony Westphalia Catalonia "
    "Andalusia Cantabria Asturias Navarre Aragon Castile Tartary Circassia Khazaria Scythia "
    "Sarmatia Dacia Thrace Numidia Mauretania Nubia Cyrenaica Tripolitania Anatolia Transnistria "
    "Abkhazia Ossetia Somaliland Biafra Katanga Tanganyika Zanzibar Nyasaland Basutoland "
    "Bechuanaland Swaziland Formosa Manchuria Manchukuo Tibet Sikkim Hyderabad Bengal Punjab "
    "Kashmir Baluchistan Kurdistan Turkestan Dzungaria Karelia Ingria Lapland Frisia Flanders "
    "Wallonia Lorraine Alsace Burgundy Brittany Normandy Savoy Piedmont Lombardy Venetia Tuscany "
    "Umbria Calabria Apulia Sardinia Corsica Sicily Galatia Cilicia Lydia Phrygia Bithynia "
    "Cappadocia Pontus Colchis Iberia Parthia Bactria Sogdiana Gandhara Magadha Macedonia "
    "Bosnia Herzegovina Serbia Slavonia Istria Carniola Styria Tyrol Helvetia Batavia Hibernia "
    "Caledonia Cambria Cornwall Wessex Mercia Northumbria Gaul Lusitania Hispania Germania "
    "Britannia Arabia Assyria Babylonia Sumer Akkad Phoenicia Canaan Judea Samaria Idumea "
    "Carthage Byzantium Armenia Georgia Virginia Carolina Columbia Victoria Tasmania Patagonia "
    "Siberia Ruthenia Podolia Volhynia Novgorod Muscovy Kievan Khiva Bukhara Kokand Tuva "
    "Genovia Wakanda Latveria Freedonia Ruritania Florin Guilder Sokovia Zamunda Elbonia "
    "Borduria Syldavia Krakozhia Markovia Qumar Kamistan Panem Westeros Narnia Gondor Mordor "
    "Oceania Eurasia Eastasia Vulgaria Kasnia Orsinia Osterlich Kerplachistan Laurania "
    "Pottsylvania Molvania Borginia Strelsau Graustark Carpania Slovetzia Lilliput Brobdingnag "
    "Utopia Atlantis Lemuria Avalon Shangri-La Agrabah Arendelle Kumandra Bialya Tropico "
    "Costaguana Chernarus Takistan Altis Zekistan Kyzbekistan Urzikstan Kastovia Adjikistan "
    "Turgistan Kangan Nambutu Buranda Zanzibarland Vestroia Valdoria"
)
NOT_INVENTED = ("Grand Fenwick", "Corto Maltese", "Santa Prisca", "Val Verde", "Sierra Gordo",
                "Outer Heaven", *sorted(words(_NOT_INVENTED_WORDS)))
# Pieces of invented country names: first syllables and endings shaped like real ones.
COUNTRY_ONSETS = sorted(words("Al Bel Cal Dor El Fen Gal Hal Is Kal Kor Lor Mal Mar Nor Or Os Pal "
                              "Quel Ral Sal Sen Tal Tor Ul Val Vel Vor Zan Zel"))
# Three vowels or consonants in a row, a doubled vowel, a repeated syllable ("Lororora").
UNNATURAL = re.compile(r"[aeiou]{3}|([aeiou])\1|[^aeiou]{3}|(\w\w)\2")
COUNTRY_MIDDLES = ("", "al", "an", "ar", "el", "en", "er", "im", "on", "or", "ov", "ur")
COUNTRY_ENDINGS = ("avia", "enia", "esia", "istan", "onia", "aria", "ador", "ania", "and",
                   "ovia", "uay", "ea", "ica", "ina", "ora")  # fmt: skip
PAPER_JOINS = (" for ",)
GENERIC_DESCRIPTION = re.compile(r"[A-Z][a-z]+ [a-z]+(?: [a-z]+)?")  # "English organist"
CRIME = re.compile(r"killer|murder|militant|criminal|terror|fraud|convict|gangster|mobster|drug")
# Openings too generic to make a title unlikely to exist ("A Fast Algorithm for ...").
GENERIC_OPENING = re.compile(r"(?:an?|the|new|novel|fast|efficient|simple|improved|towards?)\b",
                             re.IGNORECASE)


def people_names() -> dict[str, list[str]]:
    """Every person's name in every people list, by source (the absence checks use all of them)."""
    nobel = NOBEL.rows()
    return {
        NOBEL.name: [nobel_name(r) for r in nobel] + [r["full_name"] for r in nobel],
        PANTHEON.name: [r["name"] for r in PANTHEON.rows("\t")],
        CUTOFF.name: [r["name"] for r in CUTOFF.rows()],
        KAGGLE.name: [r["name"] for r in KAGGLE.rows()],
        PAPERS.name: [n for r in PAPERS.rows()
                      for n in split_authors(r["authors"], r["venue"], r["year"])],
    }  # fmt: skip


def taken_names(names: Iterable[str]) -> tuple[set[str], set[tuple[str, str]]]:
    """Full name keys, and (surname, first initial) pairs, of real people."""
    full, initials = set(), set()
    for name in names:
        key = name_key(name).split()
        if key:
            full.add(" ".join(key))
            initials.add((key[-1], key[0][0]))
    return full, initials


def name_pools(names: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """First names common in the clean people lists; surnames seen once and never famous.

    A first name must be used as one (not mostly as a surname: 'Zhu', 'Tan'); a surname comes from
    the Kaggle or recent-deaths lists, appears once across all lists, never in Pantheon or the
    Nobel list (so it evokes no famous bearer) and never as a first name.
    """
    def tokens(src: str, pos: int) -> Counter[str]:
        return Counter(n.split()[pos] for n in names[src] if n.split())

    firsts, lasts, clean_firsts = Counter[str](), Counter[str](), Counter[str]()
    for src in names:
        firsts.update(tokens(src, 0))
        lasts.update(tokens(src, -1))
        if src in (NOBEL.name, PANTHEON.name, CUTOFF.name):
            clean_firsts.update(tokens(src, 0))
    famous = set(tokens(PANTHEON.name, -1)) | set(tokens(NOBEL.name, -1))
    first_pool = [w for w, n in clean_firsts.items() if n >= 5 and lasts[w] * 5 < firsts[w]
                  and re.fullmatch(r"[A-Z][a-z]{2,}", w) and w.lower() not in NAME_NOISE]
    candidates = tokens(KAGGLE.name, -1) + tokens(CUTOFF.name, -1)
    last_pool = [w for w in candidates if lasts[w] == 1 and w not in famous and w not in firsts
                 and re.fullmatch(r"[A-Z][a-z]{4,}", w)]
    return sorted(first_pool), sorted(last_pool)


def fictional_people(names: dict[str, list[str]], rng: random.Random) -> list[Item]:
    """A common first name x a rare surname, the full name absent from every people list."""
    first_pool, last_pool = name_pools(names)
    full, initials = taken_names(n for ns in names.values() for n in ns)
    common = Counter(r["description"] for r in CUTOFF.rows())  # >= 3 uses: no bears, no one-offs
    descriptions = sorted(d for d, n in common.items() if n >= 3
                          and GENERIC_DESCRIPTION.fullmatch(d) and not CRIME.search(d))
    rng.shuffle(first_pool)
    rng.shuffle(last_pool)
    items = []
    for first, last in zip(first_pool, last_pool, strict=False):
        key = name_key(f"{first} {last}")
        if key in full or (key.split()[-1], key[0]) in initials:
            continue
        name, description = f"{first} {last}", rng.choice(descriptions)
        items.append(control_item(
            f"person-{slug(name)}", DEATH_QUESTION.format(name=name, description=description),
            "date", "fictional_person", "obituaries", precision="day", subject=name,
            meta={"rule": "common first name x surname seen once (not in Pantheon or Nobel); full "
                          "name and surname + first initial absent from every people list"},
        ))  # fmt: skip
        full.add(key)
        if len(items) == N_FICTIONAL_PEOPLE:
            break
    return items


def is_title_cased(title: str) -> bool:
    return all(w[:1].isupper() or w[:1].isdigit() or w in SMALL_WORDS for w in title.split())


def title_halves(rows: Iterable[Row]) -> dict[str, list[tuple[str, str, str]]]:
    """(left, join, right) of Title Cased titles 'X for Y' with 4-7 words a side, by field."""
    halves: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: r["title"]):
        title = r["title"]
        if title.isupper() or not is_title_cased(title) or re.search(r"[:?]", title):
            continue
        for join in PAPER_JOINS:
            left, sep, right = title.partition(join)
            if sep and 4 <= len(left.split()) <= 7 and 4 <= len(right.split()) <= 7 \
                    and not GENERIC_OPENING.match(left):
                halves[r["field"]].append((left, join, right))
                break
    return halves


def fictional_papers(rng: random.Random) -> list[Item]:
    """Titles joining halves of two real titles from different fields ('X for Y'), halves once."""
    rows = PAPERS.rows()
    real = {title_key(r["title"]) for r in rows}
    halves = title_halves(rows)
    fields = sorted(halves)
    meta = {"rule": "left half of a real title + right half of a real title from another field "
                    "(4-7 words each, no generic opening); normalised title absent from the papers "
                    "list"}  # fmt: skip
    items: list[Item] = []
    used: set[str] = set()
    while len(items) < 2 * N_FICTIONAL_PAPERS:
        f_left, f_right = rng.sample(fields, 2)
        left, join, _ = rng.choice(halves[f_left])
        _, _, right = rng.choice(halves[f_right])
        title = f"{left}{join}{right}"
        key = f"paper-{slug(title)}"
        if title_key(title) in real or {left, right, key} & used:
            continue
        used |= {left, right, key}
        items += [
            control_item(f"{key}/authors", f'Who wrote the paper "{title}"?', "person",
                         "fictional_paper", "papers", subject=title, meta=meta),
            control_item(f"{key}/year", f'In what year was the paper "{title}" published?',
                         "year", "fictional_paper", "papers", subject=title, meta=meta),
        ]  # fmt: skip
    return items


def real_place_names() -> list[str]:
    """Folded lower-case names an invented country must stay away from."""
    names = list(NOT_INVENTED)
    for row in MLEDOZE.rows():
        names += [row["name_common"], row["name_official"], *row["alt_spellings"].split("|"),
                  *row["capitals"].split("|")]
        names += row["name_common"].split()
    return sorted({fold(n).lower() for n in names if len(n) > 3})


def fictional_countries(rng: random.Random) -> list[Item]:
    """Invented names shaped like country names, at edit distance >= 3 from every real one."""
    real = real_place_names()
    candidates = sorted({f"{o}{m}{e}" for o in COUNTRY_ONSETS for m in COUNTRY_MIDDLES
                         for e in COUNTRY_ENDINGS})  # fmt: skip
    rng.shuffle(candidates)
    items: list[Item] = []
    for name in candidates:
        low = name.lower()
        if UNNATURAL.search(low) or not 6 <= len(name) <= 10:
            continue
        if process.extractOne(low, real, scorer=Levenshtein.distance, score_cutoff=2):
            continue
        items.append(control_item(
            f"country-{slug(name)}", f"What is the capital of {name}?", "entity",
            "fictional_country", "capitals", subject=name,
            meta={"rule": "invented; edit distance >= 3 from every mledoze name, alt spelling and "
                          "capital and from a list of historical and fictional states"},
        ))  # fmt: skip
        real.append(low)
        if len(items) == N_FICTIONAL_COUNTRIES:
            break
    return items
