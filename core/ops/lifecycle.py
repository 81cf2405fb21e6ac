"""Model lifecycle: re-index into a new model version while the old one serves, then promote or delete.

A candidate's crops, primary crops and automatic labels are staged (Crop/Label.staged_for) beside the live
ones and its vectors sit in their own index, so nothing a curator or a search sees changes until `promote`,
which switches all of it in one transaction. `delete_version` drops the candidate's staged rows with it.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.catalog import db
from core.catalog.catalog import CROPS_FOLDER, Catalog
from core.jobs import JobState
from core.settings import ModelSettings
from core.vectors import VectorStore

log = logging.getLogger(__name__)
AUTOMATIC_LABELS = ("zero-shot", "pixels")


class ReindexFailed(RuntimeError):
    """The re-index could not run the model it was asked for; the message says why."""


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


def reindex(catalog: Catalog, new_settings: ModelSettings, *, progress=None, should_stop=None,
            promote_when_done: bool = False) -> dict[str, Any]:
    """Build the index for another model in the background; the active index keeps serving meanwhile."""
    from core.models.registry import ModelRegistry

    registry = ModelRegistry(new_settings)
    try:
        job = db.transaction(lambda: db.Job.create(kind="reindex", state=JobState.RUNNING, started_at=db.utcnow(),
                                                   params={"models": asdict(new_settings), "owner": {
                                                       "pid": os.getpid(), "host": socket.gethostname()}}))
        try:
            return _reindex(catalog, registry, new_settings, job, progress, should_stop, promote_when_done)
        except Exception as exc:  # a full disk, weights that do not load: the job ends failed with the cause
            from core.jobs import record_failure

            if db.Job.get_by_id(job.id).state == JobState.RUNNING:
                record_failure(catalog, job, exc)
            raise
    finally:
        registry.close()


def _reindex(catalog: Catalog, registry, new_settings: ModelSettings, job: db.Job, progress, should_stop,
             promote_when_done: bool) -> dict[str, Any]:
    from core.pipeline.indexer import index_products  # torch and the decoders: not at app launch

    _require_requested_models(registry, new_settings, job)
    report = index_products(catalog, registry, job=job, progress=progress, should_stop=should_stop)
    version = report.model_version
    info = db.VectorIndexInfo.get(db.VectorIndexInfo.model_version == version)
    complete = not report.cancelled and len(catalog.vector_store(version)) >= db.Product.select().where(
        db.Product.status == "indexed").count()
    if complete and info.state == "building":
        info.state = "ready"
        info.save()
    job.state = JobState.CANCELLED if report.cancelled else JobState.SUCCEEDED
    job.finished_at, job.result = db.utcnow(), report.to_dict()
    db.transaction(job.save)
    if complete and promote_when_done:
        promote(catalog, version)
    return {**report.to_dict(), "complete": complete, "active": catalog.active_model_version()}


def _require_requested_models(registry, settings: ModelSettings, job: db.Job) -> None:
    """Load the models now: weights that do not load fail the re-index with the reason (no quiet fallback
    to another embedder, whose index would then be promoted under the name of the one asked for)."""
    reason = ""
    try:
        registry.embedder()
        reason = registry.fallback_reason
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
    explicit_detector = settings.detector_enabled and settings.detector_weights and (
        len(Path(settings.detector_weights).parts) > 1)
    if not reason and explicit_detector and registry.detector() is None:
        reason = f"detector weights {settings.detector_weights} could not be loaded: {registry.detector_reason()}"
    if reason:
        job.state, job.error, job.finished_at = JobState.FAILED, reason, db.utcnow()
        db.transaction(job.save)
        raise ReindexFailed(f"re-index not started: {reason}")


def promote(catalog: Catalog, model_version: str) -> None:
    """Make model_version serve searches, and its staged crops, primaries and labels live, in one transaction."""
    info = db.VectorIndexInfo.get_or_none(db.VectorIndexInfo.model_version == model_version)
    if info is None:
        raise KeyError(f"no index for model version {model_version!r}")

    def _do() -> dict[str, int]:
        moved = _switch_staged(model_version)
        catalog.activate(model_version)
        db.audit("promote", model_version, **moved)
        return moved

    with catalog.writing():
        moved = db.transaction(_do)
        # Which crops are live changed (staged ones in, retired ones out): every crop index follows.
        from core.catalog.crop_index import sync_all

        sync_all(catalog)
    log.info("promoted %s: %s", model_version, moved)
    try:  # trained label heads of this model version now label its products (extra: never fails the promote)
        from core.ops.label_heads import apply_heads

        ids = [p.id for p in db.Product.select(db.Product.id)]
        apply_heads(catalog, model_version, info.preprocess_version, ids)
    except Exception:
        log.exception("label heads not applied after promoting %s", model_version)


def _switch_staged(version: str) -> dict[str, int]:
    """Inside a transaction: retire the live automatic rows that the staged ones replace, then make those live."""
    now = db.utcnow()
    staged_images = db.Crop.with_deleted(db.Crop.image).where(db.Crop.staged_for == version)
    staged_products = db.Label.with_deleted(db.Label.product).where(db.Label.staged_for == version)
    products = db.ImageFile.with_deleted(db.ImageFile.product).where(db.ImageFile.id.in_(staged_images))
    retired_crops = db.Crop.update(deleted_at=now).where(
        db.Crop.image.in_(staged_images) & (db.Crop.curator_locked == False)  # noqa: E712
        & db.Crop.deleted_at.is_null() & (db.Crop.staged_for == "")).execute()
    retired_labels = db.Label.update(deleted_at=now).where(
        (db.Label.product.in_(products) | db.Label.product.in_(staged_products))
        & db.Label.source.in_(AUTOMATIC_LABELS) & db.Label.deleted_at.is_null()
        & (db.Label.staged_for == "")).execute()
    crops = db.Crop.update(staged_for="").where(db.Crop.staged_for == version).execute()
    labels = db.Label.update(staged_for="").where(db.Label.staged_for == version).execute()
    # A curator's primary crop (locked, never staged) still wins over the candidate's automatic choice.
    locked_images = db.ImageFile.with_deleted(db.ImageFile.id).where(db.ImageFile.product.in_(
        db.ImageFile.with_deleted(db.ImageFile.product).join(db.Crop, on=(db.Crop.image == db.ImageFile.id)).where(
            (db.Crop.curator_locked == True) & (db.Crop.is_primary == True)  # noqa: E712
            & db.Crop.deleted_at.is_null())))
    db.Crop.update(is_primary=False).where(
        db.Crop.image.in_(locked_images) & (db.Crop.curator_locked == False)  # noqa: E712
        & (db.Crop.is_primary == True) & db.Crop.deleted_at.is_null()).execute()  # noqa: E712
    status: dict[int, str] = {}
    for pid, state in (db.IndexingResult.select(db.IndexingResult.product, db.IndexingResult.status)
                       .where(db.IndexingResult.model_version == version).order_by(db.IndexingResult.id).tuples()):
        status[pid] = "indexed" if state == "ok" else "error"
    for state in ("indexed", "error"):
        ids = [pid for pid, s in status.items() if s == state]
        for batch in db.chunked(ids, 500):
            db.Product.update(status=state).where(db.Product.id.in_(batch)).execute()
    return {"crops": crops, "labels": labels, "retired_crops": retired_crops, "retired_labels": retired_labels}


def delete_version(catalog: Catalog, model_version: str) -> None:
    """Remove a model version's index (never the active one); the embedding cache keeps its crops."""
    info = db.VectorIndexInfo.get_or_none(db.VectorIndexInfo.model_version == model_version)
    if info is None:
        raise KeyError(f"no index for model version {model_version!r}")
    if info.active:
        raise ValueError("this model version serves searches: promote another one before deleting it")
    catalog.forget_vector_store(model_version)
    store = VectorStore(catalog.paths.vectors, model_version, max(info.dim, 1))
    store.delete_files()
    VectorStore(catalog.paths.vectors / CROPS_FOLDER, model_version, max(info.dim, 1)).delete_files()
    from core.catalog.crop_index import forget_built

    def _do() -> None:
        labels = db.Label.delete().where(db.Label.staged_for == model_version).execute()
        crops = db.Crop.delete().where(db.Crop.staged_for == model_version).execute()
        forget_built(model_version)
        info.state = "retired"
        info.soft_delete()
        db.audit("delete_model_version", model_version, staged_crops=crops, staged_labels=labels)
    db.transaction(_do)
