"""Read-only catalogs open read-only (issue 27, requirement 6): on a real read-only bind mount, search, check,
export and `models list` work, a write says why it cannot and exits 3, nothing tries to write (no
`Errno 30` traceback), and `gui --screenshot` draws the "read-only: changes are off" banner and exits.

Needs root (a bind mount, `mount -o remount,bind,ro`): skipped with the reason elsewhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from tests.test_indexer import _make_products

pytest_plugins = ["tests.gui_fixtures"]
REPO = Path(__file__).resolve().parents[1]


def _mount_read_only(source: Path, target: Path) -> str:
    """Bind `source` read-only at `target`; the reason it could not be done, or ""."""
    target.mkdir(parents=True, exist_ok=True)
    if os.name != "posix" or os.geteuid() != 0:
        return "a read-only bind mount needs root"
    done = subprocess.run(["mount", "--bind", str(source), str(target)], capture_output=True, text=True)
    if done.returncode:
        return f"mount --bind failed: {done.stderr.strip()}"
    done = subprocess.run(["mount", "-o", "remount,bind,ro", str(target)], capture_output=True, text=True)
    if done.returncode:
        subprocess.run(["umount", str(target)], check=False)
        return f"remount read-only failed: {done.stderr.strip()}"
    return ""


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def read_only_catalog(tmp_path_factory, tiny_model_settings):
    """An indexed catalog (4 products, tiny real models) seen through a read-only bind mount."""
    from core.settings import Settings

    root = tmp_path_factory.mktemp("ro")
    cat = root / "cat"
    cat.mkdir()
    settings = Settings()
    settings.models = tiny_model_settings
    settings.save(cat / "settings.json")
    src = _make_products(root / "src", n=4)
    assert main(["index", str(src), "--catalog", str(cat), "--json"]) == 0
    mounted = root / "mnt"
    reason = _mount_read_only(cat, mounted)
    if reason:
        pytest.skip(reason)
    try:
        yield cat, mounted, src
    finally:
        subprocess.run(["umount", str(mounted)], check=False)


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_reads_work_and_writes_say_why(read_only_catalog, capsys):
    cat, mounted, src = read_only_catalog
    before = _snapshot(cat)
    with pytest.raises(OSError):
        (mounted / "probe").write_text("x")  # the mount really is read-only
    code, out, err = _run(capsys, "search", "--text", "Product 2", "--catalog", str(mounted), "--json")
    assert code == 0, err
    assert len(json.loads(out)["results"]) == 4
    code, out, err = _run(capsys, "search", "--image", str(src / "p1" / "main.jpg"), "--catalog", str(mounted),
                          "--json")
    assert code == 0 and json.loads(out)["results"][0]["sku"] == "SKU-1", err
    assert "read-only: changes are off" in err
    code, out, err = _run(capsys, "check", "--catalog", str(mounted), "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["vectors"] == 4, report
    code, out, err = _run(capsys, "check", "--deep", "--catalog", str(mounted), "--json")
    assert code == 0 and json.loads(out)["ok"]
    code, out, err = _run(capsys, "check", "--repair", "--catalog", str(mounted))
    assert code == 3 and "read-only" in err and "Traceback" not in err
    code, out, err = _run(capsys, "export", "--format", "csv", "--catalog", str(mounted))
    assert code == 0 and len(out.splitlines()) == 5, err
    code, out, err = _run(capsys, "models", "list", "--catalog", str(mounted), "--json")
    assert code == 0, err
    assert any(row.get("active") for row in json.loads(out)["versions"]), out
    code, out, err = _run(capsys, "index", str(src), "--catalog", str(mounted))
    assert code == 3 and "read-only: changes are off" in err, (code, err)
    assert "Errno 30" not in err
    assert _snapshot(cat) == before  # and nothing was written through the other path either


def test_gui_screenshot_opens_read_only_with_its_banner(read_only_catalog, tmp_path):
    from PIL import Image

    _cat, mounted, _src = read_only_catalog
    out = tmp_path / "ro.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "app", "gui", "--catalog", str(mounted), "--screenshot", str(out),
                           "--size", "1366x768"], cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    for sign in ("Traceback", "Errno 30", "readonly database"):  # nothing tried to write
        assert sign not in done.stderr, done.stderr[-3000:]
    with Image.open(out) as img:
        assert img.size == (1366, 768)


def test_window_says_read_only_and_refuses_writes(read_only_catalog, qtbot, leak_check):
    from tests.gui_fixtures import close_window, open_window

    _cat, mounted, _src = read_only_catalog
    window, context = open_window(qtbot, mounted)
    try:
        assert context.read_only and "read-only: changes are off" in context.catalog.read_only_reason
        assert window.read_only_badge.isVisible()
        assert "read-only: changes are off" in window.read_only_badge.text().lower()
        assert "(read-only)" in window.windowTitle()
        with qtbot.waitSignal(context.error, timeout=5000) as refused:
            assert context.start_index_job([_src]) is None
        assert "read-only" in refused.args[0] and "read-only file system" in refused.args[1]
    finally:
        close_window(window, context)
