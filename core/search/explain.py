"""Explanations: why a product is where it is, as a dict whose parts add up to its score.

    score = parts.image_similarity + parts.text_similarity + parts.label_boost + parts.filter_boost
            + parts.colour_match

where the similarity parts are already weighted (alpha * image cosine, (1 - alpha) * text cosine,
alpha * colour weight * colour match); the raw values are under "similarity". "weak_match" is true when the
image cosine is below the catalog's calibrated floor (core.search.fusion.weak_floor): no nearer than an
unrelated product usually is. With diversity > 0 the order follows MMR, while each score
stays the relevance score above.
"""

from __future__ import annotations

from typing import Any

PARTS = ("image_similarity", "text_similarity", "label_boost", "filter_boost", "colour_match")


def _r(x: float | None, digits: int = 6) -> float | None:
    return None if x is None else round(float(x), digits)


def explanation(*, alpha: float, image_similarity: float | None, text_similarity: float | None,
                label_boost: float, filter_boost: float, matched_crop: dict | None,
                query_box: tuple[float, ...] | None, matched_labels: list[str], matched_terms: list[str],
                retrieval_rank: int | None, primary_score: float | None, exact: bool,
                reranked: bool, colour_match: float | None = None, colour_weight: float = 0.0,
                weak_floor: float | None = None) -> dict[str, Any]:
    parts = {
        "image_similarity": alpha * image_similarity if image_similarity is not None else 0.0,
        "text_similarity": (1.0 - alpha) * text_similarity if text_similarity is not None else 0.0,
        "label_boost": float(label_boost),
        "filter_boost": float(filter_boost),
        "colour_match": colour_weight * colour_match if colour_match is not None else 0.0,
    }
    weak = image_similarity is not None and weak_floor is not None and image_similarity < weak_floor
    return {
        "score": _r(sum(parts.values())),
        "parts": {k: _r(v) for k, v in parts.items()},
        "similarity": {"image": _r(image_similarity), "text": _r(text_similarity), "colour": _r(colour_match)},
        "weak_match": bool(weak),
        "weak_floor": _r(weak_floor),
        "alpha": _r(alpha, 4),
        "matched_crop": matched_crop,
        "query_box": None if query_box is None else [round(float(v), 1) for v in query_box],
        "matched_labels": matched_labels,
        "matched_terms": matched_terms,
        "retrieval": {"rank": retrieval_rank, "primary_score": _r(primary_score), "exact": bool(exact),
                      "reranked": bool(reranked)},
    }


def crop_dict(crop_id: int | None, image_id: int | None, box, is_primary: bool) -> dict | None:
    if crop_id is None and box is None:
        return None
    return {"crop_id": crop_id, "image_id": image_id,
            "box": None if box is None else [round(float(v), 1) for v in box], "is_primary": bool(is_primary)}


def describe(expl: dict[str, Any]) -> str:
    """One line for the CLI or a tooltip."""
    parts = ", ".join(f"{k.replace('_', ' ')} {v:+.3f}" for k, v in expl["parts"].items() if v)
    crop = expl.get("matched_crop") or {}
    where = f" (crop {crop.get('crop_id')}{', primary' if crop.get('is_primary') else ''})" if crop else ""
    return f"{expl['score']:.3f} = {parts or '0'}{where}; {in_words(expl)}"


def in_words(expl: dict[str, Any]) -> str:
    """What matched, in a curator's words: "weak match; shape 0.62, colour match 0.91, words: blue"."""
    sim = expl.get("similarity") or {}
    said = []
    if sim.get("image") is not None:
        said.append(f"shape {sim['image']:.2f}")
    if sim.get("colour") is not None:
        said.append(f"colour match {sim['colour']:.2f}")
    if sim.get("text") is not None:
        said.append(f"text {sim['text']:.2f}")
    if expl.get("matched_terms"):
        said.append("words: " + ", ".join(expl["matched_terms"]))
    if expl.get("matched_labels"):
        said.append("labels: " + ", ".join(expl["matched_labels"]))
    return ("weak match; " if expl.get("weak_match") else "") + (", ".join(said) or "no similarity measured")
