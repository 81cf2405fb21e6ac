"""How long a curator's correction waits while a CLI `index` runs on the same catalog (issue 27, requirement 7).

    python bench/lock_wait.py --json

A catalog gets --base products indexed first (the corrections' targets). Then a "window" process, like the
GUI (one long-lived catalog, models loaded, a Reviewer), moves a box and makes it primary every --interval
seconds while `catalog-curator index` adds --products more products in another process. Each correction made
while the index ran is timed twice: correction_wait_* from the moment it is asked for to the moment it holds the
writer lock (the wait on the other process), correction_landed_* to the moment it is committed (that wait plus
its own re-embedding, which correction_idle_median_s shows with nothing else running). The writer lock is held per batch, so the wait is bounded by one batch's writes, not by the job.

Indexes ../shared/data/magento-dev/catalog (or --source DIR) with the offline EfficientNet-Lite0 embedder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "magento-dev" / "catalog"

WINDOW = """
import json, sys, time
from pathlib import Path
from core.catalog import db
from core.catalog.catalog import Catalog
from core.models.registry import ModelRegistry
from core.review import Reviewer
root, ready, stop, out, interval = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), float(sys.argv[5])
running = Path(sys.argv[6])
catalog = Catalog.open(root)
registry = ModelRegistry(catalog.settings.models)
registry.embedder()
reviewer = Reviewer(catalog, registry)
targets = [p.id for p in db.Product.select().where(db.Product.status == "indexed").order_by(db.Product.id)]
ready.touch()
rows, n = [], 0
while not stop.exists():
    pid = targets[n % len(targets)]
    image = db.ImageFile.select().where(db.ImageFile.product == pid).first()
    k = 2 + n % 25
    box = (k, k, image.width - k, image.height - k)
    during = running.exists()
    t0 = time.perf_counter()
    with catalog.writing():
        t1 = time.perf_counter()
        reviewer.add_box(image.id, box, make_primary=True)
    t2 = time.perf_counter()
    rows.append({"lock_wait_s": t1 - t0, "landed_s": t2 - t0, "while_indexing": during and running.exists()})
    n += 1
    time.sleep(interval)
reviewer.close(); registry.close(); catalog.close()
out.write_text(json.dumps(rows))
"""


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "app", *args]


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def copy_products(folders: list[Path], into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    for folder in folders:  # copies: the importer refuses links that point outside the imported folder
        shutil.copytree(folder, into / folder.name)
    return into


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=DEV)
    parser.add_argument("--base", type=int, default=6, help="products indexed before (correction targets)")
    parser.add_argument("--products", type=int, default=30, help="products the measured index run adds")
    parser.add_argument("--embedder", default="efficientnet-lite0")
    parser.add_argument("--detector", action="store_true", help="run the detector too (slower batches)")
    parser.add_argument("--batch-size", type=int, default=0, help="models.batch_size (0: the default)")
    parser.add_argument("--interval", type=float, default=0.3, help="seconds between two corrections")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.source.is_dir():
        print(json.dumps({"skipped": f"no source folder at {args.source}"}))
        return 0
    folders = sorted(p for p in args.source.iterdir() if p.is_dir())[: args.base + args.products]
    work = Path(tempfile.mkdtemp(prefix="lock-wait-"))
    base = copy_products(folders[: args.base], work / "base")
    new = copy_products(folders[args.base:], work / "new")
    catalog = work / "catalog"
    catalog.mkdir()
    sys.path.insert(0, str(ROOT))
    from core.settings import Settings

    settings = Settings()
    settings.models.embedder = args.embedder
    settings.models.detector_enabled = args.detector
    if args.batch_size:
        settings.models.batch_size = args.batch_size
    settings.save(catalog / "settings.json")
    env = {**os.environ, "YOLO_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    subprocess.run(cli("index", str(base), "--catalog", str(catalog), "--json"), env=env, check=True,
                   capture_output=True, cwd=ROOT)

    ready, stop, out, running = (work / n for n in ("ready", "stop", "window.json", "running"))
    window = subprocess.Popen([sys.executable, "-c", WINDOW, str(catalog), str(ready), str(stop), str(out),
                               str(args.interval), str(running)], env=env, cwd=ROOT)
    while not ready.exists():
        if window.poll() is not None:
            raise SystemExit("the window process ended before it was ready")
        time.sleep(0.1)
    time.sleep(1.0)  # a few corrections with nothing else running: the floor
    running.touch()
    t0 = time.perf_counter()
    try:
        index = subprocess.run(cli("index", str(new), "--catalog", str(catalog), "--json"), env=env,
                               capture_output=True, text=True, cwd=ROOT)
    finally:
        running.unlink(missing_ok=True)
        stop.touch()
    index_s = time.perf_counter() - t0
    window.wait(300)
    rows = json.loads(out.read_text())
    shutil.rmtree(work, ignore_errors=True)
    during = [r for r in rows if r["while_indexing"]]
    idle = [r for r in rows if not r["while_indexing"]]
    landed = [r["landed_s"] for r in during]
    waits = [r["lock_wait_s"] for r in during]
    result = {
        # The wait on the other process: from asking for the change to holding the writer lock.
        "correction_wait_p95_s": round(p95(waits), 3),
        "correction_wait_max_s": round(max(waits), 3) if waits else None,
        # From asking to committed: the wait plus the correction's own work (re-embedding the new crop).
        "correction_landed_p95_s": round(p95(landed), 3),
        "correction_landed_median_s": round(statistics.median(landed), 3) if landed else None,
        "correction_landed_max_s": round(max(landed), 3) if landed else None,
        "corrections_while_indexing": len(during),
        "correction_idle_median_s": round(statistics.median(r["landed_s"] for r in idle), 3) if idle else None,
        "index_seconds": round(index_s, 1),
        "index_rc": index.returncode,
        "indexed": json.loads(index.stdout).get("indexed") if index.returncode == 0 else None,
        "products": args.products, "embedder": args.embedder, "detector": args.detector,
        "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
        "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }
    if index.returncode != 0:
        result["index_error"] = index.stderr[-1000:]
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"correction wait while indexing: p95 {result['correction_wait_p95_s']} s, max "
              f"{result['correction_wait_max_s']} s; landed p95 {result['correction_landed_p95_s']} s over "
              f"{len(during)} corrections (idle median {result['correction_idle_median_s']} s); index "
              f"{index_s:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
