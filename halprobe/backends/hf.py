"""Local transformers models, batched, with log-probs from the generation scores.

`hf:<hub id or dir>` or `hf:<dir>?gguf=<file>` (`hf:default` is the embedded GGUF). A GGUF is
dequantised by transformers on every load, which is slow, so the first load saves the weights
as safetensors under ~/.cache/halprobe/hf-gguf/ (transformers refuses to save a GGUF-loaded
model, so we copy its state dict into a fresh model of the same config).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from halprobe.backends.files import file_digest
from halprobe.errors import MissingDependencyError, UserError
from halprobe.types import Capabilities, DecodingParams, Generation, Message

CACHE_ROOT = Path(os.environ.get("HALPROBE_HOME", Path.home() / ".cache" / "halprobe"))


def parse_target(target: str) -> tuple[str, str | None]:
    """'dir?gguf=file' -> ('dir', 'file'); 'default' -> the embedded GGUF."""
    if target == "default":
        from halprobe.backends.default import default_gguf

        path = default_gguf()
        return str(path.parent), path.name
    location, _, query = target.partition("?")
    gguf = parse_qs(query).get("gguf", [None])[0]
    return location, gguf


def _load_gguf(location: str, gguf: str) -> tuple[Any, Any, str]:
    """Tokenizer and model from a GGUF, through a safetensors cache after the first load."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    source = Path(location) / gguf
    if not source.is_file():
        raise UserError(f"GGUF file not found: {source}")
    stat = source.stat()
    key = hashlib.sha256(f"{source.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    cache = CACHE_ROOT / "hf-gguf" / key.hexdigest()[:16]
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


class HFBackend:
    """A causal LM through transformers: padding-aware batches, greedy by default."""

    def __init__(self, location: str, gguf: str | None = None, batch_size: int = 16,
                 **_: Any) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError:
            raise MissingDependencyError("transformers", "the hf: backend") from None
        torch.set_num_threads(os.cpu_count() or 1)
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
        self.location, self.name = location, name
        self.capabilities = Capabilities(logprobs=True, batching=True,
                                         max_batch_size=batch_size, max_concurrency=1)

    def fingerprint(self) -> dict[str, Any]:
        import transformers

        revision = getattr(self._model.config, "_commit_hash", None)
        return {"backend": "hf", "model": self.name, "revision": revision, "sha256": self._digest,
                "transformers": transformers.__version__}

    def generate(self, prompts: Sequence[Sequence[Message]],
                 params: DecodingParams) -> list[Generation]:
        import torch

        texts = [self._tok.apply_chat_template([{"role": m.role, "content": m.content}
                                                for m in p],
                                               add_generation_prompt=True, tokenize=False)
                 for p in prompts]
        enc = self._tok(texts, return_tensors="pt", padding=True, add_special_tokens=False)
        sampling = params.temperature > 0
        if sampling:
            torch.manual_seed(params.seed * 1000003 + params.sample_index)
        with torch.inference_mode():
            out = self._model.generate(
                **enc, max_new_tokens=params.max_tokens, do_sample=sampling,
                temperature=params.temperature if sampling else None,
                top_p=params.top_p if sampling else None, top_k=None,
                output_scores=True, return_dict_in_generate=True,
                pad_token_id=self._tok.pad_token_id)
            scores = self._model.compute_transition_scores(out.sequences, out.scores,
                                                           normalize_logits=True)
        width = enc["input_ids"].shape[1]
        return [self._one(out.sequences[i, width:], scores[i], int(enc["attention_mask"][i].sum()))
                for i in range(len(prompts))]

    def _one(self, ids: Any, scores: Any, prompt_len: int) -> Generation:
        stops = {self._tok.eos_token_id, self._tok.pad_token_id}
        kept = []
        for token in ids.tolist():
            if token in stops:
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


def from_spec(target: str, options: dict[str, Any]) -> HFBackend:
    location, gguf = parse_target(target)
    if gguf is None and not Path(location).is_dir() and os.environ.get("HF_HUB_OFFLINE"):
        raise UserError(f"hf model directory not found: {location}")
    return HFBackend(location, gguf=gguf, **options)
