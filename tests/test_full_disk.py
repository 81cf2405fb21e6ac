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


def test_index_on_a_full_disk_is_retried_by_the_next_run(small_disk, tmp_path, tiny_model_settings, capsys):
    """Disk full while indexing: the user reads "No space left on device", nothing is left in "error", and the
    next run, with space again, indexes everything."""
    from app.cli import main
    from tests.test_indexer import _make_products

    src = _make_products(tmp_path / "src", n=6)
    root = small_disk / "cat"
    catalog = Catalog.open(root)
    catalog.settings.models = tiny_model_settings
    catalog.save_settings()
    catalog.close()
    assert main(["index", str(src), "--catalog", str(root), "--import-only", "--json"]) == 0
    capsys.readouterr()
    filler = small_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)  # leave the disk full
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    os.truncate(filler, max(0, filler.stat().st_size - 160 * 1024))  # a little room: the run starts, then fills
    code = main(["index", str(src), "--catalog", str(root), "--json"])
    out = capsys.readouterr()
    said = out.out + out.err
    assert "No space left on device" in said, said
    filler.unlink()
    db.close_database()
    with Catalog.open(root):
        assert not db.Product.select().where(db.Product.status == "error").exists()  # to do, not failed for good
        todo = db.Product.select().where(db.Product.status != "indexed").count()
    assert code != 0 or todo == 0 or "retry" in said
    assert main(["index", str(src), "--catalog", str(root), "--json"]) == 0
    capsys.readouterr()
    with Catalog.open(root) as again:
        assert db.Product.select().where(db.Product.status == "indexed").count() == 6
        report = check_catalog(again)
        assert report["ok"], report["findings"]


def _fill(disk, leave: int) -> os.PathLike:
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def test_full_disk_is_a_state_job_failed_cache_kept(small_disk, tmp_path, tiny_model_settings, capsys):
    """Issue 27, defect 1: indexing onto a nearly full disk crashed with no JSON, left its job "running", and
    set the intact embedding cache aside as "damaged". Now: rc 1 with a JSON outcome naming the cause, the job
    failed (its last write fits in the catalog's space reserve), the cache where it was, check ok."""
    from app.cli import main
    from tests.test_indexer import _make_products

    src = _make_products(tmp_path / "src", n=6)
    root = small_disk / "cat"
    catalog = Catalog.open(root)
    catalog.settings.models = tiny_model_settings
    catalog.save_settings()
    assert catalog.space_reserve.is_file()
    catalog.close()
    assert main(["index", str(src), "--catalog", str(root), "--json"]) == 0  # a cache with rows, 6 indexed
    capsys.readouterr()
    cache = root / "cache" / "embeddings.sqlite"
    more = _make_products(tmp_path / "more", n=6)
    for n, folder in enumerate(sorted(more.iterdir())):
        (folder / "product.json").write_text(json.dumps({"sku": f"MORE-{n}", "title": f"more {n}"}))
    with Catalog.open(root):
        jobs_before = db.Job.select().count()
    db.close_database()
    filler = _fill(small_disk, 160 * 1024)  # room to start the job; the new photos fill the rest
    code = main(["index", str(more), "--catalog", str(root), "--json"])
    out = capsys.readouterr()
    said = out.out + out.err
    assert "No space left on device" in said, said
    if code != 0:  # stopped: the outcome is still JSON, and names the cause
        assert "{" in out.out, (code, said)
        outcome = json.loads(out.out[out.out.index("{"):])
        assert outcome["ok"] is False and "No space left" in outcome["stopped"]
    assert "Traceback" not in out.err
    assert cache.is_file() and not list(cache.parent.glob("*.damaged-*")), list(cache.parent.iterdir())
    filler.unlink()
    db.close_database()
    with Catalog.open(root) as again:
        assert not db.Job.select().where(db.Job.state == "running").exists()
        assert db.Job.select().count() == jobs_before + 1  # the run had started its job
        last = db.Job.select().order_by(db.Job.id.desc()).get()
        assert last.state == ("failed" if code else "succeeded"), (code, last.state)
        if code:
            assert "No space left" in last.error
        assert db.Product.select().where(db.Product.sku.startswith("SKU-"), db.Product.status == "indexed").count() == 6
        report = check_catalog(again)
        assert report["ok"], report["findings"]
        assert again.space_reserve.is_file()  # held again once space is back
