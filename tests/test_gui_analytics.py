"""Analytics view: plots fed by core.search.analytics in a pool thread."""

from __future__ import annotations

import pytest

from core.catalog import db
from tests.gui_fixtures import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.gui


def test_analytics_plots(window, qtbot):
    def add():
        for n in range(8):
            q = db.QueryResult.create(kind="text", text=f"q{n % 3}", result_ids=[] if n == 0 else [1, 2],
                                      latency_ms=10.0 + n)
            if n % 2:
                db.QueryClick.create(query=q, product=db.Product.create(sku=f"A{n}", title="x"), rank=1 + n % 3)

    db.transaction(add)
    window.tabs.setCurrentIndex(2)
    view = window.analytics_view
    qtbot.waitUntil(lambda: view.report is not None, timeout=60_000)  # a pool read; CI machines are busy
    assert view.report["queries"] == 8
    assert view.report["zero_result_rate"] == pytest.approx(1 / 8)
    assert "8 queries" in view.summary.text()
    for key in ("per_day", "zero", "latency", "clicks"):
        assert view.plots[key].getPlotItem().listDataItems() or view.plots[key].getPlotItem().items, key
    # one day of queries is one slim bar among at least seven day slots, not a block across the whole chart
    (x0, x1), _ = view.plots["per_day"].getPlotItem().viewRange()
    assert x1 - x0 >= 7 - 1e-6


def test_empty_analytics_say_why(window, qtbot):
    window.tabs.setCurrentIndex(2)
    view = window.analytics_view
    qtbot.waitUntil(lambda: view.report is not None, timeout=60_000)
    assert view.report["queries"] == 0 and "0 queries" in view.summary.text()
    import pyqtgraph as pg

    for key in ("per_day", "zero", "latency", "clicks"):
        words = [i.textItem.toPlainText() for i in view.plots[key].getPlotItem().items if isinstance(i, pg.TextItem)]
        assert words and words[0], f"the empty {key} chart says nothing"
