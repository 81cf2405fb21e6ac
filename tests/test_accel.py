"""core.models.accel: fast image towers stay close to fp32 and deterministic; draft decoding scales right."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from PIL import Image

from core.models.accel import (
    cosine_rows,
    draft_scale,
    fast_decode_for_size,
    optimize_image_tower,
    synthetic_batch,
)


@pytest.fixture(scope="module")
def tower() -> torch.nn.Module:
    """A small open_clip ViT image tower (nn.MultiheadAttention blocks, like ViT-B-32), seeded weights."""
    from open_clip.transformer import VisionTransformer

    torch.manual_seed(0)
    return VisionTransformer(image_size=64, patch_size=16, width=64, layers=2, heads=2, mlp_ratio=4.0,
                             output_dim=32).eval()


@pytest.fixture(scope="module")
def batch() -> torch.Tensor:
    return synthetic_batch(64, n=5, seed=1)


def _reference(tower, x):
    with torch.inference_mode():
        return tower(x)


def _has_bf16() -> bool:
    return torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()


def test_int8_ort_is_close_to_fp32_and_deterministic(tower, batch):
    pytest.importorskip("onnxruntime")
    fast = optimize_image_tower(tower, device="cpu", mode="int8-ort")
    assert fast.mode == "int8-ort" and fast.min_cosine >= 0.99
    out = fast(batch)
    assert out.shape == (5, 32) and out.dtype == torch.float32
    assert cosine_rows(out, _reference(tower, batch)).min() >= 0.99
    assert torch.equal(out, fast(batch))  # same input, same bits
    # Activations are quantised per batch, so a row depends a little on its batch-mates: close, not equal.
    alone = torch.cat([fast(batch[i:i + 1]) for i in range(len(batch))])
    assert cosine_rows(alone, out).min() >= 0.995


def test_int8_ort_cache_is_reused(tower, batch, tmp_path):
    pytest.importorskip("onnxruntime")
    first = optimize_image_tower(tower, mode="int8-ort", cache_dir=tmp_path, cache_key="tiny-v1")
    files = sorted(tmp_path.glob("visual-int8-*.onnx"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    second = optimize_image_tower(tower, mode="int8-ort", cache_dir=tmp_path, cache_key="tiny-v1")
    assert files[0].stat().st_mtime_ns == stamp and torch.equal(first(batch), second(batch))
    optimize_image_tower(tower, mode="int8-ort", cache_dir=tmp_path, cache_key="tiny-v2")
    assert len(list(tmp_path.glob("visual-int8-*.onnx"))) == 2  # another model version, another file


@pytest.mark.skipif(not _has_bf16(), reason="this CPU has no fast bf16")
def test_bf16_is_close_to_fp32(tower, batch):
    fast = optimize_image_tower(tower, device="cpu", mode="bf16")
    assert fast.mode == "bf16"
    out = fast(batch)
    assert out.dtype == torch.float32 and cosine_rows(out, _reference(tower, batch)).min() >= 0.99
    assert torch.equal(out, fast(batch))


def test_auto_falls_back_to_fp32_when_nothing_is_close_enough(tower, batch):
    fast = optimize_image_tower(tower, device="cpu", mode="auto", min_cosine=1.5)  # unreachable on purpose
    assert fast.mode == "fp32"
    assert set(fast.tried) <= {"int8-ort", "bf16"} and fast.tried and fast.reason
    assert torch.equal(fast(batch), _reference(tower, batch))


def test_auto_picks_a_fast_mode_on_cpu(tower, batch):
    fast = optimize_image_tower(tower, device="cpu", sample=batch)
    assert fast.mode in {"int8-ort", "bf16", "fp32"} and fast.min_cosine >= 0.99


def test_auto_keeps_a_mode_only_where_it_is_faster_than_fp32(tower, batch, monkeypatch):
    from core.models import accel

    def slower_but_exact(visual, **_):  # passes the fidelity check, as int8 does on a CPU without VNNI
        def run(x):
            return visual(x)
        run.slower = True
        return run

    # The clock is replaced (only the clock): a tiny tower's millisecond timings under a loaded test run
    # cannot order two modes reliably, and the subject here is what auto does with the order.
    monkeypatch.setattr(accel, "_batch_ms", lambda fn, sample: 100.0 if getattr(fn, "slower", False) else 10.0)
    monkeypatch.setattr(accel, "_BUILDERS", {**accel._BUILDERS, "int8-ort": slower_but_exact,
                                             "bf16": slower_but_exact})
    unknown = {"arch": "riscv64", "flags": []}  # no instruction sets known: only then does auto time the modes
    fast = optimize_image_tower(tower, device="cpu", sample=batch, features=unknown)
    assert fast.mode == "fp32" and "slower than fp32" in fast.tried["int8-ort"] and "slower" in fast.reason
    assert "timed against fp32" in fast.plan
    forced = optimize_image_tower(tower, device="cpu", mode="int8-ort", sample=batch)  # asked for: kept as asked
    assert forced.mode == "int8-ort"
    monkeypatch.setattr(accel, "_batch_ms", lambda fn, sample: 1.0 if getattr(fn, "slower", False) else 10.0)
    assert optimize_image_tower(tower, device="cpu", sample=batch, features=unknown).mode == "int8-ort"  # kept


def test_auto_chooses_from_the_cpus_instruction_sets_and_says_why(tower, batch, monkeypatch):
    """Issue 25: int8 with u8 x s8 kernels on AVX2 alone, VNNI where present, bf16 where fast, fp32 without AVX2;
    no timing decides it, so a busy machine and a quiet one choose alike."""
    pytest.importorskip("onnxruntime")
    from core.models import accel

    monkeypatch.setattr(accel, "_batch_ms", lambda fn, sample: pytest.fail("a known CPU is not timed"))
    avx2 = {"arch": "x86_64", "flags": ["avx", "avx2", "fma"]}  # the AMD EPYC: no AVX-512, no VNNI
    fast = optimize_image_tower(tower, device="cpu", sample=batch, features=avx2)
    assert fast.mode == "int8-ort" and "AVX2" in fast.plan and fast.min_cosine >= 0.99
    vnni = {"arch": "x86_64", "flags": ["avx2", "fma", "avx512f", "avx512_vnni", "amx_bf16"]}
    plan = accel.cpu.plan(vnni)
    assert plan["order"] == ["int8-ort", "bf16", "fp32"] and "avx512_vnni" in plan["reason"]
    assert "amx_bf16" in plan["reason"] and not plan["timed"]
    old = {"arch": "x86_64", "flags": ["sse4_2", "avx"]}
    fast = optimize_image_tower(tower, device="cpu", sample=batch, features=old)
    assert fast.mode == "fp32" and "no AVX2" in fast.plan and not fast.tried
    assert accel.cpu.plan({"arch": "aarch64", "flags": ["asimd", "asimddp"]})["order"] == ["int8-ort", "fp32"]
    assert accel.cpu.plan(avx2, int8_available=False)["order"] == ["fp32"]


def test_this_cpus_flags_and_plan_are_reported():
    from core.models import cpu
    from core.models.accel import cpu_accel_support

    features = cpu.cpu_features()
    assert features["arch"] and features["source"] and set(features["flags"]) <= set(cpu.X86_FLAGS + cpu.ARM_FLAGS)
    info = cpu_accel_support()
    assert info["cpu"] == features and info["plan"]["order"][-1] == "fp32" and info["plan"]["why"]
    assert cpu.instruction_sets(features).startswith(f"{features['arch']}: ")


def test_non_cpu_devices_keep_the_tower(tower):
    fast = optimize_image_tower(tower, device="cuda")  # nothing runs: the tower comes back as it is
    assert fast.mode == "fp32" and fast.fn is tower and "CPU" in fast.reason


def test_explicit_mode_errors_are_loud(tower):
    with pytest.raises(ValueError, match="unknown accel mode"):
        optimize_image_tower(tower, mode="fp8")
    with pytest.raises(ValueError, match="too far from fp32"):
        optimize_image_tower(tower, mode="int8-ort" if _ort() else "bf16", min_cosine=1.5)


def _ort() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.parametrize(("size", "want"), [((512, 413), 2), ((1024, 800), 4), ((4000, 3000), 8),
                                            ((2048, 100), 8), ((300, 300), 1)])
def test_draft_scale_keeps_the_long_side(size, want):
    assert draft_scale(*size, 256) == want
    assert max(size) // want >= 256 or want == 1


def _photo(path, width, height, fmt="JPEG"):
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.stack([x * 255 // width, y * 255 // height, (x + y) % 256], axis=2).astype(np.uint8)
    Image.fromarray(pixels).save(path, fmt, quality=95)
    return pixels


def test_fast_decode_reduces_jpegs_only(tmp_path):
    _photo(tmp_path / "a.jpg", 640, 480)
    small, scale = fast_decode_for_size(tmp_path / "a.jpg", 256)
    assert scale == 2 and small.shape == (240, 320, 3) and small.dtype == np.uint8
    full, scale = fast_decode_for_size(tmp_path / "a.jpg", 400)
    assert scale == 1 and full.shape == (480, 640, 3)
    # The DCT-scaled picture is the same picture: close to a box-filtered full decode.
    reference = np.asarray(Image.fromarray(full).resize((320, 240), Image.Resampling.BOX)).astype(int)
    assert np.abs(small.astype(int) - reference).mean() < 3
    again, _ = fast_decode_for_size(tmp_path / "a.jpg", 256)
    assert np.array_equal(small, again)
    _photo(tmp_path / "b.png", 640, 480, "PNG")
    png, scale = fast_decode_for_size(tmp_path / "b.png", 256)
    assert scale == 1 and png.shape == (480, 640, 3)


# --- the text tower ------------------------------------------------------------------------------------------
def test_int8_text_tower_matches_the_trimmed_torch_tower_at_any_length(tmp_path):
    """One exported graph serves every trimmed length and batch size, close to the fp32 torch tower."""
    import open_clip

    from core.models.accel import optimize_text_tower
    from core.models.embedders import encode_text_trimmed

    torch.manual_seed(0)
    model = open_clip.CLIP(embed_dim=32, vision_cfg={"image_size": 32, "layers": 1, "width": 32, "head_width": 16,
                                       "patch_size": 16},
                           text_cfg={"context_length": 77, "vocab_size": 49408, "width": 64, "heads": 2,
                                     "layers": 2}).eval()
    # A 64-wide random tower quantises worse than ViT-B-32's (0.996 there), hence 0.95 here.
    fast = optimize_text_tower(model, mode="int8-ort", cache_dir=tmp_path, cache_key="tiny", min_cosine=0.95)
    assert fast is not None and fast.mode == "int8-ort" and fast.min_cosine >= 0.95
    tokenizer = open_clip.get_tokenizer("ViT-B-32")
    for texts in (["red bag"], ["a", "a long description of a blue waterproof hiking jacket with a hood"]):
        tokens = tokenizer(texts)
        used = int((tokens != 0).sum(dim=1).max())
        with torch.inference_mode():
            want = encode_text_trimmed(model, tokens)
        got = fast(tokens[:, :used])
        assert got.shape == want.shape
        assert cosine_rows(got, want).min() > 0.95
    assert list(tmp_path.glob("text-int8-*.onnx")), "the int8 text graph is cached for the next start"
    assert optimize_text_tower(model, mode="fp32") is None  # fp32 asked for: the torch tower stays


def test_query_cache_skips_the_model_for_a_repeated_query():
    from core.models.registry import QueryCache
    from core.search.encode import encode_text

    class Embedder:
        supports_text, model_version, calls = True, "m1", 0

        def embed_texts(self, texts):
            Embedder.calls += 1
            return np.ones((1, 4), dtype=np.float32)

    class Registry:
        query_cache = QueryCache(size=2)
        emb = Embedder()

        def embedder(self):
            return self.emb

    registry = Registry()
    first = encode_text(registry, "red bag")
    first[0] = 99.0  # callers get a copy: the cached vector stays intact
    assert np.allclose(encode_text(registry, "red bag"), 0.5) and Embedder.calls == 1
    registry.emb.model_version = "m2"  # another model: another key
    encode_text(registry, "red bag")
    assert Embedder.calls == 2
    encode_text(registry, "blue bag")  # size 2: the oldest entry (m1) goes
    registry.emb.model_version = "m1"
    encode_text(registry, "red bag")
    assert Embedder.calls == 4


@pytest.mark.skipif(not _ort(), reason="onnxruntime is not installed")
def test_a_search_beside_a_background_int8_call_cuts_it_short_and_the_job_runs_it_again(tower):
    """A background job's ONNX Runtime call stops when interactive work starts beside it (a real ORT run,
    terminated mid-way through RunOptions), holds while that work runs, then runs again to the same result.
    Counted, not timed: while the work ran beside it, the job finished no call."""
    import threading

    from core import scheduling

    fast = optimize_image_tower(tower, device="cpu", mode="int8-ort")
    big = synthetic_batch(64, n=1500, seed=2)  # a call long enough (~0.1-1 s) to be caught in flight
    want = fast.fn(big).numpy()  # outside a job: a plain call, never cut short
    done: list[np.ndarray] = []
    stop = threading.Event()

    def job() -> None:
        with scheduling.yielding_to(lambda: None):
            while not stop.is_set():
                done.append(fast.fn(big).numpy())

    worker = threading.Thread(target=job, name="job")
    worker.start()
    try:
        before = scheduling.preempted_calls()
        for _ in range(20):  # a call can end between our look and the cut: try again on the next one
            while not scheduling.calls_in_flight():
                time.sleep(0.0005)
            with scheduling.running_beside():
                finished_at = len(done)
                time.sleep(0.3)  # the search's length
                finished_beside = len(done) - finished_at
                assert finished_beside <= 1  # at most a call that ended before the cut
                if scheduling.preempted_calls() > before:
                    assert finished_beside == 0 and scheduling.calls_in_flight() == 0  # it waits, not runs
                    break
        assert scheduling.preempted_calls() > before, "no background call was ever cut short"
        count = len(done)
        deadline = time.monotonic() + 60
        while len(done) <= count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(done) > count, "the job did not run its call again after the search"
    finally:
        stop.set()
        worker.join()
    for out in done:
        assert np.array_equal(out, want)  # the call run again gives what an uninterrupted call gives


@pytest.mark.skipif(not _ort(), reason="onnxruntime is not installed")
def test_a_batch_split_over_single_threaded_callers_gives_the_rows_of_its_parts_in_order(tower, tmp_path, monkeypatch):
    """The int8 tower splits a batch over `split_callers()` callers of one single-threaded session, side by
    side: each part's rows are exactly what the wide session gives for that part, and they come back in
    the batch's order (3 callers forced, so the split runs on any machine)."""
    from core.models import accel
    from core.models import threads as policy

    optimize_image_tower(tower, mode="int8-ort", cache_dir=tmp_path, cache_key="split")
    path = next(tmp_path.glob("visual-int8-*.onnx"))
    monkeypatch.setattr(policy, "split_callers", lambda: (3, 1))
    sessions = accel._Sessions(path, None)
    assert sessions.callers == 3 and sessions.narrow is not None
    x = synthetic_batch(64, n=7, seed=3).numpy()
    got = sessions.run(x)
    want = np.concatenate([sessions.wide.run(None, {sessions.name: part})[0] for part in np.array_split(x, 3)])
    assert np.array_equal(got, want)
    single = sessions.run(x[:1])  # one input: the wide session, all the policy's threads
    assert np.array_equal(single, sessions.wide.run(None, {sessions.name: x[:1]})[0])
    assert accel._Sessions(path, 1).narrow is None  # asked for one thread: no split
    assert accel._Sessions(path, None, split=False).narrow is None  # the text tower: one copy of its graph
