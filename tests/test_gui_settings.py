"""Settings dialog: every tab round-trips through Settings.save/load; the S3 secret goes to the keyring."""

from __future__ import annotations

import pytest

from app.views.settings_dialog import SettingsDialog
from core.settings import Settings
from tests.gui_fixtures import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.gui


def test_settings_round_trip(window, qtbot, memory_keyring, monkeypatch):
    context = window.context
    dialog = SettingsDialog(context.settings, context.catalog.root, window)
    qtbot.addWidget(dialog)
    dialog.expand_ratio.setValue(0.18)
    dialog.expand_ratio.setValue(0.5)  # clamped to the allowed 0.10-0.20
    dialog.min_sharpness.setValue(42.5)
    dialog.detector_confidence.setValue(0.4)
    dialog.retention.setValue(14)
    dialog.s3_enabled.setChecked(True)
    dialog.s3_endpoint.setText("http://127.0.0.1:9000")
    dialog.s3_bucket.setText("curators")
    dialog.s3_prefix.setText("team-a/")
    dialog.s3_access.setText("AKIATEST")
    dialog.s3_secret.setText("s3cr3t-value")
    reloads = []
    monkeypatch.setattr(context.models, "reload", lambda make: reloads.append(make))
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    context.apply_settings(dialog.settings)
    saved = Settings.load(context.catalog.paths.settings)
    assert saved.preprocess.expand_ratio == pytest.approx(0.20)
    assert saved.quality.min_sharpness == pytest.approx(42.5)
    assert saved.models.detector_confidence == pytest.approx(0.4)
    assert saved.retention_days == 14
    assert (saved.s3.enabled, saved.s3.endpoint_url, saved.s3.bucket, saved.s3.prefix) == (
        True, "http://127.0.0.1:9000", "curators", "team-a/")
    assert "s3cr3t-value" not in context.catalog.paths.settings.read_text()
    assert ("catalog-curator-s3", "AKIATEST") in memory_keyring.store
    assert memory_keyring.store[("catalog-curator-s3", "AKIATEST")] == "s3cr3t-value"
    assert len(reloads) == 1  # model settings changed: the model thread reloads
    # reopening the dialog shows what was saved
    again = SettingsDialog(saved, context.catalog.root, window)
    qtbot.addWidget(again)
    assert again.collect().to_dict() == saved.to_dict()
    assert again.s3_secret.placeholderText() == "unchanged"


def test_secret_without_access_key_is_refused(window, qtbot, memory_keyring):
    dialog = SettingsDialog(window.context.settings, window.context.catalog.root, window)
    qtbot.addWidget(dialog)
    dialog.s3_secret.setText("lonely-secret")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "access key" in dialog.error.text()
    assert not memory_keyring.store


def test_untrusted_detector_weights_are_confirmed_before_they_are_trusted(window, qtbot, memory_keyring,
                                                                         monkeypatch, tmp_path):
    from app.views.model_status import describe
    from core.models import trust

    monkeypatch.setenv("CATALOG_CURATOR_CONFIG", str(tmp_path / "config"))
    weights = tmp_path / "someone-elses.pt"
    weights.write_bytes(b"pickled weights from a travelling catalog")
    monkeypatch.setattr(window.context.models, "reload", lambda make: None)
    asked: list[str] = []
    for answer in (False, True):
        dialog = SettingsDialog(window.context.settings, window.context.catalog.root, window)
        qtbot.addWidget(dialog)
        dialog.detector_weights.setText(str(weights))
        dialog.detector_enabled.setChecked(True)
        monkeypatch.setattr(dialog, "ask_trust", lambda path, a=answer: asked.append(path) or a)
        dialog.accept()
        assert trust.is_trusted(weights) is answer
    assert asked == [str(weights)] * 2
    dialog.s3_insecure.setChecked(True)
    assert dialog.collect().s3.allow_insecure_http
    text, _, _ = describe({"state": "ready", "embedder": {"name": "e", "state": "loaded"},
                           "detector": {"state": "unavailable", "reason": "… is not trusted on this machine …"}})
    assert "not trusted" in text


def test_models_settings_in_words_with_ids_behind_details(window, qtbot):
    """The Models tab speaks of what the models do; ids, weight files and batch sizes wait behind Details, and
    the choices still save the ids."""
    dialog = SettingsDialog(window.context.settings, window.context.catalog.root, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.tabs.setCurrentIndex(next(n for n in range(dialog.tabs.count()) if dialog.tabs.tabText(n) == "Models"))
    names = [dialog.embedder.itemText(n) for n in range(dialog.embedder.count())]
    assert "open_clip" not in names and "efficientnet-lite0" not in names
    assert all(dialog.device.itemText(n) not in ("auto", "cuda", "mps") for n in range(dialog.device.count()))
    assert not dialog.model_details.isVisible() and not dialog.clip_model.isVisible()
    assert not dialog.detector_weights.isVisible() and not dialog.batch_size.isVisible()
    dialog.model_details_button.click()
    assert dialog.clip_model.isVisible() and dialog.detector_weights.isVisible()
    dialog.embedder.setCurrentIndex(dialog.embedder.findData("efficientnet-lite0"))
    dialog.device.setCurrentIndex(dialog.device.findData("cpu"))
    settings = dialog.collect()
    assert settings.models.embedder == "efficientnet-lite0" and settings.models.device == "cpu"
