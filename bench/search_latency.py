"""Search latency bench: the USearch store at several sizes against exact numpy search, and end-to-end queries.

    python bench/search_latency.py --sizes 10000,100000,1000000 --json

Vectors are synthetic, f16, unit length and CLUSTERED (points around a few thousand centres, like
embeddings of product families); uniform noise on the sphere has no neighbourhood structure, which
makes HNSW look worse than on real embeddings. Queries are fresh points from the same clusters.

Per size: build_s, memory_mb (USearch's own count), p50/p95/p99 of a k=10 query without a filter,
with a 10% filter (HNSW with oversampling) and a 1% filter (exact over the subset), recall@10 of
the ANN against exact search, and the exact numpy brute force for the same queries (the ratio says
how much the index buys).

End to end (--e2e-products > 0): a real catalog folder (SQLite rows, crops, embedding cache, USearch
file) queried through core.search.search with re-ranking, using open_clip ViT-B-32 with randomly
initialised weights (the architecture, hence the cost, of the default model; no download needed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.vectors import VectorStore  # noqa: E402


def clustered(n: int, dim: int, rng: np.random.Generator, centres: np.ndarray, spread: float) -> np.ndarray:
    out = np.empty((n, dim), dtype=np.float16)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        which = rng.integers(0, len(centres), m)
        x = centres[which] + spread * rng.standard_normal((m, dim)).astype(np.float32)
        out[start:start + m] = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float16)
    return out


def pct(values: list[float]) -> dict[str, float]:
    a = np.asarray(values) * 1000.0
    return {"p50_ms": round(float(np.percentile(a, 50)), 3), "p95_ms": round(float(np.percentile(a, 95)), 3),
            "p99_ms": round(float(np.percentile(a, 99)), 3)}


def exact_topk(data: np.ndarray, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> tuple[np.ndarray, list[float]]:
    """Exact top-k by numpy, timing each query on its own (the brute-force baseline)."""
    keys = np.arange(len(data)) if allowed is None else allowed
    sub = data if allowed is None else data[allowed]
    sub32 = sub.astype(np.float32)
    out = np.empty((len(queries), k), dtype=np.int64)
    times = []
    for i, q in enumerate(queries):
        t = time.perf_counter()
        sims = sub32 @ q
        top = np.argpartition(-sims, k)[:k]
        top = top[np.argsort(-sims[top])]
        times.append(time.perf_counter() - t)
        out[i] = keys[top]
    return out, times


def bench_size(n: int, dim: int, n_queries: int, args, rng: np.random.Generator) -> dict:
    centres = rng.standard_normal((max(n // 200, 50), dim)).astype(np.float32)
    data = clustered(n, dim, rng, centres, args.spread)
    queries = clustered(n_queries, dim, rng, centres, args.spread).astype(np.float32)
    folder = Path(tempfile.mkdtemp(prefix="bench-search-"))
    store = VectorStore(folder, f"bench-{dim}", dim, connectivity=args.connectivity,
                        expansion_add=args.expansion_add, expansion_search=args.expansion_search or None)
    t = time.perf_counter()
    for start in range(0, n, 50_000):
        store.add(range(start, min(n, start + 50_000)), data[start:start + 50_000])
    build_s = time.perf_counter() - t
    k = 10
    result = {"n": n, "dim": dim, "build_s": round(build_s, 2), "memory_mb": round(store.memory_bytes() / 1e6, 1),
              "connectivity": args.connectivity, "expansion_search": store._index.expansion_search}

    store.search(queries[0], k)  # warm
    ann, times = [], []
    for q in queries:
        t0 = time.perf_counter()
        hits = store.search(q, k)
        times.append(time.perf_counter() - t0)
        ann.append(hits.keys)
    result["unfiltered"] = pct(times)
    truth, brute_times = exact_topk(data, queries, k)
    result["recall_at_10"] = round(float(np.mean([len(set(a.tolist()) & set(b.tolist())) / k
                                                  for a, b in zip(ann, truth, strict=True)])), 4)
    result["brute_force"] = pct(brute_times)
    result["speedup_p50"] = round(result["brute_force"]["p50_ms"] / max(result["unfiltered"]["p50_ms"], 1e-6), 1)

    # Recall and latency against the search expansion (ef), on the same graph and queries.
    default_ef = store._index.expansion_search
    sweep = {}
    for ef in [int(v) for v in args.ef_sweep.split(",") if v]:
        store._index.expansion_search = ef
        sweep_times, sweep_hits = [], []
        for q in queries:
            t0 = time.perf_counter()
            sweep_hits.append(store.search(q, k).keys)
            sweep_times.append(time.perf_counter() - t0)
        sweep[str(ef)] = {**pct(sweep_times), "recall_at_10": round(float(np.mean(
            [len(set(a.tolist()) & set(b.tolist())) / k for a, b in zip(sweep_hits, truth, strict=True)])), 4)}
    store._index.expansion_search = default_ef
    if sweep:
        result["ef_sweep"] = sweep

    for name, share in (("filtered_10pct", 0.10), ("filtered_1pct", 0.01)):
        allowed = np.sort(rng.choice(n, size=max(k, int(n * share)), replace=False))
        f_times, f_hits = [], []
        for q in queries[: args.filtered_queries]:
            t0 = time.perf_counter()
            hits = store.search(q, k, allowed=allowed)
            f_times.append(time.perf_counter() - t0)
            f_hits.append(hits)
        f_truth, _ = exact_topk(data, queries[: args.filtered_queries], k, allowed)
        result[name] = {**pct(f_times), "allowed": int(len(allowed)), "exact": bool(f_hits[0].exact),
                        "recall_at_10": round(float(np.mean([len(set(h.keys.tolist()) & set(t.tolist())) / k
                                                             for h, t in zip(f_hits, f_truth, strict=True)])), 4)}
    del data
    store.delete_files()
    return result


def bench_end_to_end(n: int, dim_hint: int, n_queries: int, rng: np.random.Generator, device: str = "cpu",
                     cpu_accel: str = "auto") -> dict:
    """Text and image queries through core.search on a real catalog folder."""
    import open_clip
    import torch

    from core.catalog import db
    from core.catalog.catalog import Catalog
    from core.models.registry import ModelRegistry
    from core.search import SearchRequest, search
    from core.settings import ModelSettings

    root = Path(tempfile.mkdtemp(prefix="bench-e2e-"))  # threads: the registry applies the threading policy
    weights = root / "vit-b-32-random.pt"
    torch.manual_seed(0)  # the same random weights every run: whether int8 passes its fidelity check depends on them
    torch.save(open_clip.create_model("ViT-B-32", pretrained=None).state_dict(), weights)
    registry = ModelRegistry(ModelSettings(embedder="open_clip", clip_model="ViT-B-32",
                                           clip_checkpoint=str(weights), clip_pretrained="random-init",
                                           detector_enabled=False, device=device, allow_download=False,
                                           cpu_accel=cpu_accel),
                             cache_dir=root / "models")
    embedder = registry.embedder()
    catalog = Catalog.open(root / "catalog")
    spec_version = "bench"
    catalog.register_index(embedder.model_version, dim=embedder.dim, embedder=embedder.name,
                           preprocess_version=spec_version)
    store = catalog.vector_store(embedder.model_version, embedder.dim)
    cache = catalog.embedding_cache()
    centres = rng.standard_normal((max(n // 200, 20), embedder.dim)).astype(np.float32)
    vectors = clustered(n * 2, embedder.dim, rng, centres, 0.35).astype(np.float32)
    categories = ["Gear/Bags", "Gear/Watches", "Men/Tops", "Women/Bottoms"]
    with db.database.atomic():
        db.Product.insert_many([{"sku": f"SKU{i:07d}", "title": f"Product {i}", "category": categories[i % 4],
                                 "attributes": {"color": ["Blue", "Red", "Black"][i % 3]},
                                 "status": "indexed", "price": float(i % 200)} for i in range(n)]).execute()
        ids = [r[0] for r in db.Product.select(db.Product.id).order_by(db.Product.id).tuples()]
        db.ImageFile.insert_many([{"product": pid, "sha256": f"{pid:064x}"} for pid in ids]).execute()
        images = [r[0] for r in db.ImageFile.select(db.ImageFile.id).order_by(db.ImageFile.id).tuples()]
        crops = []
        for image in images:
            crops.append({"image": image, "x0": 0, "y0": 0, "x1": 100, "y1": 100, "is_primary": True})
            crops.append({"image": image, "x0": 10, "y0": 10, "x1": 90, "y1": 90, "is_primary": False})
        for chunk in db.chunked(crops, 5000):
            db.Crop.insert_many(chunk).execute()
    cache.put_many([((f"{pid:064x}", (0, 0, 100, 100)), vectors[2 * i]) for i, pid in enumerate(ids)]
                   + [((f"{pid:064x}", (10, 10, 90, 90)), vectors[2 * i + 1]) for i, pid in enumerate(ids)],
                   embedder.model_version, spec_version)
    store.add(ids, vectors[0::2])
    words = ["blue", "leather", "backpack", "watch", "running", "jacket", "shorts", "travel", "yoga", "bag"]
    combos = [(a, b, c) for a in words for b in words for c in words if len({a, b, c}) == 3]
    # Distinct texts: a repeated one would be answered by the query cache and flatter the figure.
    texts = [" ".join(combos[i]) for i in rng.permutation(len(combos))[:n_queries + 2]]
    images = [rng.integers(0, 255, (480, 640, 3), dtype=np.uint8) for _ in range(max(5, n_queries // 4) + 2)]
    search(catalog, registry, SearchRequest(text=texts.pop(), k=10))  # warm-up: pages, sessions
    search(catalog, registry, SearchRequest(image=images.pop(), k=10))
    text_times, image_times, filtered_times = [], [], []
    text_stages, image_stages = [], []
    text_cpu, image_cpu = [], []
    for text in texts[:n_queries]:
        c0 = time.process_time()
        response = search(catalog, registry, SearchRequest(text=text, k=10))
        text_cpu.append(time.process_time() - c0)
        text_times.append(response.seconds)
        text_stages.append(getattr(response, "timings", {}))  # absent in code before issue 13e
    for text in texts[: n_queries // 2]:  # encoded already: filters and rows, not the model
        filtered_times.append(search(catalog, registry, SearchRequest(
            text=text, k=10, filters=["category=Gear", "color=blue"])).seconds)
    for image in images:
        c0 = time.process_time()
        response = search(catalog, registry, SearchRequest(image=image, k=10))
        image_cpu.append(time.process_time() - c0)
        image_times.append(response.seconds)
        image_stages.append(getattr(response, "timings", {}))
    # The same-run baseline: the model call alone (no cache, no search), for the same number of queries.
    text_encode, image_encode = [], []
    fresh = [f"{t} again" for t in texts[:n_queries]]
    for text in fresh:
        t0 = time.perf_counter()
        embedder.embed_texts([text])
        text_encode.append(time.perf_counter() - t0)
    from core.pipeline.crops import spec_for
    from core.pipeline.preprocess import preprocess

    spec = spec_for(embedder, catalog.settings.preprocess.expand_ratio)
    for image in images:
        t0 = time.perf_counter()
        embedder.embed_images(preprocess(image, (0, 0, 640, 480), spec).tensor[None].astype(np.float32))
        image_encode.append(time.perf_counter() - t0)
    catalog.close()
    text_p95, image_p95 = pct(text_times)["p95_ms"], pct(image_times)["p95_ms"]
    text_base, image_base = pct(text_encode)["p95_ms"], pct(image_encode)["p95_ms"]
    return {"products": n, "model": f"open_clip ViT-B-32 (random init), detector off, {embedder.device}",
            "dim": embedder.dim, "accel": _accel(embedder),
            "text_query": pct(text_times), "text_query_filtered": pct(filtered_times),
            "image_query": pct(image_times), "text_query_p95_ms": text_p95, "image_query_p95_ms": image_p95,
            # CPU time of this process per query: what a quiet machine's wall clock shows when the compute
            # threads (the threading policy) match the cores; on a shared machine the wall clock also waits.
            "text_query_cpu": pct(text_cpu), "image_query_cpu": pct(image_cpu),
            "text_query_cpu_p95_ms": pct(text_cpu)["p95_ms"], "image_query_cpu_p95_ms": pct(image_cpu)["p95_ms"],
            "text_stages_ms": stage_percentiles(text_stages), "image_stages_ms": stage_percentiles(image_stages),
            "baseline_text_encode_alone": pct(text_encode), "baseline_image_encode_alone": pct(image_encode),
            "text_query_p95_over_encode_p95": round(text_p95 / text_base, 2) if text_base else None,
            "image_query_p95_over_encode_p95": round(image_p95 / image_base, 2) if image_base else None,
            "threads": torch.get_num_threads()}


def stage_percentiles(rows: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """p50/p95 per stage of core.search's own timings (SearchResponse.timings, in ms)."""
    stages = sorted({k for r in rows for k in r})
    return {k: {"p50": round(float(np.percentile([r.get(k, 0.0) for r in rows], 50)), 2),
                "p95": round(float(np.percentile([r.get(k, 0.0) for r in rows], 95)), 2)} for k in stages}


def _accel(embedder) -> dict[str, str]:
    """What runs each tower on CPU, and why a faster mode was not kept (random weights quantise worse)."""
    visual = getattr(embedder, "_visual", None)
    return {"image": getattr(embedder, "accel", "fp32"), "image_reason": getattr(visual, "reason", ""),
            "text": getattr(embedder, "text_accel", "fp32")}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,100000")
    p.add_argument("--dim", type=int, default=512)
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--filtered-queries", type=int, default=100)
    p.add_argument("--connectivity", type=int, default=16)
    p.add_argument("--expansion-add", type=int, default=128)
    p.add_argument("--expansion-search", type=int, default=0, help="0: the store's own choice by size")
    p.add_argument("--ef-sweep", default="", help="comma-separated expansion_search values to measure too")
    p.add_argument("--spread", type=float, default=0.6, help="noise around the cluster centres (per dim)")
    p.add_argument("--e2e-products", type=int, default=10000, help="0 skips the end-to-end part")
    p.add_argument("--e2e-queries", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    out = {"cpu_count": os.cpu_count(), "sizes": []}
    for size in (int(s) for s in args.sizes.split(",") if s):
        r = bench_size(size, args.dim, args.queries, args, rng)
        out["sizes"].append(r)
        if not args.json:
            print(json.dumps(r), flush=True)
    if args.e2e_products > 0:
        out["end_to_end"] = bench_end_to_end(args.e2e_products, args.dim, args.e2e_queries, rng)
        out["text_query_p95_ms"] = out["end_to_end"]["text_query_p95_ms"]
        out["image_query_p95_ms"] = out["end_to_end"]["image_query_p95_ms"]
    out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out, indent=2 if args.json else None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
