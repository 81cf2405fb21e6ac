"""Model lifecycle: re-index into a new model version while the old one serves, then promote or delete."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from core.catalog import db
from core.catalog.catalog import Catalog
from core.settings import ModelSettings, _build
from core.vectors import VectorStore

log = logging.getLogger(__name__)


def model_versions(catalog: Catalog) -> list[dict[str, Any]]:
    """Every model version with an index: its state, whether searches use it, how many vectors it holds."""
    live = db.Product.select().count()
    rows = []
    for info in db.VectorIndexInfo.select().order_by(db.VectorIndexInfo.created_at):
        try:
            count = len(catalog.vector_store(info.model_version))
        except FileNotFoundError:
            count = 0
        rows.append({"model_version": info.model_version, "embedder": info.embedder, "dim": info.dim,
                     "preprocess_version": info.preprocess_version, "state": info.state, "active": info.active,
                     "vectors": count, "products": live, "complete": count >= live,
                     "created_at": info.created_at.isoformat()})
    return rows


def registry_for_version(catalog: Catalog, model_version: str):
    """A registry that loads the model an index was built with (so its queries match its vectors)."""
    from core.models.registry import ModelRegistry

    info = db.VectorIndexInfo.get_or_none(db.VectorIndexInfo.model_version == model_version)
    if info is None or not info.model_settings:
        raise KeyError(f"no index for model version {model_version!r} with known model settings")
    return ModelRegistry(_build(ModelSettings, info.model_settings))


def search_registry(catalog: Catalog):
    """The registry searches should use: the active index's model, else the catalog's settings."""
    from core.models.registry import ModelRegistry

    active = catalog.active_model_version()
    if active:
        try:
            return registry_for_version(catalog, active)
        except KeyError:
            pass
    return ModelRegistry(catalog.settings.models)


def reindex(catalog: Catalog, new_settings: ModelSettings, *, progress=None, should_stop=None,
            promote_when_done: bool = False) -> dict[str, Any]:
    """Build the index for another model in the background; the active index keeps serving meanwhile."""
    from core.models.registry import ModelRegistry
    from core.pipeline.indexer import index_products

    registry = ModelRegistry(new_settings)
    try:
        job = db.transaction(lambda: db.Job.create(kind="reindex", state="running", started_at=db.utcnow(),
                                                   params={"models": asdict(new_settings)}))
        report = index_products(catalog, registry, job=job, progress=progress, should_stop=should_stop)
        version = report.model_version
        info = db.VectorIndexInfo.get(db.VectorIndexInfo.model_version == version)
        complete = not report.cancelled and len(catalog.vector_store(version)) >= db.Product.select().where(
            db.Product.status == "indexed").count()
        if complete and info.state == "building":
            info.state = "ready"
            info.save()
        job.state = "cancelled" if report.cancelled else "succeeded"
        job.finished_at, job.result = db.utcnow(), report.to_dict()
        db.transaction(job.save)
        if complete and promote_when_done:
            promote(catalog, version)
        return {**report.to_dict(), "complete": complete, "active": catalog.active_model_version()}
    finally:
        registry.close()


def promote(catalog: Catalog, model_version: str) -> None:
    info = db.VectorIndexInfo.get_or_none(db.VectorIndexInfo.model_version == model_version)
    if info is None:
        raise KeyError(f"no index for model version {model_version!r}")
    catalog.activate(model_version)
    db.audit("promote", model_version)


def delete_version(catalog: Catalog, model_version: str) -> None:
    """Remove a model version's index (never the active one); the embedding cache keeps its crops."""
    info = db.VectorIndexInfo.get_or_none(db.VectorIndexInfo.model_version == model_version)
    if info is None:
        raise KeyError(f"no index for model version {model_version!r}")
    if info.active:
        raise ValueError("this model version serves searches: promote another one before deleting it")
    catalog._stores.pop(model_version, None)
    store = VectorStore(catalog.paths.vectors, model_version, max(info.dim, 1))
    store.delete_files()
    info.state = "retired"
    info.soft_delete()
    db.audit("delete_model_version", model_version)
