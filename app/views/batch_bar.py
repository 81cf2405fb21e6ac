"""The batch bar: what a curator does to every selected product at once (approve, flag, label, re-index,
delete), each action one undo step through core; shown while two or more products are selected."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QStringListModel, Qt, Signal, Slot
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.views.label_chips import parse_label


class DeleteProducts(QUndoCommand):
    """Soft delete (restorable); undo restores the same products."""

    def __init__(self, product_ids: list[int], on_change, catalog=None) -> None:
        super().__init__(f"Delete {len(product_ids)} product{'s' if len(product_ids) != 1 else ''}")
        self.ids = list(product_ids)
        self._on_change = on_change
        self._catalog = catalog  # its vector indexes drop the products and take them back on undo

    def redo(self) -> None:
        from core.catalog.retention import delete_products

        delete_products(self.ids, self._catalog)
        self._on_change()

    def undo(self) -> None:
        from core.catalog.retention import restore_products

        restore_products(self.ids, self._catalog)
        self._on_change()


def _plural(n: int) -> str:
    return f"{n} product{'s' if n != 1 else ''}"


class BatchBar(QWidget):
    status_message = Signal(str)

    def __init__(self, context, service, selected: Callable[[], list[int]], on_deleted: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.service = service
        self.selected = selected
        self.on_deleted = on_deleted
        self.count = QLabel()
        self.approve_button = QPushButton("Approve")
        self.flag_button = QPushButton("Flag")
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText("Add a label to all… (Enter)")
        self.label_edit.setClearButtonEnabled(True)
        from core.models.labels import load_vocabularies

        self.vocabularies = load_vocabularies()
        words = sorted(f"{name}: {value}" for name, values in self.vocabularies.items() for value in values)
        completer = QCompleter(QStringListModel(words, self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.label_edit.setCompleter(completer)
        self.reindex_button = QPushButton("Re-index")
        self.reindex_button.setToolTip("Run detection and embedding again for the selected products "
                                       "(boxes a curator drew or moved are kept)")
        self.delete_button = QPushButton("Delete")
        self.approve_button.clicked.connect(self.approve)
        self.flag_button.clicked.connect(self.flag)
        self.label_edit.returnPressed.connect(self.add_label)
        self.reindex_button.clicked.connect(self.reindex)
        self.delete_button.clicked.connect(self.delete)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.count)
        for widget in (self.approve_button, self.flag_button, self.label_edit, self.reindex_button,
                       self.delete_button):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.update_count(0)

    def add_edit_fields(self, open_dialog: Callable[[], object]) -> None:
        """ "Edit fields…": attributes, category, find and replace over the selection, with a preview."""
        self.edit_button = QPushButton(self.tr("Edit fields…"))
        self.edit_button.setToolTip(self.tr("Set, append or remove an attribute, set the category, find and "
                                            "replace in titles or descriptions; a preview shows every change"))
        self.edit_button.clicked.connect(open_dialog)
        self.layout().insertWidget(4, self.edit_button)

    def update_count(self, n: int) -> None:
        self.count.setText(f"<b>{n:,} selected</b>")
        for button, verb in ((self.approve_button, "Approve"), (self.flag_button, "Flag"),
                             (self.reindex_button, "Re-index"), (self.delete_button, "Delete")):
            button.setToolTip(f"{verb} the {_plural(n)} selected (Ctrl+Z undoes)" if verb != "Re-index"
                              else self.reindex_button.toolTip())
        self.setVisible(n >= 2)

    def _ids(self) -> list[int]:
        ids = self.selected()
        if not ids:
            self.status_message.emit("Select products first (Ctrl/Shift+click, Ctrl+A)")
        return ids

    @Slot()
    def approve(self) -> None:
        self.review("approved")

    @Slot()
    def flag(self) -> None:
        self.review("flagged")

    def review(self, state: str) -> None:
        ids = self._ids()
        if ids:
            self.service.set_review_states(ids, state)
            word = "Approved" if state == "approved" else "Flagged"
            self.status_message.emit(f"{word} {_plural(len(ids))} — Ctrl+Z undoes all of them")

    @Slot()
    def add_label(self) -> None:
        parsed = parse_label(self.label_edit.text(), self.vocabularies)
        if parsed is None:
            self.status_message.emit("Type a label first, e.g. colours: red or a word of your own")
            return
        ids = self._ids()
        if ids:
            self.service.add_labels(ids, *parsed)
            self.label_edit.clear()
            self.status_message.emit(f"Label “{parsed[1]}” added to {_plural(len(ids))} — Ctrl+Z undoes")

    @Slot()
    def reindex(self) -> None:
        ids = self._ids()
        if ids and self.context.start_index_job([], product_ids=ids) is not None:
            self.status_message.emit(f"Re-indexing {_plural(len(ids))} — progress in Jobs (Ctrl+J)")

    @Slot()
    def delete(self) -> None:
        ids = self._ids()
        if ids:
            command = DeleteProducts(ids, self.on_deleted, self.context.catalog)
            self.service.undo_stack.push(command)
            self.status_message.emit(f"{command.text()} — Ctrl+Z undoes")
