"""Crop quality: size, share, aspect, contrast, sharpness and noise figures, and the verdict with its reason."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np

SHARPNESS_SIDE = 256  # sharpness is measured on the crop resized to this long side, so crops compare fairly
NOISE_WINDOW = 1024  # noise is measured at native resolution (resizing averages it away) on a centre window
DEFAULT_MIN_CONTRAST = 5.0  # used when the thresholds object has no min_contrast (yet)

# Immerkær (1996), "Fast noise variance estimation": a Laplacian difference that cancels smooth structure.
_IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)


@dataclass(frozen=True)
class QualityMetrics:
    width: int
    height: int
    min_side: int
    area_share: float  # crop area / image area
    aspect: float  # width / height
    sharpness: float  # variance of the Laplacian, grey, long side resized to SHARPNESS_SIDE
    noise: float  # estimated noise sigma in grey levels (0-255)
    mean: float  # mean grey level
    contrast: float  # standard deviation of grey levels

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def crop_box(box: Sequence[float] | None, width: int, height: int) -> tuple[int, int, int, int]:
    """Round a float box to whole pixels inside the image, at least 1 x 1; None is the whole image."""
    if box is None:
        return 0, 0, width, height
    x0, y0, x1, y1 = (float(v) if math.isfinite(float(v)) else 0.0 for v in box)
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    left = min(max(int(round(x0)), 0), width - 1)
    top = min(max(int(round(y0)), 0), height - 1)
    right = max(min(int(round(x1)), width), left + 1)
    bottom = max(min(int(round(y1)), height), top + 1)
    return left, top, right, bottom


def measure(image: np.ndarray, box: Sequence[float] | None = None) -> QualityMetrics:
    """Measure the crop `box` (x0, y0, x1, y1 in pixels; None: the whole image) of an HxWx3 uint8 image."""
    img_h, img_w = image.shape[:2]
    x0, y0, x1, y1 = crop_box(box, img_w, img_h)
    crop = image[y0:y1, x0:x1]
    grey = _grey(crop)  # uint8: a float copy of a 80 MP crop would cost 320 MB
    width, height = x1 - x0, y1 - y0
    small = _resize_long_side(grey, SHARPNESS_SIDE).astype(np.float32)
    return QualityMetrics(
        width=width, height=height, min_side=min(width, height),
        area_share=float(width * height / (img_w * img_h)), aspect=float(width / height),
        sharpness=_sharpness(small), noise=_noise_sigma(_centre(grey, NOISE_WINDOW).astype(np.float32)),
        mean=float(small.mean()), contrast=float(small.std()))


def judge(metrics: QualityMetrics, thresholds: Any) -> tuple[str, str]:
    """("accepted", "") or ("rejected", reason); the reason names the metric, its value and the threshold.

    `thresholds` is a core.settings.QualitySettings (or anything with the same attributes).
    """
    m, t = metrics, thresholds
    min_contrast = getattr(t, "min_contrast", DEFAULT_MIN_CONTRAST)
    checks = [
        (m.min_side < t.min_side, f"too small: min side {m.min_side} px < {t.min_side}"),
        (m.area_share < t.min_area_share,
         f"too small a part of the image: area share {_fmt(m.area_share)} < {_fmt(t.min_area_share)}"),
        (m.aspect > t.max_aspect, f"too wide: aspect {_fmt(m.aspect)} > {_fmt(t.max_aspect)}"),
        (m.aspect < t.min_aspect, f"too tall: aspect {_fmt(m.aspect)} < {_fmt(t.min_aspect)}"),
        (m.contrast < min_contrast, f"blank: contrast {_fmt(m.contrast)} < {_fmt(min_contrast)}"),
        (m.sharpness < t.min_sharpness, f"too blurry: sharpness {_fmt(m.sharpness)} < {_fmt(t.min_sharpness)}"),
        (m.noise > t.max_noise, f"too noisy: noise {_fmt(m.noise)} > {_fmt(t.max_noise)}"),
    ]
    for failed, reason in checks:
        if failed:
            return "rejected", reason
    return "accepted", ""


def _fmt(value: float) -> str:
    value = float(value)
    if value == int(value) and abs(value) < 1e6:
        return f"{value:.1f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 1:
        return f"{value:.1f}"
    return f"{value:.2g}"


def _grey(crop: np.ndarray) -> np.ndarray:
    if crop.ndim == 2:
        return np.ascontiguousarray(crop, np.uint8)
    return cv2.cvtColor(np.ascontiguousarray(crop[..., :3], np.uint8), cv2.COLOR_RGB2GRAY)


def _resize_long_side(grey: np.ndarray, side: int) -> np.ndarray:
    height, width = grey.shape
    scale = side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(grey, size, interpolation=interpolation)


def _centre(grey: np.ndarray, window: int) -> np.ndarray:
    height, width = grey.shape
    top, left = max(0, (height - window) // 2), max(0, (width - window) // 2)
    return grey[top:top + window, left:left + window]


def _sharpness(grey: np.ndarray) -> float:
    if min(grey.shape) < 3:
        return 0.0
    return float(cv2.Laplacian(grey, cv2.CV_32F)[1:-1, 1:-1].var())


def _noise_sigma(grey: np.ndarray) -> float:
    height, width = grey.shape
    if height < 3 or width < 3:
        return 0.0
    response = cv2.filter2D(grey, cv2.CV_32F, _IMMERKAER)[1:-1, 1:-1]
    return float(math.sqrt(math.pi / 2) * np.abs(response).sum(dtype=np.float64) / (6 * (width - 2) * (height - 2)))
