"""Product detail: the images with their crop boxes, labels, metadata, and indexing/correction history."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.views.field_editor import EditableField
from app.views.filmstrip import FilmstripMixin
from app.views.fit import ElidedTitle, no_widening
from app.views.image_boxes import Box, ImageBoxes
from app.views.tiles import plain_tip
from core.catalog import queries
from core.catalog.queries import ImageRow, ProductInfo


def crop_boxes(image_id: int) -> list[Box]:
    """Every crop of an image: the primary highlighted, rejected ones greyed with their reason."""
    return [Box(c.box, c.kind, c.label) for c in queries.crops_of_image(image_id)]


class ProductDetail(FilmstripMixin, QWidget):
    search_similar = Signal(int)  # product id
    search_image = Signal(object)  # Path of a product image

    def __init__(self, context, parent: QWidget | None = None, review=None, edits=None) -> None:
        super().__init__(parent)
        self.context = context
        self.edits = edits  # app.workers.edits.EditService: the Details tab edits in place when given
        self.fields: dict[str, EditableField] = {}
        self.review_panel = None
        self.product_id: int | None = None
        self._images: list[ImageRow] = []
        self.title = ElidedTitle(self.tr("Select a product"))
        self.image = ImageBoxes(context, placeholder=self.tr("No image"))
        self.image.setAccessibleName(self.tr("Product photo"))
        self.image.setToolTip(self.tr("Click to search for products similar to this image; E opens the loupe"))
        self.image.clicked.connect(self._search_this_image)
        self.strip = QListWidget()
        self.strip.setViewMode(QListWidget.ViewMode.IconMode)
        self.strip.setFlow(QListWidget.Flow.LeftToRight)
        self.strip.setWrapping(False)
        self.strip.setIconSize(QSize(48, 48))
        self.strip.setFixedHeight(76)
        self.strip.setAccessibleName(self.tr("Views of this product"))
        self.strip.currentRowChanged.connect(self._show_image)
        self.similar_button = QPushButton(self.tr("Search similar"))
        self.similar_button.setEnabled(False)
        self.similar_button.clicked.connect(self._similar)
        self.image_caption = QLabel()
        self.image_caption.setTextFormat(Qt.TextFormat.PlainText)  # a photo's file name is text
        self.image_caption.setWordWrap(True)
        self.labels = QListWidget()
        self.meta = QWidget()
        meta_layout = QVBoxLayout(self.meta)
        meta_layout.setContentsMargins(0, 0, 0, 0)
        self.edit_message = QLabel()
        self.edit_message.setWordWrap(True)
        self.edit_message.setStyleSheet("color: #c0392b;")
        self.edit_message.hide()
        self.meta_form = QFormLayout()
        self.add_attribute_button = QPushButton(self.tr("Add attribute"))
        self.add_attribute_button.setToolTip(self.tr("A new key and value for this product"))
        self.add_attribute_button.clicked.connect(self._add_attribute_row)
        self.add_attribute_button.setVisible(edits is not None)
        meta_layout.addWidget(self.edit_message)
        meta_layout.addLayout(self.meta_form)
        meta_layout.addWidget(self.add_attribute_button, 0, Qt.AlignmentFlag.AlignLeft)
        meta_layout.addStretch(1)
        if edits is not None:
            edits.failed.connect(self._edit_failed)
        self.history = QTreeWidget()
        self.history.setHeaderLabels([self.tr("When"), self.tr("What"), self.tr("Details"), ""])
        self.history.setAccessibleName(self.tr("History"))
        self.labels.setAccessibleName(self.tr("Labels"))
        self.history.setRootIsDecorated(False)
        meta_scroll = QScrollArea()  # the details scroll in their tab: the photo above keeps its room
        meta_scroll.setWidgetResizable(True)
        meta_scroll.setFrameShape(QFrame.Shape.NoFrame)
        meta_scroll.setWidget(self.meta)
        meta_scroll.setMinimumHeight(80)
        meta_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its labels are read, not operated
        tabs = QTabWidget()
        tabs.setDocumentMode(True)
        tabs.addTab(meta_scroll, self.tr("Details"))
        tabs.addTab(self.labels, self.tr("Labels"))
        tabs.addTab(self.history, self.tr("History"))
        if review is not None:  # the correction panel, inline (app/views/review_panel.py)
            from app.views.review_panel import ReviewPanel

            self.review_panel = ReviewPanel(context, review)
            # An explicit minimum: the canvas's own (~350 px) would otherwise squeeze the photo above the tabs;
            # when its tab is open the photo hides and the canvas has the whole pane.
            self.review_panel.setMinimumSize(self.review_panel.minimumSizeHint().width(), 120)
            tabs.addTab(self.review_panel, self.tr("Review"))
            self.strip.currentRowChanged.connect(self.review_panel.show_image_row)
        self.tabs = tabs
        tabs.tabBar().setAccessibleName(self.tr("Product information"))
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
        split.setSizes([440, 260])  # the photo first: at 1366×768 it gets ~300 px, the details scroll below
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

    def _fill_meta(self, product: ProductInfo) -> None:
        self.fields = {}
        self.edit_message.hide()
        if self.edits is not None and not self.context.catalog.read_only_reason:
            self._fill_editable(product)
            return
        rows = [(self.tr("SKU"), product.sku), (self.tr("Title"), product.title),
                (self.tr("Category"), product.category or "—"),
                (self.tr("Price"), "—" if product.price is None else f"{product.price:,.2f}"),
                (self.tr("Status"), product.status), (self.tr("Review"), product.review_state),
                (self.tr("Folder"), product.source_folder), (self.tr("Images"), str(len(self._images)))]
        rows += [(str(k), str(v)) for k, v in (product.attributes or {}).items()]
        if product.description:
            rows.append((self.tr("Description"), product.description[:600]))
        self._add_plain_rows(rows)

    def _add_plain_rows(self, rows: list[tuple[str, str]]) -> None:
        for name, value in rows:
            label = no_widening(QLabel(value))
            label.setTextFormat(Qt.TextFormat.PlainText)  # a title with HTML in it is text, not markup
            label.setToolTip(plain_tip(value) if len(value) > 40 else "")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption = QLabel(self.tr("%1:").replace("%1", name))
            caption.setTextFormat(Qt.TextFormat.PlainText)  # an attribute's name comes from the product's file
            self.meta_form.addRow(caption, label)

    # --- editing in place (writes go to the EditService's worker) ----------------------------------
    def _field(self, name: str, value: str, *, display: str | None = None, multiline: bool = False,
               check=None) -> EditableField:
        from core.edits import check_value

        editor = EditableField(value, display=display, multiline=multiline,
                               check=check or (lambda text, n=name: check_value(n, text)), placeholder=name)
        editor.problem.connect(self._show_problem)
        self.fields[name] = editor
        return editor

    def _fill_editable(self, product: ProductInfo) -> None:
        price = "" if product.price is None else f"{product.price:.2f}"
        for name, label, value, display in (("sku", "SKU", product.sku, None), ("title", "Title", product.title, None),
                                            ("category", "Category", product.category, None),
                                            ("price", "Price", price, f"{product.price:,.2f}" if price else "—")):
            editor = self._field(name, value, display=display)
            editor.committed.connect(lambda text, n=name, lb=label: self._commit({n: text}, f"Edit {lb.lower()}"))
            self.meta_form.addRow(self.tr(f"{label}:"), editor)
        for key, value in (product.attributes or {}).items():
            self._attribute_row(str(key), "" if value is None else str(value))
        description = self._field("description", product.description, multiline=True)
        description.committed.connect(lambda text: self._commit({"description": text}, "Edit description"))
        self.meta_form.addRow(self.tr("Description:"), description)
        self._add_plain_rows([("Status", product.status), ("Review", product.review_state),
                              ("Folder", product.source_folder), ("Images", str(len(self._images)))])

    def _attribute_row(self, key: str, value: str) -> None:
        name = self._field(f"attributes.{key}#key", key, check=lambda t: "" if t.strip() else
                           self.tr("an attribute needs a name"))
        name.committed.connect(lambda new, k=key: self._rename(k, new))
        editor = self._field(f"attributes.{key}", value)
        editor.committed.connect(lambda text, k=key: self._commit({f"attributes.{k}": text}, f"Edit {k}"))
        remove = QPushButton("✕")
        remove.setFixedWidth(28)
        remove.setToolTip(plain_tip(self.tr("Remove the attribute {0}").format(key)))
        remove.setAccessibleName(f"remove {key}")
        remove.clicked.connect(lambda _=False, k=key: self._remove_attribute(k))
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(editor, 1)
        row.addWidget(remove)
        self.meta_form.addRow(name, box)

    @Slot()
    def _add_attribute_row(self) -> None:
        if self.product_id is None or self.edits is None:
            return
        key = self._field("new#key", "", check=lambda t: "" if t.strip() else self.tr("name the attribute first"))
        value = self._field("new", "", check=lambda _t: "")
        self.meta_form.insertRow(self.meta_form.rowCount() - 5, key, value)
        key.committed.connect(lambda _t: value.start())
        value.committed.connect(lambda text: self._commit({f"attributes.{key.text().strip()}": text},
                                                          "Add attribute") if key.text().strip() else None)
        key.start()

    def _commit(self, sets: dict[str, str], text: str) -> None:
        if self.product_id is not None and self.edits is not None:
            self.edit_message.hide()
            self.edits.edit(self.product_id, sets=sets, text=text)

    def _rename(self, old: str, new: str) -> None:
        if self.product_id is not None and self.edits is not None and new.strip() and new.strip() != old:
            self.edits.edit(self.product_id, renames={old: new.strip()}, text=f"Rename attribute {old}")

    def _remove_attribute(self, key: str) -> None:
        if self.product_id is not None and self.edits is not None:
            self.edits.edit(self.product_id, unsets=[f"attributes.{key}"], text=f"Remove attribute {key}")

    @Slot(str)
    def _show_problem(self, text: str) -> None:
        self.edit_message.setText(text)
        self.edit_message.show()

    @Slot(str)
    def _edit_failed(self, text: str) -> None:
        self._show_problem(self.tr("Not saved: {0}. Nothing was changed.").format(text))
        if self.product_id is not None:  # the fields show the catalog's values again
            keep = self.edit_message.text()
            self._refill_meta()
            self._show_problem(keep)

    def _refill_meta(self) -> None:
        product = queries.product(self.product_id)
        while self.meta_form.rowCount():
            self.meta_form.removeRow(0)
        if product is not None:
            self._fill_meta(product)

    def _fill_labels(self, product: ProductInfo) -> None:
        for label in queries.labels(product.id):
            mark = " ✓" if label.confirmed else ""
            self.labels.addItem(f"{label.vocabulary}: {label.value}  ({label.score:.2f}, {label.source}){mark}")
        if not self.labels.count():
            self.labels.addItem(self.tr("No labels yet — they come with indexing."))

    def _fill_history(self, product: ProductInfo) -> None:
        events = queries.history(product.id)
        open_conflicts = {}
        if self.edits is not None and any(e.overwritten for e in events):
            from core.edits import conflicts

            open_conflicts = {c.loser_uid: c for c in conflicts(product_id=product.id)}
        for event in events:
            item = QTreeWidgetItem([event.when.strftime("%Y-%m-%d %H:%M"), event.what, event.detail])
            item.setToolTip(2, plain_tip(event.technical or event.detail))
            self.history.addTopLevelItem(item)
            conflict = open_conflicts.get(event.uid)
            if conflict is not None:  # one click puts the overwritten value back
                button = QPushButton(self.tr("Restore"))
                button.setToolTip(self.tr("Put back {0}").format(conflict.describe()))
                button.clicked.connect(lambda _=False, c=conflict: self.edits.restore_conflict(c.id, c.product_id))
                self.history.setItemWidget(item, 3, button)
        if not events:
            self.history.addTopLevelItem(QTreeWidgetItem(["", self.tr("Imported"), self.tr("not indexed yet")]))
        self.history.resizeColumnToContents(0)

    @Slot(int)
    def _show_image(self, row: int) -> None:
        if not 0 <= row < len(self._images):
            return
        image = self._images[row]
        if image.status != "ok" or not image.blob_path:
            self.image.set_image(None, None, [])
            self.image.placeholder = self.tr("Unreadable image: %1").replace(
                "%1", image.error or self.tr("unknown reason"))
            self.image_caption.setText(image.original_name)
            return
        boxes = crop_boxes(image.id)
        rejected = [b for b in boxes if b.kind == "rejected"]
        self.image.set_image(self.context.catalog.root / image.blob_path, (image.width, image.height), boxes)
        self.image_caption.setText(f"{image.original_name} · {image.width}×{image.height} · "
                                   + self.tr("%n crops", "", len(boxes))
                                   + (" " + self.tr("(%n rejected)", "", len(rejected)) if rejected else ""))

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
        dialog.setWindowTitle(self.image_caption.text() or self.tr("Preview"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        big = ImageBoxes(self.context, dialog)
        big.set_image(self.image.path, (self.image._original.width(), self.image._original.height()),
                      list(self.image._boxes))
        big.clicked.connect(dialog.close)
        layout = QVBoxLayout(dialog)
        layout.addWidget(big)
        dialog.resize(900, 700)
        dialog.show()
