"""Folder import: the dev sample, incremental re-import, manifests, and broken input that loses nothing."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from PIL import Image

from core.catalog import db
from core.catalog.catalog import Catalog
from core.catalog.importer import import_folders, sanitize_name


@pytest.fixture
def catalog(tmp_path):
    cat = Catalog.open(tmp_path / "cat")
    yield cat
    cat.close()


def _photo(path, colour=(200, 30, 30), size=(64, 48)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "JPEG")
    return path


def _product(root, name, meta=None, images=("main.jpg",), colour=(200, 30, 30)):
    folder = root / name
    for n, image in enumerate(images):
        _photo(folder / image, tuple((c + 40 * n) % 255 for c in colour))
    if meta is not None:
        (folder / "product.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def test_import_dev_sample(catalog, dev_sample):
    summary = import_folders(catalog.paths, [dev_sample / "catalog"])
    n_folders = len([p for p in (dev_sample / "catalog").iterdir() if p.is_dir()])
    n_images = len(list((dev_sample / "catalog").glob("*/*.jpg")))
    assert summary.products == n_folders and summary.images == n_images
    assert summary.errors == []
    product = db.Product.get(db.Product.source_folder == "catalog/24-mb01")  # relative to the dropped folder
    assert product.sku == "24-MB01" and product.title == "Joust Duffle Bag"
    assert product.category == "Gear/Bags" and product.price == 34.0
    assert product.attributes["material"] == "Nylon, Polyester"
    image = product.images.get()
    assert (catalog.root / image.blob_path).exists() and image.width > 0 and image.format == "JPEG"

    again = import_folders(catalog.paths, [dev_sample / "catalog"])
    assert again.products == 0 and again.skipped == n_folders and again.images == 0


def test_reimport_updates_changed_and_dedups_blobs(catalog, tmp_path):
    root = tmp_path / "src"
    _product(root, "a", {"sku": "A", "title": "First"})
    _product(root, "b", {"sku": "B", "title": "Bee"}, colour=(10, 200, 10))
    shutil.copy(root / "a" / "main.jpg", root / "b" / "same-as-a.jpg")
    first = import_folders(catalog.paths, [root])
    assert first.products == 2 and first.images == 3
    assert len(list(catalog.paths.blobs.rglob("*.jpg"))) == 2  # identical bytes stored once

    (root / "a" / "product.json").write_text(json.dumps({"sku": "A", "title": "Renamed"}))
    (root / "b" / "same-as-a.jpg").unlink()
    second = import_folders(catalog.paths, [root])
    assert second.products == 2 and second.skipped == 0
    assert db.Product.get(db.Product.sku == "A").title == "Renamed"
    assert db.ImageFile.select().where(db.ImageFile.product == db.Product.get(db.Product.sku == "B")).count() == 1
    third = import_folders(catalog.paths, [root])
    assert third.products == 0 and third.skipped == 2


def test_folder_without_product_json_uses_its_name(catalog, tmp_path):
    _product(tmp_path / "src", "plain-folder")
    import_folders(catalog.paths, [tmp_path / "src"])
    assert db.Product.get().sku == "plain-folder"


def test_csv_manifest(catalog, tmp_path):
    root = tmp_path / "src"
    _product(root, "f1", images=("x.jpg", "y.jpg"))
    (root / "products.csv").write_text(
        "sku,title,category,price,attributes,folder,images\n"
        'S1,Shirt,Men/Tops,19.5,"{""color"": ""Red""}",f1,x.jpg\n'
        "S2,Bad price,Men,abc,,f1,\n", encoding="utf-8")
    summary = import_folders(catalog.paths, [root])
    product = db.Product.get(db.Product.sku == "S1")
    assert product.price == 19.5 and product.attributes == {"color": "Red"}
    assert [i.original_name for i in product.images] == ["x.jpg"]
    assert any("price" in e["reason"] for e in summary.errors)


def test_broken_input_is_reported_and_good_products_survive(catalog, tmp_path):
    root = tmp_path / "src"
    _product(root, "good", {"sku": "GOOD", "title": "Good"})
    bad = root / "bad"
    _photo(bad / "fine.jpg")
    (bad / "empty.jpg").write_bytes(b"")
    (bad / "text.jpg").write_text("not an image")
    (bad / "truncated.jpg").write_bytes((bad / "fine.jpg").read_bytes()[:200])
    (bad / "product.json").write_text("{ not json")
    weird = root / "wéird näme 🙂"
    _photo(weird / "-leading dash.jpg")
    (root / "empty-folder").mkdir()
    hostile = root / "hostile"
    _photo(hostile / "a.jpg")
    (hostile / "product.json").write_text(json.dumps({"sku": "H", "images": ["../good/main.jpg", "a.jpg"],
                                                      "price": "NaN"}))
    loop = root / "loop"
    loop.mkdir()
    os.symlink(loop, loop / "self")
    os.symlink("/etc/hostname", root / "good" / "outside.jpg")

    summary = import_folders(catalog.paths, [root])
    reasons = {os.path.basename(e["path"]): e["reason"] for e in summary.errors}
    # Invalid JSON: the product is not imported (no junk product under the folder name), and says where.
    assert "invalid JSON at line 1 column 3" in reasons["bad"]
    assert "outside" in reasons["outside.jpg"] and "copy" in reasons["outside.jpg"]
    assert "empty" in reasons["empty-folder"]
    assert all(r for r in reasons.values())
    skus = {p.sku for p in db.Product.select()}
    # A bad price costs the price only: the SKU from product.json stands.
    assert skus == {"GOOD", sanitize_name("wéird näme 🙂"), "H"}
    hostile_product = db.Product.get(db.Product.sku == "H")
    assert hostile_product.price is None and hostile_product.source_folder == "src/hostile"
    assert any(w["path"] == "src/hostile/product.json" and "price" in w["reason"] for w in summary.warnings)
    good = db.Product.get(db.Product.sku == "GOOD")
    assert good.images.count() == 1 and good.images.get().status == "ok"
    assert good.images.get().original_path == "src/good/main.jpg"
    verdicts = {v["path"]: v for v in summary.verdicts}
    assert verdicts["src/bad"]["verdict"] == "rejected" and verdicts["src/bad"]["kind"] == "product"
    for name in ("empty.jpg", "text.jpg", "truncated.jpg"):  # files of a rejected product still get a verdict
        assert verdicts[f"src/bad/{name}"]["verdict"] == "rejected" and verdicts[f"src/bad/{name}"]["reason"]
    assert verdicts["src/bad/fine.jpg"]["verdict"] == "skipped"
    assert verdicts["src/good"]["verdict"] == "imported with warnings"  # the outside link
    assert verdicts["src/hostile"]["verdict"] == "imported with warnings"


def test_disk_error_keeps_committed_products(catalog, tmp_path, monkeypatch):
    """A failing write (full disk) rolls back that product only; committed rows stay."""
    root = tmp_path / "src"
    _product(root, "a", {"sku": "A"})
    _product(root, "b", {"sku": "B"}, colour=(10, 200, 10))
    import core.catalog.importer as importer

    real = importer.store_blob
    calls = {"n": 0}

    def flaky(paths, source, sha, suffix):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real(paths, source, sha, suffix)

    # A real full disk is exercised in the reliability tests; here the error path of one product.
    monkeypatch.setattr(importer, "store_blob", flaky)
    summary = import_folders(catalog.paths, [root])
    assert [p.sku for p in db.Product.select()] == ["A"]
    assert "No space left" in summary.errors[0]["reason"]
    monkeypatch.setattr(importer, "store_blob", real)
    assert import_folders(catalog.paths, [root]).products == 1
    assert db.Product.select().count() == 2


def test_sanitize_name():
    assert sanitize_name("a/b\\c.jpg") == "a_b_c.jpg"
    assert sanitize_name("\x00\x1fctrl.png") == "ctrl.png"
    assert sanitize_name("..hidden") == "hidden"
    long = sanitize_name("x" * 500 + ".jpeg")
    assert len(long) == 200 and long.endswith(".jpeg")
