"""The query photo box as a curator uses it: a dropped photo searches at once, a dropped text file or PDF
gets a clear answer and no search, and dragging over the photo searches for that region only."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from tests.gui_fixtures import *  # noqa: F403  (fixtures)
from tests.gui_fixtures import drop_urls, scene

pytestmark = pytest.mark.gui


def test_dropped_text_and_pdf_are_refused_in_words(indexed_window, qtbot, tmp_path):
    panel = indexed_window.search
    indexed_window.tabs.setCurrentWidget(panel)
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    manual = tmp_path / "manual.pdf"
    manual.write_bytes(b"%PDF-1.4\n%\xe2\xe3\n")
    with qtbot.assertNotEmitted(panel.searched, wait=300):
        assert drop_urls(panel.query_image, [notes])
        assert "notes.txt" in panel.state_label.text() and "text file" in panel.state_label.text()
        assert "notes.txt" in indexed_window.statusBar().currentMessage()
        assert drop_urls(panel.query_image, [manual])
        assert "a PDF" in panel.state_label.text() and "drop a photo" in panel.state_label.text()
    assert panel.query_image.query is None


def test_drag_over_the_query_photo_searches_that_region(indexed_window, qtbot, tmp_path):
    panel = indexed_window.search
    indexed_window.tabs.setCurrentWidget(panel)
    photo = scene(tmp_path / "two.jpg", (200, 30, 30), size=(240, 160))
    with qtbot.waitSignal(panel.searched, timeout=60_000) as whole:
        assert drop_urls(panel.query_image, [photo])
    assert whole.args[0].kind == "image"
    # result tiles carry the same state badges as the grid, with words in the tooltip
    from app.views.tiles import StatesRole

    first = panel.results.index(0)
    assert first.data(StatesRole) == ("indexed",) and "Indexed: searchable" in first.data(Qt.ItemDataRole.ToolTipRole)
    view = panel.query_image
    qtbot.waitUntil(lambda: view._pixmap is not None and not view.loading, timeout=60_000)
    target = view._target()

    def at(x: float, y: float):
        return QPointF(target.left() + x * target.width() / 240, target.top() + y * target.height() / 160).toPoint()

    a, b = at(50, 30), at(190, 130)
    with qtbot.waitSignal(panel.searched, timeout=60_000) as region:
        QTest.mousePress(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
        QTest.mouseMove(view, (a + b) / 2)
        QTest.mouseMove(view, b)
        QTest.mouseRelease(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    assert panel.region == pytest.approx((50, 30, 190, 130), abs=3)
    assert region.args[0].query_box == pytest.approx((50, 30, 190, 130), abs=3)
    assert "region you drew" in panel.state_label.text()
    assert [box.kind for box in view._boxes] == ["query"]
    # a click (no drag) is not a region; too small a region says so
    with qtbot.assertNotEmitted(panel.searched, wait=300):
        QTest.mousePress(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
        QTest.mouseMove(view, a + QPointF(5, 0).toPoint())
        QTest.mouseRelease(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a + QPointF(5, 0).toPoint())
    assert "Too small" in panel.state_label.text()
    # a new photo forgets the old region
    with qtbot.waitSignal(panel.searched, timeout=60_000):
        assert drop_urls(panel.query_image, [photo])
    assert panel.region is None and panel.request().box is None
