"""Anchoring a frequency proxy on exact counts: kappa, lambda and the levels (docs/metrics.md 3).

A proxy c_i (population, citations, page views) only ranks items: its units say nothing
about how many training documents state a fact. A monofact LEVEL (sr, u, s1, MF) needs an
anchor: exact counts n_i of documents where subject and answer co-occur, from a reference
corpus (``--reference-corpus``: a local corpus, or a count source for an index of a real
pretraining corpus) for all items or a sample of them. Then, per suite and proxy,

    kappa = sum n_i / sum c_i   (Poisson MLE of lambda_i = kappa c_i over the counted items)

with a percentile bootstrap CI over the counted items, and lambda_i = kappa c_i for every
item with a proxy. Where every item of a stratum is counted, MF = N_1 / n exactly (N_1 items
counted once, n all their mentions). Without counts there is no kappa, no lambda and no level:
only rank statistics (``analysis.ranks``).

Rows carry the suite proxy in ``popularity`` and the count in ``corpus_count`` (NaN where the
item was not counted); ``anchor`` names where the counts came from.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from halprobe.analysis.monofact import good_turing_mf, poisson_estimates
from halprobe.analysis.stats import N_RESAMPLES

COUNT_COL = "corpus_count"
ANCHOR_COL = "anchor"
NO_ANCHOR = "none: proxy ranks only"


class Kappa(NamedTuple):
    """kappa with its 95% bootstrap CI, and how many items anchored it."""

    kappa: float
    low: float
    high: float
    n_counted: int


def fit_kappa(proxy: np.ndarray, counts: np.ndarray, n_resamples: int = N_RESAMPLES,
              seed: int = 0) -> Kappa:
    """kappa = sum n_i / sum c_i over items with both a proxy and a count (docs/metrics.md 3).

    The CI resamples those items (10,000 draws, percentiles, docs/metrics.md 6). Counts
    (2, 0, 4) on proxies (1, 2, 3) give kappa = 1.
    """
    c, n = np.asarray(proxy, dtype=float), np.asarray(counts, dtype=float)
    keep = np.isfinite(c) & np.isfinite(n) & (c >= 0)
    c, n = c[keep], n[keep]
    if not c.size or c.sum() <= 0:
        return Kappa(math.nan, math.nan, math.nan, int(c.size))
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(c.size, np.full(c.size, 1 / c.size), size=n_resamples)
    with np.errstate(invalid="ignore", divide="ignore"):
        boot = (draws @ n) / (draws @ c)
    boot = boot[np.isfinite(boot)]
    low, high = (np.percentile(boot, [2.5, 97.5]) if boot.size else (math.nan, math.nan))
    return Kappa(float(n.sum() / c.sum()), float(low), float(high), int(c.size))


def is_anchored(rows: pd.DataFrame) -> bool:
    """Whether any row has an exact count to anchor on."""
    return COUNT_COL in rows and bool(
        np.isfinite(pd.to_numeric(rows[COUNT_COL], errors="coerce").astype(float)).any())


def anchor_name(rows: pd.DataFrame) -> str:
    """The anchor's name (the reference corpus), or ``NO_ANCHOR``."""
    if not is_anchored(rows):
        return NO_ANCHOR
    names = rows[ANCHOR_COL].dropna().astype(str).unique() if ANCHOR_COL in rows else []
    return "+".join(sorted(names)) or "exact counts"


def _proxy_names(rows: pd.DataFrame) -> pd.Series:
    names = rows["proxy"] if "proxy" in rows else pd.Series(None, index=rows.index)
    return names.where(names.notna(), "").astype(str)


def kappa_table(rows: pd.DataFrame, n_resamples: int = N_RESAMPLES) -> pd.DataFrame:
    """Per suite and proxy name: kappa, its CI and the items that anchored it (one row an
    item; empty without counts)."""
    columns = ["suite", "proxy", "kappa", "kappa_low", "kappa_high", "n_anchor", "anchor"]
    if not is_anchored(rows):
        return pd.DataFrame(columns=columns)
    items = rows.drop_duplicates("item_id") if "item_id" in rows else rows
    items = items[np.isfinite(pd.to_numeric(items["popularity"], errors="coerce").astype(float))]
    records = []
    for (suite, proxy), group in items.groupby([items["suite"], _proxy_names(items)],
                                              sort=True):
        fit = fit_kappa(pd.to_numeric(group["popularity"], errors="coerce").to_numpy(float),
                        pd.to_numeric(group[COUNT_COL], errors="coerce").to_numpy(float),
                        n_resamples)
        records.append({"suite": suite, "proxy": proxy, "kappa": fit.kappa,
                        "kappa_low": fit.low, "kappa_high": fit.high,
                        "n_anchor": fit.n_counted, "anchor": anchor_name(group)})
    return pd.DataFrame.from_records(records, columns=columns)


def with_anchored_lambda(rows: pd.DataFrame, kappas: pd.DataFrame) -> pd.DataFrame:
    """Rows with 'lambda' = kappa c_i from ``kappa_table`` (NaN without a kappa or proxy)."""
    out = rows.copy()
    proxy = pd.to_numeric(out["popularity"], errors="coerce").astype(float) \
        if "popularity" in out else pd.Series(math.nan, index=out.index)
    if not len(kappas):
        out["lambda"] = math.nan
        return out
    keyed = kappas.set_index(["suite", "proxy"])["kappa"]
    keys = pd.MultiIndex.from_arrays([out["suite"], _proxy_names(out)])
    out["lambda"] = proxy.to_numpy() * keyed.reindex(keys).to_numpy(dtype=float)
    return out


def stratum_levels(group: pd.DataFrame) -> dict[str, float | int]:
    """sr, u, s1 from the anchored lambdas of one stratum, and MF = N_1 / n where every item
    of it is counted (docs/metrics.md 3); NaN where the stratum has no anchored lambda."""
    items = group.drop_duplicates("item_id") if "item_id" in group else group
    lam = pd.to_numeric(items.get("lambda"), errors="coerce").to_numpy(dtype=float) \
        if "lambda" in items else np.full(len(items), math.nan)
    finite = np.isfinite(lam)
    est = poisson_estimates(lam[finite], 1.0)
    counts = (pd.to_numeric(items[COUNT_COL], errors="coerce").to_numpy(dtype=float)
              if COUNT_COL in items else np.full(len(items), math.nan))
    every = len(items) > 0 and bool(np.isfinite(counts).all())
    return {"n_proxy": int(finite.sum()),
            "mean_lambda": float(lam[finite].mean()) if finite.any() else math.nan,
            "monofact_sr": est.sr, "monofact_u": est.u, "monofact_s1": est.s1,
            "monofact_exact": good_turing_mf(counts.astype(int)) if every else math.nan,
            "n_counted": int(np.isfinite(counts).sum())}
