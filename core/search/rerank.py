"""Re-ranking of the nearest candidates: best crop match, colour match, curator-label and attribute boosts, MMR.

The product index holds one vector a product (its primary crop) and the crop index every accepted view
(core.catalog.crop_index), so candidates arrive by their nearest view; a query can match a product's other
view better (a back view, a detail). For the top candidates we score every accepted crop's cached vector
and keep the best. Boosts are small additive terms so that similarity still dominates:

- label boost: LABEL_BOOST for each curator-confirmed label (Label.confirmed, or source "curator")
  whose value is one the query filters on or a word of the query text, at most LABEL_BOOST_CAP;
- filter boost: FILTER_BOOST for each query word found in the product's category path or attribute
  values (a soft filter: "blue duffle" prefers products whose colour attribute says Blue), at most
  FILTER_BOOST_CAP.

Colour: the embedder sees shape far better than hue (a back view of the same jacket in red and in navy are
nearer than front and back of one jacket), so an image query's foreground Lab histogram is compared with each
crop's (Bhattacharyya coefficient, 0..1) and the crop's score becomes

    alpha * image cosine + (1 - alpha) * text cosine + alpha * colour_weight * colour match.

colour_weight is chosen by cross-validation (core.search.fusion) and recorded with the model version; the
default COLOUR_WEIGHT is what 5-fold cross-validation chose on the dev sample (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from core.catalog import db

LABEL_BOOST = 0.03
LABEL_BOOST_CAP = 0.06
FILTER_BOOST = 0.02
FILTER_BOOST_CAP = 0.04
COLOUR_WEIGHT = 5.0  # 5-fold CV on magento-dev queries (tuning split), docs/PERFORMANCE.md
PROPOSAL_COLOUR_SHARE = 0.5  # of it for localiser-proposed regions: chosen on the tuning half of dev wild/
_STOP = {"the", "and", "with", "for", "from", "into", "this", "that", "product", "photo", "image", "picture"}
_WORD = re.compile(r"[a-z0-9]+")


@dataclass
class CropMatch:
    image_similarity: float | None
    text_similarity: float | None
    fused: float  # alpha * image + (1 - alpha) * text, with absent parts as 0
    crop_id: int | None
    image_id: int | None
    box: tuple[float, ...] | None
    is_primary: bool
    vector: np.ndarray


def terms(text: str | None) -> set[str]:
    """Content words of a query, lower-case, a trailing plural 's' dropped."""
    return set(_terms(text)) if text else set()


@functools.lru_cache(maxsize=1 << 15)
def _terms(text: str) -> frozenset[str]:
    """terms() of one string, remembered: a search asks for the same category and attribute values (a colour,
    a material) of ~100 candidates, and catalogs repeat them from product to product."""
    words = (w for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in _STOP)
    return frozenset(_stem(w) for w in words)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def best_crop(vectors: np.ndarray, *, image_queries: np.ndarray | None, text_query: np.ndarray | None,
              alpha: float, colour: np.ndarray | None = None, colour_weight: float = 0.0
              ) -> tuple[int, float | None, float | None, float]:
    """Index of the crop with the best fused score, its image and text similarities and the fused score.

    `image_queries` may hold several rows (a "more like this" product brings all its crops):
    a crop's image similarity is its best match among them. `colour` holds each crop's colour match
    (NaN where a crop has no signature), weighted by alpha * colour_weight.
    """
    img, txt, fused = crop_scores(vectors, image_queries=image_queries, text_query=text_query, alpha=alpha)
    if colour is not None and colour_weight:
        fused = fused + alpha * colour_weight * np.nan_to_num(colour, nan=0.0)
    j = int(np.argmax(fused))
    return (j, None if img is None else float(img[j]), None if txt is None else float(txt[j]), float(fused[j]))


def crop_scores(vectors: np.ndarray, *, image_queries: np.ndarray | None, text_query: np.ndarray | None,
                alpha: float) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray]:
    """Image and text similarity and their fused score for every row of `vectors` at once (a search scores
    the crops of all its candidates in one product of matrices, then picks each product's best)."""
    fused = np.zeros(len(vectors), dtype=np.float32)
    img = txt = None
    if image_queries is not None:
        img = (vectors @ np.atleast_2d(image_queries).T).max(axis=1)
        fused += alpha * img
    if text_query is not None:
        txt = vectors @ text_query
        fused += (1.0 - alpha) * txt
    return img, txt, fused


def crop_colours(catalog, crop_ids: Iterable[int]) -> dict[int, np.ndarray]:
    """crop id -> dense colour signature; crops measured before schema 6 (or by an older version) are measured
    now from their image and stored, so an upgraded catalog needs no re-index."""
    from core.pipeline.colors import colour_signature, signature_vector
    from core.pipeline.decode import decode

    ids = sorted(set(crop_ids))
    out: dict[int, np.ndarray] = {}
    stale: list[tuple[int, str, tuple[float, float, float, float]]] = []
    for chunk in db.chunked(ids, 500):
        rows = (db.Crop.select(db.Crop.id, db.Crop.colour, db.ImageFile.blob_path, db.Crop.x0, db.Crop.y0,
                               db.Crop.x1, db.Crop.y1).join(db.ImageFile).where(db.Crop.id.in_(chunk)).tuples())
        for crop_id, colour, blob, *box in rows:
            vec = signature_vector(colour)
            if vec is not None:
                out[crop_id] = vec
            elif blob:
                stale.append((crop_id, blob, tuple(box)))
    fresh: list[tuple[int, dict]] = []
    for crop_id, blob, box in stale:
        try:
            signature = colour_signature(decode(catalog.root / blob), box)
        except Exception:  # an unreadable blob costs this crop its colour match, not the search
            continue
        out[crop_id] = signature_vector(signature)
        fresh.append((crop_id, signature))
    if fresh:
        def write() -> None:
            for crop_id, signature in fresh:
                db.Crop.update(colour=signature).where(db.Crop.id == crop_id).execute()
        with contextlib.suppress(Exception):  # a read-only or busy catalog: measured again next time
            db.transaction(write)
    return out


def colour_matches(query: np.ndarray | None, signatures: list[np.ndarray | None]) -> np.ndarray | None:
    """Colour match of each crop with the query (NaN for a crop without a signature), or None without a query colour."""
    from core.pipeline.colors import colour_similarity

    if query is None:
        return None
    return np.array([np.nan if s is None else float(colour_similarity(query, s)[0]) for s in signatures],
                    dtype=np.float32)


def confirmed_label_matches(product_ids: Iterable[int], wanted_values: set[str], text_terms: set[str]
                            ) -> dict[int, list[str]]:
    """Curator-confirmed labels of these products that match the query's label filters or words."""
    ids = list(product_ids)
    if not ids or not (wanted_values or text_terms):
        return {}
    L = db.Label
    rows = (L.select(L.product, L.vocabulary, L.value)
            .where(L.product.in_(ids) & ((L.confirmed == True) | (L.source == "curator")))  # noqa: E712
            .tuples())
    out: dict[int, list[str]] = {}
    for pid, vocab, value in rows:
        low = str(value).lower()
        if low in wanted_values or (_terms(low) and _terms(low) <= text_terms):
            tag = f"{vocab}:{value}"
            if tag not in out.setdefault(pid, []):
                out[pid].append(tag)
    return out


def label_boost(matches: list[str]) -> float:
    return min(LABEL_BOOST * len(matches), LABEL_BOOST_CAP)


def attribute_terms(product: db.Product) -> set[str]:
    words: set[str] = set(_terms(product.category.replace("/", " ")))
    attributes = product.attributes or {}
    for value in (attributes.values() if isinstance(attributes, dict) else [attributes]):
        if isinstance(value, list | tuple):
            value = " ".join(str(v) for v in value)
        words |= _terms(str(value))
    return words


def filter_boost(product: db.Product, text_terms: set[str]) -> tuple[float, list[str]]:
    if not text_terms:
        return 0.0, []
    hit = sorted(text_terms & attribute_terms(product))
    return min(FILTER_BOOST * len(hit), FILTER_BOOST_CAP), hit


def mmr(scores: np.ndarray, vectors: np.ndarray, k: int, diversity: float) -> list[int]:
    """Maximal marginal relevance: indices in pick order, trading score for novelty by `diversity` (0..1).

    Each step picks argmax (1 - diversity) * score - diversity * max cosine to what is already picked.
    diversity=0 is the plain score order.
    """
    n = len(scores)
    k = min(k, n)
    if diversity <= 0 or n <= 1:
        return [int(i) for i in np.argsort(-scores, kind="stable")[:k]]
    lam = 1.0 - float(min(diversity, 1.0))
    vecs = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    picked: list[int] = []
    max_sim = np.full(n, -np.inf, dtype=np.float32)
    available = np.ones(n, dtype=bool)
    for _ in range(k):
        penalty = np.where(np.isfinite(max_sim), max_sim, 0.0)
        value = lam * scores - (1.0 - lam) * penalty
        value = np.where(available, value, -np.inf)
        i = int(np.argmax(value))
        picked.append(i)
        available[i] = False
        max_sim = np.maximum(max_sim, vecs @ vecs[i])
    return picked
