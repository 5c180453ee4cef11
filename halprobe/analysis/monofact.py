"""Monofact rate: exact Good–Turing MF and its Poisson estimate from frequency proxies.

METRICS.md section 2 defines MF = N_1 / n on known training documents; section 3 estimates it
for a real model, whose training data is unknown, from each item's frequency proxy c_i.

How a proxy becomes expected training occurrences (section 3): lambda_i = kappa * c_i / scale_s.
Proxies live on different scales per suite (a capital's population counts people, a paper's
citations count papers, page views count visits), and none of them counts training documents.
So kappa is per proxy (a mapping proxy name -> kappa, with a default), and by default each
proxy is first divided by the median proxy of its suite (``scale="suite_median"``; the
median over the suite's items with the same proxy name, all bins together): then
kappa = 1 means "the suite's median item is seen once on average", kappa = 10 ten times, and
the sweep over kappa (section 3: [0.1, 10]) reads the same for every suite. ``scale="raw"``
uses lambda = kappa * c unchanged, for proxies that already count documents; corpus counts
(proxy name ``CORPUS_PROXY``) are taken raw under either scale.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

Scale = Literal["suite_median", "raw"]
KappaSpec = float | Mapping[str, float]
DEFAULT_KAPPAS = (0.1, 0.3, 1.0, 3.0, 10.0)
# The proxy name of reference-corpus co-occurrence counts (`eval --reference-corpus`): they
# count documents already, so they are always taken at the raw scale.
CORPUS_PROXY = "corpus_cooccurrence"


class PoissonEstimate(NamedTuple):
    """sr: singleton share of training mentions; u: unseen fraction; s1: singleton fraction."""

    sr: float
    u: float
    s1: float


def good_turing_mf(counts: Mapping[Hashable, int] | Iterable[int]) -> float:
    """MF = N_1 / n (METRICS.md 2) from occurrence counts per distinct factoid.

    ``counts`` is a mapping factoid -> count (``Counter("aaabccde")`` gives .375) or the
    counts alone. Factoids counted 0 times add to neither N_1 nor n. NaN when n = 0.
    """
    values = np.asarray(list(counts.values() if isinstance(counts, Mapping) else counts))
    n = int(values.sum()) if values.size else 0
    return int((values == 1).sum()) / n if n else math.nan


def occurrence_counts(documents: Iterable[Hashable]) -> Counter[Hashable]:
    """Count factoids in a stream of one-factoid documents (METRICS.md 2)."""
    return Counter(documents)


def poisson_estimates(proxies: Iterable[float], kappa: float = 1.0) -> PoissonEstimate:
    """sr, u, s1 for one stratum with occurrences ~ Poisson(kappa * c_i) (METRICS.md 3).

    sr = sum lambda e^-lambda / sum lambda; u = mean e^-lambda; s1 = mean lambda e^-lambda.
    lambda = (.5, 1, 4) (kappa 1) gives sr = .135, u = .331, s1 = .248. NaN proxies are
    ignored; an empty stratum gives NaNs, and sr is NaN when every lambda is 0.
    """
    lam = kappa * np.asarray(list(proxies), dtype=float)
    lam = lam[np.isfinite(lam)]
    if lam.size == 0:
        return PoissonEstimate(math.nan, math.nan, math.nan)
    if (lam < 0).any():
        raise ValueError("frequency proxies must be >= 0")
    singles = lam * np.exp(-lam)
    total = lam.sum()
    sr = float(singles.sum() / total) if total > 0 else math.nan
    return PoissonEstimate(sr, float(np.exp(-lam).mean()), float(singles.mean()))


def kappa_for(proxy: str | None, kappa: KappaSpec, default: float = 1.0) -> float:
    """The kappa for one proxy name: ``kappa`` itself if a number, else its entry or default."""
    if isinstance(kappa, Mapping):
        return float(kappa.get(proxy, default)) if proxy is not None else default
    return float(kappa)


def add_lambda(rows: pd.DataFrame, kappa: KappaSpec = 1.0, scale: Scale = "suite_median",
               default_kappa: float = 1.0, proxy_col: str = "popularity") -> pd.DataFrame:
    """Copy of ``rows`` with a 'lambda' column: expected training occurrences per item (section 3).

    ``rows`` needs 'suite' and ``proxy_col`` (the proxy value); a 'proxy' column (the proxy
    name) picks the kappa when ``kappa`` is a mapping. With ``scale="suite_median"`` each
    proxy is divided by the median positive proxy of the items of its suite with the same
    proxy name, over all bins, so bins keep their relative rarity. Rows without a proxy
    value get NaN and enter no estimate. Reference-corpus counts (proxy ``CORPUS_PROXY``)
    count documents already: they are never divided by a median.
    """
    out = rows.copy()
    values = pd.to_numeric(out[proxy_col], errors="coerce").astype(float)
    names = out["proxy"] if "proxy" in out else pd.Series(None, index=out.index, dtype=object)
    kappas = names.map(lambda p: kappa_for(p if isinstance(p, str) else None, kappa,
                                           default_kappa)).astype(float)
    if scale == "suite_median":
        keys = [out["suite"], names.fillna("")]
        medians = values.where(values > 0).groupby(keys).transform("median")
        values = values.where(names == CORPUS_PROXY, values / medians)
    elif scale != "raw":
        raise ValueError(f"unknown proxy scale {scale!r}: use 'suite_median' or 'raw'")
    out["lambda"] = kappas * values
    return out


def _dedupe(rows: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("suite", "item_id") if c in rows]
    return rows.drop_duplicates(subset=keys) if "item_id" in rows else rows


def monofact_table(rows: pd.DataFrame, kappa: KappaSpec = 1.0, scale: Scale = "suite_median",
                   default_kappa: float = 1.0) -> pd.DataFrame:
    """Per suite x bin: items, items with a proxy, and the Poisson sr, u, s1 (METRICS.md 3).

    One row per item is used (duplicates by item id are dropped). Columns also record the
    scale and, for a scalar kappa, kappa itself, so every figure says how it was made.
    """
    items = add_lambda(_dedupe(rows), kappa, scale, default_kappa)
    records = []
    for (suite, bin_), group in items.groupby(["suite", "bin"], sort=True):
        lam = group["lambda"].to_numpy(dtype=float)
        est = poisson_estimates(lam, 1.0)
        records.append({"suite": suite, "bin": bin_, "n_items": len(group),
                        "n_proxy": int(np.isfinite(lam).sum()),
                        "mean_lambda": float(np.nanmean(lam)) if np.isfinite(lam).any()
                        else math.nan, **est._asdict()})
    table = pd.DataFrame.from_records(records)
    table["kappa"] = kappa if not isinstance(kappa, Mapping) else math.nan
    table["scale"] = scale
    return table


def kappa_sensitivity(rows: pd.DataFrame, kappas: Iterable[float] = DEFAULT_KAPPAS,
                      base: KappaSpec = 1.0, scale: Scale = "suite_median") -> pd.DataFrame:
    """sr, u, s1 per suite x bin for each kappa in the sweep (METRICS.md 3: report sensitivity).

    Each swept kappa multiplies the per-proxy ``base`` (with the default base 1 it is the
    kappa itself). Long format: one row per suite x bin x kappa.
    """
    tables = []
    for factor in kappas:
        scaled: KappaSpec = ({k: v * factor for k, v in base.items()}
                             if isinstance(base, Mapping) else float(base) * factor)
        table = monofact_table(rows, scaled, scale, default_kappa=float(factor))
        table["kappa"] = float(factor)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)
