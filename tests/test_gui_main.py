"""`catalog-curator gui --screenshot`: a real process that waits for models and thumbnails, saves a PNG, exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gui_fixtures import *  # noqa: F403  (fixtures)

pytestmark = pytest.mark.gui
REPO = Path(__file__).resolve().parents[1]


def test_gui_screenshot_exits_zero(indexed_catalog_dir, tmp_path):
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CATALOG_CURATOR_REPORT_EXPOSED": "1"}
    done = subprocess.run([sys.executable, "-m", "app", "gui", "--catalog", str(indexed_catalog_dir),
                           "--screenshot", str(out)], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "WINDOW_EXPOSED" in done.stdout
    from PIL import Image

    with Image.open(out) as img:
        assert img.width >= 800 and img.height >= 500
    log = Path(os.environ["CATALOG_CURATOR_LOGS"]) / "catalog-curator.log"
    assert "screenshot saved" in log.read_text(encoding="utf-8")
