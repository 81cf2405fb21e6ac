"""Interactive first: search latency while an import runs (against idle, same run), text and image query
latency on a 10k-product catalog, and launch to a visible window.

    python bench/interactive.py --json [--products 10000] [--queries 60] [--launches 2] [--skip-launch]

- Scheduler: an AppContext (the app's model thread, real priorities) on a fresh catalog with open_clip
  ViT-B-32 (random weights: the default model's architecture and cost, no download), detector off.
  A few products are indexed first so an index exists; then text searches are sent one after another
  (submit to result, in the GUI thread), first idle, then while a job imports and indexes the dev
  sample (229 products, 278 images, mirrored so no embedding is cached). Every query text is distinct
  (the query cache never answers). Goal: `ratio` = search_p95_during_import_ms / search_p95_idle_ms
  <= 1.5. Idle is measured on the catalog the busy searches see: a catalog that already holds the
  sample indexed once (other bytes, SKUs `BASE-`: a curator importing into a working catalog), with the
  job's products imported (not indexed), so the job's import step finds them there and its indexing is
  what runs beside the searches. A search's own cost grows with the indexed products among its ~100
  re-rank candidates (crop vectors, colours) until there are that many: with only the 12 first products
  indexed, the searches during the job would pay for the catalog growing under them (12 -> 241 indexed,
  +40-80 % a text search), which this ratio would count as interference; the catalog of 241+ indexed
  products makes that growth small (`--no-base-catalog` leaves it out: the definition of 2026-11-30 to
  2026-12-01). `search_p95_idle_small_ms`, `ratio_vs_idle_small`: idle on the 12-product catalog (the
  definition before 2026-11-30).
  `search_p95_idle_after_ms`: idle again once the job is cancelled; `ratio_bracketed` divides by the p95 of
  the idle searches before and after pooled (on a shared machine load drifts within a run).
  Image searches (`--image-queries N`, default the text count; 0 skips them) alternate with the text
  searches in the same run: the dev sample's query photos (`queries/`), each sent as distinct bytes (one
  pixel changed, so the query cache never answers), idle on the same catalog and during the job's indexing:
  `image_search_p95_idle_ms`, `image_search_p95_during_import_ms`, `image_ratio` (same goal, 1.5),
  `image_ratio_bracketed` (idle before and after pooled, as for text).
- Cancel (`--cancels N`): the offline embedder (efficientnet-lite0, detector off) indexes the mirrored
  sample in a GUI-less AppContext; Cancel is pressed N times mid-indexing (each time a new job takes up
  what is left); `cancel_latency_s` is the p95 of press -> job ended, and `indexed_after_cancel` counts
  products written after the press (the design says at most the one being written, usually 0).
- Queries: core.search.search end to end (encode + search + rows + log) on a 10k-product catalog
  (bench/search_latency.py's builder), wall and CPU time, per stage, and the model call alone as the
  same-run baseline. Goals: text p95 < 60 ms, image (640x480) p95 < 150 ms on a quiet machine.
- Launch: bench/gui_responsiveness.py's subprocess measurement. Goal < 2 s.

The machine may be shared: `load_avg` is reported next to the figures; compare ratios from one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
# CATALOG_CURATOR_CODE=/path/to/another/checkout times that code (a before figure) with this same script.
CODE = Path(os.environ.get("CATALOG_CURATOR_CODE", REPO)).resolve()
sys.path.insert(0, str(CODE))
SAMPLE = Path(os.environ.get("CATALOG_CURATOR_DEV_SAMPLE", "/work/shared/data/magento-dev"))
MODELS = Path(tempfile.gettempdir()) / "catalog-curator-bench-models"  # int8 graphs survive between runs
RATIO_GOAL, TEXT_GOAL_MS, IMAGE_GOAL_MS, LAUNCH_GOAL_S = 1.5, 60.0, 150.0, 2.0


def p95(values: list[float]) -> float | None:
    if not values:
        return None
    return round(float(np.percentile(values, 95)) * 1000.0, 1)


def vit_b_32_settings(root: Path):
    import open_clip
    import torch

    from core.settings import ModelSettings

    weights = MODELS / "vit-b-32-random-seed0.pt"
    if not weights.is_file():
        MODELS.mkdir(parents=True, exist_ok=True)
        torch.manual_seed(0)
        torch.save(open_clip.create_model("ViT-B-32", pretrained=None).state_dict(), weights)
    return ModelSettings(embedder="open_clip", clip_model="ViT-B-32", clip_checkpoint=str(weights),
                         clip_pretrained="random-seed0", detector_enabled=False, device="cpu",
                         allow_download=False)


def mirrored_copy(src: Path, dst: Path, prefix: str, limit: int | None = None, quality: int = 90) -> Path:
    """The dev products with new SKUs and mirrored photos (new bytes: nothing comes from a cache; another
    `quality` gives the same products as other bytes again)."""
    from PIL import Image, ImageOps

    folders = sorted(p for p in src.iterdir() if (p / "product.json").is_file())[:limit]
    for folder in folders:
        out = dst / f"{prefix}{folder.name}"
        out.mkdir(parents=True, exist_ok=True)
        meta = json.loads((folder / "product.json").read_text())
        meta["sku"] = prefix + meta["sku"]
        (out / "product.json").write_text(json.dumps(meta))
        for image in sorted(folder.glob("*.jpg")):
            with Image.open(image) as im:
                ImageOps.mirror(im.convert("RGB")).save(out / image.name, "JPEG", quality=quality)
    return dst


def query_texts(n: int) -> list[str]:
    path = SAMPLE / "text_queries.jsonl"
    base = [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()] if path.is_file() \
        else ["blue running jacket", "leather bag", "yoga shorts"]
    words = ["", " for women", " for men", " in blue", " in black", " cheap", " new"]
    return [f"{base[i % len(base)]}{words[(i // len(base)) % len(words)]} #{i}" for i in range(n)]


def query_photos(n: int) -> list[bytes]:
    """`n` distinct JPEG byte strings of the dev sample's query photos (a pixel stamped with the index)."""
    import io

    from PIL import Image

    paths = sorted((SAMPLE / "queries").glob("*.jpg")) or sorted((SAMPLE / "catalog").glob("*/main.jpg"))
    out = []
    for i in range(n):
        with Image.open(paths[i % len(paths)]) as im:
            rgb = im.convert("RGB")
        rgb.putpixel((0, 0), (i % 256, (i // 256) % 256, 7))
        buffer = io.BytesIO()
        rgb.save(buffer, "JPEG", quality=90)
        out.append(buffer.getvalue())
    return out


def measure_scheduler(n_queries: int, seconds: float, n_images: int | None = None, base: bool = True) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.main import create_application

    app = create_application()
    from app.context import AppContext
    from core.catalog.catalog import Catalog
    from core.jobs import JobPhase
    from core.search.query import SearchRequest

    root = Path(tempfile.mkdtemp(prefix="bench-interactive-"))
    try:
        with Catalog.open(root / "catalog") as catalog:
            catalog.settings.models = vit_b_32_settings(root)
            catalog.save_settings()
        seed = mirrored_copy(SAMPLE / "catalog", root / "seed", "SEED-", limit=12)
        job_folder = mirrored_copy(SAMPLE / "catalog", root / "job", "JOB-")
        context = AppContext.open(root / "catalog")

        def spin(limit: float, until) -> bool:
            end = time.monotonic() + limit
            while time.monotonic() < end:
                if until():
                    return True
                app.processEvents()
                time.sleep(0.001)
            return until()

        spin(900, lambda: context.models.ready)
        first = context.start_index_job([seed])
        spin(900, lambda: first.ended)
        texts = iter(query_texts(10 * n_queries))
        n_images = n_queries if n_images is None else n_images
        photos = iter(query_photos(6 * n_images))

        def one_search(image: bool = False) -> float:
            started = time.perf_counter()
            request = SearchRequest(image=next(photos), k=20) if image else SearchRequest(text=next(texts), k=20)
            task = context.search(request)
            done: list = []
            task.signals.finished.connect(lambda: done.append(1))
            spin(120, lambda: bool(done))
            return time.perf_counter() - started

        one_search()  # warm-up
        idle_small = [one_search() for _ in range(n_queries)]
        if base:  # the sample indexed once already (other bytes), before the job's import
            seeded = context.start_index_job([mirrored_copy(SAMPLE / "catalog", root / "base", "BASE-", quality=85)])
            spin(1800, lambda: seeded.ended)
        imported = context.start_index_job([job_folder], import_only=True)
        spin(900, lambda: imported.ended)
        idle = [one_search() for _ in range(n_queries)]
        if n_images:
            one_search(image=True)  # warm-up
        image_idle = [one_search(image=True) for _ in range(n_images)]
        record = context.start_index_job([job_folder])
        spin(120, lambda: record.phase is JobPhase.INDEXING or record.ended)
        busy: list[float] = []
        image_busy: list[float] = []
        deadline = time.monotonic() + seconds
        while not record.ended and time.monotonic() < deadline and len(busy) < 3 * n_queries:
            busy.append(one_search())
            spin(0.1, lambda: False)
            if n_images and not record.ended and len(image_busy) < 3 * n_images:
                image_busy.append(one_search(image=True))
                spin(0.1, lambda: False)
        if not record.ended:
            context.cancel_job(record)
        spin(600, lambda: record.ended)
        result = record.result or {}
        result = result.to_dict() if hasattr(result, "to_dict") else result  # core.jobs.JobResult (a dict before)
        idle_after = [one_search() for _ in range(n_queries)]
        image_idle_after = [one_search(image=True) for _ in range(n_images)]
        context.shutdown()
        p_idle, p_busy, p_small = p95(idle), p95(busy), p95(idle_small)
        i_idle, i_busy = p95(image_idle), p95(image_busy)
        return {"search_p95_idle_ms": p_idle, "search_p95_during_import_ms": p_busy,
                "ratio": round(p_busy / p_idle, 2) if p_idle and p_busy else None,
                "search_p95_idle_after_ms": p95(idle_after),
                # idle before and after, pooled, brackets the busy period: load that drifts on a shared machine
                # during the run moves both sides of this ratio alike
                "ratio_bracketed": round(p_busy / p95(idle + idle_after), 2) if p_busy and idle_after else None,
                "base_catalog_indexed": base,
                "search_p95_idle_small_ms": p_small,
                "ratio_vs_idle_small": round(p_busy / p_small, 2) if p_small and p_busy else None,
                "search_p50_idle_ms": round(statistics.median(idle) * 1000, 1),
                "search_p50_during_import_ms": round(statistics.median(busy) * 1000, 1) if busy else None,
                "searches_during_import": len(busy),
                "image_search_p95_idle_ms": i_idle, "image_search_p95_during_import_ms": i_busy,
                "image_ratio": round(i_busy / i_idle, 2) if i_idle and i_busy else None,
                "image_search_p95_idle_after_ms": p95(image_idle_after),
                "image_ratio_bracketed":
                    round(i_busy / p95(image_idle + image_idle_after), 2) if i_busy and image_idle_after else None,
                "image_search_p50_idle_ms": round(statistics.median(image_idle) * 1000, 1) if image_idle else None,
                "image_search_p50_during_import_ms":
                    round(statistics.median(image_busy) * 1000, 1) if image_busy else None,
                "image_searches_during_import": len(image_busy), "job_state": str(record.state),
                "job_products_imported": result.get("products"), "job_products_indexed": result.get("indexed"),
                "job_seconds": result.get("seconds")}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def measure_cancel(cancels: int) -> dict:
    """Press Cancel mid-indexing with the offline embedder; seconds to the job's end, products written after."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.main import create_application

    app = create_application()
    from app.context import AppContext
    from core.catalog import db
    from core.catalog.catalog import Catalog
    from core.settings import ModelSettings

    root = Path(tempfile.mkdtemp(prefix="bench-cancel-"))
    latencies: list[float] = []
    after: list[int] = []
    try:
        with Catalog.open(root / "catalog") as catalog:
            catalog.settings.models = ModelSettings(embedder="efficientnet-lite0", detector_enabled=False,
                                                    device="cpu", allow_download=False)
            catalog.save_settings()
        folder = mirrored_copy(SAMPLE / "catalog", root / "job", "CANCEL-")
        context = AppContext.open(root / "catalog")

        def spin(limit: float, until) -> bool:
            end = time.monotonic() + limit
            while time.monotonic() < end and not until():
                app.processEvents()
                time.sleep(0.001)
            return until()

        def indexed() -> int:
            return db.Product.select().where(db.Product.status == "indexed").count()

        spin(900, lambda: context.models.ready)
        record = context.start_index_job([folder])
        for _ in range(cancels):
            job = record  # mid-indexing: past the import, some products done

            def midway(job=job) -> bool:
                return job.ended or job.phase == "indexing" and job.done >= 8

            if not spin(600, midway) or record.ended:
                break
            at_press = indexed()
            pressed = time.perf_counter()
            context.cancel_job(job)
            spin(120, lambda job=job: job.ended)
            latencies.append(time.perf_counter() - pressed)
            after.append(indexed() - at_press)
            record = context.start_index_job([])  # "Index now": the rest
        context.cancel_job(record)
        spin(120, lambda: record.ended)
        context.shutdown()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return {"cancel_latency_s": round(float(np.percentile(latencies, 95)), 3) if latencies else None,
            "cancel_latencies_s": [round(v, 3) for v in latencies], "indexed_after_cancel": after,
            "cancel_embedder": "efficientnet-lite0"}


def measure_queries(products: int, n_queries: int) -> dict:
    from bench.search_latency import bench_end_to_end

    out = bench_end_to_end(products, 512, n_queries, np.random.default_rng(0))
    keep = ("text_query_p95_ms", "image_query_p95_ms", "text_query_cpu_p95_ms", "image_query_cpu_p95_ms",
            "text_query", "image_query", "text_stages_ms", "image_stages_ms", "baseline_text_encode_alone",
            "baseline_image_encode_alone", "text_query_p95_over_encode_p95", "image_query_p95_over_encode_p95",
            "accel")
    return {**{k: out.get(k) for k in keep}, "query_catalog_products": products}


def uptime() -> str:
    import subprocess

    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return f"load average {os.getloadavg()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--products", type=int, default=10_000, help="catalog size for the query latencies")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--image-queries", type=int, default=None,
                        help="image searches per phase in the scheduler bench (default: --queries; 0: none)")
    parser.add_argument("--seconds", type=float, default=900.0, help="longest time to let the import run")
    parser.add_argument("--launches", type=int, default=3)
    parser.add_argument("--skip-launch", action="store_true")
    parser.add_argument("--skip-queries", action="store_true")
    parser.add_argument("--skip-scheduler", action="store_true")
    parser.add_argument("--no-base-catalog", action="store_true",
                        help="measure idle searches with only 12 products indexed (the 2026-11-30 definition)")
    parser.add_argument("--cancels", type=int, default=5, help="Cancel presses to time (0: skip)")
    args = parser.parse_args()
    report: dict = {"code": str(CODE), "cpu_count": os.cpu_count(), "load_avg_start": os.getloadavg(),
                    "uptime_start": uptime()}
    if not args.skip_launch:
        from bench.gui_responsiveness import measure_launch

        launch = measure_launch(args.launches)
        report.update(launch_to_window_s=launch["launch_to_window_s"], launch=launch)
    if not args.skip_queries:
        report.update(measure_queries(args.products, args.queries))
    if not args.skip_scheduler:
        report.update(measure_scheduler(args.queries, args.seconds, args.image_queries,
                                        base=not args.no_base_catalog))
    if args.cancels:
        report.update(measure_cancel(args.cancels))
    try:
        from core.models.threads import current

        report["threads"] = current().to_dict()
    except ImportError:  # the code under test predates the threading policy (a before figure)
        pass
    report["load_avg_end"] = os.getloadavg()
    report["uptime_end"] = uptime()
    report["goals"] = {"ratio": RATIO_GOAL, "text_query_p95_ms": TEXT_GOAL_MS, "image_query_p95_ms": IMAGE_GOAL_MS,
                       "launch_to_window_s": LAUNCH_GOAL_S}
    print(json.dumps(report, indent=None if args.json else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
