"""Label chips: one removable chip per label, and a line to add one from the vocabularies or as free text."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, QSize, QStringListModel, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.views.tiles import plain_tip

FREE = "free"


@dataclass
class Chip:
    label_id: int
    vocabulary: str
    value: str
    score: float = 1.0
    source: str = "curator"
    confirmed: bool = False


def parse_label(text: str, vocabularies: dict[str, list[str]]) -> tuple[str, str] | None:
    """(vocabulary, value) from what a curator typed: "colours: red", a known value, or free text."""
    text = " ".join(text.split())
    if not text:
        return None
    vocab, sep, value = text.partition(":")
    if sep and vocab.strip() in vocabularies and value.strip():
        return vocab.strip(), value.strip()
    for name, values in vocabularies.items():
        for known in values:
            if known.lower() == text.lower():
                return name, known
    return FREE, text


class FlowLayout(QLayout):
    """Lays chips out left to right, wrapping to the next line."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > rect.right() and line > 0:
                x, y, line = rect.x(), y + line + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y()


class ChipWidget(QFrame):
    remove = Signal(int)

    def __init__(self, chip: Chip, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chip = chip
        self.setObjectName("chip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        curator = chip.source == "curator" or chip.confirmed
        self.setStyleSheet("#chip { border: 1px solid palette(mid); border-radius: 10px; background: %s; }"
                           % ("palette(alternate-base)" if curator else "palette(base)"))
        text = chip.value if chip.vocabulary == FREE else f"{chip.vocabulary}: {chip.value}"
        self.text = QLabel(text + (" ✓" if chip.confirmed and chip.source != "curator" else ""))
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # a label from a file or S3 is text, never markup
        self.setToolTip(plain_tip(f"{chip.vocabulary}: {chip.value}\n{chip.source}, score {chip.score:.2f}"
                                  + (", confirmed" if chip.confirmed else "")))
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(plain_tip(f"Remove the label “{chip.value}” (Ctrl+Z undoes)"))
        self.close_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.close_button.clicked.connect(lambda: self.remove.emit(chip.label_id))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 1, 2, 1)
        layout.setSpacing(2)
        layout.addWidget(self.text)
        layout.addWidget(self.close_button)


class LabelChips(QWidget):
    """Chips for one product's (or one crop's) labels, plus an add line with a completer."""

    add_requested = Signal(str, str)  # vocabulary, value
    remove_requested = Signal(int, str)  # label id, value

    def __init__(self, title: str, vocabularies: dict[str, list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vocabularies = vocabularies
        self.chips: list[ChipWidget] = []
        self.title = QLabel(f"<b>{title}</b>")
        self.flow_host = QWidget()
        self.flow = FlowLayout(self.flow_host)
        self.flow_host.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.empty = QLabel("<i>none</i>")
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Add a label… (type to complete; free text is fine)")
        words = sorted(f"{name}: {value}" for name, values in vocabularies.items() for value in values)
        self.completer = QCompleter(QStringListModel(words, self), self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.edit.setCompleter(self.completer)
        self.edit.returnPressed.connect(self._add)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.title)
        layout.addWidget(self.flow_host)
        layout.addWidget(self.empty)
        layout.addWidget(self.edit)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def set_chips(self, chips: list[Chip], enabled: bool = True) -> None:
        for widget in self.chips:
            self.flow.removeWidget(widget)
            widget.deleteLater()
        self.chips = []
        for chip in chips:
            widget = ChipWidget(chip, self.flow_host)
            widget.remove.connect(self._remove)
            self.flow.addWidget(widget)
            widget.show()
            self.chips.append(widget)
        self.empty.setVisible(not chips)
        self.edit.setEnabled(enabled)
        self.flow_host.updateGeometry()

    def chip_for(self, value: str) -> ChipWidget | None:
        return next((c for c in self.chips if c.chip.value == value), None)

    @Slot(int)
    def _remove(self, label_id: int) -> None:
        chip = next((c.chip for c in self.chips if c.chip.label_id == label_id), None)
        self.remove_requested.emit(label_id, chip.value if chip else "")

    @Slot()
    def _add(self) -> None:
        parsed = parse_label(self.edit.text(), self.vocabularies)
        if parsed is not None:
            self.edit.clear()
            self.add_requested.emit(*parsed)
