"""The product detector's background jobs in the app: training it (Train now, or by itself once curators corrected
enough boxes since the last training) and re-localising the catalog's scene photos after a promotion.

Both are BACKGROUND model-thread jobs (core.ops.product_detector does the work), listed in the Jobs panel with
progress, ETA and Cancel; searches and corrections run between their batches. At most one training at a time, in
this window or in another process on the same catalog.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from app.workers.jobs import JobRecord
from app.workers.model_thread import BACKGROUND, ModelTask
from core.jobs import JobState

log = logging.getLogger(__name__)

BOX_KINDS = ("move_box", "new_box")  # the corrections a detector learns from (core.ops.product_detector)


def train_detector_task(catalog, plan, title: str) -> ModelTask:
    """Train a candidate detector with the catalog's `detector_training` settings; promoted only if it wins."""
    from core.ops.product_detector import train_detector, training_start

    def work(registry, progress, should_stop) -> dict[str, Any]:
        import torch

        if registry is None:  # without the models the candidate would be judged against the whole photo
            raise RuntimeError("The models are not loaded, so a new detector could not be judged fairly.")
        threads = torch.get_num_threads()  # the app's threading policy (core.models.threads)

        def keep_policy(done: int, total: int, message: str) -> None:
            if torch.get_num_threads() != threads:  # ultralytics resets it for CPU training; searches run between
                torch.set_num_threads(threads)      # its batches on this thread and must not oversubscribe
            progress(done, total, message)

        try:
            start = training_start(catalog, plan.continue_training)
            return train_detector(catalog, registry, epochs=plan.epochs, images=plan.images, imgsz=plan.imgsz,
                                  seed=start["seed"], start_from=start["start_from"], device=_device(registry),
                                  progress=keep_policy, should_stop=should_stop)
        finally:
            torch.set_num_threads(threads)

    task = ModelTask(work, title, priority=BACKGROUND)
    task.keep_result_on_cancel = True  # the report says what was done (and that nothing was saved)
    return task


def relocalise_task(catalog) -> ModelTask:
    """Index the scene photos found before the promoted detector again, so it finds their product."""
    from core.ops.product_detector import relocalise_scenes

    def work(registry, progress, should_stop) -> dict[str, Any]:
        return relocalise_scenes(catalog, registry, progress=progress, should_stop=should_stop)

    task = ModelTask(work, "Re-localise scene photos with the new detector", priority=BACKGROUND)
    task.keep_result_on_cancel = True
    return task


def _device(registry) -> str:
    """Where ultralytics trains: the first CUDA GPU when the catalog may use it ("0"), else the CPU."""
    preference = str(getattr(getattr(registry, "settings", None), "device", "cpu") or "cpu")
    if preference == "cpu":
        return "cpu"
    try:
        from core.models.device import select_device

        device = select_device(preference)
    except Exception:  # noqa: BLE001 - training on the CPU is always possible
        return "cpu"
    return str(device.index or 0) if device.type == "cuda" else "cpu"


class DetectorJobs(QObject):
    """Owned by the AppContext: starts the detector's jobs and retrains it when enough boxes were corrected."""

    changed = Signal()  # a detector job started or ended: the Models page reads again
    checked = Signal(object)  # core.ops.product_detector.retrain_due's answer after a correction

    def __init__(self, context) -> None:
        super().__init__(context)
        self.context = context
        self.training: JobRecord | None = None
        self.relocalising: JobRecord | None = None
        self._checking = None
        self._check_again = False
        self._due_at: int | None = None  # box corrections when the running automatic training was started
        self._snoozed_at: int | None = None  # ... when the curator cancelled one
        context.job_finished.connect(self._job_finished)

    @property
    def training_active(self) -> bool:
        return self.training is not None and not self.training.ended

    @property
    def relocalise_active(self) -> bool:
        return self.relocalising is not None and not self.relocalising.ended

    def start_training(self, *, automatic: bool = False) -> JobRecord | None:
        """Queue a training (None: read-only, or one already runs here)."""
        if self.context.read_only or self.training_active:
            return None
        plan = self.context.settings.detector_training
        title = ("Retrain the product detector (boxes were corrected)" if automatic
                 else "Train the product detector")
        record = JobRecord(title=title, task=train_detector_task(self.context.catalog, plan, title),
                           kind="train_detector")
        self.training = record
        self.context.submit_job(record)
        self.changed.emit()
        return record

    def start_relocalise(self) -> JobRecord | None:
        if self.context.read_only or self.relocalise_active:
            return None
        task = relocalise_task(self.context.catalog)
        record = JobRecord(title=task.name, task=task, kind="relocalise")
        self.relocalising = record
        self.context.submit_job(record)
        self.changed.emit()
        return record

    # --- automatic retraining ------------------------------------------------------------------
    @Slot(object)
    def correction_applied(self, result: dict) -> None:
        """ReviewService.applied: a moved or drawn box may make a retrain due."""
        if (result or {}).get("kind") in BOX_KINDS:
            self.check_due()

    def check_due(self) -> None:
        """Ask core (in the pool) whether a retrain is due; start one if so and the setting allows it."""
        plan = self.context.settings.detector_training
        if not plan.auto_retrain or self.context.read_only or self.training_active:
            return
        if self._checking is not None:
            self._check_again = True  # a correction landed while asking: ask once more after this answer
            return
        from core.ops import product_detector as pd

        catalog, every = self.context.catalog, plan.retrain_after_boxes

        def ask() -> dict[str, Any]:
            return {**pd.retrain_due(catalog, every), "running": pd.training_running()}

        task = self.context.read(ask, "is a detector retrain due")
        task.signals.result.connect(self._on_due)
        task.signals.finished.connect(self._on_checked)
        self._checking = task
        self.context.run_in_pool(task)

    @Slot(object)
    def _on_due(self, answer: dict) -> None:
        self.checked.emit(answer)
        plan = self.context.settings.detector_training
        if not answer.get("due") or answer.get("running") or not plan.auto_retrain:
            return
        total = int(answer.get("box_corrections", 0))
        if self._snoozed_at is not None and total < self._snoozed_at + plan.retrain_after_boxes:
            return  # the curator cancelled the last automatic one before it started: wait for as many again
        log.info("%d boxes corrected since the last training: retraining the product detector",
                 answer.get("since_last_training", 0))
        if self.start_training(automatic=True) is not None:
            self._due_at = total

    @Slot()
    def _on_checked(self) -> None:
        self._checking = None
        if self._check_again:
            self._check_again = False
            self.check_due()

    @Slot(object)
    def _job_finished(self, record) -> None:
        if record is self.training and record.state is JobState.CANCELLED and self._due_at is not None:
            self._snoozed_at = self._due_at  # a cancel before the job ran records no attempt in core
        if record is self.training:
            self._due_at = None
        if record is self.training or record is self.relocalising:
            self.changed.emit()
