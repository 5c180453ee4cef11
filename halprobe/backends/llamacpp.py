"""llama.cpp in process, with log-probs of generated tokens at plain generation speed.

llama-cpp-python only returns log-probs when `logits_all=True`, which keeps logits for every
prompt position and costs about 5x. We decode ourselves instead: evaluate the prompt, read the
last position's logits, pick the token, repeat; and we keep the KV cache of the longest prefix
shared with the previous prompt (the chat template and system prompt), so it is not re-evaluated.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from halprobe.backends.base import BackendError
from halprobe.backends.files import file_digest
from halprobe.errors import MissingDependencyError, UserError
from halprobe.types import Capabilities, DecodingParams, Generation, Message


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max()
    return shifted - np.log(np.exp(shifted).sum())


class LlamaCppBackend:
    """A GGUF model through llama-cpp-python, greedy or seeded sampling, with log-probs."""

    def __init__(self, path: Path, model_id: str | None = None, n_ctx: int = 2048,
                 n_threads: int | None = None, **_: Any) -> None:
        try:
            from llama_cpp import Llama
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        except ImportError:
            raise MissingDependencyError("llama-cpp-python", "the llamacpp: backend") from None
        if not path.is_file():
            raise UserError(f"GGUF file not found: {path}")
        self.path = path
        self.model_id = model_id or path.stem
        self._llm = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads or os.cpu_count(),
                          logits_all=False, verbose=False)
        template = self._llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise UserError(f"{path} has no chat template in its metadata")
        eos_id, bos_id = self._llm.token_eos(), self._llm.token_bos()
        self._formatter = Jinja2ChatFormatter(
            template=template,
            eos_token=self._token_text(eos_id), bos_token=self._token_text(bos_id))
        self._stop_ids = {eos_id, *self._special_stops()}
        self._template_hash = hashlib.sha256(template.encode()).hexdigest()[:12]
        self._digest = file_digest(path)
        self._n_vocab = self._llm.n_vocab()
        self.capabilities = Capabilities(logprobs=True, batching=False, max_batch_size=1,
                                         max_concurrency=1)

    def _token_text(self, token: int) -> str:
        return self._llm.detokenize([token], special=True).decode("utf-8", errors="ignore")

    def _special_stops(self) -> set[int]:
        """End-of-turn tokens that some chat templates use instead of EOS (e.g. <|im_end|>)."""
        stops = set()
        for text in ("<|im_end|>", "<|eot_id|>", "<|end|>", "<end_of_turn>"):
            ids = self._llm.tokenize(text.encode(), add_bos=False, special=True)
            if len(ids) == 1:
                stops.add(ids[0])
        return stops

    def fingerprint(self) -> dict[str, Any]:
        import llama_cpp

        return {"backend": "llamacpp", "model": self.model_id, "file": self.path.name,
                "sha256": self._digest, "chat_template": self._template_hash,
                "llama_cpp": llama_cpp.__version__}

    def prompt_tokens(self, messages: Sequence[Message]) -> list[int]:
        chat: Any = [{"role": m.role, "content": m.content} for m in messages]
        formatted = self._formatter(messages=chat)
        return self._llm.tokenize(formatted.prompt.encode("utf-8"), add_bos=False, special=True)

    def generate(self, prompts: Sequence[Sequence[Message]],
                 params: DecodingParams) -> list[Generation]:
        return [self._generate_one(p, params) for p in prompts]

    def _prefill(self, tokens: list[int]) -> None:
        """Evaluate the prompt, reusing the KV cache of the prefix shared with the last one."""
        llm = self._llm
        shared = 0
        for a, b in zip(llm.input_ids[: llm.n_tokens], tokens[:-1], strict=False):
            if a != b:
                break
            shared += 1
        llm.n_tokens = shared
        llm.eval(tokens[shared:])

    def _generate_one(self, messages: Sequence[Message], params: DecodingParams) -> Generation:
        tokens = self.prompt_tokens(messages)
        if len(tokens) + params.max_tokens > self._llm.n_ctx():
            raise BackendError("bad_request", f"prompt of {len(tokens)} tokens does not fit the "
                               f"context of {self._llm.n_ctx()}")
        rng = np.random.default_rng([params.seed, params.sample_index, *tokens[-8:]])
        self._prefill(tokens)
        out: list[int] = []
        logprobs: list[float] = []
        finish = "length"
        for _ in range(params.max_tokens):
            logits = self._last_logits()
            lp = log_softmax(logits)
            token = self._choose(logits, lp, params, rng)
            if token in self._stop_ids:
                finish = "stop"
                break
            out.append(token)
            logprobs.append(float(lp[token]))
            self._llm.eval([token])
        pieces = self._pieces(out)
        return Generation(text="".join(pieces).strip(), tokens=tuple(pieces),
                          token_logprobs=tuple(logprobs), prompt_tokens=len(tokens),
                          completion_tokens=len(out), finish_reason=finish)

    def _last_logits(self) -> np.ndarray:
        """Logits of the last evaluated position, read straight from the llama.cpp context."""
        pointer = self._llm._ctx.get_logits_ith(-1)
        return np.ctypeslib.as_array(pointer, shape=(self._n_vocab,)).astype(np.float64)

    @staticmethod
    def _choose(logits: np.ndarray, lp: np.ndarray, params: DecodingParams,
                rng: np.random.Generator) -> int:
        if params.temperature <= 0:
            return int(np.argmax(logits))
        probs = np.exp(log_softmax(logits / params.temperature))
        if params.top_p < 1.0:
            order = np.argsort(-probs)
            keep = order[: int(np.searchsorted(np.cumsum(probs[order]), params.top_p)) + 1]
            mask = np.zeros_like(probs)
            mask[keep] = probs[keep]
            probs = mask / mask.sum()
        return int(rng.choice(len(probs), p=probs))

    def _pieces(self, tokens: list[int]) -> list[str]:
        """Token texts whose concatenation is the decoded output (multi-byte chars kept whole)."""
        pieces: list[str] = []
        pending = b""
        for token in tokens:
            pending += self._llm.detokenize([token])
            try:
                pieces.append(pending.decode("utf-8"))
                pending = b""
            except UnicodeDecodeError:
                pieces.append("")
        if pending:
            pieces[-1] = pending.decode("utf-8", errors="replace")
        return pieces

    def close(self) -> None:
        self._llm.close() if hasattr(self._llm, "close") else None


def from_spec(target: str, options: dict[str, Any]) -> LlamaCppBackend:
    """`llamacpp:<file.gguf>`."""
    path = Path(target).expanduser()
    if not path.is_file():
        raise UserError(f"GGUF file not found: {path}")
    return LlamaCppBackend(path, **options)
