"""Where the products are in a photo: the YOLO detector, catalog-scored proposals, a plain-background fallback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.models.device import free_device_memory, run_batched, select_device
from core.models.weights import prepare_ultralytics, short_sha256

Box = tuple[float, float, float, float]
SOURCES = ("detector", "trained", "proposal", "foreground", "full")


@dataclass(frozen=True)
class Detection:
    box: Box  # x0, y0, x1, y1 in the original image's pixels
    class_name: str
    confidence: float
    source: str = "detector"  # detector, proposal, foreground or full

    @property
    def area(self) -> float:
        x0, y0, x1, y1 = self.box
        return max(0.0, x1 - x0) * max(0.0, y1 - y0)


class Detector:
    """An ultralytics YOLO model. Use from one thread only (ultralytics models are not thread-safe)."""

    def __init__(self, weights_path: str | Path, device: str = "auto", confidence: float = 0.25,
                 imgsz: int | None = None, max_det: int = 20) -> None:
        prepare_ultralytics()
        from ultralytics import YOLO

        from core.models.trust import require_regular, require_trusted

        self.weights_path = Path(weights_path)
        if not self.weights_path.exists():
            raise FileNotFoundError(f"detector weights not found: {self.weights_path}")
        require_regular(self.weights_path)
        require_trusted(self.weights_path)  # ultralytics unpickles the checkpoint: only vouched-for bytes
        chosen = select_device(device)
        self.device = "cuda:0" if chosen.type == "cuda" and chosen.index is None else str(chosen)
        self.confidence = float(confidence)
        self.max_det = int(max_det)
        self._half = self.device.startswith("cuda")
        self.model = YOLO(str(self.weights_path), task="detect")
        # The checkpoint remembers the size it was trained at; that is the size it sees best.
        self.imgsz = int(imgsz or self.model.overrides.get("imgsz") or 640)
        self.names: dict[int, str] = dict(self.model.names)
        self.model_version = f"yolo:{self.weights_path.stem}-{short_sha256(self.weights_path)}"

    def detect(self, images: list[np.ndarray], batch_size: int = 16) -> list[list[Detection]]:
        """Boxes for each RGB uint8 H×W×3 image, in that image's own pixel coordinates, best first."""
        if self.model is None:
            raise RuntimeError("the detector is closed")
        return run_batched(self._detect_chunk, list(images), batch_size)  # halves the batch on CUDA OOM

    def _detect_chunk(self, images: list[np.ndarray]) -> list[list[Detection]]:
        # ultralytics reads numpy arrays as OpenCV BGR.
        bgr = [np.ascontiguousarray(_as_rgb(im)[:, :, ::-1]) for im in images]
        results = self.model.predict(bgr, conf=self.confidence, imgsz=self.imgsz, device=self.device,
                                     half=self._half, max_det=self.max_det, verbose=False)
        return [self._to_detections(r) for r in results]

    def _to_detections(self, result) -> list[Detection]:
        boxes = result.boxes
        if boxes is None or not len(boxes):
            return []
        xyxy = boxes.xyxy.float().cpu().numpy()
        conf = boxes.conf.float().cpu().numpy()
        cls = boxes.cls.int().cpu().numpy()
        found = [Detection(tuple(float(v) for v in b), self.names.get(int(c), str(int(c))), float(p))
                 for b, p, c in zip(xyxy, conf, cls, strict=True)]
        return sorted(found, key=lambda d: -d.confidence)

    def close(self) -> None:
        self.model = None
        free_device_memory()


class ProposalDetector:
    """Class-agnostic boxes scored against the catalog, from the embedder's own feature map: no weights of its own.

    One forward pass over the whole photo gives a stride-32 feature map; every grid-aligned box has
    its mean feature in O(1) from an integral image, which is what the embedder's global pool would give
    for that region. A box scores by its contrast against the reference vectors (the catalog):
    best cosine minus mean cosine, so a region that looks like one product more than like all of them
    wins over sky, grass or a region every product resembles a little. The best boxes after NMS are
    the detections; search then embeds each as a real crop. Same interface as `Detector`.
    """

    def __init__(self, embedder, reference: np.ndarray, *, long_side: int = 448, min_side: float = 0.4,
                 max_det: int = 8, nms_iou: float = 0.5) -> None:
        self.embedder = embedder
        ref = np.asarray(reference, dtype=np.float32)
        self.reference = ref / np.maximum(np.linalg.norm(ref, axis=1, keepdims=True), 1e-12)
        self.long_side = int(long_side)
        self.min_side = float(min_side)  # a box's short side, as a share of the photo's short side
        self.max_det = int(max_det)
        self.nms_iou = float(nms_iou)
        self.model_version = f"proposals:{embedder.model_version}"
        self.names: dict[int, str] = {0: "product"}

    def detect(self, images: list[np.ndarray], batch_size: int = 1) -> list[list[Detection]]:
        return [self._detect_one(_as_rgb(im)) for im in images]

    def _detect_one(self, image: np.ndarray) -> list[Detection]:
        if not len(self.reference):
            return []
        h, w = image.shape[:2]
        fmap = self._feature_map(image)
        boxes, vectors = _grid_boxes(fmap, w, h, self.min_side)
        if not len(boxes):
            return []
        sims = vectors @ self.reference.T
        scores = sims.max(axis=1) - sims.mean(axis=1)
        keep = _nms(boxes, scores, self.max_det, self.nms_iou)
        return [Detection(tuple(float(v) for v in boxes[i]), "product", float(scores[i]), "proposal") for i in keep]

    def _feature_map(self, image: np.ndarray) -> np.ndarray:
        import torch
        from PIL import Image

        h, w = image.shape[:2]
        scale = self.long_side / max(h, w)
        size = (max(32, round(w * scale / 32) * 32), max(32, round(h * scale / 32) * 32))
        pixels = np.asarray(Image.fromarray(image).resize(size, Image.Resampling.BICUBIC), dtype=np.float32)
        mean = np.asarray(self.embedder.mean, np.float32)
        std = np.asarray(self.embedder.std, np.float32)
        x = torch.from_numpy(np.ascontiguousarray(((pixels / 255.0 - mean) / std).transpose(2, 0, 1)[None]))
        return self.embedder.feature_map(x)

    def close(self) -> None:
        self.reference = np.zeros((0, self.reference.shape[1]), np.float32)


class SceneLocaliser:
    """The catalog's trained product detector as a scene localiser, alone or fused with the proposals.

    Same interface as `ProposalDetector`: its best boxes come first (source "trained"), then, when fused,
    every proposal that does not repeat one of them. `reference` (the catalog sample) scores the regions
    for refinement; the detector itself belongs to the registry, which closes it.
    """

    def __init__(self, detector, reference: np.ndarray, proposals: ProposalDetector | None = None, *,
                 top: int = 3, refine_top: int | None = None, whole_photo: bool = True) -> None:
        self.detector, self.proposals, self.top = detector, proposals, int(top)
        self.whole_photo = whole_photo  # whether search also embeds the whole photo beside these regions
        ref = np.asarray(reference, dtype=np.float32)
        self.reference = ref / np.maximum(np.linalg.norm(ref, axis=1, keepdims=True), 1e-12)
        self.refine_top = refine_top  # None: search's default refinement
        self.model_version = f"trained:{detector.model_version}" + (
            f"+{proposals.model_version}" if proposals is not None else "") + ("" if whole_photo else "-whole")
        self.names: dict[int, str] = {0: "product"}

    def detect(self, images: list[np.ndarray], batch_size: int = 1) -> list[list[Detection]]:
        out = []
        for image in images:
            found = [Detection(d.box, "product", d.confidence, "trained")
                     for d in self.detector.detect([image])[0][:self.top]]
            if self.proposals is not None:
                found += [p for p in self.proposals.detect([image])[0]
                          if all(box_iou(p.box, f.box) < 0.7 for f in found)]
            out.append(found)
        return out

    def close(self) -> None:
        self.reference = np.zeros((0, self.reference.shape[1]), np.float32)


def _grid_boxes(fmap: np.ndarray, width: int, height: int, min_side: float) -> tuple[np.ndarray, np.ndarray]:
    """Every grid-aligned box at least `min_side` of the short side and at most 3:1, with its mean feature."""
    c, gh, gw = fmap.shape
    least = max(1, int(round(min_side * min(gh, gw))))
    integral = np.zeros((c, gh + 1, gw + 1), np.float32)
    integral[:, 1:, 1:] = fmap.cumsum(1).cumsum(2)
    cells = [(x0, y0, x1, y1)
             for y0 in range(gh) for y1 in range(y0 + least, gh + 1)
             for x0 in range(gw) for x1 in range(x0 + least, gw + 1)
             if 1 / 3 <= (x1 - x0) / (y1 - y0) <= 3 and (x1 - x0) * (y1 - y0) <= 0.8 * gh * gw]
    if not cells:
        return np.zeros((0, 4), np.float32), np.zeros((0, c), np.float32)
    g = np.asarray(cells)
    sums = (integral[:, g[:, 3], g[:, 2]] - integral[:, g[:, 1], g[:, 2]]
            - integral[:, g[:, 3], g[:, 0]] + integral[:, g[:, 1], g[:, 0]]).T
    vectors = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
    boxes = g.astype(np.float32) * np.array([width / gw, height / gh, width / gw, height / gh], np.float32)
    return boxes, vectors


def box_iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def _nms(boxes: np.ndarray, scores: np.ndarray, k: int, threshold: float) -> list[int]:
    keep: list[int] = []
    for i in np.argsort(-scores, kind="stable").tolist():
        if all(box_iou(boxes[i], boxes[j]) < threshold for j in keep):
            keep.append(i)
            if len(keep) == k:
                break
    return keep


def _as_rgb(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    if image.shape[2] == 4:
        image = image[:, :, :3]
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {image.dtype}")
    return image


def foreground_box(image: np.ndarray, *, threshold: float = 30.0, max_cover: float = 0.95,
                   min_cover: float = 0.005) -> Box | None:
    """The box around the product on a plain background, or None when there is no clear one."""
    mask = foreground_mask(image, threshold=threshold)
    if mask is None:
        return None
    h, w = mask.shape
    ys, xs = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    x, y, bw, bh = int(xs[0]), int(ys[0]), int(xs[-1] - xs[0] + 1), int(ys[-1] - ys[0] + 1)
    cover = (bw * bh) / float(w * h)
    if cover < min_cover or cover > max_cover:
        return None
    return (float(x), float(y), float(x + bw), float(y + bh))


def foreground_mask(image: np.ndarray, *, threshold: float = 30.0) -> np.ndarray | None:
    """The product's pixels (bool H×W) on a plain background, or None when the background is not plain.

    The background colour is the median of the border pixels; pixels far from it, cleaned by a
    morphological open/close, form components, and the largest one is the product.
    """
    import cv2

    rgb = _as_rgb(image)
    h, w = rgb.shape[:2]
    if h < 8 or w < 8:
        return None
    border = max(1, min(h, w) // 50)
    edges = np.concatenate([rgb[:border].reshape(-1, 3), rgb[-border:].reshape(-1, 3),
                            rgb[:, :border].reshape(-1, 3), rgb[:, -border:].reshape(-1, 3)]).astype(np.float32)
    background = np.median(edges, axis=0)
    if np.mean(np.linalg.norm(edges - background, axis=1) > threshold) > 0.5:
        return None  # the border itself is busy: not a plain background
    mask = (_squared_distance(rgb, background) > threshold * threshold).astype(np.uint8)
    k = max(3, (min(h, w) // 100) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel, iterations=2)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return labels == biggest


def _squared_distance(rgb: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Per pixel, the squared RGB distance to `colour` (float32 H×W): what np.linalg.norm(rgb - colour,
    axis=2) ** 2 gives, in OpenCV's vectorised loops (6x faster on a 1.2 MP photo; the masks are equal)."""
    import cv2

    diff = cv2.subtract(rgb.astype(np.float32), tuple(float(c) for c in colour) + (0.0,))
    return cv2.transform(cv2.multiply(diff, diff), np.ones((1, 3), np.float32))


def propose_boxes(image: np.ndarray, detections: list[Detection], min_conf: float = 0.25,
                  min_area_share: float = 0.01) -> list[Detection]:
    """The boxes to crop: useful detector boxes, else the plain-background box, else the whole image."""
    h, w = np.asarray(image).shape[:2]
    total = float(max(1, w * h))
    useful = [d for d in detections
              if d.confidence >= min_conf and d.area / total >= min_area_share]
    if useful:
        return sorted(useful, key=lambda d: -d.confidence)
    box = foreground_box(image)
    if box is not None:
        return [Detection(box, "", 0.0, "foreground")]
    return [Detection((0.0, 0.0, float(w), float(h)), "", 0.0, "full")]
