"""A photo with boxes drawn over it (crops, the query box, the matched crop), scaled to fit.

Boxes are in the original image's pixels; the photo itself is loaded downscaled in the pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.workers.base import Task
from app.workers.thumbnails import load_scaled

MAX_SIDE = 1400


@dataclass
class Box:
    box: tuple[float, float, float, float]
    kind: str = "accepted"  # primary, accepted, rejected, query, match
    label: str = ""


class ImageBoxes(QWidget):
    clicked = Signal()

    def __init__(self, context, parent: QWidget | None = None, placeholder: str = "") -> None:
        super().__init__(parent)
        self.context = context
        self.placeholder = placeholder or self.tr("No image")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 140)
        self._pixmap: QPixmap | None = None
        self._original = QSize()
        self._boxes: list[Box] = []
        self._task: Task | None = None
        self.path: Path | None = None
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def sizeHint(self) -> QSize:
        return QSize(360, 300)

    def set_image(self, path: Path | None, original_size: tuple[int, int] | None, boxes: list[Box]) -> None:
        """Show a photo from disk (loaded in the pool) with its boxes."""
        self._boxes = boxes
        self.path = path
        self._pixmap = None
        if self._task is not None:
            self._task.cancel()
        if original_size:
            self._original = QSize(*original_size)
        if path is None:
            self._task = None
            self.update()
            return
        task = Task(lambda progress, stop: load_scaled(path, MAX_SIDE), f"load {path.name}")
        task.signals.result.connect(self._on_loaded)
        self._task = self.context.run_in_pool(task)
        self.update()

    def set_qimage(self, image: QImage, boxes: list[Box]) -> None:
        """Show an image already in memory (a dropped or pasted query)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.path = None
        self._boxes = boxes
        self._original = image.size()
        self._pixmap = QPixmap.fromImage(image)
        self.update()

    def set_boxes(self, boxes: list[Box]) -> None:
        self._boxes = boxes
        self.update()

    def clear(self) -> None:
        self.set_image(None, None, [])

    @property
    def loading(self) -> bool:
        return self._task is not None and self._pixmap is None

    @Slot(object)
    def _on_loaded(self, image: QImage) -> None:
        if self._task is None or getattr(self.sender(), "task", None) is not self._task:
            return  # a newer image was asked for meanwhile
        self._task = None
        if self._original.isEmpty():
            self._original = image.size()
        self._pixmap = QPixmap.fromImage(image)
        self.update()

    def _target(self) -> QRectF:
        size = self._pixmap.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        rect = QRectF(0, 0, size.width(), size.height())
        rect.moveCenter(QPointF(self.width() / 2, self.height() / 2))
        return rect

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        pal = self.palette()
        if self._pixmap is None:
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                             self.tr("Loading…") if self.loading else self.placeholder)
            return
        target = self._target()
        painter.drawPixmap(target, self._pixmap, QRectF(self._pixmap.rect()))
        ow = self._original.width() or self._pixmap.width()
        oh = self._original.height() or self._pixmap.height()
        sx, sy = target.width() / ow, target.height() / oh
        for item in sorted(self._boxes, key=lambda b: b.kind in ("primary", "match", "query")):
            x0, y0, x1, y1 = item.box
            rect = QRectF(target.left() + x0 * sx, target.top() + y0 * sy, (x1 - x0) * sx, (y1 - y0) * sy)
            pen = self._pen(item.kind, pal)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect)
            if item.label:
                self._draw_label(painter, pal, rect, item)

    def _pen(self, kind: str, pal: QPalette) -> QPen:
        if kind in ("primary", "match", "query"):
            pen = QPen(pal.color(QPalette.ColorRole.Accent), 3)  # app.theme: the accent, not the pale selection tint
        elif kind == "rejected":
            pen = QPen(pal.color(QPalette.ColorRole.Mid), 1.5, Qt.PenStyle.DashLine)
        else:
            pen = QPen(pal.color(QPalette.ColorRole.Text), 1.5)
        pen.setCosmetic(True)
        return pen

    def _draw_label(self, painter: QPainter, pal: QPalette, rect: QRectF, item: Box) -> None:
        fm = painter.fontMetrics()
        text = fm.elidedText(item.label, Qt.TextElideMode.ElideRight, max(60, int(rect.width())))
        w, h = fm.horizontalAdvance(text) + 8, fm.height() + 2
        top = rect.top() - h if rect.top() - h >= 0 else rect.top()
        box = QRectF(rect.left(), top, w, h)
        strong = item.kind in ("primary", "match", "query")
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pal.color(QPalette.ColorRole.Accent if strong else QPalette.ColorRole.Window))
        painter.drawRect(box)
        role = QPalette.ColorRole.BrightText if strong else (
            QPalette.ColorRole.PlaceholderText if item.kind == "rejected" else QPalette.ColorRole.WindowText)
        painter.setPen(pal.color(role))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._pixmap is not None:
            self.clicked.emit()
        super().mouseReleaseEvent(event)
