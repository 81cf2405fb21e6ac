"""Opening another catalog in the running app, without a restart: the first one is closed (its workers, its
locks, its database connections in every thread) and every view reads the second one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from tests.gui_fixtures import *  # noqa: F403  (fixtures)
from tests.gui_fixtures import make_products

pytestmark = pytest.mark.gui
REPO = Path(__file__).resolve().parents[1]

# Another process takes catalog A's window lock and writes a product under A's writer lock: both must be free.
WRITE_A = """
    import json, sys
    from core.catalog import db
    from core.catalog.catalog import Catalog
    from core.catalog.lock import FileLock
    window_lock = FileLock(__import__("pathlib").Path(sys.argv[1]) / "locks" / "window.lock")
    free = window_lock.try_acquire()
    with Catalog.open(sys.argv[1], lock_timeout=0) as catalog:
        with catalog.writing(timeout=0):
            db.Product.create(sku="WRITTEN-BY-ANOTHER-PROCESS", title="written while the app holds B")
        skus = sorted(p.sku for p in db.Product.select())
    window_lock.release()
    print(json.dumps({"window_lock_free": free, "skus": skus}))
"""


def _indexed(root: Path, products: Path, settings) -> Path:
    from core.catalog.catalog import Catalog
    from core.jobs import run_index_job
    from core.models.registry import ModelRegistry

    with Catalog.open(root) as catalog:
        catalog.settings.models = settings
        catalog.save_settings()
        registry = ModelRegistry(catalog.settings.models)
        try:
            run_index_job(catalog, registry, [products])
        finally:
            registry.close()
    return root


def _search(qtbot, context, text: str):
    from core.search.query import SearchRequest

    task = context.search(SearchRequest(text=text, k=20))
    with qtbot.waitSignal(task.signals.result, timeout=60_000) as blocker:
        pass
    return blocker.args[0]


def test_open_another_catalog_without_a_restart(qtbot, leak_check, tmp_path, indexed_catalog_dir,
                                                 tiny_model_settings, monkeypatch):
    from app.session import Session

    monkeypatch.setenv("CATALOG_CURATOR_CONFIG", str(tmp_path / "config"))  # the recent catalogs list
    make_products(tmp_path / "b-products", 3, start=100)
    catalog_b = _indexed(tmp_path / "catalog-b", tmp_path / "b-products", tiny_model_settings)
    session = Session()
    window = session.open(indexed_catalog_dir)
    try:
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: session.context.models.ready, timeout=120_000)
        assert window.grid.model.total == 6
        assert {r.sku for r in _search(qtbot, session.context, "Product").results} >= {"SKU-0000"}

        old = window
        with qtbot.waitSignal(session.switched, timeout=120_000):
            window._switch_catalog(catalog_b)  # what File → Open catalog… and Recent catalogs do
        window = session.window
        assert window is not old and session.context.catalog.root == catalog_b.resolve()
        assert not old.context.models.thread.isRunning() and old.context.pool.activeThreadCount() == 0
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: session.context.models.ready, timeout=120_000)
        # Every view reads B: the grid, the search, the review queue and the window title.
        assert window.grid.model.total == 3
        assert str(catalog_b) in window.windowTitle()
        skus = {r.sku for r in _search(qtbot, session.context, "Product").results}
        assert skus == {"SKU-0100", "SKU-0101", "SKU-0102"}
        window.tabs.setCurrentWidget(window.review_queue)
        qtbot.waitUntil(lambda: not window.review_queue.busy, timeout=60_000)
        assert not session.context.read_only

        # A is free: another process takes its window lock and writes under its writer lock.
        proc = subprocess.run([sys.executable, "-c", textwrap.dedent(WRITE_A), str(indexed_catalog_dir)], cwd=REPO,
                              env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr
        other = json.loads(proc.stdout.strip().splitlines()[-1])
        assert other["window_lock_free"] and "WRITTEN-BY-ANOTHER-PROCESS" in other["skus"]
        # ... and B, still open here, never saw A's products.
        assert {r.sku for r in _search(qtbot, session.context, "SKU").results}.isdisjoint(other["skus"])

        # The choice is remembered for the next start (File → Recent catalogs).
        from core.workspaces import Workspaces

        assert Path(Workspaces().current().path).resolve() == catalog_b.resolve()
    finally:
        session.window.close()
        session.window.deleteLater()
        session.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QApplication.processEvents()


def test_a_catalog_that_cannot_open_leaves_the_first_one_open(qtbot, leak_check, tmp_path, gui_catalog_dir,
                                                             monkeypatch):
    from app.session import Session

    monkeypatch.setenv("CATALOG_CURATOR_CONFIG", str(tmp_path / "config"))
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "settings.json").write_text(json.dumps({"s3": "oops"}))  # refused with a SettingsError
    session = Session()
    window = session.open(gui_catalog_dir)
    try:
        window.show()
        qtbot.waitExposed(window)
        with qtbot.waitSignal(session.switched, timeout=120_000):
            assert session.switch(broken) is False
        assert session.context.catalog.root.resolve() == gui_catalog_dir.resolve()
        summary = session.window.error_dialogs[-1].summary
        assert "Could not open the catalog" in summary and "s3" in summary
        assert session.context.models is not None and not session.context.read_only
    finally:
        for dialog in list(session.window.error_dialogs):
            dialog.close()
            dialog.deleteLater()
        session.window.close()
        session.window.deleteLater()
        session.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QApplication.processEvents()
