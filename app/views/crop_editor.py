"""The review canvas: a photo with every crop box over it, zoom (wheel, +/-, 0 fits) and pan (drag with
Space or the middle button). Edit mode moves a box and resizes the selected one by its handles; draw mode
(W) draws a new box wherever the drag starts. Captions sit outside the boxes and never overlap. Scene
units are the original image's pixels; the view only reports what the curator did (the panel turns it
into corrections) and explains every key or click that does nothing through `status`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QAction, QBrush, QColor, QPainter, QPalette, QPen, QPixmap, QTransform
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

MAX_SIDE = 2400  # the canvas zooms in, so it keeps more pixels than a preview
HANDLE_PX = 7  # grab distance of a corner or edge, in screen pixels
MIN_BOX = 8  # smallest box a curator can draw, in image pixels
MARGIN_PX = 8  # room around the fitted photo, in screen pixels
ZOOM_STEP = 1.25
MAX_ZOOM = 16.0  # times the fitted size
MOVE_PX = 4  # a press that moves less than this is a click, not a drag
KIND_ORDER = {"primary": 1, "accepted": 2, "rejected": 3}  # whose caption gets the best place


@dataclass
class CropBox:
    crop_id: int
    box: tuple[float, float, float, float]
    kind: str = "accepted"  # primary, accepted, rejected
    label: str = ""
    reason: str = ""  # why a rejected box was rejected


class CropItem(QGraphicsRectItem):
    """One crop's box; handles are drawn while it is selected (captions are the view's, see drawForeground)."""

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

    def colour(self) -> QColor:
        pal = self.palette
        if self.crop.kind == "primary" or self.selected:
            return pal.color(QPalette.ColorRole.Accent)
        return pal.color(QPalette.ColorRole.Mid) if self.crop.kind == "rejected" else QColor(255, 255, 255)

    def boundingRect(self) -> QRectF:
        scale = self.scene().views()[0].transform().m11() if self.scene() and self.scene().views() else 1.0
        pad = (HANDLE_PX + 4) / (scale or 1.0)
        return super().boundingRect().adjusted(-pad, -pad, pad, pad)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        strong = self.crop.kind == "primary"
        colour = self.colour()
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
        if self.selected:
            side = HANDLE_PX / (painter.worldTransform().m11() or 1.0)
            painter.setPen(QPen(QColor(0, 0, 0), 0))
            painter.setBrush(QBrush(colour))
            for point in _handles(rect):
                painter.drawRect(QRectF(point.x() - side / 2, point.y() - side / 2, side, side))


def _handles(rect: QRectF) -> list[QPointF]:
    c = rect.center()
    return [rect.topLeft(), rect.topRight(), rect.bottomLeft(), rect.bottomRight(),
            QPointF(c.x(), rect.top()), QPointF(c.x(), rect.bottom()),
            QPointF(rect.left(), c.y()), QPointF(rect.right(), c.y())]


def place_captions(boxes: list[QRectF], sizes: list[tuple[float, float]], bounds: QRectF) -> list[QRectF]:
    """Where each box's caption goes, in the order given (most important first): just above the box,
    else just below it, else inside its top edge, else stacked above the nearest free row; never over
    another caption, and inside `bounds` whenever it fits there."""
    placed: list[QRectF] = []
    for box, (w, h) in zip(boxes, sizes, strict=True):
        left = min(max(box.left(), bounds.left()), max(bounds.left(), bounds.right() - w))
        candidates = [QRectF(left, box.top() - h - 1, w, h), QRectF(left, box.bottom() + 1, w, h),
                      QRectF(left, box.top() + 1, w, h)]
        candidates += [QRectF(left, box.top() - h * (n + 2) - 1, w, h) for n in range(12)]  # stacked above
        candidates += [QRectF(left, box.bottom() + h * (n + 1) + 1, w, h) for n in range(12)]  # stacked below

        def free(r: QRectF) -> bool:
            return bounds.contains(r) and not any(r.intersects(p) for p in placed)

        placed.append(next((c for c in candidates if free(c)),
                           next((c for c in candidates if not any(c.intersects(p) for p in placed)), candidates[0])))
    return placed


class CropEditor(QGraphicsView):
    box_changed = Signal(int, object, object)  # crop id, new box, old box (image pixels)
    box_drawn = Signal(object)  # a new box on the shown image
    delete_requested = Signal(int)
    primary_requested = Signal(int)
    selection_changed = Signal(object)  # crop id or None
    mode_changed = Signal(str)  # "edit" or "draw"
    zoom_changed = Signal(float)  # times the fitted size
    status = Signal(str)  # why a key or a click did nothing, or what it did

    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)  # captions follow the view
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
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
        self.mode = "edit"
        self.zoom = 1.0
        self._task: Task | None = None
        self._drag: dict | None = None
        self._rubber: QGraphicsRectItem | None = None
        self._space = False

    # --- content -------------------------------------------------------------------------------
    def set_image(self, path: Path | None, size: tuple[int, int], crops: list[CropBox],
                  select: int | None = None) -> None:
        same = path == self.path and self.pixmap_item.pixmap() is not None and not self.pixmap_item.pixmap().isNull()
        self.path = path
        changed_size = tuple(size) != tuple(self.image_size)
        self.image_size = size
        for item in self.items_by_id.values():
            self.scene().removeItem(item)
        self.items_by_id = {}
        self._drag = None
        w, h = size
        pad = max(w, h)  # room to pan a zoomed photo's edge to the middle
        self.setSceneRect(QRectF(-pad, -pad, w + 2 * pad, h + 2 * pad) if w and h else QRectF())
        for crop in crops:
            item = CropItem(crop, self.palette())
            self.scene().addItem(item)
            self.items_by_id[crop.crop_id] = item
        if not same:
            self.pixmap_item.setPixmap(QPixmap())
            self._load(path)
        self.select(select if select in self.items_by_id else None)
        if not same or changed_size:
            self.set_mode("edit")
            self.fit()
        else:
            self.viewport().update()  # the same photo after an edit keeps its zoom and place

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
        self.viewport().update()

    def set_mode(self, mode: str) -> None:
        if mode == "draw" and not self.image_size[0]:
            self.status.emit("No photo to draw on")
            mode = "edit"
        if mode != self.mode:
            if self.mode == "draw":
                self.status.emit("")  # the draw-mode hint goes with draw mode
            self.mode = mode
            self._update_cursor(None)
            self.mode_changed.emit(mode)

    def toggle_draw(self) -> None:
        self.set_mode("edit" if self.mode == "draw" else "draw")
        if self.mode == "draw":
            self.status.emit("Draw mode: drag over the product to draw a box · Esc or W goes back to editing")

    # --- zoom and pan --------------------------------------------------------------------------
    def _fit_scale(self) -> float:
        w, h = self.image_size
        if not w or not h:
            return 1.0
        top = self.fontMetrics().height() + 6  # the top box's caption sits above the photo
        vw, vh = self.viewport().width() - 2 * MARGIN_PX, self.viewport().height() - MARGIN_PX - top
        return max(1e-3, min(vw / w, vh / h))

    def fit(self) -> None:
        """The whole photo in view (the zoom of 1×)."""
        self._set_zoom(1.0, None)

    def zoom_by(self, factor: float, anchor: QPoint | None = None) -> None:
        if not self.image_size[0]:
            self.status.emit("No photo to zoom")
            return
        target = min(max(self.zoom * factor, 1.0), MAX_ZOOM)
        if abs(target - self.zoom) < 1e-6:
            self.status.emit(f"Zoom is at its most ({MAX_ZOOM:.0f}×)" if factor > 1
                             else "The whole photo is in view already (0 fits it)")
            return
        self._set_zoom(target, anchor)

    def _set_zoom(self, zoom: float, anchor: QPoint | None) -> None:
        w, h = self.image_size
        if not w or not h:
            return
        anchor = anchor if anchor is not None else self.viewport().rect().center()
        keep = self.mapToScene(anchor)  # the photo point under the mouse stays under it
        self.zoom = zoom
        scale = self._fit_scale() * zoom
        self.setTransform(QTransform.fromScale(scale, scale))
        if zoom == 1.0:
            top = self.fontMetrics().height() + 6
            self.centerOn(QPointF(w / 2, h / 2 - (top - MARGIN_PX) / 2 / scale))
        else:
            delta = self.mapToScene(anchor) - keep
            self.centerOn(self.mapToScene(self.viewport().rect().center()) - delta)
        self.viewport().update()
        self.zoom_changed.emit(zoom)

    def pan_by(self, dx: int, dy: int) -> None:
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - dx)
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() - dy)

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP ** steps, event.position().toPoint())
        event.accept()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._set_zoom(self.zoom, None)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._set_zoom(self.zoom, None)

    # --- captions ------------------------------------------------------------------------------
    def caption_layout(self) -> list[tuple[int, QRectF, str]]:
        """(crop id, caption rectangle in viewport pixels, text) for every box with a caption."""
        items = sorted((i for i in self.items_by_id.values() if i.crop.label),
                       key=lambda i: (not i.selected, KIND_ORDER.get(i.crop.kind, 9), i.crop.crop_id))
        fm = self.fontMetrics()
        ids, boxes, sizes, texts = [], [], [], []
        for item in items:
            box = self.mapFromScene(item.rect()).boundingRect()
            if not box.intersects(self.viewport().rect()):
                continue  # panned out of view: no caption pinned to the edge for it
            text = fm.elidedText(item.crop.label, Qt.TextElideMode.ElideRight, max(140, box.width()))
            ids.append(item.crop.crop_id)
            boxes.append(QRectF(box))
            sizes.append((fm.horizontalAdvance(text) + 10.0, fm.height() + 2.0))
            texts.append(text)
        rects = place_captions(boxes, sizes, QRectF(self.viewport().rect()))
        return list(zip(ids, rects, texts, strict=True))

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        painter.save()
        painter.resetTransform()  # captions keep their size at every zoom
        painter.setFont(self.font())
        for crop_id, box, text in self.caption_layout():
            item = self.items_by_id[crop_id]
            colour = item.colour()
            if colour == QColor(255, 255, 255):
                colour = QColor(40, 40, 40, 220)  # a white caption on a white studio background is unreadable
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(QColor(255, 255, 255) if colour.lightness() < 150 else QColor(0, 0, 0))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    # --- hit tests -----------------------------------------------------------------------------
    def _scene_pos(self, event) -> QPointF:
        return self.mapToScene(event.position().toPoint())

    def _grab(self, pos: QPointF) -> tuple[CropItem | None, tuple[bool, bool, bool, bool] | None]:
        """The crop under the point and, for the selected crop only, which edges (left, top, right,
        bottom) its handles grab: a box is resized only once it is selected, so a drag near an
        automatic box never resizes it by accident."""
        tol = HANDLE_PX / (self.transform().m11() or 1.0)
        selected = self.items_by_id.get(self.selected_id) if self.selected_id is not None else None
        if selected is not None:
            r = selected.rect()
            if r.adjusted(-tol, -tol, tol, tol).contains(pos):
                edges = (abs(pos.x() - r.left()) <= tol, abs(pos.y() - r.top()) <= tol,
                         abs(pos.x() - r.right()) <= tol, abs(pos.y() - r.bottom()) <= tol)
                if any(edges):
                    return selected, edges
        # the smallest box under the point: a box inside another stays reachable even when the outer one is selected
        order = sorted(self.items_by_id.values(), key=lambda i: i.rect().width() * i.rect().height())
        for item in order:
            if item.rect().contains(pos):
                return item, None
        return None, None

    def _clamp(self, pos: QPointF) -> QPointF:
        w, h = self.image_size
        return QPointF(min(max(pos.x(), 0.0), float(w)), min(max(pos.y(), 0.0), float(h)))

    def _update_cursor(self, pos: QPointF | None) -> None:
        if self._space or (self._drag or {}).get("mode") == "pan":
            shape = Qt.CursorShape.ClosedHandCursor if self._drag else Qt.CursorShape.OpenHandCursor
        elif self.mode == "draw":
            shape = Qt.CursorShape.CrossCursor
        else:
            item, edges = self._grab(pos) if pos is not None else (None, None)
            shape = _cursor(edges) if item is not None and edges else (
                Qt.CursorShape.SizeAllCursor if item is not None else Qt.CursorShape.ArrowCursor)
        self.viewport().setCursor(shape)

    # --- mouse and keys ------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (button == Qt.MouseButton.LeftButton and self._space):
            self._drag = {"mode": "pan", "last": event.position().toPoint()}
            self._update_cursor(None)
            event.accept()
            return
        if button != Qt.MouseButton.LeftButton or not self.image_size[0]:
            super().mousePressEvent(event)
            return
        self.setFocus()
        pos = self._scene_pos(event)
        if self.mode == "draw":
            self._start_rubber(self._clamp(pos))
        else:
            item, edges = self._grab(pos)
            if item is not None:
                self.select(item.crop.crop_id)
                self._drag = {"mode": "resize" if edges else "move", "item": item, "edges": edges,
                              "start": pos, "rect": QRectF(item.rect()), "old": item.box()}
            else:
                self.select(None)
                self._drag = {"mode": "none", "press": event.position().toPoint()}
        event.accept()

    def _start_rubber(self, pos: QPointF) -> None:
        self._rubber = QGraphicsRectItem(QRectF(pos, pos))
        pen = QPen(self.palette().color(QPalette.ColorRole.Accent), 2, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self._rubber.setPen(pen)
        self._rubber.setZValue(5)
        self.scene().addItem(self._rubber)
        self._drag = {"mode": "draw", "start": pos}

    def mouseMoveEvent(self, event) -> None:
        pos = self._scene_pos(event)
        drag = self._drag
        if drag is None or drag["mode"] == "none":
            self._update_cursor(pos)
            super().mouseMoveEvent(event)
            return
        if drag["mode"] == "pan":
            now = event.position().toPoint()
            self.pan_by(now.x() - drag["last"].x(), now.y() - drag["last"].y())
            drag["last"] = now
            event.accept()
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
        if drag is None:
            super().mouseReleaseEvent(event)
            return
        mode = drag["mode"]
        if mode == "pan":
            self._update_cursor(None)
        elif mode == "none":
            moved = (event.position().toPoint() - drag["press"]).manhattanLength()
            if moved >= MOVE_PX:
                self.status.emit("Nothing drawn: press W to draw a box (edit mode moves boxes and resizes "
                                 "the selected one) · Space+drag or the middle button pans")
        elif mode == "draw":
            self._finish_draw()
        else:
            item = drag["item"]
            new, old = item.box(), drag["old"]
            if new[2] - new[0] < MIN_BOX or new[3] - new[1] < MIN_BOX:
                item.setRect(drag["rect"])  # too small to be a product: snap back
                self.status.emit(f"A box needs at least {MIN_BOX}×{MIN_BOX} photo pixels: it snapped back")
            elif max(abs(a - b) for a, b in zip(new, old, strict=True)) >= 1.0:
                self.box_changed.emit(item.crop.crop_id, new, old)
        event.accept()

    def _finish_draw(self) -> None:
        rect = self._rubber.rect()
        self.scene().removeItem(self._rubber)
        self._rubber = None
        if rect.width() >= MIN_BOX and rect.height() >= MIN_BOX:
            self.set_mode("edit")  # one box per W, as in CVAT: the next drag edits again (the hint goes first,
            self.box_drawn.emit((rect.left(), rect.top(), rect.right(), rect.bottom()))  # then what the box did)
        else:
            self.status.emit(f"Too small to be a box (at least {MIN_BOX}×{MIN_BOX} photo pixels): drag further, "
                             "or press Esc to stop drawing")

    def mouseDoubleClickEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        item, _ = self._grab(self._scene_pos(event))
        if item is None:
            self.status.emit("Double-click a box to make it the primary crop")
        elif item.crop.kind == "primary":
            self.status.emit("This box is already the primary crop")
        else:
            if item.crop.kind == "rejected":
                why = item.crop.reason or "no reason recorded"
                self.status.emit(f"This box had been rejected automatically ({why}); it is now the primary "
                                 "crop — Ctrl+Z undoes")
            self.primary_requested.emit(item.crop.crop_id)
        event.accept()

    def contextMenuEvent(self, event) -> None:
        item, _ = self._grab(self.mapToScene(event.pos()))
        if item is None:
            return
        self.select(item.crop.crop_id)
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        crop_id = item.crop.crop_id
        primary = QAction("Restore as primary" if item.crop.kind == "rejected" else "Make primary", menu)
        primary.setEnabled(item.crop.kind != "primary")
        primary.triggered.connect(lambda: self.primary_requested.emit(crop_id))
        delete = QAction("Delete crop", menu)
        delete.triggered.connect(lambda: self.delete_requested.emit(crop_id))
        menu.addAction(primary)
        menu.addAction(delete)
        menu.popup(event.globalPos())

    OWN_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_Space)

    def event(self, event) -> bool:
        # Delete and Space belong to the canvas here, not to the window's "delete products"/"preview"
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in self.OWN_KEYS:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key == Qt.Key.Key_Space:
            if not event.isAutoRepeat():
                self._space = True
                self._update_cursor(None)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            if self.selected_id is not None:
                self.delete_requested.emit(self.selected_id)
            else:
                self.status.emit("No box selected: click a box or press Tab first")
        elif key == Qt.Key.Key_Tab:
            if self.items_by_id:  # cycle through the crops
                ids = list(self.items_by_id)
                self.select(ids[(ids.index(self.selected_id) + 1) % len(ids)] if self.selected_id in ids else ids[0])
            else:
                self.status.emit("This photo has no boxes: press W to draw one")
        elif key == Qt.Key.Key_W:
            self.toggle_draw()
        elif key == Qt.Key.Key_Escape:
            if self._rubber is not None:
                self.scene().removeItem(self._rubber)
                self._rubber, self._drag = None, None
            if self.mode == "draw":
                self.set_mode("edit")
                self.status.emit("Back to editing")
            elif self.selected_id is not None:
                self.select(None)
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(ZOOM_STEP)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_by(1 / ZOOM_STEP)
        elif key == Qt.Key.Key_0:
            if self.zoom == 1.0:
                self.status.emit("The whole photo is in view already")
            self.fit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self._update_cursor(None)
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:
        self._space = False  # a released Space may never arrive once the focus is elsewhere
        super().focusOutEvent(event)

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
