"""The thumbnails of a product's photos in a strip (detail pane and loupe): icons filled in as thumbnails arrive."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QListWidgetItem

from core.catalog.queries import ImageRow


class FilmstripMixin:
    """For a view with `context`, a QListWidget `strip` and the `_images` it shows (one item each, in order)."""

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
