"""Soft delete and purge: deleted items stay restorable until the retention period ends."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from core.catalog import crop_index, db
from core.catalog.catalog import Catalog
from core.vectors import VectorStore


def _stores(catalog: Catalog | None):
    return [] if catalog is None else catalog.open_vector_stores()


def delete_products(product_ids: list[int], catalog: Catalog | None = None) -> int:
    """Soft-delete products with their images, crops and labels (restorable); their vectors leave search."""
    now = db.utcnow()

    def _do() -> int:
        n = db.Product.update(deleted_at=now).where(db.Product.id.in_(product_ids)).execute()
        images = db.ImageFile.select(db.ImageFile.id).where(db.ImageFile.product.in_(product_ids))
        db.Crop.update(deleted_at=now).where(db.Crop.image.in_(images)).execute()
        db.ImageFile.update(deleted_at=now).where(db.ImageFile.product.in_(product_ids)).execute()
        db.Label.update(deleted_at=now).where(db.Label.product.in_(product_ids)).execute()
        from core.sync.outbox import enqueue_tombstone

        for product in db.Product.with_deleted().where(db.Product.id.in_(product_ids)):
            enqueue_tombstone("product", product.id, sku=product.sku)
        db.audit("delete", "products", ids=product_ids)
        return n

    with catalog.writing() if catalog is not None else contextlib.nullcontext():
        if catalog is not None:
            crop_index.changing(catalog)
        n = db.transaction(_do)
        for store in _stores(catalog):  # vectors come back from the embedding cache on restore
            if store.remove(product_ids):
                store.save()
        if catalog is not None:
            crop_index.sync_products(catalog, product_ids)  # their views leave search too
    return n


def restore_products(product_ids: list[int], catalog: Catalog | None = None) -> int:
    """Undo a soft delete: the rows deleted at the same moment as the product come back with it."""

    def _do() -> int:
        restored = 0
        for product in db.Product.only_deleted().where(db.Product.id.in_(product_ids)):
            when = product.deleted_at
            product.restore()
            images = db.ImageFile.with_deleted(db.ImageFile.id).where(db.ImageFile.product == product)
            db.ImageFile.update(deleted_at=None).where(
                (db.ImageFile.product == product) & (db.ImageFile.deleted_at == when)).execute()
            db.Crop.update(deleted_at=None).where(
                db.Crop.image.in_(images) & (db.Crop.deleted_at == when)).execute()
            db.Label.update(deleted_at=None).where(
                (db.Label.product == product) & (db.Label.deleted_at == when)).execute()
            restored += 1
        db.audit("restore", "products", ids=product_ids)
        return restored

    with catalog.writing() if catalog is not None else contextlib.nullcontext():
        if catalog is not None:
            crop_index.changing(catalog)
        restored = db.transaction(_do)
        if catalog is not None:
            from core.catalog.check import recover_vectors

            for store in _stores(catalog):
                recover_vectors(catalog, store.model_version, product_ids)
            crop_index.sync_products(catalog, product_ids)
    return restored


def purge(catalog: Catalog, *, retention_days: int | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """Remove for good what was soft-deleted before the retention period: rows, blobs, thumbnails, vectors."""
    with catalog.writing():
        return _purge(catalog, retention_days=retention_days, now=now)


def _purge(catalog: Catalog, *, retention_days: int | None, now: dt.datetime | None) -> dict[str, Any]:
    days = catalog.settings.retention_days if retention_days is None else retention_days
    cutoff = (now or db.utcnow()) - dt.timedelta(days=days)
    products = [p.id for p in db.Product.only_deleted(db.Product.id).where(db.Product.deleted_at <= cutoff)]
    images = list(db.ImageFile.only_deleted().where(db.ImageFile.deleted_at <= cutoff))
    images += list(db.ImageFile.with_deleted().where(db.ImageFile.product.in_(products)))
    image_ids = sorted({i.id for i in images})
    report = {"products": len(products), "images": len(image_ids), "blobs": 0, "thumbnails": 0, "vectors": 0}

    crops = db.Crop.with_deleted(db.Crop.id).where(db.Crop.image.in_(image_ids) | (db.Crop.deleted_at <= cutoff))
    crop_ids = [c for (c,) in crops.tuples()]

    def _rows() -> None:
        db.Label.delete().where(db.Label.crop.in_(crops) | db.Label.product.in_(products)
                                | (db.Label.deleted_at <= cutoff)).execute()
        db.IndexingResult.update(primary_crop=None).where(db.IndexingResult.primary_crop.in_(crops)).execute()
        db.Crop.delete().where(db.Crop.id.in_(crops)).execute()
        db.ImageFile.delete().where(db.ImageFile.id.in_(image_ids)).execute()
        db.IndexingResult.delete().where(db.IndexingResult.product.in_(products)).execute()
        db.QueryClick.delete().where(db.QueryClick.product.in_(products)).execute()
        db.Product.delete().where(db.Product.id.in_(products)).execute()
        db.audit("purge", "catalog", products=len(products), images=len(image_ids), cutoff=cutoff.isoformat())

    crop_index.changing(catalog)
    db.transaction(_rows)
    # Files last: a crash here leaves unreferenced files (harmless), never rows without files.
    still_used = {i.sha256 for i in db.ImageFile.with_deleted(db.ImageFile.sha256)}
    for image in images:
        if image.sha256 in still_used or not image.sha256:
            continue
        blob = catalog.root / image.blob_path
        if image.blob_path and blob.exists():
            blob.unlink()
            report["blobs"] += 1
        for thumb in catalog.paths.thumbs.glob(f"*/{image.sha256[:2]}/{image.sha256}.jpg"):
            thumb.unlink()
            report["thumbnails"] += 1
    for manifest in VectorStore.list_versions(catalog.paths.vectors):
        store = catalog.vector_store(manifest["model_version"])
        removed = store.remove(products)
        if removed:
            store.save()
        report["vectors"] += removed
    crop_index.remove_crops(catalog, crop_ids)  # normally gone at their soft delete already
    return report
