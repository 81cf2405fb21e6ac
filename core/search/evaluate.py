"""Retrieval evaluation from a JSONL file of queries with known answers, and side-by-side comparisons.

Each line: {"query": "image/path/relative/to/the/jsonl.jpg"} or {"text": "..."}, with "relevant":
[names] and optionally "related": [names]; a name is a product's source folder name or its sku,
case-insensitive.

Metrics (k = 10 unless said), averaged over queries that have at least one relevant product:

- hit@1: 1 when the first result is relevant (a title query is relevant to every colour of its product,
  so recall@1 cannot reach 1 there while hit@1 can);
- recall@k: relevant products found in the top k / relevant products (a hit rate when there is one);
- mAP@10: AP@10 = sum over ranks i <= 10 holding a relevant product of precision@i, divided by
  min(#relevant, 10);
- MRR: 1 / rank of the first relevant product in the returned list (0 when none is returned);
- nDCG@10 with graded gains: relevant = 2, related = 1, others 0; DCG = sum gain_i / log2(i + 1)
  (linear gain), divided by the DCG of the ideal order.
- same_garment_other_colour@1: the share of queries whose first result is a "related" product (the same
  garment in another colour): lower is better.

Each mean comes with a 95 % bootstrap confidence interval (queries resampled with replacement, fixed seed).

An image line may add "box": [x0, y0, x1, y1], the product's true box in the query photo. The
pipeline then reports localisation: the IoU of the box the search used (for a scene, the region that
matched the top result) with the true box, as a distribution; `oracle_box=True` searches with the
true box instead, so the gap between localising and embedding stays visible.

Modes: "pipeline" searches like a curator does (detection, crop, primary-crop and crop indexes, multi-crop
re-ranking with colour; `rerank=False` is the plain vector search, `views=False` retrieves by primary crops
alone); "whole" embeds the whole
query image and every image of each product, no detection and no cropping, scores a product by its
best image and searches exactly with numpy: the baseline that tells whether the pipeline earns its keep.

A query that cannot run (a text query with no way to search text, an unreadable photo) is not a zero:
it is counted under "failed" with its reason, and the CLI exits non-zero, so a report never passes off
queries it did not run as misses.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.catalog import db
from core.models.detector import box_iou
from core.search.encode import QueryError, encode_image, encode_text, load_image, normalize
from core.search.query import SearchRequest, search

METRICS = ("hit@1", "recall@1", "recall@5", "recall@10", "map@10", "mrr", "ndcg@10", "same_garment_other_colour@1")
BOOTSTRAP_SAMPLES = 1000
RELEVANT_GAIN = 2.0
RELATED_GAIN = 1.0


# --- metrics --------------------------------------------------------------------------------------
def recall_at_k(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & relevant) / len(relevant)


def average_precision_at_k(ranked: Sequence[int], relevant: set[int], k: int = 10) -> float:
    if not relevant:
        return 0.0
    hits = 0
    total = 0.0
    for i, pid in enumerate(ranked[:k], start=1):
        if pid in relevant:
            hits += 1
            total += hits / i
    return total / min(len(relevant), k)


def reciprocal_rank(ranked: Sequence[int], relevant: set[int]) -> float:
    for i, pid in enumerate(ranked, start=1):
        if pid in relevant:
            return 1.0 / i
    return 0.0


def ndcg_at_k(ranked: Sequence[int], gains: dict[int, float], k: int = 10) -> float:
    dcg = sum(gains.get(pid, 0.0) / math.log2(i + 1) for i, pid in enumerate(ranked[:k], start=1))
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, start=1))
    return dcg / idcg if idcg > 0 else 0.0


def query_metrics(ranked: Sequence[int], relevant: set[int], related: set[int] = frozenset()) -> dict[str, float]:
    gains = {pid: RELATED_GAIN for pid in related}
    gains.update({pid: RELEVANT_GAIN for pid in relevant})
    return {"hit@1": float(bool(ranked) and ranked[0] in relevant),
            "recall@1": recall_at_k(ranked, relevant, 1), "recall@5": recall_at_k(ranked, relevant, 5),
            "recall@10": recall_at_k(ranked, relevant, 10), "map@10": average_precision_at_k(ranked, relevant, 10),
            "mrr": reciprocal_rank(ranked, relevant), "ndcg@10": ndcg_at_k(ranked, gains, 10),
            "same_garment_other_colour@1": float(bool(ranked) and ranked[0] in related)}


def mean_metrics(rows: list[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return dict.fromkeys(METRICS, 0.0)
    return {m: round(float(np.mean([r[m] for r in rows])), 4) for m in METRICS}


def confidence_intervals(rows: list[dict[str, float]], samples: int = BOOTSTRAP_SAMPLES, level: float = 0.95,
                         seed: int = 0) -> dict[str, list[float]]:
    """Percentile bootstrap interval of each mean metric: [low, high]."""
    if not rows:
        return {m: [0.0, 0.0] for m in METRICS}
    table = np.array([[r[m] for m in METRICS] for r in rows], np.float64)
    picks = np.random.default_rng(seed).integers(0, len(rows), size=(samples, len(rows)))
    means = table[picks].mean(axis=1)  # samples x metrics
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(means, tail, axis=0), np.percentile(means, 100 - tail, axis=0)
    return {m: [round(float(lo), 4), round(float(hi), 4)] for m, lo, hi in zip(METRICS, low, high, strict=True)}


# --- the run --------------------------------------------------------------------------------------
def read_queries(path: Path) -> list[dict[str, Any]]:
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
        item["_line"] = n
        out.append(item)
    return out


def product_names() -> dict[str, int]:
    """Lower-case sku and source folder name -> product id (live products)."""
    names: dict[str, int] = {}
    for pid, sku, folder in db.Product.select(db.Product.id, db.Product.sku, db.Product.source_folder).tuples():
        if folder:
            names.setdefault(Path(folder.rstrip("/\\")).name.lower(), pid)
        names[sku.lower()] = pid
    return names


def evaluate(catalog, registry, queries_jsonl: Path, *, model_version: str | None = None, details: bool = False,
             mode: str = "pipeline", rerank: bool = True, k: int = 10, colour_weight: float | None = None,
             oracle_box: bool = False, views: bool = True,
             only: Callable[[dict[str, Any]], bool] | None = None, encoded: dict[int, Any] | None = None,
             progress: Callable[[int, int, str], None] | None = None) -> dict[str, Any]:
    """Run every query and return the mean metrics (and per-query rows with details=True).

    `only` keeps the queries it accepts (a split); `encoded` (line -> ImageQuery) lets several runs over the
    same file encode each query photo once; `colour_weight` overrides the model version's recorded weight.
    """
    if mode not in ("pipeline", "whole"):
        raise ValueError(f"mode must be 'pipeline' or 'whole', not {mode!r}")
    started = time.perf_counter()
    queries_jsonl = Path(queries_jsonl)
    embedder = registry.embedder()
    version = embedder.model_version
    if model_version and model_version != version:
        raise ValueError(f"the loaded embedder is {version!r}; load {model_version!r} to evaluate its index")
    names = product_names()
    items = [item for item in read_queries(queries_jsonl) if only is None or only(item)]
    whole = _WholeIndex(catalog, registry) if mode == "whole" else None
    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    id_to_sku = {pid: sku for pid, sku in db.Product.select(db.Product.id, db.Product.sku).tuples()}
    depth = max(k, 10)
    for n, item in enumerate(items):
        label = item.get("query") or item.get("text") or ""
        relevant = {names[x.lower()] for x in item.get("relevant", []) if x.lower() in names}
        related = {names[x.lower()] for x in item.get("related", []) if x.lower() in names} - relevant
        unknown = [x for x in item.get("relevant", []) + item.get("related", []) if x.lower() not in names]
        if not relevant:
            skipped.append({"line": item["_line"], "query": label, "reason": "no relevant product is in the catalog"})
            continue
        kind = "image" if "query" in item else "text"
        try:
            if whole is not None:
                ranked = whole.search(queries_jsonl.parent / item["query"] if kind == "image" else None,
                                      item.get("text"), depth)
            else:
                image = None
                box = tuple(item["box"]) if oracle_box and kind == "image" and item.get("box") else None
                if kind == "image":
                    image = queries_jsonl.parent / item["query"]
                    if encoded is not None and box is None:
                        if item["_line"] not in encoded:
                            encoded[item["_line"]] = encode_image(registry, catalog.settings, image)
                        image = encoded[item["_line"]]
                request = SearchRequest(image=image, text=item.get("text") if kind == "text" else None, k=depth,
                                        rerank=rerank, colour_weight=colour_weight, box=box, views=views)
                response = search(catalog, registry, request, log_query=False)
                ranked = [r.product_id for r in response.results]
                top_match = (response.results[0].explanation.get("match") or {}) if response.results else {}
        except QueryError as exc:
            failed.append({"line": item["_line"], "query": label, "kind": kind, "reason": str(exc)})
            continue
        metrics = query_metrics(ranked, relevant, related)
        row = {"line": item["_line"], "query": label, "kind": kind, "group": item.get("kind", kind), **metrics,
               "first_relevant_rank": next((i for i, p in enumerate(ranked, 1) if p in relevant), None),
               "relevant": sorted(id_to_sku.get(p, str(p)) for p in relevant),
               "top": [id_to_sku.get(p, str(p)) for p in ranked[:5]]}
        if whole is None:
            row["seconds"] = round(response.seconds, 4)
            row["top_match"] = top_match.get("word")  # the #1 result's word: strong | good | weak
            row["top_match_percent"] = top_match.get("percent")
            if kind == "image" and item.get("box") and response.query_box is not None:
                row["box"] = [round(float(v), 1) for v in response.query_box]
                row["iou"] = round(box_iou(response.query_box, item["box"]), 4)
                # Was the true product among the regions offered (a curator can click it when it is not first)?
                row["regions_offered"] = len(response.regions)
                row["region_found"] = any(box_iou(r.box, item["box"]) >= 0.5 for r in response.regions)
        if unknown:
            row["unknown_names"] = unknown
        rows.append(row)
        if progress:
            progress(n + 1, len(items), label)
    by_kind = {kind: {"queries": sum(1 for r in rows if r["kind"] == kind),
                      **mean_metrics([r for r in rows if r["kind"] == kind])}
               for kind in sorted({r["kind"] for r in rows})}
    # The file's own "kind" (title, category ...) when it has one: each behaves differently.
    for group in sorted({r["group"] for r in rows} - set(by_kind)):
        mine = [r for r in rows if r["group"] == group]
        by_kind[group] = {"queries": len(mine), **mean_metrics(mine)}
    result: dict[str, Any] = {"mode": mode, "rerank": rerank if mode == "pipeline" else False,
                              "model_version": version, "queries": len(rows), "skipped": len(skipped),
                              "failed": len(failed), "failed_reasons": _reasons(failed),
                              "metrics": mean_metrics(rows), "ci95": confidence_intervals(rows),
                              "by_kind": by_kind,
                              "seconds": round(time.perf_counter() - started, 3)}
    if whole is None and rerank:
        from core.search.fusion import colour_weight as recorded_colour_weight

        result["colour_weight"] = recorded_colour_weight(version) if colour_weight is None else colour_weight
    if oracle_box:
        result["oracle_box"] = True
    if whole is None:
        result["views"] = views  # False: retrieval by primary crops only (--primary-only)
    if whole is None and rows:
        result["latency"] = {"p50_s": round(float(np.percentile([r["seconds"] for r in rows], 50)), 4),
                             "p95_s": round(float(np.percentile([r["seconds"] for r in rows], 95)), 4)}
    if whole is None and rows:
        result["match_words"] = match_word_rates(rows)
    ious = [r["iou"] for r in rows if "iou" in r]
    if ious:
        result["localisation"] = iou_summary(ious)
    found = [r["region_found"] for r in rows if "region_found" in r]
    if found:
        result["region_recall"] = round(float(np.mean(found)), 4)
        result["regions_offered_mean"] = round(float(np.mean([r["regions_offered"] for r in rows
                                                              if "regions_offered" in r])), 2)
    if whole is not None:
        result["whole_images"] = len(whole.owners)
        result["whole_images_embedded"] = whole.embedded
    if details:
        result["per_query"] = rows
        result["skipped_queries"] = skipped
    return result


def match_word_rates(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """How honest the #1 result's word was: the share of right #1 results called weak and of wrong #1 results
    called strong (goal: each <= 10 %), per query kind and in all."""
    def rates(mine: list[dict[str, Any]]) -> dict[str, Any]:
        right = [r for r in mine if r.get("first_relevant_rank") == 1 and r.get("top_match")]
        wrong = [r for r in mine if r.get("first_relevant_rank") != 1 and r.get("top_match")]
        words = {w: sum(1 for r in mine if r.get("top_match") == w) for w in ("strong", "good", "weak")}
        return {"right_top": len(right), "wrong_top": len(wrong), **words,
                "right_called_weak": round(sum(r["top_match"] == "weak" for r in right) / len(right), 4)
                if right else None,
                "wrong_called_strong": round(sum(r["top_match"] == "strong" for r in wrong) / len(wrong), 4)
                if wrong else None}
    out = {"all": rates(rows)}
    for kind in sorted({r["kind"] for r in rows}):
        out[kind] = rates([r for r in rows if r["kind"] == kind])
    return out


def iou_summary(ious: Sequence[float]) -> dict[str, Any]:
    """The IoU distribution: mean, quartiles, the share at 0.5 or more, and a histogram in tenths."""
    a = np.asarray(ious, dtype=np.float64)
    counts = np.histogram(a, bins=np.linspace(0.0, 1.0, 11))[0]
    return {"queries": len(a), "mean": round(float(a.mean()), 4),
            "quartiles": [round(float(q), 4) for q in np.percentile(a, [25, 50, 75])],
            "share_iou_0.5": round(float((a >= 0.5).mean()), 4), "histogram_tenths": counts.tolist()}


def _reasons(failed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each distinct reason once, with how many queries of which kind it stopped."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for f in failed:
        entry = out.setdefault((f["kind"], f["reason"]), {"kind": f["kind"], "reason": f["reason"], "queries": 0,
                                                          "first_line": f["line"]})
        entry["queries"] += 1
    return list(out.values())


class _WholeIndex:
    """Every image of each live indexed product embedded whole; vectors kept in the embedding cache."""

    def __init__(self, catalog, registry, batch_size: int = 16) -> None:
        from core.pipeline.crops import spec_for
        from core.pipeline.decode import decode
        from core.pipeline.preprocess import preprocess

        self.registry = registry
        self.embedder = registry.embedder()
        self.spec = spec_for(self.embedder, catalog.settings.preprocess.expand_ratio)
        self._preprocess = preprocess
        version = self.embedder.model_version
        store_keys = set(catalog.vector_store(version).keys().tolist())
        images = [im for im in (db.ImageFile.select().join(db.Product)
                                .where((db.ImageFile.status == "ok") & db.Product.deleted_at.is_null())
                                .order_by(db.ImageFile.product, db.ImageFile.position, db.ImageFile.id))
                  if im.product_id in store_keys]
        cache = catalog.embedding_cache()
        keys = {im.id: (im.sha256, (0, 0, int(im.width), int(im.height))) for im in images}
        known = cache.get_many([k for k in keys.values() if k[1][2] and k[1][3]], version, self.spec.version)
        todo = [im for im in images if keys[im.id] not in known]
        vectors = {im.id: known[keys[im.id]] for im in images if keys[im.id] in known}
        for start in range(0, len(todo), batch_size):
            chunk, tensors, fresh = todo[start:start + batch_size], [], []
            for im in chunk:
                pixels = decode(catalog.root / im.blob_path)
                h, w = pixels.shape[:2]
                keys[im.id] = (im.sha256, (0, 0, w, h))
                tensors.append(self._preprocess(pixels, (0, 0, w, h), self.spec).tensor)
            out = normalize(self.embedder.embed_images(np.stack(tensors).astype(np.float32)))
            for im, vec in zip(chunk, out, strict=True):
                vectors[im.id] = vec
                fresh.append((keys[im.id], vec))
            cache.put_many(fresh, version, self.spec.version)
        kept = [im for im in images if im.id in vectors]
        self.owners = np.array([im.product_id for im in kept], dtype=np.int64)  # one row per image
        self.ids = np.unique(self.owners)
        self.matrix = normalize(np.stack([vectors[im.id] for im in kept])) if kept else \
            np.zeros((0, self.embedder.dim), np.float32)
        self.embedded = len(todo)

    def query_vector(self, image: Path | None, text: str | None) -> np.ndarray:
        if image is not None:
            pixels, _ = load_image(image)
            h, w = pixels.shape[:2]
            tensor = self._preprocess(pixels, (0, 0, w, h), self.spec).tensor
            return normalize(self.embedder.embed_images(np.asarray(tensor, np.float32)[None])[0])
        return encode_text(self.registry, text or "")

    def search(self, image: Path | None, text: str | None, k: int) -> list[int]:
        """Products by their best-matching image."""
        if not len(self.owners):
            return []
        sims = self.matrix @ self.query_vector(image, text)
        ranked: list[int] = []
        for row in np.argsort(-sims, kind="stable"):
            pid = int(self.owners[row])
            if pid not in ranked:
                ranked.append(pid)
                if len(ranked) == k:
                    break
        return ranked


def tune_colour_weight(catalog, registry, queries_jsonl: Path, *, folds: int = 5, holdout: bool = True,
                       record: bool = True, progress: Callable[[int, int, str], None] | None = None
                       ) -> dict[str, Any]:
    """Choose the colour weight by cross-validation on the image queries and record it with the model version.

    With holdout, a fixed quarter of garments (fusion.in_holdout, by hash) is kept out of the choice and
    reported apart: the figure to trust for a catalog the weight was not chosen on.
    """
    from core.search import fusion

    items = {item["_line"]: item for item in read_queries(Path(queries_jsonl)) if "query" in item}
    def tuning(item: dict[str, Any]) -> bool:
        return "query" in item and not (holdout and fusion.in_holdout(item))

    def kept_out(item: dict[str, Any]) -> bool:
        return "query" in item and holdout and fusion.in_holdout(item)

    encoded: dict[int, Any] = {}
    runs: dict[float, dict[str, Any]] = {}
    for n, w in enumerate(fusion.COLOUR_GRID):
        runs[w] = evaluate(catalog, registry, queries_jsonl, details=True, colour_weight=w, only=tuning,
                           encoded=encoded)
        if progress:
            progress(n + 1, len(fusion.COLOUR_GRID), f"colour weight {w}")
    rows = runs[fusion.COLOUR_GRID[0]]["per_query"]
    if not rows:
        raise ValueError(f"{queries_jsonl} has no image query with a relevant product in this catalog")
    groups = [fusion.group_of(items[r["line"]]) for r in rows]
    cv = fusion.cross_validate({w: [r["mrr"] for r in runs[w]["per_query"]] for w in runs}, groups, folds)
    chosen = cv["colour_weight"]
    out: dict[str, Any] = {"model_version": runs[chosen]["model_version"], "colour_weight": chosen,
                           "objective": "mrr", "cv_mrr": cv["cv_metric"], "folds": folds,
                           "fold_weights": cv["fold_weights"], "mrr_by_weight": cv["by_weight"],
                           "tuning_queries": len(rows),
                           "tuning": {"without_colour": runs[0.0]["metrics"], "chosen": runs[chosen]["metrics"]}}
    if holdout:
        out["holdout_queries"] = sum(1 for item in items.values() if kept_out(item))
        out["holdout"] = {"without_colour": evaluate(catalog, registry, queries_jsonl, colour_weight=0.0,
                                                     only=kept_out, encoded=encoded)["metrics"],
                          "chosen": evaluate(catalog, registry, queries_jsonl, colour_weight=chosen,
                                             only=kept_out, encoded=encoded)["metrics"]}
    if record:
        fusion.record(out["model_version"], colour_weight=chosen, chosen_by=f"{folds}-fold CV, MRR",
                      queries=Path(queries_jsonl).name, cv_mrr=cv["cv_metric"], fold_weights=cv["fold_weights"],
                      holdout_mrr=out.get("holdout", {}).get("chosen", {}).get("mrr"))
    return out


# --- reporting ------------------------------------------------------------------------------------
def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Two evaluate() results side by side (two model versions, or pipeline against whole)."""
    def name(r: dict[str, Any]) -> str:
        return f"{r['model_version']} {r['mode']}" + ("" if r.get("rerank", True) or r["mode"] != "pipeline"
                                                       else " (no rerank)")
    out: dict[str, Any] = {
        "a": name(a), "b": name(b),
        "metrics": {m: {"a": a["metrics"][m], "b": b["metrics"][m],
                        "delta": round(b["metrics"][m] - a["metrics"][m], 4)} for m in METRICS},
        "queries": {"a": a["queries"], "b": b["queries"]},
    }
    if "per_query" in a and "per_query" in b:
        ranks_a = {r["line"]: r["first_relevant_rank"] for r in a["per_query"]}
        changed = []
        for r in b["per_query"]:
            before = ranks_a.get(r["line"], "missing")
            if before != "missing" and before != r["first_relevant_rank"]:
                changed.append({"query": r["query"], "rank_a": before, "rank_b": r["first_relevant_rank"]})
        out["changed"] = changed
    return out


def format_report(result: dict[str, Any]) -> str:
    lines = [f"{result['model_version']}  mode={result['mode']}  queries={result['queries']}  "
             f"skipped={result['skipped']}  failed={result.get('failed', 0)}  ({result['seconds']:.1f}s)",
             "  ".join(f"{m}={result['metrics'][m]:.3f}" for m in METRICS)]
    if result.get("ci95"):
        lines.append("95% CI: " + "  ".join(f"{m}=[{lo:.3f}, {hi:.3f}]" for m, (lo, hi) in result["ci95"].items()))
    for kind, m in result.get("by_kind", {}).items():
        lines.append(f"  {kind:5} ({m['queries']}): " + "  ".join(f"{x}={m[x]:.3f}" for x in METRICS))
    if "latency" in result:
        lines.append(f"  latency p50={result['latency']['p50_s']:.3f}s p95={result['latency']['p95_s']:.3f}s")
    if "localisation" in result:
        loc = result["localisation"]
        lines.append(f"  localisation ({loc['queries']}{', oracle box' if result.get('oracle_box') else ''}): "
                     f"IoU mean={loc['mean']:.3f} quartiles={loc['quartiles']} "
                     f"IoU>=0.5 {loc['share_iou_0.5']:.1%}  histogram/0.1={loc['histogram_tenths']}")
    if "region_recall" in result:
        lines.append(f"  the true product among the regions offered: {result['region_recall']:.1%} "
                     f"({result['regions_offered_mean']:.1f} regions a photo)")
    for r in result.get("per_query", []):
        lines.append(f"  {r['first_relevant_rank'] or '-':>3}  {r['query']}  -> {', '.join(r['top'][:3])}")
    return "\n".join(lines)


def format_comparison(cmp: dict[str, Any]) -> str:
    width = max(len(cmp["a"]), len(cmp["b"]), 10)
    lines = [f"{'metric':10}  {cmp['a']:>{width}}  {cmp['b']:>{width}}  {'delta':>7}"]
    for m, v in cmp["metrics"].items():
        lines.append(f"{m:10}  {v['a']:>{width}.3f}  {v['b']:>{width}.3f}  {v['delta']:>+7.3f}")
    return "\n".join(lines)
