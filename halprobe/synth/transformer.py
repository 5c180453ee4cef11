"""M3: a tiny character-level transformer trained on the world's documents (METRICS.md 7).

It sees the documents as text, one document a sequence between newlines, and learns the usual
next-character cross-entropy: nothing tells it what a fact is. Sampling it from a bare newline
gives documents it believes in, each with its exact probability (the sum of its characters'
log-probs); scoring a document gives that probability for any text. These two are all that
``halprobe.synth.sampled`` needs to estimate g(H) and Mis. Seeded; CPU; a KV cache keeps
sampling linear in length. This module imports torch: import it only when M3 is asked for.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

BOUNDARY = "\n"
ALPHABET = sorted(set(string.ascii_letters + string.digits + " :-."))
Cache = list[tuple[torch.Tensor, torch.Tensor]]


@dataclass(frozen=True)
class M3Config:
    """Size and training budget; the defaults train in about a minute on two CPU cores."""

    d_model: int = 96
    n_layer: int = 2
    n_head: int = 4
    block: int = 64
    steps: int = 1500
    batch: int = 64
    lr: float = 3e-3
    seed: int = 0
    threads: int | None = 1


class Vocab:
    """Characters <-> ids; id 0 is padding, id 1 the document boundary."""

    def __init__(self) -> None:
        self.chars = ["<pad>", BOUNDARY, *ALPHABET]
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> list[int]:
        return [self.index[c] for c in text]

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.chars[i] for i in ids)


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

    def _rows(self, texts: Sequence[str]) -> list[list[int]]:
        return [self.vocab.encode(BOUNDARY + t + BOUNDARY) for t in texts]

    @torch.no_grad()
    def score(self, texts: Sequence[str], batch: int = 1024) -> list[float]:
        """Natural log-probability of each whole document (its characters and the end)."""
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
            start = torch.full((min(batch, k - i), 1), self.vocab.index[BOUNDARY])
            out += self._generate(
                start, lambda logp: torch.multinomial(logp.exp(), 1, generator=gen))
        return out

    @torch.no_grad()
    def complete(self, prefixes: Sequence[str], stop: str = ".") -> list[tuple[str, list[float]]]:
        """Greedy continuation of each prefix up to ``stop``, with each character's log-prob."""
        results: list[tuple[str, list[float]]] = []
        for prefix in prefixes:
            ids = torch.tensor([self.vocab.encode(BOUNDARY + prefix)])
            text, logps = "", []
            logits, cache = self.model(ids)
            for step in range(self.config.block - ids.shape[1]):
                logp = torch.log_softmax(logits[0, -1], dim=-1)
                nxt = int(logp.argmax())
                char = self.vocab.chars[nxt]
                if char == BOUNDARY or nxt == 0:
                    break
                text, logps = text + char, [*logps, float(logp[nxt])]
                if char == stop:
                    break
                logits, cache = self.model(torch.tensor([[nxt]]), cache, ids.shape[1] + step)
            results.append((text, logps))
        return results

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
            done |= nxt[:, 0] == self.vocab.index[BOUNDARY]
            if bool(done.all()):
                break
            logits, cache = self.model(nxt, cache, step + 1)
        texts = [self.vocab.decode([i for i in row[1:] if i > 1]) for row in ids.tolist()]
        return list(zip(texts, total.tolist(), strict=True))


def train(documents: Sequence[str], config: M3Config = M3Config(),
          progress: Callable[[int, float], None] | None = None) -> TrainedLM:
    """Train on the documents (one a sequence) with AdamW and a cosine schedule; seeded."""
    torch.manual_seed(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    vocab = Vocab()
    rows = [vocab.encode(BOUNDARY + d + BOUNDARY) for d in documents]
    data = _batch_tensor(rows, min(config.block + 1, max(len(r) for r in rows)))
    model = TinyGPT(len(vocab), config)
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=config.lr, total_steps=config.steps,
                                                pct_start=0.05)
    gen = torch.Generator().manual_seed(config.seed)
    loss = torch.tensor(math.nan)
    for step in range(config.steps):
        batch = data[torch.randint(len(data), (config.batch,), generator=gen)]
        logits, _ = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1),
                               ignore_index=0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if progress is not None:
            progress(step + 1, float(loss.detach()))
    model.eval()
    return TrainedLM(model, vocab, config, float(loss))
