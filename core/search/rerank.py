"""Re-ranking of the nearest candidates: best crop match, curator-label and attribute boosts, MMR diversity.

The index holds one vector a product (its primary crop); a query can match a product's other view
better (a back view, a detail). For the top candidates we score every accepted crop's cached vector
and keep the best. Boosts are small additive terms so that similarity still dominates:

- label boost: LABEL_BOOST for each curator-confirmed label (Label.confirmed, or source "curator")
  whose value is one the query filters on or a word of the query text, at most LABEL_BOOST_CAP;
- filter boost: FILTER_BOOST for each query word found in the product's category path or attribute
  values (a soft filter: "blue duffle" prefers products whose colour attribute says Blue), at most
  FILTER_BOOST_CAP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from core.catalog import db

LABEL_BOOST = 0.03
LABEL_BOOST_CAP = 0.06
FILTER_BOOST = 0.02
FILTER_BOOST_CAP = 0.04
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
    if not text:
        return set()
    words = (w for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in _STOP)
    return {_stem(w) for w in words}


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def best_crop(vectors: np.ndarray, *, image_queries: np.ndarray | None, text_query: np.ndarray | None,
              alpha: float) -> tuple[int, float | None, float | None, float]:
    """Index of the crop with the best fused score, its image and text similarities and the fused score.

    `image_queries` may hold several rows (a "more like this" product brings all its crops):
    a crop's image similarity is its best match among them.
    """
    fused = np.zeros(len(vectors), dtype=np.float32)
    img = txt = None
    if image_queries is not None:
        img = (vectors @ np.atleast_2d(image_queries).T).max(axis=1)
        fused += alpha * img
    if text_query is not None:
        txt = vectors @ text_query
        fused += (1.0 - alpha) * txt
    j = int(np.argmax(fused))
    return (j, None if img is None else float(img[j]), None if txt is None else float(txt[j]), float(fused[j]))


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
        if low in wanted_values or (terms(low) and terms(low) <= text_terms):
            tag = f"{vocab}:{value}"
            if tag not in out.setdefault(pid, []):
                out[pid].append(tag)
    return out


def label_boost(matches: list[str]) -> float:
    return min(LABEL_BOOST * len(matches), LABEL_BOOST_CAP)


def attribute_terms(product: db.Product) -> set[str]:
    words: set[str] = set(terms(product.category.replace("/", " ")))
    attributes = product.attributes or {}
    for value in (attributes.values() if isinstance(attributes, dict) else [attributes]):
        if isinstance(value, list | tuple):
            value = " ".join(str(v) for v in value)
        words |= terms(str(value))
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
