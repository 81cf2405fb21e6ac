"""Match scores a curator can read: one 0-100 % per result with a word (strong / good / weak), calibrated on
the catalog's own views, and the reasons in words on the same scale.

Calibration (per catalog and model version): every product photographed from more than one side gives
hold-out queries for free. Each view that is not the product's primary crop is searched against every other
crop of the catalog (its own crop left out, as an unseen photo would be), products scored by their best view
as search does. The #1 result is right when it is the view's own product. Two image cosines are then fitted:

- t_weak: at most WEAK_SHARE of right #1 results fall below it (a right answer is rarely called weak);
- t_strong: at most STRONG_SHARE of wrong #1 results reach it (a wrong answer is rarely called strong).

The match percent is a fixed, monotone reading of the image cosine on that calibration: the catalog's
random-pair floor (core.search.fusion.weak_floor) reads 0 %, t_weak 50 %, t_strong 80 %, a cosine of 1.0 100 %
(linear between). So "weak" is below 50 %, "good" 50-79 %, "strong" 80 % and up, in every catalog. A result
whose colours share less than SAME_COLOUR with the query's is at most good (79 %): same shape, other colour.

A query without a photo (words only) has no cosine to read: its percent is the text relevance (core.search.
query's fused lexical and CLIP relevance, 0-1) and its word is strong for a SKU typed exactly, good when words
matched a field, weak otherwise. That scale is not calibrated on the catalog (it has no held-out text queries).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from core.catalog import db

WEAK_SHARE = 0.10
STRONG_SHARE = 0.10
MIN_EACH = 5  # right and wrong #1 results needed to fit a threshold from them
MAX_QUERIES = 2000  # views sampled as queries on a large catalog
WEAK_PERCENT, STRONG_PERCENT = 50, 80
# A photo match is strong only when its colours agree too: the embedders see a red and a blue tee of one cut as
# nearly the same vector (core.search.duplicates). Half the colour mass in common, chosen a priori, not fitted.
SAME_COLOUR = 0.5
METHOD = "views-holdout-1"
_CACHE: dict[tuple[str, str, int], dict[str, Any]] = {}
_LOCK = threading.Lock()


def word_for(percent: float) -> str:
    return "strong" if percent >= STRONG_PERCENT else "good" if percent >= WEAK_PERCENT else "weak"


def percent_of(cosine: float, calibration: dict[str, Any]) -> int:
    """The image cosine read on the calibration: 0 % at the floor, 50 at t_weak, 80 at t_strong, 100 at 1."""
    lo, weak, strong = calibration["floor"], calibration["t_weak"], calibration["t_strong"]
    lo = min(lo, weak - 1e-3)
    strong = max(strong, weak)
    xs = [lo, weak, strong + 1e-9, max(1.0, strong + 2e-9)]
    ys = [0.0, WEAK_PERCENT, STRONG_PERCENT, 100.0]
    return int(round(float(np.interp(cosine, xs, ys))))


def fit(right: list[float], wrong: list[float], floor: float | None) -> dict[str, Any]:
    """The two thresholds from the #1 cosines of right and wrong hold-out answers (module docstring)."""
    right_s, wrong_s = sorted(right), sorted(wrong)
    base = floor if floor is not None else (float(np.percentile(wrong_s, 50)) if wrong_s else 0.5)
    # fewer than WEAK_SHARE of the right answers lie below t_weak
    t_weak = right_s[int(np.floor(WEAK_SHARE * len(right_s)))] if len(right_s) >= MIN_EACH else base
    if len(wrong_s) >= MIN_EACH:  # at most STRONG_SHARE of the wrong answers reach t_strong
        allowed = int(np.floor(STRONG_SHARE * len(wrong_s)))
        t_strong = min(wrong_s[len(wrong_s) - allowed - 1] + 1e-6, 1.0)
    else:  # (nearly) no wrong answers to learn from: strong from the middle of the right ones
        t_strong = right_s[len(right_s) // 2] if right_s else max(t_weak, base)
    t_strong = max(t_strong, t_weak)
    lo = base if base < t_weak else t_weak - 0.1
    return {"method": METHOD, "floor": round(float(lo), 4), "t_weak": round(float(t_weak), 4),
            "t_strong": round(float(t_strong), 4), "queries": len(right_s) + len(wrong_s), "right": len(right_s),
            "wrong": len(wrong_s),
            "right_called_weak": _share(right_s, lambda s: s < t_weak),
            "wrong_called_strong": _share(wrong_s, lambda s: s >= t_strong)}


def _share(values: list[float], test) -> float | None:
    return round(sum(1 for v in values if test(v)) / len(values), 4) if values else None


def holdout_cosines(catalog, model_version: str) -> tuple[list[float], list[float], int]:
    """(#1 cosines of right answers, of wrong answers, crops in the index) from the catalog's own views."""
    from core.catalog import crop_index

    if not crop_index.file_exists(catalog, model_version):
        return [], [], 0
    store = catalog.crop_store(model_version)
    keys, vectors = store.get(store.keys())
    if len(keys) < 3:
        return [], [], len(keys)
    owners = crop_index.products_of(keys.tolist())
    primary = {c for (c,) in db.Crop.select(db.Crop.id).where(
        (db.Crop.is_primary == True) & db.Crop.id.in_(keys.tolist())).tuples()}  # noqa: E712
    keep = np.array([int(k) in owners for k in keys])
    keys, vectors = keys[keep], np.asarray(vectors[keep], np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    product = np.array([owners[int(k)] for k in keys])
    order = np.argsort(product, kind="stable")
    keys, vectors, product = keys[order], vectors[order], product[order]
    starts = np.flatnonzero(np.r_[True, product[1:] != product[:-1]])
    ids = product[starts]
    queries = [n for n, k in enumerate(keys) if int(k) not in primary]
    if len(queries) > MAX_QUERIES:
        queries = sorted(np.random.default_rng(0).choice(queries, MAX_QUERIES, replace=False).tolist())
    right: list[float] = []
    wrong: list[float] = []
    for start in range(0, len(queries), 256):
        batch = queries[start:start + 256]
        sims = vectors[batch] @ vectors.T
        sims[np.arange(len(batch)), batch] = -np.inf  # the view itself is the unseen photo
        best = np.maximum.reduceat(sims, starts, axis=1)  # each product by its best view
        top = np.argmax(best, axis=1)
        for row, n in enumerate(batch):
            if not np.isfinite(best[row, top[row]]):
                continue
            (right if ids[top[row]] == product[n] else wrong).append(float(best[row, top[row]]))
    return right, wrong, len(keys)


def calibration(catalog, model_version: str) -> dict[str, Any] | None:
    """The catalog's calibration for this model version: the recorded one while the crop index has not changed
    size, else fitted now (a few ms for the dev catalog) and kept for this process. Reads never write: an index
    job records it (record_calibration). None for an index too small to say."""
    from core.search import fusion

    try:
        store = catalog.crop_store(model_version)
        size = len(store.keys())
    except (FileNotFoundError, OSError, ValueError):
        size = 0
    recorded = fusion.fusion_settings(model_version).get("match")
    if recorded and recorded.get("method") == METHOD and recorded.get("crops") == size:
        return recorded
    key = (str(catalog.root), model_version, size)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    fitted = fit_calibration(catalog, model_version)
    with _LOCK:
        _CACHE[key] = fitted
    return fitted


def fit_calibration(catalog, model_version: str) -> dict[str, Any] | None:
    from core.search.fusion import weak_floor

    right, wrong, size = holdout_cosines(catalog, model_version)
    floor = weak_floor(catalog, model_version)
    if not right and not wrong and floor is None:
        return None
    if not right and not wrong:  # no second views: the floor alone (strong from halfway to 1)
        out = {"method": METHOD, "floor": round(floor - 0.1, 4), "t_weak": floor,
               "t_strong": round(floor + (1 - floor) / 2, 4), "queries": 0, "right": 0, "wrong": 0,
               "right_called_weak": None, "wrong_called_strong": None}
    else:
        out = fit(right, wrong, floor)
    out["crops"] = size
    return out


def record_calibration(catalog, model_version: str) -> dict[str, Any] | None:
    """Fit and record the calibration in the model version's fusion record (after an index job)."""
    from core.search import fusion

    fitted = fit_calibration(catalog, model_version)
    if fitted is not None:
        fusion.record(model_version, match=fitted)
    return fitted


def match(expl: dict[str, Any], calibration: dict[str, Any] | None) -> dict[str, Any]:
    """{"percent", "word", "basis"} for one result's explanation."""
    sim = expl.get("similarity") or {}
    image = sim.get("image")
    if image is not None and calibration is not None:
        percent = percent_of(float(image), calibration)
        colour = sim.get("colour")
        if colour is not None and colour < SAME_COLOUR and percent >= STRONG_PERCENT:
            percent = STRONG_PERCENT - 1  # the shape agrees, the colour does not: a variant, not the product
        return {"percent": percent, "word": word_for(percent), "basis": "photo"}
    if image is not None:  # no calibration (a tiny index): the raw cosine, plainly
        percent = int(round(max(0.0, min(1.0, float(image))) * 100))
        return {"percent": percent, "word": word_for(percent), "basis": "photo"}
    relevance = sim.get("text_relevance", sim.get("text"))
    percent = int(round(max(0.0, min(1.0, float(relevance or 0.0))) * 100))
    if expl.get("sku_exact"):
        word, percent = "strong", max(percent, STRONG_PERCENT)
    elif expl.get("matched_fields") or expl.get("matched_labels"):
        word = "good"
    else:
        word = "weak"
    return {"percent": percent, "word": word, "basis": "words"}


_FIELDS = {"sku": "SKU", "title": "title words", "description": "description words", "category": "category",
           "attributes": "attributes", "labels": "labels"}


def reasons(expl: dict[str, Any], calibration: dict[str, Any] | None) -> list[str]:
    """Why, in words, every number on the match scale: "shape 76 %", "same colour 97 %", "title words: backpack".
    Only what applies: nothing at 0."""
    out: list[str] = []
    sim = expl.get("similarity") or {}
    image = sim.get("image")
    if image is not None:
        percent = percent_of(float(image), calibration) if calibration else int(round(max(0.0, image) * 100))
        crop = expl.get("matched_crop") or {}
        view = " (another view of it)" if crop and crop.get("is_primary") is False else ""
        out.append(f"shape {percent} %{view}")
    colour = sim.get("colour")
    if colour is not None:
        percent = int(round(max(0.0, min(1.0, float(colour))) * 100))
        if percent >= 90:
            out.append(f"same colour {percent} %")
        elif percent > 0:
            out.append(f"colour {percent} %")
    if expl.get("sku_exact"):
        out.append("the SKU typed exactly")
    for column, found in (expl.get("matched_fields") or {}).items():
        if found:
            out.append(f"{_FIELDS.get(column, column)}: {', '.join(found)}")
    if expl.get("matched_labels"):
        out.append("labels a curator confirmed: " + ", ".join(expl["matched_labels"]))
    if expl.get("matched_terms") and (expl.get("parts") or {}).get("filter_boost"):
        out.append("category or attributes: " + ", ".join(expl["matched_terms"]))
    if expl.get("filters"):
        out.append("passes the filters: " + ", ".join(
            f"{k} {v if isinstance(v, str) else ' or '.join(map(str, v))}" for k, v in expl["filters"].items()))
    return out


def details(expl: dict[str, Any]) -> list[str]:
    """The numbers behind the words, for the Details fold (and the CLI)."""
    sim = expl.get("similarity") or {}
    lines = []
    if sim.get("image") is not None:
        lines.append(f"image cosine {sim['image']:.3f}")
    if sim.get("colour") is not None:
        lines.append(f"colour match {sim['colour']:.3f}")
    if sim.get("text") is not None:
        lines.append(f"text cosine {sim['text']:.3f}")
    if sim.get("text_relevance") is not None:
        lines.append(f"text relevance {sim['text_relevance']:.3f}")
    parts = {k: v for k, v in (expl.get("parts") or {}).items() if v}
    if parts:
        lines.append("score " + " + ".join(f"{k.replace('_', ' ')} {v:.3f}" for k, v in parts.items())
                     + f" = {expl.get('score', 0):.3f}")
    if expl.get("alpha") is not None:
        lines.append(f"photo/words balance (alpha) {expl['alpha']}")
    cal = expl.get("calibration") or {}
    if cal:
        lines.append(f"calibrated on {cal.get('queries', 0)} views of this catalog: weak below cosine "
                     f"{cal.get('t_weak')}, strong from {cal.get('t_strong')}")
    retrieval = expl.get("retrieval") or {}
    if retrieval.get("rank") is not None:
        lines.append(f"found at #{retrieval['rank'] + 1} before re-ranking")
    return lines
