"""From one decoded image to its candidate crops: boxes, quality verdicts and model-ready tensors."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from core.models.detector import Detection, propose_boxes
from core.pipeline.preprocess import PreprocessSpec, preprocess
from core.pipeline.quality import judge, measure
from core.settings import QualitySettings


@dataclass
class CropCandidate:
    box: tuple[float, float, float, float]  # the detector's (or fallback's) box, original pixels
    source: str  # detector, foreground, full, manual
    detector_class: str = ""
    detector_confidence: float = 0.0
    metrics: dict = field(default_factory=dict)
    verdict: str = "accepted"
    reason: str = ""
    tensor: np.ndarray | None = None  # CHW float32, only for accepted crops
    mask: np.ndarray | None = None  # the product's pixels when the scene around it was removed (bool, image size)

    @property
    def int_box(self) -> tuple[int, int, int, int]:
        return tuple(int(round(v)) for v in self.box)  # type: ignore[return-value]

    @property
    def area(self) -> float:
        x0, y0, x1, y1 = self.box
        return max(0.0, x1 - x0) * max(0.0, y1 - y0)


def spec_for(embedder, expand_ratio: float) -> PreprocessSpec:
    """The preprocessing an embedder needs, with the catalog's bbox expansion."""
    return PreprocessSpec(size=int(embedder.input_size), mean=tuple(embedder.mean), std=tuple(embedder.std),
                          expand_ratio=float(expand_ratio))


def candidates_from_detections(image: np.ndarray, detections: list[Detection], spec: PreprocessSpec,
                               quality: QualitySettings, *, max_crops: int = 4,
                               scale: tuple[float, float] = (1.0, 1.0)) -> list[CropCandidate]:
    """Keep the detector's best boxes (or the fallback chain), measure them, preprocess the accepted ones.

    `image` may be a reduced copy of the photo: `scale` is original pixels per image pixel (x, y), and the
    candidates' boxes and pixel sizes are given in original pixels.
    """
    boxes = propose_boxes(image, detections)[:max_crops]
    return [make_candidate(image, d.box, d.source, spec, quality, d.class_name, d.confidence, scale=scale)
            for d in boxes]


def make_candidate(image: np.ndarray, box, source: str, spec: PreprocessSpec, quality: QualitySettings,
                   detector_class: str = "", detector_confidence: float = 0.0, *,
                   scale: tuple[float, float] = (1.0, 1.0)) -> CropCandidate:
    metrics = measure(image, box)
    sx, sy = scale
    if (sx, sy) != (1.0, 1.0):  # size thresholds speak of the photo's pixels, not the reduced copy's
        width, height = round(metrics.width * sx), round(metrics.height * sy)
        metrics = replace(metrics, width=width, height=height, min_side=min(width, height))
    verdict, reason = judge(metrics, quality)
    original = (box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy)
    candidate = CropCandidate(box=tuple(float(v) for v in original), source=source, detector_class=detector_class,
                              detector_confidence=float(detector_confidence), metrics=metrics.to_dict(),
                              verdict=verdict, reason=reason)
    if verdict == "accepted":
        candidate.tensor = preprocess(image, box, spec).tensor
    return candidate


def remove_scenes(image: np.ndarray, candidates: list[CropCandidate], spec: PreprocessSpec,
                  scale: tuple[float, float] = (1.0, 1.0)) -> None:
    """Re-make the accepted crops of a scene photo (no plain background) from the product's pixels alone.

    The scene inside each box becomes the catalog's backdrop (core.pipeline.masks), as for a query region, so a
    lifestyle photo's crop looks like a studio crop; `image` and `scale` as in candidates_from_detections.
    """
    from core.pipeline.masks import remove_scene

    sx, sy = scale
    for c in candidates:
        if c.verdict != "accepted":
            continue
        found = remove_scene(image, (c.box[0] / sx, c.box[1] / sy, c.box[2] / sx, c.box[3] / sy))
        if found is not None:
            c.tensor, c.mask = preprocess(found.pixels, found.box, spec).tensor, found.mask
