"""M3, the tiny transformer, as a halprobe backend (`--model synth:m3?...`,
docs/metrics.md 4 and 7).

``synth:m3?alpha=1&n=2000&people=4000&seed=0&steps=300`` trains M3 on the world's documents
(``m3.fit``: seeded by the world, stopped early on fresh held-out documents) and keeps the
weights under halprobe's cache folder (``paths.derived_path``), named by the world, the
training settings and the source of the code that builds both, so a rerun loads them and a
code change retrains. It answers "When did NAME die?" by continuing "Fact: NAME died on" up to
".": greedily at temperature 0, else by sampling at that temperature with a generator seeded by
the decoding seed, the sample index and the person (as the m1/m2 backend does, so the runner's
cache and resume see the same answers), and it gives each generated token's log-probability
under the model (temperature 1), from which halprobe reads the answer's confidence
(docs/metrics.md 4).

``exact_dates`` gives what the check needs as exact values: for one person, every date whose
probability g(date | "Fact: NAME died on") is at least a threshold, with that probability, found
by walking the year, month and day tokens and pruning a prefix once its probability falls below
the threshold (a date's probability is at most its prefix's, so nothing above it is missed).
With the threshold at the lowest Mis bin's upper edge (0.1 for 10 bins) that gives Mis exactly:
everything below lands in the lowest bin whatever its value. Scoring all 18,250 dates (one
sequence each) took 17 s a person on two loaded CPU cores; the walk, four small batches, 0.08 s.

``post=seen|idk`` (with ``post_steps``) serves the pretrained M3 after a post-training step
(``m3_post``), its weights cached the same way, keyed by the post-training settings too; an
answer in M3's "I don't know" token reads "I don't know.". ``score`` gives the teacher-forced
log-probability of given answers after the same prefix (``eval --choices``).
"""

from __future__ import annotations

import functools
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from halprobe.store import derived as paths
from halprobe.synth import m3, m3_post, names, transformer
from halprobe.synth import world as world_module
from halprobe.synth.spec import DATE, SynthSpec, person_of
from halprobe.synth.spec import IDK as IDK_TEXT
from halprobe.synth.transformer import IDK, M3Config, TinyGPT, TrainedLM, Vocab
from halprobe.synth.world import DAYS, World, date_text
from halprobe.types import Capabilities, DecodingParams, Generation, Message, Scored, ScoreRequest

Completion = tuple[list[str], list[float]]
STOP = "."


def config_of(spec: SynthSpec) -> M3Config:
    """The spec's training settings over M3Config's defaults, seeded by the world."""
    base = M3Config(seed=spec.seed)
    return M3Config(d_model=spec.d_model or base.d_model, n_layer=spec.layers or base.n_layer,
                    steps=spec.steps or base.steps, batch=spec.batch or base.batch,
                    seed=spec.seed)


def post_steps(spec: SynthSpec) -> int:
    return spec.post_steps or m3_post.POST_STEPS


def weights_path(spec: SynthSpec) -> Path:
    """Where the trained weights of this world and config live (module docstring)."""
    post = {} if spec.post == "none" else {"post": spec.post, "post_steps": post_steps(spec)}
    key = json.dumps({"alpha": spec.alpha, "n": spec.n, "people": spec.people,
                      "seed": spec.seed, "config": vars(config_of(spec)), **post},
                     sort_keys=True)
    tail = "" if spec.post == "none" else f"-post{spec.post}{post_steps(spec)}"
    modules = (transformer, m3, world_module, names, *((m3_post,) if post else ()))
    return paths.derived_path("synth-m3", f"m3-alpha{spec.alpha:g}-n{spec.n}-seed{spec.seed}"
                              f"{tail}", modules, key)


def _dump(lm: TrainedLM) -> bytes:
    buffer = io.BytesIO()
    torch.save({"state": lm.model.state_dict(), "final_loss": lm.final_loss,
                "best_step": lm.best_step, "held_out_loss": lm.held_out_loss}, buffer)
    return buffer.getvalue()


def _loader(config: M3Config) -> Any:
    def load(data: bytes) -> TrainedLM:
        try:
            saved = torch.load(io.BytesIO(data), weights_only=True)
            vocab = Vocab()
            model = TinyGPT(len(vocab), config)
            model.load_state_dict(saved["state"])
        except (RuntimeError, KeyError, OSError) as exc:  # not our file: rebuilt
            raise ValueError(str(exc)) from None
        model.eval()
        return TrainedLM(model, vocab, config, float(saved["final_loss"]),
                         int(saved["best_step"]), float(saved["held_out_loss"]))
    return load


@functools.lru_cache(maxsize=4)
def trained(spec: SynthSpec) -> TrainedLM:
    """M3 trained on the spec's world, from the cache folder when it was trained before; with
    ``post``, the pretrained M3 after that post-training step (``m3_post``)."""
    config = config_of(spec)
    if spec.post != "none":
        base = trained(replace(spec, post="none", post_steps=None))
        return paths.derived(weights_path(spec),
                             lambda: m3_post.post_train(spec.world(), base, spec.post,
                                                        post_steps(spec)),
                             _dump, _loader(config))
    return paths.derived(weights_path(spec), lambda: m3.fit(spec.world(), config.steps,
                                                            config=config),
                         _dump, _loader(config))


def prefix(world: World, person: int) -> str:
    """The document prefix M3 continues to answer about a person."""
    return f"Fact: {world.names.name(world.people[person])} died on"


@torch.no_grad()
def sample(lm: TrainedLM, prefixes: Sequence[str], rngs: Sequence[np.random.Generator],
           temperature: float) -> list[Completion]:
    """Each prefix continued up to "." by sampling at ``temperature``, row i drawing with
    ``rngs[i]``: its tokens and their log-probabilities under the model (temperature 1)."""
    results: list[Completion] = [([], [])] * len(prefixes)
    by_length: dict[int, list[int]] = {}
    for i, text in enumerate(prefixes):
        by_length.setdefault(len(lm.vocab.encode(text)), []).append(i)
    for indexes in by_length.values():
        ids = torch.tensor([[1, *lm.vocab.encode(prefixes[i])] for i in indexes])
        for i, done in zip(indexes, _sample_rows(lm, ids, [rngs[i] for i in indexes],
                                                 temperature), strict=True):
            results[i] = done
    return results


def _sample_rows(lm: TrainedLM, ids: torch.Tensor, rngs: Sequence[np.random.Generator],
                 temperature: float) -> list[Completion]:
    n, start = ids.shape
    out: list[Completion] = [([], []) for _ in range(n)]
    done = [False] * n
    logits, cache = lm.model(ids)
    for step in range(lm.config.block - start):
        logp = torch.log_softmax(logits[:, -1], dim=-1)
        probs = torch.softmax(logits[:, -1].double() / temperature, dim=-1).numpy()
        probs[:, 0] = 0.0  # never padding
        picks = []
        for row in range(n):
            cdf = np.cumsum(probs[row])
            pick = min(int(np.searchsorted(cdf, rngs[row].random() * cdf[-1], side="right")),
                       len(cdf) - 1)
            picks.append(pick)
            if done[row] or pick == 1:
                done[row] = True
                continue
            token = lm.vocab.tokens[pick]
            out[row][0].append(token)
            out[row][1].append(float(logp[row, pick]))
            done[row] = token == STOP
        if all(done):
            break
        logits, cache = lm.model(torch.tensor(picks)[:, None], cache, start + step)
    return out


def answer_day(text: str) -> int | None:
    """The day of the first YYYY-MM-DD in an answer text (the form M3 writes), else None."""
    found = DATE.search(text)
    return world_module.day_of(found[0]) if found else None


@torch.no_grad()
def score_answer(lm: TrainedLM, start: str, continuation: str) -> float:
    """Sum of the continuation's token log-probs after ``start`` (teacher-forced)."""
    head = [1, *lm.vocab.encode(start)]
    ids = torch.tensor([head + lm.vocab.encode(continuation)])
    logits, _ = lm.model(ids[:, :-1])
    logp = torch.log_softmax(logits, dim=-1).gather(2, ids[:, 1:, None])[0, :, 0]
    return float(logp[len(head) - 1:].sum())


class M3Backend:
    """Answers "When did X die?" with a trained M3 (module docstring)."""

    def __init__(self, spec: SynthSpec) -> None:
        self.spec = spec
        self.world = spec.world()
        self.lm = trained(spec)
        self.weights = weights_path(spec).stem
        self.capabilities = Capabilities(logprobs=True, batching=True, max_batch_size=256,
                                         scoring=True, scores_whole_answers=True)

    def fingerprint(self) -> dict[str, Any]:
        post = "" if self.spec.post == "none" else f"-post-{self.spec.post}"
        return {"backend": "synth", "weights": self.weights,
                **{k: v for k, v in vars(self.spec).items() if v is not None},
                "model": f"synth-m3{post}"}

    def generate(self, prompts: Sequence[Sequence[Message]],
                 params: DecodingParams) -> list[Generation]:
        people = [person_of(self.world, p) for p in prompts]
        prefixes = [prefix(self.world, person) for person in people]
        if params.temperature <= 0:
            completions = self.lm.complete(prefixes, STOP)
        else:
            rngs = [np.random.default_rng([params.seed, params.sample_index, person])
                    for person in people]
            completions = sample(self.lm, prefixes, rngs, params.temperature)
        return [Generation(text=IDK_TEXT if IDK in tokens else
                           f"{text.removeprefix('Fact: ')}{''.join(tokens)}",
                           tokens=tuple(tokens), token_logprobs=tuple(logps),
                           finish_reason="stop")
                for text, (tokens, logps) in zip(prefixes, completions, strict=True)]

    def score(self, requests: Sequence[ScoreRequest]) -> list[Scored]:
        """Teacher-forced log-probability of each continuation read as a date: g(" DATE." |
        "Fact: NAME died on"), the tokens M3 writes for that answer; text that is no date of
        this world (M3 cannot write it) scores -inf."""
        out = []
        for request in requests:
            start = prefix(self.world, person_of(self.world, request.prompt))
            sums, counts = [], []
            for continuation in request.continuations:
                day = answer_day(continuation)
                if day is None:
                    sums.append(-math.inf)
                    counts.append(0)
                    continue
                logp = score_answer(self.lm, start, f" {date_text(day)}{STOP}")
                sums.append(logp)
                counts.append(4)  # year, month, day, "."
            out.append(Scored(tuple(sums), tuple(counts)))
        return out

    def close(self) -> None:
        return None


# --- exact values for the check (module docstring) ------------------------------------------

@dataclass(frozen=True)
class DateBelief:
    """One person under M3: the dates with g >= threshold and their g, g(gold), the greedy
    answer's date (None when it is no date of the world), g("I don't know.") and whether the
    greedy answer is "I don't know"."""

    big: dict[int, float]
    gold: float
    greedy: int | None
    idk: float = 0.0
    abstains: bool = False


@functools.lru_cache(maxsize=1)
def _day_of() -> dict[str, int]:
    return {date_text(day): day for day in range(DAYS)}


@torch.no_grad()
def _next_logp(lm: TrainedLM, rows: list[list[int]]) -> torch.Tensor:
    logits, _ = lm.model(torch.tensor(rows))
    return torch.log_softmax(logits[:, -1], dim=-1)


def _walk(lm: TrainedLM, start: list[int], threshold: float) -> dict[int, float]:
    """Every date with g >= threshold after ``start`` (module docstring)."""
    floor = float(np.log(threshold))
    frontier: list[tuple[list[int], float]] = [(start, 0.0)]
    for _ in range(3):  # year, month, day
        logp = _next_logp(lm, [ids for ids, _ in frontier])
        frontier = [([*ids, tok], base + float(logp[i, tok]))
                    for i, (ids, base) in enumerate(frontier)
                    for tok in torch.nonzero(logp[i] + base >= floor)[:, 0].tolist()]
        if not frontier:
            return {}
    logp = _next_logp(lm, [ids for ids, _ in frontier])
    stop, out = lm.vocab.index[STOP], {}
    for i, (ids, base) in enumerate(frontier):
        day = _day_of().get(lm.vocab.decode(ids[len(start):]).strip())
        value = base + float(logp[i, stop])
        if day is not None and value >= floor:
            out[day] = float(np.exp(value))
    return out


@torch.no_grad()
def exact_dates(lm: TrainedLM, world: World, people: Sequence[int], threshold: float = 0.1
                ) -> dict[int, DateBelief]:
    """Per person: M3's exact g on the dates above ``threshold``, on the gold date, and its
    greedy date (module docstring)."""
    texts = [prefix(world, p) for p in people]
    gold_g = _gold_probabilities(lm, world, people)
    completed = [tokens for tokens, _ in lm.complete(texts, STOP)]
    greedy = [_day_of().get("".join(tokens).strip().removesuffix(STOP)) for tokens in completed]
    idk = [float(np.exp(score_answer(lm, t, f"{IDK}{STOP}"))) for t in texts]
    return {p: DateBelief(_walk(lm, [1, *lm.vocab.encode(t)], threshold), g, day, i,
                          IDK in tokens)
            for p, t, g, day, i, tokens in zip(people, texts, gold_g, greedy, idk, completed,
                                               strict=True)}


def _gold_probabilities(lm: TrainedLM, world: World, people: Sequence[int]) -> list[float]:
    """g(gold date and ".") after each person's prefix, teacher-forced in one batch."""
    rows = [[1, *lm.vocab.encode(f"{prefix(world, p)} {date_text(world.dates[p])}.")]
            for p in people]
    ids = torch.tensor(rows)
    with torch.no_grad():
        logits, _ = lm.model(ids[:, :-1])
    logp = torch.log_softmax(logits, dim=-1).gather(2, ids[:, 1:, None])[..., 0]
    return torch.exp(logp[:, -4:].sum(dim=1)).tolist()
