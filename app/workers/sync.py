"""Sync with the shared S3 bucket as a model-thread job (pulled corrections re-embed), the outbox
status as a pool read, and the periodic sync timer."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.workers.model_thread import BACKGROUND, ModelTask

log = logging.getLogger(__name__)

SYNC_EVERY_MINUTES = 10  # periodic sync while S3 is enabled in the settings
OFF_REASON = "Sync is off: enable S3 in Settings → Sync."


def sync_task(catalog) -> ModelTask:
    """Push the outbox and pull other curators' corrections; apply_remote re-embeds, hence the model thread."""

    def work(registry, progress, should_stop) -> dict[str, Any]:
        from core.sync import outbox

        settings = catalog.settings.s3
        if not settings.enabled:
            report: dict[str, Any] = {"ok": False, "reason": OFF_REASON, "errors": [], "pushed": 0, "pulled": 0}
        else:
            from core.edits import apply_remote_data
            from core.review import Reviewer
            from core.sync.engine import sync

            reviewer = Reviewer(catalog, registry) if registry is not None else None
            try:
                if catalog.read_only_reason:  # a read-only catalog sends and applies nothing
                    from core.catalog.lock import ReadOnlyCatalog

                    raise ReadOnlyCatalog(catalog.read_only_reason)
                # Pulled corrections change vectors: the writer lock is held per applied batch, not across the
                # network requests. Without models, product data and collections still arrive (boxes wait).
                result = sync(settings, apply_remote=reviewer.apply_remote if reviewer else apply_remote_data,
                              progress=progress, should_stop=should_stop, writing=catalog.writing)
            finally:
                if reviewer is not None:
                    reviewer.close()
            report = result.to_dict()
        return {"report": report, "status": outbox.status()}

    return ModelTask(work, "sync", priority=BACKGROUND)


def read_status() -> dict[str, Any]:
    from core.sync import outbox

    return {"status": outbox.status()}


class SyncService(QObject):
    """Runs sync now or every few minutes, reads the outbox status, and reports both to the views."""

    status_changed = Signal(object)  # {"status": outbox.status(), "report": last SyncReport dict or None}
    running_changed = Signal(bool)

    def __init__(self, context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.report: dict[str, Any] | None = None
        self.status: dict[str, Any] = {}
        self._sync: ModelTask | None = None
        self._read = None
        self._stopped = False
        self.timer = QTimer(self)
        self.timer.setInterval(SYNC_EVERY_MINUTES * 60_000)
        self.timer.timeout.connect(self.sync_now)
        self.apply_settings()

    @property
    def enabled(self) -> bool:
        return bool(self.context.settings.s3.enabled)

    @property
    def running(self) -> bool:
        return self._sync is not None

    def apply_settings(self) -> None:
        """Start or stop the periodic sync to match the settings."""
        if self.enabled and not self._stopped:
            if not self.timer.isActive():
                self.timer.start()
        else:
            self.timer.stop()

    @Slot()
    def sync_now(self) -> None:
        if self._sync is not None or self._stopped:
            return
        task = sync_task(self.context.catalog)
        task.signals.result.connect(self._on_synced)
        task.signals.failed.connect(self._on_failed)
        task.signals.finished.connect(self._on_finished)
        self._sync = task
        self.running_changed.emit(True)
        self.context.run_model_task(task)

    @Slot()
    def refresh(self) -> None:
        """Re-read the outbox counts (a pool read; the model thread may be busy with a job)."""
        if self._read is not None or self._stopped:
            return
        task = self.context.read(read_status, "sync status")
        task.signals.result.connect(self._on_read)
        task.signals.finished.connect(self._on_read_finished)
        self._read = task
        self.context.run_in_pool(task)

    @Slot(object)
    def _on_read(self, data: dict) -> None:
        self.status = data["status"]
        self.status_changed.emit({"status": self.status, "report": self.report})

    @Slot()
    def _on_read_finished(self) -> None:
        self._read = None

    @Slot(object)
    def _on_synced(self, data: dict) -> None:
        self.report, self.status = data["report"], data["status"]
        self.status_changed.emit({"status": self.status, "report": self.report})

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        summary, _, details = message.partition("\n\n")
        self.report = {"ok": False, "reason": summary, "errors": [], "pushed": 0, "pulled": 0}
        self.status_changed.emit({"status": self.status, "report": self.report})
        self.context.error.emit(f"Sync failed: {summary}", details)

    @Slot()
    def _on_finished(self) -> None:
        self._sync = None
        self.running_changed.emit(False)
        if self.report and self.report.get("pulled"):
            self.context.catalog_changed.emit()  # other curators' corrections changed products

    def stop(self) -> None:
        """Part of the one shutdown path: no more periodic syncs; a running one is cancelled."""
        self._stopped = True
        self.timer.stop()
        if self._sync is not None:
            self._sync.cancel()
        if self._read is not None:
            self._read.cancel()
