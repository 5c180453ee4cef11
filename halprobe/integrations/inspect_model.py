"""halprobe's backends as an inspect_ai model provider: `--model halprobe/<halprobe spec>`.

`halprobe/default` is the embedded SmolLM2-135M-Instruct GGUF through halprobe's llama.cpp
backend (offline, log-probs, the AMX-safe load of backends/cpu.py); `halprobe/llamacpp:FILE`,
`halprobe/hf:DIR` and `halprobe/openai:MODEL` are the other halprobe specs, `-M KEY=VALUE` the
backend options (`-M n_threads=2`). Why a provider and not inspect's own local ones: the
default model is a GGUF, which inspect's `llama-cpp-python/` provider reaches only as a client
of a server one must start (on AMX CPUs through a wrapper, or llama.cpp crashes), and its `hf/`
provider would run transformers' f32 dequantisation of it, other weights on another code path;
through halprobe's backend an answer asked in inspect is the answer `halprobe eval` gets, token
for token, so the two runs compare item by item (tests/integrations/test_inspect_model.py).

The provider only generates (docs/style.md habit 2): inspect does the retries, concurrency and
logging; one prompt a call, at most the backend's concurrency at once, in a worker thread so
inspect's event loop keeps running. Log-probs go into the output, so an imported run has the
confidence figures a native one has.
"""

from __future__ import annotations

import asyncio
from typing import Any

from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    GenerateConfig,
    Logprob,
    Logprobs,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    StopReason,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from halprobe.backends import create
from halprobe.backends.base import BackendError
from halprobe.types import DecodingParams, Generation, Message

DEFAULT_MAX_TOKENS = 48  # halprobe eval's --max-tokens default


def decoding(config: GenerateConfig) -> DecodingParams:
    """inspect's generation settings as halprobe's; unset ones take halprobe's defaults
    (greedy, 48 tokens)."""
    return DecodingParams(max_tokens=config.max_tokens or DEFAULT_MAX_TOKENS,
                          temperature=config.temperature or 0.0,
                          top_p=config.top_p if config.top_p is not None else 1.0,
                          seed=config.seed or 0)


def messages(chat: list[ChatMessage]) -> list[Message]:
    return [Message(m.role, m.text) for m in chat]


def output(model: str, generation: Generation) -> ModelOutput:
    logprobs = None
    if generation.tokens is not None and generation.token_logprobs is not None:
        logprobs = Logprobs(content=[Logprob(token=t, logprob=lp) for t, lp in
                                     zip(generation.tokens, generation.token_logprobs,
                                         strict=True)])
    stop: StopReason = "max_tokens" if generation.finish_reason == "length" else "stop"
    choice = ChatCompletionChoice(
        message=ChatMessageAssistant(content=generation.text, model=model, source="generate"),
        stop_reason=stop, logprobs=logprobs)
    usage = ModelUsage(input_tokens=generation.prompt_tokens or 0,
                       output_tokens=generation.completion_tokens or 0,
                       total_tokens=(generation.prompt_tokens or 0)
                       + (generation.completion_tokens or 0))
    return ModelOutput(model=model, choices=[choice], usage=usage)


class HalprobeModel(ModelAPI):
    """One halprobe backend, loaded when inspect creates the model."""

    def __init__(self, model_name: str, base_url: str | None = None,
                 api_key: str | None = None, config: GenerateConfig | None = None,
                 **model_args: Any) -> None:
        super().__init__(model_name, base_url, api_key, [], config or GenerateConfig())
        spec = None if model_name in ("", "default") else model_name
        options = dict(model_args)
        if base_url:
            options["base_url"] = base_url
        self.backend = create(spec, options)
        self._slots = asyncio.Semaphore(self.max_connections())

    def max_connections(self) -> int:
        return max(1, self.backend.capabilities.max_concurrency)

    def should_retry(self, ex: Exception) -> bool:
        return isinstance(ex, BackendError) and ex.kind == "retryable"

    def close(self) -> None:
        self.backend.close()

    async def aclose(self) -> None:
        self.close()

    async def generate(self, input: list[ChatMessage], tools: list[ToolInfo],
                       tool_choice: ToolChoice, config: GenerateConfig) -> ModelOutput:
        prompt, params = messages(input), decoding(config)
        async with self._slots:
            generations = await asyncio.to_thread(self.backend.generate, [prompt], params)
        return output(self.model_name, generations[0])
