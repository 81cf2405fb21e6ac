"""After a product detector is promoted, the catalog's scene photos indexed before it are localised again: a
lifestyle photo whose crop was the whole photo gets the product as its primary crop; a cancel loses nothing."""

from __future__ import annotations

import json
import shutil

from PIL import Image, ImageDraw

from core.catalog import db
from core.catalog.catalog import Catalog
from core.jobs import run_index_job
from core.models.detector import box_iou
from core.ops import product_detector as pd
from tests.test_detector_catalog_side import PRODUCT_BOX


def _lifestyle() -> Image.Image:
    """A room-like frame of smooth coloured blocks (no plain background to cut along) around a product."""
    im = Image.new("RGB", (256, 256), (235, 235, 235))
    draw = ImageDraw.Draw(im)
    colours = [(90, 60, 40), (40, 90, 120), (150, 140, 60), (60, 120, 60), (120, 50, 90), (30, 30, 30)]
    for n in range(8):
        draw.rectangle((n * 32, 0, n * 32 + 31, 39), fill=colours[n % 6])
        draw.rectangle((n * 32, 216, n * 32 + 31, 255), fill=colours[(n + 3) % 6])
        draw.rectangle((0, 40 + n * 22, 39, 61 + n * 22), fill=colours[(n + 1) % 6])
        draw.rectangle((216, 40 + n * 22, 255, 61 + n * 22), fill=colours[(n + 4) % 6])
    draw.rectangle(PRODUCT_BOX, fill=(200, 30, 30), outline=(90, 10, 10), width=4)
    return im


def _primary(product_id: int):
    return (db.Crop.select().join(db.ImageFile)
            .where((db.ImageFile.product == product_id) & (db.Crop.is_primary == True)).get())  # noqa: E712


def test_relocalise_gives_a_lifestyle_photo_the_product_as_primary_crop(tmp_path, tiny_yolo, capsys):
    scene_only, studio = tmp_path / "src" / "outfit", tmp_path / "src" / "studio"
    scene_only.mkdir(parents=True)
    studio.mkdir(parents=True)
    _lifestyle().save(scene_only / "outfit.jpg", quality=92)
    (scene_only / "product.json").write_text(json.dumps({"sku": "RED-1", "title": "red box"}))
    plain = Image.new("RGB", (256, 256), (255, 255, 255))
    draw = ImageDraw.Draw(plain)
    draw.rectangle((60, 40, 190, 220), fill=(30, 30, 200), outline=(10, 10, 90), width=4)
    for x in range(70, 185, 12):
        draw.line((x, 50, x, 210), fill=(10, 10, 90), width=2)
    plain.save(studio / "main.jpg", quality=92)
    (studio / "product.json").write_text(json.dumps({"sku": "BLUE-1", "title": "blue box"}))
    with Catalog.open(tmp_path / "cat") as cat:
        cat.settings.models.embedder = "efficientnet-lite0"
        cat.settings.models.detector_enabled = False
        cat.save_settings()
        from core.models.registry import ModelRegistry

        registry = ModelRegistry(cat.settings.models)
        try:
            assert pd.scene_products_to_relocalise(cat) == []  # nothing promoted: nothing to redo
            indexed = run_index_job(cat, registry, [tmp_path / "src"])
            assert indexed["failed"] == 0, indexed["errors"]
            red = db.Product.get(db.Product.sku == "RED-1").id
            before = _primary(red)
            assert before.source == "full"  # no plain background, no detector: the whole scene

            # The promotion comes after the indexing: only the scene photo is on the list, the studio one is not.
            pd.detectors_dir(cat).mkdir(parents=True)
            shutil.copyfile(tiny_yolo.weights_path, pd.detectors_dir(cat) / "product-tiny.pt")
            pd.promote_detector(cat, "product-tiny")
            assert pd.scene_products_to_relocalise(cat) == [red]

            cancelled = pd.relocalise_scenes(cat, registry, should_stop=lambda: True)
            assert cancelled["cancelled"] and _primary(red).id == before.id  # nothing lost, still to do
            assert pd.scene_products_to_relocalise(cat) == [red]

            report = pd.relocalise_scenes(cat, registry)
            assert report["relocalised"] == 1 and report["detector"] == "product-tiny", report
            after = _primary(red)
            assert after.source == "trained" and box_iou(after.box, PRODUCT_BOX) > 0.7
            assert red in cat.vector_store(cat.active_model_version())
            assert pd.scene_products_to_relocalise(cat) == []  # done: not offered again
            job = db.Job.select().where(db.Job.kind == "relocalise_scenes").order_by(db.Job.id.desc()).first()
            assert job.state == "succeeded"
        finally:
            registry.close()

    # Headless: what is left to do, and a cron-friendly retrain that says why it does nothing.
    from app.cli import main

    assert main(["models", "detectors", "--json", "--catalog", str(tmp_path / "cat")]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["to_relocalise"] == 0 and listed["retrain"]["due"] is False
    assert main(["models", "train-detector", "--if-due", "--json", "--catalog", str(tmp_path / "cat")]) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["due"] is False and said["reason"] == "0 of 20 boxes corrected since the last training"
