"""What this CPU can do for a model, from its instruction-set flags, and which CPU mode the accelerator picks.

The choice comes from the flags, not from timing a few calls: a timing taken while the machine is busy picked
fp32 on one load and int8 on another (issue 25), and two registries in one process could then embed the same
crop differently. Only where the flags are unknown does `core.models.accel` time the modes against fp32.
"""

from __future__ import annotations

import functools
import platform
import subprocess
import sys
from pathlib import Path

# The flags that matter to the CPU modes, as Linux's /proc/cpuinfo spells them.
X86_FLAGS = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni",
             "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16")
ARM_FLAGS = ("asimd", "asimddp", "i8mm", "bf16", "sve", "sve2")
_MAC_ARM = {"hw.optional.arm.FEAT_DotProd": "asimddp", "hw.optional.arm.FEAT_I8MM": "i8mm",
            "hw.optional.arm.FEAT_BF16": "bf16", "hw.optional.AdvSIMD": "asimd"}


def _arch() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


@functools.lru_cache(maxsize=1)
def cpu_features() -> dict[str, object]:
    """The CPU's name, architecture and the flags of X86_FLAGS / ARM_FLAGS it has, and where they were read."""
    arch = _arch()
    wanted = X86_FLAGS if arch == "x86_64" else ARM_FLAGS if arch == "aarch64" else ()
    name, flags, source = platform.processor() or "", set(), "none"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        try:
            text = cpuinfo.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        for line in text.splitlines():
            key, _, value = line.partition(":")
            key = key.strip().lower()
            if key in ("model name", "cpu model") and not name:
                name = value.strip()
            elif key in ("flags", "features"):
                flags |= set(value.split())
                source = "/proc/cpuinfo"
    elif sys.platform == "darwin":
        flags, source = _mac_flags(arch), "sysctl"
    if source == "none":
        flags, source = _torch_flags(), "torch.backends.cpu.get_cpu_capability"
    return {"name": name, "arch": arch, "flags": sorted(f for f in flags if f in wanted), "source": source}


def _mac_flags(arch: str) -> set[str]:
    keys = list(_MAC_ARM) if arch == "aarch64" else ["machdep.cpu.features", "machdep.cpu.leaf7_features"]
    try:
        out = subprocess.run(["sysctl", *keys], capture_output=True, text=True, timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    if arch == "aarch64":
        return {_MAC_ARM[k.strip()] for k, _, v in (line.partition(":") for line in out.splitlines())
                if k.strip() in _MAC_ARM and v.strip() == "1"}
    words = {w.lower().replace(".", "_") for w in out.split()}
    return {f for f in X86_FLAGS if f.replace("_", "") in {w.replace("_", "") for w in words}}


def _torch_flags() -> set[str]:
    """A coarse guess where no flag list is readable (Windows): what torch's own dispatch found."""
    try:
        import torch

        capability = torch.backends.cpu.get_cpu_capability()
    except Exception:  # noqa: BLE001 - no torch, or an old one: the flags stay unknown
        return set()
    return {"AVX2": {"avx2", "fma"}, "AVX512": {"avx2", "fma", "avx512f"},
            "AMX": {"avx2", "fma", "avx512f", "amx_bf16", "amx_int8"}}.get(capability, set())


def plan(features: dict[str, object] | None = None, *, int8_available: bool = True,
         bf16_available: bool = True) -> dict[str, object]:
    """The modes "auto" tries, in order, on this CPU, and why; `timed` says the flags were unknown, so each
    faster mode is also timed against fp32 and kept only if it is faster."""
    features = features or cpu_features()
    flags = set(features.get("flags") or ())
    arch = features.get("arch")
    order: list[str] = []
    reasons: list[str] = []
    timed = False
    if arch == "x86_64" and flags:
        vnni = sorted(flags & {"avx512_vnni", "avx_vnni", "amx_int8"})
        fast_bf16 = sorted(flags & {"amx_bf16", "avx512_bf16"})
        if vnni:
            order.append("int8-ort")
            reasons.append(f"int8: {', '.join(vnni)} multiply u8 x s8 into int32 in one instruction")
        elif "avx2" in flags:
            order.append("int8-ort")
            reasons.append("int8: u8 x s8 kernels on AVX2 (7-bit weights: no saturation without VNNI)")
        else:
            reasons.append("no AVX2: int8 kernels would be slower than fp32")
        if fast_bf16:
            order.append("bf16")
            reasons.append(f"bf16: {', '.join(fast_bf16)}")
    elif arch == "aarch64" and flags:
        if flags & {"asimddp", "i8mm"}:
            order.append("int8-ort")
            reasons.append(f"int8: {', '.join(sorted(flags & {'asimddp', 'i8mm'}))} int8 dot products")
        else:
            reasons.append("no int8 dot product instructions: int8 would be slower than fp32")
        if "bf16" in flags:
            order.append("bf16")
            reasons.append("bf16: the CPU has bf16 instructions")
    else:
        order, timed = ["int8-ort", "bf16"], True
        reasons.append(f"instruction sets unknown ({arch}): each mode is timed against fp32")
    if not int8_available and "int8-ort" in order:
        order.remove("int8-ort")
        reasons.append("int8 unavailable: ONNX Runtime is missing")
    if not bf16_available and "bf16" in order:
        order.remove("bf16")
        reasons.append("bf16 unavailable in this torch build")
    order.append("fp32")
    return {"order": order, "reason": "; ".join(reasons), "timed": timed}


def instruction_sets(features: dict[str, object] | None = None) -> str:
    """The flags in one line for reports, e.g. "x86_64: avx2 fma avx512f avx512_vnni"."""
    features = features or cpu_features()
    return f"{features['arch']}: {' '.join(features['flags']) or 'none known'}"
