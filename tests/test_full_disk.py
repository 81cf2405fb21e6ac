"""A full disk: a clear error, committed products intact, a consistent catalog (a real tmpfs mount)."""

from __future__ import annotations

import json
import os
import subprocess
import uuid

import numpy as np
import pytest
from PIL import Image

from core.catalog import db
from core.catalog.catalog import Catalog
from core.catalog.check import check_catalog
from core.catalog.importer import import_folders


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MiB tmpfs: needs root (CI runs as root); elsewhere the test skips with this reason."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount tmpfs here: {proc.stderr.decode().strip()}")
    yield mount
    db.close_database()
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _noisy_products(root, n, size=(300, 300)):
    rng = np.random.default_rng(0)
    for i in range(n):
        folder = root / f"p{i:02d}"
        folder.mkdir(parents=True)
        pixels = rng.integers(0, 255, (*size, 3), dtype=np.uint8)  # incompressible: fills the disk fast
        Image.fromarray(pixels).save(folder / "main.png")
        (folder / "product.json").write_text(json.dumps({"sku": f"S{i:02d}", "title": uuid.uuid4().hex}))
    return root


def test_import_onto_full_disk_loses_nothing(small_disk, tmp_path):
    src = _noisy_products(tmp_path / "src", 20)  # ~270 KB each: about 10 fit
    catalog = Catalog.open(small_disk / "cat")
    summary = import_folders(catalog.paths, [src])
    assert 0 < summary.products < 20
    full = [e for e in summary.errors if "space" in e["reason"].lower() or "full" in e["reason"].lower()]
    assert full, summary.errors
    committed = {p.sku for p in db.Product.select()}
    assert len(committed) == summary.products
    report = check_catalog(catalog)
    assert report["ok"], report  # every committed image has its blob
    assert not list((small_disk / "cat" / "blobs").rglob(".tmp-*"))  # no half-written blobs left behind
    catalog.close()

    # Reopen: the database is intact and the committed products are all there.
    again = Catalog.open(small_disk / "cat")
    assert {p.sku for p in db.Product.select()} == committed
    assert db.database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    again.close()
