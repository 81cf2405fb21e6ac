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


def recover_vectors(catalog: Catalog, model_version: str, product_ids: list[int] | None = None) -> int:
    """Put back vectors that the database says exist, from the embedding cache (no model needed).

    The cache is committed before a product's row says "indexed", so it acts as the write-ahead log
    of the vector index: a crash between a commit and an index save loses nothing.
    """
    from core.pipeline.embed_cache import EmbeddingCache

    info = db.VectorIndexInfo.get_or_none(db.VectorIndexInfo.model_version == model_version)
    if info is None:
        return 0
    store = catalog.vector_store(model_version, info.dim or None)
    wanted = set(indexed_product_ids() if product_ids is None else product_ids)
    missing = sorted(wanted - set(store.keys().tolist()))
    if not missing:
        return 0
    rows = (db.Crop.select(db.Crop, db.ImageFile).join(db.ImageFile)
            .where(db.ImageFile.product.in_(missing) & (db.Crop.is_primary == True)))  # noqa: E712
    keys = {row.image.product_id: (row.image.sha256, tuple(int(round(v)) for v in row.box)) for row in rows}
    cache = EmbeddingCache(catalog.paths.cache / "embeddings.sqlite")
    try:
        found = cache.get_many(list(keys.values()), model_version, info.preprocess_version)
    finally:
        cache.close()
    ids = [pid for pid, key in keys.items() if key in found]
    if ids:
        store.add(ids, [found[keys[pid]] for pid in ids])
        store.save()
    return len(ids)


def recover_after_crash(catalog: Catalog) -> dict[str, int]:
    """Replay vectors for every index whose file was left behind its database (a dirty marker)."""
    from core.vectors import index_file_stem

    recovered = {}
    for info in db.VectorIndexInfo.select():
        marker = catalog.paths.vectors / f"{index_file_stem(info.model_version)}.dirty"
        if marker.exists():
            recovered[info.model_version] = recover_vectors(catalog, info.model_version)
            marker.unlink(missing_ok=True)
    return recovered


def check_catalog(catalog: Catalog, *, repair: bool = False) -> dict[str, Any]:
    """Reconcile every vector index with the database; with repair, drop orphans and requeue missing."""
    recovered = recover_after_crash(catalog)
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
    if recovered:
        report["recovered"] = recovered
    report["ok"] = not (report["missing"] or report["orphans"] or report["missing_blobs"])
    if repair:
        report["repaired"] = True
    return report
