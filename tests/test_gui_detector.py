"""The catalog's product detector from the app, with the tiny real models: corrected boxes reaching the threshold
schedule exactly one background retrain (none with the setting off), and the Models page's Train now / Cancel
/ Promote with a CI-sized training run (real ultralytics training, seconds)."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from core.catalog import db
from core.jobs import JobState
from core.ops import product_detector as pd

pytest_plugins = ["tests.gui_fixtures"]

CI_PLAN = {"epochs": 2, "images": 32, "imgsz": 128}  # as tests/test_product_detector.py: seconds, not minutes


def _open_models(qtbot, window):
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(window.tabs.indexOf(window.models_page)).center())
    page = window.models_page
    qtbot.waitUntil(lambda: not page.busy and bool(page.versions), timeout=30_000)
    return page, page.detector_panel


def _move_a_box(qtbot, window, n: int) -> None:
    """A curator moves a box (the review panel's ReviewService call) and the retrain check has answered."""
    crop = db.Crop.select().where(db.Crop.verdict == "accepted").order_by(db.Crop.id).first()
    x0, y0, x1, y1 = crop.box
    with qtbot.waitSignal(window.review.applied, timeout=60_000):
        window.review.move_box(crop.image.product_id, crop.id, (x0 + n, y0, x1 + n, y1), crop.box)
    jobs = window.context.detector_jobs
    qtbot.waitUntil(lambda: jobs._checking is None, timeout=10_000)


def _torch_threads(qtbot, context, count: int | None = None) -> int:
    """torch's intra-op thread count on the model thread (set first when `count` is given)."""
    from app.workers.model_thread import ModelTask

    def work(registry, progress, stop):
        import torch

        if count is not None:
            torch.set_num_threads(count)
        return torch.get_num_threads()

    probe = ModelTask(work, "torch threads")
    with qtbot.waitSignal(probe.signals.result, timeout=60_000) as got:
        context.run_model_task(probe)
    return got.args[0]


def test_corrected_boxes_schedule_exactly_one_retrain_and_the_setting_off_none(qtbot, indexed_window, tiny_yolo):
    window, context = indexed_window, indexed_window.context
    catalog = context.catalog
    pd.detectors_dir(catalog).mkdir(parents=True, exist_ok=True)  # a detector trained before (stand-in)
    shutil.copyfile(tiny_yolo.weights_path, pd.detectors_dir(catalog) / "product-tiny.pt")
    pd.promote_detector(catalog, "product-tiny")
    plan = catalog.settings.detector_training
    plan.retrain_after_boxes, plan.epochs, plan.images, plan.imgsz = 3, 1, 8, 64
    added = []
    context.job_added.connect(added.append)

    def trainings():
        return [r for r in added if r.kind == "train_detector"]

    for n in (1, 2):
        _move_a_box(qtbot, window, n)
    assert trainings() == []  # 2 of 3
    assert window.models_page.detector_panel.corrections.text().startswith("2 boxes corrected")  # kept current
    _move_a_box(qtbot, window, 3)
    qtbot.waitUntil(lambda: len(trainings()) == 1, timeout=10_000)
    record = trainings()[0]
    assert record.task.name.startswith("Retrain the product detector")
    assert any(row.record is record for row in window.jobs.rows)  # in the Jobs panel, with its Cancel
    _move_a_box(qtbot, window, 4)  # still due, but one is queued or running: no second one
    assert len(trainings()) == 1
    context.cancel_job(record)
    qtbot.waitUntil(lambda: record.ended, timeout=120_000)
    assert record.state in (JobState.CANCELLED, JobState.SUCCEEDED)
    _move_a_box(qtbot, window, 5)  # cancelled: the next one waits for 3 more boxes, not the next box
    assert len(trainings()) == 1

    plan.auto_retrain = False  # the setting off: corrections never start a training
    for n in (6, 7, 8):
        _move_a_box(qtbot, window, n)
    assert pd.retrain_due(catalog, 3)["due"] and len(trainings()) == 1


@pytest.mark.slow  # two real (CI-sized) training runs: ~50 s under load
def test_models_page_train_cancel_train_and_promote(qtbot, indexed_window):
    window, context = indexed_window, indexed_window.context
    plan = context.catalog.settings.detector_training
    plan.epochs, plan.images, plan.imgsz = CI_PLAN["epochs"], CI_PLAN["images"], CI_PLAN["imgsz"]
    page, panel = _open_models(qtbot, window)
    qtbot.waitUntil(lambda: not panel.busy and bool(panel.data), timeout=30_000)
    assert panel.active.text().startswith("None yet") and panel.table.topLevelItemCount() == 0

    # Train now, then Cancel once training batches run: nothing saved, the page says so.
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    record = context.detector_jobs.training
    assert record is not None and panel.job_row.isVisible() and not panel.train_button.isEnabled()
    assert any(row.record is record for row in window.jobs.rows)
    qtbot.waitUntil(lambda: panel.text.text().startswith("training epoch"), timeout=180_000)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert panel.cancel_button.text() == "Cancelling…"
    qtbot.waitUntil(lambda: record.ended, timeout=120_000)
    assert record.state is JobState.CANCELLED and panel.outcome.text() == "Cancelled: no detector was saved"
    assert not list(pd.detectors_dir(context.catalog).glob("*.pt")) and not panel.job_row.isVisible()

    # Train now to the end: the new version is listed with its held-back score.
    qtbot.waitUntil(lambda: panel.train_button.isEnabled(), timeout=10_000)
    from core.models import threads

    wanted_threads = threads.current().compute + 1  # a count ultralytics' reset would not give on this machine
    _torch_threads(qtbot, context, wanted_threads)
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    record = context.detector_jobs.training
    # A correction sent while it trains runs between two training batches, not after the job.
    qtbot.waitUntil(lambda: panel.text.text().startswith("training epoch"), timeout=180_000)
    _move_a_box(qtbot, window, 1)
    assert not record.ended
    qtbot.waitUntil(lambda: record.ended, timeout=600_000)
    assert record.state is JobState.SUCCEEDED, record.message
    # ultralytics resets torch's threads for CPU training (to cores - 1): the app's count holds afterwards
    assert _torch_threads(qtbot, context) == wanted_threads
    _torch_threads(qtbot, context, threads.current().compute)
    version = record.result.details["version"]
    assert panel.outcome.text().startswith(f"Done: {version} finds the product in")
    qtbot.waitUntil(lambda: not panel.busy and panel.table.topLevelItemCount() == 1, timeout=30_000)
    item = panel.table.topLevelItem(0)
    assert item.text(0) == version and " vs " in item.text(2)
    if not record.result.details["promoted"]:  # lost to the proposals on its held-back scenes: promote by hand
        assert item.text(3).startswith("Lost to")
        panel.table.setCurrentItem(item)
        assert panel.promote_button.isEnabled()
        qtbot.mouseClick(panel.promote_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not panel.busy and panel.table.topLevelItem(0).text(3) == "In use", timeout=30_000)
    assert pd.active_detector(context.catalog).stem == version
    assert panel.active.text().startswith(f"<b>{version}</b> · finds the product in")
