"""The search filter's autocomplete: the keys first, then each key's values with how many products have
them (core `queries.filter_values`), the way FiftyOne's sidebar lists a field's values with counts."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, Signal, Slot
from PySide6.QtGui import QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit, QStyle, QStyledItemDelegate

from app.i18n import translate

CompletionRole = Qt.ItemDataRole.UserRole + 1  # the text that goes into the line: "key=" or "key=value"
CountRole = Qt.ItemDataRole.UserRole + 2  # drawn right-aligned: "12" or "5 values"


class CountDelegate(QStyledItemDelegate):
    """A completion row: the value on the left, its count on the right in a quieter colour."""

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        count = index.data(CountRole)
        if count:
            painter.save()
            selected = bool(option.state & QStyle.StateFlag.State_Selected)
            role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
            painter.setPen(option.palette.color(role))
            rect = QRect(option.rect).adjusted(0, 0, -8, 0)
            painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(count))
            painter.restore()


class FilterCompleter(QCompleter):
    chosen = Signal(str)  # a whole "key=value" picked from the list

    def __init__(self, edit: QLineEdit) -> None:
        self.items = QStandardItemModel()
        super().__init__(self.items, edit)
        self.items.setParent(self)
        self.edit = edit
        self.setCompletionRole(CompletionRole)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setMaxVisibleItems(12)
        self.popup().setItemDelegate(CountDelegate(self.popup()))
        self.popup().setMinimumWidth(260)
        self.values: dict[str, list[tuple[str, int]]] = {}
        self.keys: list[str] = []
        self._key: str | None = "\0"  # which key's values the list holds ("\0": nothing built yet)
        edit.setCompleter(self)
        edit.textEdited.connect(self._edited)
        self.activated.connect(self._activated)

    def set_values(self, values: dict[str, list[tuple[str, int]]], keys: list[str]) -> None:
        self.values, self.keys, self._key = values, keys, "\0"
        self._edited(self.edit.text())

    def shown_key(self) -> str | None:
        return None if self._key == "\0" else self._key

    @Slot(str)
    def _edited(self, text: str) -> None:
        key = text.split("=", 1)[0].strip().lower() if "=" in text else None
        if key == self._key:
            return
        self._key = key
        self.items.clear()
        if key is None:
            for name in self.keys:
                n = len(self.values.get(name, ()))
                self._add(name, f"{name}=", translate("FilterCompleter", "%n values", None, n) if n else "")
        else:
            for value, n in self.values.get(key, ()):
                self._add(value, f"{key}={value}", f"{n:,}")

    def _add(self, shown: str, completion: str, count: str) -> None:
        item = QStandardItem(shown)
        item.setData(completion, CompletionRole)
        item.setData(count, CountRole)
        item.setToolTip(f"{completion} · {count}" if count else completion)
        self.items.appendRow(item)

    @Slot(str)
    def _activated(self, text: str) -> None:
        if text.endswith("="):  # a key: go straight on to its values
            self._edited(text)
            self.setCompletionPrefix(text)
            self.complete()
        else:
            self.chosen.emit(text)
