"""Shared fixtures: real catalogs in temp folders, tiny real models, a real S3 server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Keep every library's state inside the test session, never in the user's home.
_SESSION_HOME = Path(os.environ.setdefault("CATALOG_CURATOR_TEST_HOME", "/tmp/catalog-curator-tests"))
os.environ.setdefault("CATALOG_CURATOR_DATA", str(_SESSION_HOME / "data"))
os.environ.setdefault("CATALOG_CURATOR_MODELS", str(_SESSION_HOME / "models"))
os.environ.setdefault("CATALOG_CURATOR_CONFIG", str(_SESSION_HOME / "config"))
os.environ.setdefault("CATALOG_CURATOR_LOGS", str(_SESSION_HOME / "logs"))
os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_CONFIG_DIR", str(_SESSION_HOME / "yolo"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

pytest_plugins = ["tests.fixtures_models", "tests.fixtures_s3"]

DEV_SAMPLE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "magento-dev"


@pytest.fixture(scope="session")
def dev_sample() -> Path:
    """The Magento dev sample, or a skip where this checkout has no ../shared."""
    if not (DEV_SAMPLE / "catalog").is_dir():
        pytest.skip(f"dev sample not found at {DEV_SAMPLE}")
    return DEV_SAMPLE


@pytest.fixture
def registry(catalog):
    """A model registry over the test module's own `catalog` fixture (its settings name the tiny models)."""
    from core.models.registry import ModelRegistry

    reg = ModelRegistry(catalog.settings.models)
    yield reg
    reg.close()
