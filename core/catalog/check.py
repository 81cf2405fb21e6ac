"""Consistency of a catalog: database rows against vector indexes and blob files."""

from __future__ import annotations

from typing import Any

from core.catalog import db
from core.catalog.catalog import Catalog
from core.vectors import VectorStore


def live_product_ids() -> list[int]:
    return [p.id for p in db.Product.select(db.Product.id)]


def indexed_product_ids() -> list[int]:
    """Live products that went through the pipeline and should have a vector."""
    return [p.id for p in db.Product.select(db.Product.id).where(db.Product.status == "indexed")]


def check_catalog(catalog: Catalog, *, repair: bool = False) -> dict[str, Any]:
    """Reconcile every vector index with the database; with repair, drop orphans and requeue missing."""
    live = live_product_ids()
    report: dict[str, Any] = {"products": len(live), "vectors": 0, "missing": [], "orphans": [],
                              "missing_blobs": [], "indexes": []}
    versions = {m["model_version"] for m in VectorStore.list_versions(catalog.paths.vectors)}
    active = catalog.active_model_version()
    expected = set(indexed_product_ids())
    for version in sorted(versions):
        store = catalog.vector_store(version)
        rec = store.reconcile(live, repair=repair)
        # Only products the pipeline finished are expected to have a vector.
        missing = sorted(set(rec.missing) & expected)
        report["indexes"].append({"model_version": version, "vectors": len(store), "orphans": rec.orphans,
                                  "missing": missing, "active": version == active})
        if version == active or active is None:
            report["vectors"] = len(store)
            report["missing"] = missing
            report["orphans"] = rec.orphans
    for image in db.ImageFile.select().where(db.ImageFile.status == "ok"):
        if not (catalog.root / image.blob_path).exists():
            report["missing_blobs"].append(image.blob_path)
    if repair and report["missing"]:
        # Missing vectors are re-embedded by the next index run.
        db.Product.update(status="imported").where(db.Product.id.in_(report["missing"])).execute()
    report["ok"] = not (report["missing"] or report["orphans"] or report["missing_blobs"])
    if repair:
        report["repaired"] = True
    return report
