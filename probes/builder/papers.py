"""Suite papers: who wrote, and when, ML/NLP/CV papers 2012-2016 (citations are the proxy)."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from builder.bins import quantile_edges
from builder.sources import PAPERS, Row
from builder.suite import Item, Suite, edges_block, make_item
from builder.text import slug, title_key, unique_list, words

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
