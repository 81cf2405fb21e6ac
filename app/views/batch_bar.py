"""The batch bar: what a curator does to every selected product at once (approve, flag, label, re-index,
delete), each action one undo step through core; shown while two or more products are selected."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QStringListModel, Qt, Signal, Slot
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.i18n import translate
from app.theme import STATE_BADGES, icon
from app.views.label_chips import parse_label


class DeleteProducts(QUndoCommand):
    """Soft delete (restorable); undo restores the same products."""

    def __init__(self, product_ids: list[int], on_change, catalog=None) -> None:
        super().__init__(translate("BatchBar", "Delete %n products", None, len(product_ids)))
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
    return translate("BatchBar", "%n products", None, n)


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
        self.approve_button = QPushButton(icon("approve", STATE_BADGES["approved"][1]), self.tr("Approve"))
        self.flag_button = QPushButton(icon("flag", STATE_BADGES["flagged"][1]), self.tr("Flag"))
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText(self.tr("Add a label to all… (Enter)"))
        self.label_edit.setAccessibleName(self.tr("Label for the selected products"))
        self.label_edit.setClearButtonEnabled(True)
        from core.models.labels import load_vocabularies

        self.vocabularies = load_vocabularies()
        words = sorted(f"{name}: {value}" for name, values in self.vocabularies.items() for value in values)
        completer = QCompleter(QStringListModel(words, self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.label_edit.setCompleter(completer)
        self.reindex_button = QPushButton(icon("reindex"), self.tr("Re-index"))
        self.reindex_button.setToolTip(self.tr("Run detection and embedding again for the selected products "
                                               "(boxes a curator drew or moved are kept)"))
        self.delete_button = QPushButton(icon("delete"), self.tr("Delete"))
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
        self.count.setText("<b>" + self.tr("%n selected", "", n) + "</b>")
        tips = {self.approve_button: self.tr("Approve the %n selected products (Ctrl+Z undoes)", "", n),
                self.flag_button: self.tr("Flag the %n selected products (Ctrl+Z undoes)", "", n),
                self.delete_button: self.tr("Delete the %n selected products (Ctrl+Z undoes)", "", n)}
        for button, tip in tips.items():
            button.setToolTip(tip)
        self.setVisible(n >= 2)

    def _ids(self) -> list[int]:
        ids = self.selected()
        if not ids:
            self.status_message.emit(self.tr("Select products first (Ctrl/Shift+click, Ctrl+A)"))
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
            self.status_message.emit(
                self.tr("Approved %n products — Ctrl+Z undoes all of them", "", len(ids)) if state == "approved"
                else self.tr("Flagged %n products — Ctrl+Z undoes all of them", "", len(ids)))

    @Slot()
    def add_label(self) -> None:
        parsed = parse_label(self.label_edit.text(), self.vocabularies)
        if parsed is None:
            self.status_message.emit(self.tr("Type a label first, e.g. colours: red or a word of your own"))
            return
        ids = self._ids()
        if ids:
            self.service.add_labels(ids, *parsed)
            self.label_edit.clear()
            self.status_message.emit(self.tr("Label “%1” added to %n products — Ctrl+Z undoes", "", len(ids))
                                     .replace("%1", parsed[1]))

    @Slot()
    def reindex(self) -> None:
        ids = self._ids()
        if ids and self.context.start_index_job([], product_ids=ids) is not None:
            self.status_message.emit(self.tr("Re-indexing %n products — progress below", "", len(ids)))

    @Slot()
    def delete(self) -> None:
        ids = self._ids()
        if ids:
            command = DeleteProducts(ids, self.on_deleted, self.context.catalog)
            self.service.undo_stack.push(command)
            self.status_message.emit(self.tr("%1 — Ctrl+Z undoes").replace("%1", command.text()))
