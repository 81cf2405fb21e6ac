"""Big photos are welcome (issue 27, requirement 10): a 150 MP JPEG (a medium-format product camera) is imported
and indexed at a reduced decode, its boxes in original pixels; only true bombs are refused, each with its
reason (an explicit pixel bound far above cameras, and a memory bound)."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw

from core.catalog import db
from core.catalog.catalog import Catalog
from core.pipeline.decode import (
    DEFAULT_MAX_PIXELS,
    MAX_DECODE_BYTES,
    DecodeError,
    decode,
    decode_reduced,
    probe,
)

W, H = 15_000, 10_000  # 150 MP
OBJECT = (5_000, 2_500, 10_000, 7_500)  # a dark striped product on a light background, in original pixels


@pytest.fixture(scope="module")
def photo_150mp(tmp_path_factory):
    """A real 150 MP JPEG: greyscale at low quality, so it is cheap to make (about a second, a few MB)."""
    path = tmp_path_factory.mktemp("big") / "product" / "main.jpg"
    path.parent.mkdir()
    img = Image.new("L", (W, H), 236)
    draw = ImageDraw.Draw(img)
    draw.rectangle(OBJECT, fill=60)
    for x in range(OBJECT[0] + 200, OBJECT[2] - 200, 400):
        draw.line((x, OBJECT[1] + 200, x, OBJECT[3] - 200), fill=140, width=60)
    img.save(path, "JPEG", quality=30)
    del img, draw
    return path


def test_150mp_is_probed_and_decoded_reduced_with_a_map_back(photo_150mp):
    info = probe(photo_150mp)
    assert (info.width, info.height) == (W, H)
    pixels, sx, sy = decode_reduced(photo_150mp, 1600)
    assert pixels.shape[:2] == (1067, 1600)
    assert sx == pytest.approx(W / 1600) and sy == pytest.approx(H / 1067)
    dark = np.argwhere(pixels.mean(axis=2) < 120)
    (y0, x0), (y1, x1) = dark.min(axis=0), dark.max(axis=0)
    found = np.array([x0 * sx, y0 * sy, (x1 + 1) * sx, (y1 + 1) * sy])
    assert np.abs(found - np.array(OBJECT)).max() < 0.01 * W  # within 150 original pixels


def test_150mp_photo_is_indexed_with_boxes_in_original_pixels(photo_150mp, tmp_path, tiny_model_settings):
    from core.jobs import run_index_job
    from core.models.registry import ModelRegistry

    with Catalog.open(tmp_path / "cat") as catalog:
        catalog.settings.models = tiny_model_settings
        registry = ModelRegistry(tiny_model_settings)
        try:
            result = run_index_job(catalog, registry, [photo_150mp.parent.parent])
        finally:
            registry.close()
        assert result["indexed"] == 1 and not result["errors"], result
        image = db.ImageFile.get()
        assert (image.width, image.height) == (W, H) and image.status == "ok"
        crops = list(db.Crop.select().where(db.Crop.image == image))
        assert crops
        for crop in crops:  # boxes are in the photo's own pixels, not the working copy's
            assert 0 <= crop.x0 < crop.x1 <= W and 0 <= crop.y0 < crop.y1 <= H
        assert max(c.x1 for c in crops) > 1600  # far beyond the working copy's side


def _png_header(width: int, height: int, colour_type: int = 2) -> bytes:
    """A PNG whose header claims a size; the data is one empty compressed block (a bomb's shape)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


def test_true_bombs_are_refused_each_with_its_reason():
    assert DEFAULT_MAX_PIXELS >= 4 * 150_000_000  # far above any camera
    with pytest.raises(DecodeError, match=r"too large: 30000 x 25000 pixels \(750 MP\) exceeds the 600 MP"):
        probe(_png_header(30_000, 25_000))
    # under the pixel bound, but its decoded pixels would not fit the memory bound (RGBA: 4 bytes a pixel)
    side = int((MAX_DECODE_BYTES / 4) ** 0.5) + 100
    with pytest.raises(DecodeError, match=r"would need .* GB of memory, over the 1\.0 GB bound"):
        decode(_png_header(side, side, colour_type=6))
