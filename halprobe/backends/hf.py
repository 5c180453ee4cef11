"""Local transformers models, batched, with log-probs from the generation scores.

`hf:<hub id or dir>` or `hf:<dir>?gguf=<file>` (`hf:default` is the embedded GGUF). A GGUF is
dequantised by transformers on every load, which is slow, so the first load saves the weights
as safetensors under ~/.cache/halprobe/hf-gguf/ (transformers refuses to save a GGUF-loaded
model, so we copy its state dict into a fresh model of the same config).

Batching: the runner hands us a window of several batches; we sort its prompts by token length
so each batch holds prompts of similar length (little left padding), generate each batch with
scores kept, and return the generations in the window's order. The batch size is chosen from
free memory (`auto_batch_size`) unless the `batch_size` backend option is given.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from halprobe.backends.base import BackendError
from halprobe.backends.files import file_digest
from halprobe.backends.line_end import LINE_START, continuation_tokens, line_start_ids, pick
from halprobe.backends.memory import units_that_fit
from halprobe.backends.threads import default_threads
from halprobe.errors import MissingDependencyError, UserError
from halprobe.store.derived import cache_root
from halprobe.types import (
    Capabilities,
    DecodingParams,
    Generation,
    Message,
    Scored,
    ScoreRequest,
    completion_text,
)


def parse_target(target: str) -> tuple[str, str | None]:
    """'dir?gguf=file' -> ('dir', 'file'); 'default' -> the embedded GGUF."""
    if target == "default":
        from halprobe.backends.default import default_gguf

        path = default_gguf()
        return str(path.parent), path.name
    location, _, query = target.partition("?")
    gguf = parse_qs(query).get("gguf", [None])[0]
    return location, gguf


def gguf_cache_dir(source: Path) -> Path:
    """Where the safetensors copy of a GGUF lives: a plain local HF model directory."""
    stat = source.stat()
    key = hashlib.sha256(f"{source.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return cache_root() / "hf-gguf" / key.hexdigest()[:16]


def _load_gguf(location: str, gguf: str) -> tuple[Any, Any, str]:
    """Tokenizer and model from a GGUF, through a safetensors cache after the first load."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    source = Path(location) / gguf
    if not source.is_file():
        raise UserError(f"GGUF file not found: {source}")
    cache = gguf_cache_dir(source)
    if (cache / "config.json").is_file():
        tokenizer = AutoTokenizer.from_pretrained(cache)
        model = AutoModelForCausalLM.from_pretrained(cache, dtype=torch.float32)
        return tokenizer, model, source.name
    tokenizer = AutoTokenizer.from_pretrained(location, gguf_file=gguf)
    loaded = AutoModelForCausalLM.from_pretrained(location, gguf_file=gguf, dtype=torch.float32)
    config = AutoConfig.from_pretrained(location, gguf_file=gguf)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict())
    model.generation_config = loaded.generation_config
    cache.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(cache)
    tokenizer.save_pretrained(cache)
    return tokenizer, model, source.name


SCORE_REQUESTS = 8  # scoring requests a batch (their options are evaluated together)
MAX_AUTO_BATCH = 32  # on CPU, bigger batches add little throughput and waste steps on rows done
WINDOW_BATCHES = 4  # batches a window holds: what length sorting has to choose from
MEMORY_SHARE = 0.5  # of psutil's available memory, for the activations of one batch


def sequence_bytes(config: Any, prompt_len: int, new_tokens: int) -> int:
    """Memory one sequence takes during a float32 generate with scores kept.

    The weights are already loaded (and so already out of available memory); what grows with
    the batch is, per sequence: the KV cache (2 x layers x kv heads x head dim x tokens), the
    kept scores (vocab x new tokens, about three copies by the time log-probs are computed)
    and the prefill activations (hidden and MLP width, and attention weights, per token).
    """
    total = prompt_len + new_tokens
    heads = config.num_attention_heads
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    width = getattr(config, "intermediate_size", None) or 4 * config.hidden_size
    kv = 2 * config.num_hidden_layers * kv_heads * head_dim * total
    scores = 3 * config.vocab_size * (new_tokens + 1)
    activations = prompt_len * (4 * config.hidden_size + 2 * width + heads * prompt_len)
    return 4 * (kv + scores + activations)


def auto_batch_size(per_sequence: int, available: int | None = None,
                    cap: int = MAX_AUTO_BATCH) -> int:
    """As many sequences as fit in MEMORY_SHARE of available memory, between 1 and ``cap``."""
    return units_that_fit(per_sequence, MEMORY_SHARE, cap, available)


def _idle_cores(own: int = 0) -> int:
    return default_threads(own)


def length_batches(lengths: Sequence[int], size: int) -> list[list[int]]:
    """Indices grouped into batches of at most ``size``, shortest prompts first."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[i:i + size] for i in range(0, len(order), size)]


class HFBackend:
    """A causal LM through transformers: length-sorted batches, greedy by default."""

    def __init__(self, location: str, gguf: str | None = None, batch_size: int | None = None,
                 n_threads: int | None = None, **_: Any) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError:
            raise MissingDependencyError("transformers", "the hf: backend") from None
        self._fixed_threads = n_threads is not None
        self._line_starts: Any = None  # line-starting token ids, found on first use
        torch.set_num_threads(n_threads or _idle_cores())  # see threads.default_threads
        try:
            if gguf:
                tokenizer, model, name = _load_gguf(location, gguf)
                self._digest: str | None = file_digest(Path(location) / gguf)
            else:
                tokenizer = AutoTokenizer.from_pretrained(location)
                model = AutoModelForCausalLM.from_pretrained(location, dtype=torch.float32)
                name = location
                self._digest = None
        except OSError as exc:
            raise UserError(f"cannot load hf model {location!r}: {exc}".splitlines()[0]) from None
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        self._tok, self._model = tokenizer, model.eval()
        self._stops = self._stop_ids()
        self._newlines = frozenset(i for i in range(len(tokenizer))
                                   if "\n" in tokenizer.decode([i]))
        self.location, self.name = location, name
        self.batch_size = batch_size
        window = (batch_size or MAX_AUTO_BATCH) * WINDOW_BATCHES
        self.capabilities = Capabilities(logprobs=True, batching=True,
                                         max_batch_size=window, max_concurrency=1,
                                         chat_template=bool(tokenizer.chat_template),
                                         scoring=True)

    def _stop_ids(self) -> set[int]:
        """Tokens generate() stops on (EOS, possibly several) and the padding that follows."""
        eos = self._model.generation_config.eos_token_id
        ids = set(eos if isinstance(eos, list) else [eos])
        return {i for i in (*ids, self._tok.eos_token_id, self._tok.pad_token_id) if i is not None}

    def fingerprint(self) -> dict[str, Any]:
        import transformers

        revision = getattr(self._model.config, "_commit_hash", None)
        return {"backend": "hf", "model": self.name, "revision": revision, "sha256": self._digest,
                "transformers": transformers.__version__}

    def generate(self, prompts: Sequence[Sequence[Message]],
                 params: DecodingParams) -> list[Generation]:
        """Generations in prompt order; batches are formed over prompts sorted by length."""
        ids = [self.prompt_ids(p) for p in prompts]
        completions = {completion_text(p) is not None for p in prompts}
        if len(completions) > 1:
            raise BackendError("bad_request", "chat and completion prompts in one call")
        stops = self._newlines if completions == {True} else frozenset()
        size = self.batch_size or auto_batch_size(
            sequence_bytes(self._model.config, max(map(len, ids), default=1), params.max_tokens))
        out: list[Generation | None] = [None] * len(ids)
        for batch in length_batches([len(i) for i in ids], size):
            self._follow_load()
            generations = self._generate_batch([ids[n] for n in batch], params, stops)
            for n, generation in zip(batch, generations, strict=True):
                out[n] = generation
        return [g for g in out if g is not None]

    def prompt_ids(self, prompt: Sequence[Message]) -> list[int]:
        """Token ids of a chat prompt (the model's template) or of a completion prompt's text
        (with the special tokens the tokenizer adds, as llama.cpp adds BOS)."""
        text = completion_text(prompt)
        if text is not None:
            return list(self._tok(text, add_special_tokens=True)["input_ids"])
        if not self._tok.chat_template:
            raise BackendError("bad_request", f"{self.name} has no chat template: ask it "
                               "with --prompt-style completion (or auto)")
        chat = [{"role": m.role, "content": m.content} for m in prompt]
        ids: list[int] = self._tok.apply_chat_template(chat, add_generation_prompt=True,
                                                       tokenize=True, return_dict=False)
        return ids

    def score(self, requests: Sequence[ScoreRequest]) -> list[Scored]:
        """Teacher-forced log-probabilities of each continuation (docs/metrics.md 4), a few
        requests a batch: one forward pass over their prompts (left-padded), then one over
        every option of every one of them, on the prompts' KV cache (``past_key_values``)
        repeated for each option. An option's first token is predicted from its prompt's
        last position; its last token predicts nothing, so it is not evaluated."""
        out: list[Scored] = []
        for start in range(0, len(requests), SCORE_REQUESTS):
            self._follow_load()
            out += self._score_batch(requests[start:start + SCORE_REQUESTS])
        return out

    def _score_batch(self, requests: Sequence[ScoreRequest]) -> list[Scored]:
        import torch

        prompts = [self.prompt_ids(r.prompt) for r in requests]
        options = [[self._continuation_ids(completion_text(r.prompt), p, c)
                    for c in r.continuations] for r, p in zip(requests, prompts, strict=True)]
        pad = self._tok.pad_token_id
        width = max(map(len, prompts))
        ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts])
        mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
        longer = [(n, o) for n, opts in enumerate(options) for o in opts if len(o) > 1]
        with torch.inference_mode():
            first = self._model(input_ids=ids, attention_mask=mask, use_cache=bool(longer),
                                position_ids=(mask.cumsum(1) - 1).clamp(min=0))
            start = torch.log_softmax(first.logits[:, -1].double(), dim=-1).numpy()
            rest: list[list[float]] = []
            if longer:
                rest = self._continue(first, mask, prompts, longer)
        tails = iter(rest)
        scored = []
        for n, opts in enumerate(options):
            sums = [self._pick(start[n], o[0]) + sum(next(tails)) if len(o) > 1
                    else self._pick(start[n], o[0]) if o else 0.0 for o in opts]
            scored.append(Scored(tuple(sums), tuple(len(o) for o in opts)))
        return scored

    def _continue(self, first: Any, mask: Any, prompts: list[list[int]],
                  longer: list[tuple[int, list[int]]]) -> list[list[float]]:
        """Log-probs of tokens 2.. of each (request, option), all options in one pass on the
        prompts' cache (one copy of a request's rows per option; options right-padded)."""
        import torch

        owners = torch.tensor([n for n, _ in longer])
        cache = _cache_of(first)
        cache.batch_select_indices(owners)
        length = max(len(o) for _, o in longer) - 1
        pad = self._tok.pad_token_id
        ids = torch.tensor([o[:-1] + [pad] * (length + 1 - len(o)) for _, o in longer])
        tail_mask = torch.tensor([[1] * (len(o) - 1) + [0] * (length + 1 - len(o))
                                  for _, o in longer])
        positions = torch.tensor([[len(prompts[n]) + i for i in range(length)]
                                  for n, _ in longer])
        out = self._model(input_ids=ids, attention_mask=torch.cat([mask[owners], tail_mask], 1),
                          position_ids=positions, use_cache=True,
                          **_cache_argument(self._model, cache))
        logits = out.logits
        results = []
        for row, (_, option) in enumerate(longer):
            logp = torch.log_softmax(logits[row, :len(option) - 1].double(), dim=-1).numpy()
            results.append([self._pick(logp[i], t) for i, t in enumerate(option[1:])])
        return results

    def _pick(self, logprobs: Any, token: int) -> float:
        """A token's log-prob, or the end of the line's (LINE_START: line_end.py)."""
        if token == LINE_START and self._line_starts is None:
            tok = self._tok
            self._line_starts = line_start_ids(range(len(tok)), lambda t: tok.decode([t]))
        return pick(logprobs, token, self._line_starts)

    def _continuation_ids(self, text: str | None, prompt: list[int],
                          continuation: str) -> list[int]:
        """The continuation's tokens after the prompt; a trailing line break is the end of
        the line (LINE_START)."""
        return continuation_tokens(continuation, lambda body: self._body_ids(text, prompt, body))

    def _body_ids(self, text: str | None, prompt: list[int], body: str) -> list[int]:
        if text is not None:
            whole = list(self._tok(text + body, add_special_tokens=True)["input_ids"])
            if whole[:len(prompt)] == prompt and len(whole) > len(prompt):
                return whole[len(prompt):]
        return list(self._tok(body, add_special_tokens=False)["input_ids"])

    def _follow_load(self) -> None:
        """Threads follow the idle cores, as in the llamacpp backend (unless given)."""
        import torch

        if not self._fixed_threads:
            own = torch.get_num_threads()
            wanted = _idle_cores(own)
            if wanted != own:
                torch.set_num_threads(wanted)

    def _generate_batch(self, ids: list[list[int]], params: DecodingParams,
                        stops: frozenset[int] = frozenset()) -> list[Generation]:
        import torch

        enc = self._tok.pad({"input_ids": ids}, return_tensors="pt", padding=True)
        sampling = params.temperature > 0
        if sampling:
            torch.manual_seed(params.seed * 1000003 + params.sample_index)
        with torch.inference_mode():
            out = self._model.generate(
                **enc, max_new_tokens=params.max_tokens, do_sample=sampling,
                temperature=params.temperature if sampling else None,
                top_p=params.top_p if sampling else None, top_k=None,
                output_scores=True, return_dict_in_generate=True,
                pad_token_id=self._tok.pad_token_id,
                **({"eos_token_id": sorted(self._stops | stops)} if stops else {}))
            width = enc["input_ids"].shape[1]
            scores = chosen_logprobs(out.scores, out.sequences[:, width:])
        return [self._one(out.sequences[i, width:], scores[i], len(ids[i]), stops)
                for i in range(len(ids))]

    def _one(self, ids: Any, scores: Any, prompt_len: int,
             stops: frozenset[int] = frozenset()) -> Generation:
        kept = []
        for token in ids.tolist():
            if token in self._stops or token in stops:
                break
            kept.append(token)
        pieces = [self._tok.decode(kept[: i + 1]) for i in range(len(kept))]
        tokens = tuple(b[len(a):] for a, b in zip(["", *pieces], pieces, strict=False))
        finish = "stop" if len(kept) < len(ids) else "length"
        return Generation(text=(pieces[-1] if pieces else "").strip(), tokens=tokens,
                          token_logprobs=tuple(float(s) for s in scores[: len(kept)]),
                          prompt_tokens=prompt_len, completion_tokens=len(kept),
                          finish_reason=finish)

    def close(self) -> None:
        del self._model



def _cache_of(output: Any) -> Any:
    """The KV cache a forward pass returned: ``cache`` (transformers 5.x) or the older
    ``past_key_values``."""
    cache = output.get("cache")
    return cache if cache is not None else output.get("past_key_values")


def _cache_argument(model: Any, cache: Any) -> dict[str, Any]:
    """The keyword the model's forward takes its KV cache by (``past_key_values`` is
    deprecated where ``cache`` exists)."""
    import inspect

    takes_cache = "cache" in inspect.signature(model.forward).parameters
    return {"cache": cache} if takes_cache else {"past_key_values": cache}


def chosen_logprobs(steps: Sequence[Any], chosen: Any) -> Any:
    """Log-probability of each generated token, batch x steps: its score less the step's
    log-sum-exp. The same numbers as ``compute_transition_scores(normalize_logits=True)``
    (within 3e-4: another summation order) without its log-softmax of every vocabulary entry
    of every step: 0.03 s against 0.19 s for a batch of 16 answers of 32 tokens."""
    import torch

    return torch.stack([step.gather(1, chosen[:, n:n + 1]).squeeze(1)
                        - torch.logsumexp(step, dim=-1) for n, step in enumerate(steps)], dim=1)


def from_spec(target: str, options: dict[str, Any]) -> HFBackend:
    """`hf:HUB_ID_OR_DIR` or `hf:DIR?gguf=FILE`; options: batch_size, n_threads."""
    from halprobe.backends.spec import check_options

    check_options(HFBackend, options, "hf", set_by_spec=("gguf",))
    location, gguf = parse_target(target)
    if gguf is None and not Path(location).is_dir() and os.environ.get("HF_HUB_OFFLINE"):
        raise UserError(f"hf model directory not found: {location}")
    return HFBackend(location, gguf=gguf, **options)
