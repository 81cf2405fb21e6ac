"""What curators really drop in: 50+ kinds of bad or odd input through import and the whole pipeline.

The promise: no crash, a clear reason for every rejected file or crop, and every good product indexed.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from core.catalog import db
from core.catalog.catalog import Catalog
from core.catalog.check import check_catalog
from core.jobs import run_index_job
from tests.badfiles import QUALITY_FAILURES, make_bad_corpus, product_like


@pytest.fixture
def catalog(tmp_path, tiny_model_settings):
    cat = Catalog.open(tmp_path / "cat")
    cat.settings.models = tiny_model_settings
    yield cat
    cat.close()


def _good(folder, seed):
    from PIL import Image

    folder.mkdir(parents=True)
    Image.fromarray(product_like(seed=seed)).save(folder / "main.jpg", quality=92)
    (folder / "product.json").write_text(json.dumps({"sku": folder.name, "title": f"Good {seed}"}))


def test_bad_corpus_through_the_pipeline(catalog, tmp_path, tiny_model_settings):
    from core.models.registry import ModelRegistry

    corpus = tmp_path / "corpus"
    expected = make_bad_corpus(corpus)
    assert len(expected) >= 30
    root = tmp_path / "drop"
    # One product per corpus file, so each file's fate is visible on its own product.
    for n, name in enumerate(sorted(expected)):
        folder = root / f"bad-{n:02d}"
        folder.mkdir(parents=True)
        shutil.copy(corpus / name, folder / (name if "." in name else name + ".jpg"))
    for n in range(4):
        _good(root / f"good-{n}", seed=n)
    # Hundreds of duplicates of one photo across products: stored once.
    for n in range(120):
        dup = root / f"dup-{n:03d}"
        dup.mkdir()
        shutil.copy(root / "good-0" / "main.jpg", dup / "main.jpg")
    hostile = root / "hostile"
    _good(hostile, seed=9)
    (hostile / "product.json").write_text(json.dumps({"sku": "x" * 5000, "title": {"nested": "object"},
                                                      "price": -3, "images": ["../../../etc/passwd"]}))
    (root / "empty").mkdir()
    (root / "loop").mkdir()
    os.symlink(root / "loop", root / "loop" / "again")
    (root / "deep" / "a" / "b").mkdir(parents=True)

    registry = ModelRegistry(tiny_model_settings)
    try:
        result = run_index_job(catalog, registry, [root])
    finally:
        registry.close()
    assert db.Job.get_by_id(result["job_id"]).state == "succeeded"

    errors = {}
    for e in result["errors"]:
        errors.setdefault(os.path.basename(e["path"]), e["reason"])
    for name, outcome in expected.items():
        if outcome != "ok":
            shown = name if "." in name else name + ".jpg"
            assert shown in errors, f"{name}: no reason recorded"
            assert outcome.lower() in errors[shown].lower(), (name, errors[shown])
    assert all(reason.strip() for reason in errors.values())

    for n in range(4):
        assert db.Product.get(db.Product.sku == f"good-{n}").status == "indexed"
    assert db.Product.select().where(db.Product.sku.startswith("dup-")
                                     & (db.Product.status == "indexed")).count() == 120
    blobs = [p for p in catalog.paths.blobs.rglob("*") if p.is_file()]
    assert len(blobs) < len(expected) + 20  # 120 duplicates stored once
    # Files that decode but fail quality keep their crops with metrics and a reason.
    for name, reason in QUALITY_FAILURES.items():
        image = db.ImageFile.select().where(db.ImageFile.original_name == name).first()
        if image is None or image.status != "ok":
            continue
        crops = list(image.crops)
        assert crops and all(c.verdict == "rejected" and reason in c.reason and c.metrics for c in crops), name
    # The hostile product.json costs its bad fields only, each with a warning; the product is indexed.
    hostile_warnings = [w["reason"] for w in result["warnings"] if w["path"] == "drop/hostile/product.json"]
    assert any("'title' dropped" in w for w in hostile_warnings) and any("'price' dropped" in w for w in hostile_warnings)
    assert any("'sku' truncated" in w for w in hostile_warnings)
    assert db.Product.get(db.Product.sku == "x" * 120).status == "indexed"
    assert "outside the product folder" in errors["passwd"]
    assert check_catalog(catalog)["ok"]
