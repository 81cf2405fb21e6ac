"""Tile badges and the tile-size slider in the catalog grid, and queue rows in words: what a curator
sees of each product's state without opening it."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from app.views.tiles import STATE_GLYPHS, StatesRole
from core.catalog import db, queries
from core.catalog.queries import GridQuery, ReviewRow
from tests.gui_fixtures import *  # noqa: F403  (fixtures)
from tests.gui_fixtures import close_window, open_window

pytestmark = pytest.mark.gui


def _row_of(grid, product_id: int) -> int:
    return next(n for n in range(grid.model.rowCount()) if grid.model.row(n).id == product_id)


def _has_colour(image, rect, colour: QColor, tol: int = 30) -> bool:
    for y in range(max(0, rect.top()), min(image.height(), rect.bottom())):
        for x in range(max(0, rect.left()), min(image.width(), rect.right())):
            c = image.pixelColor(x, y)
            if abs(c.red() - colour.red()) + abs(c.green() - colour.green()) + abs(c.blue() - colour.blue()) < tol:
                return True
    return False


def test_tiles_show_state_badges_with_words(indexed_window, qtbot):
    grid = indexed_window.grid
    ids = [grid.model.row(n).id for n in range(grid.model.rowCount())]
    approved, flagged, corrected = ids[0], ids[1], ids[2]
    db.Product.update(review_state="approved").where(db.Product.id == approved).execute()
    db.Product.update(review_state="flagged").where(db.Product.id == flagged).execute()
    db.Product.update(corrected=True).where(db.Product.id == corrected).execute()
    db.Product.update(status="error").where(db.Product.id == ids[3]).execute()
    grid.refresh()
    states = {pid: grid.model.index(_row_of(grid, pid)).data(StatesRole) for pid in ids}
    assert states[approved] == ("indexed", "approved")
    assert states[flagged] == ("indexed", "flagged")
    assert states[corrected] == ("indexed", "corrected")
    assert states[ids[3]] == ("error",)
    tip = grid.model.index(_row_of(grid, approved)).data(Qt.ItemDataRole.ToolTipRole)
    assert "Approved in review" in tip and "Indexed: searchable" in tip
    assert "Indexing failed" in grid.model.index(_row_of(grid, ids[3])).data(Qt.ItemDataRole.ToolTipRole)
    # the badges are painted: the approved tile shows the approved colour in its top-left corner
    grid.view.clearSelection()
    qtbot.waitUntil(lambda: indexed_window.context.thumbnails.idle, timeout=30_000)
    image = grid.view.viewport().grab().toImage()
    for pid, key in ((approved, "approved"), (ids[3], "error")):
        rect = grid.view.visualRect(grid.model.index(_row_of(grid, pid)))
        corner = rect.adjusted(0, 0, -rect.width() // 2, -rect.height() // 2)
        assert _has_colour(image, corner, STATE_GLYPHS[key][1]), key


def test_tile_size_slider_resizes_and_is_remembered(indexed_catalog_dir, qtbot, leak_check):
    win, context = open_window(qtbot, indexed_catalog_dir)
    try:
        grid = win.grid
        assert grid.size_slider.value() == 128
        before = grid.view.tile
        grid.size_slider.setFocus()
        QTest.keyClick(grid.size_slider, Qt.Key.Key_PageUp)
        QTest.keyClick(grid.size_slider, Qt.Key.Key_PageUp)
        assert grid.size_slider.value() == 192 and grid.delegate.icon == 192
        assert grid.view.tile.width() == before.width() + 64
        # the columns share the full width: each cell is at least a tile wide, and they leave < 1 tile unused
        cell, width = grid.view.gridSize().width(), grid.view.viewport().width()
        assert cell >= grid.view.tile.width() and width - cell * (width // cell) < grid.view.tile.width()
        saved = json.loads((indexed_catalog_dir / "settings.json").read_text())
        assert saved["thumbnail_size"] == 192
    finally:
        close_window(win, context)
    win, context = open_window(qtbot, indexed_catalog_dir)
    try:
        assert win.grid.size_slider.value() == 192 and win.grid.delegate.icon == 192
    finally:
        close_window(win, context)


def test_queue_rows_name_the_product_and_say_why_in_words(indexed_window, qtbot):
    queue = indexed_window.review_queue
    indexed_window.tabs.setCurrentWidget(queue)
    qtbot.waitUntil(lambda: queue.tree.topLevelItemCount() == 6, timeout=60_000)
    titles = {p.sku: p.title for p in db.Product.select()}
    for n in range(queue.tree.topLevelItemCount()):
        item = queue.tree.topLevelItem(n)
        sku = item.text(2).rsplit(" · ", 1)[-1]
        assert item.text(2) == f"{titles[sku]} · {sku}"
        assert item.text(3) and item.text(3) != "—"
        assert item.text(1).endswith("%") and 0 <= int(item.text(1)[:-1]) <= 100


def test_review_row_words_and_doubt_scale():
    row = ReviewRow(1, "S", "T", 1.7, (), "pending", margin=0.05, label_conf=0.3, rejected=2, outlier=True)
    assert row.doubt == 1.0
    assert row.why() == ("Looks unlike the rest of its category; Two boxes are nearly tied for the main crop; "
                         "Labels are a guess (best 30% sure); 2 boxes set aside automatically")
    calm = ReviewRow(2, "S", "T", 0.0, (), "pending")
    assert calm.doubt == 0.0 and calm.why() == "Nothing doubtful found"
    assert ReviewRow(3, "S", "T", 0.6, (), "pending", margin=0.4, label_conf=0.6).why() == (
        "The main crop won by a small margin; Labels are not quite sure (best 60%)")


def test_grid_query_reports_badges(indexed_catalog_dir):
    from core.catalog.catalog import Catalog

    with Catalog.open(indexed_catalog_dir):
        tiles = queries.product_page(GridQuery(), 0, 10)
        assert tiles and all(t.badges == ("indexed",) for t in tiles)
