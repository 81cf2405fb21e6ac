"""The search entry point: encode the query, filter, find nearest products, re-rank, explain, log.

Hybrid queries use SCORE fusion, not vector fusion: the image vector and the text vector each
retrieve candidates from the index (the union is the pool), and every candidate is scored

    alpha * cos(image query, product) + (1 - alpha) * cos(text query, product) + boosts.

Why score fusion: the parts of a score stay separately visible in the explanation; each part can
use a product's best crop; and a pure text query or pure image query is the same formula with
alpha = 0 or 1. Note that CLIP image-image cosines (about 0.5-0.9) are larger than image-text
cosines (about 0.2-0.35), so alpha = 0.5 leans towards the image; curators move alpha to taste.

Text has two sources: the lexical index (BM25 over SKU, title, description, category, attributes and
curator labels; no model needed, so text search works offline) and, when the embedder has a text
tower, CLIP text cosines. When the words match any product, the text part is reciprocal-rank fusion
over the candidates: sum over sources of 1 / (RRF_K + rank), divided by its best possible value so the
top is 1. Equal scores share a rank, so colour variants with the same title tie on words and CLIP
(or, with an image, the image) orders them. A product both sources find beats one only one finds.
Lexical order puts all-words matches before some-words matches, and words as typed before words matched
only through a synonym, a spelling or a plural (core.search.vocabulary). RRF_K = 60 is the constant of the
method's paper (Cormack et al., SIGIR 2009), not fitted here. When no product holds the words, the
CLIP cosine stands alone as before. A SKU typed exactly is first, and alone in a text query. In words mode
(no text tower) a product is a result only when a word, a synonym or a typo's correction matched.

Every view counts: image rows also search the crop index (every accepted crop, core.catalog.crop_index), and a
product's image similarity before re-ranking is the max over its primary and its views (request.views=False,
`eval --primary-only`, retrieves by primary crops alone).

Filtered searches ask the VectorStore for the allowed products only: an exact scan over a small
subset, HNSW with oversampling over a large one, and k results whenever k products pass.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from core.catalog import db
from core.models.detector import box_iou
from core.pipeline.colors import signature_vector
from core.search import explain as ex
from core.search import fusion
from core.search import lexical as lx
from core.search import match as mt
from core.search import rerank as rr
from core.search.encode import (
    ImageQuery,
    Progress,
    QueryError,
    checkpoint,
    encode_image,
    encode_text,
    normalize,
)
from core.search.filters import Filters, parse_filters

log = logging.getLogger(__name__)

RERANK_POOL_FACTOR = 3  # candidates re-ranked = max(k * factor, RERANK_POOL_MIN)
RERANK_POOL_MIN = 100
RRF_K = 60.0
ORPHAN_SLACK = 8  # extra hits asked for, in case the index still holds a deleted product


@dataclass
class SearchRequest:
    text: str | None = None
    image: np.ndarray | Path | str | bytes | ImageQuery | None = None
    box: tuple[float, float, float, float] | None = None
    alpha: float = 0.5  # weight of the image part in a hybrid query
    filters: dict | list | Filters | None = field(default_factory=dict)
    k: int = 20
    rerank: bool = True
    diversity: float = 0.0  # 0 = plain relevance order; up to 1 = MMR favouring variety
    similar_to: int | None = None  # "more like this": a product id
    model_version: str | None = None  # default: the registry's embedder, else the active index
    colour_weight: float | None = None  # default: the model version's recorded weight (core.search.fusion)
    views: bool = True  # retrieve by every accepted crop (the crop index), not only by primary crops


@dataclass
class SearchResult:
    product_id: int
    sku: str
    title: str
    score: float
    explanation: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"product_id": self.product_id, "sku": self.sku, "title": self.title,
                "score": round(float(self.score), 6), "explanation": self.explanation}


@dataclass
class SearchResponse:
    results: list[SearchResult]
    seconds: float
    query_id: int | None
    kind: str
    model_version: str
    query_box: tuple[float, ...] | None = None
    query_candidates: list[dict] = field(default_factory=list)
    filtered: int | None = None  # how many products passed the filters (None: no filter)
    exact: bool = False
    corrected: str | None = None  # the words searched instead of a typo ("showing results for backpack")
    # Milliseconds per stage (encode, filter, lexical, index, rows, rerank, log): where a query's time went.
    timings: dict[str, float] = field(default_factory=dict)
    # Every product the query photo offers (Google Lens' boxes): the regions of an image query, the most likely
    # first (the one the top result matched), each with its own best products. Empty for a text query.
    regions: list[QueryRegion] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"results": [r.to_dict() for r in self.results], "seconds": round(self.seconds, 6),
                "query_id": self.query_id, "kind": self.kind, "model_version": self.model_version,
                "query_box": None if self.query_box is None else [round(v, 1) for v in self.query_box],
                "filtered": self.filtered, "exact": self.exact, "corrected": self.corrected,
                "regions": [r.to_dict() for r in self.regions]}


@dataclass
class RegionMatch:
    product_id: int
    sku: str
    title: str
    score: float  # the product's fused score through this region alone


@dataclass
class QueryRegion:
    """One product found in the query photo: where it is, how sure the localiser was, and its best matches."""

    number: int  # 1-based, in the order offered (the most likely product first)
    box: tuple[float, ...]
    confidence: float  # the localiser's or detector's score for the box (0 for the whole photo or a drawn box)
    source: str  # proposal, detector, foreground, full, manual
    score: float  # the best product's score through this region: how likely a catalog product is here
    matches: list[RegionMatch] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "box": [round(float(v), 1) for v in self.box],
                "confidence": round(self.confidence, 4), "source": self.source, "score": round(self.score, 6),
                "results": [{"product_id": m.product_id, "sku": m.sku, "title": m.title,
                             "score": round(m.score, 6)} for m in self.matches]}


def preprocess_version(model_version: str) -> str:
    info = db.VectorIndexInfo.get_or_none(db.VectorIndexInfo.model_version == model_version)
    return info.preprocess_version if info else ""


@dataclass
class _Query:
    kind: str
    alpha: float
    image_vectors: np.ndarray | None  # (m, dim) rows; several for "more like this"
    text_vector: np.ndarray | None
    retrieval: list[np.ndarray]
    image: ImageQuery | None = None
    query_box: tuple[float, ...] | None = None
    exclude: int | None = None
    image_hash: str = ""
    colour: np.ndarray | None = None  # the query's colour signature (dense), for the colour match
    text: str | None = None  # the words, searched lexically even when there is no text model
    lexical: dict[int, lx.LexicalHit] = field(default_factory=dict)
    lexical_relevance: dict[int, float] = field(default_factory=dict)
    # (candidate product ids, their score through each region: products x regions), when regions were judged
    region_scores: tuple[list[int], np.ndarray] | None = None
    understood: lx.vocab.Understanding | None = None  # the words with their synonyms and corrections


def search(catalog, registry, request: SearchRequest, *, log_query: bool = True, progress: Progress | None = None,
           should_stop: Callable[[], bool] | None = None) -> SearchResponse:
    """Run one query against the catalog's index for the query's model version.

    `progress(done, total, message)` hears the steps of a scene query (which can take seconds on a CPU) and
    `should_stop()` cancels it between them (SearchCancelled)."""
    started = last = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        nonlocal last
        now = time.perf_counter()
        timings[stage] = round(timings.get(stage, 0.0) + (now - last) * 1000.0, 3)
        last = now

    if request.k <= 0:
        raise QueryError("k must be at least 1")
    filters = parse_filters(request.filters)
    model_version = _model_version(catalog, registry, request)
    try:
        store = catalog.vector_store(model_version)
    except FileNotFoundError:
        raise QueryError(f"there is no index for model version {model_version!r}; index the catalog first") \
            from None
    lap("setup")
    query = _encode(catalog, registry, request, store, model_version, progress, should_stop)
    lap("encode")
    scene = query.image is not None and len(query.image.boxes) > 1
    if scene:
        checkpoint(progress, should_stop, 2, f"Searching the catalog for {len(query.image.boxes)} regions")

    allowed = filters.product_ids()
    if allowed is not None and query.exclude is not None:
        allowed = [p for p in allowed if p != query.exclude]
    k = int(request.k)
    pool = max(k * RERANK_POOL_FACTOR, RERANK_POOL_MIN) if request.rerank else k
    ask = pool + ORPHAN_SLACK + (1 if query.exclude is not None else 0)
    lap("filter")

    ranks: dict[int, int] = {}
    exact = True
    if query.text:
        _lexical(query, allowed, pool)
    lap("lexical")
    if allowed is None or allowed:
        for vec in query.retrieval:
            hits = store.search(vec, ask, allowed=allowed)
            exact = exact and hits.exact
            for rank, key in enumerate(hits.keys.tolist()):
                if key != query.exclude and (key not in ranks or rank < ranks[key]):
                    ranks[key] = rank
    views: dict[int, tuple[float, int]] = {}
    if request.views and (allowed is None or allowed):
        views = _views(catalog, model_version, query, ask, allowed)
        for rank, pid in enumerate(sorted(views, key=lambda p: -views[p][0])):
            ranks[pid] = min(rank, ranks.get(pid, rank))
    for rank, pid in enumerate(query.lexical):
        if pid != query.exclude:
            ranks.setdefault(pid, rank)
    if query.text and query.alpha <= 0 and (query.text_vector is None or _sku_alone(query)):
        # Words mode (no text tower): a product is a result only when a word or a synonym matched. An exact SKU
        # comes alone.
        ranks = {pid: r for pid, r in ranks.items() if pid in query.lexical}
    ids, primary = store.get(list(ranks))
    ids, primary = _add_unindexed(ids, primary, query)
    lap("index")
    products = _products(ids.tolist())
    keep = [i for i, pid in enumerate(ids.tolist()) if pid in products]
    ids, primary = ids[keep], primary[keep]
    primary = normalize(primary) if len(ids) else primary

    base = _fused(primary, query, ids, views)
    order = np.argsort(-base, kind="stable")[:pool]
    ids, primary, base = ids[order], primary[order], base[order]
    lap("rows")

    if scene:
        checkpoint(progress, should_stop, 3, "Ranking the matches")
    results = _score(catalog, query, filters, request, model_version, ids, primary, base, ranks, products,
                     exact, k, views)
    if results and query.image is not None and len(query.image.boxes) > 1:
        query.query_box = tuple(results[0].explanation["query_box"])  # where the best match was found
    regions = _regions(query, results, products)
    lap("rerank")
    seconds = time.perf_counter() - started
    query_id = _log(query, request, filters, model_version, results, seconds) if log_query else None
    lap("log")
    return SearchResponse(results=results, seconds=time.perf_counter() - started, query_id=query_id,
                          kind=query.kind, model_version=model_version, query_box=query.query_box,
                          query_candidates=query.image.candidates if query.image else [],
                          filtered=None if allowed is None else len(allowed), exact=exact, timings=timings,
                          regions=regions, corrected=query.understood.corrected if query.understood else None)


REGION_MATCHES = 5  # best products listed under each region offered
REGION_MAX = 8  # regions offered at most (the localiser proposes more; the rest are overlapping guesses)
REGION_OVERLAP = 0.7  # a region overlapping a better-scoring one this much (IoU) is the same product, not offered


def _regions(query: _Query, results: list[SearchResult], products: dict[int, _ProductRow]) -> list[QueryRegion]:
    """The products the query photo offers, each with its own best matches, the most likely first.

    A region's order is its best product's score through it, except that the region the top result matched
    comes first (results are shown for it). Overlapping guesses at one object are offered once."""
    image = query.image
    if image is None or query.exclude is not None:
        return []
    boxes = [tuple(float(v) for v in b) for b in image.boxes]
    confidence = {tuple(round(float(v), 1) for v in c["box"]): float(c.get("confidence", 0.0))
                  for c in image.candidates}
    source = image.source
    if query.region_scores is not None and len(boxes) > 1:
        ids, scores = query.region_scores
    else:  # one region: its matches are the results
        ids = [r.product_id for r in results]
        scores = np.array([[r.score] for r in results], dtype=np.float32).reshape(len(results), 1)
        boxes = boxes[:1]
    first = tuple(results[0].explanation.get("query_box") or ()) if results else ()
    offered: list[tuple[int, float]] = []
    for r in range(len(boxes)):
        column = scores[:, r] if len(ids) else np.zeros(0, np.float32)
        offered.append((r, float(column.max()) if len(column) else 0.0))
    offered.sort(key=lambda rs: (tuple(round(v, 1) for v in boxes[rs[0]]) != first, -rs[1], rs[0]))
    kept: list[tuple[int, float]] = []
    for r, best in offered:
        if any(box_iou(boxes[r], boxes[k]) >= REGION_OVERLAP for k, _ in kept):
            continue
        kept.append((r, best))
        if len(kept) == REGION_MAX:
            break
    out = []
    for number, (r, best) in enumerate(kept, start=1):
        column = scores[:, r] if len(ids) else np.zeros(0, np.float32)
        top = np.argsort(-column, kind="stable")[:REGION_MATCHES] if len(column) else []
        matches = [RegionMatch(product_id=ids[i], sku=products[ids[i]].sku, title=products[ids[i]].title,
                               score=float(column[i])) for i in top if ids[i] in products]
        box = boxes[r]
        out.append(QueryRegion(number=number, box=box, source=source if len(boxes) > 1 else image.source,
                               confidence=confidence.get(tuple(round(v, 1) for v in box), 0.0),
                               score=best, matches=matches))
    return out


class _ProductRow(NamedTuple):
    """What results and boosts read of a candidate product (rr.filter_boost: category and attributes)."""

    id: int
    sku: str
    title: str
    category: str
    attributes: Any


def _products(ids: list[int]) -> dict[int, _ProductRow]:
    """The live candidates' rows. Plain SQL and tuples: building ~200 peewee objects (and an IN clause of
    ~200 peewee values) cost more than the index search."""
    out: dict[int, _ProductRow] = {}
    for chunk in db.chunked(ids, 500):
        cursor = db.database.execute_sql(
            f"SELECT id, sku, title, category, attributes FROM product WHERE deleted_at IS NULL AND id IN "
            f"({', '.join('?' * len(chunk))})", chunk)
        for pid, sku, title, category, attributes in cursor.fetchall():
            out[pid] = _ProductRow(pid, sku, title or "", category or "", json.loads(attributes) if attributes else {})
    return out


CROP_OVERSAMPLE = 4  # crop hits asked for per product wanted: products have a few views each


def _views(catalog, model_version: str, query: _Query, ask: int, allowed: list[int] | None
           ) -> dict[int, tuple[float, int]]:
    """Every view counts: the crop index's nearest crops, as product id -> (best crop similarity, crop id).

    A product is as near as its nearest accepted crop (the max over its views, as the re-ranker scores it), so
    a query showing a back view reaches a product whose primary crop is the front."""
    from core.catalog import crop_index

    if query.image_vectors is None or query.alpha <= 0:
        return {}
    crops = crop_index.for_search(catalog, model_version)
    if crops is None or not len(crops):
        return {}
    rows = query.image_vectors if query.image is not None else query.image_vectors[:1]
    hits: dict[int, float] = {}
    for vec in rows:
        found = crops.search(vec, ask * CROP_OVERSAMPLE)
        for key, sim in zip(found.keys.tolist(), found.scores.tolist(), strict=True):
            hits[key] = max(sim, hits.get(key, -1.0))
    best = crop_index.by_product(hits, crop_index.products_of(hits))
    keep = None if allowed is None else set(allowed)
    return {pid: v for pid, v in best.items() if pid != query.exclude and (keep is None or pid in keep)}


def _lexical(query: _Query, allowed: list[int] | None, pool: int) -> None:
    """The lexical hits and their relevance in [0, 1], in the order the lexical index ranks them."""
    if not lx.available():
        return
    query.understood = lx.understand(query.text)
    hits = lx.search(query.text, pool, allowed, fields=False, understood=query.understood)
    query.lexical = {h.product_id: h for h in hits}
    # Three tiers, each a third of [0, 1]: every word as typed, every word with synonyms, some words.
    tiers = [[h.score for h in hits if not h.sku_exact and _tier(h) == t] for t in range(3)]
    for h in hits:
        if h.sku_exact:
            value = 1.0
        else:
            t = _tier(h)
            top = max(tiers[t])
            value = (t + (h.score / top if top > 0 else 0.0)) / 3.0
        query.lexical_relevance[h.product_id] = value


def _tier(hit: lx.LexicalHit) -> int:
    return 2 if hit.exact and hit.all_words else 1 if hit.all_words else 0


def _sku_alone(query: _Query) -> bool:
    return any(h.sku_exact for h in query.lexical.values())


def _add_unindexed(ids: np.ndarray, primary: np.ndarray, query: _Query) -> tuple[np.ndarray, np.ndarray]:
    """Products the words find that have no vector yet (imported, not indexed) still answer a text query."""
    missing = [p for p in query.lexical if p not in set(ids.tolist()) and p != query.exclude]
    if not missing or query.image_vectors is not None:
        return ids, primary
    dim = primary.shape[1] if primary.ndim == 2 and primary.shape[1] else (
        len(query.text_vector) if query.text_vector is not None else 1)
    return (np.concatenate([ids, np.array(missing, dtype=np.int64)]),
            np.concatenate([primary.reshape(len(ids), dim), np.zeros((len(missing), dim), np.float32)]))


def text_relevance(clip: np.ndarray | None, lexical: np.ndarray | None) -> np.ndarray | None:
    """The text part before weighting, in [0, 1]: reciprocal-rank fusion (see the module docstring)."""
    if lexical is None or not np.any(lexical > 0):
        return clip
    fused = np.where(lexical > 0, 1.0 / (RRF_K + _shared_ranks(lexical)), 0.0)
    sources = 1
    if clip is not None:
        fused = fused + 1.0 / (RRF_K + _shared_ranks(clip))
        sources = 2
    return (fused * (RRF_K + 1.0) / sources).astype(np.float32)


def _shared_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, best (largest) first; equal values (to 1e-6) share the better rank."""
    rounded = np.round(np.asarray(values, np.float64), 6)
    ascending = np.sort(rounded)
    return 1.0 + (len(rounded) - np.searchsorted(ascending, rounded, side="right")).astype(np.float64)


def _model_version(catalog, registry, request: SearchRequest) -> str:
    needs_model = request.text is not None or request.image is not None
    if needs_model:
        if registry is None:
            raise QueryError("an image or text query needs the model registry")
        version = registry.embedder().model_version
        if request.model_version and request.model_version != version:
            raise QueryError(f"the query would be embedded by {version!r} but the search asks for "
                             f"{request.model_version!r}; load that model to search its index")
        return version
    if request.similar_to is None:
        raise QueryError("a search needs a text, an image or a product to find similar ones to")
    version = request.model_version or catalog.active_model_version()
    if version is None and registry is not None:
        version = registry.embedder().model_version
    if version is None:
        raise QueryError("the catalog has no active index yet; index it first")
    return version


def _encode(catalog, registry, request: SearchRequest, store, model_version: str, progress: Progress | None = None,
            should_stop: Callable[[], bool] | None = None) -> _Query:
    image_vectors = None
    text_vector = None
    image_query = None
    query_box = None
    image_hash = ""
    exclude = None
    colour = None
    if request.similar_to is not None and request.image is None:
        pid = int(request.similar_to)
        keys, vectors = store.get([pid])
        if not len(keys):
            raise QueryError(f"product {pid} has no vector in the {model_version} index; index it first")
        rows = [normalize(vectors[0])]
        crops = _product_crops(catalog, [pid], model_version).get(pid, [])
        rows += [normalize(c.vector) for c in crops]
        image_vectors = np.stack(rows)
        primary = next((c for c in crops if c.is_primary), None)
        query_box = tuple(float(v) for v in primary.box) if primary else None
        exclude = pid
        image_hash = f"product:{pid}"
        if primary is not None:
            colour = rr.crop_colours(catalog, [primary.crop_id]).get(primary.crop_id)
    elif request.image is not None:
        # An ImageQuery is a photo already encoded (eval runs each query photo once for many settings).
        if isinstance(request.image, ImageQuery):
            image_query = request.image
        else:
            localiser = _localiser(registry, store, catalog) if request.box is None else None
            image_query = encode_image(registry, catalog.settings, request.image, request.box, localiser=localiser,
                                       progress=progress, should_stop=should_stop)
        image_vectors = image_query.vectors
        query_box = image_query.box
        image_hash = image_query.image_hash
        colour = signature_vector(image_query.colour)
    text = (request.text or "").strip() or None
    if text and (getattr(registry.embedder(), "supports_text", False) or not lx.words(text)):
        text_vector = encode_text(registry, text)
    if image_vectors is not None and text:
        kind, alpha = "hybrid", float(np.clip(request.alpha, 0.0, 1.0))
    elif image_vectors is not None:
        kind, alpha = ("similar" if exclude is not None else "image"), 1.0
    elif text:
        kind, alpha = "text", 0.0
    else:
        raise QueryError("a search needs a text, an image or a product to find similar ones to")
    if kind == "hybrid" and exclude is not None:
        kind = "similar"
    retrieval = []
    if image_vectors is not None and alpha > 0:
        # Every region of a scene retrieves; "more like this" retrieves by the product's own vector.
        retrieval.extend(image_vectors if image_query is not None else image_vectors[:1])
    if text_vector is not None and alpha < 1:
        retrieval.append(text_vector)
    return _Query(kind=kind, alpha=alpha, image_vectors=image_vectors, text_vector=text_vector,
                  retrieval=retrieval, image=image_query, query_box=query_box, exclude=exclude,
                  image_hash=image_hash, colour=colour, text=text if alpha < 1 else None)


# The localiser's reference vectors, per index and size: a scene query must not read the whole index.
_REFERENCES: dict[tuple[str, int, int], np.ndarray] = {}
REFERENCE_MAX = 4096


def _localiser(registry, store, catalog=None):
    """What finds the product in a scene: the catalog-scored proposals (when the embedder exposes its feature
    map), the catalog's own trained detector, or both (settings.models.localiser; see core.ops.product_detector)."""
    from core.models.detector import ProposalDetector, SceneLocaliser

    embedder = registry.embedder()
    if not len(store):
        return None
    key = (str(store.path), id(store), len(store))  # the path: another catalog's store may reuse an id
    reference = _REFERENCES.get(key)
    if reference is None:
        keys = np.sort(store.keys())
        if len(keys) > REFERENCE_MAX:  # a deterministic spread, the same for every query
            keys = keys[np.linspace(0, len(keys) - 1, REFERENCE_MAX).astype(np.int64)]
        _, reference = store.get(keys.tolist())
        _REFERENCES.clear()
        _REFERENCES[key] = reference = normalize(reference)
    proposals = ProposalDetector(embedder, reference) if hasattr(embedder, "feature_map") else None
    mode = catalog.settings.models.localiser if catalog is not None else "proposals"
    trained = None
    if mode != "proposals" and catalog is not None:
        from core.ops.product_detector import active_detector

        weights = active_detector(catalog)
        load = getattr(registry, "product_detector", None)  # a registry without one (tests' stubs) has none
        trained = load(weights) if weights is not None and load is not None else None
    if trained is None:
        return proposals
    if mode == "fused":
        return SceneLocaliser(trained, reference, proposals)
    return SceneLocaliser(trained, reference, refine_top=DETECTOR_REFINE_TOP, whole_photo=DETECTOR_WHOLE_PHOTO)


# The trained detector's boxes are tight already; refining them costs 6 crops each (see docs/PERFORMANCE.md).
DETECTOR_REFINE_TOP = 0
# With each region judged whole (shape and colour from one region), the whole photo beside the detector's boxes
# changed no R@1 on either half of dev wild/ and costs a crop (docs/PERFORMANCE.md, h18d).
DETECTOR_WHOLE_PHOTO = False


def _query_box(query: _Query, vector: np.ndarray, region: int | None = None) -> tuple[float, ...] | None:
    """The query region that matched this product's vector best (the only region for a single-crop query)."""
    if query.image is None or len(query.image.boxes) < 2:
        return query.query_box
    if region is not None:  # chosen with its colour (_best_region)
        return query.image.boxes[region]
    return query.image.boxes[int(np.argmax(query.image_vectors @ vector))]


def _query_masked(query: _Query, vector: np.ndarray, region: int | None = None) -> bool:
    """Whether the query region that matched this product (as _query_box picks it) had its scene removed."""
    masked = query.image.masked if query.image is not None else []
    if not any(masked) or query.image_vectors is None or len(masked) != len(query.image_vectors):
        return False
    return bool(masked[region if region is not None else int(np.argmax(query.image_vectors @ vector))])


def _fused(vectors: np.ndarray, query: _Query, ids: np.ndarray,
           views: dict[int, tuple[float, int]] | None = None) -> np.ndarray:
    score = np.zeros(len(vectors), dtype=np.float32)
    if not len(vectors):
        return score
    if query.image_vectors is not None:
        score += query.alpha * _image_part(vectors, query, ids, views)
    lexical = _lexical_array(query, ids) if query.lexical else None
    clip = vectors @ query.text_vector if query.text_vector is not None else None
    text = text_relevance(clip, lexical)
    if text is not None:
        score += (1.0 - query.alpha) * text
    return score


def _image_part(vectors: np.ndarray, query: _Query, ids, views: dict[int, tuple[float, int]] | None) -> np.ndarray:
    """Each product's image similarity: its primary's, or its best view's when that is nearer."""
    img = (vectors @ query.image_vectors.T).max(axis=1)
    if views:
        seen = np.array([views.get(int(p), (-np.inf, 0))[0] for p in ids], dtype=np.float32)
        img = np.maximum(img, seen)
    return img


def _lexical_array(query: _Query, ids) -> np.ndarray:
    return np.array([query.lexical_relevance.get(int(p), 0.0) for p in ids], dtype=np.float32)


def _product_crops(catalog, product_ids: list[int], model_version: str) -> dict[int, list]:
    from core.pipeline.embed_cache import product_crop_vectors

    version = preprocess_version(model_version)
    if not product_ids:
        return {}
    return product_crop_vectors(catalog.embedding_cache(), product_ids, model_version, version)


def _primary_crops(product_ids: list[int]) -> dict[int, tuple[int, int, tuple[float, float, float, float]]]:
    """product id -> (crop id, image id, box) of its primary crop."""
    from core.catalog.queries import primary_crops

    return {pid: (c.crop_id, c.image_id, c.box) for pid, c in primary_crops(product_ids).items()}


@dataclass(slots=True)
class _Candidate:
    """One product being re-ranked: its best crop's parts of the score, before it becomes a SearchResult."""

    pid: int
    score: float
    image: float | None  # image similarity of the best crop
    text: float | None  # CLIP text similarity of the best crop
    crop: dict | None  # the matched crop, as the explanation shows it
    vector: np.ndarray  # the best crop's vector (MMR, the query region that matched)
    primary_score: float  # the fused score of the primary crop alone (retrieval order)
    labels: list[str] = field(default_factory=list)  # curator-confirmed labels the query matched
    terms: list[str] = field(default_factory=list)  # query words found in category or attributes
    label_boost: float = 0.0
    filter_boost: float = 0.0
    colour: float | None = None  # colour match of the best crop
    colour_weight: float = 0.0  # alpha * colour weight
    region: int | None = None  # the query region it matched, when a scene query's regions were judged whole
    text_relevance: float | None = None  # the fused text part (lexical + CLIP), once known
    lexical: float | None = None


def _score(catalog, query: _Query, filters: Filters, request: SearchRequest, model_version: str,
           ids: np.ndarray, primary: np.ndarray, base: np.ndarray, ranks: dict[int, int],
           products: dict[int, _ProductRow], exact: bool, k: int,
           views: dict[int, tuple[float, int]] | None = None) -> list[SearchResult]:
    id_list = ids.tolist()
    rows: list[_Candidate] = []
    if request.rerank and id_list:
        crops = _product_crops(catalog, id_list, model_version)
        text_terms = rr.terms(request.text)
        labels = rr.confirmed_label_matches(id_list, filters.label_values(), text_terms)
        primaries = _primary_crops(id_list)
        colour_weight = 0.0 if query.colour is None else fusion.colour_weight(model_version) \
            if request.colour_weight is None else float(request.colour_weight)
        if request.colour_weight is None and query.image is not None and query.image.source == "proposal" \
                and query.image.masked[:1] != [True]:  # a masked region's colour is the product's alone
            colour_weight *= rr.PROPOSAL_COLOUR_SHARE  # a scene region's colour mixes in its background
        colours = rr.crop_colours(catalog, [pc[0] for pc in primaries.values()]
                                  + [c.crop_id for cs in crops.values() for c in cs]) if colour_weight else {}
        # Every candidate's crops (its primary vector first) in one matrix, scored at once.
        owned = [crops.get(pid, []) for pid in id_list]
        starts = np.cumsum([0] + [1 + len(own) for own in owned])
        every = normalize(np.concatenate([primary[:len(id_list)]] + [np.stack([c.vector for c in own])
                                                                     for own in owned if own]))
        order = np.empty(len(every), dtype=np.int64)  # row of each candidate's block in `every`
        extra = len(id_list)
        for n, own in enumerate(owned):
            order[starts[n]] = n
            order[starts[n] + 1:starts[n + 1]] = np.arange(extra, extra + len(own))
            extra += len(own)
        every = every[order]
        img_all, txt_all, fused_all = rr.crop_scores(every, image_queries=query.image_vectors,
                                                     text_query=query.text_vector, alpha=query.alpha)
        regions = _region_colours(query) if colour_weight else None
        by_region = None
        if regions is not None:  # a scene: each region is a guess at the product, judged whole
            every_colour = [colours.get(c) for n, pid in enumerate(id_list)
                            for c in [primaries.get(pid, (None,))[0]] + [c.crop_id for c in owned[n]]]
            by_region = _region_scores(every, query, regions, every_colour, fused_all, img_all, colour_weight)
        if query.image is not None and query.image_vectors is not None and len(query.image.boxes) > 1:
            total = by_region[0] if by_region is not None else (
                query.alpha * (every @ query.image_vectors.T)
                + (fused_all - query.alpha * (img_all if img_all is not None else 0.0))[:, None])
            # Each product's score through each region: the best of its crops there (reduceat over the blocks).
            query.region_scores = (list(id_list), np.maximum.reduceat(total, starts[:-1], axis=0))
        for n, pid in enumerate(id_list):
            own = owned[n]
            block = slice(int(starts[n]), int(starts[n + 1]))
            vectors = every[block]
            region = None
            if by_region is not None:
                j, region, img, fused, cmatch = _best_region(by_region, block)
                txt = None if txt_all is None else float(txt_all[block][j])
            else:
                col = rr.colour_matches(_row_colour(query, vectors) if colour_weight else None,
                                        [colours.get(primaries.get(pid, (None,))[0])]
                                        + [colours.get(c.crop_id) for c in own])
                fused_here = fused_all[block]
                if col is not None and colour_weight:
                    fused_here = fused_here + query.alpha * colour_weight * np.nan_to_num(col, nan=0.0)
                j = int(np.argmax(fused_here))
                img = None if img_all is None else float(img_all[block][j])
                txt = None if txt_all is None else float(txt_all[block][j])
                fused = float(fused_here[j])
                cmatch = None if col is None or np.isnan(col[j]) else float(col[j])
            if j == 0:
                pc = primaries.get(pid)
                crop = ex.crop_dict(*pc, True) if pc else None
            else:
                c = own[j - 1]
                crop = ex.crop_dict(c.crop_id, c.image_id, c.box, c.is_primary)
            matched = labels.get(pid, [])
            fboost, fterms = rr.filter_boost(products[pid], text_terms)
            lboost = rr.label_boost(matched)
            rows.append(_Candidate(pid=pid, score=fused + lboost + fboost, image=img, text=txt, crop=crop,
                                   vector=vectors[j], primary_score=float(base[n]), labels=matched, terms=fterms,
                                   label_boost=lboost, filter_boost=fboost, colour=cmatch,
                                   colour_weight=query.alpha * colour_weight, region=region))
    else:
        primaries = _primary_crops(id_list[:k])
        seen = _view_crops([views[p][1] for p in id_list[:k] if views and p in views])
        for n, pid in enumerate(id_list[:k]):
            img = txt = None
            pc = primaries.get(pid)
            crop = ex.crop_dict(*pc, True) if pc else None
            if query.image_vectors is not None:
                img = float((query.image_vectors @ primary[n]).max())
                if views and pid in views and views[pid][0] > img and views[pid][1] in seen:
                    img, crop = float(views[pid][0]), seen[views[pid][1]]  # matched by another view
            if query.text_vector is not None:
                txt = float(query.text_vector @ primary[n])
            rows.append(_Candidate(pid=pid, score=float(base[n]), image=img, text=txt, crop=crop,
                                   vector=primary[n], primary_score=float(base[n])))
    if not rows:
        return []
    _text_scores(query, rows)
    scores = np.array([r.score for r in rows], dtype=np.float32)
    if request.diversity > 0:
        picked = rr.mmr(scores, np.stack([r.vector for r in rows]), k, float(request.diversity))
    else:
        # Ties keep retrieval order, so results are stable from one run to the next.
        # A SKU typed exactly goes first whatever the other scores say.
        picked = sorted(range(len(rows)), key=lambda i: (not _sku_exact(query, rows[i].pid), -rows[i].score,
                                                         ranks.get(rows[i].pid, 0)))[:k]
    out = []
    floor = fusion.weak_floor(catalog, model_version) if query.image_vectors is not None else None
    calibration = mt.calibration(catalog, model_version) if query.image_vectors is not None else None
    if query.lexical:  # which fields matched: for the results shown only
        lx.add_fields(query.text, [query.lexical[rows[i].pid] for i in picked if rows[i].pid in query.lexical],
                      query.understood)
    for i in picked:
        r = rows[i]
        p = products[r.pid]
        expl = ex.explanation(alpha=query.alpha, image_similarity=r.image, text_similarity=r.text,
                              label_boost=r.label_boost, filter_boost=r.filter_boost, matched_crop=r.crop,
                              query_box=_query_box(query, r.vector, r.region), matched_labels=r.labels,
                              matched_terms=r.terms,
                              retrieval_rank=ranks.get(r.pid), primary_score=r.primary_score,
                              exact=exact, reranked=request.rerank, colour_match=r.colour,
                              colour_weight=r.colour_weight, weak_floor=floor, text_relevance=r.text_relevance,
                              lexical=r.lexical, matched_fields=_fields(query, r.pid),
                              synonyms=_synonyms(query, r.pid),
                              sku_exact=_sku_exact(query, r.pid), filters=filters.to_dict())
        expl["query_masked"] = _query_masked(query, r.vector, r.region)
        if calibration is not None:
            expl["calibration"] = {k: calibration.get(k) for k in ("queries", "t_weak", "t_strong")}
        expl["match"] = mt.match(expl, calibration)
        expl["reasons"] = mt.reasons(expl, calibration)
        out.append(SearchResult(product_id=p.id, sku=p.sku, title=p.title, score=float(expl["score"]),
                                explanation=expl))
    return out


def _region_colours(query: _Query) -> list[np.ndarray | None] | None:
    """Each region's colour, for a scene query (several regions the localiser proposed), else None."""
    image = query.image
    if image is None or image.source != "proposal" or not image.colours or len(image.colours) < 2 \
            or len(image.colours) != len(query.image_vectors):
        return None
    return [signature_vector(c) for c in image.colours]


def _region_scores(vectors: np.ndarray, query: _Query, regions: list[np.ndarray | None], signatures: list,
                   fused: np.ndarray, img: np.ndarray, colour_weight: float) -> tuple[np.ndarray, ...]:
    """Every candidate crop against every query region of a scene, shape and colour both from that region.

    Each region is one guess at where the product is: scoring a product by the shape of one region and the
    colour of another (the top box's, say) would mix two objects. Returns (fused, image, colour), crops x regions.
    """
    from core.pipeline.colors import SIGNATURE_BINS, colour_similarity

    sims = vectors @ query.image_vectors.T
    rest = fused - query.alpha * img  # the text part, the same for every region
    have = np.array([s is not None for s in signatures], dtype=bool)
    rows = np.stack([np.zeros(SIGNATURE_BINS, np.float32) if s is None else s for s in signatures])
    colour = np.full(sims.shape, np.nan, dtype=np.float32)
    for r, sig in enumerate(regions):
        if sig is not None:
            colour[:, r] = np.where(have, colour_similarity(sig, rows), np.nan)
    total = query.alpha * (sims + colour_weight * np.nan_to_num(colour, nan=0.0)) + rest[:, None]
    return total, sims, colour


def _best_region(by_region: tuple[np.ndarray, ...], block: slice) -> tuple[int, int, float, float, float | None]:
    """One product's best (crop, region) pair from _region_scores: crop, region, image, fused, colour match."""
    total, sims, colour = (m[block] for m in by_region)
    j, r = (int(v) for v in np.unravel_index(int(np.argmax(total)), total.shape))
    return j, r, float(sims[j, r]), float(total[j, r]), None if np.isnan(colour[j, r]) else float(colour[j, r])


def _row_colour(query: _Query, vectors: np.ndarray) -> np.ndarray | None:
    """The query colour to compare a product with: of the query crop that matches its crops best, when an unsure
    detector made the query try several crops (each crop has its own object and colour), else the query's one."""
    if query.image is None or not query.image.colours or len(query.image.colours) != len(query.image_vectors):
        return query.colour
    row = int(np.argmax((vectors @ query.image_vectors.T).max(axis=0)))
    return signature_vector(query.image.colours[row])


def _view_crops(crop_ids: list[int]) -> dict[int, dict[str, Any]]:
    """crop id -> the explanation's crop dict, for products matched by a view other than their primary."""
    if not crop_ids:
        return {}
    rows = (db.Crop.with_deleted(db.Crop.id, db.Crop.image, db.Crop.x0, db.Crop.y0, db.Crop.x1, db.Crop.y1,
                                 db.Crop.is_primary).where(db.Crop.id.in_(crop_ids)).tuples())
    return {cid: ex.crop_dict(cid, image, (x0, y0, x1, y1), bool(primary))
            for cid, image, x0, y0, x1, y1, primary in rows}


def _text_scores(query: _Query, rows: list[_Candidate]) -> None:
    """Replace the CLIP-only text part of each row's score with the fused text relevance."""
    if not query.lexical:
        return
    lexical = _lexical_array(query, [r.pid for r in rows])
    clip = None
    if query.text_vector is not None:
        clip = np.array([r.text if r.text is not None else 0.0 for r in rows], dtype=np.float32)
    text = text_relevance(clip, lexical)
    for r, t, lex in zip(rows, text, lexical, strict=True):
        img = query.alpha * r.image if r.image is not None else 0.0
        r.text_relevance, r.lexical = float(t), float(lex)
        colour = r.colour_weight * r.colour if r.colour is not None else 0.0
        r.score = img + (1.0 - query.alpha) * float(t) + colour + r.label_boost + r.filter_boost


def _sku_exact(query: _Query, pid: int) -> bool:
    hit = query.lexical.get(pid)
    return bool(hit and hit.sku_exact)


def _synonyms(query: _Query, pid: int) -> list[str]:
    """The query words this product matched only through another word: ["trousers ≈ pants"]."""
    hit = query.lexical.get(pid)
    return [f"{said} ≈ {alt}" for said, alt in hit.via.items()] if hit else []


def _fields(query: _Query, pid: int) -> dict[str, list[str]]:
    hit = query.lexical.get(pid)
    return dict(hit.fields) if hit else {}


def _log(query: _Query, request: SearchRequest, filters: Filters, model_version: str,
         results: list[SearchResult], seconds: float) -> int | None:
    def write() -> int:
        row = db.QueryResult.create(
            kind=query.kind, text=request.text or "", image_hash=query.image_hash, filters=filters.to_dict(),
            alpha=query.alpha if query.kind == "hybrid" else None,
            result_ids=[r.product_id for r in results], scores=[round(r.score, 6) for r in results],
            latency_ms=round(seconds * 1000.0, 3), model_version=model_version)
        return row.id

    try:
        return db.transaction(write)
    except Exception:  # analytics must never cost the curator a search
        log.exception("could not log the query")
        return None
