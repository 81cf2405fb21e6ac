"""Thumbnails: generated lazily in a thread pool into the catalog's thumbs folder, cached as pixmaps.

Workers produce QImage (safe off the GUI thread); the service turns them into QPixmap in the GUI
thread and says which image is ready, so views repaint only the rows that show it.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QPixmap

from app.workers.base import Task
from core.fileio import atomic_writer

log = logging.getLogger(__name__)

THUMB_SIZE = 256  # pixels on disk: sharp at 128 logical px on a 2x screen
MEMORY_ITEMS = 3000
MAX_PENDING = 400  # past this, queued work for rows scrolled away is dropped


def make_thumbnail(source: Path, target: Path, size: int = THUMB_SIZE) -> Path:
    """Write a JPEG thumbnail atomically (a crash never leaves half a file); returns target."""
    from PIL import Image, ImageOps

    with Image.open(source) as img:
        img.draft("RGB", (size, size))  # JPEG decodes at a reduced scale: much faster for big photos
        img = ImageOps.exif_transpose(img)
        img.thumbnail((size, size), Image.Resampling.LANCZOS)
        if img.mode != "RGB":
            background = Image.new("RGB", img.size, (255, 255, 255))
            rgba = img.convert("RGBA")
            background.paste(rgba, mask=rgba.split()[-1])
            img = background
        with atomic_writer(target) as fh:
            img.save(fh, "JPEG", quality=85)
    return target


def load_scaled(path: Path, max_side: int) -> QImage:
    """A QImage of a photo no larger than max_side (for the detail and explanation views)."""
    from PIL import Image, ImageOps

    with Image.open(path) as img:
        img.draft("RGB", (max_side, max_side))
        img = ImageOps.exif_transpose(img).convert("RGB")
        scale = min(1.0, max_side / max(img.size))
        shown = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale)))) \
            if scale < 1 else img
        data = shown.tobytes()
        qimage = QImage(data, shown.width, shown.height, 3 * shown.width, QImage.Format.Format_RGB888)
        return qimage.copy()  # own the pixels: `data` goes away with this frame


class ThumbnailService(QObject):
    """Asks for a thumbnail by image sha256; `ready(sha256)` fires when it can be drawn."""

    ready = Signal(str)

    def __init__(self, thumb_path, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thumb_path = thumb_path  # callable (sha256, size) -> Path: CatalogPaths.thumb_path
        self._pool = pool
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._pending: dict[str, Task] = {}
        self._failed: set[str] = set()

    def get(self, sha256: str, source: Path | None) -> QPixmap | None:
        """The cached pixmap, or None while it is being made (the caller draws a placeholder)."""
        pixmap = self._cache.get(sha256)
        if pixmap is not None:
            self._cache.move_to_end(sha256)
            return pixmap
        if source is not None and sha256 not in self._pending and sha256 not in self._failed:
            self._request(sha256, source)
        return None

    def failed(self, sha256: str) -> bool:
        return sha256 in self._failed

    @property
    def idle(self) -> bool:
        return not self._pending

    def _request(self, sha256: str, source: Path) -> None:
        if len(self._pending) >= MAX_PENDING:
            self._drop_unstarted()
        target = self._thumb_path(sha256, THUMB_SIZE)

        def work(progress, should_stop) -> tuple[str, QImage]:
            if should_stop():
                return sha256, QImage()
            if not target.is_file():
                make_thumbnail(source, target)
            return sha256, QImage(str(target))

        task = Task(work, f"thumbnail {sha256[:8]}")
        task.signals.result.connect(self._on_result)
        task.signals.failed.connect(self._on_failed)
        task.signals.finished.connect(self._on_finished)
        self._pending[sha256] = task
        self._pool.start(task)

    def _drop_unstarted(self) -> None:
        for sha, task in list(self._pending.items()):
            if task.started_at is None and self._pool.tryTake(task):
                del self._pending[sha]

    @Slot(object)
    def _on_result(self, value: tuple[str, QImage]) -> None:
        sha256, image = value
        if image.isNull():
            self._failed.add(sha256)
            return
        self._cache[sha256] = QPixmap.fromImage(image)
        while len(self._cache) > MEMORY_ITEMS:
            self._cache.popitem(last=False)
        self.ready.emit(sha256)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        task = getattr(self.sender(), "task", None)
        for sha, pending in self._pending.items():
            if pending is task:
                self._failed.add(sha)
                log.info("no thumbnail for %s: %s", sha[:12], message.splitlines()[0])
                self.ready.emit(sha)  # repaint with the "unreadable" placeholder

    @Slot()
    def _on_finished(self) -> None:
        task = getattr(self.sender(), "task", None)
        for sha, pending in list(self._pending.items()):
            if pending is task:
                del self._pending[sha]

    def cancel_all(self) -> None:
        for task in list(self._pending.values()):
            task.cancel()
            self._pool.tryTake(task)
        self._pending.clear()
