"""core.models: devices, weights resolution, embedders, detector and fallback boxes, registry — real models."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from core.models import device as device_mod
from core.models.detector import Detection, Detector, foreground_box, propose_boxes
from core.models.device import configure_threads, run_batched, select_device
from core.models.embedders import (
    EfficientNetLiteEmbedder,
    OpenClipEmbedder,
    TextUnavailable,
    efficientnet_lite0_weights,
    map_by_position,
)
from core.models.registry import ModelRegistry
from core.models.weights import WeightsUnavailable, clip_weights_name, resolve_weights
from core.settings import ModelSettings
from tests.fixtures_models import build_tiny_clip, synthetic_scene


def iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def random_batch(n: int, size: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, 3, size, size)).astype(np.float32)


# -- device -------------------------------------------------------------------------------------------

def test_select_device_honours_choice_and_falls_back_to_cpu():
    assert select_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else ("mps" if device_mod.mps_available() else "cpu")
    assert select_device("auto").type == expected
    if not torch.cuda.is_available():
        assert select_device("cuda") == torch.device("cpu")
    with pytest.raises(ValueError, match="unknown device"):
        select_device("tpu")


def test_configure_threads_applies_once_per_process(monkeypatch):
    monkeypatch.setattr(device_mod, "_threads_configured", None)
    current = torch.get_num_threads()
    assert configure_threads(current) == current
    assert configure_threads(current + 3) == current  # the first call wins
    assert torch.get_num_threads() == current


def test_run_batched_halves_the_batch_on_out_of_memory():
    # No GPU here: a function that raises torch's real OOM error above 3 items stands in for CUDA.
    seen: list[int] = []

    def fake(batch):
        seen.append(len(batch))
        if len(batch) > 3:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return [x * 10 for x in batch]

    shrinks: list[int] = []
    assert run_batched(fake, list(range(11)), 8, on_shrink=shrinks.append) == [x * 10 for x in range(11)]
    assert shrinks == [4, 2]
    assert seen[:3] == [8, 4, 2] and all(n <= 2 for n in seen[3:])

    def never_fits(batch):
        raise torch.OutOfMemoryError("simulated")

    with pytest.raises(torch.OutOfMemoryError):
        run_batched(never_fits, [1, 2], 2)
    with pytest.raises(ValueError):  # other errors are not retried
        run_batched(lambda b: (_ for _ in ()).throw(ValueError("boom")), [1], 4)


# -- weights ------------------------------------------------------------------------------------------

def test_resolve_weights_prefers_explicit_path_then_cache(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "yolo11n.pt").write_bytes(b"cached")
    explicit = tmp_path / "mine" / "yolo11n.pt"
    explicit.parent.mkdir()
    explicit.write_bytes(b"explicit")
    assert resolve_weights(explicit, cache_dir=cache, allow_download=False) == explicit
    assert resolve_weights("yolo11n.pt", cache_dir=cache, allow_download=False) == cache / "yolo11n.pt"
    (cache / "ViT-B-32-laion2b_s34b_b79k.bin").write_bytes(b"clip")
    got = resolve_weights(clip_weights_name("ViT-B-32", "laion2b_s34b_b79k"), cache_dir=cache, allow_download=False)
    assert got == cache / "ViT-B-32-laion2b_s34b_b79k.bin"


def test_missing_explicit_path_is_never_replaced_by_a_download(tmp_path):
    with pytest.raises(WeightsUnavailable) as info:
        resolve_weights(tmp_path / "gone" / "yolo11n.pt", cache_dir=tmp_path, allow_download=True)
    assert str(tmp_path / "gone" / "yolo11n.pt") in str(info.value)


def test_offline_errors_name_the_file_and_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.setenv("YOLO_OFFLINE", "1")
    monkeypatch.delenv("_CATALOG_CURATOR_SET_YOLO_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import open_clip  # noqa: F401  (its import is slow; the clock is for the network)

    started = time.monotonic()
    with pytest.raises(WeightsUnavailable) as yolo:
        resolve_weights("yolo11n.pt", cache_dir=tmp_path, allow_download=True)
    message = str(yolo.value)
    assert "yolo11n.pt" in message and str(tmp_path / "yolo11n.pt") in message and "YOLO_OFFLINE" in message

    with pytest.raises(WeightsUnavailable) as clip:
        resolve_weights(clip_weights_name("ViT-B-32", "laion2b_s34b_b79k"), cache_dir=tmp_path, allow_download=True)
    message = str(clip.value)
    assert str(tmp_path / "ViT-B-32-laion2b_s34b_b79k.safetensors") in message
    assert "open_clip_model.safetensors from https://huggingface.co/laion/CLIP-ViT-B-32-laion2B-s34B-b79K" in message
    assert "HF_HUB_OFFLINE" in message

    with pytest.raises(WeightsUnavailable, match="downloads are turned off"):
        resolve_weights("yolo11n.pt", cache_dir=tmp_path, allow_download=False)
    assert time.monotonic() - started < 5  # offline never waits on the network


# -- embedders ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def clip_embedder(tiny_clip):
    emb = OpenClipEmbedder(str(tiny_clip.config_path), str(tiny_clip.checkpoint_path), device="cpu")
    yield emb
    emb.close()


def test_open_clip_embeds_images_and_texts(clip_embedder, tiny_clip):
    emb = clip_embedder
    assert emb.name == f"open_clip:{tiny_clip.name}" and emb.device == "cpu"
    assert emb.dim == tiny_clip.dim and emb.input_size == tiny_clip.image_size
    assert len(emb.mean) == 3 and len(emb.std) == 3 and emb.supports_text
    assert emb.model_version.startswith(f"{tiny_clip.name}-") and len(emb.model_version.rsplit("-", 1)[1]) == 8

    batch = random_batch(3, emb.input_size)
    vectors = emb.embed_images(batch)
    assert vectors.shape == (3, emb.dim) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(emb.embed_images(batch), vectors, atol=1e-6)  # deterministic
    alone = emb.embed_images(batch[1:2])[0]  # batch-independent (to the kernels' rounding: cosine, not bits)
    assert float(alone @ vectors[1]) > 0.99999
    assert emb.embed_images(np.zeros((0, 3, emb.input_size, emb.input_size), np.float32)).shape == (0, emb.dim)

    texts = emb.embed_texts(["a red backpack", "a blue shirt", "a red backpack"])
    assert texts.shape == (3, emb.dim)
    np.testing.assert_allclose(np.linalg.norm(texts, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(texts[0], texts[2], atol=1e-6)
    assert not np.allclose(texts[0], texts[1])


def test_open_clip_rejects_wrongly_shaped_batches(clip_embedder):
    with pytest.raises(ValueError, match="expects"):
        clip_embedder.embed_images(random_batch(1, clip_embedder.input_size + 8))


def test_model_version_changes_with_the_weights(tiny_clip, clip_embedder, tmp_path):
    other = build_tiny_clip(tmp_path, seed=1)
    emb = OpenClipEmbedder(str(other.config_path), str(other.checkpoint_path), device="cpu")
    try:
        assert emb.model_version != clip_embedder.model_version
        assert emb.model_version.rsplit("-", 1)[0] != "" and emb.dim == clip_embedder.dim
        batch = random_batch(1, emb.input_size)
        assert not np.allclose(emb.embed_images(batch), clip_embedder.embed_images(batch))
    finally:
        emb.close()


@pytest.fixture(scope="module")
def effnet():
    emb = EfficientNetLiteEmbedder(device="cpu")
    yield emb
    emb.close()


def test_efficientnet_is_image_only_with_timm_preprocessing(effnet):
    assert effnet.dim == 1280 and effnet.input_size == 224
    assert effnet.mean == (0.5, 0.5, 0.5) and effnet.std == (0.5, 0.5, 0.5)  # timm's tf_efficientnet_lite0 cfg
    # The packaged file is named after its own sha256 prefix; our version carries the same digits.
    assert effnet.model_version == "tf_efficientnet_lite0-in1k-57934424"
    assert not effnet.supports_text and "image-only" in effnet.text_unavailable_reason
    with pytest.raises(TextUnavailable, match="image-only"):
        effnet.embed_texts(["a backpack"])
    vectors = effnet.embed_images(random_batch(2, 224))
    assert vectors.shape == (2, 1280)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_positional_mapping_refuses_mismatched_state_dicts():
    source = torch.load(efficientnet_lite0_weights(), map_location="cpu", weights_only=True)
    import timm

    target = timm.create_model("tf_efficientnet_lite0", pretrained=False).state_dict()
    reordered = dict(reversed(list(source.items())))
    with pytest.raises(ValueError, match="does not fit"):
        map_by_position(reordered, target)


def _photo(path: Path, emb) -> np.ndarray:
    image = Image.open(path).convert("RGB").resize((emb.input_size, emb.input_size), Image.BICUBIC)
    x = (np.asarray(image, np.float32) / 255 - np.array(emb.mean, np.float32)) / np.array(emb.std, np.float32)
    return x.transpose(2, 0, 1)


# ImageNet classes: 414 backpack, 531 digital watch, 610 jersey/T-shirt, 841 sweatshirt.
KNOWN_PHOTOS = {"24-mb03": 414, "24-mg02": 531, "ms01-black": 610, "mh04-green": 841}


def test_efficientnet_weights_map_onto_timm_by_position(effnet, dev_sample):
    """The real ImageNet weights: catalog photos land on their ImageNet classes."""
    paths = [dev_sample / "catalog" / sku / "main.jpg" for sku in KNOWN_PHOTOS]
    probs = effnet.classify(np.stack([_photo(p, effnet) for p in paths]))
    top1 = probs.argmax(axis=1).tolist()
    assert top1 == list(KNOWN_PHOTOS.values()), top1
    assert probs[0, 414] > 0.5  # a confident backpack
    duffle = effnet.classify(_photo(dev_sample / "catalog" / "24-mb01" / "main.jpg", effnet)[None])[0]
    assert {414, 636} & set(np.argsort(-duffle)[:5].tolist())  # backpack or mailbag for a duffle bag


# -- detector and fallback boxes ----------------------------------------------------------------------

def test_detector_finds_boxes_in_original_pixels(tiny_yolo):
    detector = Detector(tiny_yolo.weights_path, device="cpu", confidence=0.25)
    try:
        assert detector.imgsz == tiny_yolo.image_size and detector.device == "cpu"
        assert detector.model_version.startswith("yolo:tiny_yolo-")
        rng = np.random.default_rng(7)
        # Bigger and non-square: boxes must come back scaled to each image's own pixels.
        scenes = [synthetic_scene(rng, 320, 240, light=True), synthetic_scene(rng, 200, 300, light=True),
                  synthetic_scene(rng, 256, 256, light=False)]
        found = detector.detect([pixels for pixels, _ in scenes], batch_size=2)
        assert len(found) == 3
        hits = 0
        for (pixels, truth), dets in zip(scenes, found, strict=True):
            assert all(d.source == "detector" and d.class_name == "object" and d.confidence >= 0.25 for d in dets)
            h, w = pixels.shape[:2]
            assert all(0 <= d.box[0] < d.box[2] <= w + 1 and 0 <= d.box[1] < d.box[3] <= h + 1 for d in dets)
            hits += bool(dets) and iou(dets[0].box, truth) > 0.6
        assert hits >= 2, [(truth, dets[:1]) for (_, truth), dets in zip(scenes, found, strict=True)]
        assert detector.detect([]) == []
    finally:
        detector.close()


def test_foreground_box_on_a_plain_background_photo():
    image = np.full((300, 400, 3), 245, np.uint8)
    image[60:240, 100:260] = (30, 90, 200)
    image[200:230, 240:300] = (200, 40, 40)  # a part touching the main body
    rng = np.random.default_rng(0)
    noisy = np.clip(image.astype(np.int16) + rng.integers(-6, 7, image.shape), 0, 255).astype(np.uint8)
    box = foreground_box(noisy)
    assert box is not None and iou(box, (100, 60, 300, 240)) > 0.95

    assert foreground_box(np.full((100, 100, 3), 128, np.uint8)) is None  # nothing there
    busy = rng.integers(0, 256, (120, 160, 3)).astype(np.uint8)
    assert foreground_box(busy) is None  # no plain background


def test_propose_boxes_walks_the_fallback_chain():
    image = np.full((100, 200, 3), 250, np.uint8)
    image[20:80, 50:120] = (10, 10, 10)
    good = Detection((40.0, 10.0, 130.0, 90.0), "object", 0.9)
    weak = Detection((0.0, 0.0, 10.0, 10.0), "object", 0.1)
    tiny = Detection((0.0, 0.0, 2.0, 2.0), "object", 0.9)
    assert propose_boxes(image, [weak, good]) == [good]
    (fg,) = propose_boxes(image, [weak, tiny])
    assert fg.source == "foreground" and iou(fg.box, (50, 20, 120, 80)) > 0.9
    (full,) = propose_boxes(np.full((100, 200, 3), 250, np.uint8), [])
    assert full.source == "full" and full.box == (0.0, 0.0, 200.0, 100.0)


# -- registry -----------------------------------------------------------------------------------------

def test_registry_loads_lazily_and_reports_status(tiny_registry, tiny_clip):
    status = tiny_registry.status()
    json.dumps(status)
    assert status["torch"] == torch.__version__ and "cpu" in status["devices"]
    emb = tiny_registry.embedder()
    assert tiny_registry.embedder() is emb and emb.supports_text and emb.dim == tiny_clip.dim
    det = tiny_registry.detector()
    assert det is not None and tiny_registry.detector() is det
    status = tiny_registry.status()
    json.dumps(status)
    assert status["embedder"]["state"] == "loaded" and status["embedder"]["version"] == emb.model_version
    assert status["embedder"]["device"] == "cpu" and status["embedder"]["weights"] == str(tiny_clip.checkpoint_path)
    assert status["detector"]["state"] == "loaded" and status["detector"]["version"] == det.model_version


def test_registry_falls_back_to_efficientnet_without_clip_weights(tmp_path):
    settings = ModelSettings(embedder="open_clip", device="cpu", allow_download=False, detector_enabled=False)
    with ModelRegistry(settings, cache_dir=tmp_path) as registry:
        emb = registry.embedder()
        assert isinstance(emb, EfficientNetLiteEmbedder) and not registry.text_available
        status = registry.status()
        json.dumps(status)
        reason = status["embedder"]["reason"]
        assert "CLIP weights unavailable" in reason and str(tmp_path / "ViT-B-32-laion2b_s34b_b79k") in reason
        assert status["embedder"]["requested"] == "open_clip" and status["embedder"]["name"] == "efficientnet-lite0"
        assert reason in status["embedder"]["text_unavailable_reason"]
        with pytest.raises(TextUnavailable, match="CLIP weights unavailable"):
            emb.embed_texts(["shirt"])
        assert registry.detector() is None and status["detector"]["state"] in ("not-loaded", "disabled")
        assert registry.status()["detector"]["state"] == "disabled"
    assert registry.status()["embedder"]["state"] == "not-loaded"


def test_registry_detector_unavailable_has_a_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("YOLO_OFFLINE", "1")
    monkeypatch.delenv("_CATALOG_CURATOR_SET_YOLO_OFFLINE", raising=False)
    settings = ModelSettings(embedder="efficientnet-lite0", device="cpu", detector_weights="yolo11n.pt")
    registry = ModelRegistry(settings, cache_dir=tmp_path)
    assert registry.detector() is None
    det = registry.status()["detector"]
    assert det["state"] == "unavailable" and str(tmp_path / "yolo11n.pt") in det["reason"]
    assert det["reason"] == registry.detector_reason()
    registry.close()


def test_registry_uses_a_checkpoint_copied_into_the_cache(tiny_clip, tmp_path):
    cache = tmp_path / "models"
    cache.mkdir()
    shutil.copyfile(tiny_clip.checkpoint_path, cache / f"{tiny_clip.name}-tiny.pt")
    settings = ModelSettings(embedder="open_clip", clip_model=str(tiny_clip.config_path), clip_pretrained="tiny",
                             device="cpu", allow_download=False, detector_enabled=False)
    with ModelRegistry(settings, cache_dir=cache) as registry:
        emb = registry.embedder()
        assert emb.supports_text and registry.status()["embedder"]["reason"] == ""
        assert emb.model_version.startswith(f"{tiny_clip.name}-tiny-")


def test_registry_falls_back_when_the_clip_checkpoint_is_damaged(tiny_clip, tmp_path):
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    settings = ModelSettings(embedder="open_clip", clip_model=str(tiny_clip.config_path), clip_checkpoint=str(broken),
                             device="cpu", allow_download=False, detector_weights=str(broken))
    with ModelRegistry(settings, cache_dir=tmp_path) as registry:
        assert registry.embedder().name == "efficientnet-lite0"
        assert registry.detector() is None
        status = registry.status()
        assert status["embedder"]["reason"].startswith("CLIP could not be loaded")
        assert status["detector"]["state"] == "unavailable" and status["detector"]["reason"]


def test_trimmed_text_encoding_equals_open_clip(tiny_clip):
    """Cutting the padding off a causal text tower gives the same vectors, only faster."""
    import open_clip
    import torch

    from core.models.embedders import encode_text_trimmed, register_model_config

    arch = register_model_config(str(tiny_clip.config_path))
    model = open_clip.create_model(arch, pretrained=str(tiny_clip.checkpoint_path)).eval()
    tokens = open_clip.get_tokenizer(arch)(["a red bag", "a much longer description of a blue hooded jacket", ""])
    with torch.inference_mode():
        full = model.encode_text(tokens)
        trimmed = encode_text_trimmed(model, tokens)
    assert torch.allclose(full, trimmed, atol=1e-5)


# -- the interactive lane's view of a registry, and the threading policy ------------------------------

def test_registry_lane_shares_the_embedder_and_runs_its_own_detector_beside_the_owner(
        tiny_model_settings, tmp_path):
    """The lane (a second thread) reuses the loaded embedder but never the owner's ultralytics model: both
    detect the same photos at the same time, on two threads, and find what each finds alone."""
    import threading

    from core.models.state import SlotState

    scenes = [synthetic_scene(np.random.default_rng(seed))[0] for seed in range(6)]
    registry = ModelRegistry(tiny_model_settings, cache_dir=tmp_path / "cache")
    try:
        assert registry.lane() is None  # nothing loaded yet: the lane must not load shared models itself
        owner = registry.detector()
        embedder = registry.embedder()
        lane = registry.lane()
        assert lane is not None and lane is registry.lane()
        assert lane.embedder() is embedder and lane.query_cache is registry.query_cache
        twin = lane.detector()
        assert twin is not None and twin is not owner and twin.model is not owner.model
        assert twin.model_version == owner.model_version and twin.confidence == owner.confidence
        alone = [[d.box for d in found] for found in owner.detect(scenes)]
        beside: list = []
        worker = threading.Thread(target=lambda: beside.extend(
            [[d.box for d in found] for found in twin.detect(scenes * 3)]))
        worker.start()
        together = [[[d.box for d in found] for found in owner.detect(scenes)] for _ in range(3)]
        worker.join()
        def same(a, b) -> bool:  # batches of another size differ in the last float digits
            return len(a) == len(b) and all(len(x) == len(y) and np.allclose(x, y, atol=0.05)
                                            for x, y in zip(a, b, strict=True))

        assert all(same(run, alone) for run in together)
        assert same(beside, alone * 3)
        assert any(alone), "the tiny detector found nothing: the test would prove little"
        status = registry.status()
        assert status["detector"]["state"] is SlotState.LOADED
        assert json.loads(json.dumps(status))["detector"]["state"] == "loaded"  # the CLI's JSON is unchanged
    finally:
        registry.close()
    assert twin.model is None, "closing the registry closes the lane's detector too"
    assert registry.lane() is None
    assert registry.status()["detector"]["state"] is SlotState.NOT_LOADED


def test_a_detection_leaves_torch_threads_at_the_policy(tiny_yolo, tmp_path):
    """ultralytics sets torch's threads to min(8, cpu_count - 1) when a predictor picks its device; the
    registry's detector must leave them at the policy's `compute`. Own process: the policy is per process."""
    import os
    import subprocess
    import sys

    theirs = min(8, max(1, (os.cpu_count() or 1) - 1))
    ours = theirs + 1
    code = (
        "import json, sys, numpy as np, torch\n"
        "from core.models.registry import ModelRegistry\n"
        "from core.settings import ModelSettings\n"
        "settings = ModelSettings(embedder='efficientnet-lite0', detector_weights=sys.argv[1], detector_enabled=True,"
        " device='cpu', allow_download=False)\n"
        "registry = ModelRegistry(settings, cache_dir=sys.argv[2])\n"
        "before = torch.get_num_threads()\n"
        "registry.detector().detect([np.full((96, 128, 3), 200, np.uint8)])\n"
        "print(json.dumps({'policy': registry.threads.compute, 'before': before, 'after': torch.get_num_threads()}))\n"
    )
    env = {**os.environ, "CATALOG_CURATOR_TORCH_THREADS": str(ours), "PYTHONPATH": str(Path(__file__).parents[1])}
    done = subprocess.run([sys.executable, "-c", code, str(tiny_yolo.weights_path), str(tmp_path / "cache")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"policy": ours, "before": ours, "after": ours}, seen
