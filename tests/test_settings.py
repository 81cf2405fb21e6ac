"""Settings are typed and checked: a bad value is refused with the field's name, and nothing is lost."""

from __future__ import annotations

import json

import pytest

from core.catalog.catalog import Catalog
from core.settings import DetectorTrainingSettings, ModelSettings, S3Settings, Settings, SettingsError


@pytest.mark.parametrize("data, field, words", [
    ({"s3": "oops"}, "s3", "must be an object of S3Settings"),
    ({"models": {"batch_size": 0}}, "models.batch_size", "between 1 and 4096"),
    ({"models": {"batch_size": "32"}}, "models.batch_size", "must be int"),
    ({"models": {"device": "gpu"}}, "models.device", "cuda:N"),
    ({"models": {"embedder": "resnet"}}, "models.embedder", "choose one of open_clip, efficientnet-lite0"),
    ({"models": {"detector_enabled": "yes"}}, "models.detector_enabled", "must be bool"),
    ({"preprocess": {"expand_ratio": 0.5}}, "preprocess.expand_ratio", "between 0.1 and 0.2"),
    ({"quality": {"min_side": 3.5}}, "quality.min_side", "must be int"),
    ({"s3": {"max_requests_per_s": float("nan")}}, "s3.max_requests_per_s", "must be float"),
    ({"labels_threshold": True}, "labels_threshold", "must be float"),
    ({"prometheus_port": 70000}, "prometheus_port", "between 0 and 65535"),
])
def test_a_bad_value_names_its_field(data, field, words):
    with pytest.raises(SettingsError) as info:
        Settings.from_dict(data)
    assert f"'{field}'" in str(info.value) and words in str(info.value)


def test_good_values_load_and_round_trip():
    settings = Settings.from_dict({"models": {"device": "cuda:1", "detector_confidence": 1}, "retention_days": 7,
                                   "from_a_newer_app": {"x": 1}})
    assert settings.models.device == "cuda:1" and settings.retention_days == 7
    assert isinstance(settings.models.detector_confidence, float)  # an integer is a fine float
    assert Settings.from_dict(settings.to_dict()) == settings
    assert Settings.from_dict({}) == Settings()


def test_construction_is_checked_too():
    with pytest.raises(SettingsError, match="'retention_days'"):
        S3Settings(retention_days=-1)
    with pytest.raises(SettingsError, match="'cpu_accel'"):
        ModelSettings(cpu_accel="fast")
    assert ModelSettings.from_dict({"embedder": "efficientnet-lite0"}).embedder == "efficientnet-lite0"
    with pytest.raises(SettingsError, match="'retrain_after_boxes'"):
        DetectorTrainingSettings(retrain_after_boxes=0)
    with pytest.raises(SettingsError, match="'detector_training.auto_retrain' must be bool"):
        Settings.from_dict({"detector_training": {"auto_retrain": "no"}})


def test_a_bad_settings_file_is_refused_and_kept(tmp_path):
    root = tmp_path / "cat"
    with Catalog.open(root):
        pass
    path = root / "settings.json"
    data = json.loads(path.read_text())
    data["s3"] = "oops"
    path.write_text(json.dumps(data))
    with pytest.raises(SettingsError, match=r"settings.json: settings field 's3'"):
        Catalog.open(root)
    assert json.loads(path.read_text())["s3"] == "oops"  # the curator's file is left for them to fix
    path.write_text("{not json")
    with pytest.raises(SettingsError, match="not valid JSON"):
        Settings.load(path)


def test_a_value_changed_in_place_is_checked_before_saving(tmp_path):
    settings = Settings()
    settings.models.batch_size = -4
    with pytest.raises(SettingsError, match="'models.batch_size'"):
        settings.save(tmp_path / "settings.json")
    assert not (tmp_path / "settings.json").exists()
