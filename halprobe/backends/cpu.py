"""Which llama.cpp weight buffers are safe on this CPU (the AMX crash rule).

llama.cpp repacks weights into "extra" buffer types chosen for the CPU: interleaved layouts for
its AVX2/AVX-512/NEON kernels, and on Intel CPUs with AMX an AMX buffer whose matrix product
segfaults on the first decode (upstream llama.cpp issue 20824, closed without a fix; seen on
Sapphire Rapids Xeons and on CI runners). Model params with ``use_extra_bufts = False`` avoid
it. The rule (docs/performance.md has the measurements behind it): off where the CPU has AMX,
as llama.cpp's system info or the kernel's CPU flags report it; on elsewhere, where the extra
buffers are safe and llama.cpp's own default. ``-o extra_bufts=on|off`` overrides it.

Pure functions over the two strings, so the rule is tested on faked feature strings for CPUs
this machine is not.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from halprobe.errors import UserError

ExtraBufts = Literal["auto", "on", "off"]
CHOICES: tuple[str, ...] = ("auto", "on", "off")
AMX_CPU_FLAGS = frozenset({"amx_tile", "amx_int8", "amx_bf16", "amx_fp16", "amx_complex"})
_SYSTEM_FEATURE = re.compile(r"\b([A-Z][A-Z0-9_]*)\s*=\s*1\b")


def llama_features(system_info: str) -> list[str]:
    """Features llama.cpp reports as on: 'CPU : SSE3 = 1 | AMX_INT8 = 1 | ...' -> [SSE3, ...]."""
    return _SYSTEM_FEATURE.findall(system_info)


def cpuinfo_field(cpuinfo: str, names: tuple[str, ...]) -> str | None:
    """The first value in /proc/cpuinfo text whose key is one of ``names`` (case ignored)."""
    wanted = {n.lower() for n in names}
    for line in cpuinfo.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in wanted:
            return value.strip()
    return None


def cpu_flags(cpuinfo: str) -> frozenset[str]:
    """The kernel's flags of the first CPU in /proc/cpuinfo text (x86 'flags', ARM 'Features')."""
    return frozenset((cpuinfo_field(cpuinfo, ("flags", "features")) or "").split())


def has_amx(system_info: str, flags: frozenset[str]) -> bool:
    """AMX as llama.cpp reports it (its AMX buffer type is compiled in), or as the CPU does
    (a llama.cpp that picks its CPU variant at run time may not list it until loaded)."""
    return any(f.startswith("AMX") for f in llama_features(system_info)) or bool(
        flags & AMX_CPU_FLAGS)


def choice_from_option(value: object) -> str:
    """An ``-o extra_bufts=...`` value as auto, on or off (YAML reads on/off as booleans)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if value not in CHOICES:
        raise UserError(f"backend option extra_bufts must be one of {', '.join(CHOICES)}")
    return str(value)


def use_extra_bufts(choice: str, system_info: str, flags: frozenset[str]) -> bool:
    """The ``use_extra_bufts`` model param for a choice of auto, on or off."""
    if choice not in CHOICES:
        raise ValueError(f"extra_bufts must be one of {', '.join(CHOICES)}, not {choice!r}")
    if choice == "auto":
        return not has_amx(system_info, flags)
    return choice == "on"


@dataclass(frozen=True)
class CpuReport:
    """What this machine's CPU and llama.cpp build say, read once."""

    system_info: str
    flags: frozenset[str]

    @property
    def features(self) -> list[str]:
        return llama_features(self.system_info)

    def extra_bufts(self, choice: str = "auto") -> bool:
        return use_extra_bufts(choice, self.system_info, self.flags)


def read_cpuinfo(path: Path = Path("/proc/cpuinfo")) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux: llama.cpp's own report decides
        return ""


def this_machine() -> CpuReport:
    """llama.cpp's system info (loads its library) and the kernel's CPU flags."""
    import llama_cpp

    info = llama_cpp.llama_print_system_info().decode("utf-8", errors="replace")
    return CpuReport(system_info=info, flags=cpu_flags(read_cpuinfo()))


@contextlib.contextmanager
def llama_model_params(use_extra_bufts: bool) -> Iterator[None]:
    """Every llama_cpp.Llama made inside gets ``use_extra_bufts`` (the server's, a test's).

    llama_cpp.Llama takes its model params from ``llama_cpp.llama_cpp.llama_model_default_params``
    and has no argument for this field, so that function is wrapped while the block runs.
    """
    import llama_cpp.llama_cpp as native

    original = native.llama_model_default_params

    def default_params() -> Any:
        params = original()
        params.use_extra_bufts = use_extra_bufts
        return params

    native.llama_model_default_params = default_params
    try:
        yield
    finally:
        native.llama_model_default_params = original
