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
    tee = "Trail Tee"  # colour variants share their garment's title (design suggestions compare titles)
    red = builder.add("TEE-RED", [v], image=_photo(blobs / "red.jpg", (190, 30, 40)), size=(200, 160),
                      title=tee).product
    reshot = builder.add("TEE-RED-2", [v + 0.01 * rng.standard_normal(DIM)], size=(200, 160), title=tee,
                         image=_photo(blobs / "red2.jpg", (190, 30, 40), angle=4, crop=(5, 8, 155, 195),
                                      quality=50)).product
    same_file = builder.add("TEE-RED-COPY", [v], image=blobs / "red.jpg", size=(200, 160), title=tee).product
    blue = builder.add("TEE-BLUE", [v], image=_photo(blobs / "blue.jpg", (30, 60, 170)), size=(200, 160),
                       title=tee).product
    gray = builder.add("TEE-GRAY", [v], image=_photo(blobs / "gray.jpg", (120, 120, 125)), size=(200, 160),
                       title=tee).product
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

    # A second pass reads the photo check's verdicts from the catalog's cache: no photo is decoded again, and
    # the groups are the same. A photo the cache has not seen (a new product) is checked, and only that.
    calls, checks = [], []
    real_shot, real_kind = dup.shot, dup.link_kind
    monkey = pytest.MonkeyPatch()
    monkey.setattr(dup, "shot", lambda pixels: calls.append(1) or real_shot(pixels))
    monkey.setattr(dup, "link_kind", lambda *a: checks.append(1) or real_kind(*a))
    try:
        again = find_duplicates(catalog, threshold=0.95, model_version="stub-v1")
        assert calls == [] and checks == []
        assert [(g.kind, g.product_ids, g.pair_kinds) for g in again] == [
            (g.kind, g.product_ids, g.pair_kinds) for g in groups]
        assert (catalog.paths.cache / "duplicate_pairs.sqlite").is_file()
        green = builder.add("TEE-GREEN", [v], image=_photo(blobs / "green.jpg", (40, 160, 60)), size=(200, 160),
                            title=tee)
        third = find_duplicates(catalog, threshold=0.95, model_version="stub-v1")
        assert 0 < len(checks) <= 6  # the new photo against the six with photos, each once; old pairs not again
        variant = next(g for g in third if g.kind == "variant")
        assert green.product.id in variant.product_ids
    finally:
        monkey.undo()


def _reshot(path, out, *, crop=(0.06, 0.04, 0.93, 0.9), scale=0.55, angle=4.0, quality=45):
    """A re-shot of a photo: cropped, resized, turned a little (white corners) and re-encoded."""
    from PIL import Image

    img = Image.open(path).convert("RGB")
    w, h = img.size
    img = img.crop((int(crop[0] * w), int(crop[1] * h), int(crop[2] * w), int(crop[3] * h)))
    img = img.resize((int(img.width * scale), int(img.height * scale)), Image.Resampling.BICUBIC)
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    img.save(out, quality=quality)
    return out


def test_colour_change_is_nil_for_a_reshot_and_a_region_for_another_colour(tmp_path):
    """Synthetic: a re-shot keeps every region's colour; the same shot in blue changes the whole garment."""
    from core.pipeline.decode import decode

    a = dup.shot(decode(_photo(tmp_path / "a.jpg", (190, 30, 40))))
    b = dup.shot(decode(_photo(tmp_path / "b.jpg", (190, 30, 40), angle=-3, crop=(4, 4, 150, 190), quality=45)))
    c = dup.shot(decode(_photo(tmp_path / "c.jpg", (30, 60, 170))))
    inliers, transform = dup.same_photo(a, b)
    assert inliers >= dup.SAME_PHOTO_INLIERS
    assert dup.colour_change(a, b, transform) <= dup.CHANGED_SHARE
    inliers, transform = dup.same_photo(a, c)
    assert inliers >= dup.SAME_PHOTO_INLIERS
    assert dup.colour_change(a, c, transform) > 0.5
    assert dup.link_kind(set(), set(), a, b) == "near" and dup.link_kind(set(), set(), a, c) == "variant"


@pytest.mark.parametrize("original, sibling", [
    ("wsh05-blue", "wsh05-purple"),  # only the waistband changes colour: about 4 % of the product
    ("mj06-blue", "mj06-purple"),  # royal blue and purple: close hues, one studio shot
])
def test_real_reshots_are_near_and_accent_variants_are_not(dev_sample, tmp_path, original, sibling):
    """Real dev photos: a re-shot (crop, resize, turn, JPEG 45) of a product is `near` to it, while its colour
    variant shot in the same pose, differing in a trim or a close hue, is `variant` to both; the same file is
    `exact`. This is the line a curator must not cross (merging two colours of one garment)."""
    from core.pipeline.decode import decode

    photo = dev_sample / "catalog" / original / "main.jpg"
    first = dup.shot(decode(photo))
    again = dup.shot(decode(_reshot(photo, tmp_path / "again.jpg")))
    other = dup.shot(decode(dev_sample / "catalog" / sibling / "main.jpg"))
    assert dup.link_kind(set(), set(), first, again) == "near"
    assert dup.link_kind(set(), set(), again, first) == "near"
    assert dup.link_kind(set(), set(), first, other) == "variant"
    assert dup.link_kind(set(), set(), again, other) == "variant"
    assert dup.link_kind({"x"}, {"x"}, first, other) == "exact"
    _, transform = dup.same_photo(first, again)
    assert dup.colour_change(first, again, transform) < dup.CHANGED_SHARE / 2  # with room to spare


def test_another_photo_of_alike_products_is_no_link(dev_sample):
    """Two different garments the embedder finds alike (not one shot): no link at all."""
    from core.pipeline.decode import decode

    a = dup.shot(decode(dev_sample / "catalog" / "ms02-black" / "main.jpg"))
    b = dup.shot(decode(dev_sample / "catalog" / "mj06-blue" / "main.jpg"))
    assert dup.link_kind(set(), set(), a, b) is None
