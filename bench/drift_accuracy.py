"""Drift detector accuracy: synthetic shifted and unshifted batches; false alarms and detection on real embeddings.

    python bench/drift_accuracy.py --json                              # synthetic vectors
    python bench/drift_accuracy.py --catalog /tmp/devcat --sources DEV/catalog --json     # real: false alarms
    python bench/drift_accuracy.py --catalog /tmp/devcat --sources DEV/catalog --shifts /tmp/drift-work --json

The real mode takes the primary vectors of the catalog's active index and splits them, many times over,
into a reference and a fresh batch of 16, 32 and 64 products: products drawn one by one (`random`), or whole
garments by parent SKU (`group`: every colour of a garment the reference has never seen, as an import
brings them), with the detector inferring garments itself as the app does, or told them. Nothing drifts,
so every alarm is false.

With --shifts, every dev product is also photographed other ways (a warm colour cast, out of focus, JPEG
quality 12, a grey backdrop; and the dev sample's wild/ photos: products pasted into lifestyle scenes),
indexed by the real CLI into a copy of the catalog, and a batch of shifted photos of garments left out of
the reference is tested: every alarm is right (detection power).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.ops.drift import real_benchmark, synthetic_benchmark  # noqa: E402

SHIFTS = ("cast", "blur", "jpeg", "grey_backdrop", "lifestyle")


def shifted_photo(img: Image.Image, kind: str) -> Image.Image:
    """The same photo taken another way: a warm colour cast (tungsten light, no white balance), out of focus,
    heavily compressed, or on a grey backdrop instead of the studio white."""
    img = img.convert("RGB")
    if kind == "cast":
        x = np.asarray(img, np.float32) * np.array([1.12, 1.0, 0.78], np.float32)
        return Image.fromarray(np.clip(x, 0, 255).astype(np.uint8))
    if kind == "blur":
        return img.filter(ImageFilter.GaussianBlur(radius=max(img.size) / 200))
    if kind == "jpeg":
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=12)
        return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    if kind == "grey_backdrop":
        from core.pipeline.colors import _background_mask, srgb_to_lab

        x = np.asarray(img, np.uint8).copy()
        mask = _background_mask(srgb_to_lab(x).reshape(-1, 3), x.shape[:2]).reshape(x.shape[:2])
        x[mask] = (150, 150, 150)
        return Image.fromarray(x)
    raise ValueError(kind)


def plant_shifts(dev: Path, out: Path) -> None:
    """One product folder per (shift, dev product): every photo of the product taken that other way; for
    `lifestyle`, the dev sample's in-scene photos (wild/: products pasted into lifestyle banner photos)."""
    parents = {}
    for meta in sorted((dev / "catalog").glob("*/product.json")):
        m = json.loads(meta.read_text())
        parents[meta.parent.name] = m.get("parent_sku") or m["sku"]
        for kind in SHIFTS[:-1]:
            dest = out / kind / meta.parent.name
            dest.mkdir(parents=True, exist_ok=True)
            for photo in sorted(meta.parent.glob("*.jpg")):
                shifted_photo(Image.open(photo), kind).save(dest / photo.name, quality=90)
            (dest / "product.json").write_text(json.dumps({"sku": f"{kind}-{m['sku']}", "title": m.get("title", ""),
                                                           "parent_sku": m.get("parent_sku") or m["sku"]}))
    for line in (dev / "wild" / "queries.jsonl").read_text().splitlines():
        q = json.loads(line)
        slug = q["relevant"][0]
        dest = out / "lifestyle" / Path(q["query"]).stem
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(dev / "wild" / q["query"], dest / "main.jpg")
        (dest / "product.json").write_text(json.dumps({"sku": f"lifestyle-{Path(q['query']).stem}",
                                                       "parent_sku": parents.get(slug, slug)}))


def catalog_vectors(root: Path, sources: Path | None = None):
    """(vectors, garment per vector or None, sku per vector) of the catalog's active index.

    A garment is the product's parent SKU in its product.json under `sources`; a shifted copy
    (`<shift>-<sku>`, or `lifestyle-<folder>__<view>__wild`) belongs to its original's garment.
    """
    from core.catalog import db
    from core.catalog.catalog import Catalog

    catalog = Catalog.open(root)
    try:
        store = catalog.vector_store(catalog.active_model_version())
        keys, vectors = store.get(sorted(store.keys().tolist()))
        skus = dict(db.Product.select(db.Product.id, db.Product.sku).tuples())
    finally:
        catalog.close()
    names = [skus.get(pid, "").lower() for pid in keys.tolist()]
    if sources is None:
        return vectors, None, names
    parent_of = {}
    for meta in sources.glob("*/product.json"):
        m = json.loads(meta.read_text())
        parent_of[m["sku"].lower()] = parent_of[meta.parent.name.lower()] = m.get("parent_sku") or m["sku"]
    groups = []
    for name in names:
        kind = next((k for k in SHIFTS if name.startswith(f"{k}-")), None)
        original = name[len(kind) + 1:].split("__")[0] if kind else name
        groups.append(parent_of.get(original, original))
    return vectors, groups, names


def shifted_catalog(catalog: Path, dev: Path, work: Path) -> Path:
    """A copy of the indexed dev catalog with every shifted product indexed by the real CLI."""
    cat = work / "cat"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(catalog, cat)
    plant_shifts(dev, work / "shifts")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for kind in SHIFTS:
        done = subprocess.run([sys.executable, "-m", "app.cli", "index", str(work / "shifts" / kind), "--catalog",
                               str(cat), "--json"], capture_output=True, text=True, env=env, cwd=ROOT, check=False)
        if done.returncode:
            raise SystemExit(f"indexing the {kind} photos failed: {done.stderr[-2000:]}")
    return cat


def real_rows(vectors, groups, names, trials: int, power_trials: int, tell: bool = False) -> list[dict]:
    """False alarms (random and whole-garment batches of unshifted products) and detection per shift."""
    names = np.asarray(names)
    shifted = np.array([any(n.startswith(f"{k}-") for k in SHIFTS) for n in names])
    x, g = vectors[~shifted], [groups[i] for i in np.flatnonzero(~shifted)] if groups else None
    rows = []
    splits = [(None, False)] + ([(g, False)] + ([(g, True)] if tell else []) if g else [])  # (garments, told)
    for keys, told in splits:
        for batch in (16, 32, 64):
            started = time.perf_counter()
            report = real_benchmark(x, keys, batch=batch, trials=trials, seed=batch, tell_groups=told)
            rows.append({**report, "seconds": round(time.perf_counter() - started, 2)})
    for kind in SHIFTS:
        mine = np.flatnonzero(np.char.startswith(names, f"{kind}-"))
        if not len(mine) or not g:
            continue
        for batch in (16, 32, 64):
            if batch > len(mine) // 2:  # the garments left out would leave too small a reference
                continue
            started = time.perf_counter()
            report = real_benchmark(x, g, batch=batch, trials=power_trials, seed=batch,
                                    shifted=(vectors[mine], [groups[i] for i in mine]))
            rows.append({**report, "shift": kind, "seconds": round(time.perf_counter() - started, 2)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--trials", type=int, default=400)
    parser.add_argument("--power-trials", type=int, default=50)
    parser.add_argument("--catalog", type=Path, default=None, help="an indexed catalog: real-embedding mode")
    parser.add_argument("--sources", type=Path, default=None,
                        help="the product folders it was imported from (parent_sku in product.json)")
    parser.add_argument("--shifts", type=Path, default=None, metavar="WORK",
                        help="also plant the dev products photographed other ways (needs --sources = the dev "
                             "catalog/ folder), index them into a copy of --catalog under WORK, and report detection")
    parser.add_argument("--reuse", action="store_true", help="keep WORK's shifted catalog from an earlier run")
    parser.add_argument("--tell-garments", action="store_true",
                        help="also run whole-garment batches with the detector told the garments (parent SKUs)")
    args = parser.parse_args()
    rows = []
    if args.catalog:
        catalog = args.catalog
        if args.shifts:
            catalog = args.shifts / "cat"
            if not (args.reuse and catalog.exists()):
                catalog = shifted_catalog(args.catalog, args.sources.parent, args.shifts)
        vectors, groups, names = catalog_vectors(catalog, args.sources)
        rows = real_rows(vectors, groups, names, args.trials, args.power_trials, args.tell_garments)
        if args.json:
            print(json.dumps({"real": rows, "vectors": len(vectors)}, indent=2))
        else:
            for r in rows:
                what = f"shift {r['shift']}" if "shift" in r else (
                    f"{r['split']}{' (garments told)' if r['groups_told'] else ''}")
                print(f"real {what:24} batch {r['batch_size']:3d}: alarms {r['alarm_rate']:.3f} over "
                      f"{r['trials']} trials ({'detection' if 'shift' in r else 'false alarms'})")
        return
    for dim, batch in ((128, 64), (512, 64), (128, 32), (128, 128)):
        started = time.perf_counter()
        report = synthetic_benchmark(dim=dim, batch=batch, trials=args.trials, seed=dim + batch)
        report["seconds"] = round(time.perf_counter() - started, 2)
        rows.append(report)
    if args.json:
        print(json.dumps({"runs": rows}, indent=2))
    else:
        for r in rows:
            print(f"dim {r['dim']:4d} batch {r['batch_size']:4d}: accuracy {r['accuracy']:.3f}, "
                  f"false alarms {r['false_alarm_rate']:.3f}, detection {r['detection_rate']:.3f}")


if __name__ == "__main__":
    main()
