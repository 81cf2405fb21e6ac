"""The headless CLI: import, check, repair, purge and workspaces, run as a user would run them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image

from app.cli import main


def _cli(capsys, *argv) -> dict:
    code = main(list(argv))
    out = capsys.readouterr().out
    return {"code": code, **json.loads(out)}


def _folder(root: Path, n: int = 3) -> Path:
    for i in range(n):
        folder = root / f"item-{i}"
        folder.mkdir(parents=True)
        Image.new("RGB", (40, 30), (i * 60, 100, 200 - i * 50)).save(folder / "main.jpg")
        (folder / "product.json").write_text(json.dumps({"sku": f"I{i}", "title": f"Item {i}"}))
    return root


def test_index_import_only_and_check(tmp_path, capsys):
    src = _folder(tmp_path / "src")
    cat = tmp_path / "cat"
    out = _cli(capsys, "index", str(src), "--catalog", str(cat), "--import-only", "--json")
    assert out["products"] == 3 and out["images"] == 3 and out["errors"] == [] and out["seconds"] >= 0
    check = _cli(capsys, "check", "--catalog", str(cat), "--json")
    assert check["products"] == 3 and check["ok"] is True and check["orphans"] == []


def test_check_reports_and_repairs_orphans(tmp_path, capsys):
    import numpy as np

    from core.catalog.catalog import Catalog

    src = _folder(tmp_path / "src")
    cat = tmp_path / "cat"
    _cli(capsys, "index", str(src), "--catalog", str(cat), "--import-only", "--json")
    with Catalog.open(cat) as catalog:
        catalog.register_index("m", dim=4, embedder="test", preprocess_version="p")
        store = catalog.vector_store("m", 4)
        store.add([1, 999], np.eye(4, dtype=np.float32)[:2])
    bad = _cli(capsys, "check", "--catalog", str(cat), "--json")
    assert bad["code"] == 1 and bad["orphans"] == [999] and bad["ok"] is False
    fixed = _cli(capsys, "check", "--catalog", str(cat), "--repair", "--json")
    assert fixed["repaired"] is True
    again = _cli(capsys, "check", "--catalog", str(cat), "--json")
    assert again["ok"] is True and again["vectors"] == 1


def test_workspaces_switch_catalogs(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CATALOG_CURATOR_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("CATALOG_CURATOR_DATA", str(tmp_path / "data"))
    src = _folder(tmp_path / "src", n=2)
    _cli(capsys, "workspace", "add", "shoes", str(tmp_path / "shoes"), "--json")
    listed = _cli(capsys, "workspace", "use", "shoes", "--json")
    assert [w["name"] for w in listed["workspaces"] if w["current"]] == ["shoes"]
    _cli(capsys, "index", str(src), "--import-only", "--json")
    assert (tmp_path / "shoes" / "catalog.sqlite").exists()
    _cli(capsys, "workspace", "use", "default", "--json")
    other = _cli(capsys, "check", "--json")
    assert other["products"] == 0  # no leak between workspaces
    shoes = _cli(capsys, "check", "--workspace", "shoes", "--json")
    assert shoes["products"] == 2
    assert main(["workspace", "add", "../evil", "--json"]) == 2  # a message naming the bad character, no traceback


def test_module_entry_point_runs(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "app", "check", "--catalog", str(tmp_path / "c"), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["products"] == 0
