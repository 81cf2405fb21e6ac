"""The shortcut sheet (F1 or Ctrl+/): every keyboard shortcut of the window, read from its actions, so the
sheet can never disagree with the keys that work."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.theme import font


def window_shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(keys, what they do) for every action of `window` that has a shortcut, in menu order."""
    seen: set[str] = set()
    rows = []
    for action in window.actions():
        if not isinstance(action, QAction) or action.shortcut().isEmpty():
            continue
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys in seen:
            continue
        seen.add(keys)
        rows.append((keys, action.text().replace("&", "").replace("…", "")))
    return rows


class ShortcutSheet(QDialog):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.setAccessibleName(self.tr("Keyboard shortcuts"))
        fixed = [
            ("← → ↑ ↓", self.tr("Move between products in the grid")),
            (self.tr("Double-click, Enter"), self.tr("Open the product in the loupe")),
            ("← →", self.tr("In the loupe: the product's other views")),
            ("Esc", self.tr("Leave the loupe, a field or a dialog")),
            ("Tab, Shift+Tab", self.tr("Move the focus to the next or previous control")),
            ("A, F", self.tr("Review canvas: approve, flag")),
            ("P", self.tr("Review canvas: make the selected box the product's")),
            ("L", self.tr("Review canvas: add a label (Esc returns to the canvas)")),
            ("F1, Ctrl+/", self.tr("This sheet")),
        ]
        rows = window_shortcuts(window) + fixed
        self.table = QTableWidget(len(rows), 2)
        self.table.setAccessibleName(self.tr("Shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("What they do")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setShowGrid(False)
        bold = font("body", bold=True)
        for n, (keys, text) in enumerate(rows):
            key_item = QTableWidgetItem(keys)
            key_item.setFont(bold)
            self.table.setItem(n, 0, key_item)
            self.table.setItem(n, 1, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        title = QLabel(self.tr("Keyboard shortcuts"))
        title.setFont(font("heading", bold=True))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(560, 600)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def rows(self) -> list[tuple[str, str]]:
        return [(self.table.item(n, 0).text(), self.table.item(n, 1).text()) for n in range(self.table.rowCount())]
