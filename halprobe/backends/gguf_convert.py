"""A GGUF model's weights converted to another float type, for teacher-forced scoring.

llama.cpp multiplies 4- and 5-bit weights by activations it first rounds to 8 bits a block;
with float weights it keeps the activations in that float type and uses its batched matrix
kernels. For scoring (many tokens a call, no generation) that was 1.4-2.3x faster on the CPU
measured (docs/performance.md, "Teacher-forced scoring"), and closer to the exact weights:
an F32 copy holds every quantised weight exactly (a Q4_1 weight is d * q + m with d and m
16-bit floats and q < 16). It is not the arithmetic generation uses, so scores from it are
not mixed with sampled answers (analysis/choice.py, ``gold_logprobs``).

The copy is made once by llama.cpp's own converter (``llama_model_quantize``) and kept under
the cache directory, named by the source file's SHA-256, so another model file never reuses it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from halprobe.errors import UserError
from halprobe.types import NATIVE_WEIGHTS

# the score_weights option's values besides native, and llama.cpp's file type for each
FLOAT_TYPES = {"f32": "LLAMA_FTYPE_ALL_F32", "f16": "LLAMA_FTYPE_MOSTLY_F16",
               "bf16": "LLAMA_FTYPE_MOSTLY_BF16"}
CHOICES = (NATIVE_WEIGHTS, *FLOAT_TYPES)


def check_choice(value: Any) -> str:
    """The score_weights option, or a UserError naming the choices."""
    if value not in CHOICES:
        raise UserError(f"backend option score_weights must be one of {', '.join(CHOICES)} "
                        f"(got {value!r})")
    return str(value)


def converted_copy(llama_cpp: Any, source: Path, digest: str, kind: str,
                   cache_root: Path) -> Path:
    """``source`` (whose ``backends.files.file_digest`` is ``digest``) with its weights in
    ``kind`` (f32, f16 or bf16), made on first use under ``cache_root``/converted/; written
    to a temporary name and renamed, so an interrupted conversion never leaves a half file
    that a later run would load."""
    folder = cache_root / "converted"
    target = folder / f"{source.stem}-{digest}-{kind}.gguf"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, FLOAT_TYPES[kind])
    params.allow_requantize = True  # the source is quantised: dequantise, then convert
    try:
        status = llama_cpp.llama_model_quantize(str(source).encode(), str(partial).encode(),
                                                params)
        if status != 0:
            raise UserError(f"llama.cpp could not convert {source.name} to {kind} (status "
                            f"{status}); use -o score_weights=native")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target

