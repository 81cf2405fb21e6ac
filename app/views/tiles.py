"""Product tiles shared by the catalog grid and the search results: roles, a delegate, a chip bar, and a
list view whose tiles spread over its full width.

Colours come from the palette (app.theme sets it) and the state badges from app.theme.STATE_BADGES.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QToolButton,
    QWidget,
)

from app.theme import STATE_BADGES
from app.theme import icon as theme_icon

ProductIdRole = Qt.ItemDataRole.UserRole + 1
SkuRole = Qt.ItemDataRole.UserRole + 2
StatusRole = Qt.ItemDataRole.UserRole + 3
BadgeRole = Qt.ItemDataRole.UserRole + 4  # text drawn in the top-right corner (a score)
ShaRole = Qt.ItemDataRole.UserRole + 5
PixmapRole = Qt.ItemDataRole.UserRole + 6  # QPixmap or None while the thumbnail is made
RowRole = Qt.ItemDataRole.UserRole + 7  # the whole row (dict / SearchResult)
StatesRole = Qt.ItemDataRole.UserRole + 8  # keys of core.catalog.queries.BADGES, drawn top-left

ICON = 128
TILE = QSize(ICON + 24, ICON + 58)

# A state badge: its Phosphor glyph and colour (one shape and one colour each; the same in both themes).
STATE_GLYPHS = STATE_BADGES


def plain_tip(text: str) -> str:
    """A tooltip that shows `text` as it is: Qt renders a tooltip that looks like HTML (a product title
    with "<b>" in it) as markup, so the text is escaped inside an explicit rich-text wrapper."""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


def swatch_colour(name: str) -> QColor | None:
    """The colour a variant's colour name names ("Navy", "Light Blue"), or None when it names none Qt knows."""
    for candidate in (name, name.replace(" ", ""), name.split()[-1] if name.split() else ""):
        if candidate and QColor.isValidColorName(candidate.lower()):  # no Qt warning for a name it lacks
            return QColor(candidate.lower())
    return None


def tile_size(icon: int) -> QSize:
    return QSize(icon + 24, icon + 58)


class ProductDelegate(QStyledItemDelegate):
    """Thumbnail (or placeholder), state badges, two lines of title, the SKU, and a score badge."""

    def __init__(self, parent=None, icon: int = ICON) -> None:
        super().__init__(parent)
        self.icon = icon

    def sizeHint(self, option, index: QModelIndex) -> QSize:
        return tile_size(self.icon)

    def paint(self, painter: QPainter, option, index: QModelIndex) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        pal: QPalette = option.palette
        rect: QRect = option.rect.adjusted(3, 3, -3, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:  # a tint and an accent frame: the title stays in the text colour
            painter.setPen(QPen(pal.color(QPalette.ColorRole.Accent), 2))
            painter.setBrush(pal.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(QRectF(rect).adjusted(1, 1, -1, -1), 6, 6)
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(pal.color(QPalette.ColorRole.AlternateBase))
            painter.drawRoundedRect(QRectF(rect), 6, 6)
        icon_rect = QRect(rect.left() + (rect.width() - self.icon) // 2, rect.top() + 6, self.icon, self.icon)
        self._paint_image(painter, pal, icon_rect, index)
        text_color = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        title_rect = QRect(rect.left() + 4, icon_rect.bottom() + 4, rect.width() - 8, 32)
        painter.setPen(text_color)
        fm = painter.fontMetrics()
        title = index.data(Qt.ItemDataRole.DisplayRole) or ""
        elided = fm.elidedText(title, Qt.TextElideMode.ElideRight, title_rect.width() * 2 - 8)
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap, elided)
        sku = index.data(SkuRole) or ""
        small = QFont(painter.font())
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.85))
        painter.setFont(small)
        if not selected:
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        sku_rect = QRect(rect.left() + 4, title_rect.bottom() + 1, rect.width() - 8, 14)
        painter.drawText(sku_rect, Qt.AlignmentFlag.AlignHCenter,
                         painter.fontMetrics().elidedText(sku, Qt.TextElideMode.ElideMiddle, sku_rect.width()))
        badge = index.data(BadgeRole)
        if badge:
            self._paint_badge(painter, pal, icon_rect, str(badge))
        self._paint_states(painter, icon_rect, index.data(StatesRole) or ())
        row = index.data(RowRole)
        if getattr(row, "variants", 1) > 1:
            self._paint_design(painter, pal, icon_rect, row.variants, getattr(row, "colours", ()))
        painter.restore()

    def _paint_design(self, painter: QPainter, pal: QPalette, icon: QRect, variants: int, colours) -> None:
        """A design tile: a swatch per colour along the picture's foot, and how many variants it holds."""
        side = max(10, painter.fontMetrics().height() - 2)
        shown = list(colours)[: max(1, (icon.width() - 40) // (side + 3))]
        x = icon.left() + 4
        for name in shown:
            colour = swatch_colour(name)
            painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
            painter.setBrush(colour if colour is not None else pal.color(QPalette.ColorRole.Base))
            painter.drawEllipse(QRectF(x, icon.bottom() - side - 2, side, side))
            x += side + 3
        self._paint_badge(painter, pal, QRect(icon.left(), icon.bottom() - side - 2, icon.width(), side),
                          f"×{variants}")

    def _paint_states(self, painter: QPainter, icon: QRect, states) -> None:
        side = max(18, painter.fontMetrics().height() + 2)
        x = icon.left() - 2
        for key in states:
            glyph, colour = STATE_BADGES.get(key, ("question", QColor(120, 120, 120)))
            circle = QRectF(x, icon.top() - 2, side, side)
            painter.setPen(QPen(QColor(255, 255, 255), 1.5))
            painter.setBrush(colour)
            painter.drawEllipse(circle)
            inner = int(side * 0.66)
            glyph_rect = QRect(0, 0, inner, inner)
            glyph_rect.moveCenter(circle.center().toPoint())
            theme_icon(glyph, "#ffffff").paint(painter, glyph_rect)
            x += side + 3

    def _paint_image(self, painter: QPainter, pal: QPalette, rect: QRect, index: QModelIndex) -> None:
        pixmap = index.data(PixmapRole)
        if pixmap is not None and not pixmap.isNull():
            size = pixmap.size().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(rect.center())
            painter.drawPixmap(target, pixmap)
            return
        painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1, Qt.PenStyle.DashLine))
        painter.setBrush(pal.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(QRectF(rect).adjusted(8, 8, -8, -8), 6, 6)
        painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        text = self.tr("no image") if index.data(ShaRole) in (None, "") else "…"
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_badge(self, painter: QPainter, pal: QPalette, icon: QRect, text: str) -> None:
        fm = painter.fontMetrics()
        w, h = fm.horizontalAdvance(text) + 10, fm.height() + 2
        badge = QRectF(icon.right() - w + 2, icon.top() - 2, w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pal.color(QPalette.ColorRole.ToolTipBase))
        painter.drawRoundedRect(badge, h / 2, h / 2)
        painter.setPen(pal.color(QPalette.ColorRole.ToolTipText))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)


class TileView(QListView):
    """An icon-mode list whose columns share the full width: the spare pixels of a row are spread over its
    tiles instead of left as a strip at the right edge."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.tile = QSize(tile_size(128))

    def set_tile(self, size: QSize) -> None:
        self.tile = QSize(size)
        self.reflow()

    def reflow(self) -> None:
        width = max(1, self.viewport().width() - 2)
        columns = max(1, width // self.tile.width())
        grid = QSize(width // columns, self.tile.height())
        if grid != self.gridSize():
            self.setGridSize(grid)

    def resizeEvent(self, event) -> None:
        self.reflow()
        super().resizeEvent(event)


class ChipBar(QWidget):
    """A row of checkable chips; exclusive chips act like tabs. `changed(list of checked keys)`."""

    changed = Signal(list)

    def __init__(self, label: str = "", exclusive: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        if label:
            self._layout.addWidget(QLabel(label))
        self._group = QButtonGroup(self)
        self._group.setExclusive(exclusive)
        self._group.buttonToggled.connect(self._emit)
        self._buttons: dict[str, QToolButton] = {}
        self._layout.addStretch(1)

    def set_chips(self, chips: list[tuple[str, str]], checked: list[str] | None = None) -> None:
        for button in self._buttons.values():
            self._group.removeButton(button)
            button.deleteLater()
        self._buttons.clear()
        for key, text in chips:
            button = QToolButton(self)
            button.setText(text)
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setObjectName("chip")
            button.setProperty("key", key)
            self._group.blockSignals(True)
            self._group.addButton(button)
            button.setChecked(key in (checked or []))
            self._group.blockSignals(False)
            self._layout.insertWidget(self._layout.count() - 1, button)
            self._buttons[key] = button

    def checked(self) -> list[str]:
        return [key for key, button in self._buttons.items() if button.isChecked()]

    def set_checked(self, key: str, on: bool = True) -> None:
        if key in self._buttons:
            self._buttons[key].setChecked(on)

    def _emit(self, _button, checked: bool) -> None:
        if checked or not self._group.exclusive():  # an exclusive switch unchecks one, then checks one
            self.changed.emit(self.checked())
