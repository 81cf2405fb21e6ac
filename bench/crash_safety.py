"""Crash safety: SIGKILL the indexer at random moments while a second process reads, check the catalog
each time, then finish the job.

    python bench/crash_safety.py --kills 20 --json

Indexes ../shared/data/magento-dev/catalog (or --source DIR) with the offline EfficientNet-Lite0 embedder.
A reader process runs the whole time, like a GUI window or a `search` beside the indexer: it keeps the catalog
open and searches its index (reloading when the generation moves), and every few queries opens the catalog
afresh as a new command would. A reader must never fail to read (no false "checksum mismatch") and must never
recover a live writer. After every kill: `catalog-curator check` must report a consistent catalog, and every
product that was committed as indexed before the kill must still be indexed. At the end an uninterrupted run
finishes the job, and the catalog must hold each product, image, crop and result exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "magento-dev" / "catalog"


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "app", *args]


def indexed(db_path: Path) -> set[str]:
    if not db_path.exists():
        return set()
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        return {r[0] for r in con.execute("SELECT sku FROM product WHERE status='indexed' AND deleted_at IS NULL")}
    except sqlite3.OperationalError:  # the schema is not there yet
        return set()
    finally:
        con.close()


def duplicates(db_path: Path) -> dict[str, int]:
    con = sqlite3.connect(db_path)
    q = {
        "products": "SELECT COUNT(*) - COUNT(DISTINCT sku) FROM product",
        "images": "SELECT COUNT(*) FROM (SELECT product_id, sha256, original_name, COUNT(*) c FROM image_file "
                  "WHERE deleted_at IS NULL GROUP BY 1, 2, 3 HAVING c > 1)",
        "crops": "SELECT COUNT(*) FROM (SELECT image_id, x0, y0, x1, y1, COUNT(*) c FROM crop "
                 "WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5 HAVING c > 1)",
        "primaries": "SELECT COUNT(*) FROM (SELECT i.product_id, COUNT(*) c FROM crop c JOIN image_file i "
                     "ON c.image_id = i.id WHERE c.is_primary = 1 AND c.deleted_at IS NULL GROUP BY 1 HAVING c > 1)",
    }
    out = {k: con.execute(v).fetchone()[0] for k, v in q.items()}
    con.close()
    return out


READER = """
import json, sys, time
from pathlib import Path
import numpy as np
from core.catalog.catalog import Catalog
root, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
stats = {"queries": 0, "reloads": 0, "opens": 0, "errors": []}
rng = np.random.default_rng(0)
catalog, seen = None, None
while not stop.exists():
    try:
        if catalog is None or stats["queries"] % 25 == 0:
            if catalog is not None:
                catalog.close()
            catalog = Catalog.open(root, lock_timeout=0)
            stats["opens"] += 1
        version = catalog.active_model_version()
        if version is None:
            time.sleep(0.2)
            continue
        try:
            store = catalog.vector_store(version)
        except FileNotFoundError:  # nothing saved yet
            time.sleep(0.2)
            continue
        if store.loaded_checksum != seen:
            stats["reloads"] += seen is not None
            seen = store.loaded_checksum
        if len(store):
            store.search(rng.normal(size=store.dim).astype(np.float32), 10)
        stats["queries"] += 1
    except Exception as exc:
        stats["errors"].append(f"{type(exc).__name__}: {exc}"[:300])
        catalog = None
    time.sleep(0.05)
if catalog is not None:
    catalog.close()
out.write_text(json.dumps(stats))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--source", type=Path, default=DEV)
    parser.add_argument("--catalog", type=Path, default=None)
    parser.add_argument("--embedder", default="efficientnet-lite0")
    parser.add_argument("--settings", type=Path, default=None, help="a settings.json to start the catalog with")
    parser.add_argument("--max-wait", type=float, default=25.0, help="longest wait before a kill (s)")
    parser.add_argument("--after-progress", action="store_true",
                        help="count the wait from the run's first newly indexed product, so that on a slow or "
                             "busy machine every kill lands in indexing, not in start-up")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.source.is_dir():
        print(json.dumps({"skipped": f"no source folder at {args.source}"}))
        return 0
    rng = random.Random(args.seed)
    catalog = args.catalog or Path(tempfile.mkdtemp(prefix="crash-")) / "catalog"
    catalog.mkdir(parents=True, exist_ok=True)
    if args.settings:
        (catalog / "settings.json").write_text(args.settings.read_text())
    else:
        sys.path.insert(0, str(ROOT))
        from core.settings import Settings

        settings = Settings()
        settings.models.embedder = args.embedder
        settings.models.detector_enabled = False
        settings.save(catalog / "settings.json")
    env = {**os.environ, "YOLO_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    db_path = catalog / "catalog.sqlite"
    rows, failures = [], []
    stop, reader_out = catalog.parent / "reader.stop", catalog.parent / "reader.json"
    stop.unlink(missing_ok=True)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(catalog), str(stop), str(reader_out)],
                              env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    for n in range(args.kills):
        proc = subprocess.Popen(cli("index", str(args.source), "--catalog", str(catalog), "--json"), env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        wait = rng.uniform(0.0 if args.after_progress else 1.0, args.max_wait)
        before = start = indexed(db_path)
        if args.after_progress:
            while proc.poll() is None and len(before) <= len(start):
                time.sleep(0.05)
                before = indexed(db_path)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            before = indexed(db_path)
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        check = subprocess.run(cli("check", "--catalog", str(catalog), "--json"), env=env, capture_output=True,
                               text=True, cwd=ROOT)
        report = json.loads(check.stdout)
        after = indexed(db_path)
        lost = sorted(before - after)
        # The killed job itself is reported (left running by a dead process): true, and expected here. The
        # catalog is consistent when nothing else is wrong.
        errors = [f for f in report.get("findings", []) if f["severity"] == "error" and not f["repaired"]]
        consistent = not [f for f in errors if f["kind"] != "jobs"]
        row = {"kill": n + 1, "after_s": round(wait, 2), "finished_before_kill": finished,
               "indexed_before": len(before), "indexed_after": len(after), "lost": lost,
               "check_ok": consistent, "dead_job_reported": any(f["kind"] == "jobs" for f in errors),
               "findings": [f["reason"] for f in errors], "recovered": report.get("recovered", {})}
        rows.append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "lost"} | {"lost": len(lost)}), file=sys.stderr,
              flush=True)
        if lost or not consistent:
            failures.append(row)
    final = subprocess.run(cli("index", str(args.source), "--catalog", str(catalog), "--json"), env=env,
                           capture_output=True, text=True, cwd=ROOT)
    stop.touch()
    reader.wait(timeout=120)
    reading = json.loads(reader_out.read_text()) if reader_out.exists() else {"errors": ["reader did not report"]}
    final_report = json.loads(final.stdout)
    check = json.loads(subprocess.run(cli("check", "--catalog", str(catalog), "--json"), env=env,
                                      capture_output=True, text=True, cwd=ROOT).stdout)
    dups = duplicates(db_path)
    summary = {
        "kills": args.kills, "kills_during_work": sum(not r["finished_before_kill"] for r in rows),
        "inconsistent_after_kill": sum(not r["check_ok"] for r in rows),
        "dead_jobs_reported": sum(r["dead_job_reported"] for r in rows),
        "products_lost": sum(len(r["lost"]) for r in rows),
        "final_check_ok": check["ok"], "final_products": check["products"], "final_vectors": check["vectors"],
        "final_errors": len(final_report.get("errors", [])), "duplicates": dups,
        "reader": {"queries": reading.get("queries", 0), "reloads": reading.get("reloads", 0),
                   "opens": reading.get("opens", 0), "errors": len(reading["errors"]),
                   "first_errors": reading["errors"][:3]},
        "ok": not failures and check["ok"] and not any(dups.values()) and check["products"] == check["vectors"]
              and not reading["errors"],
        "catalog": str(catalog), "runs": rows,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=2))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
