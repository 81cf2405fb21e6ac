"""preprocess.py: boxes stay inside, squares are square, and the same bytes give the same tensor bit for bit."""

from __future__ import annotations

import hashlib
import io
import math
import re

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from core.pipeline.decode import decode
from core.pipeline.preprocess import (
    ALGORITHM,
    PreprocessSpec,
    expand_box,
    pad_square_reflect,
    preprocess,
    preprocess_batch,
    to_tensor,
)
from tests.badfiles import product_like

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
FAST = settings(max_examples=60, deadline=None)


def _spec(size: int = 32, ratio: float = 0.15, **kwargs) -> PreprocessSpec:
    return PreprocessSpec(size=size, mean=CLIP_MEAN, std=CLIP_STD, expand_ratio=ratio, **kwargs)


@st.composite
def image_and_inner_box(draw):
    width = draw(st.integers(1, 400))
    height = draw(st.integers(1, 400))
    x0 = draw(st.floats(0, width, allow_nan=False))
    x1 = draw(st.floats(x0, width, allow_nan=False))
    y0 = draw(st.floats(0, height, allow_nan=False))
    y1 = draw(st.floats(y0, height, allow_nan=False))
    return width, height, (x0, y0, x1, y1)


ratios = st.floats(0.10, 0.20, allow_nan=False)


@FAST
@given(image_and_inner_box(), ratios)
def test_expanded_box_is_inside_the_image_and_contains_the_box(case, ratio):
    width, height, (x0, y0, x1, y1) = case
    ex0, ey0, ex1, ey1 = out = expand_box((x0, y0, x1, y1), ratio, width, height)
    assert all(isinstance(v, int) for v in out)
    assert 0 <= ex0 < ex1 <= width and 0 <= ey0 < ey1 <= height
    assert ex0 <= x0 and ey0 <= y0
    assert ex1 >= x1 or ex1 == width
    assert ey1 >= y1 or ey1 == height


@FAST
@given(st.integers(1, 300), st.integers(1, 300),
       st.lists(st.floats(-1e6, 1e6) | st.sampled_from([math.nan, math.inf, -math.inf]), min_size=4, max_size=4),
       ratios)
def test_any_box_gives_at_least_one_pixel_inside_the_image(width, height, box, ratio):
    x0, y0, x1, y1 = expand_box(box, ratio, width, height)
    assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height


def test_expand_box_grows_each_side_by_the_ratio_of_the_box():
    assert expand_box((100, 100, 200, 300), 0.15, 1000, 1000) == (85, 70, 215, 330)
    assert expand_box((0, 0, 100, 100), 0.2, 110, 100) == (0, 0, 110, 100)
    assert expand_box((10.5, 10.5, 20.5, 20.5), 0.1, 100, 100) == (9, 9, 22, 22)  # rounds outwards


@FAST
@given(st.integers(1, 70), st.integers(1, 70), st.integers(0, 2**32 - 1))
def test_pad_square_reflect_is_square_and_keeps_the_crop_centred(height, width, seed):
    crop = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    square = pad_square_reflect(crop)
    side = max(height, width)
    assert square.shape == (side, side, 3) and square.dtype == np.uint8
    top, left = (side - height) // 2, (side - width) // 2
    assert np.array_equal(square[top:top + height, left:left + width], crop)
    if min(height, width) > 1:
        pad = side - min(height, width)
        vertical = height < width
        expected = cv2.copyMakeBorder(crop, *((pad // 2, pad - pad // 2, 0, 0) if vertical
                                              else (0, 0, pad // 2, pad - pad // 2)), cv2.BORDER_REFLECT_101)
        assert np.array_equal(square, expected)


def test_pad_square_reflect_handles_lines_and_greyscale():
    assert pad_square_reflect(np.zeros((1, 9, 3), np.uint8)).shape == (9, 9, 3)
    assert pad_square_reflect(np.zeros((2, 2000, 3), np.uint8)).shape == (2000, 2000, 3)
    assert pad_square_reflect(np.zeros((5, 2), np.uint8)).shape == (5, 5)


@FAST
@given(image_and_inner_box(), st.sampled_from([8, 17, 32]), ratios, st.integers(0, 2**32 - 1))
def test_preprocess_gives_a_square_tensor_of_spec_size_deterministically(case, size, ratio, seed):
    width, height, box = case
    height, width = min(height, 120), min(width, 120)
    image = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    spec = _spec(size, ratio)
    first, second = preprocess(image, box, spec), preprocess(image.copy(), box, spec)
    assert first.tensor.shape == (3, size, size) and first.tensor.dtype == np.float32
    assert first.tensor.flags.c_contiguous and np.isfinite(first.tensor).all()
    x0, y0, x1, y1 = first.expanded_box
    assert first.square_uint8.shape == (max(y1 - y0, x1 - x0),) * 2 + (3,)
    assert first.tensor.tobytes() == second.tensor.tobytes()


def test_the_same_file_bytes_give_the_same_tensor_across_decodes():
    buf = io.BytesIO()
    Image.fromarray(product_like(413, 512)).save(buf, format="JPEG", quality=85)
    data = buf.getvalue()
    spec = _spec(224)
    box = (60.3, 80.9, 350.2, 430.0)
    a = preprocess(decode(data), box, spec).tensor
    b = preprocess(decode(bytes(data)), box, spec).tensor
    assert a.tobytes() == b.tobytes()


def test_tensor_is_pinned_for_this_algorithm_version():
    # If this fails after a Pillow/numpy upgrade, stored embeddings no longer match new ones: bump ALGORITHM.
    yy, xx = np.mgrid[0:240, 0:320]  # no random numbers: numpy does not promise stable streams
    image = np.stack([(xx * 7 + yy * 3) % 256, (xx * yy) % 253, ((xx // 9 + yy // 5) % 2) * 255], -1)
    tensor = preprocess(image.astype(np.uint8), (40, 30, 260, 200), _spec(64)).tensor
    assert ALGORITHM == "sqpad-reflect-v2"
    assert hashlib.sha256(tensor.tobytes()).hexdigest()[:16] == PINNED


PINNED = "155c0b4e28ded36e"


def test_to_tensor_normalises_with_mean_and_std():
    spec = _spec(4)
    tensor = to_tensor(np.full((10, 10, 3), 51, np.uint8), spec)
    expected = (np.float32(51) / np.float32(255) - np.float32(CLIP_MEAN[1])) / np.float32(CLIP_STD[1])
    assert tensor.shape == (3, 4, 4)
    assert tensor[1, 2, 2] == expected
    with pytest.raises(ValueError):
        to_tensor(np.zeros((4, 4), np.uint8), spec)


def test_preprocess_batch_stacks_to_nchw():
    image = product_like()
    spec = _spec(16)
    batch = preprocess_batch([(image, (0, 0, 50, 50)), (image, None)], spec)
    assert batch.shape == (2, 3, 16, 16) and batch.dtype == np.float32
    assert np.array_equal(batch[1], preprocess(image, None, spec).tensor)
    assert preprocess_batch([], spec).shape == (0, 3, 16, 16)


def test_spec_validates_and_versions_its_parameters():
    spec = _spec(224)
    assert re.fullmatch(r"sqpad-reflect-v2-[0-9a-f]{10}", spec.version)
    assert _spec(224).version == spec.version
    assert PreprocessSpec(224, list(CLIP_MEAN), list(CLIP_STD)).version == spec.version  # lists from configs
    others = {_spec(256).version, _spec(224, 0.1).version, _spec(224, interpolation="bilinear").version,
              PreprocessSpec(224, (0.5, 0.5, 0.5), CLIP_STD).version, spec.version}
    assert len(others) == 5
    for bad in (0.05, 0.25, math.nan):
        with pytest.raises(ValueError, match="expand_ratio"):
            _spec(224, bad)
    with pytest.raises(ValueError):
        PreprocessSpec(224, CLIP_MEAN, (0.2, 0.0, 0.2))
    with pytest.raises(ValueError):
        _spec(224, interpolation="magic")


def test_tall_box_is_squared_with_real_pixels_before_reflection():
    """A tall product on a wide photo takes its square from the photo, not from mirrored copies of itself."""
    from core.pipeline.preprocess import square_in_context

    image = np.full((100, 300, 3), 255, np.uint8)
    image[10:90, 140:160] = 0  # a tall dark product in the middle of a white photo
    out = preprocess(image, (140, 10, 160, 90), _spec(32))
    x0, y0, x1, y1 = square_in_context(out.expanded_box, 300, 100)
    assert (x1 - x0) == (y1 - y0) == out.square_uint8.shape[0]
    dark_columns = (out.square_uint8.min(axis=(0, 2)) < 50).sum()
    assert dark_columns == 20  # exactly one product, no reflected twins
    # At the image border, what lies beyond is still reflected to make a square.
    edge = preprocess(image, (0, 10, 20, 90), _spec(32))
    assert edge.square_uint8.shape[0] == edge.square_uint8.shape[1]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([(0.48145466, 0.4578275, 0.40821073), (0.485, 0.456, 0.406), (0.5, 0.5, 0.5)]))
def test_normalising_by_table_gives_the_bits_of_the_arithmetic(seed, mean):
    """to_tensor looks pixels up in a 256-value table per channel: bit for bit what (v/255 - mean)/std gives
    over the whole image in float32 (the preprocessing version promises the same tensors)."""
    from core.pipeline.preprocess import PreprocessSpec, to_tensor

    std = (0.26862954, 0.26130258, 0.27577711)
    spec = PreprocessSpec(32, mean, std)
    square = np.random.default_rng(seed).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    m, s = np.asarray(spec.mean, np.float32), np.asarray(spec.std, np.float32)
    want = np.ascontiguousarray(((square.astype(np.float32) / np.float32(255.0) - m) / s).transpose(2, 0, 1))
    got = to_tensor(square, spec)
    assert got.dtype == np.float32 and got.flags.c_contiguous
    assert np.array_equal(got.view(np.uint32), want.view(np.uint32))
