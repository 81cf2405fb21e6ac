"""The product's pixels inside a region of a scene photo (GrabCut seeded by the box), and the scene removed from them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

MASK_VERSION = "grabcut-v1"
# Catalog photos are products on a plain backdrop; in the dev catalog the border median of studio photos is
# pure white (255) for over three quarters of them, so the scene around a product becomes plain white and the
# query crop looks like a catalog crop (see docs/PERFORMANCE.md, "Removing the scene inside the box").
BACKDROP = (255, 255, 255)
CONTEXT = 0.25  # GrabCut learns the scene's colours from this share of the box's side around it
WORK_SIDE = 192  # GrabCut runs on the region downscaled to this long side: its cost grows with the pixels
ITERATIONS = 5  # OpenCV's own example uses 5
MIN_SHARE, MAX_SHARE = 0.10, 0.98  # a mask outside these shares of the box is a failed segmentation: no mask
WHOLE_PHOTO = 0.9  # a region this much of the photo has no scene around it to learn from: no mask


@dataclass(frozen=True)
class Masked:
    pixels: np.ndarray  # the photo with every pixel outside the product set to BACKDROP (HxWx3 uint8)
    mask: np.ndarray  # the product's pixels (bool HxW, the photo's size)
    box: tuple[float, float, float, float]  # the mask's own bounding box: the product, framed like a catalog crop


def product_mask(image: np.ndarray, box: Sequence[float]) -> np.ndarray | None:
    """The product's pixels (bool, the photo's size) inside `box`, or None when there is nothing to learn from
    around the box (it covers the photo) or the segmentation failed (almost nothing or almost everything)."""
    height, width = image.shape[:2]
    x0, y0, x1, y1 = (float(v) if math.isfinite(float(v)) else 0.0 for v in box)
    x0, x1 = sorted((min(max(x0, 0.0), width), min(max(x1, 0.0), width)))
    y0, y1 = sorted((min(max(y0, 0.0), height), min(max(y1, 0.0), height)))
    bw, bh = x1 - x0, y1 - y0
    if bw < 8 or bh < 8 or bw * bh >= WHOLE_PHOTO * width * height:
        return None
    # The working window: the box and some scene around it, so the background model sees the scene's colours.
    wx0, wy0 = max(0, math.floor(x0 - CONTEXT * bw)), max(0, math.floor(y0 - CONTEXT * bh))
    wx1, wy1 = min(width, math.ceil(x1 + CONTEXT * bw)), min(height, math.ceil(y1 + CONTEXT * bh))
    window = np.ascontiguousarray(image[wy0:wy1, wx0:wx1, :3])
    scale = min(1.0, WORK_SIDE / max(window.shape[:2]))
    small = cv2.resize(window, (max(1, round(window.shape[1] * scale)), max(1, round(window.shape[0] * scale))),
                       interpolation=cv2.INTER_AREA) if scale < 1 else window
    sh, sw = small.shape[:2]
    rx0, ry0 = int((x0 - wx0) * scale), int((y0 - wy0) * scale)
    rx1, ry1 = min(sw, math.ceil((x1 - wx0) * scale)), min(sh, math.ceil((y1 - wy0) * scale))
    rect = (rx0, ry0, max(1, rx1 - rx0), max(1, ry1 - ry0))
    if rect[2] * rect[3] >= sw * sh:  # the box fills the window (it touches the photo's edges): no scene to learn
        return None
    labels = np.zeros((sh, sw), np.uint8)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)  # GrabCut's GMM start is random: the same photo must give the same mask
    # OpenCV reads the pixels as BGR; the colour order does not matter to its colour models.
    cv2.grabCut(small, labels, rect, bgd, fgd, ITERATIONS, cv2.GC_INIT_WITH_RECT)
    fg = ((labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)).astype(np.uint8)
    share = fg.sum() / float(rect[2] * rect[3])
    if not MIN_SHARE <= share <= MAX_SHARE:
        return None
    if scale < 1:
        fg = cv2.resize(fg, (window.shape[1], window.shape[0]), interpolation=cv2.INTER_NEAREST)
    mask = np.zeros((height, width), bool)
    mask[wy0:wy1, wx0:wx1] = fg.astype(bool)
    inside = np.zeros_like(mask)  # the upscaled mask may spill a pixel past the box; the box is the bound
    inside[math.floor(y0):math.ceil(y1), math.floor(x0):math.ceil(x1)] = True
    return mask & inside


def remove_scene(image: np.ndarray, box: Sequence[float], backdrop: Sequence[int] = BACKDROP) -> Masked | None:
    """The photo with the scene around the product in `box` replaced by the backdrop, or None (no usable mask)."""
    mask = product_mask(image, box)
    if mask is None:
        return None
    pixels = np.empty_like(image[..., :3])
    pixels[...] = np.asarray(backdrop, np.uint8)
    pixels[mask] = image[..., :3][mask]
    ys, xs = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    tight = (float(xs[0]), float(ys[0]), float(xs[-1] + 1), float(ys[-1] + 1))
    return Masked(pixels, mask, tight)
