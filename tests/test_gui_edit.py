"""Editing product data in the window: the Details tab in place (Enter saves, Esc cancels), "Edit fields…" with
its preview, one undo per action, the collections sidebar and the new grid sorts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from core.catalog import db
from tests.gui_fixtures import *  # noqa: F403  (fixtures)
from tests.gui_fixtures import close_window, open_window

pytestmark = pytest.mark.gui

WAIT = 30_000


@pytest.fixture
def edit_window(qtbot, leak_check, gui_catalog_dir):
    from core.catalog.catalog import Catalog

    with Catalog.open(gui_catalog_dir):
        for i in range(3):
            db.Product.create(sku=f"SKU-{i}", title=f"Product {i} {'red' if i % 2 else 'plain'}",
                              category="Men/Tops", price=10.0 + i, attributes={"material": "Cotton"})
    win, context = open_window(qtbot, gui_catalog_dir)
    win.resize(1366, 768)
    yield win
    close_window(win, context)


def _show(window, qtbot, sku):
    pid = db.Product.get(db.Product.sku == sku).id
    window.grid.view.setCurrentIndex(window.grid.model.index_of(pid))
    qtbot.waitUntil(lambda: window.detail.product_id == pid)
    return pid


def _type(field, text):
    QTest.mouseClick(field.label, Qt.MouseButton.LeftButton)
    assert field.editing
    field.editor.selectAll()
    QTest.keyClicks(field.editor, text)


def _price(sku="SKU-0"):
    return db.Product.get(db.Product.sku == sku).price


def test_inline_edit_enter_saves_esc_cancels_bad_values_say_why_and_undo(edit_window, qtbot):
    window, detail = edit_window, edit_window.detail
    pid = _show(window, qtbot, "SKU-0")
    steps = window.grid.undo_stack.count()
    # Esc cancels: nothing written, the label is back
    _type(detail.fields["title"], "Something else")
    QTest.keyClick(detail.fields["title"].editor, Qt.Key.Key_Escape)
    assert not detail.fields["title"].editing and db.Product.get_by_id(pid).title == "Product 0 plain"
    # a negative price is refused in the editor, which stays open with the reason; nothing is written
    _type(detail.fields["price"], "-3")
    QTest.keyClick(detail.fields["price"].editor, Qt.Key.Key_Return)
    assert detail.fields["price"].editing and "negative" in detail.edit_message.text()
    assert _price() == 10.0
    QTest.keyClick(detail.fields["price"].editor, Qt.Key.Key_Escape)
    # Enter saves, in the worker; "12,50" is 12.50; History says it in words
    _type(detail.fields["price"], "12,50")
    with qtbot.waitSignal(window.edits.applied, timeout=WAIT):
        QTest.keyClick(detail.fields["price"].editor, Qt.Key.Key_Return)
    assert _price() == 12.5 and window.grid.undo_stack.count() == steps + 1
    qtbot.waitUntil(lambda: detail.history.topLevelItemCount() > 0)
    texts = [detail.history.topLevelItem(n).text(2) for n in range(detail.history.topLevelItemCount())]
    assert any("Price 10.00 → 12.50" in t for t in texts)
    # a SKU that another product has: the worker refuses, the message says why, no undo step is added
    _type(detail.fields["sku"], "SKU-1")
    with qtbot.waitSignal(window.edits.failed, timeout=WAIT):
        QTest.keyClick(detail.fields["sku"].editor, Qt.Key.Key_Return)
    assert "already belongs" in detail.edit_message.text()
    assert db.Product.get_by_id(pid).sku == "SKU-0" and window.grid.undo_stack.count() == steps + 1
    # one undo puts the price back
    with qtbot.waitSignal(window.edits.applied, timeout=WAIT):
        window.undo_action.trigger()
    assert _price() == 10.0
    with qtbot.waitSignal(window.edits.applied, timeout=WAIT):
        window.redo_action.trigger()
    assert _price() == 12.5


def test_attributes_add_rename_remove_in_place(edit_window, qtbot):
    window, detail = edit_window, edit_window.detail
    pid = _show(window, qtbot, "SKU-1")
    QTest.mouseClick(detail.add_attribute_button, Qt.MouseButton.LeftButton)
    key, value = detail.fields["new#key"], detail.fields["new"]
    assert key.editing
    QTest.keyClicks(key.editor, "color")
    QTest.keyClick(key.editor, Qt.Key.Key_Return)
    assert value.editing
    QTest.keyClicks(value.editor, "Blue")
    with qtbot.waitSignal(window.edits.applied, timeout=WAIT):
        QTest.keyClick(value.editor, Qt.Key.Key_Return)
    assert db.Product.get_by_id(pid).attributes == {"material": "Cotton", "color": "Blue"}
    qtbot.waitUntil(lambda: "attributes.color#key" in detail.fields)
    _type(detail.fields["attributes.color#key"], "colour")
    with qtbot.waitSignal(window.edits.applied, timeout=WAIT):
        QTest.keyClick(detail.fields["attributes.color#key"].editor, Qt.Key.Key_Return)
    assert db.Product.get_by_id(pid).attributes == {"material": "Cotton", "colour": "Blue"}
    qtbot.waitUntil(lambda: "attributes.material" in detail.fields)
    button = detail.fields["attributes.material"].parentWidget().findChild(type(detail.add_attribute_button))
    with qtbot.waitSignal(window.edits.applied, timeout=WAIT):
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert db.Product.get_by_id(pid).attributes == {"colour": "Blue"}


def test_batch_edit_previews_every_change_then_applies_as_one_undo(edit_window, qtbot):
    window, grid = edit_window, edit_window.grid
    grid.view.setFocus()
    QTest.keyClick(grid.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(grid.selected_ids()) == 3 and grid.batch.edit_button.isVisible()
    dialog = grid.edit_fields()
    qtbot.addWidget(dialog)
    dialog.attr_action.setCurrentIndex(dialog.attr_action.findData("set_attribute"))
    dialog.attr_key.setText("season")
    dialog.attr_value.setText("Winter")
    dialog.find.setText("Product")
    dialog.replace.setText("Item")
    qtbot.waitUntil(lambda: dialog.apply_button.isEnabled(), timeout=WAIT)
    rows = [dialog.preview.topLevelItem(n).text(1) for n in range(dialog.preview.topLevelItemCount())]
    assert len(rows) == 6 and "Attribute season added: Winter" in rows
    assert "Title Product 1 red → Item 1 red" in rows
    assert db.Correction.select().count() == 0  # the preview wrote nothing
    # a bad regular expression: the preview says why and Apply is off
    dialog.regex.setChecked(True)
    dialog.find.setText("(")
    qtbot.waitUntil(lambda: "regular expression" in dialog.summary.text(), timeout=WAIT)
    assert not dialog.apply_button.isEnabled()
    dialog.regex.setChecked(False)
    dialog.find.setText("Product")
    qtbot.waitUntil(lambda: dialog.apply_button.isEnabled(), timeout=WAIT)
    steps = grid.undo_stack.count()
    with qtbot.waitSignal(window.edits.applied, timeout=WAIT):
        QTest.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    titles = sorted(p.title for p in db.Product.select())
    assert titles == ["Item 0 plain", "Item 1 red", "Item 2 plain"]
    assert all(p.attributes.get("season") == "Winter" for p in db.Product.select())
    assert grid.undo_stack.count() == steps + 1
    with qtbot.waitSignal(window.edits.applied, timeout=WAIT):
        window.undo_action.trigger()
    assert sorted(p.title for p in db.Product.select())[0] == "Product 0 plain"
    assert not any("season" in p.attributes for p in db.Product.select())


def test_collections_sidebar_counts_filters_and_new_sorts(edit_window, qtbot):
    window, grid = edit_window, edit_window.grid
    sidebar = grid.sidebar
    assert sidebar is not None
    grid.view.setCurrentIndex(grid.model.index(0))
    QTest.mouseClick(grid.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     grid.view.visualRect(grid.model.index(1)).center())
    assert len(grid.selected_ids()) == 2
    with qtbot.waitSignal(window.edits.applied, timeout=WAIT):
        sidebar.add_selected("Picks")
    qtbot.waitUntil(lambda: sidebar.count_of("Picks") == 2, timeout=WAIT)
    grid.filter_edit.setText("red")
    with qtbot.waitSignal(window.edits.applied, timeout=WAIT):
        sidebar.save_smart("Reds")
    grid.filter_edit.setText("")
    qtbot.waitUntil(lambda: sidebar.count_of("Reds") == 1, timeout=WAIT)
    sidebar.choose("Picks")
    assert grid.model.total == 2
    sidebar.choose("Reds")
    assert grid.model.total == 1 and grid.model.row(0).sku == "SKU-1"
    sidebar.list.setCurrentRow(0)
    assert grid.model.total == 3
    sorts = [grid.sort_box.itemData(n) for n in range(grid.sort_box.count())]
    assert {"price", "edited", "doubt"} <= set(sorts)
    db.Product.update(price=1.0).where(db.Product.sku == "SKU-2").execute()
    grid.sort_box.setCurrentIndex(sorts.index("price"))
    assert grid.model.row(0).sku == "SKU-2"


def test_conflicts_list_and_history_restore_in_one_click(edit_window, qtbot):
    import datetime as dt

    from core import edits

    window, detail = edit_window, edit_window.detail
    pid = _show(window, qtbot, "SKU-0")
    catalog = window.context.catalog
    mine = edits.edit_product(catalog, pid, {"price": "20"}, user="ann")
    db.Correction.update(server_at=dt.datetime(2026, 1, 1, 10, 0)).where(db.Correction.uid == mine.uid).execute()
    # Bob's edit of the same price reached the bucket later: it wins, Ann's is kept as overwritten
    theirs = db.Correction.create(uid=db.new_uid(), product=pid, sku="SKU-0", kind="edit", before={"price": 10.0},
                                  after={"price": 30.0}, user="bob", origin="bob-catalog",
                                  server_at=dt.datetime(2026, 1, 1, 10, 5))
    db.transaction(lambda: edits.apply_remote_data(theirs))
    assert _price() == 30.0
    view = window.open_conflicts()
    qtbot.waitUntil(lambda: view.tree.topLevelItemCount() == 1, timeout=WAIT)
    assert "20.00 (ann)" in view.tree.topLevelItem(0).text(2) and "30.00 (bob)" in view.tree.topLevelItem(0).text(3)
    detail.show_product(pid)
    texts = [detail.history.topLevelItem(n).text(2) for n in range(detail.history.topLevelItemCount())]
    item = next(detail.history.topLevelItem(n) for n, t in enumerate(texts) if "overwritten by bob" in t)
    restore = detail.history.itemWidget(item, 3)
    assert restore is not None and restore.text() == "Restore"
    with qtbot.waitSignal(window.edits.applied, timeout=WAIT):
        QTest.mouseClick(restore, Qt.MouseButton.LeftButton)
    assert _price() == 20.0 and edits.conflicts() == []
    qtbot.waitUntil(lambda: view.tree.topLevelItemCount() == 0, timeout=WAIT)
    assert view.empty.isVisible()
    view.close()
