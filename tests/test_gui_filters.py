"""Filters apply at once: Enter runs the search with the new chip, clicking a chip off runs it again, and
a misspelt key is marked inline with the known keys instead of silently finding nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.gui_fixtures import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.gui


def test_filters_apply_at_once_and_unknown_keys_are_named(indexed_window, qtbot):
    panel = indexed_window.search
    from core.catalog import queries

    indexed_window.search_similar(queries.product_page(queries.GridQuery(), 0, 1)[0].id)
    qtbot.waitUntil(lambda: panel.response is not None and not panel.busy, timeout=60_000)
    everything = len(panel.response.results)
    panel.filter_edit.setFocus()
    qtbot.keyClicks(panel.filter_edit, "category=Gear")
    with qtbot.waitSignal(panel.searched, timeout=60_000):
        qtbot.keyClick(panel.filter_edit, Qt.Key.Key_Return)  # Enter: the chip and a new search
    narrowed = len(panel.response.results)
    assert 0 < narrowed < everything
    assert all(queries.product(r.product_id).category.startswith("Gear") for r in panel.response.results)
    # a misspelt key: no chip, no search, the known keys named inline
    qtbot.keyClicks(panel.filter_edit, "categry=Men")
    qtbot.keyClick(panel.filter_edit, Qt.Key.Key_Return)
    assert "did you mean category" in panel.state_label.text() and "price" in panel.state_label.text()
    assert panel.filter_edit.text() == "categry=Men" and panel.filters.checked() == ["category=Gear"]
    # clicking the chip off runs the search again, unfiltered
    with qtbot.waitSignal(panel.filters.changed, timeout=5000), qtbot.waitSignal(panel.searched, timeout=60_000):
        qtbot.mouseClick(panel.filters._buttons["category=Gear"], Qt.MouseButton.LeftButton)
    assert len(panel.response.results) == everything
