"""The correction panel: a product's crops on an editable image, label chips for the product and the
selected crop, approve/flag, undo/redo. Every change goes to the ReviewService (model thread)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.views.crop_editor import CropBox, CropEditor
from app.views.label_chips import Chip, LabelChips
from core.catalog import queries
from core.catalog.queries import ImageRow, LabelRow

STATE_TEXT = {"pending": "Not reviewed", "approved": "✔ Approved", "flagged": "⚑ Flagged"}
HINT = ("W draw a box · drag a box to move it, the selected box's handles to resize · wheel or +/− zoom, "
        "0 fit · Space+drag pan · double-click: primary (restores a rejected box) · Del delete · "
        "A approve · F flag · P primary · L labels · J/K next/previous · Ctrl+Z undo")


def crop_boxes(image_id: int) -> list[CropBox]:
    return [CropBox(c.id, c.box, c.kind, c.label, c.reason) for c in queries.crops_of_image(image_id)]


def _vocabularies() -> dict[str, list[str]]:
    from core.models.labels import load_vocabularies

    return load_vocabularies()


def _chips(labels: list[LabelRow]) -> list[Chip]:
    return [Chip(lb.id, lb.vocabulary, lb.value, lb.score, lb.source, lb.confirmed) for lb in labels]


class ReviewPanel(QWidget):
    status_message = Signal(str)

    def __init__(self, context, service, parent: QWidget | None = None, *, shortcuts: bool = True) -> None:
        super().__init__(parent)
        self.context = context
        self.service = service
        self.product_id: int | None = None
        self.images: list[ImageRow] = []
        self._primary_image: int | None = None
        vocabularies = _vocabularies()
        self.title = QLabel()
        self.state = QLabel()
        self.approve_button = QPushButton("Approve")
        self.approve_button.setToolTip("Approve this product (A)")
        self.flag_button = QPushButton("Flag")
        self.flag_button.setToolTip("Flag this product for another look (F)")
        self.primary_button = QPushButton("Make primary")
        self.primary_button.setToolTip("Use the selected crop as the product's primary crop (P, or double-click it)")
        self.delete_button = QPushButton("Delete crop")
        self.delete_button.setToolTip("Delete the selected crop (Del; Ctrl+Z undoes)")
        self.image_choice = QComboBox()
        self.image_choice.setToolTip("Which photo of the product to edit")
        # a long file name must not widen the pane (the toolbar's Undo and Ctrl+Z stay for undo)
        self.image_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.image_choice.setMinimumContentsLength(10)
        self.editor = CropEditor(context)
        self.draw_button = QToolButton()
        self.draw_button.setDefaultAction(self._tool("Draw box", "W: draw a new box (Esc goes back to editing)",
                                                     self.editor.toggle_draw, checkable=True))
        self.zoom_out_button = QToolButton()
        self.zoom_out_button.setDefaultAction(self._tool("−", "Zoom out (−, or the wheel)",
                                                         lambda: self.editor.zoom_by(1 / 1.25)))
        self.fit_button = QToolButton()
        self.fit_button.setDefaultAction(self._tool("Fit", "The whole photo (0)", self.editor.fit))
        self.zoom_in_button = QToolButton()
        self.zoom_in_button.setDefaultAction(self._tool("+", "Zoom in (+, or the wheel)",
                                                        lambda: self.editor.zoom_by(1.25)))
        self.zoom_label = QLabel("100%")
        self.zoom_label.setToolTip("Size against the whole photo in view")
        self.product_chips = LabelChips("Product labels", vocabularies)
        self.crop_chips = LabelChips("Selected crop's labels", vocabularies)
        self.hint = QLabel(HINT)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text)")
        self._layout()
        self._connect()
        if shortcuts:
            self.install_shortcuts(self)
        self.show_product(None)

    def _layout(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.state)
        header.addWidget(self.approve_button)
        header.addWidget(self.flag_button)
        tools = QHBoxLayout()
        tools.addWidget(self.image_choice, 1)
        tools.addWidget(self.draw_button)
        tools.addWidget(self.zoom_out_button)
        tools.addWidget(self.fit_button)
        tools.addWidget(self.zoom_in_button)
        tools.addWidget(self.zoom_label)
        tools.addWidget(self.primary_button)
        tools.addWidget(self.delete_button)
        chips = QWidget()
        chips.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        chip_row = QHBoxLayout(chips)
        chip_row.setContentsMargins(0, 0, 0, 0)
        chip_row.addWidget(self.product_chips, 1, Qt.AlignmentFlag.AlignTop)
        chip_row.addWidget(self.crop_chips, 1, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addLayout(tools)
        layout.addWidget(self.editor, 1)
        layout.addWidget(chips)
        layout.addWidget(self.hint)

    def _connect(self) -> None:
        self.approve_button.clicked.connect(self.approve)
        self.flag_button.clicked.connect(self.flag)
        self.primary_button.clicked.connect(self.make_selected_primary)
        self.delete_button.clicked.connect(self.delete_selected)
        self.image_choice.currentIndexChanged.connect(self._show_image)
        self.editor.box_changed.connect(self._box_changed)
        self.editor.box_drawn.connect(self._box_drawn)
        self.editor.delete_requested.connect(self._delete)
        self.editor.primary_requested.connect(self._primary)
        self.editor.selection_changed.connect(self._selection_changed)
        self.editor.status.connect(self._say)
        self.editor.mode_changed.connect(self._mode_changed)
        self.editor.zoom_changed.connect(self._zoom_changed)
        self.product_chips.add_requested.connect(lambda v, val: self._add_label(v, val, None))
        self.crop_chips.add_requested.connect(lambda v, val: self._add_label(v, val, self.editor.selected_id))
        self.product_chips.remove_requested.connect(self._remove_label)
        self.crop_chips.remove_requested.connect(self._remove_label)
        self.service.applied.connect(self._on_applied)

    def _tool(self, text: str, tip: str, slot, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        return action

    @Slot(str)
    def _say(self, text: str) -> None:
        self.status_message.emit(text)

    @Slot(str)
    def _mode_changed(self, mode: str) -> None:
        self.draw_button.defaultAction().setChecked(mode == "draw")

    @Slot(float)
    def _zoom_changed(self, zoom: float) -> None:
        self.zoom_label.setText(f"{zoom * 100:.0f}%")

    def install_shortcuts(self, host: QWidget) -> None:
        """A/F/P/L while the focus is inside `host` (the review page installs them on itself)."""
        for key, slot in (("A", self.approve), ("F", self.flag), ("P", self.make_selected_primary),
                          ("L", self.focus_labels)):
            shortcut = QShortcut(QKeySequence(key), host, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for chips in (self.product_chips, self.crop_chips):  # after L, Esc goes back to the canvas
            back = QShortcut(QKeySequence(Qt.Key.Key_Escape), chips.edit, self.editor.setFocus)
            back.setContext(Qt.ShortcutContext.WidgetShortcut)

    # --- loading -------------------------------------------------------------------------------
    def show_product(self, product_id: int | None, image_row: int | None = None) -> None:
        product = queries.product(product_id)
        same = product is not None and product.id == self.product_id
        keep_image = self.current_image_id() if same else None
        keep_crop = self.editor.selected_id if same else None
        self.product_id = product.id if product else None
        for w in (self.approve_button, self.flag_button, self.image_choice, self.draw_button):
            w.setEnabled(product is not None)
        if product is None:
            self.title.setText("<i>Select a product to review</i>")
            self.state.clear()
            self.images = []
            self.image_choice.blockSignals(True)
            self.image_choice.clear()
            self.image_choice.blockSignals(False)
            self.editor.set_image(None, (0, 0), [])
            self.product_chips.set_chips([], enabled=False)
            self._selection_changed(None)
            return
        self.title.setText(f"<b>{_esc(product.title or product.sku)}</b> · {_esc(product.sku)}")
        self.state.setText(STATE_TEXT.get(product.review_state, product.review_state))
        self.images = list(product.images)
        self._primary_image = product.primary_image_id
        self.image_choice.blockSignals(True)
        self.image_choice.clear()
        for n, image in enumerate(self.images):
            self.image_choice.addItem(f"Photo {n + 1} of {len(self.images)}: {image.original_name}", image.id)
        self.image_choice.blockSignals(False)
        row = self._start_row(image_row, keep_image)
        self.product_chips.set_chips(_chips(queries.labels(product.id, product_level=True)))
        if row is not None:
            self.image_choice.setCurrentIndex(row)
            self._show_image(row, keep_crop)
        else:
            self.editor.set_image(None, (0, 0), [])
            self._selection_changed(None)

    def _start_row(self, image_row: int | None, keep_image: int | None) -> int | None:
        if not self.images:
            return None
        if image_row is not None and 0 <= image_row < len(self.images):
            return image_row
        ids = [i.id for i in self.images]
        if keep_image in ids:
            return ids.index(keep_image)
        return ids.index(self._primary_image) if self._primary_image in ids else 0

    def current_image_id(self) -> int | None:
        row = self.image_choice.currentIndex()
        return self.images[row].id if 0 <= row < len(self.images) else None

    def show_image_row(self, row: int) -> None:
        if 0 <= row < len(self.images) and row != self.image_choice.currentIndex():
            self.image_choice.setCurrentIndex(row)

    @Slot(int)
    def _show_image(self, row: int, keep_crop: int | None = None) -> None:
        if not 0 <= row < len(self.images):
            return
        image = self.images[row]
        if image.status != "ok" or not image.blob_path:
            self.editor.set_image(None, (0, 0), [])
            self.status_message.emit(f"Unreadable image: {image.error or 'unknown reason'}")
            return
        crops = crop_boxes(image.id)
        ids = [c.crop_id for c in crops]
        select = keep_crop if keep_crop in ids else next((c.crop_id for c in crops if c.kind == "primary"), None)
        self.editor.set_image(self.context.catalog.root / image.blob_path, (image.width, image.height), crops,
                              select=select)
        self._selection_changed(self.editor.selected_id)

    @Slot(object)
    def _selection_changed(self, crop_id) -> None:
        has = crop_id is not None
        self.primary_button.setEnabled(has)
        self.delete_button.setEnabled(has)
        chips = _chips(queries.labels(crop_id=crop_id)) if has else []
        self.crop_chips.set_chips(chips, enabled=has)
        self.crop_chips.edit.setPlaceholderText("Add a label to this crop…" if has else "Select a crop first")

    @Slot(object)
    def _on_applied(self, result: dict) -> None:
        if self.product_id is not None and (result.get("product_id") == self.product_id
                                            or self.product_id in result.get("product_ids", ())):
            self.show_product(self.product_id)

    # --- edits ---------------------------------------------------------------------------------
    @Slot(int, object, object)
    def _box_changed(self, crop_id: int, box, old) -> None:
        if self.product_id is not None:
            self.service.move_box(self.product_id, crop_id, box, old)

    @Slot(object)
    def _box_drawn(self, box) -> None:
        image_id = self.current_image_id()
        if self.product_id is None or image_id is None:
            return
        has_primary = queries.primary_crop(self.product_id) is not None
        self.service.add_box(self.product_id, image_id, box, make_primary=not has_primary)

    @Slot(int)
    def _delete(self, crop_id: int) -> None:
        if self.product_id is not None:
            self.service.delete_crop(self.product_id, crop_id)

    @Slot(int)
    def _primary(self, crop_id: int) -> None:
        item = self.editor.items_by_id.get(crop_id)
        if self.product_id is not None and not (item and item.crop.kind == "primary"):
            self.service.set_primary(self.product_id, crop_id)

    def _add_label(self, vocabulary: str, value: str, crop_id: int | None) -> None:
        if self.product_id is not None:
            self.service.add_label(self.product_id, vocabulary, value, crop_id)

    @Slot(int, str)
    def _remove_label(self, label_id: int, value: str) -> None:
        if self.product_id is not None:
            self.service.remove_label(self.product_id, label_id, value)

    @Slot()
    def approve(self) -> None:
        self.set_review_state("approved")

    @Slot()
    def flag(self) -> None:
        self.set_review_state("flagged")

    def set_review_state(self, state: str) -> bool:
        """Approve or flag the shown product; says why when there is nothing to do."""
        if self.product_id is None:
            self.status_message.emit("No product shown: choose one first")
            return False
        if queries.review_state(self.product_id) == state:
            word = "approved" if state == "approved" else "flagged"
            self.status_message.emit(f"Already {word}: Ctrl+Z undoes the last change")
            return False
        self.service.set_review_state(self.product_id, state)
        return True

    @Slot()
    def make_selected_primary(self) -> None:
        crop_id = self.editor.selected_id
        if crop_id is None:
            self.status_message.emit("No box selected: click a box or press Tab first")
            return
        item = self.editor.items_by_id.get(crop_id)
        if item is not None and item.crop.kind == "primary":
            self.status_message.emit("This box is already the primary crop")
            return
        self._primary(crop_id)

    @Slot()
    def delete_selected(self) -> None:
        if self.editor.selected_id is not None:
            self._delete(self.editor.selected_id)
        else:
            self.status_message.emit("No box selected: click a box or press Tab first")

    @Slot()
    def focus_labels(self) -> None:
        chips = self.crop_chips if self.editor.selected_id is not None else self.product_chips
        chips.edit.setFocus()

    @property
    def loading(self) -> bool:
        return self.editor.loading

    def dispose(self) -> None:
        self.editor.dispose()


def _esc(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
