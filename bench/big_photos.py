"""Big photos: seconds and peak memory per photo size, import + index end to end, reduced-size decode vs full.

    python bench/big_photos.py --json                      # 2, 12, 24, 50, 80 MP; 4 photos each; after only
    python bench/big_photos.py --json --full-res           # also "before": decode at full size (main's path)
    python bench/big_photos.py --sizes 2,24 --photos 2     # a quick look

Each size runs in its own child process (so each peak RSS is that job's own): the models are loaded and
warmed on one small product first, the kernel's peak-RSS mark is reset (/proc/self/clear_refs), then one
`index` job imports and indexes N distinct photos of that size. Models: efficientnet-lite0 (real weights,
offline) and the tests' tiny YOLO; model time does not depend on the photo's size, so the figures show
what photo size costs. The photos are synthetic (a textured product on white plus sensor-like noise,
JPEG quality 90), about as compressible as real product photos.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ASPECT = (4, 3)


def make_photo(path: Path, megapixels: float, seed: int) -> None:
    """A product photo of about `megapixels`: upscaled texture plus per-pixel noise, written in strips."""
    from PIL import Image

    from tests.badfiles import product_like

    width = int((megapixels * 1e6 * ASPECT[0] / ASPECT[1]) ** 0.5)  # rounded down: "80 MP" stays within
    height = int(width * ASPECT[1] / ASPECT[0])                       # the 80 MP decode limit
    base = Image.fromarray(product_like(640, 480, seed=seed)).resize((width, height), Image.Resampling.BICUBIC)
    pixels = np.asarray(base).copy()
    rng = np.random.default_rng(seed)
    for top in range(0, height, 512):  # noise in strips: a float copy of 80 MP would cost 2 GB here
        strip = pixels[top:top + 512].astype(np.int16)
        strip += rng.integers(-4, 5, strip.shape, dtype=np.int16)
        pixels[top:top + 512] = np.clip(strip, 0, 255).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path, "JPEG", quality=90)


def _model_settings(work: Path):
    from core.settings import ModelSettings
    from tests.fixtures_models import TINY_YOLO_RECIPE, _recipe_key, build_tiny_yolo, tiny_models_home

    yolo = build_tiny_yolo(tiny_models_home() / f"yolo-{_recipe_key(TINY_YOLO_RECIPE)}")
    return ModelSettings(embedder="efficientnet-lite0", detector_weights=str(yolo.weights_path),
                         detector_enabled=True, device="cpu", batch_size=8, allow_download=False)


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(folder: Path, full_res: bool, work: Path) -> dict:
    from PIL import Image

    from core.catalog.catalog import Catalog
    from core.jobs import run_index_job
    from core.models.registry import ModelRegistry
    from core.pipeline import indexer
    from tests.badfiles import product_like

    if full_res:
        indexer.WORKING_SIDE = None  # main's path: every stage sees the photo at full size
    with Catalog.open(work / "catalog") as catalog:
        catalog.settings.models = _model_settings(work)
        registry = ModelRegistry(catalog.settings.models)
        try:
            warm = work / "warm" / "w0"
            warm.mkdir(parents=True)
            Image.fromarray(product_like(seed=999)).save(warm / "main.jpg", quality=90)
            run_index_job(catalog, registry, [warm.parent])
            rss_before = _peak_rss_mb()
            reset = Path("/proc/self/clear_refs")
            if reset.exists():
                reset.write_text("5")  # resets VmHWM to the current RSS: the peak below is the job's own
            started, cpu = time.perf_counter(), time.process_time()
            result = run_index_job(catalog, registry, [folder])
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            registry.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": _peak_rss_mb(), "rss_after_models_mb": rss_before,
            "indexed": result.get("indexed", 0), "errors": result.get("errors", []),
            "stages": result.get("stages", {})}


def run_size(megapixels: float, photos: int, full_res: bool, work: Path) -> dict:
    folder = work / f"photos-{megapixels:g}mp"
    if not folder.is_dir():
        for n in range(photos):
            make_photo(folder / f"p{n}" / "main.jpg", megapixels, seed=1000 * int(megapixels) + n)
    job = Path(tempfile.mkdtemp(prefix="job-", dir=work))
    code = [sys.executable, __file__, "--child", str(folder), "--work", str(job)] + (["--full-res"] if full_res else [])
    done = subprocess.run(code, capture_output=True, text=True, cwd=ROOT, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    out = json.loads(done.stdout.strip().splitlines()[-1])
    sizes = [p.stat().st_size for p in folder.glob("*/main.jpg")]
    return {"megapixels": megapixels, "photos": photos, "mode": "full" if full_res else "reduced",
            "file_mb": round(float(np.mean(sizes)) / 2**20, 1),
            "seconds_per_photo": round(out["seconds"] / photos, 3),
            "cpu_seconds_per_photo": round(out["cpu_seconds"] / photos, 3), "peak_rss_mb": round(out["peak_rss_mb"]),
            "rss_after_models_mb": round(out["rss_after_models_mb"]), "indexed": out["indexed"],
            "errors": len(out["errors"]),
            "stages_per_photo": {k: round(v / photos, 3) for k, v in out["stages"].items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2,12,24,50,80", help="megapixels, comma-separated")
    parser.add_argument("--photos", type=int, default=4, help="photos per size (one job each)")
    parser.add_argument("--full-res", action="store_true", help="also measure decoding at full size (before)")
    parser.add_argument("--full-sizes", default=None, help="sizes for --full-res (default: --sizes)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.full_res, args.work)))
        return 0

    work = Path(tempfile.mkdtemp(prefix="big-photos-"))
    sizes = [float(s) for s in args.sizes.split(",")]
    rows = []
    full_sizes = [float(s) for s in args.full_sizes.split(",")] if args.full_sizes else sizes
    for full_res in ([False, True] if args.full_res else [False]):
        for mp in (full_sizes if full_res else sizes):
            row = run_size(mp, args.photos, full_res, work)
            rows.append(row)
            if not args.json:
                print(f"{row['mode']:8s} {mp:5g} MP: {row['seconds_per_photo']:7.2f} s/photo, "
              f"{row['cpu_seconds_per_photo']:7.2f} cpu-s/photo, "
                      f"peak RSS {row['peak_rss_mb']} MB", flush=True)
    report: dict = {"rows": rows, "load_before": os.getloadavg()[0], "cpus": os.cpu_count()}
    for mode in {r["mode"] for r in rows}:
        by_mp = {r["megapixels"]: r for r in rows if r["mode"] == mode}
        base = by_mp.get(2.0)
        if base:
            report[f"{mode}_ratio_vs_2mp"] = {f"{mp:g}": round(r["seconds_per_photo"] / base["seconds_per_photo"], 2)
                                              for mp, r in by_mp.items()}
            report[f"{mode}_cpu_ratio_vs_2mp"] = {
                f"{mp:g}": round(r["cpu_seconds_per_photo"] / base["cpu_seconds_per_photo"], 2)
                for mp, r in by_mp.items()}
        report[f"{mode}_max_peak_rss_mb"] = max(r["peak_rss_mb"] for r in by_mp.values())
    reduced = {r["megapixels"]: r for r in rows if r["mode"] == "reduced"}
    report["ok"] = bool(reduced.get(2.0) and reduced.get(24.0)
                        and reduced[24.0]["seconds_per_photo"] <= 2 * reduced[2.0]["seconds_per_photo"]
                        and max(r["peak_rss_mb"] for r in reduced.values()) < 1536)
    report["load_after"] = os.getloadavg()[0]
    print(json.dumps(report, indent=2) if args.json else json.dumps({k: v for k, v in report.items() if k != "rows"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
