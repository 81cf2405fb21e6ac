"""The review canvas as a curator drives it: wheel and +/- zoom, Space+drag and middle-button pan, draw
mode (W) apart from edit mode, captions that never overlap, a double-click that restores a rejected box,
and a status-bar explanation for every key or click that does nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.views.crop_editor import CropBox, CropEditor, place_captions
from core.catalog import db
from tests.gui_fixtures import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.gui

APPLY_TIMEOUT = 60_000


@pytest.fixture
def canvas(qtbot):
    """A canvas over a 400×300 photo with three overlapping boxes (no pixels needed to edit boxes)."""
    editor = CropEditor(context=None)
    qtbot.addWidget(editor)
    editor.resize(640, 480)
    editor.show()
    qtbot.waitExposed(editor)
    crops = [CropBox(1, (40, 40, 200, 200), "primary", "primary"),
             CropBox(2, (42, 44, 190, 210), "accepted", "bag"),
             CropBox(3, (45, 42, 180, 190), "rejected", "rejected: mostly background", "mostly background"),
             CropBox(4, (260, 60, 380, 280), "accepted", "shoe")]
    editor.set_image(None, (400, 300), crops, select=1)
    try:
        yield editor
    finally:
        editor.dispose()


def _wheel(widget, at: QPoint, steps: int) -> None:
    event = QWheelEvent(QPointF(at), QPointF(widget.mapToGlobal(at)), QPoint(0, 0), QPoint(0, 120 * steps),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def _drag(viewport, a: QPoint, b: QPoint, button=Qt.MouseButton.LeftButton) -> None:
    QTest.mousePress(viewport, button, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(viewport, (a + b) / 2)
    QTest.mouseMove(viewport, b)
    QTest.mouseRelease(viewport, button, Qt.KeyboardModifier.NoModifier, b)


def _v(editor, x: float, y: float) -> QPoint:
    return editor.mapFromScene(QPointF(x, y))


def test_photo_fills_the_canvas_and_zooms_about_the_mouse(canvas, qtbot):
    # fitted: the photo spans nearly the whole width or height of the canvas
    top_left, bottom_right = _v(canvas, 0, 0), _v(canvas, 400, 300)
    vp = canvas.viewport().rect()
    assert (bottom_right.x() - top_left.x() >= vp.width() - 20) or (bottom_right.y() - top_left.y() >= vp.height() - 40)
    assert vp.contains(top_left) and vp.contains(bottom_right - QPoint(1, 1))
    # the wheel zooms in, keeping the photo point under the mouse where it was
    at = _v(canvas, 300, 100)
    _wheel(canvas.viewport(), at, 2)
    assert canvas.zoom == pytest.approx(1.25 ** 2)
    under = canvas.mapToScene(at)
    assert under.x() == pytest.approx(300, abs=2) and under.y() == pytest.approx(100, abs=2)
    # + and - step the zoom; 0 fits again; zooming out of the fit explains itself
    QTest.keyClick(canvas.viewport(), Qt.Key.Key_Plus)
    assert canvas.zoom == pytest.approx(1.25 ** 3)
    QTest.keyClick(canvas.viewport(), Qt.Key.Key_Minus)
    assert canvas.zoom == pytest.approx(1.25 ** 2)
    QTest.keyClick(canvas.viewport(), Qt.Key.Key_0)
    assert canvas.zoom == 1.0
    with qtbot.waitSignal(canvas.status) as said:
        QTest.keyClick(canvas.viewport(), Qt.Key.Key_Minus)
    assert "whole photo" in said.args[0] and canvas.zoom == 1.0


def test_space_drag_and_middle_button_pan_without_editing(canvas, qtbot):
    viewport = canvas.viewport()
    QTest.keyClick(viewport, Qt.Key.Key_Plus)
    QTest.keyClick(viewport, Qt.Key.Key_Plus)
    boxes = {cid: item.box() for cid, item in canvas.items_by_id.items()}
    centre = viewport.rect().center()
    before = canvas.mapToScene(centre)
    # Space held + left drag over the primary box pans; the box stays where it was
    QTest.keyPress(viewport, Qt.Key.Key_Space)
    _drag(viewport, _v(canvas, 120, 120), _v(canvas, 120, 120) + QPoint(80, 40))
    QTest.keyRelease(viewport, Qt.Key.Key_Space)
    after = canvas.mapToScene(centre)
    scale = canvas.transform().m11()
    assert before.x() - after.x() == pytest.approx(80 / scale, abs=1)
    assert before.y() - after.y() == pytest.approx(40 / scale, abs=1)
    assert {cid: item.box() for cid, item in canvas.items_by_id.items()} == boxes
    # the middle button pans too
    _drag(viewport, centre, centre - QPoint(60, 0), Qt.MouseButton.MiddleButton)
    assert canvas.mapToScene(centre).x() - after.x() == pytest.approx(60 / scale, abs=1)
    assert {cid: item.box() for cid, item in canvas.items_by_id.items()} == boxes


def test_draw_mode_draws_over_boxes_and_edit_mode_never_resizes_an_unselected_box(canvas, qtbot):
    viewport = canvas.viewport()
    # edit mode: a drag starting on the corner of the (unselected) shoe box moves it whole, never resizes it
    with qtbot.waitSignal(canvas.box_changed) as changed:
        _drag(viewport, _v(canvas, 380, 280), _v(canvas, 360, 270))
    crop_id, new, old = changed.args
    assert crop_id == 4 and canvas.selected_id == 4
    assert new[2] - new[0] == pytest.approx(old[2] - old[0]) and new[3] - new[1] == pytest.approx(old[3] - old[1])
    # the selected box's handle resizes it
    with qtbot.waitSignal(canvas.box_changed) as changed:
        _drag(viewport, _v(canvas, new[2], new[3]), _v(canvas, new[2] - 40, new[3] - 30))
    assert changed.args[1][2] - changed.args[1][0] < new[2] - new[0] - 20
    # W: the same kind of drag over existing boxes draws a new one, then the canvas is back in edit mode
    QTest.keyClick(viewport, Qt.Key.Key_W)
    assert canvas.mode == "draw"
    with qtbot.assertNotEmitted(canvas.box_changed), qtbot.waitSignal(canvas.box_drawn) as drawn:
        _drag(viewport, _v(canvas, 60, 60), _v(canvas, 150, 160))
    x0, y0, x1, y1 = drawn.args[0]
    assert (x0, y0) == pytest.approx((60, 60), abs=2) and (x1, y1) == pytest.approx((150, 160), abs=2)
    assert canvas.mode == "edit"
    # too small a box in draw mode explains itself; Esc leaves draw mode
    QTest.keyClick(viewport, Qt.Key.Key_W)
    with qtbot.assertNotEmitted(canvas.box_drawn), qtbot.waitSignal(canvas.status) as said:
        _drag(viewport, _v(canvas, 300, 20), _v(canvas, 301, 21))
    assert "Too small" in said.args[0] and canvas.mode == "draw"
    QTest.keyClick(viewport, Qt.Key.Key_Escape)
    assert canvas.mode == "edit"


def test_captions_sit_outside_and_never_overlap(canvas, qtbot):
    for zoom_key in (None, Qt.Key.Key_Plus, Qt.Key.Key_Plus):
        if zoom_key is not None:
            QTest.keyClick(canvas.viewport(), zoom_key)
        layout = canvas.caption_layout()
        rects = [r for _, r, _ in layout]
        for n, a in enumerate(rects):
            assert all(not a.intersects(b) for b in rects[n + 1:]), [(c, r) for c, r, _ in layout]
        if zoom_key is None:  # fitted: every box has its caption, the most important just above its box
            assert {cid for cid, _, _ in layout} == {1, 2, 3, 4}
            primary = next(r for cid, r, _ in layout if cid == 1)
            box = canvas.mapFromScene(canvas.items_by_id[1].rect()).boundingRect()
            assert primary.bottom() <= box.top()
    # the placement rule on its own: ten boxes sharing one corner get ten separate captions
    from PySide6.QtCore import QRectF

    rects = place_captions([QRectF(100, 200, 50, 50)] * 10, [(60, 16)] * 10, QRectF(0, 0, 400, 600))
    assert all(not a.intersects(b) for n, a in enumerate(rects) for b in rects[n + 1:])


def test_double_click_and_keys_explain_themselves(canvas, qtbot):
    viewport = canvas.viewport()
    with qtbot.waitSignal(canvas.status) as said:
        QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _v(canvas, 390, 10))
    assert "Double-click a box" in said.args[0]
    with qtbot.assertNotEmitted(canvas.primary_requested), qtbot.waitSignal(canvas.status) as said:
        QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _v(canvas, 197, 100))
    assert "already the primary" in said.args[0]
    canvas.select(None)
    with qtbot.waitSignal(canvas.status) as said:
        QTest.keyClick(viewport, Qt.Key.Key_Delete)
    assert "No box selected" in said.args[0]
    # a rejected box: the double-click names why it was rejected and asks for it as the primary
    said = []
    canvas.status.connect(said.append)
    with qtbot.waitSignal(canvas.primary_requested) as asked:
        QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _v(canvas, 100, 100))
    assert asked.args == [3]
    assert "mostly background" in said[-1] and "Ctrl+Z" in said[-1]


def _review_page(window, qtbot):
    queue = window.review_queue
    window.tabs.setCurrentWidget(queue)
    qtbot.waitUntil(lambda: queue.tree.topLevelItemCount() == 6, timeout=60_000)
    panel = queue.panel
    qtbot.waitUntil(lambda: panel.product_id is not None and panel.editor.items_by_id
                    and not panel.loading, timeout=60_000)
    return queue, panel


def test_rejected_box_restored_by_double_click_and_no_ops_in_the_status_bar(indexed_window, qtbot):
    window = indexed_window
    queue, panel = _review_page(window, qtbot)
    product_id, image_id = panel.product_id, panel.current_image_id()
    primary = next(c for c in db.Crop.select().where(db.Crop.image == image_id) if c.is_primary)
    x0, y0, x1, y1 = primary.box
    rejected = db.Crop.create(image=image_id, x0=x0 + 2, y0=y0 + 2, x1=(x0 + x1) / 2, y1=(y0 + y1) / 2,
                              source="detector", verdict="rejected", reason="cut off at the edge")
    panel.show_product(product_id)
    qtbot.waitUntil(lambda: rejected.id in panel.editor.items_by_id and not panel.loading, timeout=60_000)
    editor = panel.editor
    centre = editor.mapFromScene(editor.items_by_id[rejected.id].rect().center())
    with qtbot.waitSignal(window.review.applied, timeout=APPLY_TIMEOUT):
        QTest.mouseDClick(editor.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    assert "cut off at the edge" in window.statusBar().currentMessage()
    assert db.Crop.get_by_id(rejected.id).is_primary
    qtbot.waitUntil(lambda: editor.items_by_id.get(rejected.id) is not None
                    and editor.items_by_id[rejected.id].crop.kind == "primary", timeout=60_000)
    # J walks the queue; past its end the status bar says so instead of doing nothing
    for _ in range(6):
        QTest.keyClick(queue.tree, Qt.Key.Key_J)
    assert "Last product in the queue" in window.statusBar().currentMessage()
    # approving an approved product says so and writes nothing
    queue.tree.setFocus()
    with qtbot.waitSignal(window.review.applied, timeout=APPLY_TIMEOUT):
        QTest.keyClick(queue.tree, Qt.Key.Key_A)
    approved = db.Product.select().where(db.Product.review_state == "approved").get()
    queue.tree.setCurrentItem(next(queue.tree.topLevelItem(n) for n in range(queue.tree.topLevelItemCount())
                                   if queue.tree.topLevelItem(n).data(0, Qt.ItemDataRole.UserRole) == approved.id))
    corrections = db.Correction.select().count()
    QTest.keyClick(queue.tree, Qt.Key.Key_A)
    assert "Already approved" in window.statusBar().currentMessage()
    assert db.Correction.select().count() == corrections
