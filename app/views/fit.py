"""Keeping the window inside a 1366×768 screen: pages that scroll instead of growing the window, and
labels that elide long unbroken text (with the whole text as a tooltip) instead of widening it."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QWidget

from app.views.tiles import plain_tip

PAGE_MIN = QSize(360, 240)  # what a page asks of the window; the rest scrolls


def scroll_page(page: QWidget) -> QScrollArea:
    """Moves page's layout into a scroll area inside page, so page's minimum size is small and its
    content scrolls when the window is small, rather than the window growing (the page keeps its
    identity, so tabs and signals that refer to it are unchanged)."""
    layout = page.layout()
    inner = QWidget()
    inner.setLayout(layout)  # Qt takes the layout from page (QWidget::setLayout reparents it)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(inner)
    area.setMinimumSize(PAGE_MIN)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the page's controls; the area follows the focus
    from PySide6.QtWidgets import QVBoxLayout

    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(area)
    return area


def no_widening(label: QLabel) -> QLabel:
    """A label that never sets a minimum width from its text (a 300-character word clips, with the
    text as tooltip, instead of widening the window)."""
    label.setSizePolicy(QSizePolicy.Policy.Ignored, label.sizePolicy().verticalPolicy())
    return label


class ElidedTitle(QLabel):
    """A bold first line and plain second line, each elided to the width available; the full text is
    the tooltip. Text is always shown as text (a title with HTML in it is not rendered as markup)."""

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._lines: list[str] = []
        self._placeholder = placeholder
        self.set_lines([])

    def set_lines(self, lines: list[str]) -> None:
        self._lines = [line for line in lines if line]
        self.setToolTip(plain_tip("\n".join(self._lines)) if self._lines else "")
        self._render()

    def minimumSizeHint(self) -> QSize:
        return QSize(40, super().minimumSizeHint().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._render()

    def _render(self) -> None:
        if not self._lines:
            self.setText(f"<i>{escape(self._placeholder)}</i>")
            return
        width = max(20, self.contentsRect().width() - 4)
        bold = QFont(self.font())
        bold.setBold(True)
        parts = []
        for n, line in enumerate(self._lines):
            metrics = QFontMetrics(bold if n == 0 else self.font())
            shown = escape(metrics.elidedText(line, Qt.TextElideMode.ElideRight, width))
            parts.append(f"<b>{shown}</b>" if n == 0 else shown)
        self.setText("<br>".join(parts))
