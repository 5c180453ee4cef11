"""llama.cpp in process, with log-probs of generated tokens at plain generation speed.

llama-cpp-python only returns log-probs when `logits_all=True`, which keeps logits for every
prompt position and costs about 5x. We decode ourselves instead: evaluate the prompt, read the
last position's logits, pick the token, repeat; and we keep the KV cache of the longest prefix
shared with the previous prompt (the chat template, system prompt and the suite's question
stem), so it is not re-evaluated. Greedy decoding gives the text
`create_chat_completion(temperature=0)` gives (same template, tokens, argmax and
end-of-generation test): tests/backends/test_llamacpp.py checks it on the same items.

One prompt at a time, on purpose: decoding 16 prompts in one batch was 1.3x faster here but
changed 23 of 100 capital answers, because llama.cpp's one-token batches (each step of plain
generation) and longer batches round differently. Figures: docs/performance.md.
"""

from __future__ import annotations

import ctypes
import hashlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from halprobe.backends.base import BackendError
from halprobe.backends.files import file_digest
from halprobe.backends.threads import ThreadTuner, default_threads, usable_cores
from halprobe.errors import MissingDependencyError, UserError
from halprobe.types import Capabilities, DecodingParams, Generation, Message


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits.astype(np.float64) - logits.max()
    return shifted - np.log(np.exp(shifted).sum())


class LlamaCppBackend:
    """A GGUF model through llama-cpp-python, greedy or seeded sampling, with log-probs."""

    def __init__(self, path: Path, model_id: str | None = None, n_ctx: int = 2048,
                 n_threads: int | None = None, n_batch: int = 512, **_: Any) -> None:
        try:
            import llama_cpp
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        except ImportError:
            raise MissingDependencyError("llama-cpp-python", "the llamacpp: backend") from None
        if not path.is_file():
            raise UserError(f"GGUF file not found: {path}")
        self.path = path
        self.model_id = model_id or path.stem
        self._threads = n_threads or default_threads()
        self._tuner = None if n_threads else ThreadTuner(self._threads, usable_cores())
        # n_threads_batch too: llama-cpp-python defaults it to every core, whatever n_threads says.
        self._llm = llama_cpp.Llama(model_path=str(path), n_ctx=n_ctx, n_batch=n_batch,
                                    n_threads=self._threads, n_threads_batch=self._threads,
                                    logits_all=False, verbose=False)
        template = self._llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise UserError(f"{path} has no chat template in its metadata")
        self._formatter = Jinja2ChatFormatter(
            template=template, eos_token=self._token_text(self._llm.token_eos()),
            bos_token=self._token_text(self._llm.token_bos()))
        self._is_eog = self._eog_test(llama_cpp)
        self._template_hash = hashlib.sha256(template.encode()).hexdigest()[:12]
        self._digest = file_digest(path)
        self._n_vocab = self._llm.n_vocab()
        self._work = np.empty(self._n_vocab, dtype=np.float32)
        self.capabilities = Capabilities(logprobs=True, batching=False, max_batch_size=1,
                                         max_concurrency=1)

    def _token_text(self, token: int) -> str:
        return self._llm.detokenize([token], special=True).decode("utf-8", errors="ignore")

    def _eog_test(self, llama_cpp: Any) -> Any:
        """llama.cpp's own end-of-generation test (EOS, <|im_end|>, <|eot_id|>...), as its
        create_completion uses it."""
        vocab = self._llm._model.vocab
        return lambda token: bool(llama_cpp.llama_vocab_is_eog(vocab, token))

    def fingerprint(self) -> dict[str, Any]:
        import llama_cpp

        return {"backend": "llamacpp", "model": self.model_id, "file": self.path.name,
                "sha256": self._digest, "chat_template": self._template_hash,
                "llama_cpp": llama_cpp.__version__}

    def prompt_tokens(self, messages: Sequence[Message]) -> list[int]:
        """The chat template applied as create_chat_completion applies it (no BOS added)."""
        chat: Any = [{"role": m.role, "content": m.content} for m in messages]
        formatted = self._formatter(messages=chat)
        return self._llm.tokenize(formatted.prompt.encode("utf-8"), add_bos=False, special=True)

    def generate(self, prompts: Sequence[Sequence[Message]],
                 params: DecodingParams) -> list[Generation]:
        return [self._generate_one(p, params) for p in prompts]

    def _use_threads(self) -> None:
        """The thread count the tuner picks for this item (unless n_threads was given)."""
        wanted = self._tuner.pick() if self._tuner else self._threads
        if wanted != self._threads:
            self._llm._ctx.set_n_threads(wanted, wanted)
            self._threads = wanted

    def _prefill(self, tokens: list[int]) -> None:
        """Evaluate the prompt, reusing the KV cache of the prefix shared with the last one.

        At least two tokens are always evaluated: llama.cpp computes a one-token batch with
        other kernels than a longer one (logits differ by up to 0.8), while any split into
        batches of two or more gives the logits of a fresh evaluation bit for bit. So an
        answer never depends on which prompt came before it.
        """
        llm = self._llm
        shared = 0
        for a, b in zip(llm.input_ids[: llm.n_tokens].tolist(), tokens[:-2], strict=False):
            if a != b:
                break
            shared += 1
        llm.n_tokens = shared  # eval() drops the KV cells from here on
        llm.eval(tokens[shared:])

    def _generate_one(self, messages: Sequence[Message], params: DecodingParams) -> Generation:
        tokens = self.prompt_tokens(messages)
        if len(tokens) + params.max_tokens > self._llm.n_ctx():
            raise BackendError("bad_request", f"prompt of {len(tokens)} tokens does not fit the "
                               f"context of {self._llm.n_ctx()}")
        rng = (np.random.default_rng([params.seed, params.sample_index, *tokens[-8:]])
               if params.temperature > 0 else None)
        self._use_threads()
        self._prefill(tokens)
        out: list[int] = []
        logprobs: list[float] = []
        finish = "length"
        start = time.perf_counter()
        while True:
            token, logprob = self._next(params, rng)
            if self._is_eog(token):
                finish = "stop"
                break
            out.append(token)
            logprobs.append(logprob)
            if len(out) == params.max_tokens:
                break  # its logits would never be read: no need to evaluate it
            self._llm.eval([token])
        if self._tuner and len(out) > 1:
            self._tuner.record(self._threads, (time.perf_counter() - start) / len(out))
        pieces = self._pieces(out)
        return Generation(text="".join(pieces).strip(), tokens=tuple(pieces),
                          token_logprobs=tuple(logprobs), prompt_tokens=len(tokens),
                          completion_tokens=len(out), finish_reason=finish)

    def _last_logits(self) -> np.ndarray:
        """Logits of the last evaluated position: a view of llama.cpp's buffer, not a copy."""
        pointer = self._llm._ctx.get_logits_ith(-1)
        buffer = (ctypes.c_float * self._n_vocab).from_address(ctypes.addressof(pointer.contents))
        return np.frombuffer(memoryview(buffer), dtype=np.float32)

    def _next(self, params: DecodingParams, rng: np.random.Generator | None) -> tuple[int, float]:
        """The next token and its log-probability under the model (temperature 1).

        Greedy needs only the argmax and log-sum-exp of the logits (float32 in a reused buffer,
        summed in float64): about 0.1 ms a token, against 1.4 ms for a float64 log_softmax.
        """
        logits = self._last_logits()
        token = int(logits.argmax()) if rng is None else self._sample(logits, params, rng)
        top = logits[token] if rng is None else logits.max()
        np.subtract(logits, top, out=self._work)
        np.exp(self._work, out=self._work)
        lse = float(top) + float(np.log(self._work.sum(dtype=np.float64)))
        return token, float(logits[token]) - lse

    @staticmethod
    def _sample(logits: np.ndarray, params: DecodingParams, rng: np.random.Generator) -> int:
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
    """`llamacpp:<file.gguf>`; options: n_threads, n_ctx, n_batch."""
    from halprobe.backends.registry import check_options

    check_options(LlamaCppBackend, options, "llamacpp")
    path = Path(target).expanduser()
    if not path.is_file():
        raise UserError(f"GGUF file not found: {path}")
    return LlamaCppBackend(path, **options)
