"""The review page: products needing a look, most uncertain first, with their reasons, next to the
correction panel; keyboard-driven (J/K, A, F, P, L) with the progress "132 of 940 reviewed"."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, Signal, Slot
from PySide6.QtGui import QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.views.batch_bar import BatchBar
from app.views.review_panel import ReviewPanel
from app.views.tiles import plain_tip
from core.catalog import queries
from core.catalog.queries import ReviewProgress, ReviewRow

QUEUE_LIMIT = 500
STATE_MARK = {"approved": "✔", "flagged": "⚑", "pending": ""}
DOUBT_TIP = ("How unsure the automatic result is: 0% nothing to check, 100% check first. The queue is sorted "
             "by it; several doubts together can add up past 100%, shown as 100%.")


THUMB = 40


@dataclass(frozen=True)
class QueueData:
    rows: list[ReviewRow]
    progress: ReviewProgress
    details: dict[int, list[str]]  # what sets each product's doubt apart (queries.review_details)
    covers: dict[int, queries.Cover]


def read_queue(limit: int = QUEUE_LIMIT) -> QueueData:
    """A pool read (one grouped pass over crops and labels)."""
    rows = queries.review_queue(limit, include_reviewed=True)
    ids = [r.product_id for r in rows]
    return QueueData(rows, queries.review_progress(), queries.review_details(ids), queries.covers(ids))


_SAID_BY_DETAILS = ("Two boxes are nearly tied", "The main crop won", "Labels are")


def why_in_full(row: ReviewRow, details: list[str]) -> str:
    """The kind of doubt the details do not already say (failed, outlier, boxes set aside), then the details."""
    kinds = [w for w in row.why().split("; ") if details and not w.startswith(_SAID_BY_DETAILS)
             and w != "Nothing doubtful found"] if details else [row.why()]
    return "; ".join([*kinds, *details])


class ReviewQueueView(QWidget):
    status_message = Signal(str)
    changed = Signal()  # products deleted or restored from here

    def __init__(self, context, service, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.service = service
        self.rows: list[ReviewRow] = []
        self._task = None
        self._again = False
        self.progress_label = QLabel("Loading the review queue…")
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["", "Doubt", "Product", "Why"])
        self.tree.headerItem().setToolTip(1, DOUBT_TIP)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setIconSize(QSize(THUMB, THUMB))
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(24)
        for column, mode in ((0, QHeaderView.ResizeMode.ResizeToContents),
                             (1, QHeaderView.ResizeMode.ResizeToContents),
                             (2, QHeaderView.ResizeMode.Interactive)):
            header.setSectionResizeMode(column, mode)
        self.tree.setColumnWidth(2, 230)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.covers: dict[int, queries.Cover] = {}
        context.thumbnails.ready.connect(self._thumbnail_ready)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.batch = BatchBar(context, service, self.selected_ids, self._deleted)
        self.batch.status_message.connect(self._say)
        keys = QLabel("J/K next/previous · A approve · F flag · P primary crop · L labels · Ctrl/Shift+click selects several")
        keys.setStyleSheet("color: palette(placeholder-text)")
        keys.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        left_layout.addWidget(self.progress_label)
        left_layout.addWidget(self.progress)
        left_layout.addWidget(self.batch)
        left_layout.addWidget(self.tree, 1)
        left_layout.addWidget(keys)
        self.panel = ReviewPanel(context, service, shortcuts=False)
        for key, slot in (("A", self.approve), ("F", self.flag), ("P", self.panel.make_selected_primary),
                          ("L", self.panel.focus_labels)):
            shortcut = QShortcut(QKeySequence(key), self, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.panel.approve_button.clicked.disconnect()
        self.panel.flag_button.clicked.disconnect()
        self.panel.approve_button.clicked.connect(self.approve)
        self.panel.flag_button.clicked.connect(self.flag)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.panel)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([420, 800])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        service.applied.connect(self._on_applied)
        self.panel.status_message.connect(self._say)

    # --- data ----------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        if self._task is not None:
            self._again = True  # one more read once this one is back
            return
        task = self.context.read(read_queue, "review queue")
        task.signals.result.connect(self._on_read)
        task.signals.failed.connect(self._on_failed)
        task.signals.finished.connect(self._on_finished)
        self._task = task
        self.context.run_in_pool(task)

    @property
    def busy(self) -> bool:
        return self._task is not None

    @Slot(object)
    def _on_read(self, data: QueueData) -> None:
        current = self.current_product_id()
        chosen = set(self.selected_ids()) if len(self.tree.selectedItems()) > 1 else set()
        self.rows, progress, self.covers = data.rows, data.progress, data.covers
        self.set_progress(progress)
        self.tree.blockSignals(True)
        self.tree.clear()
        for row in self.rows:
            why = why_in_full(row, data.details.get(row.product_id, []))
            name = f"{row.title} · {row.sku}" if row.title and row.title != row.sku else row.sku
            item = QTreeWidgetItem([STATE_MARK.get(row.review_state, ""), f"{row.doubt:.0%}", name, why])
            pixmap = self._thumbnail(row.product_id)
            if pixmap is not None:
                item.setIcon(2, QIcon(pixmap))
            item.setToolTip(1, f"{DOUBT_TIP}\nScore: {row.uncertainty:.2f}")
            item.setToolTip(2, plain_tip(name))
            item.setToolTip(3, plain_tip(f"{name}\n{why}"))
            item.setData(0, Qt.ItemDataRole.UserRole, row.product_id)
            if row.review_state != "pending":
                for col in range(4):
                    item.setForeground(col, self.palette().placeholderText())
            self.tree.addTopLevelItem(item)
            item.setSelected(row.product_id in chosen)  # a multi-selection survives the re-read
        self.tree.blockSignals(False)
        ids = [r.product_id for r in self.rows]
        if current in ids and chosen:
            self.tree.setCurrentItem(self.tree.topLevelItem(ids.index(current)), 0,
                                     QItemSelectionModel.SelectionFlag.NoUpdate)
        elif current in ids:
            self.tree.setCurrentItem(self.tree.topLevelItem(ids.index(current)))
        elif ids:
            first = next((n for n, r in enumerate(self.rows) if r.review_state == "pending"), 0)
            self.tree.setCurrentItem(self.tree.topLevelItem(first))
        else:
            self.panel.show_product(None)
        self._selection_changed()

    def _thumbnail(self, product_id: int):
        cover = self.covers.get(product_id)
        if cover is None:
            return None
        pixmap = self.context.thumbnails.get(cover.sha256, self.context.catalog.root / cover.blob_path)
        # QIcon scales it when a row is painted: only the rows on screen, never 500 at a read
        return None if pixmap is None or pixmap.isNull() else pixmap

    @Slot(str)
    def _thumbnail_ready(self, sha256: str) -> None:
        for n, row in enumerate(self.rows):
            cover = self.covers.get(row.product_id)
            if cover is not None and cover.sha256 == sha256 and n < self.tree.topLevelItemCount():
                pixmap = self._thumbnail(row.product_id)
                if pixmap is not None:
                    self.tree.topLevelItem(n).setIcon(2, QIcon(pixmap))

    def set_progress(self, progress: ReviewProgress) -> None:
        reviewed, total = progress.reviewed, progress.total
        self.progress_label.setText(f"<b>{reviewed:,} of {total:,} reviewed</b>")
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(reviewed, total))

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.progress_label.setText(f"Could not read the review queue: {message.splitlines()[0]}")

    @Slot()
    def _on_finished(self) -> None:
        self._task = None
        if self._again:
            self._again = False
            self.refresh()

    @Slot(object)
    def _on_applied(self, _result: dict) -> None:
        if self.isVisible() or self.rows:
            self.refresh()

    # --- navigation and actions ----------------------------------------------------------------
    def current_product_id(self) -> int | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    @Slot(QTreeWidgetItem, QTreeWidgetItem)
    def _current_changed(self, current, _previous) -> None:
        self.panel.show_product(current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None)

    @Slot(str)
    def _say(self, text: str) -> None:
        self.status_message.emit(text)

    def step(self, delta: int) -> None:
        count = self.tree.topLevelItemCount()
        if not count:
            self.status_message.emit("The review queue is empty")
            return
        item = self.tree.currentItem()
        row = self.tree.indexOfTopLevelItem(item) if item is not None else -1
        target = min(max(row + delta, 0), count - 1)
        if target == row:
            self.status_message.emit("Last product in the queue" if delta > 0 else "First product in the queue")
            return
        self.tree.setCurrentItem(self.tree.topLevelItem(target))

    @Slot()
    def approve(self) -> None:
        self._review("approved")

    @Slot()
    def flag(self) -> None:
        self._review("flagged")

    def selected_ids(self) -> list[int]:
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in self.tree.selectedItems()]

    @Slot()
    def _selection_changed(self) -> None:
        self.batch.update_count(len(self.tree.selectedItems()))

    def _deleted(self) -> None:
        self.refresh()
        self.changed.emit()

    def _review(self, state: str) -> None:
        if len(self.tree.selectedItems()) > 1:  # A/F on a multi-selection act on all of it, as one undo step
            self.batch.review(state)
            return
        if not self.panel.set_review_state(state):
            return  # the panel said why
        self.step(1)  # on to the next product while the change is applied
        self.status_message.emit(f"{'Approved' if state == 'approved' else 'Flagged'} — Ctrl+Z undoes")

    def dispose(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self.panel.dispose()
