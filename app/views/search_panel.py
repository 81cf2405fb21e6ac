"""Search: text, a dropped/pasted/clicked image or "similar to", alpha, filter chips, results, explanation."""

from __future__ import annotations

import difflib
import logging
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QPointF, QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence, QPainter, QPalette, QPen, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.views.explanation import ExplanationPanel
from app.views.filter_completer import FilterCompleter
from app.views.image_boxes import Box, ImageBoxes
from app.views.tiles import (
    TILE,
    BadgeRole,
    ChipBar,
    PixmapRole,
    ProductDelegate,
    ProductIdRole,
    RowRole,
    ShaRole,
    SkuRole,
    StatesRole,
    plain_tip,
)
from core.catalog import queries
from core.catalog.queries import BADGES, Cover

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}


def qimage_to_array(image: QImage) -> np.ndarray:
    """RGB uint8 pixels of a QImage (a pasted or dropped picture)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    buffer = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=stride * height).reshape(height, stride)
    return buffer[:, : width * 3].reshape(height, width, 3).copy()


class ResultModel(QAbstractListModel):
    def __init__(self, context, parent=None) -> None:
        super().__init__(parent)
        self.context = context
        self.results: list[Any] = []
        self._covers: dict[int, Cover] = {}
        self._badges: dict[int, tuple[str, ...]] = {}
        context.thumbnails.ready.connect(self._on_thumbnail)

    def set_results(self, results: list[Any]) -> None:
        self.beginResetModel()
        self.results = list(results)
        ids = [r.product_id for r in self.results]
        self._covers = queries.covers(ids)
        self._badges = queries.badges_of(ids)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.results)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.results[index.row()]
        cover = self._covers.get(r.product_id)
        sha, blob = (cover.sha256, cover.blob_path) if cover else ("", "")
        if role == Qt.ItemDataRole.DisplayRole:
            return r.title or r.sku
        if role == BadgeRole:
            from app.views.explanation import match_text

            return match_text(r.explanation) or f"{r.score:.2f}"
        if role == PixmapRole:
            return self.context.thumbnails.get(sha, self.context.catalog.root / blob) if sha and blob else None
        if role == StatesRole:
            return self._badges.get(r.product_id, ())
        if role == Qt.ItemDataRole.ToolTipRole:
            from app.views.explanation import match_text

            states = " · ".join(BADGES[b] for b in self._badges.get(r.product_id, ()))
            why = "; ".join((r.explanation or {}).get("reasons") or [])
            return plain_tip(f"#{index.row() + 1} {r.title or r.sku} · {r.sku}\n{states}\n"
                             f"{match_text(r.explanation)}{': ' + why if why else ''}")
        return {ProductIdRole: r.product_id, SkuRole: r.sku, ShaRole: sha, RowRole: r}.get(role)

    @Slot(str)
    def _on_thumbnail(self, sha256: str) -> None:
        for n, r in enumerate(self.results):
            cover = self._covers.get(r.product_id)
            if cover is not None and cover.sha256 == sha256:
                self.dataChanged.emit(self.index(n), self.index(n), [PixmapRole])


class QueryImage(ImageBoxes):
    """The query photo: drop an image file here (it searches), paste one, or click a product image
    elsewhere; drag over the photo to search for what is inside the box only."""

    dropped = Signal(object)  # Path or QImage
    refused = Signal(str)  # why a dropped thing is not searched
    region_drawn = Signal(object)  # (x0, y0, x1, y1) in the photo's pixels
    region_clicked = Signal(int)  # the number of an offered region clicked on the photo

    def __init__(self, context, parent=None) -> None:
        super().__init__(context, parent, placeholder="Drop or paste an image here\n(or click a product image)")
        self.setAcceptDrops(True)
        self.setMinimumSize(140, 110)
        self.query: np.ndarray | Path | None = None
        self._press: QPointF | None = None
        self._rubber: QRectF | None = None
        self.offered: list[tuple[int, tuple[float, float, float, float]]] = []  # (number, box) of each region

    def region_at(self, point: QPointF) -> int | None:
        """The offered region under a point of the widget (the smallest that holds it), or None."""
        if self._pixmap is None or not self.offered or not self._target().contains(point):
            return None
        p = self._to_image(point)
        inside = [(abs((b[2] - b[0]) * (b[3] - b[1])), n) for n, b in self.offered
                  if b[0] <= p.x() <= b[2] and b[1] <= p.y() <= b[3]]
        return min(inside)[1] if inside else None

    def dragEnterEvent(self, event) -> None:
        mime = event.mimeData()
        if mime.hasImage() or mime.hasUrls():  # anything dropped gets an answer, a photo or why not
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        mime = event.mimeData()
        urls = _image_urls(mime)
        if urls:
            self.dropped.emit(urls[0])
        elif mime.hasImage():
            self.dropped.emit(QImage(mime.imageData()))
        else:
            self.refused.emit(refusal([Path(u.toLocalFile()) if u.isLocalFile() else Path(u.toString())
                                       for u in mime.urls()]))
        event.acceptProposedAction()

    # --- a region of the photo -------------------------------------------------------------------
    def _to_image(self, point: QPointF) -> QPointF:
        target = self._target()
        ow = self._original.width() or self._pixmap.width()
        oh = self._original.height() or self._pixmap.height()
        x = min(max(point.x(), target.left()), target.right())
        y = min(max(point.y(), target.top()), target.bottom())
        return QPointF((x - target.left()) * ow / target.width(), (y - target.top()) * oh / target.height())

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._pixmap is not None \
                and self._target().contains(event.position()):
            self._press = event.position()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._press is not None:
            self._rubber = QRectF(self._press, event.position()).normalized()
            self.update()
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        press, rubber = self._press, self._rubber
        self._press = self._rubber = None
        if press is None or rubber is None or (event.position() - press).manhattanLength() < 4:
            number = self.region_at(event.position()) if event.button() == Qt.MouseButton.LeftButton else None
            if number is not None:  # a click on a product the photo offers searches that one
                self.region_clicked.emit(number)
                return
            super().mouseReleaseEvent(event)  # a click
            return
        a, b = self._to_image(rubber.topLeft()), self._to_image(rubber.bottomRight())
        self.update()
        if b.x() - a.x() < 8 or b.y() - a.y() < 8:
            self.refused.emit("Too small a region to search: drag over the whole product")
            return
        self.region_drawn.emit((a.x(), a.y(), b.x(), b.y()))

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self._rubber is not None:
            painter = QPainter(self)
            pen = QPen(self.palette().color(QPalette.ColorRole.Accent), 2, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawRect(self._rubber)
            painter.end()

    def set_query(self, query: np.ndarray | Path | QImage | None, box=None) -> None:
        if isinstance(query, QImage):
            self.query = qimage_to_array(query)
            self.set_qimage(query, [Box(box, "query", "query")] if box else [])
        elif isinstance(query, Path):
            self.query = query
            self.set_image(query, _image_size(query), [Box(box, "query", "query")] if box else [])
        else:
            self.query = None
            self.clear()


SLOW_SEARCH_MS = 500  # a search still running after this shows its progress and a Cancel button


def _elide(title: str, width: int = 18) -> str:
    """A chip's short title, shown as plain text (an ampersand would otherwise become a shortcut)."""
    short = title if len(title) <= width else title[:width - 1] + "…"
    return short.replace("&", "&&")


def refusal(paths: list[Path]) -> str:
    """Why dropped files are not searched, in words (a PDF, a text file, a folder)."""
    if not paths:
        return "Nothing to search in what was dropped: drop a photo (JPEG, PNG, WebP…)"
    path = paths[0]
    kind = {".pdf": "a PDF", ".txt": "a text file", ".csv": "a spreadsheet", ".json": "a JSON file",
            ".zip": "an archive"}.get(path.suffix.lower(), "not a photo")
    if path.is_dir():
        return f"“{path.name}” is a folder: drop it on the catalog to import it, or drop one photo here to search"
    return (f"“{path.name}” is {kind}, so it cannot be searched: drop a photo "
            f"({', '.join(s.lstrip('.').upper() for s in sorted(IMAGE_SUFFIXES) if s != '.jpeg')})")


def _image_urls(mime) -> list[Path]:
    return [Path(u.toLocalFile()) for u in mime.urls()
            if u.isLocalFile() and Path(u.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES]


def _image_size(path: Path) -> tuple[int, int] | None:
    try:
        from PIL import Image

        with Image.open(path) as img:
            return img.size
    except Exception:
        return None


class SearchPanel(QWidget):
    open_product = Signal(int)
    status_message = Signal(str)
    searched = Signal(object)  # SearchResponse

    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.similar_to: int | None = None
        self.region: tuple[float, float, float, float] | None = None  # a box drawn on the query photo
        self.response = None
        self._task = None
        self.text = QLineEdit(placeholderText="Describe the product (e.g. red leather bag)")
        self.text.setClearButtonEnabled(True)
        self.text.returnPressed.connect(self.run_search)
        self.text.textChanged.connect(self._update_alpha)
        self.query_image = QueryImage(context)
        self.query_image.setToolTip("Drop a photo to search with it · drag over it to search for one region only")
        self.query_image.dropped.connect(self._dropped)
        self.query_image.refused.connect(self._refused)
        self.query_image.region_drawn.connect(self.search_region)
        self.query_image.region_clicked.connect(self.search_offered)
        # Every product found in the query photo, as numbered chips (and numbered boxes on the photo).
        self.offered: list = []  # the QueryRegion list of the last whole-photo search
        self.offered_bar = ChipBar(self.tr("In this photo:"), exclusive=True)
        self.offered_bar.setToolTip(self.tr("Each product found in the photo; click one to search for it"))
        self.offered_bar.setAccessibleName(self.tr("Products found in the photo"))
        self.offered_bar.changed.connect(self._offered_chosen)
        self.offered_bar.hide()
        self.clear_image = QPushButton("Clear image")
        self.clear_image.clicked.connect(self.clear_query_image)
        self.alpha = QSlider(Qt.Orientation.Horizontal)
        self.alpha.setRange(0, 100)
        self.alpha.setValue(50)
        self.alpha.setToolTip("Weight of the image against the text")
        self.alpha_label = QLabel()
        self.alpha.valueChanged.connect(self._update_alpha)
        self.filter_edit = QLineEdit(placeholderText="Add filter: category=Gear/Bags, color=Blue, price=10..50")
        self.filter_edit.returnPressed.connect(self._add_filter)
        self.filter_completer = FilterCompleter(self.filter_edit)
        self.filter_completer.chosen.connect(self._filter_chosen)
        self._values_task = None
        self.filters = ChipBar("Filters:", exclusive=False)
        self.filters.changed.connect(self._filters_changed)
        self.search_button = QPushButton("Search")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.run_search)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        # A search that takes more than half a second (a scene on a CPU) shows its step and can be cancelled.
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the search"))
        self.cancel_button.clicked.connect(self.cancel_search)
        self.cancel_button.hide()
        self._slow = QTimer(self)
        self._slow.setSingleShot(True)
        self._slow.setInterval(SLOW_SEARCH_MS)
        self._slow.timeout.connect(self._show_cancel)
        self.results = ResultModel(context, self)
        self.view = QListView()
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)
        self.view.setGridSize(TILE + QSize(6, 6))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setItemDelegate(ProductDelegate(self.view))
        self.view.setModel(self.results)
        self.view.selectionModel().currentChanged.connect(self._result_chosen)
        self.view.activated.connect(self._result_activated)
        self.explanation = ExplanationPanel(context)
        self._build_layout()
        QShortcut(QKeySequence.StandardKey.Paste, self, self.paste_image)
        self._update_alpha()

    def _build_layout(self) -> None:
        query = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(self.text, 1)
        row.addWidget(self.search_button)
        query.addLayout(row)
        alpha_row = QHBoxLayout()
        alpha_row.addWidget(QLabel("Text"))
        alpha_row.addWidget(self.alpha, 1)
        alpha_row.addWidget(QLabel("Image"))
        alpha_row.addWidget(self.alpha_label)
        self.alpha_row = QWidget()
        self.alpha_row.setLayout(alpha_row)
        query.addWidget(self.alpha_row)
        query.addWidget(self.filter_edit)
        query.addWidget(self.filters)
        query.addWidget(self.offered_bar)
        state_row = QHBoxLayout()
        state_row.addWidget(self.state_label, 1)
        state_row.addWidget(self.cancel_button)
        query.addLayout(state_row)
        query.addStretch(1)
        image_col = QVBoxLayout()
        image_col.addWidget(self.query_image, 1)
        image_col.addWidget(self.clear_image)
        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.addLayout(image_col, 1)
        top_layout.addLayout(query, 2)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.view)
        bottom.addWidget(self.explanation)
        bottom.setStretchFactor(0, 3)
        bottom.setStretchFactor(1, 2)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(1, 3)
        split.setSizes([220, 600])
        bottom.setSizes([640, 560])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)

    # --- query ---------------------------------------------------------------------------------
    def set_text_available(self, available: bool, reason: str = "") -> None:
        """The box always takes words (the lexical index needs no model); CLIP adds matching by meaning."""
        self.text.setEnabled(True)
        self.text.setPlaceholderText("Describe the product (e.g. red leather bag)" if available
                                     else "Search by words: SKU, title, category, attributes")
        self.text.setToolTip("" if available else f"Words only, no matching by meaning: {reason}")

    @Slot()
    def _update_alpha(self, *_args) -> None:
        both = bool(self.text.text().strip()) and (self.query_image.query is not None or self.similar_to is not None)
        self.alpha_row.setVisible(both)
        self.alpha_label.setText(f"{self.alpha.value() / 100:.2f}")

    def search_image(self, image: Path | QImage | np.ndarray, box=None) -> None:
        self.similar_to = None
        self.region = None
        self._set_offered([])
        self.query_image.set_query(image, box)
        self._update_alpha()
        self.run_search()

    @Slot(object)
    def _dropped(self, image) -> None:
        self.search_image(image)

    @Slot(str)
    def _refused(self, text: str) -> None:
        self.state_label.setText(text)
        self.status_message.emit(text)

    @Slot(object)
    def search_region(self, box) -> None:
        """Search for what is inside a box drawn on the query photo (`search --box` on the CLI)."""
        if self.query_image.query is None and self.similar_to is not None and self.query_image.path is not None:
            self.query_image.query = self.query_image.path  # "similar to" becomes a search with this photo
        if self.query_image.query is None:
            self._refused("Drop or paste a photo first, then drag over the part to search for")
            return
        self.similar_to = None
        self.region = tuple(float(v) for v in box)
        self._set_offered([])
        self.query_image.set_boxes([Box(self.region, "query", "your region")])
        self._update_alpha()
        self.run_search()

    @Slot(int)
    def search_offered(self, number: int) -> None:
        """Search for one of the products the photo offers (a chip or its box was clicked)."""
        region = next((r for r in self.offered if r.number == number), None)
        if region is None or self.query_image.query is None:
            return
        self.region = tuple(float(v) for v in region.box)
        self.offered_bar.blockSignals(True)
        self.offered_bar.set_checked(str(number))
        self.offered_bar.blockSignals(False)
        self._draw_offered(number)
        self.run_search()

    @Slot(list)
    def _offered_chosen(self, checked: list) -> None:
        if checked:
            self.search_offered(int(checked[0]))

    def _set_offered(self, regions: list) -> None:
        self.offered = list(regions)
        self.query_image.offered = [(r.number, tuple(r.box)) for r in self.offered]
        if len(self.offered) < 2:
            self.offered_bar.set_chips([])
            self.offered_bar.hide()
            return
        chips = [(str(r.number), f"{r.number} · {_elide(r.matches[0].title) if r.matches else '?'}")
                 for r in self.offered]
        self.offered_bar.blockSignals(True)
        self.offered_bar.set_chips(chips, ["1"])
        self.offered_bar.blockSignals(False)
        self.offered_bar.show()
        self._draw_offered(1)

    def _draw_offered(self, chosen: int) -> None:
        """Numbered boxes for every offered product; the one searched is drawn strong."""
        self.query_image.set_boxes([Box(tuple(r.box), "query" if r.number == chosen else "accepted",
                                        str(r.number)) for r in self.offered])

    def search_similar(self, product_id: int) -> None:
        self.similar_to = product_id
        self.region = None
        primary = queries.primary_crop(product_id)
        if primary is not None:
            self.query_image.set_query(self.context.catalog.root / primary.blob_path, primary.box)
        self.query_image.query = None  # the query is the product's vectors, not this photo
        self._update_alpha()
        self.run_search()

    @Slot()
    def clear_query_image(self) -> None:
        self.similar_to = None
        self.region = None
        self._set_offered([])
        self.query_image.set_query(None)
        self._update_alpha()

    @Slot()
    def paste_image(self) -> None:
        image = QGuiApplication.clipboard().image()
        if not image.isNull():
            self.search_image(image)
        elif self.text.hasFocus():
            self.text.paste()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.load_filter_values()

    def load_filter_values(self) -> None:
        """Keys and values with counts for the filter's autocomplete, read in the pool."""
        if self._values_task is not None:
            return
        task = self.context.read(lambda: (queries.filter_values(), queries.filter_keys()), "filter values")
        task.signals.result.connect(self._on_filter_values)
        task.signals.finished.connect(self._on_values_finished)
        self._values_task = task
        self.context.run_in_pool(task)

    @Slot(object)
    def _on_filter_values(self, data) -> None:
        values, keys = data
        self.filter_completer.set_values(values, keys)

    @Slot()
    def _on_values_finished(self) -> None:
        self._values_task = None

    @Slot(str)
    def _filter_chosen(self, text: str) -> None:
        # a value picked from the list applies at once, after the completer has written it into the line
        QTimer.singleShot(0, lambda: (self.filter_edit.setText(text), self._add_filter()))

    @Slot()
    def _add_filter(self) -> None:
        text = self.filter_edit.text().strip()
        if self.filter_completer.popup().isVisible():
            self.filter_completer.popup().hide()
        if "=" not in text:
            self.state_label.setText("A filter looks like key=value, e.g. category=Gear/Bags")
            return
        key = text.split("=", 1)[0].strip().lower()
        known = queries.filter_keys()
        if key not in known and key not in ("cat", "labels", "review_state"):
            # Marked inline, not a search that silently finds nothing: the keys this catalog knows.
            close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
            hint = f"did you mean {' or '.join(close)}? " if close else ""
            self.filter_edit.setStyleSheet("QLineEdit { border: 1px solid #c0392b; }")
            self.state_label.setText(f"No products have a '{key}' field: {hint}Known keys: {', '.join(known)}")
            return
        self.filter_edit.setStyleSheet("")
        chips = [(k, k) for k in self.filters.checked() if k != text] + [(text, text)]
        self.filters.set_chips(chips, [k for k, _ in chips])
        self.filter_edit.clear()
        self.filter_edit.setToolTip("Click a chip to turn its filter off")
        self._filters_changed(self.filters.checked())  # Enter applies the filter at once

    @Slot(list)
    def _filters_changed(self, checked: list) -> None:
        if self.response is not None:
            self.run_search()

    def request(self):
        from core.search.query import SearchRequest

        text = self.text.text().strip() if self.text.isEnabled() else ""
        image = self.query_image.query
        return SearchRequest(text=text or None, image=image, box=self.region if image is not None else None,
                             alpha=self.alpha.value() / 100,
                             filters=self.filters.checked(), k=40, similar_to=self.similar_to)

    @Slot()
    def run_search(self) -> None:
        request = self.request()
        if request.text is None and request.image is None and request.similar_to is None:
            self.state_label.setText("Type a description, or drop, paste or click an image.")
            return
        if self._task is not None:
            self._task.cancel()  # its result would be stale
        self.state_label.setText("Searching…" if self.context.models.ready else "Searching once the models are loaded…")
        self._task = self.context.search(request, on_result=self._on_result, on_failed=self._on_failed)
        self._task.signals.progress.connect(self._on_progress)
        self._slow.start()

    @Slot()
    def _show_cancel(self) -> None:
        if self._task is not None:
            self.cancel_button.show()

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        if not self._is_current():
            return
        self.state_label.setText(self.tr("{message}… (step {step} of {total})").format(
            message=message, step=done + 1, total=total))

    @Slot()
    def cancel_search(self) -> None:
        """Stop the search under way: a scene query stops at its next step, and its answer is dropped."""
        if self._task is None:
            return
        self._task.cancel()
        self._task = None
        self._search_ended()
        self.state_label.setText(self.tr("Search cancelled"))
        self.status_message.emit(self.tr("Search cancelled"))

    def _search_ended(self) -> None:
        self._slow.stop()
        self.cancel_button.hide()

    def _is_current(self) -> bool:
        return self._task is not None and getattr(self.sender(), "task", None) is self._task

    @Slot(object)
    def _on_result(self, response) -> None:
        if not self._is_current():
            return
        self._task = None
        self._search_ended()
        self.response = response
        if self.region is None and len(getattr(response, "regions", [])) > 1:
            self._set_offered(response.regions)  # a whole photo: offer every product found in it
        self.results.set_results(response.results)
        self.explanation.clear()
        n = len(response.results)
        self.state_label.setText(f"{n} result{'s' if n != 1 else ''}"
                                 + (" for the region you drew" if self.region else "")
                                 + f" in {response.seconds * 1000:.0f} ms"
                                 + self._said(response, n))
        self.searched.emit(response)
        if n:
            self.view.setCurrentIndex(self.results.index(0))

    def _said(self, response, n: int) -> str:
        """What the curator should know about the words: a typo corrected, or why nothing came back. Filters
        are blamed only when some are set."""
        corrected = getattr(response, "corrected", None)
        if corrected:
            return self.tr(" — showing results for %1").replace("%1", corrected)
        if n:
            return ""
        if self.filters.checked():
            return self.tr(" — try fewer filters or other words")
        return self.tr(" — no product holds these words; try other words")

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if not self._is_current():
            return
        self._task = None
        self._search_ended()
        self.state_label.setText(f"Search failed: {message.splitlines()[0]}")
        self.status_message.emit("Search failed")

    # --- results -------------------------------------------------------------------------------
    @Slot(QModelIndex, QModelIndex)
    def _result_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or self.response is None:
            return
        result = current.data(RowRole)
        query_path = self.query_image.path
        self.explanation.show_result(result, current.row() + 1, query_path, self.query_image)

    @Slot(QModelIndex)
    def _result_activated(self, index: QModelIndex) -> None:
        if self.response is not None and self.response.query_id is not None:
            try:
                from core.search.analytics import record_click

                record_click(self.response.query_id, index.data(ProductIdRole), index.row() + 1)
            except Exception:
                log.exception("could not record the click")
        self.open_product.emit(index.data(ProductIdRole))

    @property
    def busy(self) -> bool:
        return self._task is not None
