"""Catalog side of the trained product detector: a lifestyle photo among a product's images gets the product
localised by the catalog's promoted detector; studio photos keep their plain-background box."""

from __future__ import annotations

import json
import shutil

import numpy as np
from PIL import Image, ImageDraw

from core.catalog import db
from core.catalog.catalog import Catalog
from core.jobs import run_index_job
from core.models.detector import box_iou
from core.ops import product_detector as pd
from core.search.query import SearchRequest, search

PRODUCT_BOX = (100, 70, 180, 200)


def _lifestyle(seed: int) -> Image.Image:
    """A busy frame (no plain background for the foreground finder) around a product on a table."""
    rng = np.random.default_rng(seed)
    noise = Image.fromarray(rng.integers(0, 255, (256, 256, 3), dtype=np.uint8))
    pixels = np.asarray(noise).copy()
    pixels[40:216, 40:216] = 235
    im = Image.fromarray(pixels)
    ImageDraw.Draw(im).rectangle(PRODUCT_BOX, fill=(200, 30, 30), outline=(90, 10, 10), width=4)
    return im


def test_a_lifestyle_photo_gets_its_product_localised_by_the_promoted_detector(tmp_path, tiny_yolo):
    src = tmp_path / "src" / "p0"
    src.mkdir(parents=True)
    studio = Image.new("RGB", (256, 256), (255, 255, 255))
    ImageDraw.Draw(studio).rectangle((60, 40, 190, 220), fill=(200, 30, 30), outline=(90, 10, 10), width=4)
    studio.save(src / "main.jpg", quality=92)
    _lifestyle(0).save(src / "outfit.jpg", quality=92)
    (src / "product.json").write_text(json.dumps({"sku": "RED-1", "title": "red box"}))
    with Catalog.open(tmp_path / "cat") as cat:
        cat.settings.models.embedder = "efficientnet-lite0"
        cat.settings.models.detector_enabled = False  # no COCO YOLO: only the catalog's own detector
        cat.save_settings()
        # A real trained YOLO stands in for `models train-detector`'s output (which takes minutes to find boxes).
        pd.detectors_dir(cat).mkdir(parents=True)
        shutil.copyfile(tiny_yolo.weights_path, pd.detectors_dir(cat) / "product-tiny.pt")
        pd.promote_detector(cat, "product-tiny")
        from core.models.registry import ModelRegistry

        registry = ModelRegistry(cat.settings.models)
        try:
            assert run_index_job(cat, registry, [tmp_path / "src"])["failed"] == 0
            crops = {im.original_name: [c for c in im.crops if c.verdict == "accepted" and not c.deleted_at]
                     for im in db.ImageFile.select()}
            assert [c.source for c in crops["main.jpg"]] == ["foreground"]  # studio: unchanged
            scene = crops["outfit.jpg"]
            assert scene and scene[0].source == "trained" and scene[0].detector_class == "product"
            assert box_iou(scene[0].box, PRODUCT_BOX) > 0.7

            _lifestyle(1).save(tmp_path / "query.jpg", quality=90)
            cat.settings.models.localiser = "detector"
            response = search(cat, registry, SearchRequest(image=tmp_path / "query.jpg", k=1), log_query=False)
            assert response.results[0].sku == "RED-1" and box_iou(response.query_box, PRODUCT_BOX) > 0.7
        finally:
            registry.close()
