"""Jobs that tell the truth: a job with failed products ends "Finished with N errors" with a partial
bar and the reasons listed, not "Done" at 100 %; a click on Cancel says "Cancelling…" at once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.gui_fixtures import *  # noqa: F403  (fixtures)
from tests.gui_fixtures import drop_urls, make_products

pytestmark = pytest.mark.gui


def test_failed_products_end_as_finished_with_errors(window, qtbot, tmp_path):
    root = make_products(tmp_path / "drop", 2)
    broken = root / "p0099"
    broken.mkdir()
    (broken / "main.jpg").write_bytes(b"this is not a JPEG at all" * 40)
    with qtbot.waitSignal(window.context.job_finished, timeout=180_000):
        assert drop_urls(window, [root])  # a real drag-enter and drop of the folder
    row = window.jobs.rows[0]
    qtbot.waitUntil(lambda: not row.cancel_button.isVisible(), timeout=5000)
    text = row.detail.text()
    assert text.startswith("Finished with") and "error" in text and "Done" not in text, text
    assert row.bar.value() < row.bar.maximum()  # not a full bar
    reasons = [row.errors.item(i).text() for i in range(row.errors.count())]
    assert any("p0099" in r for r in reasons), reasons
    assert not row.errors.isHidden()


def test_cancel_says_cancelling_at_once(window, qtbot, tmp_path):
    products = make_products(tmp_path / "many", 40)
    record = window.start_index([products])
    qtbot.waitUntil(lambda: record.done > 0 or record.state != "queued", timeout=120_000)
    row = window.jobs.rows[0]
    assert record.state in ("queued", "running"), "the job ended before it could be cancelled"
    with qtbot.waitSignal(window.context.job_finished, timeout=120_000):
        qtbot.mouseClick(row.cancel_button, Qt.MouseButton.LeftButton)
        assert row.cancel_button.text() == "Cancelling…" and not row.cancel_button.isEnabled()
        assert row.detail.text().startswith("Cancelling…")
        window.jobs.refresh()  # a progress tick while stopping does not overwrite it
        assert row.detail.text().startswith("Cancelling…")
    qtbot.waitUntil(lambda: row.detail.text().startswith("Cancelled"), timeout=5000)



