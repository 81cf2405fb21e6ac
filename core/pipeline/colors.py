"""Colour from pixels alone: dominant colours named from a palette (labels), and Lab histogram signatures (search)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

SAMPLE_SIDE = 96  # the crop is downsampled to this long side before clustering
BACKGROUND_DELTA_E = 8.0  # pixels this close to a near-white border colour count as background
MIN_FOREGROUND_SHARE = 0.03  # below this the "background" is probably the product itself; keep every pixel
MIN_PRODUCT_SHARE = 0.25  # skin tones are kept when dropping them would leave less than this of the pixels
SEED = 20240607

# Reference sRGB values for every name in resources/labels/colours.txt. Several shades per name, because one
# point per name misnames light blues as gray and dark reds as brown.
REFERENCE_SRGB: dict[str, tuple[tuple[int, int, int], ...]] = {
    "black": ((0, 0, 0), (28, 28, 30), (45, 45, 50)),
    "white": ((255, 255, 255), (242, 242, 238), (228, 228, 230)),  # white cloth in studio light is light grey
    "gray": ((128, 128, 128), (90, 92, 96), (165, 165, 168), (205, 205, 208), (65, 66, 70)),
    "red": ((200, 30, 35), (230, 45, 50), (150, 20, 30), (215, 75, 75), (120, 15, 25)),
    "blue": ((30, 80, 200), (60, 120, 220), (110, 165, 230), (20, 60, 150), (70, 130, 180)),
    "green": ((40, 150, 60), (95, 180, 80), (30, 100, 50), (140, 205, 120), (60, 120, 70), (150, 200, 40),
              (150, 210, 190), (70, 150, 120), (30, 70, 50)),  # mint and sea greens: the sample calls them green
    "yellow": ((250, 220, 40), (240, 230, 110), (225, 195, 30), (250, 240, 150)),
    "orange": ((250, 130, 30), (230, 100, 30), (255, 165, 80), (210, 90, 40)),
    "purple": ((120, 50, 160), (85, 40, 115), (160, 105, 200), (130, 80, 150), (190, 150, 220)),
    "brown": ((120, 70, 30), (90, 55, 35), (150, 100, 60), (70, 45, 30)),
    "navy": ((20, 30, 70), (30, 40, 95), (35, 45, 75)),
    "pink": ((240, 130, 170), (250, 185, 205), (220, 80, 140), (230, 160, 180)),
    "beige": ((220, 200, 160), (235, 222, 192), (200, 180, 140)),
}


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """N x 3 (or HxWx3) uint8 sRGB to float32 CIE Lab (D65): L in 0-100, a and b roughly -128..127."""
    arr = np.asarray(rgb, np.float32).reshape(-1, 1, 3) / np.float32(255.0)
    lab = cv2.cvtColor(arr, cv2.COLOR_RGB2Lab)
    return lab.reshape(np.shape(rgb)).astype(np.float32)


def _reference_table(names: Sequence[str] | None) -> tuple[list[str], np.ndarray]:
    names = list(REFERENCE_SRGB) if names is None else list(names)
    unknown = [n for n in names if n not in REFERENCE_SRGB]
    if unknown:
        raise KeyError(f"no reference colour for {unknown}; add them to REFERENCE_SRGB")
    labels = [n for n in names for _ in REFERENCE_SRGB[n]]
    rgb = np.array([c for n in names for c in REFERENCE_SRGB[n]], np.uint8)
    return labels, srgb_to_lab(rgb)


def name_colour(lab: np.ndarray, names: Sequence[str] | None = None) -> str:
    """The vocabulary name nearest (CIE76) to one Lab colour."""
    labels, table = _reference_table(names)
    return labels[int(np.argmin(((table - np.asarray(lab, np.float32)) ** 2).sum(axis=1)))]


def dominant_colours(image_uint8: np.ndarray, box: Sequence[float] | None = None, k: int = 3,
                     ignore_background: bool = True, ignore_skin: bool = True,
                     names: Sequence[str] | None = None) -> list[tuple[str, float]]:
    """Up to k named colours of the crop with their pixel shares (summing to 1), largest first.

    Near-white studio background around the product is ignored, and so are skin tones (models wearing the
    product) unless nearly everything is skin-toned. Deterministic: the same pixels always give the same
    answer. `names` limits the palette (default: every name in REFERENCE_SRGB).
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    pixels = _sample(_crop(image_uint8, box))
    lab = srgb_to_lab(pixels).reshape(-1, 3)
    lab = _foreground(lab, pixels.shape[:2], ignore_background, ignore_skin)
    centres, counts = _kmeans(lab, k)
    labels, table = _reference_table(names)
    shares: dict[str, float] = {}
    for centre, count in zip(centres, counts, strict=True):
        name = labels[int(np.argmin(((table - centre) ** 2).sum(axis=1)))]
        shares[name] = shares.get(name, 0.0) + float(count)
    total = sum(shares.values())
    return sorted(((n, s / total) for n, s in shares.items()), key=lambda item: (-item[1], item[0]))


def _crop(image: np.ndarray, box: Sequence[float] | None) -> np.ndarray:
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    image = image[..., :3]
    height, width = image.shape[:2]
    if box is None:
        return image
    x0, y0, x1, y1 = (float(v) if math.isfinite(float(v)) else 0.0 for v in box)
    left = min(max(int(round(min(x0, x1))), 0), width - 1)
    top = min(max(int(round(min(y0, y1))), 0), height - 1)
    right = max(min(int(round(max(x0, x1))), width), left + 1)
    bottom = max(min(int(round(max(y0, y1))), height), top + 1)
    return image[top:bottom, left:right]


def _sample(crop: np.ndarray) -> np.ndarray:
    height, width = crop.shape[:2]
    scale = SAMPLE_SIDE / max(height, width)
    if scale >= 1:
        return np.ascontiguousarray(crop, np.uint8)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Nearest neighbour samples real pixels; averaging would invent edge colours (red + white = pink).
    return cv2.resize(np.ascontiguousarray(crop, np.uint8), size, interpolation=cv2.INTER_NEAREST)


def _background_mask(lab: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Pixels of a near-white studio background: close to the border's colour and connected to the border.

    Connectivity keeps the inside of a white garment, which its outline and shading separate from the
    background. Nothing is background when the border is not a uniform near-white.
    """
    height, width = shape
    none = np.zeros(height * width, bool)
    if height < 3 or width < 3:
        return none
    grid = lab.reshape(height, width, 3)
    border = np.concatenate([grid[0], grid[-1], grid[1:-1, 0], grid[1:-1, -1]])
    colour = np.median(border, axis=0)
    lightness, chroma = colour[0], math.hypot(colour[1], colour[2])
    uniform = np.mean(np.linalg.norm(border - colour, axis=1) < BACKGROUND_DELTA_E) >= 0.5
    if lightness < 85 or chroma > 12 or not uniform:
        return none
    near = (np.linalg.norm(grid - colour, axis=2) < BACKGROUND_DELTA_E).astype(np.uint8)
    _, components = cv2.connectedComponents(near, connectivity=4)
    edge = np.unique(np.concatenate([components[0], components[-1], components[:, 0], components[:, -1]]))
    return (np.isin(components, edge[edge > 0])).reshape(-1)


def _skin_mask(lab: np.ndarray) -> np.ndarray:
    """Pixels in the usual range of skin tones (models wearing the product), in Lab."""
    lightness, a, b = lab[:, 0], lab[:, 1], lab[:, 2]
    hue = np.degrees(np.arctan2(b, a))
    chroma = np.hypot(a, b)
    return (lightness > 30) & (lightness < 85) & (hue > 25) & (hue < 70) & (chroma > 10) & (chroma < 40)


def _foreground(lab: np.ndarray, shape: tuple[int, int], ignore_background: bool, ignore_skin: bool) -> np.ndarray:
    keep = np.ones(len(lab), bool)
    if ignore_background:
        candidate = keep & ~_background_mask(lab, shape)
        if candidate.mean() >= MIN_FOREGROUND_SHARE:  # else a white product fills the crop
            keep = candidate
    if ignore_skin:
        candidate = keep & ~_skin_mask(lab)
        if candidate.sum() >= MIN_PRODUCT_SHARE * keep.sum():  # else the product itself is skin-toned
            keep = candidate
    return lab[keep]


def _kmeans(points: np.ndarray, k: int, iterations: int = 30, restarts: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means with seeded k-means++ starts; returns centres and their pixel counts.

    The restarts run in lockstep (one set of array operations per iteration for all of them, each stopping
    when its centres stop moving), with per-cluster sums by bincount: the same answer as running them one
    after another, with a third of the calls (a 96 px crop is ~9k points, and the calls hold the GIL).
    """
    points = np.ascontiguousarray(points, np.float64)
    k = min(k, _distinct_at_most(points, k))
    rng = np.random.default_rng(SEED)
    centres = np.stack([_plus_plus(points, k, rng) for _ in range(restarts)])  # (restarts, k, 3)
    active = np.arange(restarts)
    repeated: dict[int, list[np.ndarray]] = {}  # each coordinate once per active restart, for bincount's weights
    for _ in range(iterations):
        if not len(active):
            break
        a = len(active)
        current = centres[active]  # (a, k, 3)
        diff = points[:, None, :] - current.reshape(1, -1, 3)
        dist = np.einsum("ijk,ijk->ij", diff, diff).reshape(len(points), a, k)
        slot = dist.argmin(axis=2) + np.arange(a) * k  # (n, a): cluster index within all restarts
        flat = slot.ravel()
        counts = np.bincount(flat, minlength=a * k).reshape(a, k)
        if a not in repeated:
            repeated[a] = [np.repeat(points[:, d], a) for d in range(3)]
        sums = np.stack([np.bincount(flat, weights=repeated[a][d], minlength=a * k)
                         for d in range(3)], axis=1).reshape(a, k, 3)
        moved = np.where(counts[..., None] > 0, sums / np.maximum(counts, 1)[..., None], current)
        # np.allclose(moved[i], current[i]) for every restart at once (the same test: rtol 1e-5, atol 1e-8)
        settled = np.all(np.abs(moved - current) <= 1e-8 + 1e-5 * np.abs(current), axis=(1, 2))
        centres[active[~settled]] = moved[~settled]
        active = active[~settled]
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for run in centres:
        assign = _nearest(points, run)
        inertia = float(((points - run[assign]) ** 2).sum())
        if best is None or inertia < best[0]:
            best = (inertia, run, np.bincount(assign, minlength=k))
    assert best is not None
    _, chosen, counts = best
    keep = counts > 0
    return chosen[keep].astype(np.float32), counts[keep]


def _distinct_at_most(points: np.ndarray, k: int) -> int:
    """How many distinct points (to 3 decimals) there are, counted up to k (np.unique would sort them all)."""
    rounded = np.round(points, 3)
    other = np.ones(len(rounded), bool)  # points unlike every distinct one found so far
    found = 0
    while found < k and other.any():
        first = rounded[int(np.argmax(other))]
        other &= ~np.all(rounded == first, axis=1)
        found += 1
    return found


def _nearest(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre for each point (squared Euclidean, first centre on ties)."""
    dist = np.empty((len(points), len(centres)))
    for j, centre in enumerate(centres):
        diff = points - centre
        np.einsum("ij,ij->i", diff, diff, out=dist[:, j])
    return np.argmin(dist, axis=1)


def _plus_plus(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    centres = [points[rng.integers(len(points))]]
    dist = None
    for _ in range(1, k):
        diff = points - centres[-1]
        latest = np.einsum("ij,ij->i", diff, diff)
        dist = latest if dist is None else np.minimum(dist, latest)
        total = dist.sum()
        index = rng.choice(len(points), p=dist / total) if total > 0 else rng.integers(len(points))
        centres.append(points[index])
    return np.array(centres)


# --- colour signatures: the foreground's CIE Lab histogram, compared at search time --------------------------
# Bins: lightness is coarse (a back view is lit a little differently from the front), a and b are finer so
# navy, black and charcoal stay apart. The histogram is smoothed over neighbouring bins before it is stored,
# so that a colour on a bin edge still matches itself.
COLOUR_VERSION = "labhist-v1"
L_EDGES = np.array([0.0, 25.0, 50.0, 75.0, 100.01], np.float32)
AB_EDGES = np.array([-128.0, -48.0, -32.0, -20.0, -10.0, -3.0, 3.0, 10.0, 20.0, 32.0, 48.0, 128.01], np.float32)
SIGNATURE_BINS = (len(L_EDGES) - 1) * (len(AB_EDGES) - 1) ** 2
_SMOOTH = np.array([0.25, 0.5, 0.25], np.float32)


def colour_signature(image_uint8: np.ndarray, box: Sequence[float] | None = None,
                     mask: np.ndarray | None = None) -> dict[str, Any]:
    """The crop's foreground colour as a sparse, smoothed Lab histogram: {"version", "bins", "weights"}.

    Foreground as in dominant_colours: the near-white studio background connected to the border and skin
    tones are left out. `mask` (bool, the image's size) keeps only the product's pixels of a scene photo
    (core.pipeline.masks) instead. Weights sum to 1; stored per crop (Crop.colour), compared by colour_similarity.
    """
    pixels = _sample(_crop(image_uint8, box))
    lab = srgb_to_lab(pixels).reshape(-1, 3)
    if mask is not None:
        keep = _sample(_crop(np.asarray(mask, np.uint8)[..., None].repeat(3, axis=2), box))[..., 0].reshape(-1) > 0
        if keep.any():
            lab = lab[keep]
        lab = _foreground(lab, (1, len(lab)), False, True)
    else:
        lab = _foreground(lab, pixels.shape[:2], True, True)
    hist = _histogram(lab)
    nz = np.flatnonzero(hist > 1e-4)
    weights = hist[nz] / hist[nz].sum()
    return {"version": COLOUR_VERSION, "bins": nz.astype(int).tolist(),
            "weights": [round(float(w), 5) for w in weights]}


def _histogram(lab: np.ndarray) -> np.ndarray:
    n_l, n_ab = len(L_EDGES) - 1, len(AB_EDGES) - 1
    hist = np.zeros((n_l, n_ab, n_ab), np.float32)
    if len(lab):
        li = np.clip(np.searchsorted(L_EDGES, lab[:, 0], side="right") - 1, 0, n_l - 1)
        ai = np.clip(np.searchsorted(AB_EDGES, lab[:, 1], side="right") - 1, 0, n_ab - 1)
        bi = np.clip(np.searchsorted(AB_EDGES, lab[:, 2], side="right") - 1, 0, n_ab - 1)
        np.add.at(hist, (li, ai, bi), 1.0)
    for axis in range(3):  # [0.25, 0.5, 0.25] along each axis, zero beyond the edges (np.convolve "same")
        padded = np.pad(hist, [(1, 1) if a == axis else (0, 0) for a in range(3)])
        ahead, behind = np.take(padded, range(2, padded.shape[axis]), axis), np.take(padded, range(padded.shape[axis] - 2), axis)
        hist = _SMOOTH[0] * behind + _SMOOTH[1] * hist + _SMOOTH[2] * ahead
    total = hist.sum()
    return (hist / total).reshape(-1) if total > 0 else hist.reshape(-1)


def signature_vector(signature: dict | None) -> np.ndarray | None:
    """A stored signature as a dense unit-sum vector, or None when absent or from another version."""
    if not signature or signature.get("version") != COLOUR_VERSION:
        return None
    out = np.zeros(SIGNATURE_BINS, np.float32)
    out[np.asarray(signature["bins"], int)] = np.asarray(signature["weights"], np.float32)
    return out


def colour_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bhattacharyya coefficient between histograms (rows of b against a): 1 for the same colours, 0 for disjoint."""
    # Clipped: stored weights are rounded, so a crop compared with itself can come out a hair above 1.
    return np.clip(np.sqrt(np.clip(np.atleast_2d(b), 0, None)) @ np.sqrt(np.clip(a, 0, None)), 0.0, 1.0)
