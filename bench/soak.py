"""Soak: index many synthetic products while searches run concurrently; errors, memory, latency over time.

    python bench/soak.py --products 10000 --json

Uses the tiny open_clip model the tests build (random weights, 64 px): the soak measures the system
(database, vector index, caches, threads, memory), not model speed, which bench/index_vs_rclip.py covers.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_products(root: Path, n: int, seed: int = 0) -> None:
    from tests.badfiles import product_like  # a textured object with sharp edges on white

    perms = [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)]
    for i in range(n):
        folder = root / f"p{i:06d}"
        folder.mkdir(parents=True)
        img = product_like(256, 192, seed=seed + i)[..., list(perms[i % 6])]  # six colourways, same sharpness
        img = img[:, ::-1] if (i // 6) % 2 else img
        Image.fromarray(np.ascontiguousarray(img)).save(folder / "main.jpg", quality=90)
        (folder / "product.json").write_text(json.dumps({"sku": f"S{i:06d}", "title": f"Product {i} colour {i % 64}",
                                                         "category": f"Cat/{i % 12}", "price": float(i % 100)}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=1000, help="products per indexing job")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from core.catalog import db
    from core.catalog.catalog import Catalog
    from core.catalog.check import check_catalog
    from core.jobs import run_index_job
    from core.models.registry import ModelRegistry
    from core.search.query import SearchRequest, search
    from core.settings import ModelSettings
    from tests.fixtures_models import build_tiny_clip

    work = Path(tempfile.mkdtemp(prefix="soak-"))
    tiny = build_tiny_clip(work / "models")
    models = ModelSettings(embedder="open_clip", clip_model=str(tiny.config_path), clip_pretrained="tiny",
                           clip_checkpoint=str(tiny.checkpoint_path), detector_enabled=False, device="cpu",
                           batch_size=64, allow_download=False)
    src = work / "src"
    t = time.perf_counter()
    make_products(src, args.products)
    make_s = time.perf_counter() - t
    catalog = Catalog.open(work / "catalog")
    catalog.settings.models = models
    process = psutil.Process()
    errors: list[str] = []
    latencies: list[tuple[float, float]] = []  # (seconds since start, ms)
    stop = threading.Event()
    started = time.perf_counter()

    def searcher() -> None:
        registry = ModelRegistry(models)
        rng = np.random.default_rng(1)
        try:
            while not stop.is_set():
                if catalog.active_model_version() is None:
                    time.sleep(0.2)
                    continue
                try:
                    q = SearchRequest(text=f"product colour {rng.integers(64)}", k=10,
                                      filters=["category=Cat/3"] if rng.random() < 0.3 else [])
                    r = search(catalog, registry, q)
                    latencies.append((time.perf_counter() - started, r.seconds * 1000))
                except Exception as exc:  # every failure is a finding
                    errors.append(f"{type(exc).__name__}: {exc}")
                time.sleep(0.02)
        finally:
            registry.close()
            db.database.close()

    thread = threading.Thread(target=searcher, daemon=True)
    thread.start()
    registry = ModelRegistry(models)
    folders = sorted(src.iterdir())
    rss = []
    index_errors = 0
    for start in range(0, len(folders), args.chunk):
        chunk = folders[start:start + args.chunk]
        result = run_index_job(catalog, registry, chunk)
        index_errors += len(result["errors"])
        mem = process.memory_info()
        rss.append((round(time.perf_counter() - started, 1), mem.rss / 2**20, (mem.rss - mem.shared) / 2**20,
                    db.Product.select().count()))
    stop.set()
    thread.join()
    registry.close()
    check = check_catalog(catalog)
    total_s = time.perf_counter() - started
    catalog.close()
    # Memory growth: from the end of the first chunk (models and caches warm) to the end.
    growth = (rss[-1][1] - rss[0][1]) / rss[0][1] if len(rss) > 1 else 0.0
    anon_growth = (rss[-1][2] - rss[0][2]) / rss[0][2] if len(rss) > 1 else 0.0
    buckets = {}
    for at, ms in latencies:
        buckets.setdefault(int(at // 30) * 30, []).append(ms)
    report = {
        "products": args.products, "seconds": round(total_s, 1), "make_products_s": round(make_s, 1),
        "products_per_s": round(args.products / total_s, 1), "index_errors": index_errors,
        "search_errors": len(errors), "error_samples": errors[:5], "searches": len(latencies),
        # (seconds, RSS MB, anonymous MB = RSS minus file-backed pages, products)
        "rss_mb": [(t, round(m), round(a), n) for t, m, a, n in rss], "rss_growth": round(growth, 4),
        "anon_growth": round(anon_growth, 4),
        "latency_p50_ms": round(float(np.percentile([ms for _, ms in latencies], 50)), 2) if latencies else None,
        "latency_p95_ms": round(float(np.percentile([ms for _, ms in latencies], 95)), 2) if latencies else None,
        "latency_over_time": {f"{k}s": round(float(np.percentile(v, 95)), 2) for k, v in sorted(buckets.items())},
        "check_ok": check["ok"], "vectors": check["vectors"],
    }
    report["ok"] = (report["index_errors"] == 0 and report["search_errors"] == 0 and report["rss_growth"] < 0.10
                    and check["ok"] and check["vectors"] == args.products)
    print(json.dumps(report, indent=2 if args.json else None))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
