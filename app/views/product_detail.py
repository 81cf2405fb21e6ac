"""Product detail: the images with their crop boxes, labels, metadata, and indexing/correction history."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.views.fit import ElidedTitle, no_widening
from app.views.image_boxes import Box, ImageBoxes
from app.views.tiles import plain_tip
from core.catalog import queries
from core.catalog.queries import ImageRow, ProductInfo


def crop_boxes(image_id: int) -> list[Box]:
    """Every crop of an image: the primary highlighted, rejected ones greyed with their reason."""
    return [Box(c.box, c.kind, c.label) for c in queries.crops_of_image(image_id)]


class ProductDetail(QWidget):
    search_similar = Signal(int)  # product id
    search_image = Signal(object)  # Path of a product image

    def __init__(self, context, parent: QWidget | None = None, review=None) -> None:
        super().__init__(parent)
        self.context = context
        self.review_panel = None
        self.product_id: int | None = None
        self._images: list[ImageRow] = []
        self.title = ElidedTitle("Select a product")
        self.image = ImageBoxes(context, placeholder="No image")
        self.image.setToolTip("Click to search for products similar to this image")
        self.image.clicked.connect(self._search_this_image)
        self.strip = QListWidget()
        self.strip.setViewMode(QListWidget.ViewMode.IconMode)
        self.strip.setFlow(QListWidget.Flow.LeftToRight)
        self.strip.setWrapping(False)
        self.strip.setIconSize(QSize(64, 64))
        self.strip.setFixedHeight(96)
        self.strip.currentRowChanged.connect(self._show_image)
        self.similar_button = QPushButton("Search similar")
        self.similar_button.setEnabled(False)
        self.similar_button.clicked.connect(self._similar)
        self.image_caption = QLabel()
        self.image_caption.setTextFormat(Qt.TextFormat.PlainText)  # a photo's file name is text
        self.image_caption.setWordWrap(True)
        self.labels = QListWidget()
        self.meta = QWidget()
        self.meta_form = QFormLayout(self.meta)
        self.history = QTreeWidget()
        self.history.setHeaderLabels(["When", "What", "Details"])
        self.history.setRootIsDecorated(False)
        tabs = QTabWidget()
        tabs.addTab(self.meta, "Details")
        tabs.addTab(self.labels, "Labels")
        tabs.addTab(self.history, "History")
        if review is not None:  # the correction panel, inline (app/views/review_panel.py)
            from app.views.review_panel import ReviewPanel

            self.review_panel = ReviewPanel(context, review)
            tabs.addTab(self.review_panel, "Review")
            self.strip.currentRowChanged.connect(self.review_panel.show_image_row)
        self.tabs = tabs
        tabs.currentChanged.connect(self._tab_changed)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.similar_button)
        top_layout.addLayout(header)
        top_layout.addWidget(self.image, 1)
        top_layout.addWidget(self.image_caption)
        top_layout.addWidget(self.strip)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)
        self.top = top
        context.thumbnails.ready.connect(self._on_thumbnail)

    @Slot(int)
    def _tab_changed(self, _index: int) -> None:
        # The review canvas has its own photo and title: it gets the whole pane instead of a strip below a preview
        self.top.setVisible(self.review_panel is None or self.tabs.currentWidget() is not self.review_panel)

    # --- loading -------------------------------------------------------------------------------
    def show_product(self, product_id: int | None) -> None:
        product = queries.product(product_id)
        self.product_id = product.id if product else None
        self.similar_button.setEnabled(product is not None and product.status == "indexed")
        self.strip.clear()
        self.labels.clear()
        self.history.clear()
        if self.review_panel is not None:
            self.review_panel.show_product(product.id if product else None)
        while self.meta_form.rowCount():
            self.meta_form.removeRow(0)
        if product is None:
            self.title.set_lines([])
            self._images = []
            self.image.clear()
            self.image_caption.clear()
            return
        self.title.set_lines([product.title or product.sku, product.sku])
        self._images = list(product.images)
        self._fill_strip()
        self._fill_meta(product)
        self._fill_labels(product)
        self._fill_history(product)
        start = product.start_row
        if self._images:
            self.strip.setCurrentRow(start)
            self._show_image(start)
        else:
            self.image.clear()

    def _fill_strip(self) -> None:
        for image in self._images:
            item = QListWidgetItem(image.original_name[:14])
            item.setToolTip(plain_tip(f"{image.original_name}\n{image.width}×{image.height} {image.format}"
                                      + (f"\n{image.error}" if image.error else "")))
            item.setData(Qt.ItemDataRole.UserRole, image.sha256)
            self._set_icon(item, image)
            self.strip.addItem(item)

    def _set_icon(self, item: QListWidgetItem, image: ImageRow) -> None:
        source = self.context.catalog.root / image.blob_path if image.blob_path else None
        pixmap = self.context.thumbnails.get(image.sha256, source) if image.status == "ok" else None
        if pixmap is not None:
            item.setIcon(QIcon(pixmap))

    @Slot(str)
    def _on_thumbnail(self, sha256: str) -> None:
        for n in range(self.strip.count()):
            item = self.strip.item(n)
            if item.data(Qt.ItemDataRole.UserRole) == sha256 and n < len(self._images):
                self._set_icon(item, self._images[n])

    def _fill_meta(self, product: ProductInfo) -> None:
        rows = [("SKU", product.sku), ("Title", product.title), ("Category", product.category or "—"),
                ("Price", "—" if product.price is None else f"{product.price:,.2f}"),
                ("Status", product.status), ("Review", product.review_state),
                ("Folder", product.source_folder), ("Images", str(len(self._images)))]
        rows += [(str(k), str(v)) for k, v in (product.attributes or {}).items()]
        if product.description:
            rows.append(("Description", product.description[:600]))
        for name, value in rows:
            label = no_widening(QLabel(value))
            label.setTextFormat(Qt.TextFormat.PlainText)  # a title with HTML in it is text, not markup
            label.setToolTip(plain_tip(value) if len(value) > 40 else "")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption = QLabel(f"{name}:")
            caption.setTextFormat(Qt.TextFormat.PlainText)  # an attribute's name comes from the product's file
            self.meta_form.addRow(caption, label)

    def _fill_labels(self, product: ProductInfo) -> None:
        for label in queries.labels(product.id):
            mark = " ✓" if label.confirmed else ""
            self.labels.addItem(f"{label.vocabulary}: {label.value}  ({label.score:.2f}, {label.source}){mark}")
        if not self.labels.count():
            self.labels.addItem("No labels yet — they come with indexing.")

    def _fill_history(self, product: ProductInfo) -> None:
        events = queries.history(product.id)
        for event in events:
            item = QTreeWidgetItem([event.when.strftime("%Y-%m-%d %H:%M"), event.what, event.detail])
            item.setToolTip(2, plain_tip(event.technical or event.detail))
            self.history.addTopLevelItem(item)
        if not events:
            self.history.addTopLevelItem(QTreeWidgetItem(["", "Imported", "not indexed yet"]))
        self.history.resizeColumnToContents(0)

    @Slot(int)
    def _show_image(self, row: int) -> None:
        if not 0 <= row < len(self._images):
            return
        image = self._images[row]
        if image.status != "ok" or not image.blob_path:
            self.image.set_image(None, None, [])
            self.image.placeholder = f"Unreadable image: {image.error or 'unknown reason'}"
            self.image_caption.setText(image.original_name)
            return
        boxes = crop_boxes(image.id)
        rejected = [b for b in boxes if b.kind == "rejected"]
        self.image.set_image(self.context.catalog.root / image.blob_path, (image.width, image.height), boxes)
        self.image_caption.setText(f"{image.original_name} · {image.width}×{image.height} · {len(boxes)} crops"
                                   + (f" ({len(rejected)} rejected)" if rejected else ""))

    # --- actions -------------------------------------------------------------------------------
    @Slot()
    def _similar(self) -> None:
        if self.product_id is not None:
            self.search_similar.emit(self.product_id)

    @Slot()
    def _search_this_image(self) -> None:
        if self.image.path is not None:
            self.search_image.emit(Path(self.image.path))

    def preview(self) -> None:
        """Space: the current image large, in its own window."""
        if self.image.path is None:
            return
        dialog = QDialog(self.window())
        dialog.setWindowTitle(self.image_caption.text() or "Preview")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        big = ImageBoxes(self.context, dialog)
        big.set_image(self.image.path, (self.image._original.width(), self.image._original.height()),
                      list(self.image._boxes))
        big.clicked.connect(dialog.close)
        layout = QVBoxLayout(dialog)
        layout.addWidget(big)
        dialog.resize(900, 700)
        dialog.show()
