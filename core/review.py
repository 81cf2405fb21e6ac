"""Curator corrections: move, add or delete crop boxes, pick the primary crop, fix labels, approve or flag.

Every change re-preprocesses and re-embeds only what changed, updates the product's vector at once,
writes an append-only Correction row (OS user, time, before, after, versions) and queues it for sync,
all in one transaction. A curator's choice is locked so automatic re-indexing never overwrites it.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.catalog import db
from core.catalog.catalog import Catalog
from core.pipeline.crops import spec_for
from core.pipeline.decode import decode
from core.pipeline.embed_cache import EmbeddingCache
from core.pipeline.preprocess import preprocess
from core.pipeline.quality import judge, measure
from core.pipeline.validate import check_vectors

log = logging.getLogger(__name__)

REVIEW_STATES = ("pending", "approved", "flagged")
REVIEW_KINDS = ("approve", "flag", "reset_review")  # corrections that judge a product without changing it


def _writes(method):
    """A correction holds the catalog's writer lock from its database write to its saved vector, so an
    indexer in another process can neither revert it nor lose it."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        from core.catalog import crop_index

        with self.catalog.writing():
            if method.__name__ in CROP_METHODS:
                crop_index.changing(self.catalog)
            applied = method(self, *args, **kwargs)
            if isinstance(applied, Applied) and applied.correction.kind in CROP_KINDS:
                # Every accepted view is searchable: the crop index follows moved, new and deleted boxes.
                crop_index.sync_products(self.catalog, [applied.correction.product_id])
            return applied
    return wrapper


CROP_KINDS = ("move_box", "new_box", "delete_crop", "restore_crop", "set_primary")
CROP_METHODS = ("move_box", "add_box", "delete_crop", "restore_crop", "set_primary", "apply_remote")


def _crop_state(crop: db.Crop) -> dict[str, Any]:
    # sha256 + box name the crop in another catalog too (ids differ between catalogs)
    return {"crop_id": crop.id, "image_id": crop.image_id, "sha256": crop.image.sha256,
            "box": [round(v, 2) for v in crop.box],
            "is_primary": crop.is_primary, "verdict": crop.verdict, "source": crop.source,
            "deleted": crop.deleted_at is not None}


def _label_state(label: db.Label) -> dict[str, Any]:
    return {"label_id": label.id, "crop_id": label.crop_id, "vocabulary": label.vocabulary, "value": label.value,
            "source": label.source, "confirmed": label.confirmed, "deleted": label.deleted_at is not None}


@dataclass
class Applied:
    correction: db.Correction
    vector_changed: bool


class Reviewer:
    """Applies corrections for one catalog with the models of one registry (use it on the model thread)."""

    def __init__(self, catalog: Catalog, registry) -> None:
        self.catalog = catalog
        self.registry = registry
        self._replaying: db.Correction | None = None  # a remote correction being applied: not logged twice

    # -- plumbing ---------------------------------------------------------------------------------
    @property
    def embedder(self):
        return self.registry.embedder()

    @property
    def spec(self):
        return spec_for(self.embedder, self.catalog.settings.preprocess.expand_ratio)

    @property
    def cache(self) -> EmbeddingCache:
        return self.catalog.embedding_cache()

    def close(self) -> None:
        """Nothing of its own to free: the embedding cache belongs to the catalog."""

    def _embed_crop(self, image: db.ImageFile, box) -> tuple[np.ndarray, dict, str, str]:
        """Vector (cache first), quality metrics and verdict of one crop of a stored image."""
        pixels = decode(self.catalog.root / image.blob_path)
        metrics = measure(pixels, box)
        verdict, reason = judge(metrics, self.catalog.settings.quality)
        emb, spec = self.embedder, self.spec
        key = (image.sha256, tuple(int(round(v)) for v in box))
        known = self.cache.get_many([key], emb.model_version, spec.version)
        if key in known:
            return known[key], metrics.to_dict(), verdict, reason
        vector = check_vectors(emb.embed_images(preprocess(pixels, box, spec).tensor[None]), emb.dim)[0]
        self.cache.put_many([(key, vector)], emb.model_version, spec.version)
        return vector, metrics.to_dict(), verdict, reason

    def _crop_jpeg(self, image: db.ImageFile, box) -> Path:
        """The corrected crop as a JPEG for sync; named by content so a re-sync never duplicates it."""
        from PIL import Image

        x0, y0, x1, y1 = (int(round(v)) for v in box)
        folder = self.catalog.paths.cache / "sync"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{image.sha256[:16]}-{x0}-{y0}-{x1}-{y1}.jpg"
        if not path.exists():
            pixels = decode(self.catalog.root / image.blob_path)[y0:y1, x0:x1]
            tmp = path.with_suffix(".part")
            Image.fromarray(pixels).save(tmp, "JPEG", quality=90)
            tmp.replace(path)
        return path

    def _queue_crop(self, crop: db.Crop, jpeg: Path) -> None:
        if self._replaying is None:
            from core.sync.outbox import enqueue_crop_jpeg

            enqueue_crop_jpeg(crop.id, jpeg)

    def _record(self, product: db.Product, kind: str, before: dict, after: dict,
                crop: db.Crop | None = None, origin: str = "local", uid: str | None = None,
                user: str | None = None) -> db.Correction:
        # Approving or flagging judges the product; it changes nothing in it, so it is no correction.
        marks = kind not in REVIEW_KINDS
        if self._replaying is not None:
            if marks:
                product.corrected = True
                product.save()
            return self._replaying
        fields = {"uid": uid or db.new_uid(), "product": product, "sku": product.sku, "crop": crop, "kind": kind,
                  "before": before, "after": after, "origin": origin,
                  "model_version": self.embedder.model_version, "preprocess_version": self.spec.version}
        if user:
            fields["user"] = user
        correction = db.Correction.create(**fields)
        if marks:
            product.corrected = True
            product.save()
        db.audit("correction", product.sku, kind=kind, uid=correction.uid)
        if origin == "local":
            from core.sync.outbox import enqueue_correction

            enqueue_correction(correction)
        return correction

    def _update_vector(self, product: db.Product) -> bool:
        """Put the product's primary crop vector in the active index (search sees it at once)."""
        primary = (db.Crop.select().join(db.ImageFile)
                   .where((db.ImageFile.product == product) & (db.Crop.is_primary == True)).first())  # noqa: E712
        emb = self.embedder
        store = self.catalog.vector_store(emb.model_version, emb.dim)
        if primary is None:
            store.remove([product.id])
        else:
            vector, *_ = self._embed_crop(primary.image, primary.box)
            store.add([product.id], vector[None])
        store.save()
        return True

    # -- crops ------------------------------------------------------------------------------------
    @_writes
    def move_box(self, crop_id: int, box, **origin) -> Applied:
        crop = db.Crop.get_by_id(crop_id)
        image = crop.image
        box = _clip_box(box, image.width, image.height)
        vector, metrics, verdict, reason = self._embed_crop(image, box)
        jpeg = self._crop_jpeg(image, box)

        def write() -> db.Correction:
            before = _crop_state(crop)
            crop.x0, crop.y0, crop.x1, crop.y1 = box
            crop.metrics, crop.verdict, crop.reason = metrics, verdict, reason
            crop.source, crop.curator_locked = "manual", True
            crop.model_version, crop.preprocess_version = self.embedder.model_version, self.spec.version
            crop.save()
            self._queue_crop(crop, jpeg)
            return self._record(image.product, "move_box", before, _crop_state(crop), crop, **origin)

        correction = db.transaction(write)
        changed = crop.is_primary and self._update_vector(image.product)
        return Applied(correction, changed)

    @_writes
    def add_box(self, image_id: int, box, *, make_primary: bool = False, **origin) -> Applied:
        image = db.ImageFile.get_by_id(image_id)
        box = _clip_box(box, image.width, image.height)
        vector, metrics, verdict, reason = self._embed_crop(image, box)
        jpeg = self._crop_jpeg(image, box)

        def write() -> db.Correction:
            crop = db.Crop.create(image=image, x0=box[0], y0=box[1], x1=box[2], y1=box[3], source="manual",
                                  metrics=metrics, verdict=verdict, reason=reason, curator_locked=True,
                                  model_version=self.embedder.model_version,
                                  preprocess_version=self.spec.version)
            self._queue_crop(crop, jpeg)
            correction = self._record(image.product, "new_box", {}, _crop_state(crop), crop, **origin)
            if make_primary:
                self._set_primary_rows(crop)
            return correction

        correction = db.transaction(write)
        changed = make_primary and self._update_vector(image.product)
        return Applied(correction, changed)

    @_writes
    def delete_crop(self, crop_id: int, **origin) -> Applied:
        crop = db.Crop.get_by_id(crop_id)
        product = crop.image.product
        was_primary = crop.is_primary

        def write() -> db.Correction:
            before = _crop_state(crop)
            crop.deleted_at, crop.is_primary = db.utcnow(), False
            crop.save()
            if was_primary:  # the next best automatic score takes over, else no vector
                nxt = (db.Crop.select().join(db.ImageFile)
                       .where((db.ImageFile.product == product) & (db.Crop.verdict == "accepted"))
                       .order_by(db.Crop.primary_score.desc(nulls="LAST")).first())
                if nxt is not None:
                    nxt.is_primary = True
                    nxt.save()
            return self._record(product, "delete_crop", before, _crop_state(crop), crop, **origin)

        correction = db.transaction(write)
        changed = was_primary and self._update_vector(product)
        return Applied(correction, changed)

    @_writes
    def restore_crop(self, crop_id: int, **origin) -> Applied:
        """Undo of a delete: the crop comes back (the log keeps both steps)."""
        crop = db.Crop.with_deleted().where(db.Crop.id == crop_id).get()
        product = crop.image.product

        def write() -> db.Correction:
            before = _crop_state(crop)
            crop.deleted_at = None
            crop.save()
            return self._record(product, "restore_crop", before, _crop_state(crop), crop, **origin)

        return Applied(db.transaction(write), False)

    def _set_primary_rows(self, crop: db.Crop) -> None:
        siblings = db.Crop.select(db.Crop.id).join(db.ImageFile).where(
            db.ImageFile.product == crop.image.product_id)
        db.Crop.update(is_primary=False).where(db.Crop.id.in_(siblings)).execute()
        db.Crop.update(is_primary=True, curator_locked=True).where(db.Crop.id == crop.id).execute()

    @_writes
    def set_primary(self, crop_id: int, **origin) -> Applied:
        crop = db.Crop.get_by_id(crop_id)
        product = crop.image.product
        old = (db.Crop.select().join(db.ImageFile)
               .where((db.ImageFile.product == product) & (db.Crop.is_primary == True)).first())  # noqa: E712

        def write() -> db.Correction:
            before = {"primary_crop_id": old.id if old else None, **({"old": _crop_state(old)} if old else {})}
            self._set_primary_rows(crop)
            after = {"primary_crop_id": crop.id, **_crop_state(crop)}
            return self._record(product, "set_primary", before, after, crop, **origin)

        correction = db.transaction(write)
        return Applied(correction, self._update_vector(product))

    # -- labels and review state --------------------------------------------------------------------
    @_writes
    def add_label(self, product_id: int, vocabulary: str, value: str, *, crop_id: int | None = None,
                  **origin) -> Applied:
        product = db.Product.get_by_id(product_id)
        value = value.strip()
        if not value:
            raise ValueError("a label needs a value")

        def write() -> db.Correction:
            label = db.Label.create(product=product, crop=crop_id, vocabulary=vocabulary.strip() or "free",
                                    value=value, score=1.0, source="curator", confirmed=True)
            return self._record(product, "add_label", {}, _label_state(label), **origin)

        correction = db.transaction(write)
        self._snapshot_labels(product)
        return Applied(correction, False)

    @_writes
    def remove_label(self, label_id: int, **origin) -> Applied:
        label = db.Label.get_by_id(label_id)
        product = label.product

        def write() -> db.Correction:
            before = _label_state(label)
            label.deleted_at = db.utcnow()
            label.save()
            return self._record(product, "remove_label", before, _label_state(label), **origin)

        correction = db.transaction(write)
        self._snapshot_labels(product)
        return Applied(correction, False)

    @_writes
    def confirm_label(self, label_id: int, **origin) -> Applied:
        label = db.Label.get_by_id(label_id)

        def write() -> db.Correction:
            before = _label_state(label)
            label.confirmed = True
            label.save()
            return self._record(label.product, "confirm_label", before, _label_state(label), **origin)

        correction = db.transaction(write)
        self._snapshot_labels(label.product)
        return Applied(correction, False)

    @_writes
    def set_review_state(self, product_id: int, state: str, **origin) -> Applied:
        if state not in REVIEW_STATES:
            raise ValueError(f"review state must be one of {', '.join(REVIEW_STATES)}")
        product = db.Product.get_by_id(product_id)

        def write() -> db.Correction:
            before = {"review_state": product.review_state}
            product.review_state = state
            product.save()
            kind = {"approved": "approve", "flagged": "flag"}.get(state, "reset_review")
            return self._record(product, kind, before, {"review_state": state}, **origin)

        return Applied(db.transaction(write), False)

    # -- other curators' corrections ------------------------------------------------------------------
    @_writes
    def apply_remote(self, row: db.Correction) -> None:
        """Replay a correction pulled from another catalog (sync calls this inside its transaction)."""
        if row.kind.startswith("collection_"):  # a catalog-wide change, not one product's
            from core.collections import apply_remote as apply_collection

            apply_collection(row)
            return
        if row.kind in ("add_synonym", "remove_synonym"):
            return  # a catalog-wide synonym: the corrections log is its state (core.search.vocabulary)
        product = row.product
        if product is None:
            log.info("remote correction %s names SKU %r, which this catalog does not have", row.uid, row.sku)
            return
        self._replaying = row
        try:
            self._replay(product, row.kind, row.before or {}, row.after or {})
        finally:
            self._replaying = None

    def _replay(self, product: db.Product, kind: str, before: dict, after: dict) -> None:
        if kind == "edit":  # product data: the later edit of each field by server time wins
            from core.edits import apply_remote_edit

            apply_remote_edit(self._replaying)
        elif kind in ("approve", "flag", "reset_review"):
            self.set_review_state(product.id, after.get("review_state", "pending"))
        elif kind == "add_label":
            self.add_label(product.id, after.get("vocabulary", "free"), after.get("value", ""))
        elif kind in ("remove_label", "confirm_label"):
            label = (db.Label.select().where((db.Label.product == product)
                                             & (db.Label.vocabulary == before.get("vocabulary"))
                                             & (db.Label.value == before.get("value"))).first())
            if label is not None:
                (self.remove_label if kind == "remove_label" else self.confirm_label)(label.id)
        elif kind in ("move_box", "delete_crop", "set_primary", "restore_crop"):
            ref = before if kind in ("move_box", "delete_crop") else after
            crop = _match_crop(product, ref.get("sha256"), ref.get("box"), deleted=kind == "restore_crop")
            if kind == "move_box":
                if crop is not None:
                    self.move_box(crop.id, after["box"])
                else:
                    self._add_remote_box(product, after)
            elif kind == "delete_crop" and crop is not None:
                self.delete_crop(crop.id)
            elif kind == "restore_crop" and crop is not None:
                self.restore_crop(crop.id)
            elif kind == "set_primary":
                if crop is not None:
                    self.set_primary(crop.id)
                else:
                    self._add_remote_box(product, {**after, "is_primary": True})
        elif kind == "new_box":
            self._add_remote_box(product, after)
        else:
            log.warning("unknown correction kind %r from another catalog; kept in the log only", kind)

    def _add_remote_box(self, product: db.Product, state: dict) -> None:
        image = db.ImageFile.select().where((db.ImageFile.product == product)
                                            & (db.ImageFile.sha256 == state.get("sha256"))).first()
        if image is not None and state.get("box"):
            self.add_box(image.id, state["box"], make_primary=bool(state.get("is_primary")))

    def _after_label_change(self) -> None:
        """Curators' labels train the label heads: retrain after every RETRAIN_EVERY label corrections."""
        if self._replaying is None:
            from core.ops.label_heads import maybe_retrain

            try:
                maybe_retrain(self.catalog, self.registry)
            except Exception:  # training must never lose the curator's correction, which is committed
                log.exception("retraining the label heads failed")

    def _snapshot_labels(self, product: db.Product) -> None:
        self._after_label_change()
        try:
            from core.sync.outbox import enqueue_labels_snapshot
        except ImportError:  # sync is optional for a catalog that never syncs
            return
        db.transaction(lambda: enqueue_labels_snapshot(product))


def _match_crop(product: db.Product, sha256: str | None, box, *, deleted: bool = False) -> db.Crop | None:
    """The crop of this product on the same image whose box overlaps the given one most (IoU > 0.5)."""
    if not sha256 or not box:
        return None
    # Live crops only (deleted ones too if asked), never a candidate model's staged ones.
    query = db.Crop.with_deleted().where(db.Crop.staged_for == "") if deleted else db.Crop.select()
    crops = query.join(db.ImageFile).where((db.ImageFile.product == product) & (db.ImageFile.sha256 == sha256))
    best, best_iou = None, 0.5
    for crop in crops:
        iou = _iou(crop.box, box)
        if iou > best_iou:
            best, best_iou = crop, iou
    return best


def _iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _clip_box(box, width: int, height: int) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in box)
    x0, x1 = sorted((max(0.0, min(x0, width)), max(0.0, min(x1, width))))
    y0, y1 = sorted((max(0.0, min(y0, height)), max(0.0, min(y1, height))))
    if x1 - x0 < 2 or y1 - y0 < 2:
        raise ValueError("the box is too small (under 2 pixels) or outside the image")
    return (x0, y0, x1, y1)


def review_queue(limit: int = 100, *, include_reviewed: bool = False) -> list[dict[str, Any]]:
    """Products needing a look, most uncertain first (core.catalog.queries.review_queue, as dicts for JSON)."""
    from core.catalog import queries

    return [r.to_dict() for r in queries.review_queue(limit, include_reviewed=include_reviewed)]


def review_progress() -> dict[str, int]:
    from dataclasses import asdict

    from core.catalog import queries

    return asdict(queries.review_progress())
