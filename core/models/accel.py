"""Faster CPU inference for an image tower (int8 ONNX Runtime or bf16 torch, each checked against fp32) and
JPEG decoding at a reduced DCT scale.

`optimize_image_tower(visual, device=...)` returns a `FastTower`: call it like the tower (float32 NCHW in,
float32 features out, not normalised). On CPU, "auto" tries the modes `core.models.cpu.plan` names for this
CPU's instruction sets, in order: int8 ONNX Runtime (dynamic quantisation of every MatMul; u8 x s8 kernels on
AVX2, one-instruction dot products with VNNI), bf16 torch weights (AVX512_BF16/AMX), fp32; `FastTower.plan`
says why. Only where the flags are unknown is each mode also timed against fp32 and kept if faster.
A mode is kept only if its output on a check batch stays within `min_cosine` of the fp32 tower, so a model
that quantises badly falls back instead of silently losing accuracy; `FastTower.reason` says what happened.
On CUDA/MPS the tower is returned unchanged (the embedder's own fp16 path is the fast one there).
"""

from __future__ import annotations

import copy
import hashlib
import logging
import math
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from core import scheduling
from core.models import cpu
from core.models import threads as policy

log = logging.getLogger(__name__)

MODES = ("auto", "fp32", "bf16", "int8-ort")
RECIPE = "accel-v2"  # part of the int8 cache file name: bump when the export or quantisation changes
# Weights are quantised to 7 bits (reduce_range): without VNNI, x86 multiplies u8 x s8 pairs into int16 with
# saturation, and 8-bit weights overflow it. On this AVX512 no-VNNI CPU the ViT-B-32 image tower's worst
# cosine against fp32 went from 0.9948 to 0.9998 at the same speed (bench/accel_recipe.py).


@dataclass
class FastTower:
    """A drop-in for `visual(x)` on one device; use from one thread at a time, like the embedder."""

    fn: Callable[[torch.Tensor], torch.Tensor]
    mode: str
    device: str
    min_cosine: float = 1.0  # against the fp32 tower on the check batch
    build_seconds: float = 0.0
    reason: str = ""  # why "auto" did not keep a faster mode, if it did not
    tried: dict[str, str] = field(default_factory=dict)
    plan: str = ""  # why "auto" tried the modes it tried on this CPU (core.models.cpu.plan)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x)


def optimize_image_tower(visual: torch.nn.Module, *, device: str | torch.device = "cpu", mode: str = "auto",
                         cache_dir: Path | None = None, cache_key: str = "", sample: torch.Tensor | None = None,
                         min_cosine: float = 0.99, threads: int | None = None,
                         features: dict[str, object] | None = None) -> FastTower:
    """The fastest acceptable way to run `visual` (an open_clip image tower in eval mode) on `device`.

    `cache_dir` + `cache_key` (e.g. the embedder's model_version) keep the int8 ONNX file between runs; without
    them it is rebuilt in a temporary folder (about 15 s for ViT-B-32). `sample`: a preprocessed batch to check
    fidelity on (real photos are best); by default a seeded synthetic batch. `threads`: ONNX Runtime's intra-op
    threads, default the threading policy's `compute` (core.models.threads). `features`: the CPU's
    (core.models.cpu.cpu_features), by default this one's.
    """
    if mode not in MODES:
        raise ValueError(f"unknown accel mode {mode!r}; choose one of {', '.join(MODES)}")
    device = torch.device(device)
    visual = visual.eval()
    if device.type != "cpu":
        return FastTower(visual, "fp32", str(device), reason="accel only speeds up CPU inference")
    if sample is None:
        sample = synthetic_batch(_input_size(visual))
    with torch.inference_mode():
        reference = visual(sample).float()
    tried: dict[str, str] = {}
    chosen = cpu.plan(features) if mode == "auto" else {"order": [mode], "reason": f"{mode} asked for",
                                                          "timed": False}
    why = str(chosen["reason"])
    for candidate in chosen["order"]:
        if candidate == "fp32":
            return FastTower(_build_fp32(visual), "fp32", "cpu", 1.0, 0.0, "; ".join(f"{k}: {v}" for k, v in tried.items()),
                             tried, why)
        started = time.perf_counter()
        try:
            fn = _BUILDERS[candidate](visual, cache_dir=cache_dir, cache_key=cache_key, threads=threads)
            with torch.inference_mode():
                worst = float(torch.nn.functional.cosine_similarity(fn(sample).float(), reference).min())
        except Exception as exc:  # a missing package or an export failure: fall through to the next mode
            if mode != "auto":
                raise
            tried[candidate] = f"unavailable ({type(exc).__name__}: {exc})"
            log.info("accel mode %s unavailable: %s", candidate, exc)
            continue
        if worst >= min_cosine and mode == "auto" and chosen["timed"]:
            # The CPU's instruction sets are unknown, so the "fast" mode may be slower than fp32 here: kept only
            # if it is faster. (Where they are known the plan decides: a timing under load is not a fact.)
            ms, ms_fp32 = _batch_ms(fn, sample), _batch_ms(visual, sample)
            if ms >= ms_fp32:
                tried[candidate] = f"slower than fp32 on this CPU ({ms:.0f} vs {ms_fp32:.0f} ms a batch)"
                log.info("accel mode %s not kept: %s", candidate, tried[candidate])
                continue
        if worst >= min_cosine:
            return FastTower(fn, candidate, "cpu", worst, time.perf_counter() - started,
                             "; ".join(f"{k}: {v}" for k, v in tried.items()), tried, why)
        tried[candidate] = f"cosine {worst:.4f} < {min_cosine} against fp32"
        if mode != "auto":
            raise ValueError(f"accel mode {candidate} is too far from fp32: {tried[candidate]}")
        log.warning("accel mode %s rejected: %s", candidate, tried[candidate])
    raise AssertionError("unreachable: fp32 always succeeds")


def _batch_ms(fn: Callable[[torch.Tensor], torch.Tensor], sample: torch.Tensor, reps: int = 3) -> float:
    """The fastest of `reps` timed calls on `sample` (already warmed by the fidelity check), in ms: the
    minimum, since other load on the machine only ever adds time."""
    best = math.inf
    with torch.inference_mode():
        for _ in range(reps):
            started = time.perf_counter()
            fn(sample)
            best = min(best, time.perf_counter() - started)
    return best * 1000.0


def synthetic_batch(size: int, n: int = 4, seed: int = 0) -> torch.Tensor:
    """Smooth, photo-like normalised inputs (blurred noise plus gradients), the same on every call."""
    rng = np.random.default_rng(seed)
    coarse = rng.normal(0.0, 1.0, (n, 3, 8, 8)).astype(np.float32)
    x = torch.nn.functional.interpolate(torch.from_numpy(coarse), size=(size, size), mode="bicubic",
                                        align_corners=False)
    ramp = torch.linspace(-1.0, 1.0, size)
    x = x + ramp[None, None, :, None] * 0.5 + torch.from_numpy(rng.normal(0, 0.1, (n, 3, size, size))).float()
    return x.contiguous()


def cosine_rows(a: np.ndarray | torch.Tensor, b: np.ndarray | torch.Tensor) -> np.ndarray:
    """Cosine similarity of matching rows."""
    a, b = (np.asarray(t.float() if isinstance(t, torch.Tensor) else t, dtype=np.float64) for t in (a, b))
    return (a * b).sum(1) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-12)


def _input_size(visual: torch.nn.Module) -> int:
    size = getattr(visual, "image_size", 224)
    return int(size[0] if isinstance(size, list | tuple) else size)


def _build_fp32(visual: torch.nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    def run(x: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():  # and so nn.MultiheadAttention's fused fast path
            return visual(x)

    return run


def _build_bf16(visual: torch.nn.Module, **_) -> Callable[[torch.Tensor], torch.Tensor]:
    if not torch.backends.mkldnn.is_available() or not torch.ops.mkldnn._is_mkldnn_bf16_supported():
        raise RuntimeError("this CPU has no fast bf16 (oneDNN reports no AVX512_BF16/AMX)")
    tower = copy.deepcopy(visual).to(torch.bfloat16).eval()

    def run(x: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            return tower(x.to(torch.bfloat16)).float()

    return run


def _build_int8_ort(visual: torch.nn.Module, *, cache_dir: Path | None, cache_key: str,
                    threads: int | None) -> Callable[[torch.Tensor], torch.Tensor]:
    import onnxruntime as ort

    if cache_dir is not None and cache_key:
        digest = hashlib.sha256(f"{RECIPE}|{cache_key}|{ort.__version__}".encode()).hexdigest()[:16]
        path = Path(cache_dir) / f"visual-int8-{digest}.onnx"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            _export_int8(visual, path)
        sessions = _Sessions(path, threads)
    else:
        with tempfile.TemporaryDirectory(prefix="accel-") as tmp:
            path = Path(tmp) / "visual-int8.onnx"
            _export_int8(visual, path)
            sessions = _Sessions(path, threads)  # the sessions hold the model in memory; the file can go

    def run(x: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(sessions.run(np.ascontiguousarray(x.detach().cpu().numpy(), dtype=np.float32)))

    return run


def _export_int8(visual: torch.nn.Module, path: Path) -> None:
    """Export fp32 ONNX (rclip's layout), then quantise every MatMul/Gemm weight to int8 per channel."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    size = _input_size(visual)
    tmp = path.with_name(path.name + ".tmp")
    with tempfile.TemporaryDirectory(prefix="accel-export-") as work:
        fp32 = Path(work) / "visual.onnx"
        # With grad enabled nn.MultiheadAttention skips its fused fast path, which ONNX cannot express.
        with warnings.catch_warnings(), torch.enable_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(visual, (torch.zeros(1, 3, size, size),), str(fp32), input_names=["input"],
                              output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                              opset_version=18, dynamo=False)
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
                         op_types_to_quantize=["MatMul", "Gemm"])
    tmp.replace(path)


class _Sessions:
    """One ONNX graph as two sessions: `wide` (the policy's compute threads) for one input, and `narrow`
    (compute / callers threads) that a batch is split over, one part per caller thread
    (threads.split_callers): ORT runs concurrent calls of one session side by side (on 2 cores, 2 callers
    on a single-threaded session, which runs on its caller's thread).
    Both give the same rows for the same inputs; int8's activation scales are per call, so a row can
    differ in the 4th decimal with the other rows of its call, as it always did with batch size.

    Every call is preemptible (core/scheduling.py): a search that starts beside a background job's call
    cuts it short, and it runs again after, so the search has the cores to itself.

    The narrow session is a second copy of the graph in memory (ViT-B-32 image tower: 96 MB). The text
    tower keeps one session (`split=False`): its graph is 141 MB (the token table is not quantised) and
    its batches are few (the texts of products with views to choose from)."""

    def __init__(self, path: Path, threads: int | None, split: bool = True) -> None:
        self.wide = _session(path, threads)
        self.callers, each = policy.split_callers() if threads is None and split else (1, threads)
        self.narrow = _session(path, each) if self.callers > 1 else None
        self.name = self.wide.get_inputs()[0].name

    def run(self, batch: np.ndarray) -> np.ndarray:
        import onnxruntime as ort

        parts = min(self.callers, len(batch))
        if self.narrow is None or parts < 2:
            return scheduling.preemptible(lambda options: self.wide.run(None, {self.name: batch}, options)[0],
                                          ort.RunOptions)
        out = scheduling.preemptible_map(lambda part, options: self.narrow.run(None, {self.name: part}, options)[0],
                                         np.array_split(batch, parts), ort.RunOptions, policy.call_in_parallel)
        return np.concatenate(out)


def _session(path: Path, threads: int | None):
    import onnxruntime as ort

    options = policy.ort_session_options(threads)  # the threading policy: compute threads, no idle spinning
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


_BUILDERS = {"bf16": _build_bf16, "int8-ort": _build_int8_ort}


def cpu_accel_support(setting: str = "auto") -> dict[str, object]:
    """Which CPU modes this install can run, without loading a model: `doctor` reports it, and the packaging
    smoke test asserts it from the installed app (an installer that drops ONNX Runtime loses int8-ort)."""
    import core.vectors  # noqa: F401  (it loads ONNX Runtime before USearch: the other order segfaults)

    features = cpu.cpu_features()
    info: dict[str, object] = {"setting": setting, "int8_ort": False, "onnxruntime": None,
                               "bf16": bool(getattr(torch.backends.cpu, "get_cpu_capability", lambda: "")()
                                            in ("AVX512", "AMX")), "reason": "", "cpu": features}
    try:
        import onnx  # noqa: F401  (exports the tower before quantisation)
        import onnxruntime as ort
        from onnxruntime.quantization import quantize_dynamic  # noqa: F401
    except ImportError as exc:
        info["reason"] = f"int8-ort needs onnx and onnxruntime: {exc}"
    else:
        info["onnxruntime"] = ort.__version__
        info["int8_ort"] = "CPUExecutionProvider" in ort.get_available_providers()
        if not info["int8_ort"]:
            info["reason"] = "ONNX Runtime has no CPU execution provider"
    # What "auto" tries on this CPU, in order, and why (the fidelity check can still fall back to the next).
    chosen = cpu.plan(features, int8_available=bool(info["int8_ort"]), bf16_available=_bf16_ok())
    info["plan"] = {"order": chosen["order"], "why": chosen["reason"], "timed": chosen["timed"]}
    return info


def _bf16_ok() -> bool:
    try:
        return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def draft_scale(width: int, height: int, size: int) -> int:
    """The largest JPEG DCT reduction (1, 2, 4 or 8) that keeps the long side at least `size` pixels."""
    scale = 1
    while scale < 8 and max(width, height) // (scale * 2) >= size:
        scale *= 2
    return scale


def fast_decode_for_size(path: str | Path, size: int) -> tuple[np.ndarray, int]:
    """Decode a JPEG at the largest DCT reduction whose long side is still >= `size`; (HxWx3 uint8, scale).

    Meant for whole-image embedding, where the picture is squared on its long side and shrunk to `size`
    anyway: the reduction skips most of the decode and of the resize. Pixels differ slightly from a full
    decode plus bicubic resize, so tensors made this way need their own preprocessing version. Boxes in
    original pixels divide by `scale`. Other formats decode at full size (scale 1). No EXIF rotation.
    """
    from PIL import Image

    with Image.open(path) as im:
        scale = 1
        if im.format == "JPEG":
            scale = draft_scale(im.width, im.height, size)
            if scale > 1:
                width = im.width
                im.draft("RGB", (im.width // scale, im.height // scale))
                scale = max(1, round(width / im.width))  # what libjpeg really gave
        pixels = np.asarray(im.convert("RGB"))
    return np.ascontiguousarray(pixels), scale


# -- the text tower ----------------------------------------------------------------------------------------------
class _TextTower(torch.nn.Module):
    """open_clip's text encoder over the used tokens only (see embedders.encode_text_trimmed), exportable:
    the sequence length is an input dimension, so one ONNX graph serves every trimmed length."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.token_embedding = model.token_embedding
        self.positional_embedding = model.positional_embedding
        self.transformer = model.transformer
        self.ln_final = model.ln_final
        self.register_buffer("attn_mask", model.attn_mask, persistent=False)
        projection = model.text_projection
        self.projection = projection if isinstance(projection, torch.nn.Linear) else None
        if self.projection is None:
            self.register_buffer("projection_matrix", projection.detach(), persistent=False)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        length = tokens.shape[1]
        x = self.token_embedding(tokens) + self.positional_embedding[:length]
        mask = self.attn_mask[:length, :length]
        for block in self.transformer.resblocks:
            x = x + block.ls_1(_attention(block.attn, block.ln_1(x), mask))
            x = x + block.ls_2(block.mlp(block.ln_2(x)))
        x = self.ln_final(x)
        x = x[torch.arange(x.shape[0]), tokens.argmax(dim=-1)]  # the end-of-text token has the largest id
        return self.projection(x) if self.projection is not None else x @ self.projection_matrix


def _attention(attn: torch.nn.MultiheadAttention, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """nn.MultiheadAttention's self-attention written out on (batch, length, width) with no size taken from the
    input (the traced export would freeze it): heads are split and merged on the last dimension only."""
    heads = attn.num_heads
    q, k, v = torch.nn.functional.linear(x, attn.in_proj_weight, attn.in_proj_bias).chunk(3, dim=-1)
    q, k, v = (t.unflatten(-1, (heads, -1)).transpose(1, 2) for t in (q, k, v))
    weights = (q @ k.transpose(-2, -1)) * (q.shape[-1] ** -0.5) + mask
    out = (weights.softmax(dim=-1) @ v).transpose(1, 2).flatten(-2)
    return attn.out_proj(out)


def text_tower_supported(model: torch.nn.Module) -> bool:
    """A causal text tower pooled at the end-of-text token (argmax), as OpenAI-style CLIP text towers are,
    made of open_clip's plain residual attention blocks."""
    if getattr(model, "attn_mask", None) is None or not hasattr(model, "token_embedding"):
        return False
    if getattr(model, "text_pool_type", "argmax") != "argmax":
        return False
    blocks = getattr(getattr(model, "transformer", None), "resblocks", [])
    return bool(blocks) and all(
        isinstance(getattr(b, "attn", None), torch.nn.MultiheadAttention) and b.attn._qkv_same_embed_dim
        and not hasattr(b, "ln_1_kv") and isinstance(getattr(b, "ln_attn", torch.nn.Identity()), torch.nn.Identity)
        for b in blocks)


def optimize_text_tower(model: torch.nn.Module, *, mode: str = "auto", cache_dir: Path | None = None,
                        cache_key: str = "", sample: torch.Tensor | None = None, min_cosine: float = 0.99,
                        threads: int | None = None, features: dict[str, object] | None = None) -> FastTower | None:
    """An int8 ONNX Runtime text tower (tokens trimmed to the used length in, features out), or None when
    the mode, the CPU (core.models.cpu.plan), the model or the fidelity check (cosine against fp32 on `sample`
    tokens) says no."""
    if mode not in MODES:
        raise ValueError(f"unknown accel mode {mode!r}; choose one of {', '.join(MODES)}")
    if mode not in ("auto", "int8-ort") or not text_tower_supported(model):
        return None
    chosen = cpu.plan(features) if mode == "auto" else {"order": [mode], "reason": f"{mode} asked for",
                                                          "timed": False}
    if "int8-ort" not in chosen["order"]:
        log.info("int8 text tower not tried: %s", chosen["reason"])
        return None
    tower = _TextTower(model).eval()
    if sample is None:
        sample = _sample_tokens(model)
    used = int((sample != 0).sum(dim=1).max())
    sample = sample[:, :used]
    started = time.perf_counter()
    try:
        sessions = _text_session(tower, cache_dir, cache_key, threads)

        def run(tokens: torch.Tensor) -> torch.Tensor:
            return torch.from_numpy(sessions.run(np.ascontiguousarray(tokens.detach().cpu().numpy(), dtype=np.int64)))

        with torch.inference_mode():
            worst = float(torch.nn.functional.cosine_similarity(run(sample).float(), tower(sample).float()).min())
    except Exception as exc:  # no onnxruntime, an export failure: the torch text tower stays
        if mode != "auto":
            raise
        log.info("int8 text tower unavailable: %s", exc)
        return None
    if worst < min_cosine:
        if mode != "auto":
            raise ValueError(f"int8 text tower is too far from fp32: cosine {worst:.4f} < {min_cosine}")
        log.warning("int8 text tower rejected: cosine %.4f < %s against fp32", worst, min_cosine)
        return None
    if mode == "auto" and chosen["timed"]:  # as for the image tower: unknown flags, kept only where faster
        ms, ms_torch = _batch_ms(run, sample), _batch_ms(tower, sample)
        if ms >= ms_torch:
            log.info("int8 text tower not kept: slower than torch on this CPU (%.1f vs %.1f ms)", ms, ms_torch)
            return None
    return FastTower(run, "int8-ort", "cpu", worst, time.perf_counter() - started, plan=str(chosen["reason"]))


def _sample_tokens(model: torch.nn.Module, n: int = 8, seed: int = 0) -> torch.Tensor:
    """Seeded token rows of different lengths: start token, random ids, end-of-text (the largest id)."""
    vocab = int(model.token_embedding.num_embeddings)
    context = int(model.attn_mask.shape[0])
    rng = np.random.default_rng(seed)
    rows = np.zeros((n, context), dtype=np.int64)
    for i in range(n):
        length = int(rng.integers(3, min(24, context)))
        rows[i, 0] = vocab - 2
        rows[i, 1:length - 1] = rng.integers(1, vocab - 2, length - 2)
        rows[i, length - 1] = vocab - 1
    return torch.from_numpy(rows)


def _text_session(tower: torch.nn.Module, cache_dir: Path | None, cache_key: str, threads: int | None):
    import onnxruntime as ort

    if cache_dir is not None and cache_key:
        digest = hashlib.sha256(f"{RECIPE}|text|{cache_key}|{ort.__version__}".encode()).hexdigest()[:16]
        path = Path(cache_dir) / f"text-int8-{digest}.onnx"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            _export_text_int8(tower, path)
        return _Sessions(path, threads, split=False)
    with tempfile.TemporaryDirectory(prefix="accel-text-") as tmp:
        path = Path(tmp) / "text-int8.onnx"
        _export_text_int8(tower, path)
        return _Sessions(path, threads, split=False)


def _export_text_int8(tower: torch.nn.Module, path: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = path.with_name(path.name + ".tmp")
    example = torch.tensor([[1, 2, 3, 4, 5, 6, 7, 9]], dtype=torch.int64)
    with tempfile.TemporaryDirectory(prefix="accel-export-") as work:
        fp32 = Path(work) / "text.onnx"
        with warnings.catch_warnings(), torch.enable_grad():  # no fused attention fast path (see above)
            warnings.simplefilter("ignore")
            torch.onnx.export(tower, (example,), str(fp32), input_names=["tokens"], output_names=["output"],
                              dynamic_axes={"tokens": {0: "batch", 1: "length"}, "output": {0: "batch"}},
                              opset_version=18, dynamo=False)
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
                         op_types_to_quantize=["MatMul", "Gemm"])
    tmp.replace(path)
