"""Owns the catalog database: peewee models, the connection, soft delete and schema migrations."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import getpass
import json
import logging
import random
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import peewee as pw

log = logging.getLogger(__name__)

SCHEMA_VERSION = 12

class _Connection(sqlite3.Connection):
    """A plain sqlite3 connection that can be weakly referenced (a dead thread's goes with it)."""


class CatalogDatabase(pw.SqliteDatabase):
    """Peewee's SQLite database, which also remembers every thread's connection: closing a catalog closes
    them all, so the app can open another catalog without a restart (peewee alone closes only the calling
    thread's, and a pool or model thread would go on reading the old file)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._live: weakref.WeakValueDictionary[int, sqlite3.Connection] = weakref.WeakValueDictionary()
        self._live_lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.connect_params.setdefault("factory", _Connection)
        conn = super()._connect()
        with self._live_lock:
            self._live[id(conn)] = conn
        return conn

    def _close(self, conn: sqlite3.Connection) -> None:
        with self._live_lock:
            self._live.pop(id(conn), None)
        super()._close(conn)

    def is_closed(self) -> bool:
        # A connection close_all() took from this thread: forget it, the next query connects anew.
        if not self._state.closed and id(self._state.conn) not in self._live:
            self._state.reset()
        return super().is_closed()

    def close_all(self) -> int:
        """Close every thread's connection (call it once the catalog's workers have stopped); one inside a
        transaction is left to its thread. Returns how many were closed."""
        if not self.is_closed() and not self.in_transaction():
            self.close()
        with self._live_lock:
            idle = [c for c in list(self._live.values()) if not c.in_transaction]
            for conn in idle:
                self._live.pop(id(conn), None)
        for conn in idle:
            with contextlib.suppress(sqlite3.Error):  # already closed with its thread
                conn.close()
        return len(idle)


# Bound to a file by open_database(); one catalog is open per process at a time, and close_database()
# lets go of it in every thread so that another catalog can be opened in the same process.
database = CatalogDatabase(None)

T = TypeVar("T")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_uid() -> str:
    """A unique id that sorts by creation time (ULID-like): 16 hex digits of ns time, 12 random."""
    import secrets

    return f"{time.time_ns():016x}{secrets.token_hex(6)}"


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some sandboxes and services
        return "unknown"


class JSONField(pw.TextField):
    field_type = "TEXT"

    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


class BaseModel(pw.Model):
    """Every table has timestamps and soft delete; select() hides deleted rows unless asked."""

    created_at = pw.DateTimeField(default=utcnow)
    updated_at = pw.DateTimeField(default=utcnow)
    # Indexed only where set (migration 4): a full index on a column that is NULL almost everywhere made
    # SQLite pick it for "deleted_at IS NULL" and scan every row instead of using the foreign-key index.
    deleted_at = pw.DateTimeField(null=True)

    class Meta:
        database = database
        legacy_table_names = False

    @classmethod
    def select(cls, *fields: Any) -> pw.ModelSelect:
        return super().select(*fields).where(cls.deleted_at.is_null())

    @classmethod
    def with_deleted(cls, *fields: Any) -> pw.ModelSelect:
        return super().select(*fields)

    @classmethod
    def only_deleted(cls, *fields: Any) -> pw.ModelSelect:
        return super().select(*fields).where(cls.deleted_at.is_null(False))

    def save(self, *args: Any, **kwargs: Any) -> int:
        self.updated_at = utcnow()
        return super().save(*args, **kwargs)

    def soft_delete(self) -> None:
        self.deleted_at = utcnow()
        self.save()

    def restore(self) -> None:
        self.deleted_at = None
        self.save()


class Product(BaseModel):
    sku = pw.CharField(unique=True)
    title = pw.TextField(default="")
    description = pw.TextField(default="")
    category = pw.TextField(default="")
    attributes = JSONField(default=dict)
    price = pw.FloatField(null=True)
    source_folder = pw.TextField(default="")
    content_hash = pw.CharField(default="")
    status = pw.CharField(default="imported")  # imported, indexed, error
    review_state = pw.CharField(default="pending")  # pending, approved, flagged  (schema 2)
    corrected = pw.BooleanField(default=False)
    # (schema 11) the design this product is a variant of: a Magento configurable parent's SKU, a Shopify
    # handle, or product.json's parent_sku; "" = a design of its own
    design = pw.CharField(default="")

    @property
    def text(self) -> str:
        """The words a curator wrote about the product, used to pick its primary crop."""
        return ". ".join(p for p in (self.title, self.category.replace("/", " "), self.description) if p)


class ImageFile(BaseModel):
    product = pw.ForeignKeyField(Product, backref="images", on_delete="CASCADE")
    sha256 = pw.CharField(index=True)
    blob_path = pw.TextField(default="")  # relative to the catalog root
    original_path = pw.TextField(default="")
    original_name = pw.TextField(default="")
    position = pw.IntegerField(default=0)
    width = pw.IntegerField(default=0)
    height = pw.IntegerField(default=0)
    size_bytes = pw.IntegerField(default=0)
    format = pw.CharField(default="")
    status = pw.CharField(default="ok")  # ok, error
    error = pw.TextField(default="")


class Crop(BaseModel):
    image = pw.ForeignKeyField(ImageFile, backref="crops", on_delete="CASCADE")
    x0 = pw.FloatField()
    y0 = pw.FloatField()
    x1 = pw.FloatField()
    y1 = pw.FloatField()
    source = pw.CharField(default="detector")  # detector, foreground, full, manual
    detector_class = pw.CharField(default="")
    detector_confidence = pw.FloatField(default=0.0)
    metrics = JSONField(default=dict)
    verdict = pw.CharField(default="accepted")  # accepted, rejected
    reason = pw.TextField(default="")
    is_primary = pw.BooleanField(default=False)
    primary_score = pw.FloatField(null=True)
    score_parts = JSONField(default=dict)
    outlier = pw.BooleanField(default=False)
    curator_locked = pw.BooleanField(default=False)  # (schema 2) a curator's choice wins over re-indexing
    model_version = pw.CharField(default="")
    preprocess_version = pw.CharField(default="")
    # (schema 6) "" = live; else the candidate model version whose re-index made it (live at promote)
    staged_for = pw.CharField(default="")
    # (schema 7) the foreground's Lab histogram, {"version", "bins", "weights"} (core.pipeline.colors)
    colour = JSONField(default=dict)

    @classmethod
    def select(cls, *fields: Any) -> pw.ModelSelect:
        return super().select(*fields).where(cls.staged_for == "")

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x1, self.y1)


class Label(BaseModel):
    product = pw.ForeignKeyField(Product, backref="labels", on_delete="CASCADE")
    crop = pw.ForeignKeyField(Crop, backref="labels", null=True, on_delete="CASCADE")
    vocabulary = pw.CharField()
    value = pw.CharField()
    score = pw.FloatField(default=0.0)
    source = pw.CharField(default="zero-shot")  # zero-shot, pixels, curator, trained
    confirmed = pw.BooleanField(default=False)
    model_version = pw.CharField(default="")
    staged_for = pw.CharField(default="")  # (schema 6) as Crop.staged_for

    @classmethod
    def select(cls, *fields: Any) -> pw.ModelSelect:
        return super().select(*fields).where(cls.staged_for == "")


class Job(BaseModel):
    kind = pw.CharField()  # index, reindex, purge, sync
    state = pw.CharField(default="queued", index=True)  # queued, running, succeeded, failed, cancelled
    progress = pw.IntegerField(default=0)
    total = pw.IntegerField(default=0)
    params = JSONField(default=dict)
    result = JSONField(default=dict)
    message = pw.TextField(default="")
    error = pw.TextField(default="")
    started_at = pw.DateTimeField(null=True)
    finished_at = pw.DateTimeField(null=True)
    heartbeat_at = pw.DateTimeField(null=True)


class ImportVerdict(BaseModel):
    """What an import decided about one file or product: imported, imported with warnings, skipped, rejected."""

    job = pw.ForeignKeyField(Job, backref="verdicts", on_delete="CASCADE")
    path = pw.TextField()  # relative to the dropped folder's parent, e.g. shoes/sku-12/main.jpg
    kind = pw.CharField(default="file")  # file, product
    verdict = pw.CharField()
    reason = pw.TextField(default="")
    sku = pw.CharField(default="")


class IndexingResult(BaseModel):
    job = pw.ForeignKeyField(Job, backref="results", null=True, on_delete="SET NULL")
    product = pw.ForeignKeyField(Product, backref="indexing_results", on_delete="CASCADE")
    model_version = pw.CharField(default="")
    preprocess_version = pw.CharField(default="")
    primary_crop = pw.ForeignKeyField(Crop, null=True, on_delete="SET NULL")
    timings = JSONField(default=dict)
    device = pw.CharField(default="")
    status = pw.CharField(default="ok")  # ok, error, skipped
    error = pw.TextField(default="")
    # (schema 10) column total_seconds: the sum of the timings, kept by a trigger (not a field: never written here)


class QueryResult(BaseModel):
    kind = pw.CharField()  # image, text, hybrid, similar
    text = pw.TextField(default="")
    image_hash = pw.CharField(default="")
    filters = JSONField(default=dict)
    alpha = pw.FloatField(null=True)
    result_ids = JSONField(default=list)
    scores = JSONField(default=list)
    latency_ms = pw.FloatField(default=0.0)
    model_version = pw.CharField(default="")


class QueryClick(BaseModel):
    query = pw.ForeignKeyField(QueryResult, backref="clicks", on_delete="CASCADE")
    product = pw.ForeignKeyField(Product, on_delete="CASCADE")
    rank = pw.IntegerField()


class Correction(BaseModel):
    """Append-only: triggers refuse updates of content and deletes (see migration 2)."""

    uid = pw.CharField(unique=True)  # sortable unique id: time first, then randomness
    # Nullable so that purging a product keeps its history; sku says which product it was.
    product = pw.ForeignKeyField(Product, backref="corrections", null=True, on_delete="SET NULL")
    sku = pw.CharField(default="")
    crop = pw.ForeignKeyField(Crop, null=True, on_delete="SET NULL")
    kind = pw.CharField()  # move_box, new_box, delete_crop, set_primary, add_label, remove_label, approve, flag
    before = JSONField(default=dict)
    after = JSONField(default=dict)
    user = pw.CharField(default=os_user)
    origin = pw.CharField(default="local")  # local or the id of the catalog it came from
    model_version = pw.CharField(default="")
    preprocess_version = pw.CharField(default="")
    # (schema 11) when the bucket stored it (its listing's LastModified): "the later edit wins" compares these
    server_at = pw.DateTimeField(null=True)


class SyncOutbox(BaseModel):
    kind = pw.CharField()  # correction, crop, labels, tombstone
    key = pw.TextField(unique=True)  # the object key below the prefix; uploads are idempotent by key
    payload = JSONField(default=dict)
    file_path = pw.TextField(default="")
    state = pw.CharField(default="pending", index=True)  # pending, sent, failed
    attempts = pw.IntegerField(default=0)
    last_error = pw.TextField(default="")
    next_attempt_at = pw.DateTimeField(null=True)
    sent_at = pw.DateTimeField(null=True)


class VectorIndexInfo(BaseModel):
    """One row per model version that has (or is building) a vector index."""

    model_version = pw.CharField(unique=True)
    preprocess_version = pw.CharField(default="")
    embedder = pw.CharField(default="")
    dim = pw.IntegerField(default=0)
    state = pw.CharField(default="building")  # building, ready, retired
    active = pw.BooleanField(default=False)
    model_settings = JSONField(default=dict)  # (schema 3) how to load this model again: eval --compare, re-index


class DriftEvent(BaseModel):
    """(schema 3) a batch of new embeddings that did not look like the catalog's reference."""

    model_version = pw.CharField()
    job = pw.ForeignKeyField(Job, null=True, on_delete="SET NULL")
    batch_size = pw.IntegerField()
    p_value = pw.FloatField()
    details = JSONField(default=dict)
    acknowledged = pw.BooleanField(default=False)


class LabelHead(BaseModel):
    """(schema 3) a label classifier trained from curators' labels, per vocabulary and model version."""

    vocabulary = pw.CharField()
    model_version = pw.CharField()
    version = pw.CharField(unique=True)
    path = pw.TextField()
    examples = pw.IntegerField(default=0)
    head_accuracy = pw.FloatField()
    zero_shot_accuracy = pw.FloatField(null=True)  # of what the app labels without the head: see baseline
    active = pw.BooleanField(default=False)
    baseline = pw.CharField(default="")  # (schema 5) "zero-shot", "pixels", or "" when there was none


class AuditLog(BaseModel):
    """(schema 2) who did what: corrections, deletions, purges, sync."""

    action = pw.CharField()
    target = pw.TextField(default="")
    details = JSONField(default=dict)
    user = pw.CharField(default=os_user)


class ShopSource(BaseModel):
    """(schema 11) A shop's product export as imported: its layout, kept so export can write it back."""

    format = pw.CharField()  # shopify, magento
    file_name = pw.TextField(default="")
    header = JSONField(default=list)  # the column names, in order
    header_raw = pw.TextField(default="")  # the header line exactly as read, with its line ending
    bom = pw.BooleanField(default=False)
    images_root = pw.TextField(default="")


class ShopRow(BaseModel):
    """(schema 11) One record of a shop export, verbatim, and what the app read from it."""

    source = pw.ForeignKeyField(ShopSource, backref="rows", on_delete="CASCADE")
    position = pw.IntegerField()  # 0 = the first record after the header
    raw = pw.TextField()  # the record exactly as read, line ending(s) included
    cells = JSONField(default=list)
    role = pw.CharField(default="extra")  # variant, design, image, extra
    product = pw.ForeignKeyField(Product, null=True, on_delete="SET NULL")  # the variant this row carries
    sku = pw.CharField(default="", index=True)  # that product's SKU at import ("" for other rows)
    design = pw.CharField(default="")  # the Shopify handle or Magento configurable SKU it belongs to
    baseline = JSONField(default=dict)  # the product's fields as this row gave them at import


class Setting(BaseModel):
    key = pw.CharField(unique=True)
    value = JSONField(null=True)


class Collection(BaseModel):
    """(schema 11) a named collection, or a smart one: a saved search (text and filters) whose members are found."""

    name = pw.CharField(unique=True)
    smart = pw.BooleanField(default=False)
    query = JSONField(default=dict)  # smart: {"text": str, "filters": [KEY=VALUE, ...]}


class CollectionItem(BaseModel):
    """(schema 11) a product in a named collection."""

    collection = pw.ForeignKeyField(Collection, backref="items", on_delete="CASCADE")
    product = pw.ForeignKeyField(Product, on_delete="CASCADE")

    class Meta:
        indexes = ((("collection", "product"), True),)


class EditConflict(BaseModel):
    """(schema 11) the same product field edited in two catalogs: the later edit by server time won."""

    product = pw.ForeignKeyField(Product, null=True, on_delete="SET NULL")
    sku = pw.CharField(default="")
    field = pw.CharField()  # title, price, attributes.color, ...
    winner_uid = pw.CharField()
    loser_uid = pw.CharField()
    winner_user = pw.CharField(default="")
    loser_user = pw.CharField(default="")
    winner_value = JSONField(null=True)
    loser_value = JSONField(null=True)
    resolved_at = pw.DateTimeField(null=True)  # the loser was restored, or the curator kept the winner

    class Meta:
        indexes = ((("loser_uid", "field"), True),)


class SchemaVersion(pw.Model):
    version = pw.IntegerField()
    applied_at = pw.DateTimeField(default=utcnow)

    class Meta:
        database = database
        table_name = "schema_version"


MODELS: list[type[pw.Model]] = [
    Product, ImageFile, Crop, Label, Job, IndexingResult, QueryResult, QueryClick,
    Correction, SyncOutbox, VectorIndexInfo, AuditLog, Setting, DriftEvent, LabelHead, ImportVerdict,
    Collection, CollectionItem, EditConflict,
    ShopSource, ShopRow,
]

# --- migrations ---------------------------------------------------------------------------------

_SCHEMA_V1 = Path(__file__).with_name("schema_v1.sql")


def _migrate_1(db: pw.SqliteDatabase) -> None:
    """The first schema, frozen as SQL so that old catalogs and new ones take the same path."""
    for statement in _SCHEMA_V1.read_text(encoding="utf-8").split(";\n"):
        if statement.strip():
            db.execute_sql(statement)


def _migrate_2(db: pw.SqliteDatabase) -> None:
    """Review state, curator locks, the audit log, and an append-only correction log."""
    db.execute_sql("ALTER TABLE product ADD COLUMN review_state VARCHAR(255) NOT NULL DEFAULT 'pending'")
    db.execute_sql("ALTER TABLE crop ADD COLUMN curator_locked INTEGER NOT NULL DEFAULT 0")
    db.create_tables([AuditLog])
    db.execute_sql(
        "CREATE TRIGGER correction_no_delete BEFORE DELETE ON correction "
        "BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END"
    )
    db.execute_sql(
        "CREATE TRIGGER correction_no_update BEFORE UPDATE OF uid, sku, kind, before, after, user, "
        "created_at ON correction BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END"
    )


def _migrate_3(db: pw.SqliteDatabase) -> None:
    """Model lifecycle: how to reload each index's model, drift alarms, trained label heads."""
    db.execute_sql("ALTER TABLE vector_index_info ADD COLUMN model_settings TEXT NOT NULL DEFAULT '{}'")
    db.create_tables([DriftEvent, LabelHead])


def _migrate_4(db: pw.SqliteDatabase) -> None:
    """Soft-delete indexes cover deleted rows only, so live-row lookups use their own keys.

    With a full index on ``deleted_at``, SQLite took ``deleted_at IS NULL`` (true for nearly every row) as
    selective and scanned whole tables for each search: latency grew with the catalog.
    """
    # Frozen: the tables that exist at schema 3, not whatever MODELS holds when a later schema adds one.
    for table in ("product", "image_file", "crop", "label", "job", "indexing_result", "query_result",
                  "query_click", "correction", "sync_outbox", "vector_index_info", "audit_log", "setting",
                  "drift_event", "label_head"):
        db.execute_sql(f'DROP INDEX IF EXISTS "{table}_deleted_at"')
        db.execute_sql(f'CREATE INDEX "{table}_deleted_at" ON "{table}" ("deleted_at") WHERE "deleted_at" IS NOT NULL')


def _migrate_5(db: pw.SqliteDatabase) -> None:
    """Label heads say what they were measured against (CLIP zero-shot, or colours named from pixels)."""
    # Migration 3 creates label_head from the current model, which already has the column.
    columns = {c.name for c in db.get_columns("label_head")}
    if "baseline" not in columns:
        db.execute_sql("ALTER TABLE label_head ADD COLUMN baseline VARCHAR(255) NOT NULL DEFAULT ''")


def _migrate_6(db: pw.SqliteDatabase) -> None:
    """A candidate model's re-index stages its crops and labels beside the live ones until promote."""
    for table in ("crop", "label"):
        db.execute_sql(f"ALTER TABLE {table} ADD COLUMN staged_for VARCHAR(255) NOT NULL DEFAULT ''")
        db.execute_sql(f'CREATE INDEX "{table}_staged_for" ON "{table}" ("staged_for") WHERE "staged_for" != \'\'')


def _migrate_7(db: pw.SqliteDatabase) -> None:
    """Each crop keeps its foreground colour signature; older crops get theirs at their next search or index."""
    columns = {c.name for c in db.get_columns("crop")}
    if "colour" not in columns:
        db.execute_sql("ALTER TABLE crop ADD COLUMN colour TEXT NOT NULL DEFAULT '{}'")


def _migrate_8(db: pw.SqliteDatabase) -> None:
    """Import verdicts: one row per file and per product an import job looked at."""
    db.execute_sql(
        'CREATE TABLE IF NOT EXISTS "import_verdict" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, '
        '"job_id" INTEGER NOT NULL, "path" TEXT NOT NULL, "kind" VARCHAR(255) NOT NULL, '
        '"verdict" VARCHAR(255) NOT NULL, "reason" TEXT NOT NULL, "sku" VARCHAR(255) NOT NULL, '
        'FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE CASCADE)')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "import_verdict_job_id" ON "import_verdict" ("job_id")')


# The words a text search matches, one FTS5 row a live product (rowid = product id). Curator-confirmed
# labels count as words too; machine guesses do not, so a wrong zero-shot label cannot bring a product up.
_FTS_ROW = """
INSERT INTO product_fts(rowid, sku, title, description, category, attributes, labels)
SELECT p.id, p.sku, p.title, p.description, replace(p.category, '/', ' '),
       (SELECT group_concat(j.value, ' ') FROM json_each(CASE WHEN json_valid(p.attributes)
                                                            THEN p.attributes ELSE '{}' END) AS j),
       (SELECT group_concat(l.value, ' ') FROM label AS l WHERE l.product_id = p.id AND l.deleted_at IS NULL
                                                          AND l.staged_for = ''
                                                          AND (l.confirmed = 1 OR l.source = 'curator'))
FROM product AS p WHERE p.id = {pid} AND p.deleted_at IS NULL;
"""


def _migrate_9(db: pw.SqliteDatabase) -> None:
    """Text search without a text model: an FTS5 (BM25) index of product words, kept in step by triggers.

    Triggers, not application code, keep it current, so that imports, corrections, soft deletes and
    restores, and sync replays all reach it whichever code path wrote the row. Porter stemming wraps
    unicode61 (diacritics removed) so "tees" finds "Tee"; prefix indexes make as-you-type queries cheap.
    """
    db.execute_sql(
        "CREATE VIRTUAL TABLE product_fts USING fts5(sku, title, description, category, attributes, labels, "
        "tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3 4')")
    refresh_new = "DELETE FROM product_fts WHERE rowid = NEW.id;" + _FTS_ROW.replace("{pid}", "NEW.id")
    db.execute_sql(f"CREATE TRIGGER product_fts_insert AFTER INSERT ON product BEGIN {refresh_new} END")
    db.execute_sql("CREATE TRIGGER product_fts_update AFTER UPDATE OF sku, title, description, category, "
                   "attributes, deleted_at ON product BEGIN DELETE FROM product_fts WHERE rowid = OLD.id; "
                   f"{refresh_new} END")
    db.execute_sql("CREATE TRIGGER product_fts_delete AFTER DELETE ON product "
                   "BEGIN DELETE FROM product_fts WHERE rowid = OLD.id; END")
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        refresh = (f"DELETE FROM product_fts WHERE rowid = {row}.product_id;"
                   + _FTS_ROW.replace("{pid}", f"{row}.product_id"))
        db.execute_sql(f"CREATE TRIGGER label_fts_{event.lower()} AFTER {event} ON label BEGIN {refresh} END")
    db.execute_sql(_FTS_ROW.replace("p.id = {pid} AND ", ""))


def _migrate_10(db: pw.SqliteDatabase) -> None:
    """Per-product review figures and per-result indexing seconds, kept current by triggers; window indexes.

    The review queue and the health read aggregated every crop, label and timing on each read (about a
    second at 10k products); triggers keep the aggregates as rows change, whoever writes them.
    `review_stats` holds, per live product: the primary crop's margin, rejected and outlier crop counts, and
    the lowest zero-shot label score (NULL where there is none), over live rows only (not deleted, not staged
    for a candidate model). `indexing_result.total_seconds` is the sum of the numbers in its timings.
    """
    db.execute_sql("CREATE TABLE review_stats (product_id INTEGER NOT NULL PRIMARY KEY, margin REAL, "
                   "rejected INTEGER NOT NULL DEFAULT 0, outliers INTEGER NOT NULL DEFAULT 0, label_conf REAL)")
    # No foreign key: a crop deleted by the cascade of its product's delete must not write a row that
    # references the product being deleted; the recompute finds no product and writes nothing instead.
    live = "c.deleted_at IS NULL AND c.staged_for = ''"
    recompute = (
        "INSERT OR REPLACE INTO review_stats (product_id, margin, rejected, outliers, label_conf) "
        "SELECT p.id, (SELECT json_extract(c.score_parts, '$.margin') FROM crop c JOIN image_file i "
        f"ON i.id = c.image_id WHERE i.product_id = p.id AND c.is_primary = 1 AND {live} "
        "ORDER BY c.id LIMIT 1), "
        "(SELECT COUNT(*) FROM crop c JOIN image_file i ON i.id = c.image_id WHERE i.product_id = p.id "
        f"AND c.verdict = 'rejected' AND {live}), "
        "(SELECT COUNT(*) FROM crop c JOIN image_file i ON i.id = c.image_id WHERE i.product_id = p.id "
        f"AND c.outlier = 1 AND {live}), "
        "(SELECT MIN(l.score) FROM label l WHERE l.product_id = p.id AND l.source = 'zero-shot' "
        "AND l.deleted_at IS NULL AND l.staged_for = '') FROM product p WHERE p.id IN ({ids});"
    )
    of_image = "(SELECT product_id FROM image_file WHERE id = {row}.image_id)"
    triggers = {
        "crop_ins": ("AFTER INSERT ON crop", [of_image.format(row="NEW")]),
        "crop_upd": ("AFTER UPDATE OF image_id, is_primary, score_parts, verdict, outlier, deleted_at, staged_for "
                     "ON crop", [of_image.format(row="NEW"), of_image.format(row="OLD")]),
        "crop_del": ("AFTER DELETE ON crop", [of_image.format(row="OLD")]),
        "label_ins": ("AFTER INSERT ON label", ["NEW.product_id"]),
        "label_upd": ("AFTER UPDATE OF product_id, score, source, deleted_at, staged_for ON label",
                      ["NEW.product_id", "OLD.product_id"]),
        "label_del": ("AFTER DELETE ON label", ["OLD.product_id"]),
        "image_upd": ("AFTER UPDATE OF product_id ON image_file", ["NEW.product_id", "OLD.product_id"]),
    }
    for name, (when, ids) in triggers.items():
        db.execute_sql(f"CREATE TRIGGER review_stats_{name} {when} BEGIN "
                       f"{recompute.format(ids=', '.join(ids))} END")
    db.execute_sql("CREATE TRIGGER review_stats_product_del AFTER DELETE ON product BEGIN "
                   "DELETE FROM review_stats WHERE product_id = OLD.id; END")
    db.execute_sql(recompute.replace(" WHERE p.id IN ({ids})", " WHERE 1"))
    db.execute_sql("ALTER TABLE indexing_result ADD COLUMN total_seconds REAL")
    total = ("UPDATE indexing_result SET total_seconds = (SELECT SUM(j.value) FROM json_each(NEW.timings) j "
             "WHERE j.type IN ('integer', 'real')) WHERE id = NEW.id;")
    db.execute_sql(f"CREATE TRIGGER indexing_result_total_ins AFTER INSERT ON indexing_result BEGIN {total} END")
    db.execute_sql("CREATE TRIGGER indexing_result_total_upd AFTER UPDATE OF timings ON indexing_result "
                   f"BEGIN {total} END")
    db.execute_sql("UPDATE indexing_result SET total_seconds = (SELECT SUM(j.value) FROM json_each(timings) j "
                   "WHERE j.type IN ('integer', 'real'))")
    # The health window reads these columns only: covering indexes keep it off the rows' JSON.
    db.execute_sql("CREATE INDEX indexing_result_window ON indexing_result (created_at, status, total_seconds) "
                   "WHERE deleted_at IS NULL")
    db.execute_sql("CREATE INDEX query_result_window ON query_result (created_at, latency_ms) WHERE deleted_at IS NULL")


def _migrate_h28e(db: pw.SqliteDatabase) -> None:
    """Curators' collections and smart collections, the server time of each correction, edit conflicts."""
    db.execute_sql("ALTER TABLE correction ADD COLUMN server_at DATETIME")
    db.execute_sql(
        'CREATE TABLE "collection" ("id" INTEGER NOT NULL PRIMARY KEY, "created_at" DATETIME NOT NULL, '
        '"updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "name" VARCHAR(255) NOT NULL, '
        '"smart" INTEGER NOT NULL, "query" TEXT NOT NULL)')
    db.execute_sql('CREATE UNIQUE INDEX "collection_name" ON "collection" ("name")')
    db.execute_sql(
        'CREATE TABLE "collection_item" ("id" INTEGER NOT NULL PRIMARY KEY, "created_at" DATETIME NOT NULL, '
        '"updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "collection_id" INTEGER NOT NULL, '
        '"product_id" INTEGER NOT NULL, '
        'FOREIGN KEY ("collection_id") REFERENCES "collection" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("product_id") REFERENCES "product" ("id") ON DELETE CASCADE)')
    db.execute_sql('CREATE UNIQUE INDEX "collectionitem_collection_id_product_id" '
                   'ON "collection_item" ("collection_id", "product_id")')
    db.execute_sql('CREATE INDEX "collection_item_product_id" ON "collection_item" ("product_id")')
    db.execute_sql(
        'CREATE TABLE "edit_conflict" ("id" INTEGER NOT NULL PRIMARY KEY, "created_at" DATETIME NOT NULL, '
        '"updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, "product_id" INTEGER, '
        '"sku" VARCHAR(255) NOT NULL, "field" VARCHAR(255) NOT NULL, "winner_uid" VARCHAR(255) NOT NULL, '
        '"loser_uid" VARCHAR(255) NOT NULL, "winner_user" VARCHAR(255) NOT NULL, '
        '"loser_user" VARCHAR(255) NOT NULL, "winner_value" TEXT, "loser_value" TEXT, "resolved_at" DATETIME, '
        'FOREIGN KEY ("product_id") REFERENCES "product" ("id") ON DELETE SET NULL)')
    db.execute_sql('CREATE UNIQUE INDEX "editconflict_loser_uid_field" ON "edit_conflict" ("loser_uid", "field")')
    # "last edited" sorts and the History read a product's corrections by kind
    db.execute_sql('CREATE INDEX "correction_product_kind" ON "correction" ("product_id", "kind", "created_at")')
def _migrate_h28(db: pw.SqliteDatabase) -> None:
    """Designs (a product's parent) and shop exports kept verbatim for the round trip back to the shop."""
    db.execute_sql("ALTER TABLE product ADD COLUMN design VARCHAR(255) NOT NULL DEFAULT ''")
    db.execute_sql('CREATE INDEX "product_design" ON "product" ("design") WHERE "design" != \'\'')
    db.execute_sql(
        'CREATE TABLE IF NOT EXISTS "shop_source" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, '
        '"format" VARCHAR(255) NOT NULL, "file_name" TEXT NOT NULL, "header" TEXT NOT NULL, '
        '"header_raw" TEXT NOT NULL, "bom" INTEGER NOT NULL, "images_root" TEXT NOT NULL)')
    db.execute_sql(
        'CREATE TABLE IF NOT EXISTS "shop_row" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, "deleted_at" DATETIME, '
        '"source_id" INTEGER NOT NULL, "position" INTEGER NOT NULL, "raw" TEXT NOT NULL, "cells" TEXT NOT NULL, '
        '"role" VARCHAR(255) NOT NULL, "product_id" INTEGER, "sku" VARCHAR(255) NOT NULL, '
        '"design" VARCHAR(255) NOT NULL, "baseline" TEXT NOT NULL, '
        'FOREIGN KEY ("source_id") REFERENCES "shop_source" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("product_id") REFERENCES "product" ("id") ON DELETE SET NULL)')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "shop_row_source_id" ON "shop_row" ("source_id", "position")')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "shop_row_sku" ON "shop_row" ("sku")')


MIGRATIONS: list[Callable[[pw.SqliteDatabase], None]] = [_migrate_1, _migrate_2, _migrate_3, _migrate_4,
                                                         _migrate_5, _migrate_6, _migrate_7, _migrate_8,
                                                         _migrate_9, _migrate_10, _migrate_h28e, _migrate_h28]
assert len(MIGRATIONS) == SCHEMA_VERSION


def schema_version(db: pw.SqliteDatabase = database) -> int:
    if not db.table_exists("schema_version"):
        return 0
    row = SchemaVersion.select(pw.fn.MAX(SchemaVersion.version)).scalar()
    return int(row or 0)


def migrate(db: pw.SqliteDatabase = database, target: int = SCHEMA_VERSION) -> list[int]:
    """Apply the ordered upgrade steps above the catalog's version; each step is one transaction."""
    db.create_tables([SchemaVersion])
    applied = []
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise RuntimeError(
            f"This catalog uses schema {current}, newer than this app understands ({SCHEMA_VERSION}). "
            "Update Catalog Curator to open it."
        )
    for version in range(current + 1, target + 1):
        with db.atomic():
            MIGRATIONS[version - 1](db)
            SchemaVersion.create(version=version)
        applied.append(version)
        log.info("catalog schema upgraded to %d", version)
    return applied


# --- connection ---------------------------------------------------------------------------------

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "normal",
    # 8 MB of page cache per connection (one per thread): reads beyond it come from the OS page cache in
    # microseconds, and resident memory stays flat as the catalog grows (bench/soak.py).
    "cache_size": -8_000,
}


def read_only_uri(path: Path) -> str:
    """A URI that opens the file for reading only. A WAL database closed cleanly has no -shm file, and on a
    read-only mount none can be made, so SQLite cannot open it with mode=ro: it is then opened immutable
    (nobody can change it through this mount either)."""
    uri = f"file:{Path(path).resolve().as_posix()}?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True)
        try:
            con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return uri
        finally:
            con.close()
    except sqlite3.OperationalError:
        return uri + "&immutable=1"


def open_database(path: Path, target: int = SCHEMA_VERSION, *, read_only: bool = False) -> pw.SqliteDatabase:
    """Bind the models to this SQLite file (one connection per thread) and bring its schema up to date;
    `read_only`: open it for reading only (a read-only mount, no write permission) and change nothing."""
    if database.database and Path(database.database).resolve() != Path(path).resolve():
        database.close_all()  # another catalog's connections, in whichever thread opened them
    elif not database.is_closed():
        database.close()
    if read_only:
        pragmas = {k: v for k, v in PRAGMAS.items() if k not in ("journal_mode", "synchronous")}
        database.init(read_only_uri(path), uri=True, pragmas=pragmas, check_same_thread=False)
        database.connect(reuse_if_open=True)
        current = schema_version(database)
        if current != SCHEMA_VERSION:
            raise RuntimeError(f"This catalog uses schema {current} and this app schema {SCHEMA_VERSION}; it "
                               "cannot be converted on a read-only folder. Open it where it can be written, or "
                               "use the matching Catalog Curator version.")
        return database
    database.init(str(path), pragmas=PRAGMAS, check_same_thread=False)
    database.connect(reuse_if_open=True)
    migrate(database, target)
    return database


def close_database() -> None:
    """Close the catalog's connections in every thread (its workers have stopped)."""
    if not database.deferred:
        database.close_all()


def is_locked_error(exc: BaseException) -> bool:
    return isinstance(exc, pw.OperationalError | sqlite3.OperationalError) and "locked" in str(exc).lower()


def with_retry(fn: Callable[..., T], *, attempts: int = 8, base_delay: float = 0.05) -> Callable[..., T]:
    """Run fn in a transaction, retrying with backoff and jitter while SQLite says the database is locked."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        for attempt in range(attempts):
            try:
                with database.atomic():
                    return fn(*args, **kwargs)
            except pw.OperationalError as exc:
                if not is_locked_error(exc) or attempt == attempts - 1:
                    raise
                time.sleep(base_delay * (2**attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")

    return wrapper


def transaction(fn: Callable[[], T]) -> T:
    """Run fn once in a write transaction with the lock retry."""
    return with_retry(fn)()


def audit(action: str, target: str = "", **details: Any) -> AuditLog:
    return AuditLog.create(action=action, target=target, details=details)


def chunked(items: Iterable[T], size: int) -> Iterable[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
