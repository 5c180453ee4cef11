"""Build halprobe's probe suites (capitals, papers, obituaries, controls) from ``probes/sources/``.

    python probes/build.py [--out DIR]

Each suite gets ``<suite>/items.jsonl`` (one ProbeItem a line, sorted by id) and
``<suite>/suite.yaml`` (docs/design.md, "Probe items"). The build reads only the copies under
``probes/sources/`` (never ``../shared``), uses one fixed seed, sorts before every random choice and
never iterates a set, so two runs give byte-identical files. The rules it applies, and why, are
in ATTRIBUTION.md and in each suite.yaml description.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import math
import random
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
SEED = 20240615
VERSION = "1.0.0"
# "Answer in one sentence." keeps small chat models on the asked fact: SmolLM2-135M answers
# "What is the capital of France?" with a list of French words, but "... Answer in one
# sentence." with "The capital of France is Paris."
PROMPT_TEMPLATE = "{question} Answer in one sentence."
ITEM_KEYS = (
    "id", "suite", "question", "answer", "aliases", "answer_type", "exists", "popularity",
    "proxy", "precision", "event_date", "subject", "bin", "meta",
)  # fmt: skip
Item = dict[str, Any]
Row = dict[str, str]


# ---------------------------------------------------------------------------------------------
# Sources (SOURCE.md of each folder under probes/sources/ has the details)


@dataclass(frozen=True)
class Source:
    """One copied dataset file, with what suite.yaml must say about where it came from."""

    name: str
    file: str
    repo: str
    commit: str
    license: str

    @functools.cache  # noqa: B019 - a few module-level sources, read once per build
    def rows(self, delimiter: str = ",") -> list[Row]:
        """The file's rows (cached: several suites read the same file; never mutate them)."""
        with (HERE / self.file).open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh, delimiter=delimiter))

    def manifest(self) -> dict[str, str]:
        return {"name": self.name, "file": self.file, "repo": self.repo,
                "commit": self.commit, "license": self.license}  # fmt: skip


MLEDOZE = Source(
    "mledoze-countries", "sources/mledoze-countries/countries_capitals.csv",
    "github.com/mledoze/countries", "5e9f370050f83ad2ba4cb885f75d66114badf72c", "ODbL-1.0",
)  # fmt: skip
PAPERS = Source(
    "citations-count-ml-nlp-cv", "sources/citations-count-ml-nlp-cv/papers_citations.csv",
    "github.com/frederick0329/Citations-Count", "12969a6503a29caac7ad13c7b0cdced2c1a34a93",
    "none stated (public proceedings metadata; counts scraped from Google Scholar)",
)  # fmt: skip
NOBEL = Source(
    "nobel-laureates", "sources/nobel-laureates/laureates.csv",
    "github.com/cicadatatw/nobel-viz", "9a92d6b202f252a8173cd6cdca96a96fe053a288",
    "none stated (upstream nobelprize.org API data, believed CC0)",
)  # fmt: skip
CUTOFF = Source(
    "cutoffdate-deaths", "sources/cutoffdate-deaths/deaths_2020_2025_pageviews.csv",
    "github.com/boasbakker/CutoffDateTesting", "b77afd119026c7b7fe5e4e1f709499819fc7dc74",
    "none stated (facts from English Wikipedia 'Deaths in' lists, CC BY-SA 4.0)",
)  # fmt: skip
KAGGLE = Source(
    "kaggle-celebrity-deaths", "sources/kaggle-celebrity-deaths/celebrity_deaths_2006_2016.csv",
    "github.com/Ram-N/lifespans", "98881648f8d39e4dc20dfe4313075a4864feab60",
    "none stated (Kaggle dataset celebrity-deaths by Hugo Darwood)",
)  # fmt: skip
PANTHEON = Source(
    "pantheon-1.0", "sources/pantheon-1.0/pantheon.tsv",
    "github.com/Ram-N/lifespans", "98881648f8d39e4dc20dfe4313075a4864feab60",
    "none stated (Pantheon 1.0, Yu et al. 2016, Harvard Dataverse doi:10.7910/DVN/28201)",
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Small shared helpers


def make_item(**fields: Any) -> Item:
    """A ProbeItem record with every key, in the order items.jsonl promises."""
    unknown = set(fields) - set(ITEM_KEYS)
    if unknown:
        raise ValueError(f"unknown item keys: {sorted(unknown)}")
    defaults: Item = {"exists": True, "aliases": [], "meta": {}}
    return {key: fields.get(key, defaults.get(key)) for key in ITEM_KEYS}


def fold(text: str) -> str:
    """Strip accents, so names and titles compare across sources that spell them differently."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


NAME_NOISE = {"sir", "dame", "lord", "lady", "dr", "prof", "jr", "sr", "ii", "iii", "iv"}


@functools.cache
def name_key(name: str) -> str:
    """Normalised person name: folded, lower case, no honorifics, suffixes or initials."""
    tokens = re.findall(r"[a-z0-9]+", fold(name).lower())
    return " ".join(t for t in tokens if len(t) > 1 and t not in NAME_NOISE)


def title_key(title: str) -> str:
    """Normalised paper title: letters and digits only, so casing and punctuation never split."""
    return re.sub(r"[^a-z0-9]", "", fold(title).lower())


def slug(text: str, max_len: int = 48) -> str:
    """Stable, readable id part (ASCII, lower case, dashes)."""
    s = re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-")[:max_len].rstrip("-")
    return s or "x"


def to_int(text: str) -> int | None:
    text = text.strip()
    return int(float(text)) if text else None


def unique_list(values: Iterable[str]) -> list[str]:
    """Values in first-seen order, without repeats or empties."""
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return out


def words(text: str) -> frozenset[str]:
    """A set of words written as one string (long constant tables stay readable)."""
    return frozenset(text.split())


def near(a: str, b: str, limit: int) -> bool:
    """Whether the edit distance of a and b is below `limit` (banded: stops once it cannot be)."""
    if abs(len(a) - len(b)) >= limit:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) >= limit:
            return False
        prev = cur
    return prev[-1] < limit


# ---------------------------------------------------------------------------------------------
# Frequency bins (suite.yaml `bins`; the loader recomputes bins of items with a popularity)


def scaled(value: float, scale: str) -> float:
    return math.log10(1 + value) if scale == "log10p1" else math.log10(value)


def quantile_edges(values: Sequence[float], scale: str) -> list[float]:
    """Six edges = five equal-count bins of the scaled proxy.

    Rounded to 4 decimals; the outer edges are rounded outwards so that the smallest and the
    largest item still fall inside bins 0 and 4.
    """
    x = sorted(scaled(v, scale) for v in values)
    inner = statistics.quantiles(x, n=5, method="inclusive")  # numpy's default 'linear' method
    return [
        round(math.floor(x[0] * 1e4) / 1e4, 4),
        *(round(q, 4) for q in inner),
        round(math.ceil(x[-1] * 1e4) / 1e4, 4),
    ]


def bin_of(value: float, edges: Sequence[float], scale: str) -> int:
    """Bin i holds edges[i] <= x < edges[i+1] (the last bin is closed); outside values clamp."""
    x = scaled(value, scale)
    for i in range(len(edges) - 2):
        if x < edges[i + 1]:
            return i
    return len(edges) - 2


def bin_counts(items: Sequence[Item], edges: dict[str, list[float]], scale: str) -> Counter[int]:
    """Items per bin, whether the bin is explicit or follows from the popularity."""
    counts: Counter[int] = Counter()
    for it in items:
        if it["bin"] is not None:
            counts[it["bin"]] += 1
        elif it["popularity"] is not None:
            counts[bin_of(it["popularity"], edges[it["proxy"]], scale)] += 1
    return counts


# ---------------------------------------------------------------------------------------------
# Output


class _Flow(list):
    """A YAML list written on one line (bin edges)."""


class _FlowMap(dict):
    """A YAML mapping written on one line (a source)."""


class _Folded(str):
    """A long YAML string written as a folded block (descriptions)."""

    __slots__ = ()


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
_Dumper.add_representer(
    _FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True)
)
_Dumper.add_representer(
    _Folded, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style=">")
)


# docs/metrics.md 3: levels are compared only for arbitrary facts (no pattern predicts them).
# Capitals are closer to systematic (many are the largest or best-known city); controls state
# no fact at all, so no level is compared for them either way.
FACT_KINDS = {"capitals": "systematic", "controls": "systematic", "obituaries": "arbitrary",
              "papers": "arbitrary"}


@dataclass
class Suite:
    """One built suite: its items plus what goes into suite.yaml."""

    name: str
    description: str
    proxy: Any
    bins: dict[str, Any]
    sources: list[Source]
    items: list[Item] = field(default_factory=list)

    def manifest(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": VERSION,
            "description": _Folded(" ".join(self.description.split())),
            "fact_kind": FACT_KINDS[self.name],
            "prompt": {"system": None, "template": PROMPT_TEMPLATE},
            "proxy": self.proxy,
            "bins": self.bins,
            "sources": [_FlowMap(s.manifest()) for s in self.sources],
            "build": "python probes/build.py",
        }

    def write(self, out: Path) -> None:
        items = sorted(self.items, key=lambda it: it["id"])
        ids = [it["id"] for it in items]
        if len(set(ids)) != len(ids):
            dupes = sorted(k for k, n in Counter(ids).items() if n > 1)
            raise ValueError(f"{self.name}: duplicate ids {dupes[:5]}")
        folder = out / self.name
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "items.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
            for it in items:
                fh.write(json.dumps(it, ensure_ascii=False) + "\n")
        text = yaml.dump(self.manifest(), Dumper=_Dumper, sort_keys=False,
                         allow_unicode=True, width=100)  # fmt: skip
        (folder / "suite.yaml").write_text(text, encoding="utf-8", newline="\n")


def edges_block(edges: list[float], scale: str) -> dict[str, Any]:
    return {"scale": scale, "edges": _Flow(edges)}


# ---------------------------------------------------------------------------------------------
# Suite: capitals

# Other capitals a careful human grader accepts, beyond mledoze's `capitals` column (mledoze
# SOURCE.md "ground-truth caveats", and the same rule applied elsewhere: a city that reference
# works call a capital of some kind is accepted; a mere seat of government or former capital is
# not).
CAPITAL_ALTERNATIVES: dict[str, tuple[tuple[str, ...], str]] = {
    "BOL": (("La Paz",), "Sucre is the constitutional capital and La Paz the seat of government, "
            "widely called the administrative capital: both accepted."),
    "LKA": (("Sri Jayawardenepura Kotte", "Sri Jayawardenepura", "Kotte"),
            "Colombo is the executive and commercial capital, Sri Jayawardenepura Kotte the "
            "official (legislative) capital: both accepted."),
    "CIV": (("Abidjan",), "Yamoussoukro is the official capital since 1983; Abidjan, the former "
            "capital, is still the de facto administrative centre: both accepted."),
    "SWZ": (("Mbabane",), "Lobamba is the royal and legislative capital, Mbabane the "
            "administrative capital: both accepted."),
    "PSE": (("East Jerusalem", "Jerusalem"), "Ramallah is the administrative seat; (East) "
            "Jerusalem is the proclaimed capital: both accepted."),
    "BDI": (("Bujumbura",), "Gitega is the political capital since 2019; Bujumbura, the capital "
            "before, is by the same law the economic capital: both accepted."),
    "MSR": (("Brades",), "Plymouth is the de jure capital, abandoned after the 1995-97 eruptions; "
            "Brades is the de facto capital: both accepted."),
    "TKL": (("Atafu", "Nukunonu"), "Tokelau has no official capital; the administrative seat "
            "rotates among Fakaofo, Atafu and Nukunonu: all accepted."),
    "ATF": (("Saint-Pierre",), "Port-aux-Français is the main station; the territory is "
            "administered from Saint-Pierre, Réunion: both accepted."),
}  # fmt: skip

# Cities a grader might be tempted to accept but that are not capitals: recorded in meta.note only.
CAPITAL_NOT_ACCEPTED: dict[str, str] = {
    "NLD": "The Hague is the seat of government, not the capital (the constitution names "
           "Amsterdam): not accepted.",
    "BEN": "Cotonou is the seat of government and largest city, not the capital: not accepted.",
    "ISR": "Jerusalem's status is disputed and most embassies are in Tel Aviv, but Tel Aviv is "
           "no capital: not accepted.",
    "MYS": "Putrajaya is the federal administrative centre, not the capital: not accepted.",
    "TZA": "Dar es Salaam is the former capital (Dodoma since 1996): not accepted.",
    "NGA": "Lagos is the former capital (Abuja since 1991): not accepted.",
}  # fmt: skip

# Other names of the same city: established English spellings and transliterations, and a recent
# official name (Nur-Sultan, 2019-2022). Accent-only variants are left to the matcher's normaliser.
CAPITAL_SPELLINGS: dict[str, tuple[str, ...]] = {
    "UKR": ("Kiev",),
    "KAZ": ("Nur-Sultan",),
    "MMR": ("Nay Pyi Taw", "Naypyitaw"),
    "MNG": ("Ulaanbaatar",),
    "YEM": ("Sanaa",),
    "ESH": ("Laayoune",),
    "UNK": ("Prishtina",),
    "KIR": ("Tarawa",),
    "USA": ("Washington", "Washington, D.C.", "Washington DC"),
    "GUM": ("Agana",),  # the official name until 1998
    "PYF": ("Papeete",),  # mledoze writes "Papeetē"
    "SMR": ("San Marino",),
    "GGY": ("Saint Peter Port",),
    "GRD": ("Saint George's",),
    "ATG": ("St. John's",),
    "TTO": ("Port-of-Spain",),
}

# Rows left out: Hong Kong has no capital (mledoze's "City of Victoria" is historical).
CAPITAL_DROP = {"HKG": "no official capital"}

# Rough populations for the three territories without a World Bank figure that lie above the first
# edge (about 450,000); they set the explicit bin only, popularity stays null. Every other territory
# without a World Bank figure has far fewer people (Guadeloupe, about 380,000, is the largest) and
# gets bin 0.
APPROX_POPULATION = {"TWN": 23_400_000, "REU": 880_000, "ESH": 600_000}

# How a country is named in the question: "the" where English uses it, and a clearer name where
# mledoze's short one is ambiguous (Congo: two countries; Georgia: also a US state).
QUESTION_NAMES = {
    "COG": "the Republic of the Congo", "COD": "the Democratic Republic of the Congo",
    "GEO": "Georgia (the country)", "FSM": "the Federated States of Micronesia",
}  # fmt: skip
THE_NAMES = words(
    "NLD USA GBR BHS GMB PHL CAF DOM ARE MHL SLB CYM FLK FRO COK CCK VGB VIR MNP PCN TCA ALA IMN "
    "MDV COM IOT ATF BES"
)

POPULATION_DESCRIPTION = (
    "World Bank total population (latest year, mostly 2024); a proxy for how often a country "
    "and its capital appear in text."
)


def capital_answers(row: Row) -> tuple[str, list[str], str | None]:
    """The gold capital, every accepted answer, and a note on the judgement calls."""
    cca3 = row["cca3"]
    capitals = row["capitals"].split("|")
    extra, note = CAPITAL_ALTERNATIVES.get(cca3, ((), None))
    if note is None:
        note = CAPITAL_NOT_ACCEPTED.get(cca3)
    if len(capitals) > 1 and note is None:
        note = f"{len(capitals)} capitals; all accepted."
    aliases = unique_list([*capitals, *extra, *CAPITAL_SPELLINGS.get(cca3, ())])
    return capitals[0], aliases, note


def capital_item(row: Row, edges: list[float]) -> Item:
    answer, aliases, note = capital_answers(row)
    population = to_int(row["population_wb"])
    explicit_bin = None
    meta: dict[str, Any] = {
        "source": MLEDOZE.name,
        "cca2": row["cca2"],
        "name_official": row["name_official"],
        "region": row["region"],
        "subregion": row["subregion"],
        "independent": row["independent"] == "True",
        "un_member": row["un_member"] == "True",
        "population_year": to_int(row["population_year"]),
    }
    if population is None:
        approx = APPROX_POPULATION.get(row["cca3"])
        explicit_bin = 0 if approx is None else bin_of(approx, edges, "log10")
        meta["population_approx"] = approx
        meta["bin_rule"] = "no World Bank population: explicit bin from population_approx, or 0"
    if note:
        meta["note"] = note
    name = row["name_common"]
    asked = QUESTION_NAMES.get(row["cca3"]) or (
        f"the {name}" if row["cca3"] in THE_NAMES else name
    )
    return make_item(
        id=f"capitals/{row['cca3']}", suite="capitals",
        question=f"What is the capital of {asked}?", answer=answer, aliases=aliases,
        answer_type="entity", popularity=population, proxy="population_wb" if population else None,
        subject=name, bin=explicit_bin, meta=meta,
    )  # fmt: skip


def build_capitals() -> Suite:
    """Country and territory capitals: frequent facts; population is the frequency proxy."""
    rows = MLEDOZE.rows()
    kept = [r for r in rows if r["capitals"] and r["cca3"] not in CAPITAL_DROP]
    no_capital = sorted(r["cca3"] for r in rows if not r["capitals"])
    populations = [float(r["population_wb"]) for r in kept if r["population_wb"]]
    edges = quantile_edges(populations, "log10")
    items = [capital_item(r, edges) for r in kept]
    no_pop = [it for it in items if it["popularity"] is None]
    description = f"""
        What is the capital of each country and territory in mledoze/countries ({len(items)} of
        {len(rows)} rows). Aliases hold every capital listed (South Africa: three) plus the
        alternatives a careful grader accepts (mledoze SOURCE.md caveats: Bolivia La Paz, Sri Lanka
        Sri Jayawardenepura Kotte, Ivory Coast Abidjan, Palestine (East) Jerusalem; also Eswatini
        Mbabane, Burundi Bujumbura, Montserrat Brades) and established spellings (Kyiv/Kiev,
        Astana/Nur-Sultan); The Hague, Cotonou, Putrajaya and Tel Aviv are not accepted (meta.note).
        Dropped: {len(no_capital)} rows without a capital ({", ".join(no_capital)}) and Hong Kong
        (no official capital). {len(no_pop)} items have no World Bank population: they keep
        popularity null and get an explicit bin (0, except Taiwan, Réunion and Western Sahara,
        binned from a rough population in meta.population_approx). Bins are quintiles of
        log10(population).
    """
    return Suite(
        name="capitals", description=description,
        proxy={"name": "population_wb", "description": POPULATION_DESCRIPTION},
        bins=edges_block(edges, "log10"), sources=[MLEDOZE], items=items,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Suite: papers

# NIPS 2015 and 2016 list authors as "Name*, Affiliation; Name, Affiliation;" (SOURCE.md).
AFFILIATION_STYLE = {("NIPS", "2015"), ("NIPS", "2016")}
# One row whose first author slipped into the title: (wrong title) -> (title, missing author).
TITLE_FIXES = {
    "GIS-assisted Object Detection and geospatial localization, Shervin Ardeshir": (
        "GIS-assisted Object Detection and geospatial localization", "Shervin Ardeshir"),
}  # fmt: skip
# Parts of an author cell that are affiliations, not people (ECCV 2014 writes "Name, Adobe, ...").
AFFILIATION = re.compile(
    r"\b(?:Univ\w*|Institut\w*|Research|Labs?|Inc|Tech|Corp\w*|Systems|Google|Microsoft|Adobe|"
    r"Caltech|Daimler|OpenAI|Facebook|IBM|NEC|Intel|Disney|Toyota|Siemens|Yahoo|Amazon|Baidu|"
    r"Xerox|INRIA|CNRS|MIT|CMU|ETH|EPFL|TTIC|NICTA|Stanford|Berkeley|Oxford|Cambridge|Queen|School|"
    r"Solutions|Co|Ltd)\b"
)
MONONYMS = frozenset({"Mausam"})  # authors known by one name
NAME_PARTICLES = words("van von der den de del della di da dos das du le la ten ter bin al")
SMALL_WORDS = words("a an and as at but by for from in into nor of on or per the to via vs with")
CITATIONS_DESCRIPTION = (
    "Google Scholar citation count as of June 2017; a proxy for how often a paper and its "
    "authors are mentioned in text."
)


@functools.cache
def split_authors(raw: str, venue: str, year: str) -> tuple[str, ...]:
    """Individual author names from one `authors` cell.

    Separators vary (',', ' and ', ';'); affiliations come in parentheses (ECCV, some CVPR/ICCV)
    or after the name (NIPS 2015-16). ALL-CAPS names (ACL 2013) are title-cased.
    """
    text = raw.replace("%u2013", "-")
    while re.search(r"\([^()]*\)", text):
        text = re.sub(r"\s*\([^()]*\)", "", text)
    if (venue, year) in AFFILIATION_STYLE:
        parts = [seg.split(",")[0] for seg in text.split(";")]
    else:
        parts = re.split(r"[,;]|\s+and\s+", text)
    names = [clean_author(part) for part in parts]
    return tuple(unique_list(n for n in names if n and not AFFILIATION.search(n)))


def clean_author(part: str) -> str:
    """One author name, or '' for debris (mojibake, fragments); fixes case and lost spaces."""
    name = re.sub(r"\s+", " ", re.sub(r"[*()]", " ", part.split("(")[0])).strip(" ,")
    if re.search(r"ï¿½|Ë|Ã|Â", name) or not name[:1].isalpha() or re.match(r"\w(?: |$)", name):
        return ""  # mojibake, or a fragment of a name split at an accent ("l Martì")
    if " " not in name and name not in MONONYMS:
        return ""  # a lone first name or a place ("Satinder", "Madison"): would match too much
    if name.replace(" ", "").replace(".", "").isupper():
        name = name.title()
    glued = re.fullmatch(r"([A-Z][a-z]+)([A-Z][a-z]+)", name)  # "WilliamFreeman"
    if glued:
        name = f"{glued[1]} {glued[2]}"
    words = [w if w in NAME_PARTICLES else w[:1].upper() + w[1:] for w in name.split(" ")]
    return " ".join(words)


def acronyms_from(titles: Iterable[str]) -> frozenset[str]:
    """Words that mixed-case titles write in capitals (NLP, SMT, CRF), to keep when title-casing."""
    upper: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for title in titles:
        if title.isupper():
            continue
        for word in re.findall(r"[A-Za-z][A-Za-z0-9]+", title):
            (upper if word.isupper() else other)[word.upper()] += 1
    return frozenset(w for w, n in upper.items() if n > other[w])


def title_case(title: str, acronyms: frozenset[str]) -> str:
    """Title case for ALL-CAPS titles; small words stay lower case except first or after ':'."""
    out: list[str] = []
    for i, word in enumerate(title.lower().split()):
        first = i == 0 or out[-1].endswith(":")
        pieces = []
        for piece in word.split("-"):
            core = piece.strip(":,.?!\"'()")
            if core.upper() in acronyms:
                pieces.append(piece.replace(core, core.upper()))
            elif piece in SMALL_WORDS and not first:
                pieces.append(piece)
            else:
                pieces.append(piece[:1].upper() + piece[1:])
            first = False
        out.append("-".join(pieces))
    return " ".join(out)


def load_papers() -> tuple[list[Row], int]:
    """Rows with citations and authors, one per normalised title (the most cited wins)."""
    rows = PAPERS.rows()
    usable = []
    for row in rows:
        if row["title"] in TITLE_FIXES:
            title, author = TITLE_FIXES[row["title"]]
            row = {**row, "title": title, "authors": f"{author}, {row['authors']}",
                   "fixed": "title held the first author"}  # fmt: skip
        if row["citations_gs_2017"].strip() != "-1" and row["authors"].strip():
            usable.append(row)
    usable.sort(key=lambda r: (-int(r["citations_gs_2017"]), r["venue"], r["year"], r["title"]))
    best: dict[str, Row] = {}
    for row in usable:
        best.setdefault(title_key(row["title"]), row)
    return list(best.values()), len(rows)


def paper_items(row: Row, acronyms: frozenset[str], key: str) -> list[Item]:
    """The two questions asked of one paper: who wrote it, and in what year."""
    original = row["title"]
    title = title_case(original, acronyms) if original.isupper() else original
    names = split_authors(row["authors"], row["venue"], row["year"])
    answer = ", ".join(names)
    common = {"suite": "papers", "popularity": int(row["citations_gs_2017"]),
              "proxy": "citations_gs_2017", "subject": title}  # fmt: skip
    meta: dict[str, Any] = {"source": PAPERS.name, "venue": row["venue"], "year": int(row["year"]),
                            "field": row["field"]}  # fmt: skip
    if title != original:
        meta["title_original"] = original
    if "fixed" in row:
        meta["note"] = row["fixed"]
    authors = make_item(
        id=f"papers/{key}/authors", question=f'Who wrote the paper "{title}"?', answer=answer,
        aliases=unique_list([answer, *names]), answer_type="person",
        meta={**meta, **({"authors_raw": row["authors"]} if answer != row["authors"] else {})},
        **common,
    )  # fmt: skip
    year = make_item(
        id=f"papers/{key}/year", question=f'In what year was the paper "{title}" published?',
        answer=row["year"], aliases=[row["year"]], answer_type="year", meta=meta, **common,
    )  # fmt: skip
    return [authors, year] if names else [year]


def paper_keys(rows: Sequence[Row]) -> list[str]:
    """`<venue><year>-<title slug>`; a clash (none today) gets a numeric suffix."""
    keys: list[str] = []
    seen: Counter[str] = Counter()
    for row in rows:
        base = f"{row['venue'].lower()}{row['year']}-{slug(row['title'])}"
        seen[base] += 1
        keys.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return keys


def build_papers() -> Suite:
    """ML/NLP/CV papers 2012-2016: mid-frequency facts; citations are the frequency proxy."""
    rows, n_rows = load_papers()
    rows.sort(key=lambda r: (r["venue"], r["year"], title_key(r["title"])))
    acronyms = acronyms_from(r["title"] for r in rows)
    items = [it for row, key in zip(rows, paper_keys(rows), strict=True)
             for it in paper_items(row, acronyms, key)]  # fmt: skip
    edges = quantile_edges([float(r["citations_gs_2017"]) for r in rows], "log10p1")
    n_caps = sum(1 for r in rows if r["title"].isupper())
    description = f"""
        Who wrote, and in what year was published, each of {len(rows)} papers from NIPS, ICML, ACL,
        EMNLP, CVPR, ICCV and ECCV 2012-2016 ({len(items)} items, two per paper). From {n_rows}
        rows: dropped those with citations -1 (not found) or no authors, and kept the most cited
        row per normalised title. Authors: answer is the cleaned author list, aliases each author
        (split on ',', ' and ', ';'; affiliations removed; the NIPS 2015-16 "Name, Affiliation;"
        style handled). Year is the conference year (an arXiv preprint may be a year earlier).
        {n_caps} ALL-CAPS titles (ACL 2015) are title-cased in the question (meta.title_original).
        Bins are quintiles of log10(1 + citations), since some papers have 0 citations.
    """
    return Suite(
        name="papers", description=description,
        proxy={"name": "citations_gs_2017", "description": CITATIONS_DESCRIPTION},
        bins=edges_block(edges, "log10p1"), sources=[PAPERS], items=items,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Suite: obituaries

DEATH_QUESTION = "On what date did {name}, {description}, die?"
MONTH_QUESTION = "In what month and year did {name}, {description}, die?"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")  # fmt: skip
PRIZE_NAMES = {"physics": "Physics", "chemistry": "Chemistry", "medicine": "Physiology or Medicine",
               "literature": "Literature", "economics": "Economic Sciences", "peace": "Peace"}
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
        bins={"scale": "log10", "edges": {p: _Flow(e) for p, e in edges.items()}},
        sources=[NOBEL, CUTOFF, KAGGLE], items=[d.item() for d in deaths],
    )  # fmt: skip
    return Obituaries(suite=suite, edges=edges)


# ---------------------------------------------------------------------------------------------
# Suite: controls (exists=false: the only right answer is to abstain)

N_FICTIONAL_PEOPLE = 80
N_FICTIONAL_PAPERS = 40  # two items each
N_FICTIONAL_COUNTRIES = 60
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


def control_item(key: str, question: str, answer_type: str, kind: str, mimics: str,
                 bin_: int = 0, **extra: Any) -> Item:  # fmt: skip
    """An exists=false item: no answer, no aliases, an explicit bin."""
    meta = {"kind": kind, "mimics": mimics, **extra.pop("meta", {})}
    return make_item(
        id=f"controls/{key}", suite="controls", question=question, answer=None, aliases=[],
        answer_type=answer_type, exists=False, bin=bin_, meta=meta, **extra,
    )  # fmt: skip


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
        if any(near(low, r, 3) for r in real):
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


# ---------------------------------------------------------------------------------------------


def summary(suite: Suite) -> str:
    """One line per suite for the console: items and items per bin."""
    bins = suite.bins
    if "edges" in bins:
        edges = bins["edges"] if isinstance(bins["edges"], dict) else {
            suite.proxy["name"]: bins["edges"]}  # fmt: skip
        counts = bin_counts(suite.items, edges, bins["scale"])
    else:
        counts = Counter(it["bin"] for it in suite.items)
    per_bin = " ".join(f"{b}:{counts[b]}" for b in range(5))
    return f"{suite.name:<11} {len(suite.items):>6} items  bins {per_bin}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default probes/)")
    args = parser.parse_args(argv)
    obituaries = build_obituaries(random.Random(SEED))
    suites = [
        build_capitals(),
        build_papers(),
        obituaries.suite,
        build_controls(obituaries, random.Random(SEED + 1)),
    ]
    for suite in suites:
        suite.write(args.out)
        print(summary(suite))


if __name__ == "__main__":
    main()
