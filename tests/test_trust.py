"""Untrusted files never execute: pickled weights named by a catalog load only once trusted on this machine;
FIFOs and devices in imported folders or as weights are skipped with a reason, never opened."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import torch

from core.catalog.catalog import Catalog
from core.catalog.importer import scan
from core.models import trust
from core.models.registry import ModelRegistry
from core.models.weights import resolve_weights
from core.paths import NotRegularFile
from core.settings import Settings

REPO = Path(__file__).resolve().parents[1]


class _RunsACommand:
    """What an attacker pickles: unpickling calls os.system."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def _crafted_pt(folder: Path, marker: Path) -> Path:
    path = folder / "detector.pt"
    torch.save({"model": _RunsACommand(f"touch {marker}"), "train_args": {}}, path)
    return path


def _in_thread(fn, timeout: float = 20.0):
    """Run fn with a deadline: a FIFO opened by mistake would block forever."""
    out: dict = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:  # handed to the test
            out["error"] = exc
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "blocked: something opened a FIFO"
    if "error" in out:
        raise out["error"]
    return out["value"]


@pytest.fixture
def own_config(tmp_path, monkeypatch):
    monkeypatch.setenv("CATALOG_CURATOR_CONFIG", str(tmp_path / "config"))
    return tmp_path / "config"


def test_crafted_weights_named_in_settings_are_not_loaded(tmp_path, own_config):
    marker = tmp_path / "pwned"
    evil = _crafted_pt(tmp_path, marker)
    root = tmp_path / "catalog"
    root.mkdir()
    settings = Settings()
    settings.models.embedder = "efficientnet-lite0"
    settings.models.detector_enabled, settings.models.detector_weights = True, str(evil)
    settings.save(root / "settings.json")  # a catalog that travelled here from someone else's machine
    catalog = Catalog.open(root)
    try:
        registry = ModelRegistry(catalog.settings.models, cache_dir=tmp_path / "cache")
        assert registry.detector() is None
        reason = registry.status()["detector"]["reason"]
        assert "not trusted" in reason and "models trust" in reason and str(evil) in reason
        assert not marker.exists()
        from core.pipeline.indexer import index_products

        report = index_products(catalog, registry)  # indexing goes on without the detector, and says why
        assert "not trusted" in report.to_cli_dict()["detector_reason"] and not marker.exists()
        with pytest.raises(trust.UntrustedWeights):
            trust.require_trusted(evil)
    finally:
        from core.catalog import db

        db.close_database()

    # The same file, confirmed by the user on this machine, is unpickled: proof the crafted file is real.
    trust.trust(evil)
    assert json.loads((own_config / trust.TRUST_FILE).read_text())["files"]
    ModelRegistry(settings.models, cache_dir=tmp_path / "cache").detector()
    assert marker.exists()


def test_trust_follows_the_bytes_not_the_name(tmp_path, own_config):
    weights = tmp_path / "w.pt"
    weights.write_bytes(b"first")
    trust.trust(weights)
    assert trust.is_trusted(weights)
    weights.write_bytes(b"changed by someone")
    assert not trust.is_trusted(weights)


def test_cli_models_trust_records_an_entry_in_the_user_config(tmp_path, own_config):
    weights = tmp_path / "mine.pt"
    weights.write_bytes(b"weights")
    env = {**os.environ, "PYTHONPATH": str(REPO), "CATALOG_CURATOR_CONFIG": str(own_config)}
    done = subprocess.run([sys.executable, "-m", "app.cli", "models", "trust", str(weights), "--json"],
                          capture_output=True, text=True, env=env, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["sha256"] == trust.sha256_of(weights)
    assert trust.is_trusted(weights)


def test_fifo_as_weights_is_refused_without_opening_it(tmp_path, own_config):
    fifo = tmp_path / "yolo.pt"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFile, match="FIFO"):
        _in_thread(lambda: resolve_weights(fifo, cache_dir=tmp_path))
    with pytest.raises(NotRegularFile):
        _in_thread(lambda: trust.trust(fifo))
    settings = Settings().models
    settings.embedder, settings.detector_enabled, settings.detector_weights = "efficientnet-lite0", True, str(fifo)
    registry = ModelRegistry(settings, cache_dir=tmp_path / "cache")
    assert _in_thread(registry.detector) is None
    assert "FIFO" in registry.status()["detector"]["reason"]


def test_fifos_in_imported_folders_are_skipped_with_a_reason(tmp_path):
    from PIL import Image

    from tests.badfiles import product_like

    def write_jpeg(path: Path) -> None:
        Image.fromarray(product_like()).save(path, "JPEG")

    product = tmp_path / "in" / "SKU-1"
    product.mkdir(parents=True)
    write_jpeg(product / "main.jpg")
    os.mkfifo(product / "side.jpg")
    other = tmp_path / "in" / "SKU-2"
    other.mkdir()
    write_jpeg(other / "a.jpg")
    os.mkfifo(other / "product.json")
    sources, errors = _in_thread(lambda: scan([tmp_path / "in"]))
    by_sku = {s.sku: s for s in sources}
    assert [p.name for p in by_sku["SKU-1"].images] == ["main.jpg"]
    reasons = [r for s in sources for _, r in s.errors] + [r for _, r in errors]
    assert any("side.jpg" in p and "FIFO" in r for s in sources for p, r in s.errors), reasons
    assert any("product.json" in p and "FIFO" in r for s in sources for p, r in s.errors), reasons
    assert "SKU-2" in by_sku  # the folder name stands in for the SKU; the rest of the import goes on


def test_crafted_weights_named_in_the_database_are_not_loaded(tmp_path, own_config):
    """An index row's stored model settings (used to reload a model version) pass the same check."""
    from dataclasses import asdict

    from core.catalog import db
    from core.models.registry import ModelRegistry

    marker = tmp_path / "pwned"
    evil = _crafted_pt(tmp_path, marker)
    catalog = Catalog.open(tmp_path / "catalog")
    try:
        models = Settings().models
        models.embedder, models.detector_enabled, models.detector_weights = "efficientnet-lite0", True, str(evil)
        catalog.register_index("v-from-elsewhere", dim=8, embedder="x", preprocess_version="p",
                               model_settings=asdict(models))
        registry = ModelRegistry(catalog.model_settings_for("v-from-elsewhere"))  # how a version is reloaded
        assert registry.detector() is None and "not trusted" in registry.detector_reason()
        assert not marker.exists()
    finally:
        db.close_database()
