"""The catalog database: migrations, soft delete, restore, purge, lock retry, append-only corrections."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import numpy as np
import peewee as pw
import pytest

from core.catalog import db
from core.catalog.catalog import Catalog
from core.catalog.retention import delete_products, purge, restore_products


@pytest.fixture
def catalog(tmp_path):
    cat = Catalog.open(tmp_path / "cat")
    yield cat
    cat.close()


def _product_with_image(catalog: Catalog, sku: str, sha: str) -> db.Product:
    product = db.Product.create(sku=sku, title=sku)
    blob = catalog.paths.blob_path(sha, ".jpg")
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(b"jpeg bytes")
    image = db.ImageFile.create(product=product, sha256=sha, blob_path=str(blob.relative_to(catalog.root)))
    crop = db.Crop.create(image=image, x0=0, y0=0, x1=10, y1=10, is_primary=True)
    db.Label.create(product=product, crop=crop, vocabulary="colours", value="red")
    return product


def test_fresh_catalog_has_layout_and_current_schema(catalog):
    for sub in ("vectors", "blobs", "thumbs", "logs"):
        assert (catalog.root / sub).is_dir()
    assert catalog.paths.db.exists()
    assert db.schema_version() == db.SCHEMA_VERSION
    assert (catalog.root.stat().st_mode & 0o777) == 0o700
    mode = db.database.execute_sql("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert db.database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


def test_upgrade_from_first_schema_keeps_data(tmp_path):
    path = tmp_path / "old.sqlite"
    db.open_database(path, target=1)
    assert db.schema_version() == 1
    # A row written by schema 1 (no review_state, no curator_locked yet).
    db.database.execute_sql("INSERT INTO product (created_at, updated_at, sku, title, description, category, "
                            "attributes, source_folder, content_hash, status, corrected) VALUES "
                            "('2026-01-01', '2026-01-01', 'OLD-1', 'Old', '', '', '{}', 'old', '', 'imported', 0)")
    db.close_database()

    db.open_database(path)  # upgrades
    try:
        assert db.schema_version() == db.SCHEMA_VERSION
        old = db.Product.get(db.Product.sku == "OLD-1")
        assert old.title == "Old" and old.review_state == "pending"
        assert db.database.table_exists("audit_log")
        versions = [r.version for r in db.SchemaVersion.select().order_by(db.SchemaVersion.version)]
        assert versions == list(range(1, db.SCHEMA_VERSION + 1))
    finally:
        db.close_database()


def test_live_row_lookups_use_their_keys_not_the_soft_delete_index(catalog):
    """Regression: a full deleted_at index made every search scan whole tables (latency grew with size)."""
    for i in range(50):
        _product_with_image(catalog, f"S{i}", f"{i:064x}")
    query = (db.Crop.select(db.Crop, db.ImageFile).join(db.ImageFile)
             .where(db.ImageFile.product.in_([1, 2, 3]) & db.ImageFile.deleted_at.is_null()))
    sql, params = query.sql()
    plan = " ".join(str(row[-1]) for row in db.database.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    assert "image_file_product_id" in plan, plan
    assert "deleted_at" not in plan, plan
    # Listing deleted rows still has an index.
    sql, params = db.Product.only_deleted().sql()
    plan = " ".join(str(row[-1]) for row in db.database.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    assert "product_deleted_at" in plan, plan


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.sqlite"
    db.open_database(path)
    db.SchemaVersion.create(version=db.SCHEMA_VERSION + 1)
    db.close_database()
    with pytest.raises(RuntimeError, match="newer than this app"):
        db.open_database(path)
    db.close_database()


def test_soft_delete_hides_and_restore_brings_back(catalog):
    product = _product_with_image(catalog, "A", "a" * 64)
    _product_with_image(catalog, "B", "b" * 64)
    assert delete_products([product.id]) == 1
    assert [p.sku for p in db.Product.select()] == ["B"]
    assert db.Product.with_deleted().count() == 2
    assert db.Crop.select().count() == 1 and db.Label.select().count() == 1
    assert restore_products([product.id]) == 1
    assert sorted(p.sku for p in db.Product.select()) == ["A", "B"]
    assert db.Crop.select().count() == 2 and db.Label.select().count() == 2
    assert {a.action for a in db.AuditLog.select()} >= {"delete", "restore"}


def test_purge_after_retention_removes_rows_blobs_vectors(catalog):
    keep = _product_with_image(catalog, "KEEP", "c" * 64)
    gone = _product_with_image(catalog, "GONE", "d" * 64)
    store = catalog.vector_store("tiny-v1", dim=4)
    store.add([keep.id, gone.id], np.eye(4, dtype=np.float32)[:2])
    store.save()
    thumb = catalog.paths.thumb_path("d" * 64, 256)
    thumb.parent.mkdir(parents=True)
    thumb.write_bytes(b"thumb")
    delete_products([gone.id])

    # Inside the retention period nothing is removed.
    report = purge(catalog, retention_days=30)
    assert report["products"] == 0 and db.Product.with_deleted().count() == 2

    later = db.utcnow() + dt.timedelta(days=31)
    report = purge(catalog, retention_days=30, now=later)
    assert report == {"products": 1, "images": 1, "blobs": 1, "thumbnails": 1, "vectors": 1}
    assert [p.sku for p in db.Product.with_deleted()] == ["KEEP"]
    assert not catalog.paths.blob_path("d" * 64, ".jpg").exists()
    assert catalog.paths.blob_path("c" * 64, ".jpg").exists()
    assert not thumb.exists()
    assert gone.id not in store and keep.id in store


def test_purge_keeps_blob_shared_with_live_product(catalog):
    a = _product_with_image(catalog, "A", "e" * 64)
    _product_with_image(catalog, "B", "e" * 64)  # identical image stored once
    delete_products([a.id])
    purge(catalog, retention_days=0, now=db.utcnow() + dt.timedelta(seconds=1))
    assert catalog.paths.blob_path("e" * 64, ".jpg").exists()


def test_corrections_are_append_only(catalog):
    product = _product_with_image(catalog, "A", "f" * 64)
    c = db.Correction.create(uid="0001", product=product, sku="A", kind="approve", before={}, after={"x": 1})
    with pytest.raises(pw.IntegrityError, match="append-only"):
        db.Correction.update(after={"x": 2}).where(db.Correction.id == c.id).execute()
    with pytest.raises(pw.IntegrityError, match="append-only"):
        db.Correction.delete().execute()
    assert db.Correction.get_by_id(c.id).after == {"x": 1}


def test_retry_on_locked_database(catalog):
    """Another connection holds the write lock; our write waits and then succeeds."""
    other = sqlite3.connect(catalog.paths.db, timeout=0, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    db.database.execute_sql("PRAGMA busy_timeout = 1")  # make SQLite give up fast so our retry is exercised
    release = threading.Timer(0.3, other.commit)
    release.start()
    try:
        db.transaction(lambda: db.Product.create(sku="LOCKED", title="x"))
    finally:
        release.join()
        other.close()
        db.database.execute_sql(f"PRAGMA busy_timeout = {db.PRAGMAS['busy_timeout']}")
    assert db.Product.get(db.Product.sku == "LOCKED")


def test_one_connection_per_thread(catalog):
    seen = []
    together = threading.Barrier(3)

    def work():
        seen.append(id(db.database.connection()))
        db.Product.create(sku=f"T{threading.get_ident()}")
        together.wait(timeout=10)  # all three connections alive at once, so ids cannot be reused
        db.database.close()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 3
    assert db.Product.select().count() == 3
