"""An editable photo: every crop box over the image; drag to move, drag a handle to resize, drag on an
empty area to draw, Delete to delete, double-click to make primary. Scene units are the original
image's pixels; the view only reports what the curator did (the panel turns it into corrections)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QAction, QBrush, QColor, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QMenu,
    QWidget,
)

from app.workers.base import Task
from app.workers.thumbnails import load_scaled

MAX_SIDE = 1400
HANDLE_PX = 7  # grab distance of a corner or edge, in screen pixels
MIN_BOX = 8  # smallest box a curator can draw, in image pixels


@dataclass
class CropBox:
    crop_id: int
    box: tuple[float, float, float, float]
    kind: str = "accepted"  # primary, accepted, rejected
    label: str = ""


class CropItem(QGraphicsRectItem):
    """One crop's box with its caption; handles are drawn while it is selected."""

    def __init__(self, crop: CropBox, palette: QPalette) -> None:
        x0, y0, x1, y1 = crop.box
        super().__init__(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.crop = crop
        self.palette = palette
        self.selected = False
        self.setZValue(2 if crop.kind == "primary" else 1)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsFocusable, False)

    def set_selected(self, selected: bool) -> None:
        self.selected = selected
        self.setZValue(3 if selected else (2 if self.crop.kind == "primary" else 1))
        self.update()

    def box(self) -> tuple[float, float, float, float]:
        r = self.rect().normalized()
        return (r.left(), r.top(), r.right(), r.bottom())

    def boundingRect(self) -> QRectF:
        return super().boundingRect().adjusted(-40, -40, 40, 40)  # handles and caption outside the box

    def paint(self, painter: QPainter, option, widget=None) -> None:
        pal = self.palette
        strong = self.crop.kind == "primary"
        colour = pal.color(QPalette.ColorRole.Highlight) if strong or self.selected else (
            pal.color(QPalette.ColorRole.Mid) if self.crop.kind == "rejected" else QColor(255, 255, 255))
        rect = self.rect()
        outline = QPen(QColor(0, 0, 0, 160), 4)
        outline.setCosmetic(True)
        painter.setPen(outline)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        pen = QPen(colour, 3 if strong or self.selected else 2,
                   Qt.PenStyle.DashLine if self.crop.kind == "rejected" else Qt.PenStyle.SolidLine)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.drawRect(rect)
        scale = painter.worldTransform().m11() or 1.0
        if self.crop.label:
            self._caption(painter, rect, scale, colour)
        if self.selected:
            side = HANDLE_PX / scale
            painter.setPen(QPen(QColor(0, 0, 0), 0))
            painter.setBrush(QBrush(colour))
            for point in _handles(rect):
                painter.drawRect(QRectF(point.x() - side / 2, point.y() - side / 2, side, side))

    def _caption(self, painter: QPainter, rect: QRectF, scale: float, colour: QColor) -> None:
        painter.save()
        font = painter.font()
        font.setPointSizeF(max(1.0, font.pointSizeF() / scale))
        painter.setFont(font)
        fm = painter.fontMetrics()
        text = self.crop.label
        w, h = fm.horizontalAdvance(text) + 8 / scale, fm.height() + 2 / scale
        top = rect.top() - h if rect.top() - h >= 0 else rect.top()
        box = QRectF(rect.left(), top, w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRect(box)
        painter.setPen(QColor(255, 255, 255) if colour.lightness() < 150 else QColor(0, 0, 0))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


def _handles(rect: QRectF) -> list[QPointF]:
    c = rect.center()
    return [rect.topLeft(), rect.topRight(), rect.bottomLeft(), rect.bottomRight(),
            QPointF(c.x(), rect.top()), QPointF(c.x(), rect.bottom()),
            QPointF(rect.left(), c.y()), QPointF(rect.right(), c.y())]


class CropEditor(QGraphicsView):
    box_changed = Signal(int, object, object)  # crop id, new box, old box (image pixels)
    box_drawn = Signal(object)  # a new box on the shown image
    delete_requested = Signal(int)
    primary_requested = Signal(int)
    selection_changed = Signal(object)  # crop id or None

    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(200, 160)
        self.setBackgroundBrush(self.palette().color(QPalette.ColorRole.Dark))
        self.pixmap_item = QGraphicsPixmapItem()
        self.pixmap_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.pixmap_item)
        self.items_by_id: dict[int, CropItem] = {}
        self.selected_id: int | None = None
        self.image_size = (0, 0)
        self.path: Path | None = None
        self._task: Task | None = None
        self._drag: dict | None = None
        self._rubber: QGraphicsRectItem | None = None

    # --- content -------------------------------------------------------------------------------
    def set_image(self, path: Path | None, size: tuple[int, int], crops: list[CropBox],
                  select: int | None = None) -> None:
        same = path == self.path and self.pixmap_item.pixmap() is not None and not self.pixmap_item.pixmap().isNull()
        self.path = path
        self.image_size = size
        for item in self.items_by_id.values():
            self.scene().removeItem(item)
        self.items_by_id = {}
        self._drag = None
        self.setSceneRect(QRectF(0, 0, *size))
        for crop in crops:
            item = CropItem(crop, self.palette())
            self.scene().addItem(item)
            self.items_by_id[crop.crop_id] = item
        if not same:
            self.pixmap_item.setPixmap(QPixmap())
            self._load(path)
        self.select(select if select in self.items_by_id else None)
        self._fit()

    def _load(self, path: Path | None) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if path is None:
            return
        task = Task(lambda progress, stop: load_scaled(path, MAX_SIDE), f"load {path.name}")
        task.signals.result.connect(self._on_loaded)
        self._task = self.context.run_in_pool(task)

    @property
    def loading(self) -> bool:
        return self._task is not None

    @Slot(object)
    def _on_loaded(self, image) -> None:
        if self._task is None or getattr(self.sender(), "task", None) is not self._task:
            return
        self._task = None
        pixmap = QPixmap.fromImage(image)
        self.pixmap_item.setPixmap(pixmap)
        if pixmap.width():
            self.pixmap_item.setScale(self.image_size[0] / pixmap.width() if self.image_size[0] else 1.0)

    def select(self, crop_id: int | None) -> None:
        for cid, item in self.items_by_id.items():
            item.set_selected(cid == crop_id)
        if crop_id != self.selected_id:
            self.selected_id = crop_id
            self.selection_changed.emit(crop_id)

    def _fit(self) -> None:
        if self.image_size[0] and self.image_size[1]:
            self.fitInView(self.sceneRect().adjusted(-8, -24, 8, 8), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit()

    # --- hit tests -----------------------------------------------------------------------------
    def _scene_pos(self, event) -> QPointF:
        return self.mapToScene(event.position().toPoint())

    def _grab(self, pos: QPointF) -> tuple[CropItem | None, tuple[bool, bool, bool, bool] | None]:
        """The crop under the point and, if near its edges, which edges (left, top, right, bottom) it grabs."""
        tol = HANDLE_PX / (self.transform().m11() or 1.0)
        order = sorted(self.items_by_id.values(), key=lambda i: (not i.selected, i.rect().width() * i.rect().height()))
        for item in order:
            r = item.rect()
            if not r.adjusted(-tol, -tol, tol, tol).contains(pos):
                continue
            edges = (abs(pos.x() - r.left()) <= tol, abs(pos.y() - r.top()) <= tol,
                     abs(pos.x() - r.right()) <= tol, abs(pos.y() - r.bottom()) <= tol)
            if any(edges):
                return item, edges
        for item in order:
            if item.rect().contains(pos):
                return item, None
        return None, None

    def _clamp(self, pos: QPointF) -> QPointF:
        w, h = self.image_size
        return QPointF(min(max(pos.x(), 0.0), float(w)), min(max(pos.y(), 0.0), float(h)))

    # --- mouse and keys ------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or not self.image_size[0]:
            super().mousePressEvent(event)
            return
        self.setFocus()
        pos = self._scene_pos(event)
        item, edges = self._grab(pos)
        if item is not None:
            self.select(item.crop.crop_id)
            self._drag = {"mode": "resize" if edges else "move", "item": item, "edges": edges,
                          "start": pos, "rect": QRectF(item.rect()), "old": item.box()}
        elif QRectF(0, 0, *self.image_size).contains(pos):
            self.select(None)
            self._rubber = QGraphicsRectItem(QRectF(pos, pos))
            pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), 2, Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            self._rubber.setPen(pen)
            self._rubber.setZValue(5)
            self.scene().addItem(self._rubber)
            self._drag = {"mode": "draw", "start": self._clamp(pos)}
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        pos = self._scene_pos(event)
        drag = self._drag
        if drag is None:
            item, edges = self._grab(pos)
            self.viewport().setCursor(_cursor(edges) if item is not None and edges else (
                Qt.CursorShape.SizeAllCursor if item is not None else Qt.CursorShape.CrossCursor))
            super().mouseMoveEvent(event)
            return
        pos = self._clamp(pos)
        if drag["mode"] == "draw":
            self._rubber.setRect(QRectF(drag["start"], pos).normalized())
        elif drag["mode"] == "move":
            rect = QRectF(drag["rect"])
            rect.translate(pos - drag["start"])
            w, h = self.image_size
            rect.moveLeft(min(max(rect.left(), 0.0), w - rect.width()))
            rect.moveTop(min(max(rect.top(), 0.0), h - rect.height()))
            drag["item"].setRect(rect)
        else:
            rect = QRectF(drag["rect"])
            left, top, right, bottom = drag["edges"]
            if left:
                rect.setLeft(pos.x())
            if top:
                rect.setTop(pos.y())
            if right:
                rect.setRight(pos.x())
            if bottom:
                rect.setBottom(pos.y())
            drag["item"].setRect(rect.normalized())
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        drag, self._drag = self._drag, None
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        if drag["mode"] == "draw":
            rect = self._rubber.rect()
            self.scene().removeItem(self._rubber)
            self._rubber = None
            if rect.width() >= MIN_BOX and rect.height() >= MIN_BOX:
                self.box_drawn.emit((rect.left(), rect.top(), rect.right(), rect.bottom()))
        else:
            item = drag["item"]
            new, old = item.box(), drag["old"]
            if (new[2] - new[0] < MIN_BOX or new[3] - new[1] < MIN_BOX):
                item.setRect(drag["rect"])  # too small to be a product: snap back
            elif max(abs(a - b) for a, b in zip(new, old, strict=True)) >= 1.0:
                self.box_changed.emit(item.crop.crop_id, new, old)
        event.accept()

    def mouseDoubleClickEvent(self, event) -> None:
        item, _ = self._grab(self._scene_pos(event))
        if item is not None and event.button() == Qt.MouseButton.LeftButton:
            self.primary_requested.emit(item.crop.crop_id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event) -> None:
        item, _ = self._grab(self.mapToScene(event.pos()))
        if item is None:
            return
        self.select(item.crop.crop_id)
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        crop_id = item.crop.crop_id
        primary = QAction("Make primary", menu)
        primary.setEnabled(item.crop.kind != "primary")
        primary.triggered.connect(lambda: self.primary_requested.emit(crop_id))
        delete = QAction("Delete crop", menu)
        delete.triggered.connect(lambda: self.delete_requested.emit(crop_id))
        menu.addAction(primary)
        menu.addAction(delete)
        menu.popup(event.globalPos())

    def event(self, event) -> bool:
        # Delete belongs to the selected crop here, not to the window's "delete products" action
        if (event.type() == QEvent.Type.ShortcutOverride and self.selected_id is not None
                and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected_id is not None:
            self.delete_requested.emit(self.selected_id)
            event.accept()
            return
        if event.key() == Qt.Key.Key_Tab and self.items_by_id:  # cycle through the crops
            ids = list(self.items_by_id)
            nxt = ids[(ids.index(self.selected_id) + 1) % len(ids)] if self.selected_id in ids else ids[0]
            self.select(nxt)
            event.accept()
            return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, forward: bool) -> bool:
        return False if self.items_by_id else super().focusNextPrevChild(forward)

    def dispose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None


def _cursor(edges) -> Qt.CursorShape:
    left, top, right, bottom = edges
    if (left and top) or (right and bottom):
        return Qt.CursorShape.SizeFDiagCursor
    if (right and top) or (left and bottom):
        return Qt.CursorShape.SizeBDiagCursor
    return Qt.CursorShape.SizeHorCursor if left or right else Qt.CursorShape.SizeVerCursor
