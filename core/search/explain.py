"""Explanations: why a product is where it is, as a dict whose parts add up to its score.

    score = parts.image_similarity + parts.text_similarity + parts.label_boost + parts.filter_boost
            + parts.colour_match

where the similarity parts are already weighted (alpha * image cosine, (1 - alpha) * text cosine,
alpha * colour weight * colour match); the raw values are under "similarity". "weak_match" is true when the
image cosine is below the catalog's calibrated floor (core.search.fusion.weak_floor): no nearer than an
unrelated product usually is. The text part is (1 - alpha) * text relevance when the words matched
(lexical and CLIP fused; see core.search.query), and "words" says what matched in plain words. With diversity > 0 the order follows MMR, while each score
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
                weak_floor: float | None = None, text_relevance: float | None = None, lexical: float | None = None,
                matched_fields: dict[str, list[str]] | None = None, sku_exact: bool = False,
                filters: dict[str, Any] | None = None, synonyms: list[str] | None = None) -> dict[str, Any]:
    text = text_relevance if text_relevance is not None else text_similarity
    parts = {
        "image_similarity": alpha * image_similarity if image_similarity is not None else 0.0,
        "text_similarity": (1.0 - alpha) * text if text is not None else 0.0,
        "label_boost": float(label_boost),
        "filter_boost": float(filter_boost),
        "colour_match": colour_weight * colour_match if colour_match is not None else 0.0,
    }
    weak = image_similarity is not None and weak_floor is not None and image_similarity < weak_floor
    similarity = {"image": _r(image_similarity), "text": _r(text_similarity), "colour": _r(colour_match)}
    if text_relevance is not None:
        similarity.update(lexical=_r(lexical), text_relevance=_r(text_relevance))
    out = {
        "score": _r(sum(parts.values())),
        "parts": {k: _r(v) for k, v in parts.items()},
        "similarity": similarity,
        "weak_match": bool(weak),
        "weak_floor": _r(weak_floor),
        "alpha": _r(alpha, 4),
        "matched_crop": matched_crop,
        "query_box": None if query_box is None else [round(float(v), 1) for v in query_box],
        "matched_labels": matched_labels,
        "matched_terms": matched_terms,
        "retrieval": {"rank": retrieval_rank, "primary_score": _r(primary_score), "exact": bool(exact),
                      "reranked": bool(reranked)},
        "matched_fields": matched_fields or {},
        "sku_exact": bool(sku_exact),
        "filters": filters or {},
        "synonyms": list(synonyms or []),  # query words matched only through another word: "trousers ≈ pants"
    }
    out["words"] = words(out)
    return out


_FIELD_NAMES = {"sku": "SKU", "title": "title", "description": "description", "category": "category",
                "attributes": "attributes", "labels": "curator labels"}


def words(expl: dict[str, Any]) -> list[str]:
    """What matched, in a curator's words: shape (the photo), colour, text, filter. Only what applies."""
    out: list[str] = []
    sim = expl.get("similarity") or {}
    parts = expl.get("parts") or {}
    if sim.get("image") is not None and parts.get("image_similarity"):
        crop = expl.get("matched_crop") or {}
        view = " (on another view of the product)" if crop and not crop.get("is_primary") else ""
        out.append(f"shape: looks like the query photo, similarity {sim['image']:.2f}{view}")
    colour = sim.get("colour", sim.get("color"))
    if colour is not None:
        out.append(f"colour match {colour:.2f}")
    if expl.get("sku_exact"):
        out.append("text: the SKU typed exactly")
    fields = expl.get("matched_fields") or {}
    if fields:
        where = "; ".join(f"{_FIELD_NAMES.get(c, c)} ({', '.join(w)})" for c, w in fields.items())
        out.append(f"text: words found in {where}")
    if expl.get("synonyms"):
        out.append("text: matched through a synonym: " + "; ".join(expl["synonyms"]))
    if sim.get("text") is not None and parts.get("text_similarity"):
        out.append(f"text: the picture matches the words, similarity {sim['text']:.2f}")
    if expl.get("matched_labels"):
        out.append("label: confirmed by a curator: " + ", ".join(expl["matched_labels"]))
    if expl.get("matched_terms") and parts.get("filter_boost"):
        out.append("text: query words in its category or attributes: " + ", ".join(expl["matched_terms"]))
    if expl.get("filters"):
        out.append("filter: passes " + ", ".join(f"{k}={v if isinstance(v, str) else '|'.join(map(str, v))}"
                                                 for k, v in expl["filters"].items()))
    return out


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
