"""The catalog browser: a lazily paged product model, sorting, filter chips, soft delete with undo."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.i18n import translate
from app.views.batch_bar import BatchBar, DeleteProducts
from app.views.tiles import (
    ChipBar,
    PixmapRole,
    ProductDelegate,
    ProductIdRole,
    RowRole,
    ShaRole,
    SkuRole,
    StatesRole,
    StatusRole,
    TileView,
    plain_tip,
    tile_size,
)
from core.catalog import queries
from core.catalog.queries import BADGES, SORTS, GridQuery, ProductTile

log = logging.getLogger(__name__)

PAGE = 300


def sort_words() -> dict[str, str]:
    return {"title": translate("CatalogGrid", "Title"), "sku": translate("CatalogGrid", "SKU"),
            "newest": translate("CatalogGrid", "Newest"), "category": translate("CatalogGrid", "Category")}


def badge_words() -> dict[str, str]:
    """core.catalog.queries.BADGES in the curator's language."""
    return {"indexed": translate("CatalogGrid", "Indexed: searchable"),
            "not_indexed": translate("CatalogGrid", "Not indexed yet: not searchable"),
            "error": translate("CatalogGrid", "Indexing failed: see its History"),
            "corrected": translate("CatalogGrid", "Corrected by a curator"),
            "approved": translate("CatalogGrid", "Approved in review"),
            "flagged": translate("CatalogGrid", "Flagged for another look")}


def status_chips() -> list[tuple[str, str]]:
    return [("all", translate("CatalogGrid", "All")), ("indexed", translate("CatalogGrid", "Indexed")),
            ("imported", translate("CatalogGrid", "Not indexed")), ("error", translate("CatalogGrid", "Errors")),
            ("corrected", translate("CatalogGrid", "Corrected"))]


class ProductListModel(QAbstractListModel):
    """Products in pages: rowCount grows as the view scrolls (canFetchMore/fetchMore)."""

    def __init__(self, catalog_root: Path, thumbnails, parent=None) -> None:
        super().__init__(parent)
        self._root = Path(catalog_root)
        self._thumbs = thumbnails
        self._rows: list[ProductTile] = []
        self._by_sha: dict[str, list[int]] = {}
        self._total = 0
        self.query = GridQuery()
        thumbnails.ready.connect(self._on_thumbnail)

    # --- loading ---------------------------------------------------------------------------------
    def set_query(self, query: GridQuery) -> None:
        self.query = query
        self.reload()

    def reload(self, keep: int = 0) -> None:
        """Re-read from the start; `keep` rows are fetched at once so the view keeps its place."""
        self.beginResetModel()
        self._rows, self._by_sha = [], {}
        self._total = queries.count_products(self.query)
        self._append(queries.product_page(self.query, 0, max(PAGE, keep)))
        self.endResetModel()

    def _append(self, rows: list[ProductTile]) -> None:
        start = len(self._rows)
        for n, row in enumerate(rows):
            if row.sha256:
                self._by_sha.setdefault(row.sha256, []).append(start + n)
        self._rows.extend(rows)

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid():
            return
        rows = queries.product_page(self.query, len(self._rows), PAGE)
        if not rows:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(rows) - 1)
        self._append(rows)
        self.endInsertRows()

    @property
    def total(self) -> int:
        return self._total

    # --- data ------------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def row(self, n: int) -> ProductTile:
        return self._rows[n]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title
        if role == PixmapRole:
            if not row.sha256:
                return None
            return self._thumbs.get(row.sha256, self._root / row.blob_path if row.blob_path else None)
        if role == Qt.ItemDataRole.ToolTipRole:
            words = badge_words()
            states = "\n".join(words.get(b, BADGES[b]) for b in row.badges)
            design = ""
            if row.variants > 1:
                colours = f": {', '.join(row.colours)}" if row.colours else ""
                design = (f"\nDesign {row.design} · {row.variants} variants{colours}\n"
                          "Double-click (or Enter) to show every variant")
            return plain_tip(f"{row.title}\n{row.sku} · {row.category or translate('CatalogGrid', 'no category')}"
                             f"\n{states}{design}")
        if role == StatesRole:
            return row.badges
        return {ProductIdRole: row.id, SkuRole: row.sku, StatusRole: row.status, ShaRole: row.sha256,
                RowRole: row}.get(role)

    def index_of(self, product_id: int) -> QModelIndex:
        for n, row in enumerate(self._rows):
            if row.id == product_id:
                return self.index(n)
        return QModelIndex()

    @Slot(str)
    def _on_thumbnail(self, sha256: str) -> None:
        for n in self._by_sha.get(sha256, ()):
            index = self.index(n)
            self.dataChanged.emit(index, index, [PixmapRole])

    def categories(self) -> list[str]:
        """Top-level categories present, for the chips."""
        return queries.top_categories()


class CatalogGrid(QWidget):
    """Toolbar (filter text, sort, chips) over the product grid."""

    product_selected = Signal(int)  # product id; -1 when nothing is selected
    activated = Signal(int)
    changed = Signal()  # products deleted or restored
    status_message = Signal(str)

    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.undo_stack = QUndoStack(self)
        self.model = ProductListModel(context.catalog.root, context.thumbnails, self)
        self.filter_edit = QLineEdit(placeholderText=self.tr("Filter by title or SKU"))
        self.filter_edit.setAccessibleName(self.tr("Filter products"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._apply)
        self.sort_box = QComboBox()
        words = sort_words()
        for key, (label, _) in SORTS.items():
            self.sort_box.addItem(words.get(key, label), key)
        self.sort_box.setAccessibleName(self.tr("Sort products by"))
        self.sort_box.currentIndexChanged.connect(self._apply)
        self.expanded: set[str] = set()  # designs shown variant by variant while grouped
        self.by_design = QCheckBox(self.tr("Group by design"))
        self.by_design.setToolTip(self.tr("One tile per design, with its colours; double-click a design to show "
                                          "its variants"))
        self.by_design.toggled.connect(self._grouping_toggled)
        self.status_chips = ChipBar()
        self.status_chips.set_chips(status_chips(), ["all"])
        self.status_chips.changed.connect(self._apply)
        self.category_chips = ChipBar(self.tr("Category:"), exclusive=False)
        self.category_chips.changed.connect(self._apply)
        self.count_label = QLabel()
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(64, 256)
        self.size_slider.setSingleStep(16)
        self.size_slider.setPageStep(32)
        self.size_slider.setFixedWidth(110)
        self.size_slider.setToolTip(self.tr("Picture size of the tiles (kept in the catalog's settings)"))
        self.size_slider.setAccessibleName(self.tr("Tile size"))
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 2)
        top.addWidget(QLabel(self.tr("Sort:")))
        top.addWidget(self.sort_box)
        top.addWidget(self.by_design)
        top.addWidget(QLabel(self.tr("Size:")))
        top.addWidget(self.size_slider)
        top.addWidget(self.count_label)
        chips = QHBoxLayout()
        chips.addWidget(self.status_chips)
        chips.addWidget(self.category_chips, 1)
        self.view = TileView()
        self.view.setAccessibleName(self.tr("Products"))
        self.delegate = ProductDelegate(self.view)
        self.view.setLayoutMode(TileView.LayoutMode.Batched)
        self.view.setBatchSize(200)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setItemDelegate(self.delegate)
        self.set_tile_size(context.settings.thumbnail_size, save=False)
        self.size_slider.valueChanged.connect(lambda v: self.set_tile_size(v, save=not self.size_slider.isSliderDown()))
        self.size_slider.sliderReleased.connect(lambda: self.set_tile_size(self.size_slider.value()))
        self.view.setMouseTracking(True)
        self.view.setModel(self.model)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.batch: BatchBar | None = None
        self.view.activated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addLayout(top)
        layout.addLayout(chips)
        self.body = QHBoxLayout()  # the collections sidebar goes left of the grid (install_edits)
        self.body.addWidget(self.view, 1)
        layout.addLayout(self.body, 1)
        self.sidebar = None
        self.edits = None
        self._collection = 0
        self.refresh()

    @Slot(int)
    def set_tile_size(self, icon: int, save: bool = True) -> None:
        """Tiles with `icon`-pixel pictures; remembered in the catalog's settings for the next start."""
        icon = max(64, min(256, int(icon)))
        self.delegate.icon = icon
        self.view.set_tile(tile_size(icon) + QSize(6, 6))
        if self.size_slider.value() != icon:
            self.size_slider.blockSignals(True)
            self.size_slider.setValue(icon)
            self.size_slider.blockSignals(False)
        self.view.doItemsLayout()
        if save:
            self.context.remember("thumbnail_size", icon)

    # --- state ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the products (after a job or a delete), keeping the current product if it is still there."""
        current = self.current_product_id()
        chosen = set(self.selected_ids()) if len(self.view.selectionModel().selectedIndexes()) > 1 else set()
        loaded = self.model.rowCount()
        self.category_chips.set_chips([(c, c) for c in self.model.categories()], self.category_chips.checked())
        self.model.reload(keep=loaded)
        self._update_count()
        if self.sidebar is not None:
            self.sidebar.refresh()
        index = self.model.index_of(current) if current is not None else self.model.index(0)
        if index.isValid():  # keep the product in view; on first load, show the first one
            self.view.setCurrentIndex(index)
        if chosen:  # a multi-selection survives a re-read (a batch action refreshes the grid)
            selection = QItemSelection()
            for n in range(self.model.rowCount()):
                if self.model.row(n).id in chosen:
                    selection.select(self.model.index(n), self.model.index(n))
            self.view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._selection_changed()

    def _update_count(self) -> None:
        if self.by_design.isChecked():
            self.count_label.setText(self.tr("%n designs and products", "", self.model.total))
        else:
            self.count_label.setText(self.tr("%n products", "", self.model.total))

    @Slot()
    def _apply(self, *_args) -> None:
        status = (self.status_chips.checked() or ["all"])[0]
        cats = self.category_chips.checked()
        self.model.set_query(GridQuery(sort=self.sort_box.currentData() or "title", status=status,
                                   category=cats[0] if len(cats) == 1 else "",
                                   text=self.filter_edit.text().strip(), collection=self._collection,
                                   by_design=self.by_design.isChecked(), expanded=tuple(sorted(self.expanded))))
        self._update_count()

    def install_edits(self, service) -> None:
        """Product data edits: "Edit fields…" for the selection, and the collections sidebar."""
        from app.views.collections_sidebar import CollectionsSidebar

        self.edits = service
        self.sidebar = CollectionsSidebar(self.context, service, self.selected_ids, self.current_search, self)
        self.sidebar.chosen.connect(self.show_collection)
        self.body.insertWidget(0, self.sidebar)
        if self.batch is not None:
            self.batch.add_edit_fields(self.edit_fields)

    @Slot(int)
    def show_collection(self, collection_id: int) -> None:
        self._collection = collection_id
        self._apply()

    def current_search(self) -> tuple[str, list[str]]:
        """The grid's filter as a saved search: words, and filters in `search --filter` form."""
        filters = [f"category={c}" for c in self.category_chips.checked()[:1]]
        status = (self.status_chips.checked() or ["all"])[0]
        if status == "corrected":
            filters.append("corrected=yes")
        elif status != "all":
            filters.append(f"status={status}")
        return self.filter_edit.text().strip(), filters

    def edit_fields(self):
        """Open "Edit fields…" for the selected products (or the current one)."""
        from app.views.batch_edit import open_batch_edit

        ids = self.selected_ids() or ([self.current_product_id()] if self.current_product_id() else [])
        if not ids or self.edits is None:
            self.status_message.emit(self.tr("Select products first (Ctrl/Shift+click, Ctrl+A)"))
            return None
        return open_batch_edit(self.context, self.edits, ids, self.window())

    @Slot(bool)
    def _grouping_toggled(self, _on: bool) -> None:
        self.expanded.clear()
        self._apply()

    def expand_design(self, design: str) -> None:
        """Show a grouped design's variants one tile each (the others stay grouped)."""
        self.expanded.add(design)
        current = self.current_product_id()
        self._apply()
        index = self.model.index_of(current) if current is not None else QModelIndex()
        if index.isValid():
            self.view.setCurrentIndex(index)
        self.status_message.emit(self.tr("Showing every variant of design %1").replace("%1", design))

    def install_batch_bar(self, service) -> BatchBar:
        """The bar for acting on many selected products (it needs the review service, made after the grid)."""
        self.batch = BatchBar(self.context, service, self.selected_ids, self._after_change, self)
        self.batch.status_message.connect(self._say)
        self.layout().insertWidget(2, self.batch)
        self._selection_changed()
        return self.batch

    @Slot(str)
    def _say(self, text: str) -> None:
        self.status_message.emit(text)

    @Slot()
    def _selection_changed(self, *_args) -> None:
        if self.batch is not None:
            self.batch.update_count(len(self.view.selectionModel().selectedIndexes()))

    def current_product_id(self) -> int | None:
        index = self.view.currentIndex()
        return index.data(ProductIdRole) if index.isValid() else None

    def selected_ids(self) -> list[int]:
        return [i.data(ProductIdRole) for i in self.view.selectionModel().selectedIndexes()]

    @Slot(QModelIndex, QModelIndex)
    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.product_selected.emit(current.data(ProductIdRole) if current.isValid() else -1)

    @Slot(QModelIndex)
    def _activated(self, index: QModelIndex) -> None:
        row = index.data(RowRole)
        if self.by_design.isChecked() and row is not None and row.variants > 1 and row.design not in self.expanded:
            self.expand_design(row.design)
            return
        self.activated.emit(index.data(ProductIdRole))

    # --- navigation and delete -----------------------------------------------------------------
    def step(self, delta: int) -> None:
        """Next/previous product (J/K); fetches more rows when stepping past the loaded ones."""
        row = self.view.currentIndex().row() if self.view.currentIndex().isValid() else -1
        target = row + delta
        if target >= self.model.rowCount() and self.model.canFetchMore():
            self.model.fetchMore()
        target = max(0, min(target, self.model.rowCount() - 1))
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(target))
            self.view.scrollTo(self.model.index(target))

    def delete_selected(self) -> int:
        ids = self.selected_ids()
        if not ids:
            return 0
        command = DeleteProducts(ids, self._after_change, self.context.catalog)
        self.undo_stack.push(command)
        self.status_message.emit(self.tr("%1 — press Ctrl+Z to undo").replace("%1", command.text()))
        return len(ids)

    def _after_change(self) -> None:
        self.refresh()
        self.changed.emit()
