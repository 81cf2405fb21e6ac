"""The jobs panel: one row per job with progress, ETA, images/s, cancel and its per-file errors and warnings;
and a toast that says when a job ends."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, QPropertyAnimation, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsOpacityEffect,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.workers.jobs import JobRecord, format_eta
from core.jobs import JobResult, JobState

REFRESH_MS = 250


class JobRow(QFrame):
    def __init__(self, record: JobRecord, on_cancel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record = record
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(f"<b>{html.escape(record.title)}</b>")  # a folder's name is text, never markup
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.detail = QLabel("Waiting for the models…")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(lambda: self._cancel(on_cancel))
        self.errors = QListWidget()
        self.errors.setVisible(False)
        self.errors.setMaximumHeight(120)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.bar)
        layout.addWidget(self.detail)
        layout.addWidget(self.errors)

    def _cancel(self, on_cancel) -> None:
        """Says at once that the click was heard; the job stops at its next check and the row then
        says "Cancelled"."""
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.detail.setText("Cancelling… (stops after the current batch; nothing is saved)"
                            if self.record.kind == "train_detector" else
                            "Cancelling… (what is already indexed is kept)")
        on_cancel(self.record)

    def refresh(self) -> None:
        r = self.record
        if r.state.active and not self.cancel_button.isEnabled():
            return  # cancelling: keep saying so until the job has stopped
        if r.state.active:
            if r.total:
                self.bar.setRange(0, r.total)
                self.bar.setValue(r.done)
            if r.state is JobState.RUNNING and r.kind == "train_detector":  # scenes, then batches: no images/s
                self.detail.setText(f"{r.message[:70]} · ETA {format_eta(r.eta_s)}")
            elif r.state is JobState.RUNNING:
                rate = f"{r.rate:.1f} images/s" if r.rate else "— images/s"
                self.detail.setText(f"{r.phase.capitalize()} {r.done}/{r.total} · {rate} · "
                                    f"ETA {format_eta(r.eta_s)} · {r.message[:60]}")
            return
        self.cancel_button.setVisible(False)
        if r.state is JobState.SUCCEEDED and r.errors:  # not a full bar: the share of products that went in
            result = r.result or JobResult()
            ok = result.indexed + result.skipped
            self.bar.setRange(0, max(1, ok + len(r.errors)))
            self.bar.setValue(ok)
            self.bar.setFormat("%v of %m went in")
        elif r.state is JobState.SUCCEEDED:
            self.bar.setRange(0, 1)
            self.bar.setValue(1)
        elif self.bar.maximum() == 0:  # ended before any progress: stop the busy animation
            self.bar.setRange(0, 1)
            self.bar.setValue(0)
        self.detail.setText(summary(r))
        if (r.errors or r.warnings) and not self.errors.count():
            for error in r.errors:
                self.errors.addItem(f"✖ {error.get('path', '')}: {error.get('reason', '')}")
            for warning in r.warnings:
                self.errors.addItem(f"⚠ {warning.get('path', '')}: {warning.get('reason', '')}")
            self.errors.setVisible(True)


def progress_row(on_cancel) -> tuple[QWidget, QProgressBar, QLabel, QPushButton]:
    """A job's compact progress line for a page that runs one job (bar, its words, Cancel), hidden at first."""
    bar = QProgressBar()
    bar.setMaximumHeight(10)
    text = QLabel()
    cancel = QPushButton("Cancel")
    cancel.clicked.connect(on_cancel)
    line = QHBoxLayout()
    line.setContentsMargins(0, 0, 0, 0)
    line.addWidget(bar, 1)
    line.addWidget(text)
    line.addWidget(cancel)
    row = QWidget()
    row.setLayout(line)
    row.hide()
    return row, bar, text, cancel


def summary(r: JobRecord) -> str:
    if r.state is JobState.FAILED:
        return f"Failed: {r.message.splitlines()[0] if r.message else 'unknown error'}"
    result = r.result or JobResult()
    text = f"{result.products} products imported, {result.indexed} indexed, {result.skipped} unchanged"
    if r.kind == "reindex":  # a staged re-index imports nothing; what matters is whether it can be promoted
        text = (f"{result.indexed} products indexed with the new model"
                + ("; complete: promote it on the Models page" if result.complete else ""))
    if r.kind == "train_detector":
        return ("Cancelled: no detector was saved" if r.state is JobState.CANCELLED
                else training_summary(result.details))
    if r.kind == "relocalise":
        d = result.details
        text = (f"{d.get('relocalised', 0)} of {d.get('scene_products', 0)} products with a scene photo "
                f"now have a box from {d.get('detector') or 'the detector'}")
    if r.errors:
        text += f", {len(r.errors)} error{'s' if len(r.errors) != 1 else ''}"
    if r.warnings:
        text += f", {len(r.warnings)} warning{'s' if len(r.warnings) != 1 else ''}"
    if result.seconds is not None:
        text += f" in {result.seconds:.1f} s"
    if r.state is JobState.CANCELLED:
        return "Cancelled: " + text
    if r.errors:  # some products did not go in: not "Done"; the reasons are listed under the row
        n = len(r.errors)
        return f"Finished with {n} error{'s' if n != 1 else ''}: " + text
    return "Done: " + text


def training_summary(result: dict) -> str:
    """A finished detector training in words: its held-back score against what runs today, and the outcome."""
    cand, cur = result.get("candidate") or {}, result.get("current") or {}
    score = (f"finds the product in {cand.get('iou_at_0_5', 0):.0%} of held-back scenes vs "
             f"{cur.get('iou_at_0_5', 0):.0%} for {result.get('current_name', 'the current one')}")
    outcome = ("promoted: new photos and searches use it (older scene photos: Models page)" if result.get("promoted")
               else "not promoted")
    return f"Done: {result.get('version', 'the new detector')} {score}; {outcome}"


class JobsPanel(QWidget):
    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.rows: list[JobRow] = []
        self._box = QVBoxLayout()
        self._box.addStretch(1)
        inner = QWidget()
        inner.setLayout(self._box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.empty = QLabel("No jobs yet. Drop product folders on the window to import and index them.")
        self.empty.setWordWrap(True)
        self.setMinimumHeight(170)  # room for one job: title, bar, rate and ETA
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.empty)
        layout.addWidget(scroll, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        context.job_added.connect(self._on_added)
        context.job_finished.connect(self._on_finished)

    @Slot(object)
    def _on_added(self, record: JobRecord) -> None:
        row = JobRow(record, self.context.cancel_job)
        self.rows.append(row)
        self._box.insertWidget(0, row)
        self.empty.setVisible(False)
        self._timer.start()

    @Slot(object)
    def _on_finished(self, record: JobRecord) -> None:
        self.refresh()
        if not any(r.record.state.active for r in self.rows):
            self._timer.stop()

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def refresh(self) -> None:
        for row in self.rows:
            row.refresh()


class NotIndexedBanner(QFrame):
    """"N products not indexed — Index now": shown on opening a catalog whose last job stopped part-way."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("not-indexed-banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel()
        self.index_now = QPushButton("Index now")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.index_now)
        self.setVisible(False)

    def show_count(self, n: int) -> None:
        self.label.setText(f"{n} product{'s' if n != 1 else ''} not indexed — they are not found by search yet.")
        self.setVisible(n > 0)


class Toast(QFrame):
    """A small message in the bottom-right corner of its parent that fades after a few seconds."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("toast")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.ToolTipBase)
        self.setForegroundRole(self.palette().ColorRole.ToolTipText)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # a folder or product name is text, never markup
        self.label.setWordWrap(True)
        self.label.setMaximumWidth(360)
        close = QPushButton("×")
        close.setFlat(True)
        close.setFixedWidth(24)
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._effect = QGraphicsOpacityEffect(self)
        self.setGraphicsEffect(self._effect)
        self._fade = QPropertyAnimation(self._effect, b"opacity", self)
        self._fade.setDuration(400)
        self._fade.finished.connect(self._faded)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._start_fade)
        parent.installEventFilter(self)
        self.hide()

    def show_message(self, text: str, ms: int = 6000) -> None:
        self._fade.stop()
        self._effect.setOpacity(1.0)
        self.label.setText(text)
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()
        self._timer.start(ms)

    def _place(self) -> None:
        parent = self.parentWidget()
        margin = 16
        # bottom-left, over the grid: the detail pane on the right stays readable
        self.move(margin, parent.height() - self.height() - margin - 24)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False

    @Slot()
    def _start_fade(self) -> None:
        self._fade.setStartValue(1.0)
        self._fade.setEndValue(0.0)
        self._fade.start()

    @Slot()
    def _faded(self) -> None:
        if self._effect.opacity() == 0.0:
            self.hide()

    def stop(self) -> None:
        self._timer.stop()
        self._fade.stop()
