"""The copied dataset files under probes/sources/ (SOURCE.md of each folder has the details)."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

PROBES = Path(__file__).resolve().parents[1]
Row = dict[str, str]


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
        with (PROBES / self.file).open(encoding="utf-8", newline="") as fh:
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
