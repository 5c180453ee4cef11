"""The AMX rule: CPU flags and llama.cpp's system info in, use_extra_bufts out.

The feature strings are faked for CPUs this machine is not (an AMX Xeon, an ARM server); the
AMD EPYC strings are this project's CI machine's, copied from lscpu and llama.cpp.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from halprobe.backends.cpu import (
    CpuReport,
    choice_from_option,
    cpu_flags,
    has_amx,
    llama_features,
    llama_model_params,
    read_cpuinfo,
    use_extra_bufts,
)
from halprobe.errors import UserError

XEON_SAPPHIRE_RAPIDS_CPUINFO = """\
processor	: 0
vendor_id	: GenuineIntel
model name	: Intel(R) Xeon(R) Platinum 8488C
flags		: fpu vme de pse tsc msr pae mce cx8 apic sep avx avx2 avx512f avx512dq avx512cd \
avx512bw avx512vl avx512_bf16 avx512_fp16 amx_bf16 amx_tile amx_int8 arch_capabilities
"""
XEON_SYSTEM_INFO = ("CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | "
                    "BMI2 = 1 | AVX512 = 1 | AVX512_VBMI = 1 | AVX512_VNNI = 1 | "
                    "AVX512_BF16 = 1 | AMX_INT8 = 1 | LLAMAFILE = 1 | OPENMP = 1 | REPACK = 1 | ")
EPYC_CPUINFO = """\
processor	: 0
vendor_id	: AuthenticAMD
model name	: AMD EPYC
flags		: fpu vme de pse tsc avx f16c avx2 avx512f avx512dq avx512ifma avx512cd \
avx512bw avx512vl avx512_bf16 avx512vbmi avx512_vnni
"""
EPYC_SYSTEM_INFO = ("CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | "
                    "BMI2 = 1 | AVX512 = 1 | AVX512_VBMI = 1 | AVX512_VNNI = 1 | "
                    "AVX512_BF16 = 1 | LLAMAFILE = 1 | OPENMP = 1 | REPACK = 1 | ")
ARM_CPUINFO = """\
processor	: 0
BogoMIPS	: 243.75
Features	: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm \
lrcpc dcpop asimddp ssbs
CPU implementer	: 0x41
"""
ARM_SYSTEM_INFO = "CPU : NEON = 1 | ARM_FMA = 1 | FP16_VA = 1 | DOTPROD = 1 | LLAMAFILE = 1 | "


def test_llama_features_are_the_ones_reported_on() -> None:
    assert llama_features("CPU : SSE3 = 1 | AVX512 = 0 | AMX_INT8 = 1 | REPACK = 1 | ") == [
        "SSE3", "AMX_INT8", "REPACK"]
    assert llama_features("") == []


def test_cpu_flags_read_x86_flags_and_arm_features() -> None:
    assert {"amx_tile", "amx_int8", "avx512f"} <= cpu_flags(XEON_SAPPHIRE_RAPIDS_CPUINFO)
    assert "amx_tile" not in cpu_flags(EPYC_CPUINFO)
    assert {"asimd", "fp"} <= cpu_flags(ARM_CPUINFO)
    assert cpu_flags("") == frozenset()


@pytest.mark.parametrize(("cpuinfo", "system_info", "expected"), [
    (XEON_SAPPHIRE_RAPIDS_CPUINFO, XEON_SYSTEM_INFO, False),  # AMX: off
    (XEON_SAPPHIRE_RAPIDS_CPUINFO, EPYC_SYSTEM_INFO, False),  # AMX CPU, not in llama's list yet
    ("", XEON_SYSTEM_INFO, False),  # no /proc/cpuinfo (not Linux): llama.cpp's word decides
    (EPYC_CPUINFO, EPYC_SYSTEM_INFO, True),  # no AMX: llama.cpp's default (repacking on)
    (ARM_CPUINFO, ARM_SYSTEM_INFO, True),
])
def test_auto_turns_extra_buffers_off_exactly_where_there_is_amx(
        cpuinfo: str, system_info: str, expected: bool) -> None:
    assert use_extra_bufts("auto", system_info, cpu_flags(cpuinfo)) is expected
    assert has_amx(system_info, cpu_flags(cpuinfo)) is not expected


def test_on_and_off_override_the_rule() -> None:
    xeon = CpuReport(XEON_SYSTEM_INFO, cpu_flags(XEON_SAPPHIRE_RAPIDS_CPUINFO))
    epyc = CpuReport(EPYC_SYSTEM_INFO, cpu_flags(EPYC_CPUINFO))
    assert (xeon.extra_bufts("on"), xeon.extra_bufts("off")) == (True, False)
    assert (epyc.extra_bufts("on"), epyc.extra_bufts("off")) == (True, False)
    with pytest.raises(ValueError, match="auto, on, off"):
        epyc.extra_bufts("sometimes")


def test_option_values_as_yaml_reads_them() -> None:
    """`-o extra_bufts=off` arrives as False (YAML 1.1), `=on` as True."""
    assert [choice_from_option(v) for v in (False, True, "auto", "on", "off")] == [
        "off", "on", "auto", "on", "off"]
    with pytest.raises(UserError, match="extra_bufts must be one of auto, on, off"):
        choice_from_option("maybe")


def test_read_cpuinfo_of_a_missing_file_is_empty(tmp_path: Path) -> None:
    assert read_cpuinfo(tmp_path / "nope") == ""


def test_llama_model_params_sets_and_restores_the_default() -> None:
    import llama_cpp.llama_cpp as native

    before = native.llama_model_default_params
    with llama_model_params(False):
        assert native.llama_model_default_params().use_extra_bufts is False
    assert native.llama_model_default_params is before
    assert native.llama_model_default_params().use_extra_bufts is True  # llama.cpp's default
