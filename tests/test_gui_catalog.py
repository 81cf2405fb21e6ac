"""The catalog window: drop folders → a job → products in the grid; cancel; delete/undo; paging; detail."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core.catalog import db
from tests.gui_fixtures import *  # noqa: F403  (fixtures)
from tests.gui_fixtures import drop_urls, make_products

pytestmark = pytest.mark.gui


def test_new_catalog_shows_empty_state(window):
    from PySide6.QtWidgets import QLabel

    assert window.catalog_page.currentWidget() is window.empty
    assert any("Drop product folders" in label.text() for label in window.empty.findChildren(QLabel))


def test_dropping_folders_indexes_and_fills_grid(window, qtbot, tmp_path):
    products = make_products(tmp_path / "drop", 4)
    with qtbot.waitSignal(window.context.job_finished, timeout=180_000) as finished:
        assert drop_urls(window, [products])
    record = finished.args[0]
    assert record.state == "succeeded", record.message
    assert record.result.products == 4 and record.result.indexed == 4
    assert window.catalog_page.currentIndex() == 1
    model = window.grid.model
    assert model.total == 4 and model.rowCount() == 4
    assert {model.row(n).status for n in range(4)} == {"indexed"}
    # thumbnails are generated in the pool, written as JPEG into the catalog, then drawn
    from app.views.tiles import PixmapRole

    qtbot.waitUntil(lambda: all(model.index(n).data(PixmapRole) is not None for n in range(4)), timeout=60_000)
    row = model.row(0)
    assert window.context.catalog.paths.thumb_path(row.sha256, 256).is_file()
    assert window.toast.isVisible() and "4 products imported" in window.toast.label.text()
    assert "Done" in window.jobs.rows[0].detail.text()


def test_cancelling_a_job(window, qtbot, tmp_path):
    products = make_products(tmp_path / "many", 40)
    record = window.start_index([products])
    qtbot.waitUntil(lambda: record.done > 0 or record.state != "queued", timeout=120_000)
    with qtbot.waitSignal(window.context.job_finished, timeout=120_000):
        window.jobs.rows[0].cancel_button.click()
    assert record.state == "cancelled"
    assert db.Job.get_by_id(record.result.job_id).state == "cancelled"
    assert "Cancelled" in window.jobs.rows[0].detail.text()
    # what was done is kept, and the app is still usable
    assert window.grid.model.total < 40 or db.Product.select().where(db.Product.status == "indexed").count() < 40


def test_select_shows_detail_with_crops_and_history(indexed_window, qtbot):
    grid = indexed_window.grid
    grid.view.setCurrentIndex(grid.model.index(0))
    detail = indexed_window.detail
    assert detail.product_id == grid.model.row(0).id
    assert detail.strip.count() == 2
    qtbot.waitUntil(lambda: not detail.image.loading, timeout=60_000)
    kinds = {b.kind for b in detail.image._boxes}
    assert "primary" in kinds or kinds  # the image holding the primary crop is shown first
    assert any(b.kind == "primary" for n in range(2) for b in _boxes_of(detail, n))
    assert detail.history.topLevelItemCount() >= 1
    assert detail.history.topLevelItem(0).text(1) == "Indexed"
    assert detail.similar_button.isEnabled()


def _boxes_of(detail, row):
    from app.views.product_detail import crop_boxes

    return crop_boxes(detail._images[row].id)


def test_delete_and_undo(indexed_window, qtbot):
    grid = indexed_window.grid
    assert grid.model.total == 6
    grid.view.setCurrentIndex(grid.model.index(0))
    doomed = grid.model.row(0).id
    qtbot.keyClick(grid.view, Qt.Key.Key_Delete)
    assert grid.model.total == 5
    assert db.Product.get_or_none(db.Product.id == doomed) is None
    assert "undo" in indexed_window.statusBar().currentMessage().lower()
    indexed_window.undo_action.trigger()
    assert grid.model.total == 6
    assert db.Product.get_by_id(doomed).deleted_at is None


def test_keyboard_navigation(indexed_window, qtbot):
    grid = indexed_window.grid
    grid.view.setFocus()
    grid.view.setCurrentIndex(grid.model.index(0))
    qtbot.keyClick(grid.view, Qt.Key.Key_J)
    assert grid.view.currentIndex().row() == 1
    qtbot.keyClick(grid.view, Qt.Key.Key_K)
    assert grid.view.currentIndex().row() == 0
    qtbot.keyClick(indexed_window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert indexed_window.tabs.currentWidget() is indexed_window.search


def test_sorting_and_filter_chips(indexed_window):
    grid = indexed_window.grid
    grid.sort_box.setCurrentIndex(grid.sort_box.findData("sku"))
    skus = [grid.model.row(n).sku for n in range(grid.model.rowCount())]
    assert skus == sorted(skus)
    grid.sort_box.setCurrentIndex(grid.sort_box.findData("newest"))
    assert [grid.model.row(n).sku for n in range(6)] == sorted(skus, reverse=True)
    grid.category_chips.set_checked("Gear")
    assert grid.model.total == 3
    grid.category_chips.set_checked("Gear", False)
    grid.status_chips.set_checked("error")
    assert grid.model.total == 0
    grid.status_chips.set_checked("indexed")
    assert grid.model.total == 6
    grid.filter_edit.setText("SKU-0003")
    assert grid.model.total == 1


def test_grid_fetches_pages_lazily(window, qtbot):
    """100k products scroll smoothly because rows come in pages as the view needs them."""
    def add():
        now = db.utcnow()
        rows = [{"sku": f"BULK-{i:06d}", "title": f"Bulk {i}", "created_at": now, "updated_at": now,
                 "description": "", "category": "Bulk", "attributes": {}, "source_folder": "", "content_hash": "",
                 "status": "imported", "review_state": "pending", "corrected": False} for i in range(5000)]
        for chunk in db.chunked(rows, 500):
            db.Product.insert_many(chunk).execute()

    db.transaction(add)
    window.grid.refresh()
    model = window.grid.model
    assert model.total == 5000
    assert model.rowCount() < 1000 and model.canFetchMore()
    before = model.rowCount()
    window.grid.view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > before, timeout=60_000)
    window.grid.view.setCurrentIndex(model.index(model.rowCount() - 1))
    for _ in range(3):
        window.grid.step(1)
    assert model.rowCount() > before
