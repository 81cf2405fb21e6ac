"""Errors: an exception in any thread or a failing job shows a non-modal dialog and reaches the log."""

from __future__ import annotations

import sys
import threading

import pytest
from PySide6.QtWidgets import QApplication

from app import logging_setup
from app.views.error_dialog import ErrorDialog
from tests.gui_fixtures import *  # noqa: F403  (fixtures)
from tests.gui_fixtures import make_products

pytestmark = pytest.mark.gui


@pytest.fixture
def hooks(window):
    path = logging_setup.setup_logging()
    relay = logging_setup.ErrorRelay()
    relay.error.connect(window.show_error)
    logging_setup.install_excepthooks(relay)
    yield path
    logging_setup.uninstall_excepthooks()
    logging_setup.close_logging()
    relay.deleteLater()


def _flush(path):
    for handler in __import__("logging").getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_exception_in_a_thread_shows_dialog_and_is_logged(window, hooks, qtbot):
    def boom():
        raise RuntimeError("thumbnail cache exploded")

    worker = threading.Thread(target=boom, name="worker-boom")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(window.error_dialogs), timeout=60_000)
    dialog = window.error_dialogs[-1]
    assert isinstance(dialog, ErrorDialog) and dialog.isVisible() and not dialog.isModal()
    assert "thumbnail cache exploded" in dialog.summary
    assert "Traceback" in dialog.details
    dialog.copy_button.click()
    report = QApplication.clipboard().text()
    assert "thumbnail cache exploded" in report and str(hooks) in report
    assert "worker-boom" in _flush(hooks) and "thumbnail cache exploded" in _flush(hooks)
    assert window.isVisible()  # the app goes on


def test_excepthook_on_gui_thread(window, hooks, qtbot):
    try:
        raise ValueError("bad value in a slot")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    qtbot.waitUntil(lambda: bool(window.error_dialogs), timeout=60_000)
    assert "bad value in a slot" in window.error_dialogs[-1].summary
    assert "bad value in a slot" in _flush(hooks)


def test_failing_job_shows_dialog_and_keeps_the_app(window, hooks, qtbot, tmp_path, monkeypatch):
    import core.jobs

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(core.jobs, "run_index_job", broken)
    with qtbot.waitSignal(window.context.job_finished, timeout=60_000) as done:
        window.start_index([make_products(tmp_path / "p", 1)])
    assert done.args[0].state == "failed"
    qtbot.waitUntil(lambda: bool(window.error_dialogs), timeout=60_000)
    assert "No space left on device" in window.error_dialogs[-1].summary
    assert "Failed" in window.jobs.rows[0].detail.text()
    assert "No space left on device" in _flush(hooks)
