"""Fixtures for the Qt tests: a real catalog with tiny real models, the main window, and leak checks
that fail a test which leaves a thread, a running timer, a top-level widget or pool work behind."""

from __future__ import annotations

import gc
import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

__all__ = ["gui_catalog_dir", "_indexed_catalog_template", "indexed_catalog_dir", "leak_check", "window", "indexed_window", "memory_keyring"]

COLOURS = [(200, 30, 30), (30, 30, 200), (30, 160, 40), (230, 200, 20), (120, 40, 160), (20, 20, 20)]


def scene(path: Path, colour, shape: str = "rect", size=(160, 120)) -> Path:
    """A product photo: one textured coloured object on a plain light background."""
    img = Image.new("RGB", size, (245, 245, 245))
    draw = ImageDraw.Draw(img)
    box = (size[0] // 4, size[1] // 5, 3 * size[0] // 4, 4 * size[1] // 5)
    (draw.ellipse if shape == "ellipse" else draw.rectangle)(box, fill=colour)
    for x in range(box[0] + 6, box[2] - 6, 12):
        draw.line((x, box[1] + 8, x, box[3] - 8), fill=tuple(max(0, c - 90) for c in colour), width=2)
    pixels = np.asarray(img).astype(np.int16)
    noise = np.random.default_rng(sum(colour)).normal(0, 4, pixels.shape[:2])[..., None]
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8)).save(path, "JPEG", quality=92)
    return path


def make_products(root: Path, n: int = 6, start: int = 0) -> Path:
    for i in range(start, start + n):
        folder = root / f"p{i:04d}"
        colour = COLOURS[i % len(COLOURS)]
        scene(folder / "main.jpg", colour)
        scene(folder / "back.jpg", colour, shape="ellipse")
        category = "Gear/Bags" if i % 2 == 0 else "Men/Tops"
        (folder / "product.json").write_text(json.dumps(
            {"sku": f"SKU-{i:04d}", "title": f"Product {i} {'red' if colour[0] > 150 else 'plain'}",
             "category": category, "price": 10.0 + i}))
    return root


@pytest.fixture
def gui_catalog_dir(tmp_path, tiny_model_settings) -> Path:
    """An empty catalog folder whose settings use the tiny real models."""
    from core.catalog.catalog import Catalog

    catalog = Catalog.open(tmp_path / "catalog")
    catalog.settings.models = tiny_model_settings
    catalog.save_settings()
    catalog.close()
    return tmp_path / "catalog"


@pytest.fixture(scope="session")
def _indexed_catalog_template(tmp_path_factory, tiny_model_settings) -> Path:
    """Six products imported and indexed once per session (by core); tests get copies of the folder."""
    from core.catalog.catalog import Catalog
    from core.jobs import run_index_job
    from core.models.registry import ModelRegistry

    root = tmp_path_factory.mktemp("indexed-template")
    make_products(root / "products", 6)
    with Catalog.open(root / "catalog") as catalog:
        catalog.settings.models = tiny_model_settings
        catalog.save_settings()
        registry = ModelRegistry(catalog.settings.models)
        try:
            run_index_job(catalog, registry, [root / "products"])
        finally:
            registry.close()
    return root / "catalog"


@pytest.fixture
def indexed_catalog_dir(gui_catalog_dir, _indexed_catalog_template) -> Path:
    """The catalog with six products imported and indexed (by core, before any window exists): a copy of the
    session's indexed folder (a catalog is a folder; indexing it for every test cost seconds each)."""
    import shutil

    shutil.rmtree(gui_catalog_dir)
    shutil.copytree(_indexed_catalog_template, gui_catalog_dir)
    return gui_catalog_dir


def _live_threads() -> set[threading.Thread]:
    # Threads Qt started show up as _DummyThread when they ran Python code; QThreads are checked apart.
    # The threading policy's fan-out pool is made on first use and kept for the process (not a leak).
    from core.models.threads import FAN_OUT_PREFIX

    return {t for t in threading.enumerate() if not isinstance(t, threading._DummyThread)
            and not t.name.startswith(f"{FAN_OUT_PREFIX}_")}


def _active_timers() -> list:
    import shiboken6
    from PySide6.QtCore import QTimer

    def timer(o) -> bool:
        try:
            return isinstance(o, QTimer) and shiboken6.isValid(o) and o.isActive()
        except ReferenceError:  # a weak proxy whose object is gone (boto3 keeps some): not a timer
            return False

    return [o for o in gc.get_objects() if timer(o)]


@pytest.fixture
def leak_check(qapp):
    """Fail the test if it leaves threads, running timers, top-level widgets or pool work behind."""
    from PySide6.QtCore import QEvent, QThreadPool
    from PySide6.QtWidgets import QApplication

    threads_before = _live_threads()
    widgets_before = set(QApplication.topLevelWidgets())
    timers_before = set(map(id, _active_timers()))
    yield
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    gc.collect()  # parentless widgets owned by Python objects (pyqtgraph's menus) go with their owners
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _live_threads() - threads_before:
        time.sleep(0.05)
    leaked_threads = _live_threads() - threads_before
    leaked_widgets = [w for w in QApplication.topLevelWidgets() if w not in widgets_before]
    leaked_timers = [t for t in _active_timers() if id(t) not in timers_before]
    assert QThreadPool.globalInstance().activeThreadCount() == 0, "global pool still busy"
    assert not leaked_threads, f"threads left running: {leaked_threads}"
    assert not leaked_widgets, f"top-level widgets left: {leaked_widgets}"
    assert not leaked_timers, f"timers left running: {leaked_timers}"


def close_window(window, context) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    window.close()
    assert not context.models.thread.isRunning(), "model thread still running after close"
    assert context.pool.activeThreadCount() == 0, "pool still busy after close"
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def open_window(qtbot, catalog_dir: Path, wait_models: bool = True):
    from app import i18n
    from app.context import AppContext
    from app.views.main_window import MainWindow

    i18n.install("en")  # as app.main does: English plural forms ("1 product"), from resources/i18n
    context = AppContext.open(catalog_dir)
    window = MainWindow(context)
    window.show()
    qtbot.waitExposed(window)
    if wait_models:
        qtbot.waitUntil(lambda: context.models.ready, timeout=120_000)
        assert context.models.status.get("state") == "ready", context.models.status
    return window, context


@pytest.fixture
def window(qtbot, leak_check, gui_catalog_dir):
    win, context = open_window(qtbot, gui_catalog_dir)
    yield win
    close_window(win, context)


@pytest.fixture
def indexed_window(qtbot, leak_check, indexed_catalog_dir):
    win, context = open_window(qtbot, indexed_catalog_dir)
    yield win
    close_window(win, context)


@pytest.fixture
def memory_keyring():
    """An in-memory keyring backend, so Settings can store the S3 secret without an OS keyring."""
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1

        def __init__(self) -> None:
            super().__init__()
            self.store: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    previous = keyring.get_keyring()
    backend = Memory()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def drop_urls(widget, paths: list[Path]) -> bool:
    """Send a real drag-enter and drop with file URLs to a widget; True when the drop was accepted."""
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = widget.rect().center()
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()
