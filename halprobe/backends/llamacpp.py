"""llama.cpp in process, with log-probs of generated tokens, prompts decoded side by side.

llama-cpp-python only returns log-probs when `logits_all=True`, which keeps logits for every
prompt position and costs about 5x. We decode ourselves instead (llamacpp_engine.py): evaluate
the prompt, read the last position's logits, pick the token, repeat; up to ``n_parallel``
prompts decoded together in one llama.cpp call a step, each in its own KV stream, so each gets
the logits it gets alone, bit for bit; and each stream keeps the KV cache of the prefix its next
prompt shares with its last (chat template, system prompt, the suite's question stem). Greedy
decoding gives the text `create_chat_completion(temperature=0)` gives (same template, tokens,
argmax and end-of-generation test): tests/backends/test_llamacpp.py checks it on the same items.
Figures: docs/performance.md.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from halprobe.backends.base import BackendError
from halprobe.backends.cpu import choice_from_option, this_machine
from halprobe.backends.files import file_digest
from halprobe.backends.gguf_convert import check_choice, converted_copy
from halprobe.backends.line_end import continuation_tokens, line_start_ids
from halprobe.backends.llamacpp_engine import Decoded, DecodeEngine
from halprobe.backends.llamacpp_scoring import STREAM_CELLS, Scorer
from halprobe.backends.memory import units_that_fit
from halprobe.backends.threads import ThreadTuner, default_threads, usable_cores
from halprobe.errors import MissingDependencyError, UserError
from halprobe.process import crash_context
from halprobe.types import (
    NATIVE_WEIGHTS,
    Capabilities,
    DecodingParams,
    Generation,
    Message,
    Scored,
    ScoreRequest,
    completion_text,
)

MAX_PARALLEL = 16  # 16 sequences a step cost 4.4-5.4 ms a token, 32 hardly less (performance.md)
SCORE_BATCH = 512  # tokens a scoring call at most
SCORE_STREAMS = 128  # most KV streams for scoring (one an option): fewer calls; 255 no faster
# with a float copy of the weights (score_weights) a token costs less and each llama.cpp call's
# fixed ~10 ms more: 255 streams (more requests a call) gave 22-24 items/s against 16-19
FLOAT_SCORE_STREAMS = 255
SCORE_MEMORY_SHARE = 0.1  # of available memory, for the scoring streams, while a run scores
KV_MEMORY_SHARE = 0.25  # of available memory, for the KV streams, held for the whole run


def kv_bytes_per_token(llama_cpp: Any, model: Any) -> int:
    """f16 K and V of one token in every layer (2 x layers x KV heads x head dim x 2 bytes)."""
    heads = llama_cpp.llama_model_n_head(model)
    head_dim = llama_cpp.llama_model_n_embd(model) // max(1, heads)
    kv_heads = llama_cpp.llama_model_n_head_kv(model) or heads
    return 2 * llama_cpp.llama_model_n_layer(model) * kv_heads * head_dim * 2


def newline_tokens(model: Any) -> frozenset[int]:
    """Tokens whose text holds a line break: a completion prompt's answer line ends there."""
    return frozenset(t for t in range(model.n_vocab())
                     if b"\n" in model.detokenize([t], special=False))


class LlamaCppBackend:
    """A GGUF model through llama.cpp, greedy or seeded sampling, with log-probs."""

    def __init__(self, path: Path, model_id: str | None = None, n_ctx: int = 1024,
                 n_threads: int | None = None, n_batch: int = 512, n_parallel: int | None = None,
                 extra_bufts: str = "auto", score_weights: str = "native", **_: Any) -> None:
        try:
            import llama_cpp
            from llama_cpp._internals import LlamaModel
            from llama_cpp._logger import set_verbose
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        except ImportError:
            raise MissingDependencyError("llama-cpp-python", "the llamacpp: backend") from None
        if not path.is_file():
            raise UserError(f"GGUF file not found: {path}")
        for name, value, least in (("n_ctx", n_ctx, 16), ("n_batch", n_batch, 8),
                                   ("n_parallel", 1 if n_parallel is None else n_parallel, 1)):
            if not isinstance(value, int) or value < least:
                raise UserError(f"backend option {name} must be a whole number >= {least}")
        extra_bufts = choice_from_option(extra_bufts)
        self.score_weights = check_choice(score_weights)
        most = llama_cpp.llama_max_parallel_sequences()
        if n_parallel is not None and n_parallel > most:
            raise UserError(f"backend option n_parallel must be at most {most} (llama.cpp)")
        set_verbose(False)  # llama.cpp's errors only, as Llama(verbose=False) sets it
        self.path = path
        self.model_id = model_id or path.stem
        threads = n_threads or default_threads()
        tuner = None if n_threads else ThreadTuner(threads, usable_cores())
        cpu = this_machine()
        self.extra_bufts = cpu.extra_bufts(extra_bufts)
        crash_context.note(backend="llamacpp", model=str(path), cpu_features=cpu.features,
                           extra_bufts=extra_bufts, extra_bufts_used=self.extra_bufts)
        params = llama_cpp.llama_model_default_params()
        params.use_extra_bufts = self.extra_bufts
        try:
            self._model = LlamaModel(path_model=str(path), verbose=False, params=params)
        except ValueError as exc:
            raise UserError(f"llama.cpp could not load {path}: {exc}") from None
        template = self._model.metadata().get("tokenizer.chat_template") or ""
        # a base model has none: it is asked completion prompts (--prompt-style)
        self._formatter = Jinja2ChatFormatter(
            template=template, eos_token=self._token_text(self._model.token_eos()),
            bos_token=self._token_text(self._model.token_bos())) if template else None
        self._add_bos = bool(llama_cpp.llama_vocab_get_add_bos(self._model.vocab))
        self._newlines = newline_tokens(self._model)
        if n_parallel is None:  # as many KV streams as fit beside everything else, up to 16
            per_stream = n_ctx * kv_bytes_per_token(llama_cpp, self._model.model)
            n_parallel = units_that_fit(per_stream, KV_MEMORY_SHARE, MAX_PARALLEL)
        vocab = self._model.vocab
        try:
            self._engine = DecodeEngine(
                llama_cpp, self._model, n_streams=n_parallel, n_ctx=n_ctx, n_batch=n_batch,
                threads=threads, tuner=tuner,
                is_end=lambda token: bool(llama_cpp.llama_vocab_is_eog(vocab, token)))
        except ValueError as exc:  # llama.cpp could not allocate the KV streams
            self._model.close()
            raise UserError(f"llama.cpp could not make room for {n_parallel} sequences of "
                            f"{n_ctx} tokens with {path.name} ({exc}); ask for fewer with "
                            "-o n_parallel=N or -o n_ctx=N") from None
        self._lib, self._n_ctx = llama_cpp, n_ctx
        self._scorer: Scorer | None = None
        self._scoring_model: Any = None  # a converted copy's weights (score_weights)
        self._scoring = threading.Lock()
        self._template_hash = hashlib.sha256(template.encode()).hexdigest()[:12]
        self._digest = file_digest(path)
        # The runner's worker threads each wait on one prompt while the engine decodes them all;
        # twice as many as streams, so that a prompt is waiting whenever a stream frees (60
        # items: 58 of 118 steps ran all 16 streams with one worker a stream, 72 of 115 with two).
        self.capabilities = Capabilities(logprobs=True, batching=False, max_batch_size=1,
                                         max_concurrency=2 * n_parallel,
                                         chat_template=bool(template), scoring=True,
                                         score_weights=self.score_weights)

    @property
    def threads(self) -> int:
        return self._engine.threads

    def _token_text(self, token: int) -> str:
        return self._model.detokenize([token], special=True).decode("utf-8", errors="ignore")

    def fingerprint(self) -> dict[str, Any]:
        import llama_cpp

        return {"backend": "llamacpp", "model": self.model_id, "file": self.path.name,
                "sha256": self._digest, "chat_template": self._template_hash,
                "llama_cpp": llama_cpp.__version__,
                # repacked weights round differently: the cache must not mix the two
                "extra_bufts": self.extra_bufts}

    def prompt_tokens(self, messages: Sequence[Message]) -> list[int]:
        """The chat template applied as create_chat_completion applies it (no BOS added);
        a completion prompt's text as it is, with BOS where the model's vocabulary asks."""
        text = completion_text(messages)
        if text is not None:
            return self._model.tokenize(text.encode("utf-8"), add_bos=self._add_bos,
                                        special=False)
        if self._formatter is None:
            raise BackendError("bad_request", f"{self.path.name} has no chat template in its "
                               "metadata: ask it with --prompt-style completion (or auto)")
        chat: Any = [{"role": m.role, "content": m.content} for m in messages]
        formatted = self._formatter(messages=chat)
        return self._model.tokenize(formatted.prompt.encode("utf-8"), add_bos=False,
                                    special=True)

    def generate(self, prompts: Sequence[Sequence[Message]],
                 params: DecodingParams) -> list[Generation]:
        """All prompts decoded side by side; the first failure is raised. A completion
        prompt's answer ends at the end of its line."""
        token_lists = [self.prompt_tokens(p) for p in prompts]
        futures = [self._engine.submit(tokens, params, self._stops(p))
                   for tokens, p in zip(token_lists, prompts, strict=True)]
        return [self._generation(tokens, future.result())
                for tokens, future in zip(token_lists, futures, strict=True)]

    def _stops(self, prompt: Sequence[Message]) -> frozenset[int]:
        return self._newlines if completion_text(prompt) is not None else frozenset()

    def score(self, requests: Sequence[ScoreRequest]) -> list[Scored]:
        """Teacher-forced log-probabilities of each request's continuations (docs/metrics.md 4).

        A continuation's tokens are those the prompt and continuation make together past the
        prompt's own tokens (as lm-evaluation-harness splits them), so a leading space joins
        the word it precedes, as it would in the model's own output.
        """
        tokenized = []
        for request in requests:
            prompt = self.prompt_tokens(request.prompt)
            tokenized.append((prompt, [self._continuation(request.prompt, prompt, c)
                                       for c in request.continuations]))
        with self._scoring:  # one scoring call at a time: the scorer's KV cache is shared
            scored = self._scorer_for(tokenized).score(tokenized)
        return [Scored(tuple(sum(t) for t in s), tuple(len(t) for t in s)) for s in scored]

    def _scorer_for(self, requests: list[tuple[list[int], list[list[int]]]]) -> Scorer:
        """The scoring context, made on first use (a generation-only run needs none) and
        again with longer streams when a request needs them."""
        need = max((len(p) + max((len(o) for o in options), default=0)
                    for p, options in requests), default=0)
        if need > self._n_ctx:
            raise BackendError("bad_request", f"a prompt and continuation of {need} tokens do "
                               f"not fit the context of {self._n_ctx} (backend option n_ctx)")
        if self._scorer is None or need > self._scorer.cells:
            if self._scorer is not None:
                self._scorer.close()
            cells = max(STREAM_CELLS, -(-need // 256) * 256)  # llama.cpp pads to 256
            per_stream = cells * kv_bytes_per_token(self._lib, self._model.model)
            most = SCORE_STREAMS if self.score_weights == NATIVE_WEIGHTS else FLOAT_SCORE_STREAMS
            streams = max(8, units_that_fit(per_stream, SCORE_MEMORY_SHARE,
                                            min(most, self._lib.llama_max_parallel_sequences())))
            self._scorer = Scorer(self._lib, self._weights_for_scoring(), cells=cells,
                                  n_streams=streams, line_starts=self._line_starts(),
                                  n_batch=SCORE_BATCH, threads=self._engine.threads)
        return self._scorer

    def _weights_for_scoring(self) -> Any:
        """The generation engine's weights, or (score_weights f32, f16, bf16) a float copy
        of them, converted once and cached (backends/gguf_convert.py: faster in large
        batches, but not generation's arithmetic)."""
        if self.score_weights == NATIVE_WEIGHTS:
            return self._model
        if self._scoring_model is None:
            from llama_cpp._internals import LlamaModel

            from halprobe.store.derived import cache_root

            copy = converted_copy(self._lib, self.path, self._digest, self.score_weights,
                                  cache_root())
            params = self._lib.llama_model_default_params()
            params.use_extra_bufts = self.extra_bufts
            self._scoring_model = LlamaModel(path_model=str(copy), verbose=False, params=params)
        return self._scoring_model

    def _line_starts(self) -> Any:
        """Tokens whose text begins with a line break (among those holding one)."""
        return line_start_ids(self._newlines, lambda t: self._model.detokenize(
            [t], special=False).decode("utf-8", errors="replace"))

    def _continuation(self, messages: Sequence[Message], prompt: list[int],
                      continuation: str) -> list[int]:
        """The continuation's tokens as they follow the prompt; a trailing line break is the
        end of the line, LINE_START (any token that starts a new line: line_end.py)."""
        return continuation_tokens(continuation,
                                   lambda body: self._body_tokens(messages, prompt, body))

    def _body_tokens(self, messages: Sequence[Message], prompt: list[int],
                     body: str) -> list[int]:
        text = completion_text(messages)
        if text is not None:
            whole = self._model.tokenize((text + body).encode("utf-8"),
                                         add_bos=self._add_bos, special=False)
            if whole[:len(prompt)] == prompt and len(whole) > len(prompt):
                return whole[len(prompt):]
        return self._model.tokenize(body.encode("utf-8"), add_bos=False, special=False)

    def _generation(self, prompt: list[int], decoded: Decoded) -> Generation:
        pieces = self._pieces(decoded.tokens)
        return Generation(text="".join(pieces).strip(), tokens=tuple(pieces),
                          token_logprobs=tuple(decoded.logprobs), prompt_tokens=len(prompt),
                          completion_tokens=len(decoded.tokens),
                          finish_reason=decoded.finish_reason)

    def _pieces(self, tokens: list[int]) -> list[str]:
        """Token texts whose concatenation is the decoded output (multi-byte chars kept whole)."""
        pieces: list[str] = []
        pending = b""
        for token in tokens:
            pending += self._model.detokenize([token])
            try:
                pieces.append(pending.decode("utf-8"))
                pending = b""
            except UnicodeDecodeError:
                pieces.append("")
        if pending:
            pieces[-1] = pending.decode("utf-8", errors="replace")
        return pieces

    def close(self) -> None:
        if self._scorer is not None:
            self._scorer.close()
        self._engine.close()
        if self._scoring_model is not None:
            self._scoring_model.close()
        self._model.close()


def from_spec(target: str, options: dict[str, Any]) -> LlamaCppBackend:
    """`llamacpp:<file.gguf>`; options: n_threads, n_ctx, n_batch, n_parallel, extra_bufts."""
    from halprobe.backends.spec import check_options

    check_options(LlamaCppBackend, options, "llamacpp")
    path = Path(target).expanduser()
    if not path.is_file():
        raise UserError(f"GGUF file not found: {path}")
    return LlamaCppBackend(path, **options)
