"""Export for training: a curator's corrected boxes and labels come out as COCO JSON and as a YOLO txt dataset
whose boxes match the database, through the CLI, with a real catalog indexed by tiny real models."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from app.cli import main
from core.catalog import db
from core.catalog.catalog import Catalog
from core.jobs import run_index_job
from core.review import Reviewer
from tests.test_indexer import _make_products


@pytest.fixture
def corrected_catalog(tmp_path, tiny_model_settings):
    """Three products indexed; SKU-1's box moved by a curator and a curator label added."""
    from core.models.registry import ModelRegistry

    root = tmp_path / "cat"
    catalog = Catalog.open(root)
    catalog.settings.models = tiny_model_settings
    catalog.save_settings()
    registry = ModelRegistry(tiny_model_settings)
    try:
        run_index_job(catalog, registry, [_make_products(tmp_path / "src", n=3)])
        product = db.Product.get(db.Product.sku == "SKU-1")
        crop = (db.Crop.select().join(db.ImageFile).where((db.ImageFile.product == product)
                                                          & (db.Crop.is_primary == True)).get())  # noqa: E712
        reviewer = Reviewer(catalog, registry)
        reviewer.move_box(crop.id, (11.0, 13.0, 101.0, 93.0))
        reviewer.add_label(product.id, "colour", "crimson")
    finally:
        registry.close()
        catalog.close()
    return root


def _db_boxes(root, corrected_only=False) -> dict[tuple[str, int], list[tuple[float, ...]]]:
    """(sku, image id) -> accepted live boxes, read straight from the database."""
    with Catalog.open(root):
        out: dict = {}
        query = (db.Crop.select(db.Crop, db.ImageFile, db.Product).join(db.ImageFile).join(db.Product)
                 .where((db.Crop.verdict == "accepted") & db.ImageFile.deleted_at.is_null()
                        & db.Product.deleted_at.is_null()))
        for c in query:
            if corrected_only and not c.image.product.corrected:
                continue
            out.setdefault((c.image.product.sku, c.image.id), []).append(c.box)
    return out


def _flat(boxes) -> list[float]:
    return [v for box in sorted(boxes) for v in box]


def test_coco_export_boxes_match_the_database(corrected_catalog, tmp_path, capsys):
    out = tmp_path / "coco"
    assert main(["export", "--format", "coco", "--out", str(out), "--catalog", str(corrected_catalog),
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    coco = json.loads((out / "annotations.json").read_text())
    expected = _db_boxes(corrected_catalog)
    assert report["images"] == len(coco["images"]) == len(expected)
    assert report["boxes"] == len(coco["annotations"]) == sum(len(v) for v in expected.values())
    images = {im["id"]: im for im in coco["images"]}
    cats = {c["id"]: c["name"] for c in coco["categories"]}
    assert set(cats.values()) == {"Gear/Bags"}
    got: dict = {}
    for ann in coco["annotations"]:
        im = images[ann["image_id"]]
        x, y, w, h = ann["bbox"]
        got.setdefault((im["sku"], im["id"]), []).append((x, y, x + w, y + h))
        assert cats[ann["category_id"]] == "Gear/Bags"
        assert ann["area"] == pytest.approx(w * h, rel=1e-3)
    for key, boxes in expected.items():
        assert _flat(got[key]) == pytest.approx(_flat(boxes), abs=0.01), key
    # The curator's box is there, marked corrected, and its product carries the curator's label.
    moved = [a for a in coco["annotations"] if a["attributes"]["corrected"]]
    assert [a["bbox"] for a in moved] == [[11.0, 13.0, 90.0, 80.0]]
    sku1 = next(im for im in coco["images"] if im["id"] == moved[0]["image_id"])
    assert sku1["sku"] == "SKU-1" and sku1["corrected"]
    assert {"vocabulary": "colour", "value": "crimson", "source": "curator", "confirmed": True} in sku1["labels"]
    # Every image is there, readable, at the size the annotations say.
    for im in coco["images"]:
        with Image.open(out / im["file_name"]) as pic:
            assert pic.size == (im["width"], im["height"])


def test_yolo_export_normalised_coordinates(corrected_catalog, tmp_path, capsys):
    out = tmp_path / "yolo"
    assert main(["export", "--format", "yolo", "--out", str(out), "--catalog", str(corrected_catalog),
                 "--corrected-only", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    expected = _db_boxes(corrected_catalog, corrected_only=True)
    assert report["images"] == len(expected) >= 1
    names = (out / "data.yaml").read_text()
    assert 'names:\n  0: "Gear/Bags"' in names
    label_files = sorted((out / "labels").glob("*.txt"))
    assert len(label_files) == len(expected)
    for txt in label_files:
        image = next((out / "images").glob(txt.stem + ".*"))
        image_id = int(txt.stem.rsplit("_", 1)[1])
        with Image.open(image) as pic:
            width, height = pic.size
        rows = [line.split() for line in txt.read_text().splitlines()]
        got = []
        for cls, cx, cy, w, h in rows:
            assert cls == "0"
            cx, cy, w, h = map(float, (cx, cy, w, h))
            assert all(0.0 <= v <= 1.0 for v in (cx, cy, w, h))
            got.append(((cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height))
        assert _flat(got) == pytest.approx(_flat(expected[("SKU-1", image_id)]), abs=0.01)
    # The moved box in normalised form: centre (56, 53), size 90x80 on the 160x120 photo.
    assert any(line == "0 0.350000 0.441667 0.562500 0.666667"
               for txt in label_files for line in txt.read_text().splitlines())


def test_training_export_needs_a_folder(corrected_catalog, tmp_path, capsys):
    a_file = tmp_path / "x.json"
    a_file.write_text("{}")
    with pytest.raises(SystemExit) as exc:
        main(["export", "--format", "coco", "--out", str(a_file), "--catalog", str(corrected_catalog)])
    assert "is a file" in str(exc.value)
    assert a_file.read_text() == "{}"  # nothing lost
