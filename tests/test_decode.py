"""decode.py: every odd file decodes to upright RGB on white or is refused with a reason a curator can read."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from core.pipeline.decode import DecodeError, ImageInfo, decode, probe
from tests.badfiles import make_bad_corpus, product_like


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("badfiles")
    return folder, make_bad_corpus(folder)


def _png(image: Image.Image, **kwargs) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", **kwargs)
    return buf.getvalue()


def test_corpus_is_large_enough(corpus):
    _, expected = corpus
    assert len(expected) >= 30
    assert sum(1 for v in expected.values() if v != "ok") >= 12


def test_every_file_decodes_or_is_refused_with_its_reason(corpus):
    folder, expected = corpus
    wrong = []
    for name, outcome in expected.items():
        try:
            pixels = decode(folder / name)
        except DecodeError as exc:
            assert exc.reason and str(exc) == exc.reason
            if outcome == "ok" or outcome not in exc.reason:
                wrong.append(f"{name}: expected {outcome!r}, got {exc.reason!r}")
            continue
        if outcome != "ok":
            wrong.append(f"{name}: expected {outcome!r}, decoded fine")
        assert pixels.dtype == np.uint8 and pixels.ndim == 3 and pixels.shape[2] == 3, name
        assert pixels.flags.c_contiguous, name
    assert not wrong, "\n".join(wrong)


def test_decode_from_bytes_matches_decode_from_path(corpus):
    folder, expected = corpus
    for name, outcome in expected.items():
        data = (folder / name).read_bytes()
        if outcome == "ok":
            assert np.array_equal(decode(data), decode(folder / name)), name
        else:
            with pytest.raises(DecodeError, match=outcome.replace("(", r"\(")):
                decode(data)


def test_probe_agrees_with_decode_on_size(corpus):
    folder, expected = corpus
    for name, outcome in expected.items():
        if outcome != "ok":
            continue
        info = probe(folder / name)
        assert isinstance(info, ImageInfo) and info.format
        height, width = decode(folder / name).shape[:2]
        if info.format != "ICO":  # ICO's header names the largest size it holds
            assert (info.width, info.height) == (width, height), name


def test_probe_counts_frames_and_refuses_bombs_without_decoding(corpus):
    folder, _ = corpus
    assert probe(folder / "animated.gif").frames == 3
    assert probe(folder / "multipage.tiff").frames == 3
    assert probe(folder / "png_named.jpg").format == "PNG"
    for bomb in ("bomb_100k_square.png", "bomb_700mp.png", "bomb_gif.gif"):
        with pytest.raises(DecodeError, match="too large"):
            probe(folder / bomb)
    assert probe(folder / "bomb_700mp.png", max_pixels=None).width == 28_000


def test_missing_file_is_an_os_error_not_a_decode_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        decode(tmp_path / "nope.jpg")


def test_alpha_is_composited_on_white():
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:2, :, 3] = 255  # top half opaque red, bottom half fully transparent
    rgba[2, :, 3] = 128
    out = decode(_png(Image.fromarray(rgba, "RGBA")))
    assert out[0, 0].tolist() == [255, 0, 0]
    assert out[3, 0].tolist() == [255, 255, 255]
    assert out[2, 0].tolist() == [255, 127, 127]


def test_palette_transparency_becomes_white():
    pal = Image.new("P", (4, 4), 1)
    pal.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
    pal.putpixel((0, 0), 0)
    out = decode(_png(pal, transparency=0))
    assert out[0, 0].tolist() == [255, 255, 255]
    assert out[1, 1].tolist() == [10, 200, 30]


def test_sixteen_bit_greyscale_scales_to_the_full_range():
    ramp = np.array([[0, 257 * 100, 65535]], np.uint16)
    out = decode(_png(Image.fromarray(ramp)))
    assert out[0, :, 0].tolist() == [0, 100, 255]
    assert (out[..., 0] == out[..., 2]).all()


def test_sixteen_bit_rgb_keeps_its_colours(corpus):
    folder, _ = corpus
    out = decode(folder / "rgb16.png").astype(int)
    expected = product_like()[100:116, 100:116].astype(int)
    assert np.abs(out - expected).max() <= 1


def test_float_and_int32_tiffs_scale_like_the_8_bit_source(corpus):
    folder, _ = corpus
    red = product_like()[..., 0].astype(int)
    for name in ("float32.tif", "int32.tif"):
        out = decode(folder / name)[..., 0].astype(int)
        assert np.abs(out - red).max() <= 1, name


def test_cmyk_and_greyscale_come_back_as_rgb(corpus):
    folder, _ = corpus
    photo = product_like().astype(int)
    cmyk = decode(folder / "cmyk.jpg").astype(int)
    assert np.abs(cmyk - photo).mean() < 6
    grey = decode(folder / "grey.jpg")
    assert (grey[..., 0] == grey[..., 1]).all()


def test_exif_orientation_6_is_turned_upright(corpus):
    folder, _ = corpus
    out = decode(folder / "exif_rotated_6.jpg").astype(int)
    clockwise = np.rot90(product_like(), k=-1).astype(int)  # orientation 6: rotate 90 degrees clockwise
    anticlockwise = np.rot90(product_like(), k=1).astype(int)
    assert out.shape == clockwise.shape
    assert np.abs(out - clockwise).mean() < np.abs(out - anticlockwise).mean() / 2


def test_animated_gif_gives_the_first_frame(corpus):
    folder, _ = corpus
    first = decode(folder / "animated.gif").astype(int)
    assert np.abs(first - product_like().astype(int)).mean() < 12


def test_one_by_one_decodes():
    out = decode(_png(Image.new("RGB", (1, 1), (1, 2, 3))))
    assert out.shape == (1, 1, 3) and out[0, 0].tolist() == [1, 2, 3]


def test_max_pixels_is_checked_from_the_header():
    data = _png(Image.new("RGB", (100, 100)))
    assert decode(data, max_pixels=10_000).shape == (100, 100, 3)
    with pytest.raises(DecodeError, match=r"too large: 100 x 100"):
        decode(data, max_pixels=9_999)


def test_truncated_images_stay_refused():
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_decoding_twice_gives_identical_bytes(corpus):
    folder, _ = corpus
    data = (folder / "progressive.jpg").read_bytes()
    assert decode(data).tobytes() == decode(bytes(data)).tobytes()
