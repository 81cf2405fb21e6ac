"""The tasks the app runs: indexing and search on the model thread, reads and scans in the pool.

Each factory wraps one core function (which knows nothing of Qt) in a task with the common signals.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.i18n import translate
from app.workers.base import Task
from app.workers.model_thread import BACKGROUND, ModelTask
from core.catalog.queries import close_thread_connection
from core.jobs import JobPhase, JobResult, JobState


def index_task(catalog, folders: list[Path], *, import_only: bool = False,
               product_ids: list[int] | None = None) -> ModelTask:
    """Import product folders, then index what changed, in the model thread (it owns the models)."""
    from core.jobs import run_index_job

    def work(registry, progress, should_stop) -> dict[str, Any]:
        return run_index_job(catalog, None if import_only else registry, folders, import_only=import_only,
                             progress=progress, should_stop=should_stop, product_ids=product_ids)

    name = (translate("jobs", "Index %1").replace("%1", ", ".join(Path(f).name for f in folders[:3])) if folders
            else translate("jobs", "Index products not indexed"))
    if product_ids:
        name = translate("jobs", "Re-index %n products", None, len(product_ids))
    task = ModelTask(work, name, priority=BACKGROUND)
    task.keep_result_on_cancel = True
    return task


def shop_import_task(catalog, path: Path, *, fmt: str | None = None, images_root: Path | None = None) -> ModelTask:
    """Import a shop export, fetch its images, then index (the model thread: it owns the models)."""
    from core.shop.jobs import run_shop_job

    def work(registry, progress, should_stop) -> dict[str, Any]:
        return run_shop_job(catalog, registry, [path], fmt=fmt, images_root=images_root, progress=progress,
                            should_stop=should_stop)

    task = ModelTask(work, f"Import {Path(path).name} from the shop", priority=BACKGROUND)
    task.keep_result_on_cancel = True
    return task


def reindex_task(catalog, model_settings, title: str) -> ModelTask:
    """Build another model's index beside the live one (staged: searches keep the active index until promote)."""
    from core.ops.lifecycle import reindex

    def work(registry, progress, should_stop) -> dict[str, Any]:
        with catalog.writing():
            return reindex(catalog, model_settings, progress=progress, should_stop=should_stop)

    task = ModelTask(work, title, priority=BACKGROUND)
    task.keep_result_on_cancel = True
    return task


def promote_task(catalog, model_version: str) -> ModelTask:
    """Make a complete candidate serve searches; returns the model settings it was built with."""
    from core.ops.lifecycle import promote

    def work(registry, progress, should_stop):
        with catalog.writing():
            promote(catalog, model_version)
        return catalog.model_settings_for(model_version)

    return ModelTask(work, f"promote {model_version}")


def search_task(catalog, request) -> ModelTask:
    from core.search.query import search

    def work(registry, progress, should_stop):
        # A scene query reports its steps and stops between them when cancelled (search panel's Cancel).
        return search(catalog, registry, request, progress=progress, should_stop=should_stop)

    # A search only reads (thread-safe inference, USearch, SQLite), so it may run beside a job's call; an
    # image search's detectors there are the lane's own (ModelRegistry.lane()).
    return ModelTask(work, "search", concurrent=True)


def db_task(fn, name: str) -> Task:
    """A read in a pool thread; peewee opens a connection per thread, so close it when done."""

    def work(progress, should_stop):
        try:
            return fn()
        finally:
            close_thread_connection()

    return Task(work, name)


def scan_task(folders: list[Path]) -> Task:
    """Count products and images under dropped folders (pool), so the job knows what it is about to do."""
    from core.catalog.importer import scan

    def work(progress, should_stop) -> dict[str, int]:
        sources, errors = scan(folders)
        size = 0
        for source in sources:
            for image in source.images:
                with contextlib.suppress(OSError):
                    size += os.stat(image).st_size
        return {"products": len(sources), "images": sum(len(s.images) for s in sources),
                "errors": len(errors), "bytes": size}

    return Task(work, "scan")


@dataclass
class JobRecord:
    """What the jobs panel knows of one job: its task, timing and rate (for the ETA), its errors."""

    title: str
    task: Task
    kind: str = "index"
    started: float = field(default_factory=time.monotonic)
    phase: JobPhase | None = None
    phase_started: float = field(default_factory=time.monotonic)
    done: int = 0
    total: int = 0
    images_per_product: float = 1.0
    state: JobState = JobState.QUEUED
    ended: bool = False
    result: JobResult | None = None  # when it ended with a result (cancelled jobs keep theirs)
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    message: str = ""
    _fraction: float = 0.0  # the furthest the one bar has gone (it never moves back)

    def update(self, done: int, total: int, message: str) -> None:
        phase = JobPhase.of(message)
        if total > 0:
            self._fraction = max(self._fraction, self._share(phase, min(done, total) / total))
        if phase is not self.phase or done < self.done:
            self.phase, self.phase_started = phase, time.monotonic()
        self.state = JobState.RUNNING
        self.done, self.total, self.message = done, total, message

    # An import+index job's one bar: importing is the first tenth of it, indexing the rest (it takes ~10×).
    IMPORT_SHARE = 0.1

    def _share(self, phase: JobPhase | None, fraction: float) -> float:
        if self.kind != "index":
            return fraction
        if phase is JobPhase.IMPORTING:
            return self.IMPORT_SHARE * fraction
        return self.IMPORT_SHARE + (1 - self.IMPORT_SHARE) * fraction

    @property
    def fraction(self) -> float:
        """How far the whole job is, 0..1, across all its phases: one bar that never goes back."""
        return 1.0 if self.state is JobState.SUCCEEDED else self._fraction

    @property
    def overall_eta_s(self) -> float | None:
        """Seconds left for the whole job, from its one bar; None until it has moved a little."""
        elapsed = time.monotonic() - self.started
        if self._fraction < 0.01 or elapsed < 1.0 or self._fraction >= 1.0:
            return None
        return elapsed * (1 - self._fraction) / self._fraction

    @property
    def rate(self) -> float:
        """Images per second in the current phase (products times their mean image count)."""
        elapsed = time.monotonic() - self.phase_started
        return self.done * self.images_per_product / elapsed if elapsed > 0.5 and self.done else 0.0

    @property
    def eta_s(self) -> float | None:
        elapsed = time.monotonic() - self.phase_started
        if not self.done or elapsed < 0.5 or self.total <= self.done:
            return None
        return (self.total - self.done) * elapsed / self.done


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"
