"""Jobs: the Job row's life (queued, running, succeeded, failed, cancelled), and the import+index job."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import logging
import os
import socket
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from core.catalog import db
from core.catalog.catalog import Catalog
from core.fileio import pid_alive

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
ShouldStop = Callable[[], bool]
STALE_AFTER = dt.timedelta(minutes=2)  # a running job without a heartbeat for this long has crashed


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    INTERRUPTED = "interrupted"  # its process went away mid-run (a job row, never a live job)

    @property
    def active(self) -> bool:
        """Queued or running: the job has not ended."""
        return self in (JobState.QUEUED, JobState.RUNNING)


class JobPhase(StrEnum):
    """Which part of an import+index job a progress report is about."""

    IMPORTING = "importing"
    INDEXING = "indexing"

    @classmethod
    def of(cls, message: str) -> JobPhase:
        """The phase of a progress message: run_index_job starts every import message with IMPORTING."""
        return cls.IMPORTING if message.startswith(cls.IMPORTING.value) else cls.INDEXING


@dataclass(frozen=True)
class JobResult:
    """What an import+index or re-index job did, as the views read it. `details` is the whole record (the
    dict run_index_job and reindex return, the CLI prints and the job row stores), unchanged."""

    products: int = 0  # imported: new or changed
    images: int = 0
    skipped: int = 0  # unchanged
    indexed: int = 0
    complete: bool = False  # a re-index: every product has a vector in the new model's index
    cancelled: bool = False
    seconds: float | None = None
    model_version: str = ""
    job_id: int | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, record: dict[str, Any] | None) -> JobResult:
        r = dict(record or {})
        seconds = r.get("seconds")
        return cls(products=int(r.get("products") or 0), images=int(r.get("images") or 0),
                   skipped=int(r.get("skipped") or 0), indexed=int(r.get("indexed") or 0),
                   complete=bool(r.get("complete")), cancelled=bool(r.get("cancelled")),
                   seconds=None if seconds is None else float(seconds), model_version=str(r.get("model_version") or ""),
                   job_id=r.get("job_id"), errors=list(r.get("errors") or []), warnings=list(r.get("warnings") or []),
                   details=r)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.details)


def create_job(kind: str, params: dict[str, Any]) -> db.Job:
    return db.transaction(lambda: db.Job.create(kind=kind, params=params))


def _set_state(job: db.Job, state: JobState, **fields: Any) -> None:
    job.state = state
    for key, value in fields.items():
        setattr(job, key, value)
    db.transaction(job.save)


def _record_match_calibration(catalog: Catalog) -> None:
    """Fit the match words on the catalog's views as they now are (core.search.match); search reads it."""
    from core.search.match import record_calibration

    version = catalog.active_model_version()
    if version is None:
        return
    try:
        with catalog.writing():
            record_calibration(catalog, version)
    except Exception:  # derived data: search fits it again when it is missing or stale
        log.warning("match calibration not recorded for %s", version, exc_info=True)


def run_index_job(catalog: Catalog, registry, folders: Iterable[Path] = (), *, job: db.Job | None = None,
                  progress: Progress | None = None, should_stop: ShouldStop | None = None,
                  import_only: bool = False, product_ids: list[int] | None = None) -> dict[str, Any]:
    """Import folders, then index what changed (or what is left from an earlier, interrupted run);
    `product_ids` re-indexes exactly those products (a curator's "Re-index selected")."""
    if catalog.read_only_reason:  # before any row is written: say why, write nothing
        from core.catalog.lock import ReadOnlyCatalog

        raise ReadOnlyCatalog(f"cannot index: {catalog.read_only_reason}")
    from core.catalog.importer import shown  # SQLite takes text: a Latin-1 argument is stored readable

    folder_paths = [Path(f) for f in folders]
    folders = [shown(f) for f in folder_paths]
    if job is None:
        mark_dead_jobs_interrupted()
    job = job or create_job("index", {"folders": folders, "import_only": import_only,
                                      **({"product_ids": list(product_ids)} if product_ids else {})})
    # Who runs it: a job whose process is gone is known dead at once, not after a heartbeat timeout.
    job.params = {**(job.params or {}), "owner": {"pid": os.getpid(), "host": socket.gethostname()}}
    _set_state(job, JobState.RUNNING, started_at=db.utcnow(), heartbeat_at=db.utcnow(), error="")
    started = time.perf_counter()
    result: dict[str, Any] = {"products": 0, "images": 0, "skipped": 0, "errors": [], "warnings": []}
    verdicts: list[dict[str, str]] = []
    try:
        if folders:
            def import_progress(done: int, total: int, message: str) -> None:
                if progress:
                    progress(done, total, f"{JobPhase.IMPORTING.value} {message}")

            from core.catalog.crop_index import changing, sync_products
            from core.catalog.importer import import_folders  # PIL and the decoders: not at app launch

            changing(catalog)  # a crash before the sync below leaves the crop indexes marked for replay
            summary = import_folders(catalog.paths, folder_paths, progress=import_progress,
                                     should_stop=should_stop, job=job)
            result.update(summary.to_dict())
            if summary.product_ids:  # a re-import that drops photos drops their crops from search
                with catalog.writing():
                    sync_products(catalog, summary.product_ids)
            verdicts = result.pop("verdicts")  # one row each in import_verdict; the job keeps the counts
        cancelled = bool(result.get("cancelled"))
        if not folders and not import_only and not cancelled:
            _fetch_pending_images(catalog, result, progress, should_stop)
        if not import_only and not cancelled and not (should_stop and should_stop()):
            from core.pipeline.indexer import index_products

            report = index_products(catalog, registry, job=job, progress=progress, should_stop=should_stop,
                                    product_ids=list(product_ids) if product_ids else None)
            result.update(report.to_cli_dict())
            result["errors"] = result["errors"] + report.errors
            result["warnings"] = result["warnings"] + report.warnings
            cancelled = report.cancelled
            _record_match_calibration(catalog)
        result["seconds"] = round(time.perf_counter() - started, 3)
        state = JobState.CANCELLED if cancelled or (should_stop and should_stop()) else JobState.SUCCEEDED
        _set_state(job, state, result=result, finished_at=db.utcnow())
    except Exception as exc:
        log.exception("job %s failed", job.id)
        result["seconds"] = round(time.perf_counter() - started, 3)
        record_failure(catalog, job, exc, result)
        raise
    result["job_id"] = job.id
    result["verdicts"] = verdicts
    return result


def _fetch_pending_images(catalog: Catalog, result: dict[str, Any], progress: Progress | None,
                          should_stop: ShouldStop | None) -> None:
    """Images a shop import queued and an earlier run did not fetch (cancelled, offline): fetch them before
    indexing, so "index what is left" finishes what the import began."""
    if not db.ImageFile.select().where(db.ImageFile.status == "pending").exists():
        return
    from core.shop.images import fetch_images

    def fetching(done: int, total: int, message: str) -> None:
        if progress:
            progress(done, total, f"{JobPhase.IMPORTING.value} images: {message}")

    report = fetch_images(catalog.paths, progress=fetching, should_stop=should_stop)
    result["images"] = result.get("images", 0) + report.fetched + report.reused
    result["warnings"] = result.get("warnings", []) + [
        {"path": v["url"], "reason": f"{v['sku']}: image not fetched: {v['reason']}"}
        for v in report.verdicts if v["verdict"] != "ok"]


def record_failure(catalog: Catalog, job: db.Job, exc: BaseException, result: dict[str, Any] | None = None) -> bool:
    """Leave the job failed with its cause, never "running". On a full disk the catalog's space reserve is
    given back first so that this last write fits; if even that fails, the owner pid in the job's params lets
    the next `check` or run retire it (failed, with the reason). True when the failure was recorded."""
    cause = plain_cause(exc, catalog.root)
    if "no space left" in cause.lower() or "disk is full" in cause.lower():
        catalog.release_space_reserve()
    try:
        _set_state(job, JobState.FAILED, result=result if result is not None else job.result,
                   error=f"{cause}\n{traceback.format_exc(limit=5)}", finished_at=db.utcnow())
        return True
    except Exception as again:  # noqa: BLE001 - the first failure is the one the user must read
        log.warning("job %s: its failure could not be recorded (%s); the next check retires it", job.id, again)
        return False


def _owner_dead(job: db.Job) -> bool:
    owner = (job.params or {}).get("owner") or {}
    if owner.get("host") != socket.gethostname() or not owner.get("pid"):
        return False
    pid = int(owner["pid"])
    return pid != os.getpid() and not pid_alive(pid)


def running_jobs() -> list[db.Job]:
    return list(db.Job.select().where(db.Job.state == JobState.RUNNING))


def stale_jobs(now: dt.datetime | None = None) -> list[db.Job]:
    """Jobs left 'running' by a process that died: its pid is gone (this host), or no heartbeat for a while."""
    now = now or db.utcnow()
    return [j for j in running_jobs()
            if _owner_dead(j) or (j.heartbeat_at or j.started_at or j.created_at) < now - STALE_AFTER]


dead_jobs = stale_jobs


def dead_reason(job: db.Job) -> str:
    """Why a job left "running" is known to be dead, in words."""
    owner = (job.params or {}).get("owner") or {}
    if _owner_dead(job):
        return f"the process running it (pid {owner.get('pid')}) is gone"
    beat = job.heartbeat_at or job.started_at or job.created_at
    return f"no sign of life since {beat:%Y-%m-%d %H:%M} UTC" if beat else "its process stopped"


def mark_dead_jobs_interrupted() -> list[int]:
    """Jobs whose process is gone (this host) say so, instead of "running" forever; a new run does their work."""
    dead = [j for j in running_jobs() if _owner_dead(j)]

    def _do() -> None:
        for job in dead:
            job.state, job.finished_at = JobState.INTERRUPTED, db.utcnow()
            job.error = job.error or "interrupted: the process running it stopped"
            job.save()
    if dead:
        db.transaction(_do)
    return [j.id for j in dead]


TRANSIENT_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EIO, errno.EAGAIN, errno.EBUSY, errno.ETIMEDOUT,
                    errno.ECONNREFUSED, errno.ECONNRESET, errno.EHOSTUNREACH, errno.ENETUNREACH}


def is_transient(exc: BaseException) -> bool:
    """A failure that says nothing about the product (disk full, database locked, a server away): retry later."""
    while exc is not None:
        if isinstance(exc, ConnectionError | TimeoutError):
            return True
        if isinstance(exc, OSError) and exc.errno in TRANSIENT_ERRNOS:
            return True
        text = str(exc).lower()
        if any(m in text for m in ("database or disk is full", "database is locked", "disk i/o error",
                                   "no space left", "could not connect", "connection", "timed out")):
            return True
        if type(exc).__name__ in ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError"):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def plain_cause(exc: BaseException, folder: Path | None = None) -> str:
    """What the user reads: the operating system's words for a full disk, not a library's."""
    import shutil

    # SQLite rolls a transaction back itself when the disk fills; peewee's own rollback then fails with
    # "no transaction is active", which hides the real cause in the exception's context.
    while "no transaction is active" in str(exc) and (exc.__cause__ or exc.__context__) is not None:
        exc = exc.__cause__ or exc.__context__
    text = str(exc)
    full = "database or disk is full" in text.lower()
    if not full and folder is not None and ("disk i/o error" in text.lower() or isinstance(exc, OSError)):
        with contextlib.suppress(OSError):  # SQLite says "disk I/O error" when it cannot create its journal
            full = shutil.disk_usage(folder).free < 256 * 1024
    if full and "no space left" not in text.lower():
        return f"No space left on device ({text})"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return text or type(exc).__name__


def left_unindexed() -> bool:
    """The last index job failed and products it imported still wait for their vectors."""
    last = db.Job.select().where(db.Job.kind == "index").order_by(db.Job.id.desc()).first()
    if last is None or last.state != JobState.FAILED.value or last.params.get("import_only"):
        return False
    return db.Product.select().where(db.Product.status == "imported").exists()


def retire_stale_jobs(reason: str = "interrupted (the app stopped); resumed") -> list[Path]:
    """Mark crashed jobs failed (the resumed run is a new job) and return the folders they were importing."""
    stale = stale_jobs()
    for job in stale:
        _set_state(job, JobState.FAILED.value, error=reason, finished_at=db.utcnow())
    return [Path(f) for f in sorted({f for job in stale for f in job.params.get("folders", [])})]


def resume_stale_jobs(catalog: Catalog, registry, *, progress: Progress | None = None,
                      should_stop: ShouldStop | None = None) -> list[dict[str, Any]]:
    """At start-up: finish what crashed jobs left undone (import is incremental, indexing resumes)."""
    results = []
    for job in stale_jobs():
        log.warning("resuming job %s left running by a crashed process", job.id)
        results.append(run_index_job(catalog, registry, job.params.get("folders", []), job=job,
                                     progress=progress, should_stop=should_stop,
                                     import_only=bool(job.params.get("import_only"))))
    return results
