"""Synthetic training scenes for the product detector: studio cut-outs pasted onto generated or user backgrounds.

A studio photo's plain background gives an exact cut-out (`foreground_mask`); scenes paste several at random
scale, place, flip, tilt and colour onto procedural textures (value noise, gradients, random shapes, blur) or
onto the user's own lifestyle photos, and the label of each product is the box of its visible pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

Box = tuple[float, float, float, float]
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp")
MIN_VISIBLE = 0.4  # a product less visible than this (occluded by a later paste) is not labelled: too ambiguous


@dataclass
class Cutout:
    rgba: np.ndarray  # H×W×4 uint8, alpha = the product's pixels
    product_id: int


def cutout(pixels: np.ndarray, product_id: int = 0, max_side: int = 384) -> Cutout | None:
    """The product cut out of a plain-background photo (None when the background is not plain)."""
    from core.models.detector import foreground_mask

    mask = foreground_mask(pixels)
    if mask is None:
        return None
    ys, xs = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    y0, y1, x0, x1 = ys[0], ys[-1] + 1, xs[0], xs[-1] + 1
    cover = (y1 - y0) * (x1 - x0) / float(mask.size)
    if cover < 0.02 or cover > 0.98:
        return None
    rgba = np.dstack([pixels[y0:y1, x0:x1], (mask[y0:y1, x0:x1] * 255).astype(np.uint8)])
    im = Image.fromarray(rgba, "RGBA")
    if max(im.size) > max_side:
        im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A slightly softened edge: a hard one is a cue no real photo has.
    alpha = im.getchannel("A").filter(ImageFilter.MinFilter(3)).filter(ImageFilter.GaussianBlur(0.8))
    im.putalpha(alpha)
    return Cutout(np.asarray(im), product_id)


def user_photos(folder: Path | str | None, limit: int = 500) -> list[Path]:
    """The user's own background photos (never the evaluation scenes: the caller chooses the folder)."""
    if not folder:
        return []
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"background folder not found: {root}")
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in PHOTO_SUFFIXES and p.is_file())[:limit]


def _value_noise(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """Multi-octave smooth noise in [0, 1], H×W."""
    out = np.zeros((height, width), np.float32)
    amp, total = 1.0, 0.0
    for cells in rng.choice([2, 4, 8, 16, 32, 64], size=3, replace=False):
        small = rng.random((max(2, int(cells * height / width)), int(cells))).astype(np.float32)
        out += amp * np.asarray(Image.fromarray((small * 255).astype(np.uint8)).resize(
            (width, height), Image.Resampling.BICUBIC), np.float32) / 255.0
        total += amp
        amp *= 0.5
    return out / total


def _colour(rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 256, 3).astype(np.float32)


def generated_background(rng: np.random.Generator, width: int, height: int) -> Image.Image:
    """A procedural texture: gradient and/or coloured noise, random shapes and lines, sometimes blurred."""
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :, None]
    angle = rng.random() * np.pi
    t = np.cos(angle) * x + np.sin(angle) * y
    t = (t - t.min()) / max(1e-6, float(t.max() - t.min()))
    base = (1 - t) * _colour(rng) + t * _colour(rng)
    if rng.random() < 0.8:
        noise = _value_noise(rng, width, height)[..., None]
        tint = _colour(rng)
        base = base * (1 - 0.6 * noise) + tint * 0.6 * noise if rng.random() < 0.5 else \
            base + (noise - 0.5) * rng.uniform(40, 160)
    base = base + rng.normal(0, rng.uniform(0, 8), base.shape)
    image = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    short = min(width, height)
    for _ in range(int(rng.integers(0, 14))):  # clutter: shapes that are no product of the catalog
        c = tuple(int(v) for v in _colour(rng))
        x0, y0 = int(rng.integers(-short // 4, width)), int(rng.integers(-short // 4, height))
        w, h = (int(v) for v in rng.integers(short // 20, short // 2, 2))
        kind = rng.integers(0, 4)
        if kind == 0:
            draw.rectangle((x0, y0, x0 + w, y0 + h), fill=c)
        elif kind == 1:
            draw.ellipse((x0, y0, x0 + w, y0 + h), fill=c)
        elif kind == 2:
            pts = [(int(x0 + rng.integers(0, w + 1)), int(y0 + rng.integers(0, h + 1))) for _ in range(3 + int(rng.integers(0, 4)))]
            draw.polygon(pts, fill=c)
        else:
            draw.line((x0, y0, x0 + w, y0 + h), fill=c, width=int(rng.integers(1, max(2, short // 30))))
    if rng.random() < 0.5:
        image = image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.5, 4.0))))
    return image


def photo_background(rng: np.random.Generator, path: Path, width: int, height: int) -> Image.Image | None:
    """A random crop of one of the user's photos, resized to the scene."""
    from core.pipeline.decode import decode

    try:
        pixels = decode(path)
    except Exception:  # an unreadable photo is skipped, not fatal: a generated texture takes its place
        return None
    im = Image.fromarray(pixels)
    scale = max(width / im.width, height / im.height) * rng.uniform(1.0, 1.6)
    im = im.resize((max(width, round(im.width * scale)), max(height, round(im.height * scale))),
                   Image.Resampling.BILINEAR)
    x0, y0 = int(rng.integers(0, im.width - width + 1)), int(rng.integers(0, im.height - height + 1))
    return im.crop((x0, y0, x0 + width, y0 + height))


def _jittered(rng: np.random.Generator, cut: Cutout, side: int) -> Image.Image:
    """The cut-out at `side` px on its long side, maybe flipped, tilted and re-coloured."""
    im = Image.fromarray(cut.rgba, "RGBA")
    scale = side / max(im.size)
    im = im.resize((max(4, round(im.width * scale)), max(4, round(im.height * scale))), Image.Resampling.BILINEAR)
    if rng.random() < 0.5:
        im = im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if rng.random() < 0.5:
        im = im.rotate(float(rng.uniform(-12, 12)), resample=Image.Resampling.BILINEAR, expand=True)
    rgb, alpha = im.convert("RGB"), im.getchannel("A")
    for enhance, spread in ((ImageEnhance.Brightness, 0.3), (ImageEnhance.Contrast, 0.3), (ImageEnhance.Color, 0.4)):
        rgb = enhance(rgb).enhance(float(rng.uniform(1 - spread, 1 + spread)))
    rgb.putalpha(alpha)
    return rgb


def compose(rng: np.random.Generator, cutouts: list[Cutout], width: int, height: int,
            photos: list[Path] = (), per_scene: tuple[int, int] = (1, 3),
            size_range: tuple[float, float] = (0.25, 0.8)) -> tuple[np.ndarray, list[Box], list[int]]:
    """One scene: RGB pixels, the box of each visible product and its product id."""
    scene = None
    if photos and rng.random() < 0.5:
        scene = photo_background(rng, photos[int(rng.integers(0, len(photos)))], width, height)
    if scene is None:
        scene = generated_background(rng, width, height)
    short = min(width, height)
    masks, ids, areas = [], [], []
    for _ in range(int(rng.integers(per_scene[0], per_scene[1] + 1))):
        cut = cutouts[int(rng.integers(0, len(cutouts)))]
        im = _jittered(rng, cut, int(short * rng.uniform(*size_range)))
        x0 = int(rng.integers(-im.width // 6, max(1, width - im.width * 5 // 6)))
        y0 = int(rng.integers(-im.height // 6, max(1, height - im.height * 5 // 6)))
        scene.paste(im, (x0, y0), im)
        full = np.zeros((height, width), bool)
        a = np.asarray(im.getchannel("A")) > 127
        ys, xs = slice(max(0, y0), min(height, y0 + im.height)), slice(max(0, x0), min(width, x0 + im.width))
        full[ys, xs] = a[ys.start - y0:ys.stop - y0, xs.start - x0:xs.stop - x0]
        for m in masks:  # a later paste hides what it covers
            m &= ~full
        masks.append(full)
        ids.append(cut.product_id)
        areas.append(max(1, int(a.sum())))  # its whole area, out-of-frame parts included
    boxes, kept = [], []
    for m, pid, area in zip(masks, ids, areas, strict=True):
        if m.sum() < MIN_VISIBLE * area:
            continue
        ys, xs = np.nonzero(m.any(axis=1))[0], np.nonzero(m.any(axis=0))[0]
        boxes.append((float(xs[0]), float(ys[0]), float(xs[-1] + 1), float(ys[-1] + 1)))
        kept.append(pid)
    pixels = np.asarray(scene.convert("RGB"))
    if rng.random() < 0.3:
        pixels = np.clip(pixels + rng.normal(0, rng.uniform(2, 10), pixels.shape), 0, 255).astype(np.uint8)
    return pixels, boxes, kept


def scene_size(rng: np.random.Generator, long_side: int = 640) -> tuple[int, int]:
    """Landscape, portrait or square, like photos are."""
    ratio = float(rng.choice([1.0, 4 / 3, 3 / 2, 16 / 9, 3 / 4, 2 / 3]))
    return (long_side, round(long_side / ratio)) if ratio >= 1 else (round(long_side * ratio), long_side)
