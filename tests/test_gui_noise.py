"""Plain words and no noise: History names models without their hashes, a finished job is announced
once (a toast, not the status bar as well), and a title with HTML in it stays text in every tooltip."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt

from core.catalog import db, queries
from tests.gui_fixtures import *  # noqa: F403  (fixtures)
from tests.gui_fixtures import drop_urls, make_products

pytestmark = pytest.mark.gui

HEX = re.compile(r"[0-9a-f]{8,}")


def test_history_has_no_model_hashes(indexed_window, qtbot):
    detail = indexed_window.detail
    indexed_window.grid.view.setCurrentIndex(indexed_window.grid.model.index(0))
    qtbot.waitUntil(lambda: detail.history.topLevelItemCount() >= 1, timeout=10_000)
    item = detail.history.topLevelItem(0)
    assert item.text(1) == "Indexed" and item.text(2).startswith("done with ")
    assert not HEX.search(item.text(2)), item.text(2)
    version = db.IndexingResult.select().first().model_version
    assert HEX.search(version) and version in item.toolTip(2)  # the exact version stays one hover away
    assert queries.model_name("efficientnet_lite0-in1k-0123abcd") == "efficientnet_lite0-in1k"


def test_finished_job_is_announced_once(window, qtbot, tmp_path):
    products = make_products(tmp_path / "drop", 2)
    with qtbot.waitSignal(window.context.job_finished, timeout=180_000):
        assert drop_urls(window, [products])
    assert window.toast.isVisible() and "2 products imported" in window.toast.label.text()
    assert "imported" not in window.statusBar().currentMessage()
    # the toast sits bottom-left, over the grid, not over the detail pane on the right
    assert window.toast.geometry().right() < window.width() / 2


def test_html_in_a_title_stays_text_in_tooltips(indexed_window, qtbot):
    window = indexed_window
    product = db.Product.select().order_by(db.Product.id).first()
    product.title = "<b>Bold</b> <i>bag</i>"
    product.save()
    window.grid.refresh()
    grid = window.grid
    row = next(n for n in range(grid.model.rowCount()) if grid.model.row(n).id == product.id)
    tip = grid.model.index(row).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;Bold&lt;/b&gt;" in tip and "<b>" not in tip
    queue = window.review_queue
    window.tabs.setCurrentWidget(queue)
    qtbot.waitUntil(lambda: queue.tree.topLevelItemCount() == 6, timeout=60_000)
    item = next(queue.tree.topLevelItem(n) for n in range(6)
                if queue.tree.topLevelItem(n).data(0, Qt.ItemDataRole.UserRole) == product.id)
    assert item.text(2).startswith("<b>Bold</b>")  # item text is plain text already
    assert "<b>" not in item.toolTip(2) and "&lt;b&gt;" in item.toolTip(2)
