"""From an image and a box to a model-ready tensor: expand, square by reflection, resize, normalise — versioned.

Every step is deterministic: integer box arithmetic, numpy reflection padding, PIL's uint8 resize and IEEE
float32 arithmetic, so the same image bytes give the same tensor bit for bit on any machine. Change any step
and bump ALGORITHM, because stored embeddings are keyed by `PreprocessSpec.version`.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

# v2: the short side grows into real surrounding pixels first; only what lies beyond the image is
# reflected. v1 reflected at once, which mirrored tall products (a person, a bottle) beside themselves.
ALGORITHM = "sqpad-reflect-v2"
EXPAND_RATIO_RANGE = (0.10, 0.20)

Box = Sequence[float]  # (x0, y0, x1, y1) in pixels, x1 and y1 exclusive

_RESAMPLE = {
    "bicubic": Image.Resampling.BICUBIC,
    "bilinear": Image.Resampling.BILINEAR,
    "lanczos": Image.Resampling.LANCZOS,
    "hamming": Image.Resampling.HAMMING,
    "box": Image.Resampling.BOX,
    "nearest": Image.Resampling.NEAREST,
}


@dataclass(frozen=True)
class PreprocessSpec:
    size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    expand_ratio: float = 0.15
    interpolation: str = "bicubic"

    def __post_init__(self) -> None:
        # Normalise to plain types first, so that equal specs hash and version alike.
        object.__setattr__(self, "size", int(self.size))
        object.__setattr__(self, "mean", tuple(float(v) for v in self.mean))
        object.__setattr__(self, "std", tuple(float(v) for v in self.std))
        object.__setattr__(self, "expand_ratio", float(self.expand_ratio))
        low, high = EXPAND_RATIO_RANGE
        if not low - 1e-9 <= self.expand_ratio <= high + 1e-9:
            raise ValueError(f"expand_ratio must be between {low} and {high}, got {self.expand_ratio}")
        if self.size < 1:
            raise ValueError(f"size must be positive, got {self.size}")
        if len(self.mean) != 3 or len(self.std) != 3:
            raise ValueError("mean and std need one value per RGB channel")
        if any(not math.isfinite(s) or s <= 0 for s in self.std) or not all(map(math.isfinite, self.mean)):
            raise ValueError(f"std must be positive and finite, mean finite: {self.mean}, {self.std}")
        if self.interpolation not in _RESAMPLE:
            raise ValueError(f"interpolation must be one of {sorted(_RESAMPLE)}, got {self.interpolation!r}")

    @property
    def version(self) -> str:
        """The algorithm name and a hash of every parameter, e.g. 'sqpad-reflect-v1-3fa2c9d1e0'."""
        params = "|".join([str(self.size), ",".join(map(repr, self.mean)), ",".join(map(repr, self.std)),
                           repr(self.expand_ratio), self.interpolation])
        return f"{ALGORITHM}-{hashlib.sha256(params.encode()).hexdigest()[:10]}"


@dataclass(frozen=True)
class Preprocessed:
    tensor: np.ndarray  # 3 x size x size float32, normalised
    square_uint8: np.ndarray  # the padded square crop before resizing, HxWx3 uint8
    expanded_box: tuple[int, int, int, int]


def expand_box(box: Box, ratio: float, width: int, height: int) -> tuple[int, int, int, int]:
    """Grow each side by `ratio` of the box's size, round outwards to whole pixels, clip to the image.

    The result is at least 1 x 1 and inside the image even when the box is degenerate or outside it.
    """
    if width < 1 or height < 1:
        raise ValueError(f"image size must be positive, got {width} x {height}")
    x0, y0, x1, y1 = (float(v) if math.isfinite(float(v)) else 0.0 for v in box)
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    dx, dy = ratio * (x1 - x0), ratio * (y1 - y0)
    left, right = _clip_span(math.floor(x0 - dx), math.ceil(x1 + dx), width)
    top, bottom = _clip_span(math.floor(y0 - dy), math.ceil(y1 + dy), height)
    return left, top, right, bottom


def _clip_span(start: int, stop: int, limit: int) -> tuple[int, int]:
    start, stop = max(0, min(start, limit - 1)), max(0, min(stop, limit))
    if stop <= start:
        stop = start + 1
    return start, stop


def square_in_context(box: tuple[int, int, int, int], width: int, height: int) -> tuple[int, int, int, int]:
    """Grow the short side of a box towards a square using the image's own pixels, centred, clipped."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    if w < h:
        x0, x1 = _grow(x0, x1, h, width)
    elif h < w:
        y0, y1 = _grow(y0, y1, w, height)
    return x0, y0, x1, y1


def _grow(start: int, stop: int, side: int, limit: int) -> tuple[int, int]:
    """Widen [start, stop) to `side` pixels centred on it, shifted to stay inside [0, limit) if it can."""
    extra = side - (stop - start)
    start, stop = start - extra // 2, stop + extra - extra // 2
    if start < 0:
        start, stop = 0, stop - start
    if stop > limit:
        start, stop = start - (stop - limit), limit
    return max(0, start), min(limit, stop)


def pad_square_reflect(crop: np.ndarray) -> np.ndarray:
    """Pad the short side symmetrically by mirror reflection without repeating the edge (BORDER_REFLECT_101).

    Crops thinner than the padding are reflected again and again; a 1-pixel side is repeated instead.
    """
    height, width = crop.shape[:2]
    if height == width:
        return np.ascontiguousarray(crop)
    total = abs(height - width)
    before, after = total // 2, total - total // 2
    pads = [(0, 0)] * crop.ndim
    pads[0 if height < width else 1] = (before, after)
    mode = "edge" if min(height, width) == 1 else "reflect"
    return np.ascontiguousarray(np.pad(crop, pads, mode=mode))


def to_tensor(square: np.ndarray, spec: PreprocessSpec) -> np.ndarray:
    """Resize a uint8 square to spec.size with PIL, scale to [0, 1], normalise; 3 x size x size float32."""
    if square.dtype != np.uint8 or square.ndim != 3 or square.shape[2] != 3:
        raise ValueError(f"expected an HxWx3 uint8 array, got {square.dtype} {square.shape}")
    if square.shape[:2] != (spec.size, spec.size):
        resized = Image.fromarray(np.ascontiguousarray(square), "RGB").resize(
            (spec.size, spec.size), resample=_RESAMPLE[spec.interpolation])
        square = np.asarray(resized)
    table = _normalised(tuple(spec.mean), tuple(spec.std))
    out = np.empty((3, *square.shape[:2]), np.float32)
    for channel in range(3):
        np.take(table[channel], square[:, :, channel], out=out[channel])
    return out


@functools.lru_cache(maxsize=8)
def _normalised(mean: tuple[float, ...], std: tuple[float, ...]) -> np.ndarray:
    """3 x 256 float32: ((v / 255) - mean) / std for every uint8 value v, computed in float32 exactly as
    for a whole image, so looking a pixel up gives the same bits (and 3x less work than the arithmetic)."""
    values = np.arange(256, dtype=np.float32) / np.float32(255.0)
    return np.stack([(values - np.float32(m)) / np.float32(d) for m, d in
                     zip(np.asarray(mean, np.float32), np.asarray(std, np.float32), strict=True)])


def preprocess(image: np.ndarray, box: Box | None, spec: PreprocessSpec) -> Preprocessed:
    """One crop of a decoded HxWx3 uint8 image (box None: the whole image) ready for the embedder."""
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an HxWx3 uint8 image, got {image.dtype} {image.shape}")
    height, width = image.shape[:2]
    if box is None:
        box = (0, 0, width, height)
    expanded = expand_box(box, spec.expand_ratio, width, height)
    x0, y0, x1, y1 = square_in_context(expanded, width, height)
    square = pad_square_reflect(image[y0:y1, x0:x1])
    return Preprocessed(to_tensor(square, spec), square, expanded)


def preprocess_batch(items: Iterable[tuple[np.ndarray, Box | None]], spec: PreprocessSpec) -> np.ndarray:
    """Preprocess (image, box) pairs and stack them to N x 3 x size x size float32."""
    tensors = [preprocess(image, box, spec).tensor for image, box in items]
    if not tensors:
        return np.zeros((0, 3, spec.size, spec.size), np.float32)
    return np.stack(tensors)
