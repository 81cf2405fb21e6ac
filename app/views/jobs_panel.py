"""Jobs: a thin strip while they run (one bar, time left, cancel) that folds away when they are done; the
Jobs panel (one row per job with its per-file errors and warnings) on demand; the end-of-job message."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import translate
from app.theme import STATE_BADGES, font, icon
from app.views.tiles import plain_tip
from app.workers.jobs import JobRecord
from core.jobs import JobPhase, JobResult, JobState

REFRESH_MS = 250


def eta_words(seconds: float | None) -> str:
    if seconds is None:
        return translate("jobs", "estimating time left…")
    seconds = int(round(seconds))
    if seconds >= 3600:
        return translate("jobs", "about %n h left", None, max(1, round(seconds / 3600)))
    if seconds >= 90:
        return translate("jobs", "about %n min left", None, round(seconds / 60))
    return translate("jobs", "%n s left", None, max(1, seconds))


def product_counts(result: JobResult) -> tuple[int, int] | None:
    """(products that went in, products dropped), counted on the import's per-product verdicts; None when
    the job imported nothing (a re-index)."""
    verdicts = [v for v in (result.details or {}).get("verdicts") or () if v.get("kind") == "product"]
    if not verdicts:
        return None
    return sum(1 for v in verdicts if v.get("verdict") != "rejected"), len(verdicts)


class JobRow(QFrame):
    def __init__(self, record: JobRecord, on_cancel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record = record
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(record.title)
        self.title.setFont(font("body", bold=True))
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setAccessibleName(self.tr("Progress of %1").replace("%1", record.title))
        self.detail = QLabel(self.tr("Waiting for the models…"))
        self.cancel_button = QPushButton(icon("cancel"), self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel %1").replace("%1", record.title))
        self.cancel_button.clicked.connect(lambda: self._cancel(on_cancel))
        self.errors = QListWidget()
        self.errors.setAccessibleName(self.tr("Errors and warnings"))
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
        self.cancel_button.setText(self.tr("Cancelling…"))
        self.detail.setText(self.tr("Cancelling… (stops after the current batch; nothing is saved)")
                            if self.record.kind == "train_detector" else
                            self.tr("Cancelling… (what is already indexed is kept)"))
        on_cancel(self.record)

    def refresh(self) -> None:
        r = self.record
        if r.state.active and not self.cancel_button.isEnabled():
            return  # cancelling: keep saying so until the job has stopped
        if r.state.active:
            if r.total:  # one bar across all phases, in thousandths
                self.bar.setRange(0, 1000)
                self.bar.setValue(int(r.fraction * 1000))
            if r.state is JobState.RUNNING and r.kind == "train_detector":  # scenes, then batches: no images/s
                self.detail.setText(f"{r.message[:70]} · {eta_words(r.overall_eta_s)}")
            elif r.state is JobState.RUNNING:
                rate = self.tr("%1 images/s").replace("%1", f"{r.rate:.1f}") if r.rate else ""
                phase = self.tr("Importing") if r.phase is JobPhase.IMPORTING else self.tr("Indexing")
                parts = [f"{phase} {r.done}/{r.total}", rate, eta_words(r.overall_eta_s), r.message[:60]]
                self.detail.setText(" · ".join(p for p in parts if p))
            return
        self.cancel_button.setVisible(False)
        counts = product_counts(r.result or JobResult())
        if r.state is JobState.SUCCEEDED and r.errors and counts:  # not a full bar: the products that went in
            went_in, dropped = counts
            self.bar.setRange(0, max(1, dropped))
            self.bar.setValue(went_in)
            self.bar.setFormat(self.tr("%1 of %2 products went in").replace("%1", str(went_in))
                               .replace("%2", str(dropped)))
        elif r.state is JobState.SUCCEEDED:
            self.bar.setRange(0, 1)
            self.bar.setValue(1)
        elif self.bar.maximum() == 0:  # ended before any progress: stop the busy animation
            self.bar.setRange(0, 1)
            self.bar.setValue(0)
        self.detail.setText(summary(r))
        if (r.errors or r.warnings) and not self.errors.count():
            for error in r.errors:
                self.errors.addItem(QListWidgetItem(icon("warning", STATE_BADGES["error"][1]),
                                                    f"{error.get('path', '')}: {error.get('reason', '')}"))
            for warning in r.warnings:
                self.errors.addItem(QListWidgetItem(icon("warning", STATE_BADGES["flagged"][1]),
                                                    f"{warning.get('path', '')}: {warning.get('reason', '')}"))
            self.errors.setVisible(True)


def progress_row(on_cancel) -> tuple[QWidget, QProgressBar, QLabel, QPushButton]:
    """A job's compact progress line for a page that runs one job (bar, its words, Cancel), hidden at first."""
    bar = QProgressBar()
    bar.setMaximumHeight(10)
    text = QLabel()
    cancel = QPushButton(icon("cancel"), translate("jobs", "Cancel"))
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
        return translate("jobs", "Failed: %1").replace(
            "%1", r.message.splitlines()[0] if r.message else translate("jobs", "unknown error"))
    result = r.result or JobResult()
    text = (translate("jobs", "%n products imported", None, result.products) + ", "
            + translate("jobs", "%n indexed", None, result.indexed) + ", "
            + translate("jobs", "%n unchanged", None, result.skipped))
    counts = product_counts(result)
    if counts and counts[0] != counts[1]:
        text = translate("jobs", "%1 of %2 products went in").replace("%1", str(counts[0])).replace(
            "%2", str(counts[1])) + ": " + text
    if r.kind == "reindex":  # a staged re-index imports nothing; what matters is whether it can be promoted
        text = (translate("jobs", "%n products indexed with the new model", None, result.indexed)
                + (translate("jobs", "; complete: promote it on the Models page") if result.complete else ""))
    if r.kind == "train_detector":
        return (translate("jobs", "Cancelled: no detector was saved") if r.state is JobState.CANCELLED
                else training_summary(result.details))
    if r.kind == "relocalise":
        d = result.details
        text = translate("jobs", "%1 of %2 products with a scene photo now have a box from %3").replace(
            "%1", str(d.get("relocalised", 0))).replace("%2", str(d.get("scene_products", 0))).replace(
            "%3", d.get("detector") or translate("jobs", "the detector"))
    if r.errors:
        text += ", " + translate("jobs", "%n errors", None, len(r.errors))
    if r.warnings:
        text += ", " + translate("jobs", "%n warnings", None, len(r.warnings))
    if result.seconds is not None:
        text += " " + translate("jobs", "in %1 s").replace("%1", f"{result.seconds:.1f}")
    if r.state is JobState.CANCELLED:
        return translate("jobs", "Cancelled: %1").replace("%1", text)
    if r.errors:  # some products did not go in: not "Done"; the reasons are listed under the row
        return translate("jobs", "Finished with %n errors: ", None, len(r.errors)) + text
    return translate("jobs", "Done: %1").replace("%1", text)


def training_summary(result: dict) -> str:
    """A finished detector training in words: its held-back score against what runs today, and the outcome."""
    cand, cur = result.get("candidate") or {}, result.get("current") or {}
    score = translate("jobs", "finds the product in %1 of held-back scenes vs %2 for %3").replace(
        "%1", f"{cand.get('iou_at_0_5', 0):.0%}").replace("%2", f"{cur.get('iou_at_0_5', 0):.0%}").replace(
        "%3", result.get("current_name") or translate("jobs", "the current one"))
    outcome = (translate("jobs", "promoted: new photos and searches use it (older scene photos: Models page)")
               if result.get("promoted") else translate("jobs", "not promoted"))
    verdict = result.get("verdict") or {}
    if verdict.get("queries"):  # how sure the promotion gate was
        lo, hi = verdict.get("interval", [0.0, 0.0])
        outcome += (f" (mean IoU {verdict.get('mean_difference', 0.0):+.3f}, 95 % interval {lo:+.3f} to {hi:+.3f}, "
                    f"p(win) {verdict.get('p_win', 0.0):.2f}: {verdict.get('reason', '')})")
    return translate("jobs", "Done: %1").replace(
        "%1", f"{result.get('version') or translate('jobs', 'the new detector')} {score}; {outcome}")


class JobsPanel(QWidget):
    """Every job of this session, one row each with its errors: the strip's expanded view (Ctrl+J)."""

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
        self.empty = QLabel(self.tr("No jobs yet. Drop product folders on the window to import and index them."))
        self.empty.setObjectName("muted")
        self.empty.setWordWrap(True)
        self.setMinimumHeight(120)  # room for one job: title, bar, rate and ETA
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


class JobStrip(QFrame):
    """The thin line under the pages while jobs run: what runs, one bar across all its phases, the time
    left, Cancel, and Details (the Jobs panel). When the last job ends it says how it went (the toast, in
    the strip: it covers nothing) and folds away."""

    details_requested = Signal()

    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("job-strip")
        self.setAccessibleName(self.tr("Background jobs"))
        self.records: list[JobRecord] = []
        self.toast = Toast(self)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedSize(200, 6)
        self.bar.setAccessibleName(self.tr("Job progress"))
        self.eta = QLabel()
        self.eta.setObjectName("muted")
        self.cancel_button = QToolButton()
        self.cancel_button.setAutoRaise(True)
        self.cancel_button.setToolTip(self.tr("Cancel this job (what is done is kept)"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the job"))
        self.cancel_button.clicked.connect(self._cancel)
        self.details_button = QToolButton()
        self.details_button.setAutoRaise(True)
        self.details_button.setText(self.tr("Details"))
        self.details_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_button.setToolTip(self.tr("Show every job with its errors (Ctrl+J)"))
        self.details_button.clicked.connect(self.details_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        layout.setSpacing(8)
        layout.addWidget(self.toast)
        layout.addWidget(self.title)
        layout.addWidget(self.bar)
        layout.addWidget(self.eta)
        layout.addStretch(1)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.details_button)
        self.setFixedHeight(30)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self.toast.hidden.connect(self._fold_if_idle)
        self.set_icons()
        context.job_added.connect(self._on_added)
        context.job_finished.connect(self._on_finished)
        self.hide()

    def set_icons(self) -> None:
        self.cancel_button.setIcon(icon("cancel"))
        self.details_button.setIcon(icon("expand"))

    def active(self) -> list[JobRecord]:
        return [r for r in self.records if r.state.active]

    @Slot(object)
    def _on_added(self, record: JobRecord) -> None:
        self.records = [*self.active(), record]
        self.toast.hide()
        self.refresh()
        self.show()
        self._timer.start()

    @Slot(object)
    def _on_finished(self, record: JobRecord) -> None:
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        running = self.active()
        for widget in (self.title, self.bar, self.eta, self.cancel_button):
            widget.setVisible(bool(running))
        if not running:
            self._timer.stop()
            return
        if len(running) == 1:
            self.title.setText(running[0].title)
        else:
            self.title.setText(self.tr("%n jobs", "", len(running)))
        fraction = sum(r.fraction for r in running) / len(running)
        self.bar.setValue(int(fraction * 1000))
        etas = [r.overall_eta_s for r in running]
        self.eta.setText(eta_words(None if None in etas else max(etas)))
        self.cancel_button.setEnabled(True)

    @Slot()
    def _cancel(self) -> None:
        for record in self.active():
            self.context.cancel_job(record)
        self.cancel_button.setEnabled(False)
        self.eta.setText(self.tr("Cancelling…"))

    def announce(self, text: str, ms: int = 6000) -> None:
        """How the last job went, in the strip; the strip folds away after `ms` unless another job runs."""
        self.show()
        self.refresh()
        self.toast.show_message(text, ms)

    @Slot()
    def _fold_if_idle(self) -> None:
        if not self.active():
            self.hide()

    def stop(self) -> None:
        self._timer.stop()
        self.toast.stop()


class NotIndexedBanner(QFrame):
    """"N products not indexed — Index now": shown on opening a catalog whose last job stopped part-way."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("not-indexed-banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel()
        self.index_now = QPushButton(self.tr("Index now"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.index_now)
        self.setVisible(False)

    def show_count(self, n: int) -> None:
        self.label.setText(self.tr("%n products not indexed — they are not found by search yet.", "", n))
        self.setVisible(n > 0)


class Toast(QFrame):
    """A short message that ends itself after a few seconds. It sits in a line of its own (the job
    strip), never over the pages, so it hides nothing."""

    hidden = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("toast")
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # a folder or product name is text, never markup
        self.label.setMaximumWidth(560)
        self.close_button = QToolButton()
        self.close_button.setAutoRaise(True)
        self.close_button.setIcon(icon("close"))
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.setAccessibleName(self.tr("Dismiss the message"))
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 2, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    def show_message(self, text: str, ms: int = 6000) -> None:
        fm = self.label.fontMetrics()
        self.label.setText(fm.elidedText(text, Qt.TextElideMode.ElideRight, self.label.maximumWidth()))
        self.label.setToolTip(plain_tip(text))  # the tooltip too: a folder name is text
        self.show()
        self._timer.start(ms)

    @Slot()
    def dismiss(self) -> None:
        self._timer.stop()
        self.hide()
        self.hidden.emit()

    def stop(self) -> None:
        self._timer.stop()
