"""The health tab: figures from health_snapshot, a drift alarm with its status-bar badge and
acknowledgement, promoting a model version, and the Prometheus endpoint through the one shutdown path."""

from __future__ import annotations

import socket
import urllib.request

import pytest

from core.catalog import db
from tests.gui_fixtures import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.gui


def _health(window, qtbot):
    window.tabs.setCurrentWidget(window.health)
    view = window.health
    qtbot.waitUntil(lambda: window.health_monitor.data is not None and view.versions.topLevelItemCount() > 0,
                    timeout=60_000)
    return view


def test_health_figures_and_drift_badge(indexed_window, qtbot):
    view = _health(indexed_window, qtbot)
    assert "6 of 6 indexed" in view.figures["products"].text()
    assert "target 1.00 s" in view.figures["sla"].text()
    assert "succeeded" in view.figures["jobs"].text()
    # The window's first read may predate torch (the GUI never imports it for health); the tab's read has it.
    qtbot.waitUntil(lambda: view.figures["device"].text() == "cpu", timeout=60_000)
    assert "ms" in view.footer.text()
    assert not indexed_window.alarm_badge.isVisible()
    assert not db.DriftEvent.select().exists()
    version = indexed_window.context.catalog.active_model_version()
    db.transaction(lambda: db.DriftEvent.create(model_version=version, batch_size=32, p_value=0.001,
                                                details={"mmd": 0.4}))
    indexed_window.health_monitor.refresh()
    qtbot.waitUntil(lambda: indexed_window.alarm_badge.isVisible(), timeout=60_000)
    assert indexed_window.alarm_badge.isVisible() and "1 drift alarm" in indexed_window.alarm_badge.text()
    qtbot.waitUntil(lambda: view.drift.topLevelItem(0).text(4) == "OPEN", timeout=60_000)
    view.drift.setCurrentItem(view.drift.topLevelItem(0))
    view.ack_button.click()
    assert db.DriftEvent.get().acknowledged
    qtbot.waitUntil(lambda: not indexed_window.alarm_badge.isVisible(), timeout=60_000)
    qtbot.waitUntil(lambda: view.drift.topLevelItem(0).text(4) == "seen", timeout=60_000)


def test_label_heads_show_both_accuracies(indexed_window, qtbot):
    view = _health(indexed_window, qtbot)
    assert "Not enough curator labels" in view.heads.topLevelItem(0).text(1)
    version = indexed_window.context.catalog.active_model_version()
    db.transaction(lambda: db.LabelHead.create(vocabulary="colours", model_version=version, version=f"{version}/head-x",
                                               path="/nowhere.npz", examples=40, head_accuracy=0.9,
                                               zero_shot_accuracy=0.78, active=True, baseline="pixels"))
    indexed_window.health_monitor.refresh()
    qtbot.waitUntil(lambda: view.heads.topLevelItem(0).text(0) == "colours", timeout=60_000)
    row = view.heads.topLevelItem(0)
    assert [row.text(i) for i in range(5)] == ["colours", "40", "90%", "78% (pixels)", "● used"]


def test_promote_model_version(indexed_window, qtbot):
    catalog = indexed_window.context.catalog
    active = db.VectorIndexInfo.get(db.VectorIndexInfo.active == True)  # noqa: E712
    db.transaction(lambda: db.VectorIndexInfo.create(
        model_version=active.model_version + "-next", embedder=active.embedder, dim=active.dim,
        preprocess_version=active.preprocess_version, state="ready", active=False,
        model_settings=active.model_settings))
    view = _health(indexed_window, qtbot)
    indexed_window.health_monitor.refresh()
    qtbot.waitUntil(lambda: view.versions.topLevelItemCount() == 2, timeout=60_000)
    view.promote(active.model_version + "-next")
    qtbot.waitUntil(lambda: any("active" in view.versions.topLevelItem(n).text(4)
                                and view.versions.topLevelItem(n).text(0).endswith("-next")
                                for n in range(view.versions.topLevelItemCount())), timeout=60_000)
    assert catalog.active_model_version() == active.model_version + "-next"
    row = next(view.versions.topLevelItem(n) for n in range(2)
               if view.versions.topLevelItem(n).text(0).endswith("-next"))
    assert "active" in row.text(4)
    qtbot.waitUntil(lambda: indexed_window.context.models.ready, timeout=60_000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_prometheus_endpoint_toggle(indexed_catalog_dir, qtbot, leak_check):
    from core.catalog.catalog import Catalog
    from tests.gui_fixtures import close_window, open_window

    port = _free_port()
    with Catalog.open(indexed_catalog_dir) as catalog:
        catalog.settings.prometheus_port = port
        catalog.save_settings()
    window, context = open_window(qtbot, indexed_catalog_dir)
    try:
        monitor = window.health_monitor
        qtbot.waitUntil(lambda: monitor.data is not None, timeout=60_000)
        assert monitor.metrics is not None and window.health.metrics_toggle.isChecked()
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        assert "catalog_curator_indexed 6.0" in body
        window.health.metrics_toggle.setChecked(False)
        assert monitor.metrics is None
        window.health.metrics_toggle.setChecked(True)
        assert monitor.metrics is not None
    finally:
        close_window(window, context)  # the endpoint stops with everything else
    assert monitor.metrics is None
