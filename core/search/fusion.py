"""Calibrated score fusion for one model version: the colour weight (chosen by cross-validation) and the weak-match floor.

Both are recorded in the model version's row (VectorIndexInfo.model_settings["fusion"]), so an index and the
weights measured for it travel together and `eval --compare` compares versions as they are really used.

- colour weight: how much the colour match counts next to the image cosine (core.search.rerank). Chosen by
  k-fold cross-validation over a queries file: for each fold, the weight with the best MRR on the other folds
  is scored on the fold; the cross-validated MRR says what to expect on new queries, and the weight recorded
  is the one best on all of them. Parent garments never straddle folds (a query and its colour variants stay
  together), so the estimate is not flattered by near-copies.
- weak-match floor: a result whose image cosine is below WEAK_PERCENTILE of the cosines between random pairs
  of the catalog's own products is no nearer than unrelated products often are. Measured on the catalog, not
  on answers, so it needs no labelled queries and follows the catalog as it grows.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from core.catalog import db

WEAK_PERCENTILE = 95.0
FLOOR_SAMPLE = 1500  # products sampled for the floor: ~1.1M pairs, a few ms
COLOUR_GRID = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.4, 2.0, 3.0, 5.0)
_FLOORS: dict[tuple[str, str, int], float] = {}
_LOCK = threading.Lock()


def fusion_settings(model_version: str) -> dict[str, Any]:
    info = db.VectorIndexInfo.get_or_none(db.VectorIndexInfo.model_version == model_version)
    return dict((info.model_settings or {}).get("fusion") or {}) if info else {}


def colour_weight(model_version: str) -> float:
    """The recorded colour weight of this model version, else the default chosen on the dev sample."""
    from core.search.rerank import COLOUR_WEIGHT

    value = fusion_settings(model_version).get("colour_weight")
    return COLOUR_WEIGHT if value is None else float(value)


def record(model_version: str, **values: Any) -> dict[str, Any]:
    """Merge values into the model version's fusion record and return it."""
    def write() -> dict[str, Any]:
        info = db.VectorIndexInfo.get(db.VectorIndexInfo.model_version == model_version)
        settings = dict(info.model_settings or {})
        settings["fusion"] = {**(settings.get("fusion") or {}), **values}
        info.model_settings = settings
        info.save()
        return settings["fusion"]
    return db.transaction(write)


def weak_floor(catalog, model_version: str) -> float | None:
    """The image cosine below which a result is a weak match (None for an index too small to say)."""
    try:
        store = catalog.vector_store(model_version)
    except FileNotFoundError:
        return None
    size = len(store.keys())
    key = (str(catalog.root), model_version, size)
    with _LOCK:
        if key in _FLOORS:
            return _FLOORS[key]
    floor = floor_from_vectors(store.get(store.keys())[1])
    with _LOCK:
        _FLOORS[key] = floor
    return floor


def floor_from_vectors(vectors: np.ndarray, percentile: float = WEAK_PERCENTILE) -> float | None:
    if len(vectors) < 3:
        return None
    rng = np.random.default_rng(0)
    if len(vectors) > FLOOR_SAMPLE:
        vectors = vectors[rng.choice(len(vectors), FLOOR_SAMPLE, replace=False)]
    v = np.asarray(vectors, np.float32)
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    sims = (v @ v.T)[np.triu_indices(len(v), k=1)]
    return round(float(np.percentile(sims, percentile)), 4)


# --- choosing the colour weight -------------------------------------------------------------------------
def group_of(item: dict[str, Any]) -> str:
    """A query's garment: its relevant and related names together (a parent and all its colours)."""
    return min(str(x).lower() for x in list(item.get("relevant", [])) + list(item.get("related", [])))


def in_holdout(item: dict[str, Any], share_sixteenths: int = 4) -> bool:
    """A fixed quarter of garments (by hash, not by answers) kept aside from tuning, to report on."""
    return int(hashlib.sha1(group_of(item).encode()).hexdigest()[0], 16) < share_sixteenths


def cross_validate(scores: dict[float, Sequence[float]], groups: Sequence[str], folds: int = 5
                   ) -> dict[str, Any]:
    """scores[w][i]: query i's metric with weight w. Returns the chosen weight and the cross-validated metric."""
    weights = sorted(scores)
    n = len(groups)
    fold_of_group = {g: int(hashlib.sha1(g.encode()).hexdigest(), 16) % folds for g in sorted(set(groups))}
    fold = np.array([fold_of_group[g] for g in groups])
    table = np.array([scores[w] for w in weights], np.float64)  # weights x queries
    held_out = np.zeros(n)
    chosen_per_fold = []
    for f in range(folds):
        test = fold == f
        if not test.any():
            continue
        train = ~test
        best = int(np.argmax(table[:, train].mean(axis=1))) if train.any() else 0
        chosen_per_fold.append(weights[best])
        held_out[test] = table[best, test]
    overall = int(np.argmax(table.mean(axis=1)))
    return {"colour_weight": weights[overall], "cv_metric": round(float(held_out.mean()), 4),
            "fold_weights": chosen_per_fold, "folds": folds,
            "by_weight": {str(w): round(float(table[i].mean()), 4) for i, w in enumerate(weights)}}


def tune_colour_weight(run_queries: Callable[[float], list[float]], groups: Sequence[str],
                       grid: Sequence[float] = COLOUR_GRID, folds: int = 5) -> dict[str, Any]:
    """Run the queries once per weight (run_queries(w) -> per-query metric) and cross-validate."""
    return cross_validate({float(w): run_queries(float(w)) for w in grid}, groups, folds)
