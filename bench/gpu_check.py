"""One GPU check, in a few minutes: images/s of the embedder alone (fp16, batch sweep), of the full
indexer (batch sweep), and end-to-end query p95, on the first CUDA device (else the CPU, quickly).

    python bench/gpu_check.py [--device auto|cuda|cpu] [--quick] [--json]

Model: open_clip ViT-B-32 with random weights (the default model's architecture and cost; no download).
Images: the dev sample's photos when present (/work/shared/data/magento-dev or $CATALOG_CURATOR_DEV_SAMPLE),
else synthetic photos. bench/gpu_check.sh runs this under a time limit and prints the machine first.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SAMPLE = Path(os.environ.get("CATALOG_CURATOR_DEV_SAMPLE", "/work/shared/data/magento-dev"))


def log(message: str) -> None:
    print(f"[gpu_check {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def checkpoint_file(root: Path) -> Path:
    import open_clip
    import torch

    path = root / "vit-b-32-random-seed0.pt"
    if not path.is_file():
        torch.manual_seed(0)
        torch.save(open_clip.create_model("ViT-B-32", pretrained=None).state_dict(), path)
    return path


def embed_sweep(weights: Path, device: str, batches: list[int], n_images: int, accel: str) -> dict:
    """The embedder alone on preprocessed batches already in memory: the model's ceiling."""
    import torch

    from core.models.embedders import OpenClipEmbedder

    embedder = OpenClipEmbedder("ViT-B-32", str(weights), device=device, tag="random-seed0", accel=accel)
    rng = np.random.default_rng(0)
    out = {"device": embedder.device, "fp16": embedder._half, "accel": embedder.accel, "batches": {}}
    for batch in batches:
        x = rng.standard_normal((batch, 3, embedder.input_size, embedder.input_size)).astype(np.float32)
        embedder.embed_images(x)  # warm-up (cuDNN autotune, allocator)
        if embedder.device.startswith("cuda"):
            torch.cuda.synchronize()
        done, started = 0, time.perf_counter()
        while done < n_images:
            embedder.embed_images(x)
            done += batch
        if embedder.device.startswith("cuda"):
            torch.cuda.synchronize()
        out["batches"][batch] = round(done / (time.perf_counter() - started), 1)
        log(f"embed batch {batch}: {out['batches'][batch]} images/s")
    embedder.close()
    return out


def product_folders(root: Path, limit: int, use_sample: bool) -> Path:
    """The dev sample's products, else `limit` synthetic ones."""
    catalog = SAMPLE / "catalog"
    if use_sample and catalog.is_dir():
        return catalog
    from PIL import Image

    rng = np.random.default_rng(0)
    for i in range(limit):
        folder = root / "products" / f"p{i:04d}"
        folder.mkdir(parents=True)
        for view in ("main", "back"):
            pixels = np.full((480, 400, 3), 245, np.uint8)
            pixels[80:400, 60:340] = rng.integers(0, 255, 3)
            Image.fromarray(pixels).save(folder / f"{view}.jpg", quality=90)
        (folder / "product.json").write_text(json.dumps({"sku": f"SKU-{i:04d}", "title": f"Product {i}"}))
    return root / "products"


def pipeline_sweep(weights: Path, device: str, batches: list[int], root: Path, limit: int, quick: bool) -> dict:
    """import (untimed) + index_products (timed, every stage) into a fresh catalog per batch size."""
    from core.catalog.catalog import Catalog
    from core.catalog.importer import import_folders
    from core.models.registry import ModelRegistry
    from core.pipeline.indexer import index_products
    from core.settings import ModelSettings

    source = product_folders(root, limit, use_sample=not quick)
    out = {}
    for batch in batches:
        folder = root / f"catalog-{batch}"
        catalog = Catalog.open(folder)
        catalog.settings.models = ModelSettings(embedder="open_clip", clip_model="ViT-B-32",
                                                clip_checkpoint=str(weights), clip_pretrained="random-seed0",
                                                detector_enabled=False, device=device, batch_size=batch,
                                                allow_download=False, cpu_accel="fp32" if quick else "auto")
        catalog.save_settings()
        registry = ModelRegistry(catalog.settings.models, cache_dir=root / "models")
        try:
            registry.embedder()
            import_folders(catalog.paths, [source])
            started = time.perf_counter()
            report = index_products(catalog, registry)
            wall = time.perf_counter() - started
        finally:
            registry.close()
            catalog.close()
            shutil.rmtree(folder, ignore_errors=True)
        out[batch] = {"images_per_s": round(report.images / wall, 1), "images": report.images,
                      "products": report.products, "seconds": round(wall, 2),
                      "stages": {k: round(v, 2) for k, v in report.stages.items()}}
        log(f"pipeline batch {batch}: {out[batch]['images_per_s']} images/s ({report.images} images)")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check that everything runs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    import torch

    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    quick = args.quick or device == "cpu"  # the CPU fallback only proves the script runs
    report: dict = {"device": device, "quick": quick, "torch": torch.__version__,
                    "gpu": torch.cuda.get_device_name(0) if device.startswith("cuda") else None}
    root = Path(tempfile.mkdtemp(prefix="gpu-check-"))
    try:
        weights = checkpoint_file(root)
        embed_batches = [8] if quick else [32, 64, 128, 256, 512]
        accel = "fp32" if quick else "auto"  # quick: skip the one-off int8 export (minutes on a small CPU)
        report["embed"] = embed_sweep(weights, device, embed_batches, 16 if quick else 4096, accel)
        pipe_batches = [8] if quick else [32, 128, 256]
        report["pipeline"] = pipeline_sweep(weights, device, pipe_batches, root, 6 if quick else 229, quick)
        from bench.search_latency import bench_end_to_end

        queries = bench_end_to_end(500 if quick else 10_000, 512, 6 if quick else 100, np.random.default_rng(0),
                                   device=device, cpu_accel=accel)
        report["query"] = {"text_query_p95_ms": queries["text_query_p95_ms"],
                           "image_query_p95_ms": queries["image_query_p95_ms"], "products": queries["products"]}
        report["embed_images_per_s_best"] = max(report["embed"]["batches"].values())
        report["pipeline_images_per_s_best"] = max(p["images_per_s"] for p in report["pipeline"].values())
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(report, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
