"""Launch order: the window's modules load without torch (torch loads in the model thread once the window
is on screen), and the app reports a visible window from a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen", **env})


def test_importing_the_window_and_context_does_not_import_torch():
    done = _run("import sys, app.main, app.context, app.views.main_window, app.workers.model_thread\n"
                "heavy = [m for m in ('torch', 'open_clip', 'ultralytics', 'timm') if m in sys.modules]\n"
                "print('HEAVY', heavy)")
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout, done.stdout


def test_building_the_window_does_not_import_torch(tmp_path):
    code = ("import sys\n"
            "from app.main import create_application\n"
            "app = create_application()\n"
            "from app.context import AppContext\n"
            "from app.views.main_window import MainWindow\n"
            f"context = AppContext.open({str(tmp_path / 'c')!r}, start_models=False)\n"
            "window = MainWindow(context)\n"
            "window.show()\n"
            "print('TORCH', 'torch' in sys.modules, flush=True)\n"  # before any event ran pool work
            "window.close()\n")
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert "TORCH False" in done.stdout, done.stdout


def test_the_app_reports_its_window_then_quits(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "app", "gui", "--catalog", str(tmp_path / "c")], cwd=REPO,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen",
                               "CATALOG_CURATOR_REPORT_EXPOSED": "1", "CATALOG_CURATOR_QUIT_WHEN_EXPOSED": "1"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert any(line.startswith("WINDOW_EXPOSED") for line in proc.stdout.splitlines()), proc.stdout
