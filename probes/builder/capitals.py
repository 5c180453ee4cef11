"""Suite capitals: country and territory capitals, frequent facts (population is the proxy)."""

from __future__ import annotations

from typing import Any

from builder.bins import bin_of, quantile_edges
from builder.sources import MLEDOZE, Row
from builder.suite import Item, Suite, edges_block, make_item
from builder.text import to_int, unique_list, words

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
