"""The jobs panel shows what an import decided: errors and warnings per job, each with its path."""

from __future__ import annotations

import pytest

from app.workers.base import Task
from app.workers.jobs import JobRecord
from core.jobs import JobResult, JobState
from tests.gui_fixtures import leak_check  # noqa: F401  (fixture)

pytestmark = pytest.mark.gui


def test_job_row_lists_errors_and_warnings(qtbot, leak_check):  # noqa: F811
    from app.views.jobs_panel import JobRow

    record = JobRecord(title="Import shoes", task=Task(lambda progress, should_stop: None, "index"))
    record.state = JobState.SUCCEEDED
    record.result = JobResult(products=2, indexed=2, skipped=0, seconds=1.5)
    record.errors = [{"path": "shoes/sku-9/IMG_1.HEIC", "reason": "format not supported: convert to JPEG"}]
    record.warnings = [{"path": "shoes/sku-12/main.jpg", "reason": "same photo as SKU sku-11"},
                       {"path": "shoes/sku-12/product.json", "reason": "product.json field 'price': read '19,99' as 19.99"}]
    row = JobRow(record, on_cancel=lambda r: None)
    qtbot.addWidget(row)
    row.refresh()
    items = [row.errors.item(i).text() for i in range(row.errors.count())]
    assert items[0].startswith("shoes/sku-9/IMG_1.HEIC: format not supported")
    assert "shoes/sku-12/main.jpg: same photo as SKU sku-11" in items and len(items) == 3
    # Errors and warnings are told apart by their icon (the theme's error and flagged colours), not a glyph.
    icons = [row.errors.item(i).icon().pixmap(16).toImage() for i in range(row.errors.count())]
    assert all(not i.isNull() for i in icons) and icons[0] != icons[1] and icons[1] == icons[2]
    assert "1 error" in row.detail.text() and "2 warnings" in row.detail.text()
    assert not row.errors.isHidden()
