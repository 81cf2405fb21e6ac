"""A product field shown as text and edited in place: click to edit, Enter saves, Esc cancels."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QStackedLayout, QWidget

from app.views.fit import no_widening


class EditableField(QWidget):
    """A label that turns into an editor when clicked. `committed(text)` fires on Enter when `check` (if given)
    finds nothing wrong; otherwise the editor stays open with the reason shown, and nothing typed is lost."""

    committed = Signal(str)
    cancelled = Signal()
    problem = Signal(str)

    def __init__(self, value: str, *, display: str | None = None, multiline: bool = False,
                 check: Callable[[str], str] | None = None, placeholder: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value = value
        self.check = check
        self.multiline = multiline
        self.label = no_widening(QLabel(display if display is not None else (value or "—")))
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # a title with HTML in it is text, not markup
        self.label.setWordWrap(True)
        self.label.setCursor(Qt.CursorShape.IBeamCursor)
        self.label.setToolTip(self.tr("Click to edit; Enter saves, Esc cancels"))
        self.editor: QLineEdit | QPlainTextEdit = QPlainTextEdit() if multiline else QLineEdit()
        if multiline:
            self.editor.setTabChangesFocus(True)
            self.editor.setFixedHeight(90)
        self.editor.setPlaceholderText(placeholder)
        self.editor.installEventFilter(self)
        self.editor.setAccessibleName(placeholder or "value")
        self.stack = QStackedLayout(self)
        self.stack.setContentsMargins(0, 0, 0, 0)
        self.stack.addWidget(self.label)
        self.stack.addWidget(self.editor)

    @property
    def editing(self) -> bool:
        return self.stack.currentWidget() is self.editor

    def text(self) -> str:
        return self.editor.toPlainText() if self.multiline else self.editor.text()

    def start(self) -> None:
        if self.multiline:
            self.editor.setPlainText(self.value)
        else:
            self.editor.setText(self.value)
            self.editor.selectAll()
        self.editor.setToolTip("")
        self.stack.setCurrentWidget(self.editor)
        self.editor.setFocus(Qt.FocusReason.MouseFocusReason)

    def cancel(self) -> None:
        self.stack.setCurrentWidget(self.label)
        self.cancelled.emit()

    def save(self) -> None:
        text = self.text()
        reason = self.check(text) if self.check else ""
        if reason:
            self.editor.setToolTip(reason)
            self.editor.setStyleSheet("border: 1px solid #c0392b;")
            self.problem.emit(reason)
            return
        self.editor.setStyleSheet("")
        self.stack.setCurrentWidget(self.label)
        if text != self.value:
            self.label.setText(text or "—")  # shown at once; the catalog's value comes back when the write lands
            self.committed.emit(text)
        else:
            self.cancelled.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and not self.editing:
            self.start()
        super().mousePressEvent(event)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.editor and event.type() == QEvent.Type.KeyPress:
            key = QKeyEvent(event).key() if not isinstance(event, QKeyEvent) else event.key()
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if key == Qt.Key.Key_Escape:
                self.cancel()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (self.multiline and shift):
                self.save()
                return True
        return super().eventFilter(obj, event)
