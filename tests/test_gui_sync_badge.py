"""The status bar's sync badge on a catalog that has really synced through a bucket (radosgw): it reads the
last run as the outbox status stores it and shows the state, never stays stuck at "Sync: …"."""

from __future__ import annotations

import pytest

from tests.gui_fixtures import *  # noqa: F403  (fixtures)
from tests.gui_fixtures import close_window, open_window


def _synced_catalog(catalog_dir, radosgw, s3_prefix) -> None:
    from core.catalog import db
    from core.catalog.catalog import Catalog
    from core.sync import outbox
    from core.sync.engine import sync
    from tests.test_sync import make_store, settings_for

    with Catalog.open(catalog_dir):
        def _do() -> None:
            product = db.Product.create(sku="S1", title="t")
            c = db.Correction.create(uid=db.new_uid(), product=product, sku="S1", kind="add_label", before={},
                                     after={"vocabulary": "color", "value": "red"})
            outbox.enqueue_correction(c)
        db.transaction(_do)
        report = sync(settings_for(radosgw, s3_prefix), store=make_store(radosgw, s3_prefix))
        assert report.ok and report.pushed == 1, report.to_dict()
        assert isinstance(outbox.status()["last_sync"], dict)  # what crashed the badge


@pytest.mark.s3
def test_sync_badge_shows_the_last_run_of_a_synced_catalog(qtbot, leak_check, gui_catalog_dir, radosgw,
                                                          s3_prefix):
    _synced_catalog(gui_catalog_dir, radosgw, s3_prefix)
    window, context = open_window(qtbot, gui_catalog_dir, wait_models=False)
    try:
        badge, panel = window.sync_badge, window.sync_panel
        window.sync.refresh()
        qtbot.waitUntil(lambda: panel.last.text() not in ("—", ""), timeout=10_000)
        assert panel.last.text()[:4].isdigit() and "never" not in panel.last.text(), panel.last.text()
        assert badge.text() != "Sync: …"
        assert "Last sync: 20" in badge.toolTip(), badge.toolTip()
    finally:
        close_window(window, context)


def test_sync_badge_reads_a_failed_last_run():
    from app.views.sync_status import describe

    last = {"at": "2026-03-02T10:00:00", "ok": False, "last_ok_at": "2026-03-01T09:00:00", "reason": "down"}
    text, tip = describe({"status": {"pending": 2, "failed": 0, "last_sync": last}, "report": None},
                         enabled=True, running=False)
    assert text == "Sync: 2 pending"
    assert "Last sync: 2026-03-02 10:00 (failed; last ok 2026-03-01 09:00)" in tip
