"""The correction panel and the review queue: real mouse drags on crop handles, primary, label chips,
undo through the inverse corrections, keyboard review with progress, sync status after a correction."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from core.catalog import db
from tests.gui_fixtures import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.gui

APPLY_TIMEOUT = 60_000


def _review_page(window, qtbot):
    """The Review tab, showing the first product of the queue with its photo loaded."""
    queue = window.review_queue
    window.tabs.setCurrentWidget(queue)
    qtbot.waitUntil(lambda: queue.tree.topLevelItemCount() == 6, timeout=60_000)
    panel = queue.panel
    qtbot.waitUntil(lambda: panel.product_id is not None and panel.editor.items_by_id
                    and not panel.loading, timeout=60_000)
    return queue, panel


def _vector(window, product_id: int) -> np.ndarray:
    catalog = window.context.catalog
    store = catalog.vector_store(catalog.active_model_version())
    return np.array(store.get([product_id])[1][0])


def _primary(product_id: int) -> db.Crop:
    return (db.Crop.select().join(db.ImageFile)
            .where((db.ImageFile.product == product_id) & (db.Crop.is_primary == True)).get())  # noqa: E712


def _show_primary_image(panel, qtbot) -> db.Crop:
    crop = _primary(panel.product_id)
    ids = [i.id for i in panel.images]
    panel.image_choice.setCurrentIndex(ids.index(crop.image_id))
    qtbot.waitUntil(lambda: crop.id in panel.editor.items_by_id and not panel.loading, timeout=60_000)
    return crop


def _view_point(editor, x: float, y: float) -> QPoint:
    return editor.mapFromScene(QPointF(x, y))


def test_drag_handle_moves_box_and_vector_and_undo_restores(indexed_window, qtbot):
    queue, panel = _review_page(indexed_window, qtbot)
    crop = _show_primary_image(panel, qtbot)
    editor = panel.editor
    old_box = crop.box
    before = _vector(indexed_window, panel.product_id)
    viewport = editor.viewport()
    start = _view_point(editor, old_box[2], old_box[3])  # the bottom-right handle
    end = _view_point(editor, old_box[2] - 0.3 * (old_box[2] - old_box[0]), old_box[3] - 0.25 * (old_box[3] - old_box[1]))
    with qtbot.waitSignal(indexed_window.review.applied, timeout=APPLY_TIMEOUT) as applied:
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
        QTest.mouseMove(viewport, (start + end) / 2)
        QTest.mouseMove(viewport, end)
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert applied.args[0]["vector_changed"] is True
    moved = db.Crop.get_by_id(crop.id)
    assert moved.x0 == pytest.approx(old_box[0], abs=1) and moved.y0 == pytest.approx(old_box[1], abs=1)
    assert moved.x1 < old_box[2] - 5 and moved.y1 < old_box[3] - 3
    assert moved.source == "manual" and moved.curator_locked
    after = _vector(indexed_window, panel.product_id)
    assert not np.allclose(before, after)
    assert db.Correction.select().where(db.Correction.kind == "move_box").count() == 1
    # the history and the grid refreshed; Ctrl+Z writes the inverse move
    with qtbot.waitSignal(indexed_window.review.applied, timeout=APPLY_TIMEOUT):
        indexed_window.undo_action.trigger()
    back = db.Crop.get_by_id(crop.id)
    assert back.box == pytest.approx(old_box, abs=0.5)
    restored = _vector(indexed_window, panel.product_id)  # cosine, not bits: int8 kernels round per batch
    assert float(np.dot(restored, before) / (np.linalg.norm(restored) * np.linalg.norm(before))) > 0.9999
    assert db.Correction.select().where(db.Correction.kind == "move_box").count() == 2  # append-only log


def test_draw_new_box_then_make_primary_and_undo(indexed_window, qtbot):
    queue, panel = _review_page(indexed_window, qtbot)
    product_id = panel.product_id
    first_primary = _show_primary_image(panel, qtbot)
    editor = panel.editor
    w, h = editor.image_size
    viewport = editor.viewport()
    # in edit mode a drag on an empty area draws nothing and says how to draw
    a, b = _view_point(editor, 2, 2), _view_point(editor, w * 0.22, h * 0.18)
    with qtbot.waitSignal(editor.status) as said:
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
        QTest.mouseMove(viewport, b)
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    assert "press W" in said.args[0]
    assert not db.Crop.select().where(db.Crop.source == "manual").exists()
    # W: draw mode; draw on an empty corner area of the photo
    QTest.keyClick(viewport, Qt.Key.Key_W)
    assert editor.mode == "draw" and panel.draw_button.isChecked()
    with qtbot.waitSignal(indexed_window.review.applied, timeout=APPLY_TIMEOUT):
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
        QTest.mouseMove(viewport, b)
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    new = db.Crop.select().where(db.Crop.source == "manual").get()
    assert editor.mode == "edit"  # one box per W
    assert new.x1 - new.x0 > 10
    qtbot.waitUntil(lambda: new.id in editor.items_by_id, timeout=60_000)
    # double-click makes it primary
    centre = _view_point(editor, (new.x0 + new.x1) / 2, (new.y0 + new.y1) / 2)
    with qtbot.waitSignal(indexed_window.review.applied, timeout=APPLY_TIMEOUT):
        QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    assert _primary(product_id).id == new.id
    qtbot.waitUntil(lambda: editor.items_by_id[new.id].crop.kind == "primary", timeout=60_000)
    # undo: the previous primary is back
    with qtbot.waitSignal(indexed_window.review.applied, timeout=APPLY_TIMEOUT):
        indexed_window.undo_action.trigger()
    assert _primary(product_id).id == first_primary.id
    # delete the drawn crop with the Delete key, then undo brings it back
    editor.select(new.id)
    editor.setFocus()
    with qtbot.waitSignal(indexed_window.review.applied, timeout=APPLY_TIMEOUT):
        QTest.keyClick(viewport, Qt.Key.Key_Delete)
    assert db.Crop.get_or_none(db.Crop.id == new.id) is None
    with qtbot.waitSignal(indexed_window.review.applied, timeout=APPLY_TIMEOUT):
        indexed_window.undo_action.trigger()
    assert db.Crop.get_by_id(new.id).deleted_at is None


def test_label_chips_add_remove_and_undo(indexed_window, qtbot):
    queue, panel = _review_page(indexed_window, qtbot)
    product_id = panel.product_id
    chips = panel.product_chips
    chips.edit.setFocus()
    QTest.keyClicks(chips.edit, "colours: teal")
    with qtbot.waitSignal(indexed_window.review.applied, timeout=APPLY_TIMEOUT):
        QTest.keyClick(chips.edit, Qt.Key.Key_Return)
    label = db.Label.get((db.Label.product == product_id) & (db.Label.value == "teal"))
    assert label.vocabulary == "colours" and label.source == "curator" and label.crop_id is None
    qtbot.waitUntil(lambda: chips.chip_for("teal") is not None, timeout=5_000)
    # free text
    QTest.keyClicks(chips.edit, "needs retouch")
    with qtbot.waitSignal(indexed_window.review.applied, timeout=APPLY_TIMEOUT):
        QTest.keyClick(chips.edit, Qt.Key.Key_Return)
    assert db.Label.get(db.Label.value == "needs retouch").vocabulary == "free"
    # the x on the chip removes it
    qtbot.waitUntil(lambda: chips.chip_for("teal") is not None, timeout=5_000)
    with qtbot.waitSignal(indexed_window.review.applied, timeout=APPLY_TIMEOUT):
        qtbot.mouseClick(chips.chip_for("teal").close_button, Qt.MouseButton.LeftButton)
    assert db.Label.get_or_none(db.Label.id == label.id) is None
    qtbot.waitUntil(lambda: chips.chip_for("teal") is None, timeout=5_000)
    # undo of the removal brings the label back
    with qtbot.waitSignal(indexed_window.review.applied, timeout=APPLY_TIMEOUT):
        indexed_window.undo_action.trigger()
    assert db.Label.select().where((db.Label.product == product_id) & (db.Label.value == "teal")).count() == 1
    qtbot.waitUntil(lambda: chips.chip_for("teal") is not None, timeout=5_000)


def test_queue_keyboard_approve_updates_progress_and_sync_pending(indexed_window, qtbot):
    queue, panel = _review_page(indexed_window, qtbot)
    assert "0 of 6 reviewed" in queue.progress_label.text()
    assert queue.tree.topLevelItem(0).text(3)  # a reason, or a dash
    queue.tree.setFocus()
    first = queue.current_product_id()
    QTest.keyClick(queue.tree, Qt.Key.Key_J)
    assert queue.current_product_id() != first
    QTest.keyClick(queue.tree, Qt.Key.Key_K)
    assert queue.current_product_id() == first
    with qtbot.waitSignal(indexed_window.review.applied, timeout=APPLY_TIMEOUT):
        QTest.keyClick(queue.tree, Qt.Key.Key_A)
    assert db.Product.get_by_id(first).review_state == "approved"
    assert queue.current_product_id() != first  # moved on to the next product
    qtbot.waitUntil(lambda: "1 of 6 reviewed" in queue.progress_label.text(), timeout=60_000)
    second = queue.current_product_id()
    with qtbot.waitSignal(indexed_window.review.applied, timeout=APPLY_TIMEOUT):
        QTest.keyClick(queue.tree, Qt.Key.Key_F)
    assert db.Product.get_by_id(second).review_state == "flagged"
    qtbot.waitUntil(lambda: "2 of 6 reviewed" in queue.progress_label.text(), timeout=60_000)
    # S3 is off: the corrections wait in the outbox, and the status bar says so
    from core.sync import outbox

    badge = indexed_window.sync_badge
    pending = outbox.pending_count()
    assert pending >= 2  # two corrections (and their label snapshots, if any)
    # sync is off: the badge says so without a running count; its tooltip has the count
    qtbot.waitUntil(lambda: badge.text() == "Sync off" and badge.isVisible()
                    and f"{pending} changes waiting" in badge.toolTip(), timeout=60_000)
    with qtbot.waitSignal(indexed_window.sync.status_changed, timeout=APPLY_TIMEOUT):
        indexed_window.sync_panel.sync_button.click()
    assert "enable S3" in indexed_window.sync_panel.reason.text()
    assert indexed_window.sync_panel.pending.text() == str(pending)
    # undo the flag: the product is pending again and the progress drops
    with qtbot.waitSignal(indexed_window.review.applied, timeout=APPLY_TIMEOUT):
        indexed_window.undo_action.trigger()
    assert db.Product.get_by_id(second).review_state == "pending"
    qtbot.waitUntil(lambda: "1 of 6 reviewed" in queue.progress_label.text(), timeout=60_000)


def test_detail_has_inline_review_panel(indexed_window, qtbot):
    grid, detail = indexed_window.grid, indexed_window.detail
    grid.view.setCurrentIndex(grid.model.index(0))
    panel = detail.review_panel
    assert panel is not None and panel.product_id == detail.product_id
    detail.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.editor.items_by_id and not panel.loading, timeout=60_000)
    panel.editor.setFocus()
    with qtbot.waitSignal(indexed_window.review.applied, timeout=APPLY_TIMEOUT):
        QTest.keyClick(panel.editor, Qt.Key.Key_A)
    assert db.Product.get_by_id(detail.product_id).review_state == "approved"
    qtbot.waitUntil(lambda: "Approved" in panel.state.text(), timeout=5_000)
    assert any(detail.history.topLevelItem(n).text(1) == "Approved"
               and detail.history.topLevelItem(n).text(2).endswith("approved the product")  # a sentence
               for n in range(detail.history.topLevelItemCount()))


def test_queue_rows_have_thumbnails_and_columns_that_fit(indexed_window, qtbot):
    """Each row shows the product's photo beside its name; at 1366 wide the Why column starts inside the list
    and its full text is in the tooltip."""
    indexed_window.resize(1366, 768)
    queue, _panel = _review_page(indexed_window, qtbot)
    tree = queue.tree
    qtbot.waitUntil(lambda: all(not tree.topLevelItem(n).icon(2).isNull()
                                for n in range(tree.topLevelItemCount())), timeout=60_000)
    assert tree.iconSize().height() >= 32
    header = tree.header()
    assert header.sectionPosition(3) + 60 < tree.viewport().width()  # the reasons column is on screen
    for n in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(n)
        assert item.text(3) and item.text(3) in item.toolTip(3)
