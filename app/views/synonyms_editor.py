"""Settings → Search words: the curators' synonyms for this catalog, added and removed in place (and synced)."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.search import vocabulary

log = logging.getLogger(__name__)


class SynonymsEditor(QWidget):
    """Reads and writes through core.search.vocabulary in the context's pool, never on the GUI thread."""

    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._tasks: list = []
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Curator synonyms"))
        self.term = QLineEdit(placeholderText=self.tr("a word shoppers type, e.g. trousers"))
        self.synonym = QLineEdit(placeholderText=self.tr("the catalog's word, e.g. pants"))
        self.add_button = QPushButton(self.tr("Add synonym"))
        self.remove_button = QPushButton(self.tr("Remove selected"))
        self.status = QLabel(self.tr("Changes apply at once and sync to the other curators' catalogs. Removing "
                                     "a built-in pair (e.g. trousers and pants) stops it too."))
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # words from S3 and errors are text
        self.add_button.clicked.connect(self.add)
        self.remove_button.clicked.connect(self.remove)
        self.synonym.returnPressed.connect(self.add)
        row = QHBoxLayout()
        row.addWidget(self.term, 1)
        row.addWidget(QLabel("≈"))
        row.addWidget(self.synonym, 1)
        row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.remove_button)
        layout.addWidget(self.status)
        if context.read_only:
            for w in (self.term, self.synonym, self.add_button, self.remove_button):
                w.setEnabled(False)
        self.reload()

    def _run(self, fn, name: str, on_result) -> None:
        task = self.context.read(fn, name)
        task.signals.result.connect(on_result)
        task.signals.failed.connect(self._on_failed)
        task.signals.finished.connect(self._on_finished)
        self._tasks.append(task)
        self.context.run_in_pool(task)

    @Slot()
    def _on_finished(self) -> None:
        task = getattr(self.sender(), "task", None)
        if task in self._tasks:
            self._tasks.remove(task)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def reload(self) -> None:
        self._run(vocabulary.synonym_list, "synonyms", self._show)

    @Slot(object)
    def _show(self, rows: list[dict]) -> None:
        self.list.clear()
        for row in rows:
            text = f"{row['term']} ≈ {row['synonym']}"
            if row["state"] == "removed":
                text = self.tr("%1 (removed)").replace("%1", text)
            item = QListWidgetItem(text)
            item.setData(256, row)
            self.list.addItem(item)

    @Slot()
    def add(self) -> None:
        term, synonym = self.term.text().strip(), self.synonym.text().strip()
        if not term or not synonym:
            self.status.setText(self.tr("Type both words: what shoppers say and what the catalog says."))
            return
        self._run(lambda: vocabulary.add_synonym(term, synonym) and None, "add synonym", self._changed)

    @Slot()
    def remove(self) -> None:
        item = self.list.currentItem()
        term, synonym = (self.term.text().strip(), self.synonym.text().strip()) if item is None else (
            item.data(256)["term"], item.data(256)["synonym"])
        if not term or not synonym:
            self.status.setText(self.tr("Choose a synonym in the list, or type both words, to remove it."))
            return
        self._run(lambda: vocabulary.remove_synonym(term, synonym) and None, "remove synonym", self._changed)

    @Slot(object)
    def _changed(self, _result) -> None:
        self.term.clear()
        self.synonym.clear()
        self.status.setText(self.tr("Saved. Searches use it now; the next sync shares it."))
        self.reload()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.status.setText(message.splitlines()[0] if message else self.tr("That did not work."))
