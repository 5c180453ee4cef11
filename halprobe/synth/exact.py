"""A model's distribution over all factoids, held exactly as groups of equal probability.

The factoid universe is every (name, date) pair: 10^6 names x 18,250 days = 1.8 * 10^10
factoids, too many to list but easy to count. Models built on counts give one probability to
every factoid of a group (all facts seen r times; all unseen factoids; ...), so a model is a
handful of groups: g (probability of each factoid in the group), mult (how many factoids), p
(the world's true probability of the group: the mass of documents stating those facts), and
whether the group's factoids are false, and whether they are facts seen in training.

A factoid is false unless it is some person's true death date (docs/metrics.md 1: a specific answer
that contradicts the gold, or about a person who does not exist). Seen facts are true; unseen
factoids are mostly false, except the true dates of people never seen in training.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from halprobe.synth.theory import BINS, bin_index, binned_mis, log_cuts

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]



@dataclass(frozen=True)
class ExactModel:
    """Groups of factoids with one model probability each, plus mass on "I don't know"."""

    g: FloatArray
    mult: FloatArray
    p: FloatArray
    false: BoolArray
    seen: BoolArray
    idk: float = 0.0

    @property
    def mass(self) -> FloatArray:
        """The model's total probability of each group."""
        return self.g * self.mult

    @property
    def total(self) -> float:
        return float(self.mass.sum()) + self.idk

    @property
    def hallucination_rate(self) -> float:
        """g(H): probability that an unconditional generation is a false factoid
        (docs/metrics.md 2)."""
        return float(self.mass[self.false].sum())

    @property
    def unseen_mass(self) -> float:
        """Model mass on factoids not seen in training (what Good–Turing sets to MF)."""
        return float(self.mass[~self.seen].sum())

    @property
    def unseen_true_mass(self) -> float:
        """Model mass on true facts of people never seen: unseen, but not hallucinations."""
        return float(self.mass[~self.seen & ~self.false].sum())


def group_bins(model: ExactModel, bins: int = BINS) -> IntArray:
    """Bin of each group: ``bins`` log-width bins of g plus the g = 0 bin (docs/metrics.md 4).

    [derived] Edges run from the smallest to the largest positive factoid probability of the
    model, so the unseen factoids (g ~ 10^-11) never share a bin with seen facts (g ~ 10^-4).
    """
    positive = model.g[model.g > 0]
    if positive.size == 0:
        return np.zeros(len(model.g), dtype=np.int64)
    cuts = log_cuts(float(positive.min()), float(positive.max()), bins)
    return bin_index(model.g, cuts)


def miscalibration(model: ExactModel, bin_ids: IntArray | None = None,
                   bins: int = BINS) -> float:
    """Mis_b(g, p) = 1/2 sum_B |p(B) - g(B)| over bins of g (docs/metrics.md 4, Kalai–Vempala form).

    Unconditional generation is the one-prompt case of section 4, with the world's document
    distribution p in place of the one-hot gold. "I don't know" is no factoid and p never
    produces it, so it gets a bin of its own (G = its mass, P = 0). ``bin_ids`` fixes the
    partition (the post-training frontier keeps the partition of the model it starts from).
    """
    ids = group_bins(model, bins) if bin_ids is None else bin_ids
    g_mass, p_mass = model.mass, model.p
    if model.idk > 0:
        ids = np.append(ids, int(ids.max(initial=0)) + 1)
        g_mass, p_mass = np.append(g_mass, model.idk), np.append(p_mass, 0.0)
    return binned_mis(ids, g_mass, p_mass)[0]


def groups(**columns: npt.ArrayLike) -> ExactModel:
    """An ExactModel from column arrays, dropping empty groups (mult 0)."""
    g = np.asarray(columns["g"], dtype=np.float64)
    mult = np.asarray(columns["mult"], dtype=np.float64)
    keep = mult > 0
    return ExactModel(g=g[keep], mult=mult[keep],
                      p=np.asarray(columns["p"], dtype=np.float64)[keep],
                      false=np.asarray(columns["false"], dtype=bool)[keep],
                      seen=np.asarray(columns["seen"], dtype=bool)[keep])


def scaled(model: ExactModel, unseen: float, seen: float, idk: float) -> ExactModel:
    """The model with unseen groups' g times ``unseen``, seen groups' times ``seen``, idk set."""
    factor = np.where(model.seen, seen, unseen)
    return replace(model, g=model.g * factor, idk=idk)
