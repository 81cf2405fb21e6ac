"""Tiny real models for tests: built from small configs, random weights, saved once per session.

They are cached under $CATALOG_CURATOR_TEST_HOME/tiny-models (keyed by a recipe version), so only the
first run pays: the tiny YOLO trains for about a minute on synthetic scenes, in a subprocess, so that
detection tests find real boxes. A file lock keeps parallel test runs from building twice.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]

TINY_CLIP_CONFIG = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 64, "layers": 2, "width": 64, "head_width": 32, "patch_size": 16},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 64, "heads": 2, "layers": 2},
}
TINY_CLIP_NAME = "tiny-clip-test"
TINY_YOLO_RECIPE = {"cfg": "yolov8n.yaml", "images": 64, "val": 8, "size": 128, "epochs": 50, "seed": 0}


def _recipe_key(recipe: dict) -> str:
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:10]


def tiny_models_home() -> Path:
    return Path(os.environ.get("CATALOG_CURATOR_TEST_HOME", "/tmp/catalog-curator-tests")) / "tiny-models"


@contextmanager
def _build_lock(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass(frozen=True)
class TinyClip:
    config_path: Path
    checkpoint_path: Path
    name: str = TINY_CLIP_NAME
    image_size: int = 64
    dim: int = 32


@dataclass(frozen=True)
class TinyYolo:
    weights_path: Path
    image_size: int
    class_name: str = "object"


def build_tiny_clip(folder: Path, seed: int = 0) -> TinyClip:
    """A tiny open_clip model (ViT + text transformer) with seeded random weights, saved as a checkpoint."""
    import open_clip
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / f"{TINY_CLIP_NAME}.json"
    checkpoint_path = folder / f"{TINY_CLIP_NAME}-seed{seed}.pt"
    if not checkpoint_path.is_file():
        config_path.write_text(json.dumps(TINY_CLIP_CONFIG, indent=2), encoding="utf-8")
        open_clip.add_model_config(config_path)
        torch.manual_seed(seed)
        model = open_clip.create_model(TINY_CLIP_NAME, pretrained=None)
        tmp = checkpoint_path.with_suffix(".tmp")
        torch.save({"state_dict": model.state_dict()}, tmp)
        os.replace(tmp, checkpoint_path)
    return TinyClip(config_path=config_path, checkpoint_path=checkpoint_path)


def synthetic_scene(rng: np.random.Generator, width: int = 128, height: int = 128,
                    light: bool | None = None) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """A plain background with one coloured rectangle or ellipse; returns RGB uint8 and its box."""
    from PIL import Image, ImageDraw

    if light is None:
        light = bool(rng.random() < 0.7)
    bg = rng.integers(200, 256, 3) if light else rng.integers(0, 60, 3)
    image = Image.new("RGB", (width, height), tuple(int(v) for v in bg))
    draw = ImageDraw.Draw(image)
    short = min(width, height)
    w, h = (int(v) for v in rng.integers(short // 5, short // 2, 2))
    x0, y0 = int(rng.integers(0, width - w)), int(rng.integers(0, height - h))
    colour = tuple(int(v) for v in rng.integers(0, 256, 3))
    shape = draw.rectangle if rng.random() < 0.5 else draw.ellipse
    shape([x0, y0, x0 + w, y0 + h], fill=colour)
    return np.asarray(image), (float(x0), float(y0), float(x0 + w + 1), float(y0 + h + 1))


def _write_yolo_dataset(root: Path, recipe: dict) -> Path:
    from PIL import Image

    rng = np.random.default_rng(recipe["seed"])
    size = recipe["size"]
    for split, n in (("train", recipe["images"]), ("val", recipe["val"])):
        (root / "images" / split).mkdir(parents=True, exist_ok=True)
        (root / "labels" / split).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            pixels, (x0, y0, x1, y1) = synthetic_scene(rng, size, size)
            Image.fromarray(pixels).save(root / "images" / split / f"{i}.png")
            cx, cy, w, h = (x0 + x1) / 2 / size, (y0 + y1) / 2 / size, (x1 - x0) / size, (y1 - y0) / size
            (root / "labels" / split / f"{i}.txt").write_text(f"0 {cx:.5f} {cy:.5f} {w:.5f} {h:.5f}\n")
    data = root / "data.yaml"
    data.write_text(f"path: {root}\ntrain: images/train\nval: images/val\nnames:\n  0: object\n")
    return data


def train_tiny_yolo(folder: str, recipe_json: str) -> None:
    """Run in a subprocess: train a YOLO from its yaml on synthetic scenes and save tiny_yolo.pt."""
    import shutil

    from core.models.weights import prepare_ultralytics

    prepare_ultralytics()
    from ultralytics import YOLO

    out = Path(folder)
    recipe = json.loads(recipe_json)
    data = _write_yolo_dataset(out / "data", recipe)
    model = YOLO(recipe["cfg"])
    model.train(data=str(data), epochs=recipe["epochs"], imgsz=recipe["size"], batch=16, workers=0, device="cpu",
                plots=False, val=False, amp=False, project=str(out / "runs"), name="tiny", exist_ok=True,
                verbose=False, mosaic=0.0, seed=recipe["seed"], deterministic=True, warmup_epochs=1)
    best = out / "runs" / "tiny" / "weights" / "best.pt"
    shutil.copyfile(best, out / "tiny_yolo.pt.tmp")
    os.replace(out / "tiny_yolo.pt.tmp", out / "tiny_yolo.pt")
    shutil.rmtree(out / "runs", ignore_errors=True)
    shutil.rmtree(out / "data", ignore_errors=True)


def build_tiny_yolo(folder: Path, recipe: dict = TINY_YOLO_RECIPE) -> TinyYolo:
    weights = folder / "tiny_yolo.pt"
    if not weights.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        code = "import sys; from tests.fixtures_models import train_tiny_yolo; train_tiny_yolo(sys.argv[1], sys.argv[2])"
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        done = subprocess.run([sys.executable, "-c", code, str(folder), json.dumps(recipe)], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not weights.is_file():
            raise RuntimeError(f"training the tiny YOLO failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return TinyYolo(weights_path=weights, image_size=recipe["size"])


@pytest.fixture(scope="session")
def tiny_clip() -> TinyClip:
    folder = tiny_models_home() / f"clip-{_recipe_key(TINY_CLIP_CONFIG)}"
    with _build_lock(folder):
        return build_tiny_clip(folder)


@pytest.fixture(scope="session")
def tiny_yolo() -> TinyYolo:
    folder = tiny_models_home() / f"yolo-{_recipe_key(TINY_YOLO_RECIPE)}"
    with _build_lock(folder):
        built = build_tiny_yolo(folder)
    from core.models.trust import trust

    trust(built.weights_path, source="test fixture")  # ultralytics unpickles it: vouch for it on this machine
    return built


@pytest.fixture(scope="session")
def tiny_model_settings(tiny_clip: TinyClip, tiny_yolo: TinyYolo):
    from core.settings import ModelSettings

    return ModelSettings(embedder="open_clip", clip_model=str(tiny_clip.config_path), clip_pretrained="tiny",
                         clip_checkpoint=str(tiny_clip.checkpoint_path), detector_weights=str(tiny_yolo.weights_path),
                         detector_enabled=True, detector_confidence=0.25, device="cpu", batch_size=8,
                         allow_download=False)


@pytest.fixture(scope="session")
def tiny_registry(tiny_model_settings, tmp_path_factory):
    from core.models.registry import ModelRegistry

    registry = ModelRegistry(tiny_model_settings, cache_dir=tmp_path_factory.mktemp("model-cache"))
    yield registry
    registry.close()
