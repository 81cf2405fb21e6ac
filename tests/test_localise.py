"""In-scene search with the real EfficientNet-Lite0: a product pasted into a generated scene is found and localised."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from core.catalog.catalog import Catalog
from core.jobs import run_index_job
from core.models.detector import _grid_boxes, _nms, box_iou
from core.search.evaluate import evaluate, format_report
from core.search.query import SearchRequest, search

SHAPES = ("rect", "ellipse", "triangle", "cross", "ring")
COLOURS = ((200, 30, 30), (30, 60, 200), (30, 150, 40), (230, 190, 20), (130, 40, 160))


def _product(shape: str, colour, size: int = 300) -> Image.Image:
    """A studio photo: a patterned object on white (stripes and a darker trim, like a garment's seams)."""
    img = Image.new("RGB", (size, size), (255, 255, 255))
    d = ImageDraw.Draw(img)
    m, e = size // 8, size - size // 8
    dark = tuple(max(0, c - 110) for c in colour)
    if shape == "rect":
        d.rectangle((m, m, e, e), fill=colour, outline=dark, width=8)
    elif shape == "ellipse":
        d.ellipse((m, m, e, e), fill=colour, outline=dark, width=8)
    elif shape == "triangle":
        d.polygon([(size // 2, m), (e, e), (m, e)], fill=colour, outline=dark, width=8)
    elif shape == "cross":
        t = size // 6
        d.rectangle((size // 2 - t, m, size // 2 + t, e), fill=colour)
        d.rectangle((m, size // 2 - t, e, size // 2 + t), fill=colour)
    else:
        d.ellipse((m, m, e, e), fill=colour)
        d.ellipse((size // 2 - size // 6,) * 2 + (size // 2 + size // 6,) * 2, fill=(255, 255, 255))
    pix = np.asarray(img).copy()
    on = (pix < 250).any(axis=2)
    stripes = (np.arange(size)[None, :] // 14 % 2 == 0) & on
    pix[stripes] = (pix[stripes] * 0.7).astype(np.uint8)
    return Image.fromarray(pix)


def _scene(rng: np.random.Generator, product: Image.Image, width: int = 640, height: int = 420):
    """A generated texture (gradient sky, noisy ground, grey clutter) with the product cut out and pasted."""
    y = np.linspace(0, 1, height)[:, None, None]
    sky = (1 - y) * np.array([150, 190, 235]) + y * np.array([120, 110, 80])
    noise = np.asarray(Image.fromarray(rng.integers(0, 255, (height // 8, width // 8), dtype=np.uint8))
                       .resize((width, height)).filter(ImageFilter.GaussianBlur(3)), dtype=np.float64)
    base = np.clip(sky + (noise[..., None] - 128) * 0.35, 0, 255).astype(np.uint8)
    scene = Image.fromarray(base)
    d = ImageDraw.Draw(scene)
    for _ in range(6):  # clutter that is no product of the catalog
        x, yy = int(rng.integers(0, width - 60)), int(rng.integers(0, height - 60))
        g = int(rng.integers(60, 200))
        d.rectangle((x, yy, x + int(rng.integers(20, 60)), yy + int(rng.integers(20, 60))), fill=(g, g, g))
    side = int(0.55 * height)
    cut = product.rotate(5, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255)).resize((side, side))
    mask = Image.fromarray(((np.asarray(cut) < 245).any(axis=2) * 255).astype(np.uint8))
    x0, y0 = int(rng.integers(0, width - side)), int(rng.integers(0, height - side))
    scene.paste(cut, (x0, y0), mask)
    ys, xs = np.nonzero(np.asarray(mask))
    return scene, (float(x0 + xs.min()), float(y0 + ys.min()), float(x0 + xs.max() + 1), float(y0 + ys.max() + 1))


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    root = tmp_path_factory.mktemp("localise")
    for n, (shape, colour) in enumerate(zip(SHAPES, COLOURS, strict=True)):
        folder = root / "src" / f"p{n}"
        folder.mkdir(parents=True)
        _product(shape, colour).save(folder / "main.jpg", quality=92)
        (folder / "product.json").write_text(json.dumps({"sku": f"SKU-{n}", "title": f"{shape} {n}"}))
    cat = Catalog.open(root / "cat")
    cat.settings.models.embedder = "efficientnet-lite0"  # offline: real ImageNet weights, no download
    cat.settings.models.detector_enabled = False  # no YOLO: the scene must be localised without one
    cat.save_settings()
    from core.models.registry import ModelRegistry

    registry = ModelRegistry(cat.settings.models)
    assert run_index_job(cat, registry, [root / "src"])["failed"] == 0
    yield cat, registry, root
    registry.close()
    cat.close()


def test_grid_boxes_pool_like_the_embedder_and_nms_keeps_distinct_boxes():
    fmap = np.random.default_rng(0).normal(size=(8, 6, 9)).astype(np.float32)
    boxes, vectors = _grid_boxes(fmap, 90, 60, 0.5)
    assert len(boxes) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    cell = boxes[0] / np.array([10, 10, 10, 10])
    x0, y0, x1, y1 = (int(round(v)) for v in cell)
    direct = fmap[:, y0:y1, x0:x1].mean(axis=(1, 2))
    assert np.allclose(vectors[0], direct / np.linalg.norm(direct), atol=1e-5)  # the region's global pool
    assert all((b[2] - b[0]) >= 30 - 1e-3 and (b[3] - b[1]) >= 30 - 1e-3 for b in boxes)  # half the short side
    keep = _nms(np.array([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]], np.float32),
                np.array([0.9, 0.8, 0.1]), 3, 0.5)
    assert keep == [0, 2] and box_iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(1 / 3)


def test_a_pasted_product_is_found_and_localised_in_a_generated_scene(indexed, tmp_path):
    cat, registry, _ = indexed
    hits = []
    for n in range(len(SHAPES)):
        scene, true_box = _scene(np.random.default_rng(10 + n), _product(SHAPES[n], COLOURS[n]))
        path = tmp_path / f"scene{n}.jpg"
        scene.save(path, quality=85)
        response = search(cat, registry, SearchRequest(image=path, k=5), log_query=False)
        top = response.results[0]
        assert top.explanation["query_box"] == [round(v, 1) for v in response.query_box]  # drawn in the GUI
        hits.append((top.sku == f"SKU-{n}", box_iou(response.query_box, true_box)))
    found = sum(h for h, _ in hits)
    ious = [iou for _, iou in hits]
    # The whole scene would give IoU ~0.2 here (the product covers a fifth of it). The feature-map proposals
    # land on the product but are loose (coarse 32-px grid): the IoU >= 0.5 goal is not met yet.
    assert found >= 4 and min(ious) > 0.2 and np.mean(ious) >= 0.35, hits


def test_a_drawn_box_is_used_exactly_and_eval_reports_iou_and_the_oracle(indexed, tmp_path):
    cat, registry, _ = indexed
    scene, true_box = _scene(np.random.default_rng(3), _product(SHAPES[2], COLOURS[2]))
    scene.save(tmp_path / "q.jpg", quality=85)
    box = tuple(round(v) for v in true_box)
    response = search(cat, registry, SearchRequest(image=tmp_path / "q.jpg", box=box, k=3), log_query=False)
    assert response.query_box == tuple(float(v) for v in box) and response.results[0].sku == "SKU-2"
    assert all(r.explanation["query_box"] == list(map(float, box)) for r in response.results)
    (tmp_path / "q.jsonl").write_text(json.dumps({"query": "q.jpg", "relevant": ["SKU-2"], "box": list(box)}) + "\n")
    found = evaluate(cat, registry, tmp_path / "q.jsonl", details=True)
    oracle = evaluate(cat, registry, tmp_path / "q.jsonl", details=True, oracle_box=True)
    assert oracle["localisation"]["mean"] == 1.0 and oracle["oracle_box"] and oracle["metrics"]["recall@1"] == 1.0
    assert 0.0 <= found["localisation"]["mean"] <= 1.0 and sum(found["localisation"]["histogram_tenths"]) == 1
    assert found["per_query"][0]["iou"] == found["localisation"]["mean"]
    assert "localisation" in format_report(found) and found["latency"]["p95_s"] > 0
    # region_recall: was the true box among the regions offered? With the oracle box it is the only one.
    assert oracle["region_recall"] == 1.0 and oracle["regions_offered_mean"] == 1.0
    row = found["per_query"][0]
    assert found["region_recall"] == float(row["region_found"]) and row["regions_offered"] >= 1
    assert row["region_found"] >= (row["iou"] >= 0.5)  # the region searched is always among those offered
    assert "regions offered" in format_report(found)


def test_refinement_keeps_a_variant_only_when_it_matches_the_catalog_better(indexed):
    from core.pipeline.crops import spec_for
    from core.pipeline.preprocess import preprocess
    from core.search.encode import _jitter, _refine, encode_image, normalize

    cat, registry, _ = indexed
    embedder = registry.embedder()
    spec = spec_for(embedder, cat.settings.preprocess.expand_ratio)
    reference = np.stack([encode_image(registry, cat.settings, np.asarray(_product(s, c))).vector
                          for s, c in zip(SHAPES, COLOURS, strict=True)])
    scene, true_box = _scene(np.random.default_rng(3), _product(SHAPES[1], COLOURS[1]))
    pixels = np.asarray(scene)
    h, w = pixels.shape[:2]
    x0, y0, x1, y1 = true_box
    loose = (max(0.0, x0 - 0.3 * (x1 - x0)), y0, min(float(w), x1 + 0.1 * (x1 - x0)), y1)  # off to one side
    whole = (0.0, 0.0, float(w), float(h))
    assert all(0 <= b[0] < b[2] <= w and 0 <= b[1] < b[3] <= h for b in _jitter(loose, w, h, 0.15))
    vectors = normalize(embedder.embed_images(np.stack([preprocess(pixels, b, spec).tensor
                                                        for b in (loose, whole)]).astype(np.float32)))
    boxes, refined = _refine(pixels, [loose, whole], vectors, spec, embedder, reference)

    def contrast(v):
        sims = v @ reference.T
        return float(sims.max() - sims.mean())

    assert boxes[-1] == whole and np.allclose(refined[-1], vectors[-1])  # the whole photo stays, last
    assert contrast(refined[0]) >= contrast(vectors[0])  # kept only if the catalog match is more distinct
    assert (boxes[0] == loose) == np.allclose(refined[0], vectors[0])
