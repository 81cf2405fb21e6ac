"""Batch work as a curator does it: Ctrl/Shift+click and Ctrl+A in the grid and the review queue, then
approve, flag, label, re-index or delete them all; each batch is one undo step (Ctrl+Z)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from core.catalog import db
from tests.gui_fixtures import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.gui

APPLY_TIMEOUT = 60_000
CTRL, SHIFT, NONE = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.NoModifier


def _click_tile(grid, row: int, modifier=NONE) -> None:
    rect = grid.view.visualRect(grid.model.index(row))
    QTest.mouseClick(grid.view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def _states(ids) -> list[str]:
    return [db.Product.get_by_id(i).review_state for i in ids]


def test_grid_multi_select_approve_label_delete_each_one_undo_step(indexed_window, qtbot):
    window, grid = indexed_window, indexed_window.grid
    window.resize(1366, 768)
    bar = grid.batch
    _click_tile(grid, 0)
    assert not bar.isVisible()  # one product: the detail pane is the place
    _click_tile(grid, 2, CTRL)
    _click_tile(grid, 4, CTRL)
    ids = sorted(grid.selected_ids())
    assert len(ids) == 3 and bar.isVisible() and "3 selected" in bar.count.text()
    # approve all three: one job, one undo step
    steps = grid.undo_stack.count()
    with qtbot.waitSignal(window.review.applied, timeout=APPLY_TIMEOUT) as applied:
        qtbot.mouseClick(bar.approve_button, Qt.MouseButton.LeftButton)
    assert sorted(applied.args[0]["product_ids"]) == ids
    assert _states(ids) == ["approved"] * 3 and grid.undo_stack.count() == steps + 1
    assert "Approved 3 products" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.review.applied, timeout=APPLY_TIMEOUT):
        window.undo_action.trigger()
    assert _states(ids) == ["pending"] * 3
    # the selection survived the refresh; a label for all three, undone in one step
    assert sorted(grid.selected_ids()) == ids
    bar.label_edit.setFocus()
    QTest.keyClicks(bar.label_edit, "needs retouch")
    with qtbot.waitSignal(window.review.applied, timeout=APPLY_TIMEOUT):
        QTest.keyClick(bar.label_edit, Qt.Key.Key_Return)

    def labelled():
        return sorted(lb.product_id for lb in db.Label.select().where(db.Label.value == "needs retouch"))

    assert labelled() == ids
    with qtbot.waitSignal(window.review.applied, timeout=APPLY_TIMEOUT):
        window.undo_action.trigger()
    assert labelled() == []
    # Shift+click selects a range; Ctrl+A selects every product; Delete removes them, one Ctrl+Z brings all back
    _click_tile(grid, 1)
    _click_tile(grid, 3, SHIFT)
    assert len(grid.selected_ids()) == 3
    grid.view.setFocus()
    QTest.keyClick(grid.view, Qt.Key.Key_A, CTRL)
    assert len(grid.selected_ids()) == 6 and "6 selected" in bar.count.text()
    qtbot.mouseClick(bar.delete_button, Qt.MouseButton.LeftButton)
    assert db.Product.select().where(db.Product.deleted_at.is_null()).count() == 0
    assert grid.model.total == 0
    window.undo_action.trigger()
    assert db.Product.select().where(db.Product.deleted_at.is_null()).count() == 6
    assert grid.model.total == 6


def test_grid_reindex_selected_runs_one_job_for_them(indexed_window, qtbot):
    window, grid = indexed_window, indexed_window.grid
    _click_tile(grid, 0)
    _click_tile(grid, 1, CTRL)
    ids = sorted(grid.selected_ids())
    runs = {i: db.IndexingResult.select().where(db.IndexingResult.product == i).count() for i in range(1, 7)}
    with qtbot.waitSignal(window.context.job_finished, timeout=120_000) as finished:
        qtbot.mouseClick(grid.batch.reindex_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].title == "Re-index 2 products"
    after = {i: db.IndexingResult.select().where(db.IndexingResult.product == i).count() for i in range(1, 7)}
    assert [i for i in after if after[i] > runs[i]] == ids


def test_queue_multi_select_flag_with_the_key_is_one_undo_step(indexed_window, qtbot):
    window, queue = indexed_window, indexed_window.review_queue
    window.tabs.setCurrentWidget(queue)
    qtbot.waitUntil(lambda: queue.tree.topLevelItemCount() == 6, timeout=60_000)
    tree = queue.tree
    for n, modifier in ((0, NONE), (2, CTRL), (3, CTRL)):
        rect = tree.visualItemRect(tree.topLevelItem(n))
        QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())
    ids = sorted(queue.selected_ids())
    assert len(ids) == 3 and queue.batch.isVisible()
    with qtbot.waitSignal(window.review.applied, timeout=APPLY_TIMEOUT):
        QTest.keyClick(tree, Qt.Key.Key_F)
    assert _states(ids) == ["flagged"] * 3
    qtbot.waitUntil(lambda: "3 of 6 reviewed" in queue.progress_label.text(), timeout=60_000)
    assert sorted(queue.selected_ids()) == ids  # still selected after the queue re-read
    with qtbot.waitSignal(window.review.applied, timeout=APPLY_TIMEOUT):
        window.undo_action.trigger()
    assert _states(ids) == ["pending"] * 3
    qtbot.waitUntil(lambda: "0 of 6 reviewed" in queue.progress_label.text(), timeout=60_000)
