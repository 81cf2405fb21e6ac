"""A second window on a catalog another window holds opens read-only and says so (a real second process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.gui_fixtures import *  # noqa: F403  (fixtures)
from tests.gui_fixtures import close_window, open_window

REPO = Path(__file__).resolve().parents[1]

SECOND_WINDOW = """
    import json, sys
    from app.main import create_application
    app = create_application()
    from app.context import AppContext
    from app.views.main_window import MainWindow
    from core.catalog.lock import ReadOnlyCatalog
    context = AppContext.open(sys.argv[1], start_models=False)
    window = MainWindow(context)
    refused = ""
    try:
        with context.catalog.writing():
            pass
    except ReadOnlyCatalog as exc:
        refused = str(exc)
    errors = []
    context.error.connect(lambda summary, details: errors.append(summary))
    job = context.start_index_job([])
    print(json.dumps({"read_only": context.read_only, "title": window.windowTitle(), "refused": refused,
                      "job": job is not None, "errors": errors,
                      "badge": getattr(window, "read_only_badge", None) is not None}))
    window.close()
    context.shutdown()
"""


def test_second_window_opens_read_only(qtbot, leak_check, gui_catalog_dir):
    window, context = open_window(qtbot, gui_catalog_dir)
    try:
        assert not context.read_only and "read-only" not in window.windowTitle()
        proc = subprocess.run([sys.executable, "-c", textwrap.dedent(SECOND_WINDOW), str(gui_catalog_dir)],
                              cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"},
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        second = json.loads(proc.stdout.strip().splitlines()[-1])
        assert second["read_only"] and "(read-only)" in second["title"] and second["badge"]
        assert f"pid {os.getpid()}" in second["refused"] and "read-only" in second["refused"]
        assert not second["job"] and "read-only" in second["errors"][0]
    finally:
        close_window(window, context)
    # With the first window closed, the next one writes.
    window, context = open_window(qtbot, gui_catalog_dir)
    try:
        assert not context.read_only
    finally:
        close_window(window, context)
