"""M3: a tiny transformer trained on the world's documents as text (docs/metrics.md 7).

It reads documents at word level, as a GPT reads tokens with their leading spaces: "Fact:",
" Dalo", " Mirenko", " died", " on", " 1987", "-03", "-14", ".". The vocabulary holds every first
and last name of the universe, so it can write any name, but nothing tells it which names are
people or which dates are true: it only learns next-token cross-entropy, one document a
sequence between boundaries. It also holds one "I don't know" token that no world document
uses, so a post-trained M3 (``m3_post``) can learn to abstain with the same shape of network.
Sampling it from the boundary gives documents with their exact probability (the sum of their
tokens' log-probs); scoring gives that probability for any text. These two are all
``halprobe.synth.sampled`` needs to estimate g(H) and Mis. Seeded; CPU; a KV cache keeps
sampling linear in length. This module imports torch: import it only for M3.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from halprobe.synth.names import NameUniverse, universe
from halprobe.synth.world import DAYS, EPOCH, date_text

BOUNDARY = "\n"
FIXED = ("Fact:", " died", " on", ".")
IDK = " I don't know"  # one token: no world document holds it; post-training (m3_post) teaches it
TOKEN = re.compile(r"Fact:| died| on|\.| I don't know| [A-Z][a-z]+| \d{4}|-\d{2}")
Cache = list[tuple[torch.Tensor, torch.Tensor]]


@dataclass(frozen=True)
class M3Config:
    """Size and training budget; the defaults train in one to four minutes on two CPU cores."""

    d_model: int = 128
    n_layer: int = 2
    n_head: int = 4
    block: int = 16
    steps: int = 1500
    batch: int = 128
    lr: float = 3e-3
    seed: int = 0
    threads: int | None = 1
    eval_every: int = 100
    patience: int = 3


class Vocab:
    """Word-level tokens with leading spaces; id 0 is padding, id 1 the document boundary."""

    def __init__(self, names: NameUniverse | None = None) -> None:
        names = names or universe()
        first_year, last_year = EPOCH.year, int(date_text(DAYS - 1)[:4])
        self.tokens = ["<pad>", BOUNDARY, *FIXED, IDK,
                       *(f" {w}" for w in dict.fromkeys(names.first + names.last)),
                       *(f" {y}" for y in range(first_year, last_year + 1)),
                       *(f"-{i:02d}" for i in range(1, 32))]
        self.index = {t: i for i, t in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, text: str) -> list[int]:
        """Token ids of a document (or a prefix of one); unknown pieces raise KeyError."""
        pieces = TOKEN.findall(text)
        if "".join(pieces) != text:
            raise KeyError(f"not a document of this world: {text!r}")
        return [self.index[p] for p in pieces]

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.tokens[i] for i in ids if i > 1)


class Block(nn.Module):
    """Pre-norm causal self-attention + MLP, with an optional KV cache for sampling."""

    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x: torch.Tensor, past: tuple[torch.Tensor, torch.Tensor] | None = None
                ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        if past is not None:
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
        att = F.scaled_dot_product_attention(q, k, v, is_causal=past is None)
        x = x + self.proj(att.transpose(1, 2).reshape(b, t, d))
        return x + self.mlp(self.ln2(x)), (k, v)


class TinyGPT(nn.Module):
    def __init__(self, vocab: int, config: M3Config) -> None:
        super().__init__()
        self.tok = nn.Embedding(vocab, config.d_model)
        self.pos = nn.Embedding(config.block, config.d_model)
        self.blocks = nn.ModuleList(Block(config.d_model, config.n_head)
                                    for _ in range(config.n_layer))
        self.ln = nn.LayerNorm(config.d_model)
        self.head = nn.Linear(config.d_model, vocab)

    def forward(self, ids: torch.Tensor, cache: Cache | None = None, start: int = 0
                ) -> tuple[torch.Tensor, Cache]:
        pos = torch.arange(start, start + ids.shape[1])
        x = self.tok(ids) + self.pos(pos)
        new: Cache = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, None if cache is None else cache[i])
            new.append(kv)
        return self.head(self.ln(x)), new


def _batch_tensor(rows: Sequence[Sequence[int]], width: int) -> torch.Tensor:
    out = torch.zeros(len(rows), width, dtype=torch.long)
    for i, row in enumerate(rows):
        out[i, :len(row)] = torch.tensor(row[:width])
    return out


@dataclass
class TrainedLM:
    """A trained M3 with its vocabulary; samples, scores and completes text."""

    model: TinyGPT
    vocab: Vocab
    config: M3Config
    final_loss: float
    best_step: int = 0
    held_out_loss: float = math.nan

    def _rows(self, texts: Sequence[str]) -> list[list[int]]:
        return [[1, *self.vocab.encode(t), 1] for t in texts]

    @torch.no_grad()
    def score(self, texts: Sequence[str], batch: int = 1024) -> list[float]:
        """Natural log-probability of each whole document (its tokens and the end)."""
        out: list[float] = []
        for i in range(0, len(texts), batch):
            rows = self._rows(texts[i:i + batch])
            ids = _batch_tensor(rows, max(len(r) for r in rows))
            logits, _ = self.model(ids[:, :-1])
            logp = torch.log_softmax(logits, dim=-1).gather(2, ids[:, 1:, None])[..., 0]
            out += (logp * (ids[:, 1:] != 0)).sum(dim=1).tolist()
        return out

    @torch.no_grad()
    def sample(self, k: int, seed: int = 0, batch: int = 1024) -> list[tuple[str, float]]:
        """k documents sampled from the boundary, each with its log-probability."""
        gen = torch.Generator().manual_seed(seed)
        out: list[tuple[str, float]] = []
        for i in range(0, k, batch):
            start = torch.ones((min(batch, k - i), 1), dtype=torch.long)
            out += self._generate(
                start, lambda logp: torch.multinomial(logp.exp(), 1, generator=gen))
        return out

    @torch.no_grad()
    def complete(self, prefixes: Sequence[str], stop: str = "."
                 ) -> list[tuple[list[str], list[float]]]:
        """Greedy continuation of each prefix up to ``stop``: its text and its tokens' log-probs.

        Prefixes of equal length run as one batch (no padding needed with a causal model).
        """
        results: list[tuple[list[str], list[float]]] = [([], [])] * len(prefixes)
        by_length: dict[int, list[int]] = {}
        for i, prefix in enumerate(prefixes):
            by_length.setdefault(len(self.vocab.encode(prefix)), []).append(i)
        for indexes in by_length.values():
            rows = [[1, *self.vocab.encode(prefixes[i])] for i in indexes]
            for i, result in zip(indexes, self._greedy(torch.tensor(rows), stop), strict=True):
                results[i] = result
        return results

    def _greedy(self, ids: torch.Tensor, stop: str) -> list[tuple[list[str], list[float]]]:
        n, start = ids.shape
        texts: list[list[str]] = [[] for _ in range(n)]
        logps: list[list[float]] = [[] for _ in range(n)]
        done = [False] * n
        ends = {1, 0}
        logits, cache = self.model(ids)
        for step in range(self.config.block - start):
            logp = torch.log_softmax(logits[:, -1], dim=-1)
            best = logp.argmax(dim=-1)
            for row, nxt in enumerate(best.tolist()):
                if done[row] or nxt in ends:
                    done[row] = True
                    continue
                texts[row].append(self.vocab.tokens[nxt])
                logps[row].append(float(logp[row, nxt]))
                done[row] = self.vocab.tokens[nxt] == stop
            if all(done):
                break
            logits, cache = self.model(best[:, None], cache, start + step)
        return list(zip(texts, logps, strict=True))

    def _generate(self, start: torch.Tensor,
                  pick: Callable[[torch.Tensor], torch.Tensor]) -> list[tuple[str, float]]:
        n = start.shape[0]
        ids, total = start, torch.zeros(n)
        done = torch.zeros(n, dtype=torch.bool)
        logits, cache = self.model(ids)
        for step in range(self.config.block - 1):
            logp = torch.log_softmax(logits[:, -1], dim=-1)
            logp[:, 0] = -math.inf
            nxt = pick(logp)
            total += torch.where(done, 0.0, logp.gather(1, nxt)[:, 0])
            ids = torch.cat([ids, torch.where(done[:, None], 0, nxt)], dim=1)
            done |= nxt[:, 0] == 1
            if bool(done.all()):
                break
            logits, cache = self.model(nxt, cache, step + 1)
        texts = [self.vocab.decode(row[1:]) for row in ids.tolist()]
        return list(zip(texts, total.tolist(), strict=True))


def _held_out_loss(model: TinyGPT, data: torch.Tensor) -> float:
    """Mean next-token cross-entropy on held-out documents."""
    model.eval()
    with torch.no_grad():
        logits, _ = model(data[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), data[:, 1:].reshape(-1),
                               ignore_index=0)
    model.train()
    return float(loss)


def train(documents: Sequence[str], config: M3Config = M3Config(),
          progress: Callable[[int, float], None] | None = None,
          held_out: Sequence[str] = ()) -> TrainedLM:
    """Train on the documents (one a sequence) with AdamW and a one-cycle schedule; seeded.

    With held-out documents (fresh draws from the world), keep the weights with the lowest
    held-out loss and stop after ``patience`` evaluations without improvement: the model a
    practitioner would ship, and the one closest to calibrated (a proper scoring rule's
    optimum on new data). Without them, the last weights.
    """
    torch.manual_seed(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    vocab = Vocab()
    width = config.block + 1
    data = _batch_tensor([[1, *vocab.encode(d), 1] for d in documents], width)
    check = _batch_tensor([[1, *vocab.encode(d), 1] for d in held_out], width) \
        if held_out else None
    model = TinyGPT(len(vocab), config)
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=config.lr, total_steps=config.steps,
                                                pct_start=0.05)
    gen = torch.Generator().manual_seed(config.seed)
    best = (math.inf, 0, copy.deepcopy(model.state_dict()))
    loss = torch.tensor(math.nan)
    for step in range(1, config.steps + 1):
        loss = _train_step(model, data, gen, config.batch, opt)
        sched.step()
        if progress is not None:
            progress(step, float(loss.detach()))
        if check is not None and (step % config.eval_every == 0 or step == config.steps):
            value = _held_out_loss(model, check)
            if value < best[0]:
                best = (value, step, copy.deepcopy(model.state_dict()))
            elif step - best[1] >= config.patience * config.eval_every:
                break
    if check is not None:
        model.load_state_dict(best[2])
    if progress is not None:
        progress(config.steps, float(loss.detach()))
    model.eval()
    return TrainedLM(model, vocab, config, float(loss.detach()), best[1] or step, best[0])


def fine_tune(lm: TrainedLM, documents: Sequence[str], steps: int, lr: float = 1e-3,
              seed: int = 0) -> TrainedLM:
    """A copy of ``lm`` trained ``steps`` more steps on ``documents`` at a constant rate, with
    no early stopping: post-training moves the model away from the held-out optimum on purpose
    (``m3_post``)."""
    torch.manual_seed(seed)
    config = lm.config
    if config.threads:
        torch.set_num_threads(config.threads)
    model = copy.deepcopy(lm.model)
    model.train()
    data = _batch_tensor([[1, *lm.vocab.encode(d), 1] for d in documents], config.block + 1)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    gen = torch.Generator().manual_seed(seed)
    loss = torch.tensor(math.nan)
    for _ in range(steps):
        loss = _train_step(model, data, gen, config.batch, opt)
    model.eval()
    return TrainedLM(model, lm.vocab, config, float(loss.detach()), lm.best_step,
                     lm.held_out_loss)


def _train_step(model: nn.Module, data: torch.Tensor, gen: torch.Generator, batch_size: int,
                opt: torch.optim.Optimizer) -> torch.Tensor:
    """One optimiser step on a random batch of documents (next-token cross-entropy, padding
    ignored); returns the batch's loss."""
    batch = data[torch.randint(len(data), (batch_size,), generator=gen)]
    logits, _ = model(batch[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1),
                           ignore_index=0)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss
