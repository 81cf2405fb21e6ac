"""Acting on duplicate groups in core, with no thread: trash, merge and "not duplicates", each undone exactly,
on a real catalog indexed with the tiny real models."""

from __future__ import annotations

import pytest

from core.catalog import db, queries
from core.catalog.catalog import Catalog
from core.jobs import run_index_job
from core.ops import dedupe
from tests.test_indexer import _make_products


@pytest.fixture
def catalog(tmp_path, tiny_model_settings):
    from core.models.registry import ModelRegistry

    cat = Catalog.open(tmp_path / "cat")
    cat.settings.models = tiny_model_settings
    registry = ModelRegistry(tiny_model_settings)
    try:
        run_index_job(cat, registry, [_make_products(tmp_path / "src", n=3)])
    finally:
        registry.close()
    yield cat
    cat.close()


def _ids(*skus):
    return [db.Product.get(db.Product.sku == s).id for s in skus]


def _state():
    """What a curator sees of every product: live or not, its photos in order, primary crop, labels."""
    out = {}
    for p in db.Product.with_deleted().order_by(db.Product.id):
        info = queries.product(p.id)
        primary = queries.primary_crop(p.id)
        out[p.sku] = (info is not None, [i.id for i in info.images] if info else None,
                      primary.crop_id if primary else None,
                      sorted((lb.vocabulary, lb.value, lb.source) for lb in db.Label.select().where(
                          db.Label.product == p.id)))
    return out


def test_merge_moves_new_photos_and_curator_labels_then_undo_restores_all(catalog):
    keep, other = _ids("SKU-0", "SKU-1")
    db.Label.create(product=other, vocabulary="colour", value="crimson", source="curator", confirmed=True)
    before = _state()
    kept_images = before["SKU-0"][1]
    other_images = before["SKU-1"][1]
    record = dedupe.merge(catalog, keep, [keep, other])
    after = _state()
    assert after["SKU-1"][0] is False  # trashed
    assert after["SKU-0"][1] == kept_images + other_images  # its photos differ (another colour): all move
    assert after["SKU-0"][2] == before["SKU-0"][2]  # the kept primary crop stays the only primary
    assert ("colour", "crimson", "curator") in after["SKU-0"][3]
    assert after["SKU-2"] == before["SKU-2"]
    assert other not in set(catalog.vector_store(catalog.active_model_version()).keys().tolist())
    dedupe.undo(catalog, record)
    assert _state() == before
    assert other in set(catalog.vector_store(catalog.active_model_version()).keys().tolist())


def test_merge_skips_photos_the_kept_product_already_has(catalog):
    keep, other = _ids("SKU-0", "SKU-1")
    # Make SKU-1's main photo the very same file as SKU-0's.
    first = db.ImageFile.select().where(db.ImageFile.product == keep).order_by(db.ImageFile.position).get()
    db.ImageFile.update(sha256=first.sha256).where(
        (db.ImageFile.product == other) & (db.ImageFile.position == 0)).execute()
    record = dedupe.merge(catalog, keep, [other])
    assert len(record["moved"]) == 1  # only the back photo was new


def test_variants_are_never_merged(catalog):
    keep, other = _ids("SKU-0", "SKU-1")
    before = _state()
    with pytest.raises(dedupe.MergeRefused, match="would lose a colour"):
        dedupe.merge(catalog, keep, [other], kind="variant")
    assert _state() == before


def test_trash_and_dismiss_with_undo(catalog):
    keep, other = _ids("SKU-0", "SKU-1")
    before = _state()
    record = dedupe.trash(catalog, keep, [keep, other])
    assert record["others"] == [other] and queries.product(other) is None
    dedupe.undo(catalog, record)
    assert _state() == before

    assert dedupe.dismissed_sets() == []
    record = dedupe.dismiss([other, keep])
    assert dedupe.dismissed_sets() == [frozenset({keep, other})]
    dedupe.undo(catalog, record)
    assert dedupe.dismissed_sets() == []
    dedupe.dismiss([keep, other])  # the latest word wins
    assert dedupe.dismissed_sets() == [frozenset({keep, other})]
