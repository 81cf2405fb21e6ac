"""Owns one sync run: push the outbox, pull other curators' corrections in time order, purge old tombstones."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import peewee as pw

from core.catalog import db
from core.sync import outbox
from core.sync.credentials import Credentials
from core.sync.s3 import (
    NotFound,
    ObjectTooLarge,
    PermanentError,
    S3Store,
    SyncError,
    TransientError,
    Unverifiable,
)

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
ShouldStop = Callable[[], bool]
ApplyRemote = Callable[[db.Correction], None]
Writing = Callable[[], contextlib.AbstractContextManager]

PULL_CURSOR_KEY = "sync_pull_cursor"  # what the server's last listing held (for status; never a clock)
LAST_PURGE_KEY = "sync_last_purge"
QUARANTINE_KEY = outbox.QUARANTINE_KEY
OWN_SEEN_KEY = "sync_pull_own"  # this catalog's own objects met in a pull (a restored log), not fetched again
APPLY_ATTEMPTS = 3  # a correction the review module refuses this many times is quarantined
_UID = re.compile(r"[0-9a-f]{16}[0-9a-f]{12}")


@dataclass
class SyncReport:
    pushed: int = 0  # objects the server acknowledged in this run
    pulled: int = 0  # remote corrections inserted into the local log
    applied: int = 0  # of those, passed to apply_remote without error
    skipped_duplicates: int = 0  # already on the server with the same bytes, or already in the local log
    resent: int = 0  # objects this catalog had sent that the server no longer held (a bucket lost), queued again
    pending: int = 0
    failed: int = 0
    purged: int = 0  # tombstones purged by the retention policy
    retries: int = 0
    bytes_sent: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # [{key, reason}]
    quarantined: list[dict[str, Any]] = field(default_factory=list)  # every object set aside, with its reason
    newly_quarantined: int = 0  # of those, set aside in this run
    warnings: list[str] = field(default_factory=list)  # e.g. a plain-http endpoint
    reason: str = ""  # why the run stopped early, for the status bar
    stopped: bool = False
    ok: bool = True  # no error of any kind; errors says what needs attention
    seconds: float = 0.0
    last_sync: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def error(self, key: str | None, reason: str) -> None:
        self.errors.append({"key": key, "reason": reason})


def sync(settings: Any, *, store: S3Store | None = None, credentials: Credentials | None = None,
         apply_remote: ApplyRemote | None = None, progress: Progress | None = None,
         should_stop: ShouldStop | None = None, workers: int = 4, push: bool = True, pull: bool = True,
         full_scan: bool = False, purge: bool | None = None, now: dt.datetime | None = None,
         writing: Writing | None = None) -> SyncReport:
    """One sync of the open catalog with settings (an S3Settings). Never raises for server trouble:
    everything a curator must know is in the report; rows that did not reach the server stay queued.
    writing (the catalog's writer lock) is held only while a batch of pulled corrections is applied, never
    across network requests, so a curator's correction elsewhere never waits on the server.
    full_scan is accepted for old callers: every pull now lists the whole prefix."""
    t0 = time.monotonic()
    report = SyncReport()
    progress = progress or (lambda done, total, message: None)
    should_stop = should_stop or (lambda: False)
    try:
        store = store or _open_store(settings, credentials)
        if (store.endpoint_url or "").lower().startswith("http://"):
            report.warnings.append(f"{store.endpoint_url} is plain http: traffic to it is not encrypted.")
        if push:
            _requeue_found_files()
            report.resent = resend_lost(store)
            _push(store, report, workers, progress, should_stop)
        if pull and report.ok and not report.stopped:
            _pull(store, report, apply_remote or (lambda row: None), workers, progress, should_stop,
                  writing or contextlib.nullcontext)
        if report.ok and not report.stopped and _purge_due(purge, now):
            result = purge_tombstones(store, settings.retention_days, now=now)
            report.purged = result["tombstones"]
            _set(LAST_PURGE_KEY, (now or db.utcnow()).isoformat())
    except SyncError as exc:
        report.ok = False
        report.reason = report.reason or exc.reason
        report.error(None, exc.reason)
    report.retries = store.retries if store is not None else 0
    report.ok = report.ok and not report.errors
    report.seconds = round(time.monotonic() - t0, 3)
    _finish(report, store)
    return report


def _open_store(settings: Any, credentials: Credentials | None) -> S3Store:
    if not settings.bucket:
        raise PermanentError("No bucket is set: choose one in Settings → Sync.", code="NoBucket")
    try:
        return S3Store.from_settings(settings, credentials)
    except ValueError as exc:  # botocore refuses a malformed endpoint URL or region
        raise PermanentError(f"The S3 settings are not valid: {exc}", code="BadSettings") from exc


# --- push ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Item:
    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    file_path: str
    updated_at: dt.datetime


def _one_object(err: PermanentError) -> PermanentError:
    """A problem of this object alone: the rest of the push goes on; it waits as failed until its file is back."""
    err.fatal = False
    return err


def _body(item: _Item) -> tuple[bytes, str, bool]:
    """(bytes, content type, immutable) for one outbox row."""
    if item.kind == "crop":
        try:
            data = Path(item.file_path).read_bytes()
        except OSError as exc:
            raise _one_object(PermanentError(f"The crop image {item.file_path} cannot be read ({exc.strerror}).",
                                             code="MissingFile")) from exc
        if hashlib.sha256(data).hexdigest() != item.payload.get("sha256"):
            raise _one_object(PermanentError(f"The crop image {item.file_path} changed after it was queued.",
                                             code="FileChanged"))
        return data, "image/jpeg", True
    return outbox.encode(item.payload), "application/json", item.kind != "labels"


def _upload(store: S3Store, item: _Item) -> tuple[str, int]:
    data, content_type, immutable = _body(item)
    if immutable:
        return store.put_immutable(item.key, data, content_type), len(data)
    store.put(item.key, data, content_type)
    return "created", len(data)


def _push(store: S3Store, report: SyncReport, workers: int, progress: Progress, should_stop: ShouldStop) -> None:
    items = [_Item(r.id, r.kind, r.key, r.payload, str(outbox.resolve_file(r.file_path)) if r.file_path else "",
                   r.updated_at) for r in outbox.pending()]
    total = len(items)
    done: list[tuple[_Item, str, int]] = []
    failures: list[tuple[_Item, SyncError]] = []
    finished = 0
    queue = iter(items)
    in_flight: dict[Future, _Item] = {}
    halt = False
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="sync-push") as pool:
        while True:
            while not halt and len(in_flight) < max(1, workers) * 2:
                if should_stop():
                    report.stopped = halt = True
                    break
                item = next(queue, None)
                if item is None:
                    break
                in_flight[pool.submit(_upload, store, item)] = item
            if not in_flight:
                break
            ready, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for fut in ready:
                item = in_flight.pop(fut)
                finished += 1
                try:
                    outcome, size = fut.result()
                    done.append((item, outcome, size))
                    progress(finished, total, f"sent {item.key}")
                except Exception as exc:
                    err = exc if isinstance(exc, SyncError) else PermanentError(f"{type(exc).__name__}: {exc}")
                    failures.append((item, err))
                    if isinstance(err, TransientError) or getattr(err, "fatal", False):
                        halt = True  # the server is down or refuses us: every other request would fail too
                        report.reason = report.reason or err.reason
            if len(done) >= 64:
                _mark_sent(done, report)
                done = []
    _mark_sent(done, report)
    _mark_failed(failures, report)


def _mark_sent(done: list[tuple[_Item, str, int]], report: SyncReport) -> None:
    if not done:
        return
    now = db.utcnow()

    def _do() -> None:
        for item, _outcome, _size in done:
            # updated_at guards a labels snapshot that was refreshed while its older version was in flight.
            (db.SyncOutbox.update(state="sent", sent_at=now, last_error="", next_attempt_at=None)
             .where((db.SyncOutbox.id == item.id) & (db.SyncOutbox.updated_at == item.updated_at)).execute())
    db.transaction(_do)
    for _item, outcome, size in done:
        if outcome == "exists":
            report.skipped_duplicates += 1
        else:
            report.pushed += 1
            report.bytes_sent += size


def _mark_failed(failures: list[tuple[_Item, SyncError]], report: SyncReport) -> None:
    if not failures:
        return
    now = db.utcnow()

    def _do() -> None:
        for item, err in failures:
            row = db.SyncOutbox.get_by_id(item.id)
            row.attempts += 1
            row.last_error = err.reason
            if isinstance(err, PermanentError) and not err.fatal:
                row.state = "failed"  # this object needs a person (a conflict, a missing file)
            else:
                row.next_attempt_at = now + dt.timedelta(seconds=min(3600, 5 * 2 ** min(row.attempts, 10)))
            row.save()
    db.transaction(_do)
    for item, err in failures:
        report.error(item.key, err.reason)
        if isinstance(err, PermanentError) and err.fatal or isinstance(err, TransientError):
            report.ok = False


def _requeue_found_files() -> int:
    """Crop rows that failed because their file could not be read go back in the queue once it can be
    (the catalog folder was renamed or moved back): nothing waits forever on a path."""
    count = 0
    for row in db.SyncOutbox.select().where((db.SyncOutbox.state == "failed") & (db.SyncOutbox.kind == "crop")):
        try:
            data = outbox.resolve_file(row.file_path).read_bytes()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() == (row.payload or {}).get("sha256"):
            (db.SyncOutbox.update(state="pending", attempts=0, last_error="", next_attempt_at=None)
             .where(db.SyncOutbox.id == row.id).execute())
            count += 1
    return count


def _folder_of(key: str) -> str:
    """The listing prefix that holds key: corrections/, or <kind>/<catalog_id>/ (an identity may change)."""
    return outbox.CORRECTIONS if key.startswith(outbox.CORRECTIONS) else "/".join(key.split("/")[:2]) + "/"


def _own_expected() -> dict[str, db.SyncOutbox | db.Correction]:
    """Every object this catalog has sent and the server should hold: its sent outbox rows (retired ones
    left out: their tombstone was purged), and every correction made here (history, never retired) that
    no outbox row accounts for."""
    rows = list(db.SyncOutbox.select())
    expected: dict[str, Any] = {r.key: r for r in rows if r.state == "sent"}
    queued = {r.key for r in rows}
    for c in db.Correction.with_deleted().where(db.Correction.origin.in_(["", "local"])):
        key = outbox.correction_key(c.uid)
        if key not in queued:
            expected[key] = c
    return expected


def _listed(store: S3Store, keys: Iterable[str]) -> dict[str, Any]:
    return {o.key: o for prefix in sorted({_folder_of(k) for k in keys}) for o in store.list(prefix)}


def resend_lost(store: S3Store) -> int:
    """Queue again what this catalog sent and the server no longer holds: a bucket deleted and recreated,
    a prefix emptied, or a correction that was never queued. The server's listing decides, never a clock."""
    expected = _own_expected()
    listed = _listed(store, expected)
    lost = [(k, v) for k, v in expected.items() if k not in listed]
    if not lost:
        return 0

    def _do() -> None:
        for key, item in lost:
            if isinstance(item, db.SyncOutbox):
                item.state, item.attempts, item.last_error, item.next_attempt_at = "pending", 0, "", None
                item.save()
            else:  # a correction with no outbox row: queued as it would have been when it was made
                outbox.enqueue_correction(item)
                (db.SyncOutbox.update(state="pending", attempts=0, last_error="", next_attempt_at=None)
                 .where(db.SyncOutbox.key == key).execute())
    db.transaction(_do)
    log.warning("sync: the server no longer holds %d object(s) this catalog sent; sending them again", len(lost))
    db.audit("sync_resend", target=store.bucket, objects=len(lost))
    return len(lost)


# --- pull ---------------------------------------------------------------------------------------------
# What has been pulled is known from the server's own listing (keys and ETags) checked against the local log,
# never from a client clock: keys are named by their writer's clock, so a peer whose clock runs ahead (or
# behind) would otherwise move a key-range cursor past honest corrections. Every pull therefore lists the
# whole corrections/ prefix (1,000 keys a request) and fetches only keys the local log does not hold.
def _uid_of(key: str) -> str:
    return key[len(outbox.CORRECTIONS):].removesuffix(".json")


def _known_uids(uids: list[str]) -> set[str]:
    known: set[str] = set()
    for batch in db.chunked(uids, 500):
        known.update(r for (r,) in db.Correction.with_deleted(db.Correction.uid)
                     .where(db.Correction.uid.in_(batch)).tuples())
    return known


def _quarantine(key: str, etag: str, reason: str, report: SyncReport, *, final: bool = True) -> bool:
    """Record a refusal; final=False counts an apply failure and quarantines only at APPLY_ATTEMPTS.
    Returns whether the key is now quarantined."""
    table = dict(_get(QUARANTINE_KEY) or {})
    entry = dict(table.get(key) or {})
    if entry.get("etag") != etag:
        entry = {}
    entry.update(etag=etag, reason=reason, at=db.utcnow().isoformat(), attempts=int(entry.get("attempts", 0)) + 1)
    entry["quarantined"] = final or entry["attempts"] >= APPLY_ATTEMPTS
    table[key] = entry
    _set(QUARANTINE_KEY, table)
    if entry["quarantined"]:
        log.warning("sync: quarantined %s: %s", key, reason)
        report.newly_quarantined += 1
    return entry["quarantined"]


def _pull(store: S3Store, report: SyncReport, apply_remote: ApplyRemote, workers: int, progress: Progress,
          should_stop: ShouldStop, writing: Writing = contextlib.nullcontext) -> None:
    me = outbox.catalog_id()
    listed = {o.key: o for o in store.list(outbox.CORRECTIONS) if o.key.endswith(".json")}
    known = _known_uids([_uid_of(k) for k in listed])
    _note_server_times(listed, known)
    _forget_settled(listed, known)
    refused = {k: v.get("etag") for k, v in (_get(QUARANTINE_KEY) or {}).items() if v.get("quarantined")}
    own = set(_get(OWN_SEEN_KEY) or []) & set(listed)
    seen_own = len(own)
    # A quarantined object is tried again only if the server now holds other bytes under its key.
    new = sorted(k for k, o in listed.items() if _uid_of(k) not in known and k not in own
                 and not (k in refused and refused[k] == o.etag))
    oversize = [k for k in new if listed[k].size > store.max_object_bytes]
    for key in oversize:  # refused on the listing's size: not one byte of it is fetched
        _quarantine(key, listed[key].etag, store.too_large(key, listed[key].size).reason, report)
    new = [k for k in new if listed[k].size <= store.max_object_bytes]
    _set(PULL_CURSOR_KEY, {"listed": len(listed), "new": len(new), "server_newest": _newest(listed.values())})
    total = len(new)
    try:
        _pull_new(store, report, apply_remote, workers, progress, should_stop, listed, new, own, me, total,
                  writing)
    finally:
        if len(own) != seen_own:
            _set(OWN_SEEN_KEY, sorted(own))


def _server_time(info: Any) -> dt.datetime | None:
    stamp = getattr(info, "last_modified", None)
    if not isinstance(stamp, dt.datetime):
        return None
    return stamp.astimezone(dt.UTC).replace(tzinfo=None) if stamp.tzinfo else stamp


def _note_server_times(listed: dict[str, Any], known: set[str]) -> None:
    """Each correction the log holds learns when the bucket stored it (the listing's LastModified): the
    later edit of a field by server time wins, whichever curator's clock is ahead."""
    missing: set[str] = set()
    for batch in db.chunked(sorted(known), 500):
        missing.update(u for (u,) in db.Correction.with_deleted(db.Correction.uid)
                       .where(db.Correction.uid.in_(batch) & db.Correction.server_at.is_null()).tuples())
    stamps = [(_server_time(listed[outbox.correction_key(u)]), u) for u in missing
              if outbox.correction_key(u) in listed]
    stamps = [(t, u) for t, u in stamps if t is not None]
    if stamps:
        def _do() -> None:
            for when, uid in stamps:
                db.Correction.update(server_at=when).where(db.Correction.uid == uid).execute()
        db.transaction(_do)


def _forget_settled(listed: dict[str, Any], known: set[str]) -> None:
    """Drop quarantine entries whose object left the server, and apply-failure counts of objects now applied."""
    table = _get(QUARANTINE_KEY) or {}
    kept = {k: v for k, v in table.items() if k in listed and _uid_of(k) not in known}
    if len(kept) != len(table):
        _set(QUARANTINE_KEY, kept)


def _pull_new(store: S3Store, report: SyncReport, apply_remote: ApplyRemote, workers: int, progress: Progress,
              should_stop: ShouldStop, listed: dict[str, Any], new: list[str], own: set[str], me: str,
              total: int, writing: Writing = contextlib.nullcontext) -> None:
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="sync-pull") as pool:
        for batch in db.chunked(new, 128):
            if should_stop():
                report.stopped = True
                break
            docs = list(pool.map(lambda k: _fetch(store, k), batch))  # the network, without the writer lock
            if not _apply_batch(batch, docs, report, apply_remote, progress, listed, own, me, total, writing):
                return


def _apply_batch(batch: list[str], docs: list[Any], report: SyncReport, apply_remote: ApplyRemote,
                 progress: Progress, listed: dict[str, Any], own: set[str], me: str, total: int,
                 writing: Writing) -> bool:
    """Insert and apply one fetched batch holding the writer lock; False when the pull must stop."""
    with writing():
        for key, doc in zip(batch, docs, strict=True):
            etag = listed[key].etag
            if isinstance(doc, SyncError) and not isinstance(doc, Unverifiable | ObjectTooLarge):
                if isinstance(doc, NotFound):  # purged between list and get
                    continue
                raise doc
            if isinstance(doc, SyncError | str):
                _quarantine(key, etag, doc.reason if isinstance(doc, SyncError) else doc, report)
            elif doc.get("origin") == me:
                report.skipped_duplicates += 1  # our own, uploaded before this catalog's log was restored
                own.add(key)
            elif not _insert_remote(key, etag, doc, apply_remote, report, _server_time(listed[key])):
                return False
            progress(report.pulled, total, f"pulled {key}")
    return True


def _newest(infos: Iterable[Any]) -> str | None:
    stamps = [o.last_modified for o in infos if isinstance(o.last_modified, dt.datetime)]
    return max(stamps).isoformat() if stamps else None


def _fetch(store: S3Store, key: str) -> dict[str, Any] | str | SyncError:
    """The document, a reason string when it is malformed, or the SyncError (Unverifiable is quarantined)."""
    try:
        doc = json.loads(store.get_verified(key))
    except SyncError as exc:
        return exc
    except (ValueError, UnicodeDecodeError):
        return "not a valid correction document (bad JSON)"
    return _invalid(key, doc) or doc


def _invalid(key: str, doc: Any) -> str:
    """Why doc is not a correction this catalog can take in; '' when it is well-formed."""
    if not isinstance(doc, dict):
        return "not a valid correction document (not a JSON object)"
    uid = _uid_of(key)
    if doc.get("uid") != uid or not _UID.fullmatch(uid):
        return "not a valid correction document (its uid does not match its key)"
    if not isinstance(doc.get("kind"), str) or not doc["kind"]:
        return "not a valid correction document (kind missing)"
    for name in ("before", "after"):
        if doc.get(name) is not None and not isinstance(doc[name], dict):
            return f"not a valid correction document ({name} is not an object)"
    for name in ("sku", "user", "origin", "model_version", "preprocess_version"):
        if doc.get(name) is not None and not isinstance(doc[name], str):
            return f"not a valid correction document ({name} is not text)"
    if doc.get("created_at") is not None and _parse_time(doc["created_at"]) is None:
        return "not a valid correction document (created_at is not a time)"
    return ""


def _insert_remote(key: str, etag: str, doc: dict[str, Any], apply_remote: ApplyRemote,
                   report: SyncReport, server_at: dt.datetime | None = None) -> bool:
    """Insert and apply one remote correction in one transaction. False when applying failed and the pull
    must stop (time order); after APPLY_ATTEMPTS refusals of the same object it is quarantined instead."""
    def _do() -> db.Correction:
        sku = str(doc.get("sku") or "")
        product = db.Product.with_deleted().where(db.Product.sku == sku).first() if sku else None
        created = _parse_time(doc.get("created_at")) or db.utcnow()
        row = db.Correction.create(
            uid=doc["uid"], product=product, sku=sku, crop=None, kind=doc["kind"],
            before=doc.get("before") or {}, after=doc.get("after") or {}, user=str(doc.get("user") or ""),
            origin=str(doc.get("origin") or "unknown"), model_version=str(doc.get("model_version") or ""),
            preprocess_version=str(doc.get("preprocess_version") or ""), created_at=created, updated_at=created,
            server_at=server_at,
        )
        apply_remote(row)
        return row

    try:
        db.transaction(_do)
    except pw.OperationalError as exc:  # the database is busy or full: transient, never the object's fault
        reason = f"applying the remote correction failed: {exc}"
        report.error(key, reason)
        report.ok = False
        report.reason = report.reason or reason
        return False
    except Exception as exc:  # the review module refused it: stop here to keep time order, retry next sync
        reason = f"applying the remote correction failed: {type(exc).__name__}: {exc}"
        if _quarantine(key, etag, reason, report, final=False):
            return True  # refused APPLY_ATTEMPTS times: set aside so that later corrections still arrive
        report.error(key, reason)
        report.ok = False
        report.reason = report.reason or reason
        return False
    report.pulled += 1
    report.applied += 1
    return True


# --- retention ----------------------------------------------------------------------------------------
def purge_tombstones(store: S3Store, retention_days: int, now: dt.datetime | None = None) -> dict[str, int]:
    """Retire this catalog's own tombstones older than retention_days, and the objects they name.

    Only the catalog's own signed history counts: the tombstones its own outbox wrote and sent, read from the
    local log, never from the server. An object someone else put in this catalog's tombstones/ folder (even
    one that names this catalog as its origin) purges nothing, and a target is only ever one of this catalog's
    own crops or labels (never a correction, never another catalog's objects)."""
    me = outbox.catalog_id()
    cutoff = (now or db.utcnow()) - dt.timedelta(days=retention_days)
    purged = objects = 0
    rows = db.SyncOutbox.select().where((db.SyncOutbox.kind == "tombstone") & (db.SyncOutbox.state == "sent")
                                        & db.SyncOutbox.key.startswith(f"{outbox.TOMBSTONES}{me}/"))
    for row in list(rows):
        doc = row.payload or {}
        deleted = _parse_time(doc.get("deleted_at"))
        if doc.get("origin") != me or deleted is None or deleted > cutoff:
            continue
        targets = list(_targets(doc.get("targets"), me))
        for target in targets:
            store.delete(target)
            objects += 1
        store.delete(row.key)
        purged += 1

        def _retire(row: db.SyncOutbox = row, targets: list[str] = targets) -> None:
            # Retired rows are not sent again when the server is found to lack them (resend_lost).
            (db.SyncOutbox.update(state="retired").where(
                (db.SyncOutbox.id == row.id) | (db.SyncOutbox.key.in_(targets) & (db.SyncOutbox.state == "sent")))
             .execute())
        db.transaction(_retire)
    if purged:
        db.audit("sync_purge", target=store.bucket, tombstones=purged, objects=objects, retention_days=retention_days)
    return {"tombstones": purged, "objects": objects}


def _targets(value: Any, origin: str) -> Iterable[str]:
    # Only what this catalog's outbox writes may be retired: never a correction (history), never another
    # catalog's objects, never outside the prefix.
    mine = (f"{outbox.CROPS}{origin}/", f"{outbox.LABELS}{origin}/")
    for key in value if isinstance(value, list) else []:
        if isinstance(key, str) and key.startswith(mine) and ".." not in key:
            yield key


def _purge_due(purge: bool | None, now: dt.datetime | None) -> bool:
    if purge is not None:
        return purge
    last = _parse_time(_get(LAST_PURGE_KEY))
    return last is None or (now or db.utcnow()) - last > dt.timedelta(days=1)


# --- bookkeeping --------------------------------------------------------------------------------------
def _finish(report: SyncReport, store: S3Store | None) -> None:
    def _do() -> None:
        now = db.utcnow().isoformat()
        previous = _get(outbox.LAST_SYNC_KEY) or {}
        last_ok = now if report.ok else previous.get("last_ok_at")
        _set(outbox.LAST_SYNC_KEY, {"at": now, "ok": report.ok, "last_ok_at": last_ok, "reason": report.reason,
                                    "pushed": report.pushed, "pulled": report.pulled})
        report.last_sync = last_ok
        report.pending = outbox.pending_count()
        report.failed = db.SyncOutbox.select().where(db.SyncOutbox.state == "failed").count()
        report.quarantined = outbox.quarantined()
        db.audit("sync", target=f"{store.bucket}/{store.prefix}" if store else "", ok=report.ok,
                 pushed=report.pushed, pulled=report.pulled, skipped=report.skipped_duplicates,
                 errors=len(report.errors), reason=report.reason)
    db.transaction(_do)


def _get(key: str) -> Any:
    row = db.Setting.get_or_none(db.Setting.key == key)
    return row.value if row else None


def _set(key: str, value: Any) -> None:
    (db.Setting.insert(key=key, value=value)
     .on_conflict(conflict_target=[db.Setting.key], update={db.Setting.value: value}).execute())


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


# --- verify -------------------------------------------------------------------------------------------
def verify(settings: Any, *, store: S3Store | None = None, credentials: Credentials | None = None) -> dict[str, Any]:
    """Compare this catalog with the bucket, reading only listings: ok means converged, i.e. every object this
    catalog sent is on the server with the same bytes, every correction on the server is in the local log,
    and nothing waits to be sent, failed or was set aside. Every difference is listed with its key."""
    result: dict[str, Any] = {"ok": False, "missing_remote": [], "differs": [], "missing_local": [],
                              "quarantined": [], "pending": 0, "failed": 0, "remote_corrections": 0,
                              "local_corrections": 0, "reason": ""}
    try:
        store = store or _open_store(settings, credentials)
        expected = _own_expected()
        listed = _listed(store, [*expected, outbox.CORRECTIONS])
        for key, item in sorted(expected.items()):
            info = listed.get(key)
            if info is None:
                result["missing_remote"].append(key)
            elif isinstance(item, db.SyncOutbox) and not _same_bytes(item, info):
                result["differs"].append(key)
        remote = [k for k in listed if k.startswith(outbox.CORRECTIONS) and k.endswith(".json")]
        known = _known_uids([_uid_of(k) for k in remote])
        refused = {q["key"] for q in outbox.quarantined()}
        for key in remote:
            if _uid_of(key) not in known:
                result["quarantined" if key in refused else "missing_local"].append(key)
        result["remote_corrections"] = len(remote)
    except SyncError as exc:
        result["reason"] = exc.reason
    result["local_corrections"] = db.Correction.with_deleted().count()
    result["pending"] = outbox.pending_count()
    result["failed"] = db.SyncOutbox.select().where(db.SyncOutbox.state == "failed").count()
    result["ok"] = not (result["reason"] or result["missing_remote"] or result["differs"] or result["missing_local"]
                        or result["quarantined"] or result["pending"] or result["failed"])
    return result


def _same_bytes(row: db.SyncOutbox, info: Any) -> bool:
    if row.kind == "crop":  # the JPEG's sha256 is in the payload; the listing gives its size
        size = (row.payload or {}).get("size")
        return size is None or int(size) == info.size
    if "-" in info.etag:  # a multipart ETag is no MD5 of the bytes: nothing to compare against
        return True
    return info.etag == hashlib.md5(outbox.encode(row.payload), usedforsecurity=False).hexdigest()
