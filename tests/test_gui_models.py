"""The Models page, driven as a curator would, with the tiny real models: what is in use, a real offline
download attempt (no network here: the child process finds the host unreachable) and a real cancel, trusting a
chosen detector file, switching model through a staged re-index that search ignores until Promote is clicked,
and Settings → Models no longer claiming "Settings saved" for a model that is not in use."""

from __future__ import annotations

import os
import shutil

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QMessageBox

from app.views.models_view import plain_model_name
from tests.fixtures_models import build_tiny_clip, tiny_models_home

pytest_plugins = ["tests.gui_fixtures"]


def _open_models(qtbot, window):
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(window.tabs.indexOf(window.models_page)).center())
    page = window.models_page
    assert window.tabs.currentWidget() is page
    qtbot.waitUntil(lambda: not page.busy and bool(page.versions), timeout=30_000)
    return page


def _answer_next_box(button, tries: int = 100) -> None:
    """Click a button of the next modal message box (QMessageBox.question blocks in its own loop)."""
    def answer(left: int = tries) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(button).click()
        elif left:
            QTimer.singleShot(50, lambda: answer(left - 1))
    QTimer.singleShot(50, answer)


def test_in_use_models_and_offline_download(qtbot, indexed_window, tmp_path, monkeypatch):
    window = indexed_window
    page = _open_models(qtbot, window)
    status = window.context.models.status
    assert page.embedder_row.name.toolTip() == status["embedder"]["name"]  # the id: a tooltip and Details
    assert page.embedder_row.name.text() == plain_model_name(status["embedder"]["name"])
    assert not page.embedder_row.technical.isVisibleTo(page)
    assert page.embedder_row.state.text() == "Loaded" and page.embedder_row.device.text() == "on cpu"
    assert page.detector_row.state.text() == "Loaded"
    assert page.table.topLevelItemCount() == 1
    assert page.table.topLevelItem(0).text(3) == "Serves search"
    assert page.plan.text().startswith("This is the model in use")

    # Offline for real: the child process is allowed to try (no *_OFFLINE flags) and finds no network.
    cache = tmp_path / "model-cache"
    monkeypatch.setenv("CATALOG_CURATOR_MODELS", str(cache))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("YOLO_OFFLINE", raising=False)
    qtbot.mouseClick(page.download_buttons["clip"], Qt.MouseButton.LeftButton)
    assert page.downloading and page.download_row.isVisible()
    assert not page.download_buttons["detector"].isEnabled()
    qtbot.waitUntil(lambda: not page.downloading, timeout=120_000)
    message = page.download_message.text()
    assert "huggingface.co cannot be reached" in message, message
    assert "ViT-B-32-laion2b_s34b_b79k.safetensors" in message and f"in the folder {cache}" in message
    assert page.download_buttons["detector"].isEnabled() and not page.download_row.isVisible()

    # Cancel ends the child process: nothing changes.
    qtbot.mouseClick(page.download_buttons["detector"], Qt.MouseButton.LeftButton)
    assert page.downloading
    qtbot.mouseClick(page.download_cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.downloading, timeout=10_000)
    assert page.download_message.text() == "Download cancelled; nothing was changed."
    assert not (cache / "yolo11n.pt").exists()


def test_chosen_detector_must_be_trusted(qtbot, indexed_window, tiny_yolo, tmp_path, monkeypatch):
    page = _open_models(qtbot, indexed_window)
    unknown = tmp_path / "someone-elses.pt"
    shutil.copyfile(tiny_yolo.weights_path, unknown)
    with open(unknown, "ab") as fh:
        fh.write(os.urandom(16))  # other bytes: this machine never vouched for them
    # The native file dialog cannot be driven offscreen: it answers with the file a person would pick.
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(unknown), ""))
    before = page.wanted.detector_weights
    choose = page.findChildren(type(page.reindex_button), "")
    detector_choose = [b for b in choose if b.text() == "Choose file…"][1]
    _answer_next_box(QMessageBox.StandardButton.No)
    qtbot.mouseClick(detector_choose, Qt.MouseButton.LeftButton)
    assert "was not trusted, so it will not be used" in page.download_message.text()
    assert page.wanted.detector_weights == before

    _answer_next_box(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(detector_choose, Qt.MouseButton.LeftButton)
    assert page.wanted.detector_weights == str(unknown)
    from core.models.trust import is_trusted

    assert is_trusted(unknown)
    assert page.plan.text().startswith("<b>Not in use yet:</b>")
    assert indexed_window.context.catalog.settings.models.detector_weights == str(unknown)


def test_switch_model_staged_reindex_then_promote(qtbot, indexed_window, monkeypatch):
    window = indexed_window
    context = window.context
    page = _open_models(qtbot, window)
    old = context.catalog.active_model_version()
    old_embedder = context.models.status["embedder"]["version"]
    candidate = build_tiny_clip(tiny_models_home() / "clip-candidates", seed=1)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(candidate.checkpoint_path), ""))
    clip_choose = [b for b in page.findChildren(type(page.reindex_button)) if b.text() == "Choose file…"][0]
    qtbot.mouseClick(clip_choose, Qt.MouseButton.LeftButton)
    assert page.plan.text().startswith("<b>Not in use yet:</b>")

    qtbot.mouseClick(page.reindex_button, Qt.MouseButton.LeftButton)
    assert page.job is not None and page.job_row.isVisible() and not page.reindex_button.isEnabled()
    qtbot.waitUntil(lambda: page.job.ended, timeout=180_000)
    assert page.job.result and page.job.result.complete, page.job.result
    assert page.job_text.text() == "Complete: promote it below to make search use it"
    new = page.job.result.model_version
    assert new != old
    qtbot.waitUntil(lambda: not page.busy and len(page.versions) == 2, timeout=30_000)
    # Built and complete, but search still uses the old index and the old model.
    assert context.catalog.active_model_version() == old
    assert context.models.status["embedder"]["version"] == old_embedder
    rows = {page.table.topLevelItem(n).text(0): page.table.topLevelItem(n).text(3) for n in range(2)}
    assert rows == {old: "Serves search", new: "Complete — ready to promote"}
    assert page.selected_version() == new and page.promote_button.isEnabled()

    qtbot.mouseClick(page.promote_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: context.catalog.active_model_version() == new, timeout=30_000)
    qtbot.waitUntil(lambda: context.models.status.get("state") == "ready"
                    and context.models.status["embedder"]["version"] != old_embedder, timeout=60_000)
    qtbot.waitUntil(lambda: not page.busy and page.table.topLevelItemCount() == 2, timeout=30_000)
    rows = {page.table.topLevelItem(n).text(0): page.table.topLevelItem(n).text(3) for n in range(2)}
    assert rows[new] == "Serves search"
    assert page.plan.text().startswith("This is the model in use")


def test_reindex_cancel_leaves_search_alone(qtbot, indexed_window, monkeypatch):
    window = indexed_window
    context = window.context
    page = _open_models(qtbot, window)
    old = context.catalog.active_model_version()
    candidate = build_tiny_clip(tiny_models_home() / "clip-candidates", seed=1)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(candidate.checkpoint_path), ""))
    clip_choose = [b for b in page.findChildren(type(page.reindex_button)) if b.text() == "Choose file…"][0]
    qtbot.mouseClick(clip_choose, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.reindex_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.job_cancel, Qt.MouseButton.LeftButton)
    assert page.job_cancel.text() == "Cancelling…" and not page.job_cancel.isEnabled()
    qtbot.waitUntil(lambda: page.job.ended, timeout=120_000)
    assert page.job.state.value == "cancelled", page.job.state
    assert page.job_text.text() == "Cancelled: search still uses the current model"
    assert "Cancelled:" in window.toast.label.text()  # the job's end is announced once, by the toast
    assert context.catalog.active_model_version() == old
    qtbot.waitUntil(lambda: not page.busy, timeout=30_000)
    assert all(not v["complete"] or v["active"] for v in page.versions)
    assert page.reindex_button.isEnabled() and not page.job_cancel.isVisible()


def test_settings_models_says_what_really_happens(qtbot, indexed_window):
    window = indexed_window

    def change_embedder() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or not hasattr(dialog, "embedder"):
            QTimer.singleShot(50, change_embedder)
            return
        dialog.embedder.setCurrentIndex(dialog.embedder.findData("efficientnet-lite0"))
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(50, change_embedder)
    window.settings_action.trigger()
    message = window.statusBar().currentMessage()
    assert message != "Settings saved" and "not in use yet" in message, message
    assert window.tabs.currentWidget() is window.models_page
    assert window.models_page.wanted.embedder == "efficientnet-lite0"
    assert window.models_page.plan.text().startswith("<b>Not in use yet:</b> EfficientNet-Lite0")


def test_the_stand_in_embedder_serving_search_is_in_use_not_missing(qtbot):
    """EfficientNet serves search because the CLIP the settings ask for is not here: its row says it is in use
    (photos only) in the neutral colour, in words; the CLIP message and ids sit behind Details."""
    from app.views.models_view import ModelRow, model_state

    status = {"state": "ready", "embedder": {
        "name": "efficientnet-lite0", "state": "loaded", "device": "cpu", "version": "efficientnet-lite0-v1",
        "reason": "CLIP weights unavailable: clip weights not available: no file. Put the file x at /m/x and try again"}}
    state, reason = model_state(status, "embedder")
    assert state == "stand_in" and "CLIP" in reason
    row = ModelRow("Search")
    qtbot.addWidget(row)
    row.set_model("efficientnet-lite0", state, "cpu", "Search by photos works.", f"efficientnet-lite0-v1 · {reason}")
    assert row.state.text() == "In use, photos only" and "Missing" not in row.state.text()
    assert "#b00020" not in row.state.styleSheet()  # not the red of a fault
    assert row.name.text().startswith("Photo matcher") and row.device.text() == "on cpu"
    assert not row.technical.isVisibleTo(row) and "CLIP" in row.technical.text()
    row.details_button.setChecked(True)
    assert row.technical.isVisibleTo(row)
    # a detector whose weights are missing is still a fault
    missing = {"state": "ready", "detector": {"name": "yolo11n.pt", "state": "unavailable",
                                              "reason": "weights not available: gone"}}
    assert model_state(missing, "detector")[0] == "missing"
