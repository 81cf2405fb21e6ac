"""Search from the UI: text, a dropped image, "similar to", the explanation panel, click logging."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core.catalog import db
from tests.gui_fixtures import *  # noqa: F403  (fixtures)
from tests.gui_fixtures import drop_urls, scene

pytestmark = pytest.mark.gui


def test_the_search_box_takes_words_without_a_text_model(indexed_window, qtbot):
    """No CLIP (the offline embedder): the box stays on and searches the lexical index."""
    panel = indexed_window.search
    panel.set_text_available(False, "EfficientNet-Lite0 has no text tower")
    try:
        assert panel.text.isEnabled() and "words" in panel.text.placeholderText().lower()
        assert "no text tower" in panel.text.toolTip()
    finally:
        panel.set_text_available(True)


def test_text_search_from_the_search_box(indexed_window, qtbot):
    panel = indexed_window.search
    qtbot.keyClick(indexed_window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert panel.text.hasFocus() or indexed_window.tabs.currentWidget() is panel
    assert panel.text.isEnabled(), "tiny CLIP has a text tower: text search must be on"
    with qtbot.waitSignal(panel.searched, timeout=60_000) as blocker:
        qtbot.keyClicks(panel.text, "red product")
        qtbot.keyClick(panel.text, "\r")
    response = blocker.args[0]
    assert response.kind == "text"
    assert panel.results.rowCount() == 6
    from app.views.tiles import BadgeRole

    top = response.results[0].explanation["match"]
    assert top["basis"] == "words" and 0 <= top["percent"] <= 100 and top["word"] in ("strong", "good", "weak")
    assert panel.results.index(0).data(BadgeRole) == f"{top['percent']} % · {top['word']}"
    assert "6 results" in panel.state_label.text()
    assert not panel.alpha_row.isVisible()  # only text: no alpha


def test_image_search_by_dropping_a_photo(indexed_window, qtbot, tmp_path):
    panel = indexed_window.search
    indexed_window.tabs.setCurrentWidget(panel)
    photo = scene(tmp_path / "query.jpg", (200, 30, 30), size=(200, 160))
    with qtbot.waitSignal(panel.searched, timeout=60_000) as blocker:
        assert drop_urls(panel.query_image, [photo])  # the drop itself searches
    response = blocker.args[0]
    assert response.kind == "image" and response.results
    # explanation panel: score parts add up, matched crop drawn on both images
    expl = panel.explanation
    assert expl.result is response.results[0]
    top = response.results[0].explanation
    assert expl.score.value() == top["match"]["percent"] and top["match"]["basis"] == "photo"
    assert expl.score.format() == f"Match {top['match']['percent']} % · {top['match']['word']}"
    # Reasons in words on the 0-100 scale; the numbers only behind Details, which starts folded.
    assert expl.reasons.text().startswith("• shape ") and "%" in expl.reasons.text()
    assert "cosine" not in expl.reasons.text() and "alpha" not in expl.reasons.text()
    assert "+0.000" not in expl.reasons.text()
    assert not expl.details.isVisibleTo(expl) and "image cosine" in expl.details.text()
    qtbot.mouseClick(expl.details_button, Qt.MouseButton.LeftButton)
    assert expl.details.isVisibleTo(expl)
    qtbot.waitUntil(lambda: not expl.match_view.loading and not expl.query_view.loading, timeout=60_000)
    assert [b.kind for b in expl.match_view._boxes] == ["match"]
    assert [b.kind for b in expl.query_view._boxes] == ["query"]
    # both text and image: the alpha slider appears and goes into the request
    panel.text.setText("red")
    assert panel.alpha_row.isVisibleTo(panel)
    panel.alpha.setValue(70)
    assert panel.request().alpha == pytest.approx(0.7)


def test_dropping_a_photo_on_the_window_searches(indexed_window, qtbot, tmp_path):
    photo = scene(tmp_path / "q2.jpg", (30, 30, 200))
    with qtbot.waitSignal(indexed_window.search.searched, timeout=60_000) as blocker:
        assert drop_urls(indexed_window, [photo])
    assert indexed_window.tabs.currentWidget() is indexed_window.search
    assert blocker.args[0].results


def test_search_similar_from_detail_and_click_is_recorded(indexed_window, qtbot):
    grid = indexed_window.grid
    grid.view.setCurrentIndex(grid.model.index(0))
    product_id = grid.model.row(0).id
    panel = indexed_window.search
    with qtbot.waitSignal(panel.searched, timeout=60_000) as blocker:
        indexed_window.detail.similar_button.click()
    response = blocker.args[0]
    assert response.kind == "similar"
    assert product_id not in [r.product_id for r in response.results]
    first = panel.results.index(0)
    panel.view.activated.emit(first)
    click = db.QueryClick.get(db.QueryClick.query == response.query_id)
    assert click.rank == 1 and click.product_id == response.results[0].product_id
    assert indexed_window.tabs.currentIndex() == 0  # opening a result shows it in the catalog


def test_filter_chips_narrow_results(indexed_window, qtbot):
    panel = indexed_window.search
    panel.filter_edit.setText("category=Gear/Bags")
    panel.filter_edit.returnPressed.emit()
    assert panel.filters.checked() == ["category=Gear/Bags"]
    panel.text.setText("product")
    with qtbot.waitSignal(panel.searched, timeout=60_000) as blocker:
        panel.run_search()
    assert len(blocker.args[0].results) == 3
