"""The Conflicts list: every field two curators edited on two machines; the later edit by server time won, the
other can be put back in one click (a new edit, which wins once synced) or dismissed."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.views.tiles import plain_tip

RowRole = Qt.ItemDataRole.UserRole


class ConflictsView(QDialog):
    def __init__(self, context, service, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.service = service
        self.rows: list = []
        self._task = None
        self.setWindowTitle(self.tr("Conflicts"))
        self.intro = QLabel(self.tr("The same field was edited on two machines: the later edit (by the time the "
                                    "server received it) won. Restore puts the other value back."))
        self.intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("SKU"), self.tr("Field"), self.tr("Overwritten"), self.tr("Kept"),
                                   self.tr("When")])
        self.tree.setRootIsDecorated(False)
        self.tree.itemSelectionChanged.connect(self._selection)
        self.restore_button = QPushButton(self.tr("Restore the overwritten value"))
        self.keep_button = QPushButton(self.tr("Keep the later edit"))
        self.show_resolved = QCheckBox(self.tr("Show resolved"))
        self.restore_button.clicked.connect(self.restore)
        self.keep_button.clicked.connect(self.keep)
        self.show_resolved.toggled.connect(self.refresh)
        self.empty = QLabel(self.tr("No conflicts."))
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.keep_button)
        buttons.addStretch(1)
        buttons.addWidget(self.show_resolved)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        service.applied.connect(self._changed)
        context.catalog_changed.connect(self.refresh)  # a sync may bring new conflicts
        self.resize(760, 360)
        self._selection()
        self.refresh()

    @Slot()
    def refresh(self, *_args) -> None:
        from core.edits import conflicts

        every = self.show_resolved.isChecked()
        task = self.context.read(lambda: conflicts(include_resolved=every), "conflicts")
        task.signals.result.connect(self._on_read)
        self._task = self.context.run_in_pool(task)

    @Slot(object)
    def _on_read(self, rows: list) -> None:
        from core.edits import field_label, value_text

        self.rows = rows
        self.tree.clear()
        for row in rows:
            item = QTreeWidgetItem([row.sku, field_label(row.field),
                                    f"{value_text(row.field, row.loser_value)} ({row.loser_user})",
                                    f"{value_text(row.field, row.winner_value)} ({row.winner_user})",
                                    str(row.created_at)[:16] + (self.tr(" · resolved") if row.resolved else "")])
            item.setData(0, RowRole, row)
            item.setToolTip(2, plain_tip(row.describe()))
            self.tree.addTopLevelItem(item)
        self.empty.setVisible(not rows)
        if rows:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self._selection()

    def _current(self):
        item = self.tree.currentItem()
        return item.data(0, RowRole) if item is not None else None

    @Slot()
    def _selection(self) -> None:
        row = self._current()
        for button in (self.restore_button, self.keep_button):
            button.setEnabled(row is not None and not row.resolved)

    @Slot()
    def restore(self) -> None:
        row = self._current()
        if row is not None and not row.resolved:
            self.service.restore_conflict(row.id, row.product_id)

    @Slot()
    def keep(self) -> None:
        row = self._current()
        if row is not None and not row.resolved:
            self.service.keep_conflict(row.id)

    @Slot(object)
    def _changed(self, _result) -> None:
        self.refresh()
