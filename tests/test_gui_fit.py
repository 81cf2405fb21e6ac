"""The window fits a 1366×768 laptop and never grows with content: a person opens Jobs (Ctrl+J) and
selects a product whose title is 300 characters without a space."""

from __future__ import annotations

import html
import json

import pytest
from PySide6.QtCore import Qt

from tests.gui_fixtures import *  # noqa: F403  (fixtures)
from tests.gui_fixtures import close_window, make_products, open_window

pytestmark = pytest.mark.gui
LONG = "Ultra" + "X" * 290 + "Long"
HTML = "<b>Bold</b> <i>Tee</i> & co"


@pytest.fixture
def long_title_catalog(gui_catalog_dir, tmp_path):
    from core.catalog.catalog import Catalog
    from core.jobs import run_index_job
    from core.models.registry import ModelRegistry

    root = make_products(tmp_path / "products", 3)
    meta = root / "p0000" / "product.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "title": LONG}))
    meta = root / "p0001" / "product.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "title": HTML}))
    with Catalog.open(gui_catalog_dir) as catalog:
        registry = ModelRegistry(catalog.settings.models)
        try:
            run_index_job(catalog, registry, [root])
        finally:
            registry.close()
    return gui_catalog_dir


def test_window_fits_1366x768_and_never_grows(qtbot, leak_check, long_title_catalog):
    window, context = open_window(qtbot, long_title_catalog)
    try:
        window.resize(1366, 768)
        qtbot.waitUntil(lambda: window.size().width() == 1366 and window.size().height() == 768, timeout=3000)
        hint = window.minimumSizeHint()
        assert hint.width() <= 1280 and hint.height() <= 720, hint
        assert window.minimumWidth() <= 1280 and window.minimumHeight() <= 720
        qtbot.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)  # open Jobs
        qtbot.waitUntil(lambda: window.jobs_dock.isVisible(), timeout=3000)
        grid = window.grid
        row = next(r for r in range(grid.model.rowCount()) if "Ultra" in str(grid.model.index(r, 0).data()))
        grid.view.setFocus()
        rect = grid.view.visualRect(grid.model.index(row, 0))
        qtbot.mouseClick(grid.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.waitUntil(lambda: window.detail.title.toolTip().startswith("<qt>Ultra"), timeout=5000)
        qtbot.wait(200)
        assert (window.width(), window.height()) == (1366, 768)
        hint = window.minimumSizeHint()
        assert hint.width() <= 1280 and hint.height() <= 720, hint
        assert "Ultra" in window.detail.title.text() and "…" in window.detail.title.text()
        # a title with HTML in it is shown as the characters typed, in the header and the details
        row = next(r for r in range(grid.model.rowCount()) if "Tee" in str(grid.model.index(r, 0).data()))
        qtbot.mouseClick(grid.view.viewport(), Qt.MouseButton.LeftButton,
                         pos=grid.view.visualRect(grid.model.index(row, 0)).center())
        qtbot.waitUntil(lambda: window.detail.title.toolTip().startswith("<qt>" + html.escape(HTML)), timeout=5000)
        assert "&lt;b&gt;Bold&lt;/b&gt;" in window.detail.title.text()
        from PySide6.QtWidgets import QLabel

        shown = [w for w in window.detail.meta.findChildren(QLabel) if w.text() == HTML]
        assert shown and shown[0].textFormat() == Qt.TextFormat.PlainText
        # plain words in the status bar: no "(unavailable)" or "(off)" noise
        words = " ".join(w.text() for w in window.statusBar().findChildren(QLabel) if w.isVisible())
        words += " " + (window.sync_badge.text() if window.sync_badge.isVisible() else "")
        assert "(unavailable)" not in words and "(off)" not in words, words
        assert (window.width(), window.height()) == (1366, 768)
    finally:
        close_window(window, context)


def test_screenshot_of_a_view_at_an_exact_size(indexed_catalog_dir, tmp_path):
    """`gui --screenshot --size 1366x768 --view review`: a real process saves exactly 1366×768."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from PIL import Image

    repo = Path(__file__).resolve().parents[1]
    out = tmp_path / "review.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "app", "gui", "--catalog", str(indexed_catalog_dir),
                           "--screenshot", str(out), "--size", "1366x768", "--view", "review"],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    with Image.open(out) as img:
        assert img.size == (1366, 768)
    bad = subprocess.run([sys.executable, "-m", "app", "gui", "--size", "big", "--screenshot", str(out)],
                         cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "not a size like 1366x768" in bad.stderr
