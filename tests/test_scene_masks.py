"""Removing the scene inside a region (GrabCut seeded by the box), with real dev catalog photos pasted into
generated scenes and the real EfficientNet-Lite0: the mask holds the product, and masked search ranks it higher."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from core.catalog.catalog import Catalog
from core.jobs import run_index_job
from core.models.detector import Detection, foreground_mask
from core.ops import scenes
from core.pipeline.crops import candidates_from_detections, remove_scenes
from core.pipeline.decode import decode
from core.pipeline.masks import product_mask, remove_scene
from core.pipeline.preprocess import PreprocessSpec, preprocess
from core.search import encode
from core.search.query import SearchRequest, search
from core.settings import QualitySettings


def _folders(dev_sample, every: int = 30):
    """Every n-th product folder of the dev catalog whose main photo has a plain background (a cut-out)."""
    out = []
    for folder in sorted((dev_sample / "catalog").iterdir())[::every]:
        if scenes.cutout(decode((folder / "main.jpg").read_bytes())) is not None:
            out.append(folder)
    return out


def _pasted(photo, seed: int):
    """The product's studio photo cut out, jittered (flip, tilt, colour) and pasted into a generated texture:
    the scene's pixels, the product's exact pixels and its box."""
    rng = np.random.default_rng(seed)
    cut = scenes.cutout(decode(photo.read_bytes()))
    width, height = 640, 427
    scene = scenes.generated_background(rng, width, height)
    while foreground_mask(np.asarray(scene)) is not None:  # a near-plain texture would be a studio photo
        scene = scenes.generated_background(rng, width, height)
    im = scenes._jittered(rng, cut, int(0.6 * height))
    x0, y0 = int(rng.integers(0, width - im.width)), int(rng.integers(0, height - im.height))
    scene.paste(im, (x0, y0), im)
    alpha = np.zeros((height, width), bool)
    alpha[y0:y0 + im.height, x0:x0 + im.width] = np.asarray(im.getchannel("A")) > 127
    ys, xs = np.nonzero(alpha.any(axis=1))[0], np.nonzero(alpha.any(axis=0))[0]
    return np.asarray(scene.convert("RGB")), alpha, (float(xs[0]), float(ys[0]), float(xs[-1] + 1), float(ys[-1] + 1))


def test_the_mask_covers_the_product_and_little_of_the_scene(dev_sample):
    covered, scene_share, box_ious, mask_ious = [], [], [], []
    for n, folder in enumerate(_folders(dev_sample)):
        pixels, alpha, box = _pasted(folder / "main.jpg", seed=100 + n)
        mask = product_mask(pixels, box)
        assert mask is not None and mask.shape == alpha.shape
        covered.append((mask & alpha).sum() / alpha.sum())
        scene_share.append((mask & ~alpha).sum() / mask.sum())
        x0, y0, x1, y1 = (int(v) for v in box)
        in_box = np.zeros_like(alpha)
        in_box[y0:y1, x0:x1] = True
        box_ious.append(alpha.sum() / in_box.sum())  # the box itself as a mask
        mask_ious.append((mask & alpha).sum() / (mask | alpha).sum())
        assert not (mask & ~in_box).any()  # nothing outside the box is ever the product
    assert len(covered) >= 6
    assert min(covered) >= 0.7 and np.mean(covered) >= 0.85, covered
    assert max(scene_share) <= 0.3 and np.mean(scene_share) <= 0.12, scene_share
    assert np.mean(mask_ious) > np.mean(box_ious) + 0.1, (mask_ious, box_ious)


def test_removing_the_scene_paints_the_backdrop_and_frames_the_product(dev_sample):
    pixels, alpha, box = _pasted(_folders(dev_sample)[0] / "main.jpg", seed=7)
    found = remove_scene(pixels, box)
    assert found is not None
    assert (found.pixels[~found.mask] == 255).all() and (found.pixels[found.mask] == pixels[found.mask]).all()
    x0, y0, x1, y1 = found.box
    assert box[0] <= x0 < x1 <= box[2] and box[1] <= y0 < y1 <= box[3]
    # No scene to learn from: a region covering the photo is left as it is, and so is a sliver.
    h, w = pixels.shape[:2]
    assert remove_scene(pixels, (0, 0, w, h)) is None and remove_scene(pixels, (10, 10, 14, 14)) is None
    # Deterministic: the same photo and box give the same mask.
    assert (remove_scene(pixels, box).mask == found.mask).all()


def test_a_lifestyle_photo_crop_is_made_from_the_product_pixels(dev_sample):
    """Catalog side: the indexer's trained crops of a scene photo go through the same masks as a query region."""
    pixels, alpha, box = _pasted(_folders(dev_sample)[1] / "main.jpg", seed=11)
    spec = PreprocessSpec(size=224, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
    candidates = candidates_from_detections(pixels, [Detection(box, "product", 0.9, "trained")], spec,
                                            QualitySettings())
    before = candidates[0].tensor.copy()
    remove_scenes(pixels, candidates, spec)
    crop = candidates[0]
    found = remove_scene(pixels, box)
    assert crop.mask is not None and (crop.mask == found.mask).all()
    assert np.array_equal(crop.tensor, preprocess(found.pixels, found.box, spec).tensor)
    assert not np.array_equal(crop.tensor, before)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, dev_sample):
    """Every 8th dev product indexed; the queries are other photos of some of them (the studio query photos)."""
    root = tmp_path_factory.mktemp("masks")
    lines = [json.loads(line) for line in (dev_sample / "queries.jsonl").read_text().splitlines() if line.strip()]
    queries = [(dev_sample / q["query"], json.loads((dev_sample / "catalog" / q["relevant"][0] / "product.json")
                                                    .read_text())["sku"]) for q in lines[::10]]
    folders = sorted({dev_sample / "catalog" / q["relevant"][0] for q in lines[::10]}
                     | set(sorted((dev_sample / "catalog").iterdir())[::8]))
    for folder in folders:
        (root / "src" / folder.name).mkdir(parents=True)
        shutil.copy(folder / "main.jpg", root / "src" / folder.name / "main.jpg")
        shutil.copy(folder / "product.json", root / "src" / folder.name / "product.json")
    cat = Catalog.open(root / "cat")
    cat.settings.models.embedder = "efficientnet-lite0"  # offline: real ImageNet weights, no download
    cat.settings.models.detector_enabled = False
    cat.save_settings()
    from core.models.registry import ModelRegistry

    registry = ModelRegistry(cat.settings.models)
    assert run_index_job(cat, registry, [root / "src"])["failed"] == 0
    yield cat, registry, queries
    registry.close()
    cat.close()


def _rank_and_similarity(cat, registry, pixels, box, sku):
    response = search(cat, registry, SearchRequest(image=pixels, box=box, k=10, colour_weight=0.0),
                      log_query=False)
    skus = [r.sku for r in response.results]
    hit = response.results[skus.index(sku)] if sku in skus else None
    return (skus.index(sku) + 1 if hit else 11,
            hit.explanation["similarity"]["image"] if hit else -1.0, response)


def test_a_masked_box_ranks_the_pasted_product_higher_than_the_unmasked_box(indexed, monkeypatch):
    cat, registry, queries = indexed
    rows = []
    for n, (photo, sku) in enumerate(queries):
        pixels, _, box = _pasted(photo, seed=200 + n)
        monkeypatch.setattr(encode, "MASK_SCENES", False)
        plain_rank, plain_sim, plain = _rank_and_similarity(cat, registry, pixels, box, sku)
        monkeypatch.setattr(encode, "MASK_SCENES", True)
        rank, sim, masked = _rank_and_similarity(cat, registry, pixels, box, sku)
        assert masked.query_box == box  # a drawn box stays as drawn
        assert all(r.explanation["query_masked"] for r in masked.results)
        assert not any(r.explanation["query_masked"] for r in plain.results)
        rows.append((plain_rank, rank, plain_sim, sim))
    plain_ranks, ranks, plain_sims, sims = (np.array(c) for c in zip(*rows, strict=True))
    assert ranks.mean() < plain_ranks.mean() and (ranks <= plain_ranks).sum() >= len(rows) - 1, rows
    assert sims.mean() > plain_sims.mean() + 0.05, rows


def test_a_studio_photo_is_never_masked(indexed, monkeypatch):
    cat, registry, queries = indexed
    photo = queries[0][0]
    monkeypatch.setattr(encode, "MASK_SCENES", True)
    on = search(cat, registry, SearchRequest(image=photo, k=3), log_query=False)
    monkeypatch.setattr(encode, "MASK_SCENES", False)
    off = search(cat, registry, SearchRequest(image=photo, k=3), log_query=False)
    assert [r.sku for r in on.results] == [r.sku for r in off.results]
    assert [r.score for r in on.results] == [r.score for r in off.results]
    assert not any(r.explanation["query_masked"] for r in on.results)
    pixels = decode(photo.read_bytes())  # a drawn box on a plain-background photo: left as drawn, unmasked
    h, w = pixels.shape[:2]
    drawn = search(cat, registry, SearchRequest(image=photo, box=(w * 0.1, h * 0.1, w * 0.9, h * 0.9), k=3),
                   log_query=False)
    assert not any(r.explanation["query_masked"] for r in drawn.results)


def test_regions_masked_side_by_side_give_the_masks_one_thread_gives(monkeypatch):
    from core.models import threads
    from tests.test_localise import COLOURS, SHAPES, _product, _scene

    scene, box = _scene(np.random.default_rng(7), _product(SHAPES[1], COLOURS[1]))
    pixels = np.asarray(scene.convert("RGB"))
    x0, y0, x1, y1 = box
    boxes = [box, (x0 - 10, y0 - 8, x1 + 12, y1 + 6), (0.0, 0.0, (x0 + x1) / 2, (y0 + y1) / 2), (x0, y0, x1, y1 - 5)]
    found = {}
    for workers in (1, 2):
        monkeypatch.setattr(threads, "interactive_workers", lambda n=workers: n)
        found[workers] = encode._scene_masks(pixels, boxes, "proposal")
    assert any(m is not None for m in found[1])
    for one, two in zip(found[1], found[2], strict=True):  # GrabCut's start is seeded per thread: same masks
        assert (one is None) == (two is None)
        assert one is None or (np.array_equal(one.mask, two.mask) and one.box == two.box)


def test_squared_colour_distance_draws_the_mask_numpy_norm_draws():
    """foreground_mask thresholds OpenCV's squared distances: the same pixels as np.linalg.norm's distances,
    for backgrounds with half values (a median of an even count) and the threshold's own neighbourhood."""
    from core.models.detector import _squared_distance

    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, (120, 90, 3), dtype=np.uint8)
    for background in (np.array([245.5, 244.0, 250.0], np.float32), np.array([0, 0, 0], np.float32),
                       np.array([30.0, 0.0, 0.0], np.float32)):
        norm = np.linalg.norm(rgb.astype(np.float32) - background, axis=2)
        for threshold in (1.0, 30.0, 45.5):
            assert np.array_equal(_squared_distance(rgb, background) > threshold * threshold, norm > threshold)
