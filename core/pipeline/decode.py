"""Turning image files into RGB pixels: header probes, safe decoding and the reasons a file is refused."""

from __future__ import annotations

import contextlib
import io
import os
import re
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF from phones: decoded where the pi-heif plugin (in the lock) is installed
    from pi_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - without it, HEIC files get "format not supported" with a way out
    pass

Source = str | os.PathLike | bytes | bytearray | memoryview

# Only true decompression bombs are refused. Medium-format product cameras shoot 100-150 MP, so the pixel bound
# sits far above them (600 MP); a JPEG that big is still decoded at 1/2-1/8 scale by libjpeg (draft mode). The
# memory bound caps what one frame may take once decoded (a 600 MP PNG would need 1.8 GB): each refusal says why.
DEFAULT_MAX_PIXELS = 600_000_000
MAX_DECODE_BYTES = 1 << 30
Image.MAX_IMAGE_PIXELS = DEFAULT_MAX_PIXELS  # PIL refuses only beyond twice this; our checks give the reasons
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "LA": 2, "La": 2, "PA": 2, "RGB": 3, "YCbCr": 3, "LAB": 3, "HSV": 3,
                    "RGBA": 4, "RGBa": 4, "RGBX": 4, "CMYK": 4, "I": 4, "F": 4, "I;16": 2, "I;16L": 2, "I;16B": 2,
                    "I;16N": 2}

# warnings.catch_warnings swaps process-wide state; two threads interleaving it could leave warnings
# silenced for good, so every use here goes through one lock.
_WARNINGS_LOCK = threading.RLock()

_ORIENTATION_TAG = 0x0112
_SWAPS_SIDES = {5, 6, 7, 8}  # EXIF orientations that rotate by 90 degrees
_ALPHA_MODES = {"RGBA", "LA", "PA", "La", "RGBa"}


class DecodeError(Exception):
    """An image file the pipeline cannot use; `reason` is written for a curator, not a developer."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ImageInfo:
    width: int  # as displayed, after EXIF orientation
    height: int
    format: str  # PIL's name: JPEG, PNG, WEBP, GIF, BMP, TIFF...
    frames: int = 1


def probe(source: Source, *, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> ImageInfo:
    """Read only the header: size, format and frame count. Refuses what decode() would refuse up front.

    A missing or unreadable path raises OSError, which is about the disk, not the image.
    """
    with _quiet(), _open(source) as im:
        width, height = _checked_size(im, max_pixels)
        if _orientation(im) in _SWAPS_SIDES:
            width, height = height, width
        return ImageInfo(width, height, str(im.format or ""), _frame_count(im))


TRUNCATED = "truncated: the image data ends early (an incomplete download or copy?)"


def ends_early(path: Path, fmt: str) -> bool:
    """A cheap test at import, without decoding: a whole JPEG ends with its EOI marker and a whole PNG with its
    IEND chunk (a few KB of padding after them is allowed)."""
    if fmt not in ("JPEG", "PNG"):
        return False
    with open(path, "rb") as fh:
        fh.seek(max(0, os.fstat(fh.fileno()).st_size - 4096))
        tail = fh.read()
    return (b"\xff\xd9" if fmt == "JPEG" else b"IEND") not in tail


def decode(source: Source, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decode the first frame to a contiguous HxWx3 uint8 RGB array, upright, transparency on white.

    Raises DecodeError with a curator-readable reason; a missing or unreadable path raises OSError.
    """
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # someone flipped the global: truncated files would pass as grey
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    with _quiet() as quiet, _open(source) as im:
        _checked_size(im, max_pixels)
        _checked_memory(im)
        _load(im, quiet, im.width, im.height)
        upright = _upright(im)
        pixels = _to_rgb(upright)
    return np.ascontiguousarray(pixels, dtype=np.uint8)


class _quiet:
    """Silence PIL's warnings (bomb, palette transparency, corrupt EXIF): our own checks give the reasons."""

    def __enter__(self) -> _quiet:
        _WARNINGS_LOCK.acquire()
        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore")
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._ctx.__exit__(*exc)
        finally:
            _WARNINGS_LOCK.release()

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Give the warnings state and the lock back for a step that emits no warnings, so that other
        threads can decode meanwhile."""
        self.__exit__(None, None, None)
        try:
            yield
        finally:
            self.__enter__()


def _open(source: Source) -> Image.Image:
    fp: IO[bytes] | Path
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data:
            raise DecodeError("empty file (0 bytes)")
        fp = io.BytesIO(data)
        head = data[:512]
    else:
        path = Path(source)
        with path.open("rb") as fh:  # OSError (missing, no permission) passes through on purpose
            head = fh.read(512)
        if not head:
            raise DecodeError("empty file (0 bytes)")
        fp = path
    try:
        return Image.open(fp)
    except UnidentifiedImageError:
        raise DecodeError(_not_an_image(head)) from None
    except Image.DecompressionBombError as exc:
        raise DecodeError(_bomb_reason(exc)) from None
    except (SyntaxError, EOFError, ValueError) as exc:
        raise DecodeError(f"damaged image header: {exc}") from None
    except OSError as exc:
        if isinstance(fp, Path) and exc.errno is not None:
            raise  # a disk problem, not an image problem
        raise DecodeError(f"damaged image header: {exc}") from None


def _bomb_reason(exc: Exception) -> str:
    """PIL refused the header before we could read it; keep its pixel count, drop its jargon."""
    found = re.search(r"\((\d+) pixels\)", str(exc))
    claimed = f" the header claims {int(found.group(1)) / 1e6:,.0f} MP," if found else ""
    return f"too large:{claimed} far beyond what can be decoded safely (a decompression bomb?)"


_SIGNATURES = {
    b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF8": "GIF", b"BM": "BMP", b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}


def _not_an_image(head: bytes) -> str:
    for magic, name in _SIGNATURES.items():
        if head.startswith(magic):
            return f"damaged image header: the file starts like a {name} but its header is invalid"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "damaged image header: the file starts like a WEBP but its header is invalid"
    if head[4:8] == b"ftyp":
        brand = head[8:12].decode("ascii", "replace").strip()
        if brand in ("avif", "avis"):
            return "damaged image header: the file starts like an AVIF but its header is invalid"
        if brand in ("heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"):
            return "HEIC/HEIF image that cannot be decoded here: format not supported: convert to JPEG"
        return f"not an image: a video or other ISO media file ({brand!r})"
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html")):
        return "not an image: the file is a web page (HTML)"
    if stripped.startswith((b"<?xml", b"<svg")):
        return "not an image: the file is XML or SVG (vector images are not supported)"
    if head.startswith(b"%PDF"):
        return "not an image: the file is a PDF document"
    if head.startswith(b"PK\x03\x04"):
        return "not an image: the file is a ZIP archive"
    try:
        head.decode("utf-8")
        return "not an image: the file contains text"
    except UnicodeDecodeError:
        return "not an image: unrecognised file format"


def _checked_size(im: Image.Image, max_pixels: int | None) -> tuple[int, int]:
    width, height = im.size
    if width <= 0 or height <= 0:
        raise DecodeError(f"invalid size: the header says {width} x {height} pixels")
    if max_pixels is not None and width * height > max_pixels:
        raise DecodeError(f"too large: {width} x {height} pixels ({width * height / 1e6:.0f} MP) exceeds the "
                          f"{max_pixels / 1e6:.0f} MP limit (a decompression bomb?)")
    return width, height


def _checked_memory(im: Image.Image, limit: int = MAX_DECODE_BYTES) -> None:
    """Refuse, before decoding, a frame whose pixels alone would take more than `limit` bytes."""
    width, height = im.size
    need = width * height * _BYTES_PER_PIXEL.get(im.mode, 4)
    if need > limit:
        raise DecodeError(f"too large to decode here: {width} x {height} pixels ({width * height / 1e6:.0f} MP, "
                          f"{im.mode}) would need {need / 2**30:.1f} GB of memory, over the {limit / 2**30:.1f} GB "
                          "bound (save it as a JPEG, which is decoded at reduced size, or make it smaller)")


def _frame_count(im: Image.Image) -> int:
    try:
        return max(1, int(getattr(im, "n_frames", 1)))
    except Exception:  # counting GIF frames walks the file; a damaged tail is decode()'s business
        return 1


def _orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(_ORIENTATION_TAG, 1))
    except Exception:
        return 1


def _upright(im: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(im) or im
    except Exception:  # a corrupt EXIF block should not cost the picture
        return im


def _to_rgb(im: Image.Image) -> np.ndarray:
    mode = im.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        return _wide_to_rgb(im)
    if mode == "RGB" and "transparency" not in im.info:
        return np.asarray(im)
    if mode in _ALPHA_MODES or "transparency" in im.info:
        return _on_white(np.asarray(im.convert("RGBA")))
    try:
        return np.asarray(im.convert("RGB"))
    except ValueError as exc:
        raise DecodeError(f"unsupported colour mode {mode}: {exc}") from None


def _on_white(rgba: np.ndarray) -> np.ndarray:
    """Composite on white with exact integer arithmetic, so the result is the same on every machine."""
    rgb = rgba[..., :3].astype(np.uint32)
    alpha = rgba[..., 3:4].astype(np.uint32)
    out = (rgb * alpha + 255 * (255 - alpha) + 127) // 255
    return out.astype(np.uint8)


def _wide_to_rgb(im: Image.Image) -> np.ndarray:
    """16/32-bit greyscale to 8 bits: 16-bit data scales by 65535, floats by 1.0 or 255, anything else stretches."""
    values = np.asarray(im).astype(np.float64)
    values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if im.mode.startswith("I;16"):
        scale, offset = 65535.0, 0.0
    elif im.mode == "F" and low >= 0.0 and high <= 1.0:
        scale, offset = 1.0, 0.0
    elif im.mode == "F" and low >= 0.0 and high <= 255.0:
        scale, offset = 255.0, 0.0
    elif low >= 0.0 and high <= 65535.0:
        scale, offset = 65535.0, 0.0  # PIL stores 16-bit files as mode I too
    else:
        scale, offset = max(high - low, 1e-12), low
    grey = np.clip(np.rint((values - offset) * (255.0 / scale)), 0, 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def decode_reduced(source: Source, max_side: int | None, *,
                   max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[np.ndarray, float, float]:
    """decode(), but no larger than `max_side` on the long side; returns (pixels, sx, sy).

    sx, sy are original (upright) pixels per returned pixel, so boxes found on the returned array map back to
    the original as x * sx, y * sy. A JPEG is decoded at 1/2, 1/4 or 1/8 scale by libjpeg itself (draft mode),
    so a 24 MP photo never exists at full size in memory; other formats are decoded, then reduced.
    """
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    with _quiet() as quiet, _open(source) as im:
        width, height = _checked_size(im, max_pixels)
        factor = max_side / max(width, height) if max_side and max(width, height) > max_side else 1.0
        if factor < 1.0 and im.format == "JPEG":
            im.draft(None, (max(1, round(width * factor)), max(1, round(height * factor))))
        _checked_memory(im)  # after draft(): what libjpeg will really allocate
        _load(im, quiet, width, height)
        # EXIF only after load(): reading a PNG's EXIF loads the image, and _orientation() would swallow
        # the error a damaged file raises there.
        if _orientation(im) in _SWAPS_SIDES:
            width, height = height, width
        target = (max(1, round(width * factor)), max(1, round(height * factor)))
        pixels = _to_rgb(_upright(im))
    if factor < 1.0 and (pixels.shape[1], pixels.shape[0]) != target:
        # reducing_gap: Pillow first shrinks by whole factors (cheap box filter), then resamples the rest.
        pixels = np.asarray(Image.fromarray(np.ascontiguousarray(pixels)).resize(
            target, Image.Resampling.BILINEAR, reducing_gap=2.0))
    sx, sy = width / pixels.shape[1], height / pixels.shape[0]
    return np.ascontiguousarray(pixels, dtype=np.uint8), sx, sy


def _load(im: Image.Image, quiet: _quiet, width: int, height: int) -> None:
    """Decode the pixels, turning every way a file can be bad into a DecodeError a curator can read."""
    try:
        im.seek(0)
        if im.format == "JPEG":
            with quiet.paused():  # libjpeg's decode, the costly part, warns about nothing: run it in parallel
                im.load()
        else:
            im.load()
    except Image.DecompressionBombError as exc:
        raise DecodeError(_bomb_reason(exc)) from None
    except MemoryError:
        raise DecodeError(f"too large: not enough memory to decode {width} x {height} pixels") from None
    except OSError as exc:
        if "truncated" in str(exc).lower():
            raise DecodeError(TRUNCATED) from None
        raise DecodeError(f"damaged image data: {exc}") from None
    except Exception as exc:  # PIL's plugins raise SyntaxError, EOFError, ValueError, struct.error...
        raise DecodeError(f"damaged image data: {type(exc).__name__}: {exc}") from None
