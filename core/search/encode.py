"""Query encoding: an image (file, bytes or pixels) or a text becomes the vectors a search compares.

An image query goes through the indexing pipeline: the registry's detector proposes boxes
(`candidates_from_detections` with the same fallback chain and quality checks), and the best
accepted crop by detector confidence x area stands for the query. A box the curator draws skips
detection. When the detector is unsure (a runner-up box nearly as strong, or a weak best box), the
other boxes and the whole photo are embedded too, and each product is matched by its best crop.
When nothing but the whole photo is left (a product in a scene, no detector), a
`localiser` (`ProposalDetector`, scored against the catalog) proposes regions and every one is
embedded: the query then has several rows, and each product is matched by its best region. Every
crop is preprocessed with the catalog's expansion (`spec_for`) so query and index vectors come from
the same transform.

Encoded queries are kept in the registry's LRU (`registry.query_cache`, emptied with the models) keyed by
the model version and a hash of the
text or of the image bytes (plus the box and the crop settings), so a repeated query, a query re-run with
new filters or alpha, and paging skip the model entirely.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.pipeline.masks import MASK_VERSION

Box = tuple[float, float, float, float]


class QueryError(ValueError):
    """A query that cannot be run; the message says why in a curator's words."""


class SearchCancelled(Exception):
    """The curator cancelled a search before it ended (a whole-scene search can take seconds on a CPU)."""


Progress = Callable[[int, int, str], None]
SCENE_STEPS = 4  # the steps a scene query reports: look for products, embed the regions, retrieve, rank


def checkpoint(progress: Progress | None, should_stop: Callable[[], bool] | None, done: int, message: str) -> None:
    """Report a search step and stop there when the curator cancelled."""
    if should_stop is not None and should_stop():
        raise SearchCancelled("search cancelled")
    if progress is not None:
        progress(done, SCENE_STEPS, message)


@dataclass
class ImageQuery:
    vector: np.ndarray  # (dim,) L2-normalised
    box: Box  # the query crop in the query image's pixels
    source: str  # detector, foreground, full, manual
    image_hash: str
    image_size: tuple[int, int]  # (width, height)
    confidence: float = 0.0
    candidates: list[dict] = field(default_factory=list)  # every proposed box, for the GUI overlay
    colour: dict | None = None  # the query crop's foreground colour signature (core.pipeline.colors)
    vectors: np.ndarray | None = None  # (m, dim): one row per query region, row 0 is `vector`
    boxes: list[Box] = field(default_factory=list)  # the region of each row
    colours: list[dict] | None = None  # each row's colour signature, for an unsure detector's several crops
    masked: list[bool] = field(default_factory=list)  # whether each row's region had its scene removed

    def __post_init__(self) -> None:
        if self.vectors is None:
            self.vectors = self.vector[None, :]
        if not self.boxes:
            self.boxes = [self.box]


def normalize(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.maximum(n, 1e-12)


def load_image(image: np.ndarray | Path | str | bytes) -> tuple[np.ndarray, str]:
    """Decoded HxWx3 uint8 RGB pixels and the sha256 of what the caller gave (file bytes or pixels)."""
    if isinstance(image, np.ndarray):
        pixels = np.asarray(image)
        if pixels.ndim != 3 or pixels.shape[2] != 3:
            raise QueryError(f"query pixels must be H x W x 3 RGB, not {pixels.shape}")
        if pixels.dtype != np.uint8:
            pixels = np.clip(pixels, 0, 255).astype(np.uint8)
        return pixels, hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest()
    from core.pipeline.decode import decode

    if isinstance(image, bytes | bytearray):
        data = bytes(image)
    else:
        path = Path(image)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise QueryError(f"cannot read the query image {path}: {exc.strerror or exc}") from exc
    try:
        pixels = decode(data)
    except Exception as exc:  # DecodeError carries a reason; anything else is still an unreadable file
        raise QueryError(f"cannot decode the query image: {getattr(exc, 'reason', exc)}") from exc
    return pixels, hashlib.sha256(data).hexdigest()


def encode_image(registry, settings, image: np.ndarray | Path | str | bytes,
                 box: Box | None = None, localiser=None, progress: Progress | None = None,
                 should_stop: Callable[[], bool] | None = None) -> ImageQuery:
    """Detect, crop and embed the query image like the indexer does; `box` is a curator-drawn crop."""
    from core.pipeline.colors import colour_signature
    from core.pipeline.crops import candidates_from_detections, spec_for

    if isinstance(image, str | Path):
        path = Path(image)
        try:
            image = path.read_bytes()
        except OSError as exc:
            raise QueryError(f"cannot read the query image {path}: {exc.strerror or exc}") from exc
    embedder = registry.embedder()
    spec = spec_for(embedder, settings.preprocess.expand_ratio)
    source_hash = _source_hash(image)
    detector = registry.detector() if box is None else None
    key = ("image", embedder.model_version, spec.version, source_hash,
           None if box is None else tuple(float(v) for v in box),
           getattr(detector, "model_version", None), repr(settings.quality),
           None if localiser is None else (localiser.model_version, len(localiser.reference),
                                           getattr(localiser, "refine_top", None)),
           MASK_VERSION if MASK_SCENES else None)
    cache = getattr(registry, "query_cache", None)
    cached = cache.get(key) if cache is not None else None
    if cached is not None:
        return dataclasses.replace(cached, vector=cached.vector.copy(), candidates=list(cached.candidates),
                                   vectors=cached.vectors.copy(), boxes=list(cached.boxes))
    pixels, image_hash = load_image(image)
    height, width = pixels.shape[:2]
    proposals: list[dict] = []
    others: list[Box] = []
    if box is not None:
        chosen = _clip_box(box, width, height)
        source, confidence = "manual", 0.0
    else:
        detections = detector.detect([pixels])[0] if detector is not None else []
        candidates = candidates_from_detections(pixels, detections, spec, settings.quality)
        proposals = [{"box": [round(v, 1) for v in c.box], "source": c.source, "class": c.detector_class,
                      "confidence": round(c.detector_confidence, 4), "verdict": c.verdict, "reason": c.reason}
                     for c in candidates]
        accepted = [c for c in candidates if c.verdict == "accepted"]
        if accepted:
            # The indexer treats a fallback crop (no detector score) as confidence 0.5; so do we.
            best = max(accepted, key=_weight)
            chosen, source, confidence = best.box, best.source, best.detector_confidence
            others = _unsure_alternatives(best, accepted, width, height)
        else:
            chosen, source, confidence = (0.0, 0.0, float(width), float(height)), "full", 0.0
    boxes = [tuple(float(v) for v in chosen)] + others
    scene = source == "full" or (source == "foreground" and _edges_touched(chosen, width, height) >= SCENE_EDGES)
    if scene and localiser is not None:  # no plain background (or one that may be a scene's): a product in a scene
        checkpoint(progress, should_stop, 0, "Looking for products in the photo")
        found = localiser.detect([pixels])[0]
        checkpoint(progress, should_stop, 1, f"Comparing {len(found) or 1} regions of the photo with the catalog")
        proposals += [{"box": [round(v, 1) for v in d.box], "source": d.source, "class": d.class_name,
                       "confidence": round(d.confidence, 4), "verdict": "accepted", "reason": ""} for d in found]
        if found:
            keep_whole = getattr(localiser, "whole_photo", True)
            # The whole photo (or the foreground box) stays a candidate; every region is judged whole in search.
            boxes = [d.box for d in found] + (boxes if keep_whole else [])
            source, confidence = "proposal", found[0].confidence
    refine_top = getattr(localiser, "refine_top", None)
    refine_top = REFINE_TOP if refine_top is None else refine_top
    refining = source == "proposal" and refine_top > 0 and getattr(localiser, "whole_photo", True)
    # Each region of a scene photo is embedded without its scene (core.pipeline.masks). Refinement compares
    # re-cropped regions of the photo itself, so there the regions it keeps have their scene removed after it.
    found_masks = [None] * len(boxes) if refining else _scene_masks(pixels, boxes, source)
    vectors = _embed_regions(pixels, boxes, found_masks, spec, embedder)
    if refining:
        boxes, vectors = _refine(pixels, boxes, vectors, spec, embedder, localiser.reference, refine_top)
        found_masks = _scene_masks(pixels, boxes, source)
        rows = [i for i, m in enumerate(found_masks) if m is not None]
        if rows:
            vectors = vectors.copy()
            vectors[rows] = _embed_regions(pixels, [boxes[i] for i in rows], [found_masks[i] for i in rows],
                                           spec, embedder)
    if source != "manual":  # a found region is shown as the product's own outline box; a drawn box stays as drawn
        boxes = [b if m is None else m.box for b, m in zip(boxes, found_masks, strict=True)]
    masks = [None if m is None else m.mask for m in found_masks]
    query = ImageQuery(vector=vectors[0], box=boxes[0], source=source, image_hash=image_hash,
                       image_size=(int(width), int(height)), confidence=float(confidence), candidates=proposals,
                       vectors=vectors, boxes=boxes, colour=colour_signature(pixels, boxes[0], mask=masks[0]),
                       colours=[colour_signature(pixels, b, mask=m) for b, m in zip(boxes, masks, strict=True)]
                       if others or source == "proposal" else None, masked=[m is not None for m in found_masks])
    if cache is not None:
        cache.put(key, dataclasses.replace(query, vector=vectors[0].copy(), candidates=list(proposals),
                                           vectors=vectors.copy(), boxes=list(boxes)))
    return query


# An unsure detector on a studio photo: the runner-up boxes that score at least this share of the best one's
# confidence x area, or a best box under UNSURE_CONFIDENCE, make the query try several crops (and the whole photo),
# each product matched by its best one, as for a scene. Both are "as likely as not" levels, not fitted.
UNSURE_SHARE = 0.5
UNSURE_CONFIDENCE = 0.5
UNSURE_MAX_CROPS = 4  # as many as the indexer keeps of one photo


# A product on a plain background is surrounded by it; a "foreground" reaching three edges of the photo may be the
# scene itself (a banner whose sky passes for a plain border), so the localiser's regions compete with it. No studio
# query of the dev set reaches three edges (0 of 78); close-ups that do keep their box as one of the regions.
SCENE_EDGES = 3


def _edges_touched(box, width: int, height: int, margin: float = 1.0) -> int:
    x0, y0, x1, y1 = box
    return int(x0 <= margin) + int(y0 <= margin) + int(x1 >= width - margin) + int(y1 >= height - margin)


def _weight(candidate) -> float:
    return (candidate.detector_confidence or 0.5) * candidate.area


def _unsure_alternatives(best, accepted, width: int, height: int) -> list[Box]:
    """Other crops worth trying when the detector is unsure of its best box; [] when it is sure.

    The foreground finder's unsure case (no plain background) already falls back to the whole photo and the
    localiser's regions (encode_image); a plain-background box is one clear object."""
    if best.source != "detector":
        return []
    rivals = [c for c in sorted(accepted, key=_weight, reverse=True)
              if c is not best and _weight(c) >= UNSURE_SHARE * _weight(best)][:UNSURE_MAX_CROPS - 1]
    if not rivals and best.detector_confidence >= UNSURE_CONFIDENCE:
        return []
    return [tuple(float(v) for v in c.box) for c in rivals] + [(0.0, 0.0, float(width), float(height))]


# Box refinement: the best proposals are re-cropped slightly shifted, grown and shrunk; a variant replaces its
# proposal when it matches the catalog more distinctly (the detector's contrast score, on real crops).
REFINE_TOP = 2  # 1 lost R@1 on the tuning half of dev wild/ (docs/PERFORMANCE.md)
REFINE_STEP = 0.15  # a share of the box side; not tuned


def _jitter(box, width: int, height: int, step: float) -> list[tuple[float, ...]]:
    x0, y0, x1, y1 = box
    cx, cy, bw, bh = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    shapes = [(cx, cy, bw * (1 - step), bh * (1 - step)), (cx, cy, bw * (1 + step), bh * (1 + step)),
              (cx - step * bw, cy, bw, bh), (cx + step * bw, cy, bw, bh),
              (cx, cy - step * bh, bw, bh), (cx, cy + step * bh, bw, bh)]
    out = []
    for x, y, w, h in shapes:
        b = (max(0.0, x - w / 2), max(0.0, y - h / 2), min(float(width), x + w / 2), min(float(height), y + h / 2))
        if b[2] - b[0] >= 8 and b[3] - b[1] >= 8:
            out.append(b)
    return out


def _refine(pixels, boxes, vectors, spec, embedder, reference, top: int = REFINE_TOP):
    """Local search around the best proposals in one batch; regions come back best first, whole photo last."""
    from core.pipeline.preprocess import preprocess

    def contrast(v: np.ndarray) -> np.ndarray:
        sims = v @ reference.T
        return sims.max(axis=1) - sims.mean(axis=1)

    height, width = pixels.shape[:2]
    n = len(boxes) - 1  # the last region is the whole photo
    score = contrast(vectors)
    variants, owner = [], []
    for i in np.argsort(-score[:n])[:top]:
        for b in _jitter(boxes[i], width, height, REFINE_STEP):
            variants.append(b)
            owner.append(int(i))
    boxes, vectors = list(boxes), vectors.copy()
    if variants:
        tensors = np.stack([preprocess(pixels, b, spec).tensor for b in variants]).astype(np.float32)
        found = normalize(embedder.embed_images(tensors))
        for j, s in enumerate(contrast(found)):
            if s > score[owner[j]]:
                score[owner[j]], boxes[owner[j]], vectors[owner[j]] = s, variants[j], found[j]
    order = [int(i) for i in np.argsort(-score[:n], kind="stable")] + [n]
    return [boxes[i] for i in order], vectors[order]


def _scene_masks(pixels: np.ndarray, boxes: list, source: str) -> list:
    """Each region's product mask (core.pipeline.masks), None where it has none: regions of a plain-background
    studio photo are left as they are (their crop already holds the product on the backdrop), and so is a
    region covering the whole photo (no scene around it to tell the product from). Every region is masked
    (masking only the best 3 of the proposals' regions lost R@1 0.42 -> 0.36 on dev wild/), side by side on
    the threads a search may use (core.models.threads.interactive_workers): GrabCut releases the GIL."""
    from core.models.detector import foreground_mask
    from core.models.threads import interactive_workers
    from core.pipeline.masks import remove_scene

    height, width = pixels.shape[:2]
    if not MASK_SCENES or source == "foreground" or all(_covers_photo(b, width, height) for b in boxes):
        return [None] * len(boxes)  # (a region covering the photo has no mask: core.pipeline.masks.WHOLE_PHOTO)
    if source != "proposal" and foreground_mask(pixels) is not None:
        return [None] * len(boxes)
    workers = min(len(boxes), interactive_workers())
    if workers < 2:
        return [remove_scene(pixels, b) for b in boxes]
    with ThreadPoolExecutor(workers, thread_name_prefix="scene-mask") as pool:
        return list(pool.map(lambda b: remove_scene(pixels, b), boxes))


def _covers_photo(box, width: int, height: int) -> bool:
    from core.pipeline.masks import WHOLE_PHOTO

    x0, y0, x1, y1 = (min(max(float(v), 0.0), float(side)) for v, side in zip(box, (width, height, width, height),
                                                                          strict=True))
    return abs(x1 - x0) * abs(y1 - y0) >= WHOLE_PHOTO * width * height


def _embed_regions(pixels, boxes, found, spec, embedder) -> np.ndarray:
    """One vector per region: a masked region from the product's pixels on the backdrop, framed by its mask."""
    from core.pipeline.preprocess import preprocess

    tensors = [preprocess(pixels, b, spec).tensor if m is None else preprocess(m.pixels, m.box, spec).tensor
               for b, m in zip(boxes, found, strict=True)]
    return normalize(embedder.embed_images(np.stack(tensors).astype(np.float32)))


MASK_SCENES = True


def encode_text(registry, text: str) -> np.ndarray:
    embedder = registry.embedder()
    if not getattr(embedder, "supports_text", False):
        reason = getattr(embedder, "text_unavailable_reason", "") or "it has no text model"
        raise QueryError(f"text search is not available with the {getattr(embedder, 'name', 'current')} "
                         f"embedder: {reason}. Use an open_clip model for text queries.")
    key = ("text", embedder.model_version, hashlib.sha256(text.encode("utf-8")).hexdigest())
    cache = getattr(registry, "query_cache", None)
    cached = cache.get(key) if cache is not None else None
    if cached is None:
        cached = normalize(np.asarray(embedder.embed_texts([text]), dtype=np.float32)[0])
        if cache is not None:
            cache.put(key, cached)
    return cached.copy()


def _source_hash(image: np.ndarray | bytes) -> str:
    """What load_image() will call the image's hash, without decoding it (pixels or file bytes)."""
    if isinstance(image, np.ndarray):
        return hashlib.sha256(np.ascontiguousarray(image).tobytes()).hexdigest() + str(image.shape)
    return hashlib.sha256(bytes(image)).hexdigest()


def _clip_box(box, width: int, height: int) -> Box:
    try:
        x0, y0, x1, y1 = (float(v) for v in box)
    except (TypeError, ValueError):
        raise QueryError(f"a box is four numbers x0, y0, x1, y1, not {box!r}") from None
    x0, x1 = sorted((min(max(x0, 0.0), width), min(max(x1, 0.0), width)))
    y0, y1 = sorted((min(max(y0, 0.0), height), min(max(y1, 0.0), height)))
    if x1 - x0 < 2 or y1 - y0 < 2:
        raise QueryError(f"the box {box!r} is empty inside a {width}x{height} image")
    return (x0, y0, x1, y1)
