"""The loupe (E, Space or a double-click on a tile): one product's photo as large as the window allows, with
its boxes, and a filmstrip of the product's views; G or Esc returns to the grid."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.theme import font, icon
from app.views.filmstrip import FilmstripMixin
from app.views.image_boxes import ImageBoxes
from app.views.product_detail import crop_boxes
from core.catalog import queries
from core.catalog.queries import ImageRow

STRIP_ICON = 72


class Loupe(FilmstripMixin, QWidget):
    back_to_grid = Signal()
    step_product = Signal(int)  # +1 next product, -1 previous (J/K)

    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("loupe")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(self.tr("Loupe"))
        self.product_id: int | None = None
        self._images: list[ImageRow] = []
        self.title = QLabel()
        self.title.setFont(font("title", bold=True))
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.caption = QLabel()
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.grid_button = QToolButton()
        self.grid_button.setText(self.tr("Grid"))
        self.grid_button.setToolTip(self.tr("Back to the grid (G)"))
        self.grid_button.setAccessibleName(self.tr("Back to the grid"))
        self.grid_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.grid_button.setAutoRaise(True)
        self.grid_button.clicked.connect(self.back_to_grid)
        self.image = ImageBoxes(context, placeholder=self.tr("No image"))
        self.image.setAccessibleName(self.tr("Photo"))
        self.image.setToolTip("")
        self.image.setCursor(Qt.CursorShape.ArrowCursor)
        self.strip = QListWidget()
        self.strip.setAccessibleName(self.tr("Views of this product"))
        self.strip.setViewMode(QListWidget.ViewMode.IconMode)
        self.strip.setFlow(QListWidget.Flow.LeftToRight)
        self.strip.setWrapping(False)
        self.strip.setIconSize(QSize(STRIP_ICON, STRIP_ICON))
        self.strip.setFixedHeight(STRIP_ICON + 34)
        self.strip.currentRowChanged.connect(self._show_image)
        self.hint = QLabel(self.tr("← → views · J K products · G or Esc: grid"))
        head = QHBoxLayout()
        head.addWidget(self.grid_button)
        head.addSpacing(8)
        head.addWidget(self.title, 1)
        head.addWidget(self.caption)
        foot = QHBoxLayout()
        foot.addWidget(self.strip, 1)
        foot.addWidget(self.hint, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addLayout(head)
        layout.addWidget(self.image, 1)
        layout.addLayout(foot)
        self.set_icons()
        context.thumbnails.ready.connect(self._on_thumbnail)

    def set_icons(self) -> None:
        self.grid_button.setIcon(icon("grid", "#e2e3e5"))

    # --- content -------------------------------------------------------------------------------
    def show_product(self, product_id: int | None) -> None:
        product = queries.product(product_id) if product_id is not None else None
        self.product_id = product.id if product else None
        self.strip.blockSignals(True)
        self.strip.clear()
        self.strip.blockSignals(False)
        if product is None:
            self._images = []
            self.title.setText(self.tr("No product selected"))
            self.caption.clear()
            self.image.clear()
            return
        self.title.setText(f"{product.title or product.sku}  ·  {product.sku}")
        self._images = list(product.images)
        for image in self._images:
            item = QListWidgetItem(image.original_name[:16])
            item.setToolTip(f"{image.original_name}\n{image.width}×{image.height} {image.format}")
            item.setData(Qt.ItemDataRole.UserRole, image.sha256)
            self._set_icon(item, image)
            self.strip.addItem(item)
        if self._images:
            self.strip.setCurrentRow(min(product.start_row, len(self._images) - 1))
        else:
            self.image.clear()
            self.caption.setText(self.tr("This product has no photo"))

    @Slot(int)
    def _show_image(self, row: int) -> None:
        if not 0 <= row < len(self._images):
            return
        image = self._images[row]
        if image.status != "ok" or not image.blob_path:
            self.image.set_image(None, None, [])
            self.image.placeholder = self.tr("Unreadable image: %1").replace("%1", image.error or "?")
            self.caption.setText(image.original_name)
            return
        boxes = crop_boxes(image.id)
        self.image.set_image(self.context.catalog.root / image.blob_path, (image.width, image.height), boxes)
        self.caption.setText(self.tr("View %1 of %2 · %3 × %4 px").replace("%1", str(row + 1))
                             .replace("%2", str(len(self._images))).replace("%3", str(image.width))
                             .replace("%4", str(image.height)))

    @property
    def loading(self) -> bool:
        return self.image.loading

    # --- keys ----------------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Escape, Qt.Key.Key_G, Qt.Key.Key_Space):
            self.back_to_grid.emit()
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Left) and self.strip.count():
            step = 1 if key == Qt.Key.Key_Right else -1
            self.strip.setCurrentRow(max(0, min(self.strip.count() - 1, self.strip.currentRow() + step)))
        elif key in (Qt.Key.Key_J, Qt.Key.Key_K):
            self.step_product.emit(1 if key == Qt.Key.Key_J else -1)
        else:
            super().keyPressEvent(event)
