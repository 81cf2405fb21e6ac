"""Every product in a query photo is offered (Google Lens' rule): numbered chips and numbered boxes, and a click
on either searches that product; drawing a box, or a new photo, forgets the offers."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from core.search.query import QueryRegion, RegionMatch
from tests.gui_fixtures import *  # noqa: F403  (fixtures)
from tests.gui_fixtures import drop_urls

pytestmark = pytest.mark.gui

LEFT, RIGHT = (20.0, 30.0, 140.0, 150.0), (180.0, 30.0, 300.0, 150.0)


def _two_products(path):
    img = Image.new("RGB", (320, 180), (120, 140, 110))
    draw = ImageDraw.Draw(img)
    draw.rectangle(LEFT, fill=(200, 30, 30))
    draw.ellipse(RIGHT, fill=(30, 30, 200))
    noise = np.random.default_rng(5).normal(0, 6, (180, 320, 1))
    Image.fromarray(np.clip(np.asarray(img) + noise, 0, 255).astype(np.uint8)).save(path, quality=92)
    return path


def _offers(titles=("<b>Red</b> & bag", "Blue ball")):
    return [QueryRegion(number=n, box=box, confidence=0.8, source="proposal", score=0.9 - n / 10,
                        matches=[RegionMatch(product_id=n, sku=f"SKU-{n}", title=title, score=0.9)])
            for n, (box, title) in enumerate(zip((LEFT, RIGHT), titles, strict=True), start=1)]


def test_offered_products_are_chips_and_numbered_boxes_and_a_click_searches_one(indexed_window, qtbot, tmp_path):
    panel = indexed_window.search
    indexed_window.tabs.setCurrentWidget(panel)
    photo = _two_products(tmp_path / "two.jpg")
    with qtbot.waitSignal(panel.searched, timeout=60_000) as first:
        assert drop_urls(panel.query_image, [photo])
    response = first.args[0]
    # What the window offers follows the response: several regions give chips, one gives none.
    assert panel.offered_bar.isVisible() == (len(response.regions) > 1)

    panel._set_offered(_offers())  # two products found: the regions a whole-photo search returned
    chips = list(panel.offered_bar._buttons.values())
    assert [c.text() for c in chips] == ["1 · <b>Red</b> && bag", "2 · Blue ball"]  # plain text, && = "&"
    assert panel.offered_bar.isVisible() and chips[0].isChecked()
    view = panel.query_image
    assert [(b.label, b.kind) for b in view._boxes] == [("1", "query"), ("2", "accepted")]
    qtbot.waitUntil(lambda: view._pixmap is not None and not view.loading, timeout=60_000)
    target = view._target()
    inside_right = QPointF(target.left() + 240 * target.width() / 320, target.top() + 90 * target.height() / 180)
    assert view.region_at(inside_right) == 2

    with qtbot.waitSignal(panel.searched, timeout=60_000) as second:  # a click on box 2 searches product 2
        QTest.mouseClick(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, inside_right.toPoint())
    assert panel.region == RIGHT and second.args[0].query_box == pytest.approx(RIGHT, abs=1)
    assert [c.isChecked() for c in chips] == [False, True]  # the offers stay, the chosen one marked
    assert [(b.label, b.kind) for b in view._boxes] == [("1", "accepted"), ("2", "query")]

    with qtbot.waitSignal(panel.searched, timeout=60_000) as third:  # and a click on chip 1 searches product 1
        chips[0].click()
    assert panel.region == LEFT and third.args[0].query_box == pytest.approx(LEFT, abs=1)

    with qtbot.waitSignal(panel.searched, timeout=60_000):  # a box drawn by hand forgets the offers
        panel.search_region((10, 10, 200, 170))
    assert not panel.offered_bar.isVisible() and view.offered == []


def test_a_cancelled_search_answers_nothing_and_says_so(indexed_window, qtbot, tmp_path):
    panel = indexed_window.search
    indexed_window.tabs.setCurrentWidget(panel)
    photo = _two_products(tmp_path / "two.jpg")
    with qtbot.assertNotEmitted(panel.searched, wait=3000):
        assert drop_urls(panel.query_image, [photo])
        assert panel.busy
        panel.cancel_search()
        assert not panel.busy and panel.state_label.text() == "Search cancelled"
        assert not panel.cancel_button.isVisible()
    # The next search runs as usual.
    with qtbot.waitSignal(panel.searched, timeout=60_000):
        panel.run_search()
    assert not panel.cancel_button.isVisible() and not panel.busy
