"""Honest text results in the window: a typo says what was searched, an empty result blames only filters that
are set, and Settings → Search words adds and removes a curator's synonym."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.views.settings_dialog import SettingsDialog
from tests.gui_fixtures import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.gui


def test_a_typo_says_showing_results_for_and_empty_results_blame_only_set_filters(indexed_window, qtbot):
    panel = indexed_window.search
    panel.text.setText("prodct")
    with qtbot.waitSignal(panel.searched, timeout=60_000) as blocker:
        panel.run_search()
    assert blocker.args[0].corrected == "product"
    assert "showing results for product" in panel.state_label.text()
    nothing = SimpleNamespace(corrected=None)
    assert panel.filters.checked() == []
    assert "filter" not in panel._said(nothing, 0)  # no filter set: none blamed
    panel.filter_edit.setText("category=Gear/Bags")
    panel.filter_edit.returnPressed.emit()
    qtbot.waitUntil(lambda: not panel.busy, timeout=60_000)
    assert "fewer filters" in panel._said(nothing, 0)
    assert panel._said(nothing, 3) == ""


def test_settings_search_words_adds_and_removes_a_synonym(indexed_window, qtbot):
    from core.search import lexical

    context = indexed_window.context
    dialog = SettingsDialog(context.settings, context.catalog.root, indexed_window, context=context)
    qtbot.addWidget(dialog)
    editor = dialog.synonyms
    assert editor is not None
    qtbot.waitUntil(lambda: not editor.busy, timeout=30_000)
    assert lexical.search("widget", 10) == []
    editor.term.setText("widget")
    editor.synonym.setText("product")
    editor.add_button.click()
    qtbot.waitUntil(lambda: editor.list.count() == 1 and not editor.busy, timeout=30_000)
    assert editor.list.item(0).text() == "product ≈ widget"
    assert lexical.search("widget", 10)  # searches know it at once
    editor.list.setCurrentRow(0)
    editor.remove_button.click()
    qtbot.waitUntil(lambda: not editor.busy and "(removed)" in editor.list.item(0).text(), timeout=30_000)
    assert lexical.search("widget", 10) == []
    # An empty pair is refused with a message, and nothing is written.
    editor.add_button.click()
    assert "both words" in editor.status.text()
    dialog.reject()
