"""Drift detector accuracy: synthetic shifted and unshifted batches, and false alarms on real embeddings.

    python bench/drift_accuracy.py --json                              # synthetic vectors
    python bench/drift_accuracy.py --catalog /tmp/devcat --json       # real: an indexed catalog's vectors

The real mode takes the primary vectors of the catalog's active index and splits them, many times over,
into a reference and a fresh batch of 16, 32 and 64 products (by parent SKU when product.json files name
one, so a batch brings whole garments, as an import does). Nothing drifts, so every alarm is false.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.ops.drift import real_benchmark, synthetic_benchmark  # noqa: E402


def catalog_vectors(root: Path, sources: Path | None = None):
    """(vectors, parent sku per vector or None) of the catalog's active index."""
    from core.catalog import db
    from core.catalog.catalog import Catalog

    catalog = Catalog.open(root)
    try:
        store = catalog.vector_store(catalog.active_model_version())
        keys, vectors = store.get(sorted(store.keys().tolist()))
        folders = dict(db.Product.select(db.Product.id, db.Product.source_folder).tuples())
    finally:
        catalog.close()
    groups = None
    if sources is not None:
        groups = []
        for pid in keys.tolist():
            folder = folders.get(pid, "")
            meta = sources / folder / "product.json"
            if not meta.is_file():  # source_folder is relative to the dropped folder's parent
                meta = sources / Path(folder).name / "product.json"
            parent = json.loads(meta.read_text()).get("parent_sku") if meta.is_file() else None
            groups.append(parent or f"product-{pid}")
    return vectors, groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--trials", type=int, default=400)
    parser.add_argument("--catalog", type=Path, default=None, help="an indexed catalog: real-embedding mode")
    parser.add_argument("--sources", type=Path, default=None,
                        help="the product folders it was imported from (parent_sku in product.json)")
    args = parser.parse_args()
    rows = []
    if args.catalog:
        vectors, groups = catalog_vectors(args.catalog, args.sources)
        for split in (["random", "group"] if groups else ["random"]):
            for batch in (16, 32, 64):
                started = time.perf_counter()
                report = real_benchmark(vectors, groups if split == "group" else None, batch=batch,
                                        trials=args.trials, seed=batch)
                report["seconds"] = round(time.perf_counter() - started, 2)
                rows.append(report)
        if args.json:
            print(json.dumps({"real": rows, "vectors": len(vectors)}, indent=2))
        else:
            for r in rows:
                print(f"real {r['split']:6} batch {r['batch_size']:3d} (reference {r['reference_size']}): "
                      f"false alarms {r['false_alarm_rate']:.3f} over {r['trials']} trials")
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
