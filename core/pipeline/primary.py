"""Primary crop selection: which accepted crop stands for the product in the vector index."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Weights of the blended score; text similarity dominates when a text model is present.
W_TEXT = 0.7
W_CONSISTENCY = 0.5
W_FIRST_IMAGE = 0.2  # a catalog's first photo is its hero shot; it breaks ties without a text model


@dataclass
class PrimaryChoice:
    index: int  # position in the candidate list
    scores: list[float]  # blended score per candidate
    parts: list[dict[str, float]]  # the parts of each score, for explanations
    margin: float  # best minus second best: small margins go to the review queue
    method: str  # "text", "consistency" or "single"


def select_primary(vectors: np.ndarray, *, confidences: list[float], area_shares: list[float],
                   text_vector: np.ndarray | None = None, positions: list[int] | None = None) -> PrimaryChoice:
    """Score each accepted crop; with a product text vector, against the text, else by agreement."""
    n = len(vectors)
    if n == 0:
        raise ValueError("no accepted crop to choose from")
    conf = np.clip(np.asarray(confidences, dtype=np.float32), 0.0, 1.0)
    size = np.sqrt(np.clip(np.asarray(area_shares, dtype=np.float32), 0.0, 1.0))
    first = np.asarray([1.0 if p == 0 else 0.0 for p in (positions or [0] * n)], dtype=np.float32)
    if text_vector is not None:
        sims = vectors @ np.asarray(text_vector, dtype=np.float32)
        # CLIP image-text cosines live in a narrow band; rescale so the spread among crops matters.
        main = _minmax(sims)
        method, key, weight = "text", "text_similarity", W_TEXT
    elif n > 2:  # with two crops agreement is symmetric and says nothing
        gram = vectors @ vectors.T
        sims = (gram.sum(axis=1) - np.diag(gram)) / (n - 1)
        # Raw agreement, not rescaled: a small lead in agreement should not outvote the hero shot.
        main = np.clip(sims, 0.0, 1.0).astype(np.float32)
        method, key, weight = "consistency", "consistency", W_CONSISTENCY
    elif n == 2:
        sims = np.full(2, float(vectors[0] @ vectors[1]), dtype=np.float32)
        main = np.zeros(2, dtype=np.float32)
        method, key, weight = "consistency", "consistency", W_CONSISTENCY
    else:
        sims = np.ones(1, dtype=np.float32)
        main = sims
        method, key, weight = "single", "consistency", W_CONSISTENCY
    prior = 0.0 if method == "text" else W_FIRST_IMAGE
    rest = (1.0 - weight - prior) / 2
    scores = weight * main + rest * conf + rest * size + prior * first
    parts = [{key: float(sims[i]), "detection_confidence": float(conf[i]), "size": float(size[i]),
              "first_image": float(first[i]), "score": float(scores[i])} for i in range(n)]
    order = np.argsort(-scores, kind="stable")
    margin = float(scores[order[0]] - scores[order[1]]) if n > 1 else 1.0
    return PrimaryChoice(index=int(order[0]), scores=[float(s) for s in scores], parts=parts, margin=margin,
                         method=method)


def _minmax(x: np.ndarray) -> np.ndarray:
    span = float(x.max() - x.min())
    if span < 1e-6:
        return np.ones_like(x, dtype=np.float32)
    return ((x - x.min()) / span).astype(np.float32)
