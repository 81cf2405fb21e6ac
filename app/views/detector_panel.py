"""The Models page's "Product detector" section: the catalog's own detector (core.ops.product_detector) — the
active version and its held-back score, boxes corrected since the last training, Train now with progress and
Cancel, every version with Promote, and re-localising the scene photos found before the active version."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.views.jobs_panel import progress_row, summary
from app.workers.model_thread import ModelTask
from core.jobs import JobState
from core.ops.gate import describe as describe_verdict

# settings.models.localiser in a curator's words (also used by Settings → Models)
LOCALISERS = {
    "auto": ("Automatic", "the trained detector once one is promoted, else photo regions scored against the catalog"),
    "proposals": ("Photo regions", "candidate regions of the photo, each compared with the catalog; needs no "
                                   "training, slower"),
    "detector": ("Trained detector", "the detector trained from this catalog; fast, as good as its training"),
    "fused": ("Both", "the detector's boxes and the photo regions together; slowest, finds the most"),
}


def percent(score: dict | None) -> str:
    return f"{score.get('iou_at_0_5', 0):.0%}" if score else "—"


def version_state(row: dict) -> str:
    if row.get("active"):
        return "In use"
    if "candidate" not in row:
        return "—"
    if row.get("beats_current"):
        return "Beat the one in use"
    return f"Lost to {row.get('current_name') or 'the one in use'}"


class DetectorPanel(QGroupBox):
    status_message = Signal(str)

    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__("Product detector", parent)
        self.context = context
        self.jobs = context.detector_jobs
        self.data: dict = {}
        self._read = None
        self._promoting = None
        self._following = None  # the training whose progress the job row shows
        intro = QLabel("Finds products in lifestyle photos and in-scene searches. Trained on this computer from the "
                       "catalog's studio photos and the boxes curators corrected; a new version is used only when it "
                       "beats the current one on held-back scenes.")
        intro.setWordWrap(True)
        intro.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.active = QLabel()
        self.active.setWordWrap(True)
        self.corrections = QLabel()
        self.corrections.setWordWrap(True)
        self.localiser = QLabel()
        self.localiser.setWordWrap(True)
        facts = QGridLayout()
        for row, (name, widget) in enumerate((("In use:", self.active), ("Corrections:", self.corrections),
                                              ("Scenes use:", self.localiser))):
            label = QLabel(name)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            facts.addWidget(label, row, 0)
            facts.addWidget(widget, row, 1)
        facts.setColumnStretch(1, 1)
        self.train_button = QPushButton("Train now")
        self.train_button.setToolTip("Train a new version in the background; searches and corrections go on.")
        self.train_button.clicked.connect(self.train_now)
        self.job_row, self.bar, self.text, self.cancel_button = progress_row(self.cancel)
        self.outcome = QLabel()
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)  # error messages name files: text, never markup
        self.outcome.setWordWrap(True)
        train = QHBoxLayout()
        train.addWidget(self.outcome, 1)
        train.addWidget(self.train_button)
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["Version", "Trained", "Held-back", "State"])
        self.table.setRootIsDecorated(False)
        self.table.setColumnWidth(0, 160)
        self.table.setColumnWidth(1, 215)
        self.table.setColumnWidth(2, 95)
        self.table.setMinimumHeight(70)
        self.table.setToolTip("Held-back: how often its best box finds the product (IoU ≥ 0.5) in scenes made from "
                              "products it never saw, against what ran when it was trained")
        self.table.currentItemChanged.connect(self._selected)
        self.promote_button = QPushButton("Promote")
        self.promote_button.setEnabled(False)
        self.promote_button.clicked.connect(self.promote_selected)
        self.relocalise_text = QLabel()
        self.relocalise_text.setWordWrap(True)
        self.relocalise_button = QPushButton("Re-localise them")
        self.relocalise_button.setToolTip("Index those products again in the background so the detector finds the "
                                          "product in their scene photos; a cancel keeps the old crops")
        self.relocalise_button.clicked.connect(self.relocalise)
        bottom = QHBoxLayout()
        bottom.addWidget(self.relocalise_text, 1)
        bottom.addWidget(self.relocalise_button)
        bottom.addWidget(self.promote_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(facts)
        layout.addLayout(train)
        layout.addWidget(self.job_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.jobs.changed.connect(self._jobs_changed)
        self.jobs.checked.connect(self._show_corrections)
        context.job_finished.connect(self._job_finished)
        self._jobs_changed()

    # --- reading -------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        if self._read is not None:
            return
        from core.ops.product_detector import overview

        catalog, every = self.context.catalog, self.context.settings.detector_training.retrain_after_boxes
        task = self.context.read(lambda: overview(catalog, every), "product detector")
        task.signals.result.connect(self._show)
        task.signals.finished.connect(self._read_finished)
        self._read = task
        self.context.run_in_pool(task)

    @Slot()
    def _read_finished(self) -> None:
        self._read = None

    @property
    def busy(self) -> bool:
        return self._read is not None or self._promoting is not None

    @Slot(object)
    def _show(self, data: dict) -> None:
        self.data = data
        active, due = data.get("active"), data.get("retrain") or {}
        plan = self.context.settings.detector_training
        if active is None:
            self.active.setText("None yet: scenes use photo regions scored against the catalog. Train now makes one "
                                f"({plan.epochs} passes over {plan.images} scenes).")
        elif "candidate" in active:
            self.active.setText(f"<b>{active['version']}</b> · finds the product in {percent(active['candidate'])} "
                                f"of held-back scenes, against {percent(active.get('current'))} for what ran before")
            self.active.setToolTip(f"Before it: {active.get('current_name', '?')}")
        else:
            self.active.setText(f"<b>{active['version']}</b> · no held-back score recorded")
        self._show_corrections(due)
        name, words = LOCALISERS[self.context.settings.models.localiser]
        self.localiser.setText(f"{name}: {words}")
        self.table.clear()
        for row in data.get("versions", []):
            trained = (row.get("created_at") or "")[:16].replace("T", " ")
            if row.get("epochs"):
                trained += f" · {row['epochs']} passes"
            held = (f"{percent(row.get('candidate'))} vs {percent(row.get('current'))}" if "candidate" in row else "—")
            item = QTreeWidgetItem([row["version"], trained, held, version_state(row)])
            item.setData(0, Qt.ItemDataRole.UserRole, row)
            if row.get("verdict"):  # how sure the promotion gate was
                item.setToolTip(3, describe_verdict(row["verdict"]))
            item.setToolTip(0, f"{row['version']}: {row.get('cutouts', '?')} cut-outs, {row.get('curator_photos', 0)} "
                               f"photos with curators' boxes, {row.get('images', '?')} scenes at "
                               f"{row.get('imgsz', '?')} px")
            if row.get("active"):
                bold = QFont(item.font(0))
                bold.setBold(True)
                for col in range(4):
                    item.setFont(col, bold)
            self.table.addTopLevelItem(item)
        n = data.get("to_relocalise", 0)
        self.relocalise_text.setText(
            f"{n} product{'s have' if n != 1 else ' has'} a scene photo localised before this detector." if n else "")
        self._update_buttons()

    @Slot(object)
    def _show_corrections(self, due: dict) -> None:
        """The box count since the last training (after every check DetectorJobs makes, and on each read)."""
        plan = self.context.settings.detector_training
        since = due.get("since_last_training", 0)
        if not self.data.get("versions"):
            auto = "after the first training, it retrains by itself" if plan.auto_retrain else "retraining by hand"
            self.corrections.setText(f"{due.get('box_corrections_since', 0)} boxes corrected ({auto})")
        elif plan.auto_retrain:
            self.corrections.setText(f"{since} of {plan.retrain_after_boxes} boxes corrected since the last "
                                     f"training; it retrains by itself at {plan.retrain_after_boxes}")
        else:
            self.corrections.setText(f"{since} boxes corrected since the last training (automatic retraining is off "
                                     "in Settings → Models)")

    def _update_buttons(self) -> None:
        writable = not self.context.read_only
        training = self.jobs.training_active or bool(self.data.get("training"))
        self.train_button.setEnabled(writable and not training)
        self.train_button.setToolTip("A training is running (here or in another window)" if training else
                                     "Train a new version in the background; searches and corrections go on.")
        n = self.data.get("to_relocalise", 0)
        self.relocalise_button.setVisible(bool(n) or self.jobs.relocalise_active)
        self.relocalise_button.setEnabled(writable and bool(n) and not self.jobs.relocalise_active)
        self._selected(self.table.currentItem(), None)

    def selected_version(self) -> str | None:
        item = self.table.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole)["version"] if item is not None else None

    @Slot(QTreeWidgetItem, QTreeWidgetItem)
    def _selected(self, item, _previous) -> None:
        row = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        self.promote_button.setEnabled(bool(row and not row.get("active")) and self._promoting is None
                                       and not self.context.read_only)

    # --- training ------------------------------------------------------------------------------
    @Slot()
    def train_now(self) -> None:
        record = self.jobs.start_training()
        if record is not None:
            self.status_message.emit("Training the product detector in the background (see the Jobs panel)")

    @Slot()
    def cancel(self) -> None:
        record = self.jobs.training
        if record is not None and not record.ended:
            self.context.cancel_job(record)
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Cancelling…")

    @Slot()
    def _jobs_changed(self) -> None:
        record = self.jobs.training
        if record is not None and not record.ended and record is not self._following:
            self._following = record  # a job started here, or by itself after corrections
            record.task.signals.progress.connect(self._progress)
            self.bar.setRange(0, 0)
            self.text.setText("Starting…")
            self.cancel_button.setEnabled(True)
            self.cancel_button.setText("Cancel")
            self.job_row.show()
            self.outcome.setText("")
        self._update_buttons()

    @Slot(int, int, str)
    def _progress(self, done: int, total: int, message: str) -> None:
        from app.workers.jobs import format_eta

        record = self.jobs.training
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, total))
        eta = format_eta(record.eta_s) if record is not None else "—"
        self.text.setText(f"{message[:48]} · ETA {eta}")

    @Slot(object)
    def _job_finished(self, record) -> None:
        if record is self.jobs.training:
            self.job_row.hide()
            self.outcome.setText(summary(record))
            promoted = record.state is JobState.SUCCEEDED and record.result is not None and record.result.details.get("promoted")
            if promoted:
                self.status_message.emit("The new product detector is in use for new photos and searches")
        elif record is self.jobs.relocalising:
            self.outcome.setText(summary(record))
        else:
            return
        self.refresh()

    # --- promotion and re-localising -----------------------------------------------------------
    @Slot()
    def promote_selected(self) -> None:
        version = self.selected_version()
        if not version:
            return
        from core.ops.product_detector import promote_detector

        catalog = self.context.catalog

        def work(registry, progress, should_stop):
            with catalog.writing():  # between two searches: none runs half on the old detector
                promote_detector(catalog, version)
            return version

        task = ModelTask(work, f"promote detector {version}")
        task.signals.result.connect(self._promoted)
        task.signals.failed.connect(self._promote_failed)
        task.signals.finished.connect(self._promote_finished)
        self._promoting = task
        self.promote_button.setEnabled(False)
        self.context.run_model_task(task)

    @Slot(object)
    def _promoted(self, version: str) -> None:
        self.outcome.setText(f"{version} is in use for new photos and searches.")
        self.status_message.emit(f"Promoted {version}")

    @Slot(str)
    def _promote_failed(self, message: str) -> None:
        self.status_message.emit(f"Could not promote: {message.splitlines()[0]}")

    @Slot()
    def _promote_finished(self) -> None:
        self._promoting = None
        self.refresh()

    @Slot()
    def relocalise(self) -> None:
        if self.jobs.start_relocalise() is not None:
            self.relocalise_button.setEnabled(False)
            self.status_message.emit("Re-localising scene photos in the background (see the Jobs panel)")

    def dispose(self) -> None:
        if self._read is not None:
            self._read.cancel()
