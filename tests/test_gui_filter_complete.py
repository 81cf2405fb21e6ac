"""Filter autocomplete as a curator types it: keys first, then each key's values with product counts
(core queries.filter_values); picking a value applies the filter at once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.views.filter_completer import CompletionRole, CountRole
from core.catalog import db, queries
from tests.gui_fixtures import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.gui


def _rows(completer) -> list[tuple[str, str, str]]:
    model = completer.completionModel()
    return [(model.index(n, 0).data(), model.index(n, 0).data(CompletionRole), model.index(n, 0).data(CountRole))
            for n in range(model.rowCount())]


def test_keys_then_values_with_counts_and_a_pick_applies(indexed_window, qtbot):
    window, panel = indexed_window, indexed_window.search
    window.tabs.setCurrentWidget(panel)
    completer = panel.filter_completer
    qtbot.waitUntil(lambda: "category" in completer.values, timeout=30_000)
    panel.text.setText("product")
    with qtbot.waitSignal(panel.searched, timeout=60_000):
        panel.run_search()
    edit = panel.filter_edit
    edit.setFocus()
    QTest.keyClicks(edit, "cat")
    qtbot.waitUntil(lambda: completer.popup().isVisible(), timeout=5_000)
    assert _rows(completer)[0][1] == "category="
    QTest.keyClicks(edit, "egory=")
    qtbot.waitUntil(lambda: completer.popup().isVisible(), timeout=5_000)
    rows = _rows(completer)
    # six products: three in Gear/Bags, three in Men/Tops; "Gear" counts its whole branch
    assert ("Gear/Bags", "category=Gear/Bags", "3") in rows and ("Gear", "category=Gear", "3") in rows
    assert ("Men/Tops", "category=Men/Tops", "3") in rows
    QTest.keyClicks(edit, "Men/T")
    qtbot.waitUntil(lambda: completer.completionCount() == 1, timeout=5_000)
    popup = completer.popup()
    with qtbot.waitSignal(panel.searched, timeout=60_000) as searched:
        QTest.keyClick(popup, Qt.Key.Key_Down)
        QTest.keyClick(popup, Qt.Key.Key_Return)
    assert panel.filters.checked() == ["category=Men/Tops"] and edit.text() == ""
    men = {p.id for p in db.Product.select() if p.category == "Men/Tops"}
    assert searched.args[0].results and {r.product_id for r in searched.args[0].results} <= men


def test_filter_values_counts_products(indexed_catalog_dir):
    from core.catalog.catalog import Catalog

    with Catalog.open(indexed_catalog_dir):
        first = db.Product.select().order_by(db.Product.id).first()
        first.attributes = {"Colour": "Red", "size": ["S", "M"]}
        first.save()
        second = db.Product.select().order_by(db.Product.id).offset(1).first()
        second.attributes = {"color": "Red", "size": ["M"]}
        second.save()
        values = queries.filter_values()
        assert dict(values["status"]) == {"indexed": 6}
        assert dict(values["review"]) == {"pending": 6} and dict(values["corrected"]) == {"no": 6}
        assert dict(values["category"]) == {"Gear": 3, "Gear/Bags": 3, "Men": 3, "Men/Tops": 3}
        assert dict(values["colour"]) == {"Red": 2} == dict(values["color"])  # one attribute, two spellings
        assert values["size"] == [("M", 2), ("S", 1)]  # list values count per element, most common first
        second.deleted_at = db.utcnow()
        second.save()
        assert queries.filter_values()["size"] == [("M", 1), ("S", 1)]  # deleted products do not count
