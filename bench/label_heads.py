"""Label heads against the labels the app gives without them, on the dev sample's real photos and attributes.

    python bench/label_heads.py --json

Indexes ../shared/data/magento-dev/catalog with the offline EfficientNet-Lite0 embedder (real ImageNet
weights; no detector), then treats each product's catalog attributes as curator-confirmed labels:
- colours: the `color` attribute (209 of 229 products). Baseline: the colour the app labels from pixels
  (`core/pipeline/colors.py`, the top "colours" label) and the majority class.
- categories: the first two levels of `category` (e.g. "Men/Tops"). Baseline: the majority class. CLIP
  zero-shot needs CLIP weights, which cannot be downloaded here; with them, pass --settings to a catalog
  whose models use open_clip and the zero-shot label becomes a third column.
Accuracy is k-fold (default 5) over products with `core.ops.label_heads.SoftmaxHead`, the class the app
trains; every product is predicted once by a head that never saw it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "magento-dev" / "catalog"


def build_catalog(folder: Path, data: Path, embedder: str):
    from core.catalog.catalog import Catalog
    from core.jobs import run_index_job
    from core.models.registry import ModelRegistry

    catalog = Catalog.open(folder)
    catalog.settings.models.embedder = embedder
    catalog.settings.models.detector_enabled = False
    catalog.settings.models.allow_download = False
    registry = ModelRegistry(catalog.settings.models)
    started = time.perf_counter()
    result = run_index_job(catalog, registry, sorted(p for p in data.iterdir() if p.is_dir()))
    return catalog, registry, time.perf_counter() - started, result


def kfold_predictions(x: np.ndarray, y: list[str], folds: int, seed: int = 0) -> list[str]:
    from core.ops.label_heads import SoftmaxHead

    classes = sorted(set(y))
    target = np.array([classes.index(v) for v in y])
    order = np.random.default_rng(seed).permutation(len(y))
    out: list[str | None] = [None] * len(y)
    for fold in range(folds):
        test = order[fold::folds]
        train = np.setdiff1d(order, test)
        head = SoftmaxHead(classes, x.shape[1]).fit(x[train], target[train])
        for i, p in zip(test, head.predict(x[test]), strict=True):
            out[i] = p
    return out  # type: ignore[return-value]


def accuracy(pred: list[str | None], truth: list[str]) -> float:
    return round(float(np.mean([p == t for p, t in zip(pred, truth, strict=True)])), 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--catalog", type=Path, default=ROOT / "bench" / "out" / "label-heads-catalog")
    parser.add_argument("--embedder", default="efficientnet-lite0")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"no dev sample at {args.data}", file=sys.stderr)
        return 2

    from core.catalog import db
    from core.pipeline.crops import spec_for
    from core.pipeline.embed_cache import primary_of, product_crop_vectors

    catalog, registry, index_s, job = build_catalog(args.catalog, args.data, args.embedder)
    embedder = registry.embedder()
    spec = spec_for(embedder, catalog.settings.preprocess.expand_ratio)
    products = list(db.Product.select().order_by(db.Product.id))
    crops = product_crop_vectors(catalog.embedding_cache(), [p.id for p in products], embedder.model_version,
                                 spec.version)
    pixel_colour: dict[int, str] = {}
    zero_shot_colour: dict[int, str] = {}  # only with a CLIP embedder
    for label in (db.Label.select().where(db.Label.vocabulary == "colours").order_by(db.Label.score.desc())):
        {"pixels": pixel_colour, "zero-shot": zero_shot_colour}.get(label.source, {}).setdefault(
            label.product_id, label.value)

    report = {"embedder": embedder.model_version, "products": len(products), "index_seconds": round(index_s, 1),
              "folds": args.folds, "vocabularies": {}}
    tasks = {
        "colours": lambda p: (p.attributes or {}).get("color"),
        "categories": lambda p: "/".join(p.category.split("/")[:2]) or None,
    }
    for vocab, truth_of in tasks.items():
        rows = [(p, truth_of(p)) for p in products]
        rows = [(p, t.lower()) for p, t in rows if t and crops.get(p.id)]
        x = np.stack([primary_of(crops[p.id]).vector for p, _ in rows])
        truth = [t for _, t in rows]
        majority, count = Counter(truth).most_common(1)[0]
        entry = {"examples": len(truth), "classes": len(set(truth)),
                 "head_accuracy": accuracy(kfold_predictions(x, truth, args.folds), truth),
                 "majority_class": majority, "majority_accuracy": round(count / len(truth), 3),
                 "zero_shot_accuracy": None}
        if vocab == "colours":
            entry["pixel_label_accuracy"] = accuracy([pixel_colour.get(p.id) for p, _ in rows], truth)
            if zero_shot_colour:
                entry["zero_shot_accuracy"] = accuracy([zero_shot_colour.get(p.id) for p, _ in rows], truth)
        bar = entry["zero_shot_accuracy"] if entry["zero_shot_accuracy"] is not None else entry.get("pixel_label_accuracy")
        entry["app_uses_head"] = bar is None or entry["head_accuracy"] > bar  # the app's rule (label_heads.train_head)
        report["vocabularies"][vocab] = entry
    registry.close()
    catalog.close()
    print(json.dumps(report, indent=2 if args.json else None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
