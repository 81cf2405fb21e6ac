"""The application context: opens the catalog and settings, starts the model thread and the pool,
hands them to views, and is the one place that shuts every worker down."""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from app.workers.base import Task
from app.workers.detector_jobs import DetectorJobs
from app.workers.jobs import (
    JobRecord,
    db_task,
    index_task,
    promote_task,
    reindex_task,
    scan_task,
    search_task,
    shop_import_task,
)
from app.workers.model_thread import ModelTask, ModelThread
from app.workers.thumbnails import ThumbnailService
from core.catalog.catalog import Catalog
from core.catalog.lock import FileLock
from core.jobs import JobPhase, JobResult, JobState

log = logging.getLogger(__name__)

POOL_THREADS = 2


def registry_factory(catalog: Catalog):
    """How the model thread builds its registry: the model that serves search (Catalog decides)."""
    model_settings = catalog.settings.models
    try:
        model_settings = catalog.search_model_settings()
    except Exception:
        log.exception("could not read the active index's model settings; using the catalog's")

    def make(progress):
        from core.models.registry import ModelRegistry

        return ModelRegistry(model_settings, progress=progress)

    return make


def _thumb_path_for(catalog: Catalog):
    """Where thumbnails go: the catalog's thumbs/ folder; for a read-only catalog, the ones already there and
    new ones in this user's cache (keyed by the photo's sha256, so catalogs can share them)."""
    if not catalog.read_only_reason:
        return catalog.paths.thumb_path
    from core.paths import model_cache_dir

    own = model_cache_dir().parent / "thumbs"

    def thumb_path(sha256: str, size: int) -> Path:
        there = catalog.paths.thumb_path(sha256, size)
        return there if there.is_file() else own / str(size) / sha256[:2] / f"{sha256}.jpg"

    return thumb_path


class AppContext(QObject):
    """Everything a view needs, built once. Views get it in their constructor."""

    catalog_changed = Signal()  # products were added, changed or deleted
    job_added = Signal(object)  # JobRecord
    job_finished = Signal(object)  # JobRecord
    error = Signal(str, str)  # summary, details: a job failed unexpectedly
    free_space_changed = Signal(object)  # bytes free on the catalog's disk (None: unknown)
    space_warning = Signal(str)  # a job that will not fit on the catalog's disk, said before it fills it

    def __init__(self, catalog: Catalog, *, start_models: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(POOL_THREADS)
        self.pool.setObjectName("catalog-curator-pool")
        self.thumbnails = ThumbnailService(_thumb_path_for(catalog), self.pool, self)
        self.models = ModelThread(registry_factory(catalog), self)
        self.jobs: list[JobRecord] = []
        self._pool_tasks: list[Task] = []
        self._scans: dict[Task, JobRecord] = {}
        self._closed = False
        self.detector_jobs = DetectorJobs(self)  # training the catalog's product detector, re-localising scenes
        # One window writes to a catalog; a second one on the same folder browses and searches read-only.
        self.window_lock = FileLock(catalog.paths.root / "locks" / "window.lock")
        if catalog.read_only_reason:
            log.info("%s", catalog.read_only_reason)  # a read-only folder: nobody writes here, no lock to take
        elif not self.window_lock.try_acquire():
            catalog.read_only_reason = (f"This catalog is open in another Catalog Curator window "
                                        f"({self.window_lock.describe_owner()}); this window is read-only.")
            log.warning(catalog.read_only_reason)
        if start_models:
            self.start_models()

    @property
    def read_only(self) -> bool:
        return bool(self.catalog.read_only_reason)

    def start_models(self) -> None:
        """Start the model thread (it imports torch and loads the models), then resume interrupted jobs.

        The app calls this once its window is on screen, so torch's imports never delay the window.
        """
        if self.models.thread.isRunning() or self._closed:
            return
        self.models.start()
        if not self.read_only:
            self.resume_interrupted_jobs()
            # A detector was trained here (core.ops.product_detector.detectors_dir; not imported on the GUI thread
            # at launch): corrections synced or made in another process may have made a retrain due.
            if (self.catalog.root / "detectors").is_dir():
                self.detector_jobs.check_due()

    def resume_interrupted_jobs(self) -> JobRecord | None:
        """A job left 'running' by a crash is finished on start-up (import is incremental, indexing resumes)."""
        from core.jobs import left_unindexed, retire_stale_jobs, stale_jobs

        if not stale_jobs():
            if left_unindexed():  # a failed job imported products it never indexed: finish them
                return self.start_index_job([])
            return None
        folders = retire_stale_jobs()  # the resumed run is a new job; the old rows say what happened to them
        return self.start_index_job([f for f in folders if f.is_dir()])

    @classmethod
    def open(cls, root: Path | None, **kwargs: Any) -> AppContext:
        return cls(Catalog.open(root), **kwargs)

    @property
    def settings(self):
        return self.catalog.settings

    # --- work ----------------------------------------------------------------------------------
    def run_in_pool(self, task: Task) -> Task:
        self._pool_tasks.append(task)
        task.signals.finished.connect(self._on_pool_task_finished)
        self.pool.start(task)
        return task

    def read(self, fn, name: str) -> Task:
        """Run a database read in the pool; connect to the returned task's signals for the result."""
        return db_task(fn, name)

    @Slot()
    def _on_pool_task_finished(self) -> None:
        task = getattr(self.sender(), "task", None)
        if task in self._pool_tasks:
            self._pool_tasks.remove(task)

    def _refusal(self, action: str) -> str:
        if self.window_lock.held or "another Catalog Curator window" in self.catalog.read_only_reason:
            return f"This window is read-only: {action} in the window that opened the catalog first."
        return f"This catalog is read-only here ({self.catalog.read_only_reason}): {action} where it can be written."

    def start_index_job(self, folders: list[Path], *, import_only: bool = False,
                        product_ids: list[int] | None = None) -> JobRecord | None:
        if self.read_only:
            self.error.emit(self._refusal("index"), self.catalog.read_only_reason)
            return None
        task = index_task(self.catalog, [Path(f) for f in folders], import_only=import_only, product_ids=product_ids)
        record = JobRecord(title=task.name, task=task)
        self._submit_job(record)
        scan = scan_task([Path(f) for f in folders])  # how many images per product: for images/s
        scan.signals.result.connect(self._on_scanned)
        self._scans[scan] = record
        self.run_in_pool(scan)
        return record

    def start_shop_import(self, path: Path, *, fmt: str | None = None,
                          images_root: Path | None = None) -> JobRecord | None:
        """Import a Shopify or Magento export as a background job: read it, fetch its images, index."""
        if self.read_only:
            self.error.emit("This window is read-only: import in the window that opened the catalog first.",
                            self.catalog.read_only_reason)
            return None
        task = shop_import_task(self.catalog, Path(path), fmt=fmt, images_root=images_root)
        record = JobRecord(title=task.name, task=task)
        self._submit_job(record)
        return record

    def start_reindex_job(self, model_settings, title: str) -> JobRecord | None:
        """Re-index every product with another model, staged beside the live index (see core.ops.lifecycle)."""
        if self.read_only:
            self.error.emit(self._refusal("re-index"), self.catalog.read_only_reason)
            return None
        task = reindex_task(self.catalog, model_settings, title)
        record = JobRecord(title=title, task=task, kind="reindex")
        self._submit_job(record)
        return record

    def submit_job(self, record: JobRecord) -> None:
        """A background job built elsewhere (app.workers.detector_jobs): listed, followed and queued like ours."""
        self._submit_job(record)

    def _submit_job(self, record: JobRecord) -> None:
        """Follow a background job's outcome and progress, list it in the Jobs panel, queue it on the model thread."""
        task = record.task
        task.signals.result.connect(self._on_job_result)
        task.signals.failed.connect(self._on_job_failed)
        task.signals.cancelled.connect(self._on_job_cancelled)
        task.signals.progress.connect(self._on_job_progress)
        self.jobs.append(record)
        self.job_added.emit(record)
        self.models.submit(task)

    def promote(self, model_version: str) -> ModelTask:
        """Make a candidate index serve searches; once done the catalog asks for its model and the model
        thread loads it (connect to the task's signals for the outcome)."""
        task = promote_task(self.catalog, model_version)
        task.signals.result.connect(self._on_promoted)
        return self.models.submit(task)

    @Slot(object)
    def _on_promoted(self, model_settings) -> None:
        self.catalog.settings.models = model_settings
        self.catalog.save_settings()
        self.reload_models()
        self.catalog_changed.emit()

    @Slot(object)
    def _on_scanned(self, counts: dict) -> None:
        record = self._scans.pop(getattr(self.sender(), "task", None), None)
        if record is not None and counts.get("products"):
            record.images_per_product = counts["images"] / counts["products"]
        if record is not None and counts.get("bytes"):
            from core.paths import free_space, human_bytes, space_to_import

            need, free = space_to_import(counts["bytes"]), free_space(self.catalog.root)
            if free is not None and need > free:
                self.space_warning.emit(f"{record.title} needs about {human_bytes(need)}, and only "
                                        f"{human_bytes(free)} is free on the catalog's disk: it will stop when the "
                                        "disk is full (what is imported by then is kept). Free some space first.")

    def refresh_free_space(self) -> Task:
        """Measure the catalog disk's free space in the pool (a network share may answer slowly)."""
        from core.paths import free_space

        task = Task(lambda progress, should_stop: free_space(self.catalog.root), "free space")
        task.signals.result.connect(self._on_free_space)
        return self.run_in_pool(task)

    @Slot(object)
    def _on_free_space(self, free) -> None:
        self.free_space_changed.emit(free)

    def search(self, request, on_result=None, on_failed=None) -> ModelTask:
        """Run a search on the model thread (or beside a job, in the lane). Pass the slots here: they are
        connected before the task can run, so a quick search cannot answer before anyone listens."""
        task = search_task(self.catalog, request)
        if on_result is not None:
            task.signals.result.connect(on_result)
        if on_failed is not None:
            task.signals.failed.connect(on_failed)
        return self.models.submit(task)

    def run_model_task(self, task: ModelTask) -> ModelTask:
        return self.models.submit(task)

    def _record(self) -> JobRecord | None:
        task = getattr(self.sender(), "task", None)
        return next((r for r in self.jobs if r.task is task), None)

    @Slot(int, int, str)
    def _on_job_progress(self, done: int, total: int, message: str) -> None:
        record = self._record()
        if record is not None:
            importing = record.phase is JobPhase.IMPORTING
            record.update(done, total, message)
            if importing and record.phase is JobPhase.INDEXING:
                self.catalog_changed.emit()  # the imported products can be browsed while they are indexed

    @Slot(object)
    def _on_job_result(self, result: dict) -> None:
        record = self._record()
        if record is None:
            return
        record.result = typed = JobResult.of(result)
        record.errors = list(typed.errors)
        record.warnings = list(typed.warnings)
        record.state = JobState.CANCELLED if typed.cancelled else JobState.SUCCEEDED
        self._end_job(record)

    @Slot(str)
    def _on_job_failed(self, message: str) -> None:
        record = self._record()
        if record is not None:
            record.state, record.message = JobState.FAILED, message
            self._end_job(record)
            summary, _, details = message.partition("\n\n")
            self.error.emit(f"The job “{record.title}” failed: {summary}", details)

    @Slot()
    def _on_job_cancelled(self) -> None:
        record = self._record()
        if record is not None and not record.ended:
            record.state = JobState.CANCELLED
            self._end_job(record)

    def _end_job(self, record: JobRecord) -> None:
        record.ended = True
        self.job_finished.emit(record)
        self.catalog_changed.emit()

    def cancel_job(self, record: JobRecord) -> None:
        record.task.cancel()

    # --- settings ------------------------------------------------------------------------------
    def apply_settings(self, settings) -> None:
        """Save new settings; reload the models when their part changed."""
        models_changed = asdict(settings.models) != asdict(self.catalog.settings.models)
        self.catalog.settings = settings
        self.catalog.save_settings()
        if models_changed:
            self.reload_models()

    def remember(self, name: str, value) -> bool:
        """Keep one view setting (e.g. the tile size) in settings.json; a read-only catalog keeps it for
        this session only."""
        from dataclasses import replace

        settings = replace(self.catalog.settings, **{name: value})  # checked like any setting
        self.catalog.settings = settings
        if self.catalog.read_only_reason:
            return False
        try:
            self.catalog.save_settings()
        except OSError:
            log.exception("could not save the setting %s", name)
            return False
        return True

    def reload_models(self) -> None:
        """Load the model that serves search again (after settings change or a promotion)."""
        self.models.reload(registry_factory(self.catalog))

    # --- shutdown ------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """The one shutdown path: cancel, quit and wait for every worker, then close the catalog."""
        if self._closed:
            return
        self._closed = True
        for record in self.jobs:
            record.task.cancel()
        self.thumbnails.cancel_all()
        for task in list(self._pool_tasks):
            task.cancel()
            self.pool.tryTake(task)
        self.models.shutdown()
        self.pool.clear()
        self.pool.waitForDone()
        self._pool_tasks.clear()
        self.catalog.close()
        self.window_lock.release()
        log.info("shut down cleanly")

