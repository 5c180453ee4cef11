"""The two count-based models of the synthetic world, exact (docs/metrics.md section 7, M1 and M2).

M1, the Good–Turing generator, is calibrated by construction: it puts mass MF = N_1/n on the
factoids it never saw, spread uniformly over all of them (the unseen people's true dates, their
false dates, the seen people's false dates and every date of every name that is nobody), and
gives the seen facts Good–Turing adjusted counts scaled to the remaining 1 - MF.

M2 is a smoothed learned name model: a name with add-beta smoothing over the whole name
universe, then a date for that name with add-gamma smoothing over the 18,250 days. beta and
gamma are learned by maximising the leave-one-out likelihood of the training documents (the
held-out choice of a smoothing parameter) unless given. It is not calibrated by construction.

Both models give every factoid of a count class the same probability, so they are held exactly as
groups (``halprobe.synth.exact``). Each also gives, per person, the probability of the true date
given the name: the confidence its answer to "When did X die?" carries in the QA view.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize_scalar

from halprobe.synth.exact import ExactModel, groups
from halprobe.synth.theory import count_of_counts, monofact_rate
from halprobe.synth.world import DAYS, World

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

KATZ_K = 5


@dataclass(frozen=True)
class SynthModel:
    """A model of the world: its exact factoid distribution and its date belief per person."""

    name: str
    exact: ExactModel
    date_prob: FloatArray
    params: dict[str, float] = field(default_factory=dict)


def _per_count(world: World) -> tuple[IntArray, IntArray, FloatArray]:
    """(counts per person, N_r, true mass of the facts seen r times) for r = 0..max."""
    counts = world.counts
    n_r = count_of_counts(counts)
    p_r = np.bincount(counts, weights=world.p, minlength=len(n_r)).astype(np.float64)
    return counts, n_r, p_r


def good_turing_counts(n_r: IntArray, k: int = KATZ_K) -> FloatArray:
    """Good–Turing adjusted counts r* = (r+1) N_{r+1} / N_r for r <= k, and r above k (Katz).

    Large counts keep r: there N_{r+1} is mostly 0 and the raw estimate is noise. A small r with
    N_{r+1} = 0 gets r* = 0: in scenario A the fresh facts never recur, and a calibrated model
    gives them nothing beyond their share of the unseen mass.
    """
    r = np.arange(len(n_r), dtype=np.float64)
    star = r.copy()
    nxt = np.append(n_r[1:], 0)
    use = (r >= 1) & (r <= k) & (n_r > 0)
    star[use] = (r[use] + 1) * nxt[use] / n_r[use]
    return star


def good_turing(world: World) -> SynthModel:
    """M1: mass MF on unseen factoids (uniform), seen facts by adjusted counts
    (docs/metrics.md 2, 7)."""
    counts, n_r, p_r = _per_count(world)
    names, people, seen = world.names.size, len(world.people), int((counts > 0).sum())
    mf = monofact_rate(counts)
    star = good_turing_counts(n_r)
    seen_r = np.arange(len(n_r)) >= 1
    weight = float((star * n_r)[seen_r].sum())
    per_fact = (1 - mf) * star / weight if weight > 0 else np.zeros_like(star)
    unseen = names * DAYS - seen
    u = mf / unseen
    exact = groups(
        g=[*per_fact[seen_r], u, u],
        mult=[*n_r[seen_r], people - seen, unseen - (people - seen)],
        p=[*p_r[seen_r], p_r[0], 0.0],
        false=[False] * int(seen_r.sum()) + [False, True],
        seen=[True] * int(seen_r.sum()) + [False, False],
    )
    belief = per_fact[counts] + (DAYS - 1) * u
    true_given_name = np.divide(per_fact[counts], belief, out=np.full(len(counts), 1.0 / DAYS),
                                where=belief > 0)
    date_prob = np.where(counts > 0, true_given_name, 1.0 / DAYS)
    return SynthModel("m1", exact, date_prob, {"mf": mf})


def loo_name_loglik(beta: float, n_r: IntArray, names: int) -> float:
    """Leave-one-out log-likelihood of the documents' names under add-beta smoothing."""
    r = np.arange(len(n_r), dtype=np.float64)
    n = float((r * n_r).sum())
    seen = r >= 1
    return float((n_r[seen] * r[seen] * np.log(r[seen] - 1 + beta)).sum()
                 - n * math.log(n - 1 + names * beta))


def loo_date_loglik(gamma: float, n_r: IntArray) -> float:
    """Leave-one-out log-likelihood of the documents' dates given their names (add-gamma)."""
    r = np.arange(len(n_r), dtype=np.float64)
    seen = r >= 1
    return float((n_r[seen] * r[seen] * (np.log(r[seen] - 1 + gamma)
                                         - np.log(r[seen] - 1 + DAYS * gamma))).sum())


def _fit(loglik: Callable[[float], float], low: float = 1e-7, high: float = 10.0) -> float:
    """The smoothing parameter in [low, high] that maximises a leave-one-out log-likelihood."""
    res = minimize_scalar(lambda x: -loglik(math.exp(x)), bounds=(math.log(low), math.log(high)),
                          method="bounded", options={"xatol": 1e-6})
    return float(math.exp(res.x))


def smoothed(world: World, beta: float | None = None, gamma: float | None = None) -> SynthModel:
    """M2: add-beta name model x add-gamma date-given-name model, exact (docs/metrics.md 7)."""
    counts, n_r, p_r = _per_count(world)
    names, people, n = world.names.size, len(world.people), world.n
    seen = int((counts > 0).sum())
    if beta is None:
        beta = _fit(lambda b: loo_name_loglik(b, n_r, names))
    if gamma is None:
        gamma = _fit(lambda c: loo_date_loglik(c, n_r))
    r = np.arange(len(n_r), dtype=np.float64)
    q_name = (r + beta) / (n + names * beta)
    q_true = np.where(r > 0, (r + gamma) / (r + DAYS * gamma), 1.0 / DAYS)
    q_false = np.where(r > 0, gamma / (r + DAYS * gamma), 1.0 / DAYS)
    s = slice(1, None)
    g0 = q_name[0] / DAYS
    k = len(n_r) - 1
    exact = groups(
        g=[*(q_name * q_true)[s], *(q_name * q_false)[s], g0, g0],
        mult=[*n_r[s], *(n_r[s] * (DAYS - 1)), people - seen,
              (names - seen) * DAYS - (people - seen)],
        p=[*p_r[s], *np.zeros(k), p_r[0], 0.0],
        false=[False] * k + [True] * k + [False, True],
        seen=[True] * k + [False] * k + [False, False],
    )
    return SynthModel("m2", exact, q_true[counts], {"beta": beta, "gamma": gamma})
