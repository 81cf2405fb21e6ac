"""The catalog-trained adapter (core.ops.adapt): its effect on a queries file, and its training time at scale.

    # dev: trains on a copy of the catalog (the original is left alone), then evaluates both versions
    .venv/bin/python bench/adapter.py --catalog /tmp/devcat --queries ../shared/data/magento-dev/queries.jsonl
    # training time on N synthetic products (no catalog), against embedding their photos in the same run
    .venv/bin/python bench/adapter.py --synthetic 10000

Dev: the garments of the queries file's held-out quarter (core.search.fusion.in_holdout) are never trained on,
nor is any query photo (by sha256; the script also checks that no query photo is a near-copy of a catalog crop).
Every row is reported on all queries, on the tuning split (products trained on, query photos never seen) and on
the held-out quarter (products never trained on).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHOWN = ("recall@1", "recall@10", "mrr", "ndcg@10", "same_garment_other_colour@1")


def dev(args) -> dict:
    from core.catalog import db
    from core.catalog.catalog import Catalog
    from core.models.registry import ModelRegistry
    from core.ops.adapt import AdapterParams, adapt, load_views
    from core.search import fusion
    from core.search.encode import encode_image
    from core.search.evaluate import evaluate, read_queries

    work = Path(tempfile.mkdtemp(prefix="adapter-bench-"))
    shutil.copytree(args.catalog, work / "catalog")
    out: dict = {"rows": []}
    try:
        with Catalog.open(work / "catalog") as catalog:
            base = catalog.active_model_version()
            params = AdapterParams(epochs=args.epochs or AdapterParams.epochs)
            report = adapt(catalog, params=params, queries=args.queries)
            out["adapt"] = {k: v for k, v in report.items() if k != "choice"}
            out["leakage"] = leakage(catalog, args.queries, base, read_queries, encode_image, load_views, db,
                                     ModelRegistry)
            splits = {"all": None,
                      "tuning": lambda item: "query" in item and not fusion.in_holdout(item),
                      "held-out": lambda item: "query" in item and fusion.in_holdout(item)}
            for version, label in ((base, "base"), (report["model_version"], "adapter")):
                if version is None:
                    continue
                registry = ModelRegistry(catalog.model_settings_for(version))
                encoded: dict = {}
                try:
                    for step, opts in (("embedding only (--no-rerank)", {"rerank": False}),
                                       ("pipeline: every crop + colour (recorded weight)", {})):
                        row = {"version": label, "model_version": version, "step": step}
                        for split, only in splits.items():
                            r = evaluate(catalog, registry, args.queries, only=only, encoded=encoded, **opts)
                            row[split] = {"queries": r["queries"], "metrics": r["metrics"], "ci95": r["ci95"]}
                        out["rows"].append(row)
                        print(f"done: {label} {step}", file=sys.stderr, flush=True)
                finally:
                    registry.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def leakage(catalog, queries, base, read_queries, encode_image, load_views, db, ModelRegistry) -> dict:  # noqa: N803
    """Query photos in the catalog by sha256, and the nearest catalog crop of each query photo's own product."""
    info = db.VectorIndexInfo.get(db.VectorIndexInfo.model_version == base)
    views = load_views(catalog, base, info.preprocess_version)
    shas = set(views.shas)
    items = [i for i in read_queries(queries) if "query" in i]
    same_file = sum(hashlib.sha256((Path(queries).parent / i["query"]).read_bytes()).hexdigest() in shas
                    for i in items)
    registry = ModelRegistry(catalog.model_settings_for(base))
    nearest = []
    try:
        x = views.vectors / np.linalg.norm(views.vectors, axis=1, keepdims=True)
        for item in items:
            q = encode_image(registry, catalog.settings, Path(queries).parent / item["query"]).vector
            nearest.append(float((x @ q).max()))
    finally:
        registry.close()
    return {"query_photos_in_catalog": int(same_file), "max_cosine_to_any_catalog_crop": round(max(nearest), 4),
            "queries_above_0.98": int(sum(n > 0.98 for n in nearest))}


def synthetic(n: int, dim: int = 1280, seed: int = 0) -> dict:
    """N products with 1-4 views each (about 40 % with two or more), clustered like real embeddings."""
    from core.models.embedders import EfficientNetLiteEmbedder
    from core.ops.adapt import VALIDATION_SIXTEENTHS, AdapterParams, Views, _hash_share, fit, view_retrieval

    rng = np.random.default_rng(seed)
    common = rng.normal(size=dim)  # real features share a large common direction (random pairs at cosine ~0.8)
    centres = common + 0.6 * rng.normal(size=(n, dim))
    counts = rng.choice([1, 2, 3, 4], size=n, p=[0.6, 0.2, 0.12, 0.08])
    owner = np.repeat(np.arange(n), counts)
    vectors = (centres[owner] + 1.0 * rng.normal(size=(len(owner), dim))).astype(np.float32)
    views = Views(vectors, owner, np.arange(len(owner)), np.arange(len(owner)), np.zeros(len(owner), bool),
                  np.zeros(len(owner), bool), [str(i) for i in range(len(owner))])
    held = set(np.flatnonzero(rng.random(n) < 0.25).tolist())
    train = set(range(n)) - held
    val = {p for p in train if _hash_share(str(p), VALIDATION_SIXTEENTHS, "adapter-validation")}
    params = AdapterParams()
    # As the job does it: choose the epoch count on a validation share, then refit on every training product.
    started, cpu = time.perf_counter(), time.process_time()
    _, choice = fit(views, train - val, params, validate=val, base_model_version="synthetic")
    adapter, fitted = fit(views, train, params, epochs=max(1, choice["best_epoch"]), base_model_version="synthetic")
    train_s, train_cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    adapter.apply(vectors)
    apply_s = time.perf_counter() - started
    before = view_retrieval(views, held, lambda a: a)
    after = view_retrieval(views, held, adapter.apply)
    # Baseline in the same run: embedding the same number of crops with the offline embedder (what training
    # from the cache avoids), measured on 32 crops and scaled.
    embedder = EfficientNetLiteEmbedder(device="cpu")
    batch = rng.normal(size=(32, 3, embedder.input_size, embedder.input_size)).astype(np.float32)
    embedder.embed_images(batch[:4])
    started = time.perf_counter()
    embedder.embed_images(batch)
    embed_s = (time.perf_counter() - started) / 32 * len(owner)
    embedder.close()
    return {"products": n, "crops": int(len(owner)), "multi_view_products": int((counts > 1).sum()),
            "epochs_chosen": choice["best_epoch"], "steps": fitted["steps"], "train_seconds": round(train_s, 2),
            "train_cpu_seconds": round(train_cpu, 2),
            "apply_seconds_all_crops": round(apply_s, 3), "embed_all_crops_seconds_estimated": round(embed_s, 1),
            "train_over_embed": round(train_s / embed_s, 4),
            "held_back_views": {"before": before, "after": after}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--catalog", type=Path)
    parser.add_argument("--queries", type=Path)
    parser.add_argument("--synthetic", type=int, default=0, metavar="N")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.synthetic:
        out = {"synthetic": synthetic(args.synthetic)}
    elif args.catalog and args.queries:
        out = dev(args)
    else:
        parser.error("give --catalog and --queries, or --synthetic N")
    out["load"] = [round(v, 2) for v in os.getloadavg()]
    if args.json:
        print(json.dumps(out, indent=2, default=str))
        return 0
    if "synthetic" in out:
        s = out["synthetic"]
        print(f"{s['products']} products, {s['crops']} crops: trained in {s['train_seconds']} s wall, {s['train_cpu_seconds']} s CPU ({s['steps']} steps); "
              f"embedding those crops ~{s['embed_all_crops_seconds_estimated']} s -> ratio {s['train_over_embed']}; "
              f"held-back views MRR {s['held_back_views']['before']['mrr']} -> {s['held_back_views']['after']['mrr']}")
    else:
        print(json.dumps({k: out[k] for k in ("adapt", "leakage")}, indent=1, default=str))
        print("| version | step | split | queries | " + " | ".join(SHOWN) + " |")
        for row in out["rows"]:
            for split in ("all", "tuning", "held-out"):
                m, ci = row[split]["metrics"], row[split]["ci95"]
                cells = [f"{m[k]:.3f} [{ci[k][0]:.2f}, {ci[k][1]:.2f}]" for k in SHOWN]
                print(f"| {row['version']} | {row['step']} | {split} | {row[split]['queries']} | " + " | ".join(cells))
    print(f"load average {out['load']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
