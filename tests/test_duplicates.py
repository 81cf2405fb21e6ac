"""Near-duplicates through the index: planted copies are grouped, distinct products are not."""

from __future__ import annotations

import numpy as np
import pytest

import core.search.duplicates as dup
from core.search import find_duplicates
from tests.test_search_fixtures import DIM, open_builder, open_catalog


@pytest.fixture
def catalog(tmp_path):
    yield from open_catalog(tmp_path)


@pytest.fixture
def builder(catalog):
    yield from open_builder(catalog)


def _plant(builder, rng, n_random: int = 400):
    vectors = rng.standard_normal((n_random, DIM)).astype(np.float32)
    ids = [builder.add(f"R{i}", [v]).product.id for i, v in enumerate(vectors)]
    planted = []
    for g, size in enumerate([2, 2, 3]):
        base = rng.standard_normal(DIM).astype(np.float32)
        group = [builder.add(f"D{g}-{j}", [base + 0.02 * rng.standard_normal(DIM)]).product.id for j in range(size)]
        planted.append(sorted(group))
    return ids, planted


@pytest.mark.parametrize("exact_limit", [dup.EXACT_LIMIT, 0])  # exact search, then HNSW
def test_planted_duplicates_are_found_and_nothing_else(catalog, builder, monkeypatch, exact_limit):
    monkeypatch.setattr(dup, "EXACT_LIMIT", exact_limit)
    monkeypatch.setattr(dup, "CHUNK", 64)  # several chunks
    catalog.activate("stub-v1")
    _, planted = _plant(builder, np.random.default_rng(0))
    groups = find_duplicates(catalog, threshold=0.95)
    assert sorted(g.product_ids for g in groups) == sorted(planted)
    biggest = groups[0]
    assert len(biggest.product_ids) == 3 and biggest.skus[0].startswith("D2")
    assert 0.95 <= biggest.min_similarity <= biggest.max_similarity <= 1.0 + 1e-3
    assert len(biggest.pairs) == 3  # each link once
    assert set(biggest.to_dict()) == {"kind", "product_ids", "skus", "min_similarity", "max_similarity", "pairs",
                                      "pair_kinds"}
    assert biggest.kind == "near"  # no pixels to compare: the embedding's word stands


def test_threshold_single_linkage_and_deleted_products(catalog, builder):
    rng = np.random.default_rng(1)
    a = rng.standard_normal(DIM).astype(np.float32)
    b = rng.standard_normal(DIM).astype(np.float32)
    x = builder.add("X", [a]).product
    # y sits between a and b: x~y (0.86) and y~z (0.93) pass 0.8, x~z (0.61) does not.
    y = builder.add("Y", [a / np.linalg.norm(a) + 0.6 * b / np.linalg.norm(b)]).product
    z = builder.add("Z", [a / np.linalg.norm(a) + 1.3 * b / np.linalg.norm(b)]).product
    for i, v in enumerate(rng.standard_normal((50, DIM)).astype(np.float32)):
        builder.add(f"R{i}", [v])
    groups = find_duplicates(catalog, threshold=0.8, model_version="stub-v1")
    assert [g.product_ids for g in groups] == [sorted([x.id, y.id, z.id])]
    assert len(groups[0].pairs) == 2 and groups[0].min_similarity >= 0.8
    assert find_duplicates(catalog, threshold=0.99, model_version="stub-v1") == []
    y.soft_delete()
    assert find_duplicates(catalog, threshold=0.8, model_version="stub-v1") == []


def test_progress_and_stop(catalog, builder, monkeypatch):
    monkeypatch.setattr(dup, "CHUNK", 10)
    _plant(builder, np.random.default_rng(2), n_random=30)
    seen = []
    find_duplicates(catalog, 0.95, model_version="stub-v1", progress=lambda d, t, m: seen.append((d, t)))
    assert seen[-1] == (37, 37) and len(seen) == 4
    assert find_duplicates(catalog, 0.95, model_version="stub-v1", should_stop=lambda: True) == []


def _photo(path, colour, angle=0.0, crop=None, size=(160, 200), quality=90):
    """A garment-like shape on a white studio background, optionally re-shot (turned, cropped, re-encoded)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.polygon([(40, 30), (120, 30), (150, 70), (125, 80), (125, 180), (35, 180), (35, 80), (10, 70)], fill=colour)
    draw.rectangle((60, 90, 100, 120), fill=tuple(int(c * 0.6) for c in colour))
    # Seams, a print and folds: the same pattern in every colour, like one studio shot recoloured.
    pattern = np.random.default_rng(0)
    for _ in range(60):
        x, y = int(pattern.integers(40, 115)), int(pattern.integers(35, 170))
        w, h = int(pattern.integers(3, 10)), int(pattern.integers(3, 10))
        shade = float(pattern.uniform(0.3, 0.8))
        draw.rectangle((x, y, x + w, y + h), fill=tuple(int(c * shade) for c in colour))
    if angle:
        img = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    if crop:
        img = img.crop(crop)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, quality=quality)
    return path


def test_duplicate_kinds_tell_reshots_from_colour_variants(catalog, builder):
    """Same vector for all: only the pixels can say re-shot (near), same file (exact), other colour (variant)
    or another photo altogether (no link)."""
    rng = np.random.default_rng(3)
    v = rng.standard_normal(DIM).astype(np.float32)
    blobs = catalog.root / "blobs"
    red = builder.add("TEE-RED", [v], image=_photo(blobs / "red.jpg", (190, 30, 40)), size=(200, 160)).product
    reshot = builder.add("TEE-RED-2", [v + 0.01 * rng.standard_normal(DIM)], size=(200, 160),
                         image=_photo(blobs / "red2.jpg", (190, 30, 40), angle=4, crop=(5, 8, 155, 195),
                                      quality=50)).product
    same_file = builder.add("TEE-RED-COPY", [v], image=blobs / "red.jpg", size=(200, 160)).product
    blue = builder.add("TEE-BLUE", [v], image=_photo(blobs / "blue.jpg", (30, 60, 170)), size=(200, 160)).product
    gray = builder.add("TEE-GRAY", [v], image=_photo(blobs / "gray.jpg", (120, 120, 125)), size=(200, 160)).product
    other = blobs / "other.jpg"  # alike to the embedder, but another photo: a plain square, not this shot
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (160, 200), (255, 255, 255))
    ImageDraw.Draw(img).ellipse((20, 30, 140, 170), fill=(190, 30, 40))
    img.save(other)
    elsewhere = builder.add("BALL-RED", [v], image=other, size=(200, 160)).product
    for i, r in enumerate(rng.standard_normal((20, DIM)).astype(np.float32)):
        builder.add(f"R{i}", [r])
    groups = find_duplicates(catalog, threshold=0.95, model_version="stub-v1")
    by_kind = {}
    for g in groups:
        by_kind.setdefault(g.kind, []).append(g)
    near = by_kind["near"]
    assert [g.product_ids for g in near] == [sorted([red.id, reshot.id, same_file.id])]
    assert dict(zip([tuple(sorted(p[:2])) for p in near[0].pairs], near[0].pair_kinds, strict=True))[
        tuple(sorted([red.id, same_file.id]))] == "exact"
    # The colours are one garment's variants: reported together, never merged with the red ones.
    assert [g.product_ids for g in by_kind["variant"]] == [sorted([red.id, reshot.id, same_file.id, blue.id,
                                                                    gray.id])]
    assert all(k == "variant" for k in by_kind["variant"][0].pair_kinds)
    assert "exact" not in by_kind
    assert all(elsewhere.id not in g.product_ids for g in groups)
    payload = by_kind["variant"][0].to_dict()
    assert payload["kind"] == "variant" and "TEE-BLUE" in payload["skus"]


def test_palette_distance_is_small_for_a_reshot_and_large_for_another_colour(tmp_path):
    from core.pipeline.decode import decode

    a = dup.palette(decode(_photo(tmp_path / "a.jpg", (20, 20, 22))))
    b = dup.palette(decode(_photo(tmp_path / "b.jpg", (20, 20, 22), angle=-3, crop=(4, 4, 150, 190), quality=45)))
    c = dup.palette(decode(_photo(tmp_path / "c.jpg", (90, 90, 95))))
    assert dup.palette_distance(a, b) < dup.SAME_COLOUR_DELTA_E < dup.palette_distance(a, c)
