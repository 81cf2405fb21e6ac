"""Curator corrections with tiny real models: boxes, primary, labels, the log, replay in another catalog."""

from __future__ import annotations

import numpy as np
import peewee as pw
import pytest

from core.catalog import db
from core.catalog.catalog import Catalog
from core.jobs import run_index_job
from core.review import Reviewer, review_progress, review_queue
from tests.test_indexer import _make_products


@pytest.fixture
def indexed(tmp_path, tiny_model_settings):
    from core.models.registry import ModelRegistry

    catalog = Catalog.open(tmp_path / "cat")
    catalog.settings.models = tiny_model_settings
    registry = ModelRegistry(tiny_model_settings)
    src = _make_products(tmp_path / "src", n=3)
    result = run_index_job(catalog, registry, [src])
    reviewer = Reviewer(catalog, registry)
    yield catalog, reviewer, result, src
    reviewer.close()
    registry.close()
    catalog.close()


def _product_crops(sku):
    product = db.Product.get(db.Product.sku == sku)
    return product, list(db.Crop.select().join(db.ImageFile).where(db.ImageFile.product == product))


def _vector(catalog, result, product):
    _, vec = catalog.vector_store(result["model_version"]).get([product.id])
    return vec[0]


def test_move_primary_box_changes_crop_vector_and_logs(indexed):
    catalog, reviewer, result, _ = indexed
    product, crops = _product_crops("SKU-0")
    primary = next(c for c in crops if c.is_primary)
    before_vec = _vector(catalog, result, product)
    x0, y0, x1, y1 = primary.box
    applied = reviewer.move_box(primary.id, (x0 + 10, y0 + 8, x1 - 10, y1 - 8))
    assert applied.vector_changed
    moved = db.Crop.get_by_id(primary.id)
    assert moved.box == pytest.approx((x0 + 10, y0 + 8, x1 - 10, y1 - 8)) and moved.curator_locked
    assert moved.source == "manual"
    assert not np.allclose(_vector(catalog, result, product), before_vec, atol=1e-3)
    correction = applied.correction
    assert correction.kind == "move_box" and correction.before["box"] != correction.after["box"]
    assert correction.user and correction.model_version == result["model_version"]
    assert db.Product.get_by_id(product.id).corrected
    keys = {r.key for r in db.SyncOutbox.select()}
    assert f"corrections/{correction.uid}.json" in keys
    assert any(k.startswith("crops/") for k in keys)


def test_set_primary_updates_vector_and_survives_reindex(indexed):
    catalog, reviewer, result, src = indexed
    product, crops = _product_crops("SKU-1")
    other = next(c for c in crops if not c.is_primary and c.verdict == "accepted")
    reviewer.set_primary(other.id)
    key = (other.image.sha256, tuple(int(round(v)) for v in other.box))
    cached = reviewer.cache.get_many([key], result["model_version"], result["preprocess_version"])[key]
    assert np.allclose(_vector(catalog, result, product), cached, atol=1e-2)
    db.Product.update(status="imported").execute()
    run_index_job(catalog, reviewer.registry, [])
    assert [c.id for c in _product_crops("SKU-1")[1] if c.is_primary] == [other.id]


def test_labels_and_review_state(indexed):
    catalog, reviewer, result, _ = indexed
    product, _ = _product_crops("SKU-2")
    added = reviewer.add_label(product.id, "styles", "sporty")
    label = db.Label.get((db.Label.product == product) & (db.Label.value == "sporty"))
    assert label.source == "curator" and label.confirmed
    reviewer.remove_label(label.id)
    assert not db.Label.select().where(db.Label.id == label.id).exists()
    reviewer.set_review_state(product.id, "approved")
    assert review_progress()["reviewed"] == 1
    assert product.id not in [r["product_id"] for r in review_queue()]
    kinds = [c.kind for c in db.Correction.select().order_by(db.Correction.uid)]
    assert kinds == ["add_label", "remove_label", "approve"]
    assert added.correction.uid < db.Correction.select().order_by(db.Correction.uid.desc()).first().uid
    assert db.SyncOutbox.select().where(db.SyncOutbox.kind == "labels").count() == 1  # newest snapshot only
    with pytest.raises(pw.IntegrityError):
        db.Correction.delete().execute()


def test_delete_crop_moves_primary_and_restore(indexed):
    catalog, reviewer, result, _ = indexed
    product, crops = _product_crops("SKU-0")
    primary = next(c for c in crops if c.is_primary)
    reviewer.delete_crop(primary.id)
    now_primary = [c for c in _product_crops("SKU-0")[1] if c.is_primary]
    assert len(now_primary) == 1 and now_primary[0].id != primary.id
    reviewer.restore_crop(primary.id)
    assert db.Crop.select().where(db.Crop.id == primary.id).exists()


def test_review_queue_orders_by_uncertainty(indexed):
    catalog, reviewer, result, _ = indexed
    queue = review_queue()
    assert len(queue) == 3
    assert [r["uncertainty"] for r in queue] == sorted((r["uncertainty"] for r in queue), reverse=True)
    db.Product.update(status="error").where(db.Product.sku == "SKU-2").execute()
    assert review_queue()[0]["sku"] == "SKU-2" and "indexing failed" in review_queue()[0]["reasons"]


def test_remote_corrections_replay_in_another_catalog(indexed, tmp_path, tiny_model_settings):
    """Catalog A's corrections, as sync delivers them, applied to catalog B holding the same products."""
    from core.models.registry import ModelRegistry
    from core.sync.outbox import correction_doc

    catalog, reviewer, result, src = indexed
    product, crops = _product_crops("SKU-0")
    other = next(c for c in crops if not c.is_primary and c.verdict == "accepted")
    reviewer.set_primary(other.id)
    reviewer.add_label(product.id, "colours", "red")
    reviewer.set_review_state(product.id, "flagged")
    docs = [correction_doc(c) for c in db.Correction.select().order_by(db.Correction.uid)]
    target_box = other.box
    catalog.close()

    other_catalog = Catalog.open(tmp_path / "other")
    other_catalog.settings.models = tiny_model_settings
    registry = ModelRegistry(tiny_model_settings)
    try:
        run_index_job(other_catalog, registry, [src])
        replayer = Reviewer(other_catalog, registry)
        b_product = db.Product.get(db.Product.sku == "SKU-0")
        for doc in docs:
            row = db.Correction.create(uid=doc["uid"], product=b_product, sku=doc["sku"], kind=doc["kind"],
                                       before=doc["before"], after=doc["after"], origin=doc["origin"])
            replayer.apply_remote(row)
        replayer.close()
        b_product = db.Product.get(db.Product.sku == "SKU-0")
        primary = [c for c in _product_crops("SKU-0")[1] if c.is_primary]
        assert len(primary) == 1 and primary[0].box == pytest.approx(target_box, abs=1)
        assert b_product.review_state == "flagged" and b_product.corrected
        assert db.Label.select().where((db.Label.product == b_product) & (db.Label.value == "red")
                                       & (db.Label.source == "curator")).exists()
        assert db.Correction.select().count() == 3  # the log holds the remote rows once, not twice
        assert db.SyncOutbox.select().where(db.SyncOutbox.kind == "correction").count() == 0
    finally:
        registry.close()
        other_catalog.close()
