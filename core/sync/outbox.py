"""Owns the sync outbox: what must reach the bucket, queued in the same transaction as the change itself.

Object keys (below the settings prefix):
  corrections/<uid>.json                               immutable, one per correction, uid sorts by time
  crops/<catalog_id>/<crop_id>-<sha256[:16]>.jpg        immutable, a corrected crop
  labels/<catalog_id>/<sku>.json                        a snapshot, replaced on each change
  tombstones/<catalog_id>/<kind>-<id>-<uid>.json        immutable, says which objects a deletion retires
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import peewee as pw

from core.catalog import db

CORRECTIONS = "corrections/"
CROPS = "crops/"
LABELS = "labels/"
TOMBSTONES = "tombstones/"
DOC_SCHEMA = 1

LAST_SYNC_KEY = "sync_last"
QUARANTINE_KEY = "sync_quarantine"  # remote objects refused by a pull: {key: {etag, reason, at, attempts, ...}}


def catalog_root() -> Path:
    """The open catalog's folder (the database sits in it)."""
    return Path(db.database.database).resolve().parent


def stored_path(path: Path | str) -> str:
    """A file inside the catalog is stored relative to it: renaming or moving the catalog folder never breaks
    an upload (paths are never part of identity)."""
    path = Path(path)
    try:
        return path.resolve().relative_to(catalog_root()).as_posix()
    except ValueError:
        return str(path)


def resolve_file(stored: str) -> Path:
    """Where a queued file is now: relative paths are read against the catalog folder; an absolute path
    written before a rename (older rows) is looked for under the same name in cache/sync/ (its sha256 is
    checked before upload, so a wrong file is never sent)."""
    path = Path(stored)
    root = catalog_root()
    if not path.is_absolute():
        return root / path
    if not path.exists():
        moved = root / "cache" / "sync" / path.name
        if moved.exists():
            return moved
    return path


def catalog_id() -> str:
    """This catalog's identity (the same Setting that Catalog.catalog_id() creates)."""
    row = db.Setting.get_or_none(db.Setting.key == "catalog_id")
    if row is None:
        row = db.Setting.create(key="catalog_id", value=uuid.uuid4().hex)
    return row.value


def encode(doc: dict[str, Any]) -> bytes:
    """Deterministic bytes, so that a re-upload of the same document is byte-identical."""
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def correction_key(uid: str) -> str:
    return f"{CORRECTIONS}{uid}.json"


def correction_doc(correction: db.Correction, origin: str | None = None) -> dict[str, Any]:
    return {
        "schema": DOC_SCHEMA,
        "uid": correction.uid,
        "sku": correction.sku or (correction.product.sku if correction.product_id else ""),
        "kind": correction.kind,
        "before": correction.before,
        "after": correction.after,
        "user": correction.user,
        "origin": origin or catalog_id(),
        "created_at": _iso(correction.created_at),
        "crop_id": correction.crop_id,
        "model_version": correction.model_version,
        "preprocess_version": correction.preprocess_version,
    }


def _add(kind: str, key: str, payload: dict[str, Any], file_path: str = "") -> db.SyncOutbox:
    """Insert once; a row already there for this key is left as it is (enqueueing is idempotent)."""
    with db.database.atomic():
        row = db.SyncOutbox.with_deleted().where(db.SyncOutbox.key == key).first()
        if row is None:
            row = db.SyncOutbox.create(kind=kind, key=key, payload=payload, file_path=file_path)
        return row


def enqueue_correction(correction: db.Correction, origin: str | None = None) -> db.SyncOutbox:
    """Queue one correction. Call inside the transaction that creates it. Remote ones are not re-sent.
    origin: this catalog's id when the caller already has it (a batch of many corrections)."""
    if correction.origin not in ("", "local"):
        raise ValueError("a correction pulled from another catalog is not pushed again")
    return _add("correction", correction_key(correction.uid), correction_doc(correction, origin))


def enqueue_crop_jpeg(crop_id: int, jpeg_path: Path | str) -> db.SyncOutbox:
    """Queue a corrected crop's JPEG. The file must stay in place until it is sent (its hash is checked)."""
    path = Path(jpeg_path)
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    crop = db.Crop.with_deleted().where(db.Crop.id == crop_id).first()
    product_id = None
    if crop is not None:
        image = db.ImageFile.with_deleted().where(db.ImageFile.id == crop.image_id).first()
        product_id = image.product_id if image else None
    key = f"{CROPS}{catalog_id()}/{crop_id}-{sha[:16]}.jpg"
    payload = {"crop_id": crop_id, "product_id": product_id, "sha256": sha, "size": len(data)}
    return _add("crop", key, payload, file_path=stored_path(path))


def labels_key(sku: str) -> str:
    return f"{LABELS}{catalog_id()}/{quote(sku, safe='')}.json"


def enqueue_labels_snapshot(product: db.Product) -> db.SyncOutbox:
    """Queue (or refresh) the product's labels snapshot; the newest snapshot replaces a pending one."""
    labels = [
        {"vocabulary": lb.vocabulary, "value": lb.value, "score": lb.score, "source": lb.source,
         "confirmed": lb.confirmed, "model_version": lb.model_version, "crop_id": lb.crop_id}
        for lb in db.Label.select().where(db.Label.product == product).order_by(db.Label.vocabulary, db.Label.value)
    ]
    doc = {"schema": DOC_SCHEMA, "sku": product.sku, "origin": catalog_id(), "taken_at": _iso(db.utcnow()),
           "product_id": product.id, "labels": labels}
    key = labels_key(product.sku)
    with db.database.atomic():
        row = db.SyncOutbox.with_deleted().where(db.SyncOutbox.key == key).first()
        if row is None:
            return db.SyncOutbox.create(kind="labels", key=key, payload=doc)
        row.payload, row.state, row.attempts, row.last_error = doc, "pending", 0, ""
        row.next_attempt_at = row.sent_at = row.deleted_at = None
        row.save()
        return row


def enqueue_tombstone(kind: str, item_id: int | str, *, sku: str = "",
                      targets: list[str] | None = None) -> db.SyncOutbox:
    """Queue a tombstone for a soft-deleted item. targets default to the objects this catalog sent for it:
    a crop's JPEGs; a product's labels snapshot and crop JPEGs. Corrections are history and never retired."""
    if targets is None:
        targets = _default_targets(kind, item_id, sku)
    uid = db.new_uid()
    doc = {"schema": DOC_SCHEMA, "kind": kind, "id": item_id, "sku": sku, "origin": catalog_id(),
           "deleted_at": _iso(db.utcnow()), "targets": sorted(set(targets)), "uid": uid}
    key = f"{TOMBSTONES}{catalog_id()}/{kind}-{quote(str(item_id), safe='')}-{uid}.json"
    return _add("tombstone", key, doc)


def _default_targets(kind: str, item_id: int | str, sku: str) -> list[str]:
    rows = db.SyncOutbox.with_deleted().where(db.SyncOutbox.kind.in_(["crop", "labels"]))
    out = []
    for row in rows:
        p = row.payload or {}
        mine_crop = kind == "crop" and row.kind == "crop" and p.get("crop_id") == item_id
        mine_product = kind == "product" and (p.get("product_id") == item_id or (sku and p.get("sku") == sku))
        if mine_crop or mine_product:
            out.append(row.key)
    if kind == "product" and sku:
        out.append(labels_key(sku))
    return out


# --- reading the queue --------------------------------------------------------------------------------
def pending(limit: int | None = None) -> list[db.SyncOutbox]:
    """Rows still to send, oldest first."""
    q = db.SyncOutbox.select().where(db.SyncOutbox.state == "pending").order_by(db.SyncOutbox.id)
    return list(q.limit(limit) if limit else q)


def pending_count() -> int:
    return db.SyncOutbox.select().where(db.SyncOutbox.state == "pending").count()


def retry_failed() -> int:
    """Put rows that failed for good (a conflict, a missing file) back in the queue after a fix."""
    return (db.SyncOutbox.update(state="pending", attempts=0, last_error="", next_attempt_at=None)
            .where(db.SyncOutbox.state == "failed").execute())


def prune_sent(older_than_days: int, now: dt.datetime | None = None) -> int:
    """Forget rows sent long ago (the objects stay in the bucket; labels rows are kept as the key owner)."""
    cutoff = (now or db.utcnow()) - dt.timedelta(days=older_than_days)
    # Tombstone rows are this catalog's signed history: purge_tombstones acts on them alone.
    return (db.SyncOutbox.delete().where((db.SyncOutbox.state == "sent") & (db.SyncOutbox.sent_at < cutoff)
                                         & db.SyncOutbox.kind.not_in(["labels", "tombstone"])).execute())


def status() -> dict[str, Any]:
    """JSON-able: counts by state, the last sync, and every row that carries an error with its reason."""
    counts = {s: 0 for s in ("pending", "sent", "failed", "retired")}
    for state, n in (db.SyncOutbox.select(db.SyncOutbox.state, pw.fn.COUNT(db.SyncOutbox.id))
                     .group_by(db.SyncOutbox.state).tuples()):
        counts[state] = n
    errors = [
        {"key": r.key, "state": r.state, "attempts": r.attempts, "reason": r.last_error}
        for r in db.SyncOutbox.select().where(db.SyncOutbox.last_error != "").order_by(db.SyncOutbox.id).limit(100)
    ]
    last = db.Setting.get_or_none(db.Setting.key == LAST_SYNC_KEY)
    return {"pending": counts["pending"], "sent": counts["sent"], "failed": counts["failed"],
            "last_sync": last.value if last else None, "errors": errors, "quarantined": quarantined()}


def quarantined() -> list[dict[str, Any]]:
    """Remote objects a pull refused and set aside, each with its reason; the rest of the pull went on."""
    row = db.Setting.get_or_none(db.Setting.key == QUARANTINE_KEY)
    table = row.value if row and isinstance(row.value, dict) else {}
    return [{"key": k, "reason": v.get("reason", ""), "at": v.get("at"), "attempts": v.get("attempts", 1)}
            for k, v in sorted(table.items()) if v.get("quarantined")]
