"""`halprobe synth --check-estimators`: every real-model estimator against the exact value the
synthetic world knows (docs/metrics.md 3, 4 and 7).

For each world and model (``backend.SynthSpec``) it writes a suite of "When did X die?"
questions about distinct people drawn from the world's document distribution p (fact_kind
arbitrary; proxy c = p x 10^6 "views", or that times lognormal noise; bins = proxy
quintiles), writes the world's training documents as a reference corpus, and runs the very
same code a real model goes through: ``pipeline`` (runner, cache, grader, ``--samples K``,
``--reference-corpus`` counted by the Aho–Corasick counter) and ``analysis.summary``. Then,
per proxy bin and overall, each estimate beside the exact value of the model's belief:
- mis: sampled Mis (K samples) vs Mis of the exact g (docs/metrics.md 4), with its interval;
- mis_literal: the literal (1 - U) f reading of docs/metrics.md 4 (``calibration.sampled_g``),
  reported to show its bias;
- sampled_hr: HR of the temperature-1 samples vs 1 - g(gold) - g(IDK) averaged;
- kappa, sr, u, s1: anchored on the counts vs lambda_i = n p_i (exact kappa = n / 10^6);
- mf: N_1 / n over the stratum's items, from the corpus counts vs the training counts;
- bound: max(0, MF - Mis) from estimates vs from exact values, and whether each holds;
- spearman, logit_slope: rank statistics of the greedy answers vs the exact greedy HR.

With ``m3_steps`` the check adds M3, the tiny transformer (``m3_backend``), trained on each
world. Its exact values come from the network itself, not from samples: g(gold) teacher-forced,
every date with g >= 0.1 found by a pruned walk over its date tokens (all that Mis with 10 bins
needs: the rest is in the lowest bin), and its greedy answer (``M3Oracle``).
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from halprobe.analysis.calibration import generative_miscalibration, sampled_miscalibration
from halprobe.analysis.monofact import good_turing_mf, poisson_estimates
from halprobe.analysis.sampling import item_mis_inputs
from halprobe.analysis.stats import logit, spearman
from halprobe.synth.backend import Belief, belief_of
from halprobe.synth.spec import SynthSpec
from halprobe.synth.world import DAYS, World, date_text

if TYPE_CHECKING:  # torch loads only when M3 is checked
    from halprobe.synth.m3_backend import DateBelief

SCALE = 1e6  # proxy = p x SCALE ("views"): exact kappa = n / SCALE
COLUMNS = ["world", "model", "quantity", "exact", "estimate", "low", "high"]
N_BINS = 5


@dataclass(frozen=True)
class CheckConfig:
    """The worlds and models of the check; small by default (seconds a world)."""

    alphas: tuple[float, ...] = (0.5, 1.0)
    n: int = 2000
    people: int = 4000
    seeds: int = 1
    items: int = 300
    k: int = 20
    noise: float = 0.0  # sigma of the lognormal proxy noise (0: the clean proxy)
    gamma: float = 5e-4  # M2's date smoothing: q = (r + g) / (r + 18,250 g), .1 to .35 for r 1-5
    m3_steps: int = 0  # M3's most training steps (0: no M3 in the check)


def models(gamma: float, m3_steps: int = 0) -> dict[str, SynthSpec]:
    """The models of the check: calibrated by construction, miscalibrated, post-trained, and
    M3 when given training steps (the post-trained M3s are in ``post_experiment``)."""
    return {"m1-calibrated": SynthSpec(model="m1", calibrated=True),
            "m2-calibrated": SynthSpec(model="m2", gamma=gamma, calibrated=True),
            "m2": SynthSpec(model="m2", gamma=gamma),
            "m1-post-seen-0.5": SynthSpec(model="m1", post="seen", fraction=0.5),
            "m1-post-idk-0.5": SynthSpec(model="m1", post="idk", fraction=0.5),
            **({"m3": SynthSpec(model="m3", steps=m3_steps)} if m3_steps > 0 else {})}


def spec_text(spec: SynthSpec) -> str:
    """The ``synth:`` model spec of a SynthSpec."""
    fields = {k: v for k, v in vars(spec).items() if k != "model" and v is not None}
    return f"synth:{spec.model}?" + "&".join(f"{k}={str(v).lower() if isinstance(v, bool) else v}"
                                             for k, v in fields.items())


# --- the suite and the corpus ---------------------------------------------------------------

def chosen_people(world: World, k: int, seed: int) -> np.ndarray:
    """k distinct people drawn from p (questions follow the documents' distribution)."""
    rng = np.random.default_rng([seed, 31])
    k = min(k, int((world.p > 0).sum()))
    return rng.choice(len(world.p), size=k, replace=False, p=world.p / world.p.sum())


def proxies(world: World, people: np.ndarray, noise: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng([seed, 37])
    factor = rng.lognormal(0.0, noise, size=len(people)) if noise > 0 else 1.0
    return np.asarray(world.p[people] * SCALE * factor, dtype=float)


def write_suite(world: World, people: np.ndarray, proxy: np.ndarray, folder: Path) -> Path:
    """suite.yaml + items.jsonl: one day-precision date question per person (arbitrary)."""
    folder.mkdir(parents=True, exist_ok=True)
    edges = np.quantile(np.log10(proxy), np.linspace(0, 1, N_BINS + 1)[1:-1])
    with (folder / "items.jsonl").open("w", encoding="utf-8") as handle:
        for person, value in zip(people.tolist(), proxy.tolist(), strict=True):
            name, gold = world.names.name(world.people[person]), date_text(world.dates[person])
            item = {"id": f"synth/{person}", "suite": "synth", "question":
                    f"When did {name} die?", "answer": gold, "aliases": [gold],
                    "answer_type": "date", "precision": "day", "exists": True,
                    "popularity": value, "proxy": "views", "event_date": gold,
                    "subject": name, "meta": {"person": person},
                    "bin": int(np.searchsorted(edges, math.log10(value), side="right"))}
            handle.write(json.dumps(item) + "\n")
    (folder / "suite.yaml").write_text(
        "name: synth\nversion: 1.0.0\ndescription: synthetic death dates (docs/metrics.md 7)\n"
        "fact_kind: arbitrary\nprompt:\n  system: null\n  template: '{question}'\n"
        "bins:\n  explicit: true\n", encoding="utf-8")
    return folder


def write_corpus(world: World, path: Path) -> Path:
    """The world's training documents, one a line: the reference corpus of exact counts."""
    path.write_text("\n".join(world.documents()) + "\n", encoding="utf-8")
    return path


# --- exact values ---------------------------------------------------------------------------

def exact_mis(belief: Belief, people: np.ndarray, dates: np.ndarray) -> float:
    """Mis of the exact g per prompt (docs/metrics.md 4): favourite q, IDK, the rest spread thin."""
    prompts: list[tuple[Mapping[Hashable, float], Hashable | None]] = []
    unseen: list[float] = []
    for person, gold in zip(people.tolist(), dates.tolist(), strict=True):
        q, idk = float(belief.q[person]), float(belief.idk[person])
        g: dict[Hashable, float] = {"fav": q, **({"idk": idk} if idk > 0 else {})}
        prompts.append((g, "fav" if belief.favourite[person] == gold else None))
        unseen.append(max(0.0, 1.0 - q - idk))
    return generative_miscalibration(prompts, 10, unseen).mis


def greedy_hallucinates(belief: Belief, people: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Probability that the greedy answer is a wrong date (the backend's greedy rule)."""
    q, idk, other = belief.q[people], belief.idk[people], belief.other()[people]
    right = belief.favourite[people] == dates
    answer = np.where(q > other, np.where(right, 0.0, 1.0), 1.0 - 1.0 / DAYS)
    return np.where(idk > np.maximum(q, other), 0.0, answer)


class Oracle(Protocol):
    """What the check needs to know exactly of a model, per person (module docstring)."""

    def mis(self, people: np.ndarray) -> float:
        """Mis of the exact g over these people's prompts (docs/metrics.md 4)."""

    def sampled_wrong(self, people: np.ndarray) -> np.ndarray:
        """Probability that a temperature-1 answer is not the gold date (nor IDK)."""

    def greedy_wrong(self, people: np.ndarray) -> np.ndarray:
        """Probability that the greedy answer is a wrong date."""


@dataclass(frozen=True)
class BeliefOracle:
    """M1 and M2: their closed-form belief (``backend.Belief``)."""

    world: World
    belief: Belief

    def mis(self, people: np.ndarray) -> float:
        return exact_mis(self.belief, people, self.world.dates[people])

    def sampled_wrong(self, people: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 - self.belief.gold_g(self.world.dates)[people]
                          - self.belief.idk[people])

    def greedy_wrong(self, people: np.ndarray) -> np.ndarray:
        return greedy_hallucinates(self.belief, people, self.world.dates[people])


@dataclass(frozen=True)
class M3Oracle:
    """M3: per person its dates with g >= 1/bins, g(gold) and greedy date, computed from the
    network (``m3_backend.exact_dates``). Every mass not on those dates, malformed text
    included, sits in the lowest Mis bin, as the sampled estimator puts it."""

    world: World
    dates: Mapping[int, DateBelief]

    def mis(self, people: np.ndarray) -> float:
        prompts: list[tuple[Mapping[Hashable, float], Hashable | None]] = []
        unseen = []
        for person in people.tolist():
            belief = self.dates[person]
            big: dict[Hashable, float] = {day: g for day, g in belief.big.items()}
            if belief.idk > 0:  # "I don't know" is an answer of its own, never the gold
                big["idk"] = belief.idk
            gold = int(self.world.dates[person])
            prompts.append((big, gold if gold in big else None))
            unseen.append(max(0.0, 1.0 - sum(big.values())))
        return generative_miscalibration(prompts, 10, unseen).mis

    def sampled_wrong(self, people: np.ndarray) -> np.ndarray:
        return np.array([1.0 - self.dates[p].gold - self.dates[p].idk
                         for p in people.tolist()])

    def greedy_wrong(self, people: np.ndarray) -> np.ndarray:
        return np.array([float(not self.dates[p].abstains
                               and self.dates[p].greedy != self.world.dates[p])
                         for p in people.tolist()])


def oracle_of(world: World, spec: SynthSpec, people: np.ndarray) -> Oracle:
    """The exact side of one model: M1/M2's belief, or M3's network over ``people``."""
    if spec.model != "m3":
        return BeliefOracle(world, belief_of(spec))
    from halprobe.synth.m3_backend import exact_dates, trained

    return M3Oracle(world, exact_dates(trained(spec), world, people.tolist()))


def exact_stratum(world: World, oracle: Oracle, people: np.ndarray) -> dict[str, float]:
    lam = world.n * world.p[people]
    est = poisson_estimates(lam)
    mis = oracle.mis(people)
    mf = good_turing_mf(world.counts[people])
    hr = float(np.mean(oracle.sampled_wrong(people)))
    return {"mis": mis, "sampled_hr": hr, "sr": est.sr, "u": est.u, "s1": est.s1, "mf": mf,
            "bound": max(0.0, mf - mis), "greedy_hr": float(np.mean(
                oracle.greedy_wrong(people)))}


# --- one run through the pipeline -----------------------------------------------------------

def run_pipeline(spec: SynthSpec, suite: Path, corpus: Path, out: Path, k: int,
                 choices: int = 0) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The run's response rows and analysis tables, through the same code as `halprobe eval`
    (runner, grader, samples, reference corpus, ``--choices`` scores, summary), without the
    HTML report."""
    from halprobe.run import pipeline
    from halprobe.run.corpus_proxy import count_items
    from halprobe.store import RunDir
    from halprobe.suites import load, sample
    from halprobe.types import DecodingParams

    opts = pipeline.EvalOptions(model=spec_text(spec), suites=[str(suite)], per_bin=None,
                                out=out, results=out.parent, cache=out.parent / "cache.sqlite",
                                progress=False, samples=k, reference_corpus=corpus,
                                choices=choices)
    suites = load(opts.suites)
    items = pipeline.with_fact_kind(sample([i for s in suites for i in s.items], None, None, 0),
                                    suites)
    counts = count_items(corpus, items, "text", show_progress=False)
    result = pipeline._run_with_backend(opts, suites, items, DecodingParams(max_tokens=48),
                                        counts)
    return pd.DataFrame(RunDir(result.run_dir).read_rows()), result.analysis


def _row(world: str, model: str, quantity: str, exact: float, estimate: float,
         low: float = math.nan, high: float = math.nan) -> dict[str, object]:
    return {"world": world, "model": model, "quantity": quantity, "exact": exact,
            "estimate": estimate, "low": low, "high": high}


def _stratum_rows(label: str, model: str, bin_: str, exact: dict[str, float],
                  line: pd.Series, literal: float, bound: pd.Series | None
                  ) -> Iterator[dict[str, object]]:
    tag = f"[bin {bin_}]"
    yield _row(label, model, f"mis {tag}", exact["mis"], line["mis"], line["mis_low"],
               line["mis_high"])
    yield _row(label, model, f"mis_literal {tag}", exact["mis"], literal)
    yield _row(label, model, f"sampled_hr {tag}", exact["sampled_hr"], line["sampled_hr"])
    for name in ("sr", "u", "s1"):
        yield _row(label, model, f"{name} {tag}", exact[name], line[f"monofact_{name}"])
    yield _row(label, model, f"mf {tag}", exact["mf"], line["monofact_exact"])
    if bound is None:
        yield _row(label, model, f"bound {tag}", exact["bound"], math.nan)
        return
    yield _row(label, model, f"bound {tag}", exact["bound"], bound["bound"],
               bound["bound_low"], bound["bound_high"])
    # does the bound hold against the true temperature-1 HR? point estimate, and the
    # interval's lower end (Mis at its upper end)
    holds = float(exact["sampled_hr"] >= exact["bound"])
    yield _row(label, model, f"bound_holds {tag}", holds,
               float(exact["sampled_hr"] >= bound["bound"]),
               float(exact["sampled_hr"] >= bound["bound_low"]),
               float(exact["sampled_hr"] >= bound["bound_high"]))


def compare(world: World, label: str, model: str, spec: SynthSpec, rows: pd.DataFrame,
            tables: dict[str, pd.DataFrame]) -> list[dict[str, object]]:
    """Every estimate of one run beside its exact value (module docstring)."""
    summary, bound = tables["summary"], tables["bound"]
    person = rows["item_id"].str.removeprefix("synth/").astype(int).to_numpy()
    oracle = oracle_of(world, spec, person)
    rows = rows.assign(person=person, bin=rows["bin"].astype(str))
    out: list[dict[str, object]] = []
    kappa = tables["kappa"].iloc[0]
    out.append(_row(label, model, "kappa", world.n / SCALE, kappa["kappa"], kappa["kappa_low"],
                    kappa["kappa_high"]))
    greedy: list[float] = []
    for bin_, group in [*rows.groupby("bin", sort=True), ("all", rows)]:
        exact = exact_stratum(world, oracle, group["person"].to_numpy())
        line = summary[(summary["suite"] == "synth") & (summary["bin"] == bin_)].iloc[0]
        literal = sampled_miscalibration(item_mis_inputs(group), 10, "sampled").mis
        hit = bound[bound["bin"] == bin_] if len(bound) else bound
        out += _stratum_rows(label, model, str(bin_), exact, line, literal,
                             hit.iloc[0] if len(hit) else None)
        if bin_ != "all":
            greedy.append(exact["greedy_hr"])
    out += _rank_rows(label, model, rows, oracle, greedy, summary)
    return out


def _rank_rows(label: str, model: str, rows: pd.DataFrame, oracle: Oracle,
               greedy: list[float], summary: pd.DataFrame) -> list[dict[str, object]]:
    line = summary[(summary["suite"] == "synth") & (summary["bin"] == "all")].iloc[0]
    rho = spearman(np.arange(len(greedy), dtype=float), np.array(greedy))[0]
    person = rows["person"].to_numpy()
    p_wrong = oracle.greedy_wrong(person)
    x = np.log1p(pd.to_numeric(rows["popularity"]).to_numpy(float))
    try:
        slope = float(logit(p_wrong, x).params[1]) if np.ptp(p_wrong) > 0 else math.nan
    except np.linalg.LinAlgError:
        slope = math.nan
    return [_row(label, model, "spearman", rho, line["spearman"], line["spearman_low"],
                 line["spearman_high"]),
            _row(label, model, "logit_slope", slope, line["logit_coef"], line["logit_coef_low"],
                 line["logit_coef_high"])]


def check(config: CheckConfig, root: Path | None = None) -> pd.DataFrame:
    """estimators.csv: every world x seed x model (module docstring)."""
    records: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="halprobe-synth-") as scratch:
        base = Path(root or scratch)
        for alpha in config.alphas:
            for seed in range(config.seeds):
                world_spec = SynthSpec(alpha=alpha, n=config.n, people=config.people, seed=seed)
                world = world_spec.world()
                label = f"zipf{alpha:g}/seed{seed}"
                folder = base / f"alpha{alpha:g}-seed{seed}"
                people = chosen_people(world, config.items, seed)
                suite = write_suite(world, people, proxies(world, people, config.noise, seed),
                                    folder / "suite")
                corpus = write_corpus(world, folder / "corpus.txt")
                for model, spec in models(config.gamma, config.m3_steps).items():
                    spec = replace(spec, alpha=alpha, n=config.n, people=config.people,
                                   seed=seed)
                    rows, tables = run_pipeline(spec, suite, corpus, folder / "runs" / model,
                                                config.k)
                    records += compare(world, label, model, spec, rows, tables)
    return pd.DataFrame.from_records(records, columns=COLUMNS)
