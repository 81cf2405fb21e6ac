"""`check` tells the truth and `check --repair` fixes what can be fixed: each damage from issue 12, on a real
catalog (tiny real models, real SQLite, real USearch files), through the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from app.cli import main
from core.catalog import db
from core.catalog.catalog import Catalog
from core.pipeline.embed_cache import EmbeddingCache
from tests.test_indexer import _make_products


def _check(capsys, root, *extra):
    code = main(["check", "--catalog", str(root), "--json", *extra])
    report = json.loads(capsys.readouterr().out)
    report["code"] = code
    return report


def _reasons(report) -> str:
    return " | ".join(f["reason"] for f in report["findings"])


@pytest.fixture(scope="module")
def base(tmp_path_factory, tiny_model_settings):
    """An indexed catalog of 5 products where a curator chose product 0's primary crop."""
    from core.jobs import run_index_job
    from core.models.registry import ModelRegistry
    from core.review import Reviewer

    tmp = tmp_path_factory.mktemp("check-base")
    src = _make_products(tmp / "src", n=5)
    root = tmp / "cat"
    catalog = Catalog.open(root)
    catalog.settings.models = tiny_model_settings
    catalog.save_settings()
    registry = ModelRegistry(catalog.settings.models)
    run_index_job(catalog, registry, [src])
    product = db.Product.get(db.Product.sku == "SKU-0")
    image = db.ImageFile.select().where(db.ImageFile.product == product).first()
    reviewer = Reviewer(catalog, registry)
    crop = reviewer.add_box(image.id, (3, 3, image.width - 20, image.height - 9), make_primary=True).correction.crop
    reviewer.close()
    registry.close()
    version = catalog.active_model_version()
    _, vectors = catalog.vector_store(version).get([product.id])
    catalog.close()
    return {"root": root, "product": product.id, "crop": crop.id, "vector": vectors[0], "version": version}


@pytest.fixture
def cat(base, tmp_path):
    root = tmp_path / "cat"
    shutil.copytree(base["root"], root)
    yield root
    db.close_database()


def _index_file(root, suffix):
    return next((root / "vectors").glob(f"*{suffix}"))


def _nothing_lost(root, base):
    """After repair: a vector for every indexed product, and the curator's primary still the product's vector."""
    with Catalog.open(root) as catalog:
        store = catalog.vector_store(base["version"])
        indexed = {p.id for p in db.Product.select().where(db.Product.status == "indexed")}
        assert len(indexed) == 5 and set(store.keys().tolist()) == indexed
        _, got = store.get([base["product"]])
        assert float(got[0] @ base["vector"]) / np.linalg.norm(got[0]) / np.linalg.norm(base["vector"]) > 0.999
        assert db.Crop.get_by_id(base["crop"]).is_primary


def test_a_healthy_catalog_is_ok(cat, capsys):
    report = _check(capsys, cat, "--deep")
    assert report["ok"] and report["code"] == 0 and report["vectors"] == 5, report["findings"]


@pytest.mark.parametrize("damage", ["truncated", "manifest-missing", "manifest-garbage", "wrong-dim",
                                    "file-missing"])
def test_damaged_vector_index_is_found_and_rebuilt(cat, base, capsys, damage):
    usearch, manifest = _index_file(cat, ".usearch"), _index_file(cat, ".json")
    if damage == "truncated":
        data = usearch.read_bytes()
        usearch.write_bytes(data[: len(data) // 2])
    elif damage == "manifest-missing":
        manifest.unlink()
    elif damage == "manifest-garbage":
        manifest.write_text("{not json")
    elif damage == "wrong-dim":
        manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "dim": 3}))
    elif damage == "file-missing":
        usearch.unlink()
    report = _check(capsys, cat)
    assert not report["ok"] and report["code"] == 1
    assert "vector index" in _reasons(report) and all(f["repairable"] for f in report["findings"]
                                                      if f["kind"] == "vectors")
    fixed = _check(capsys, cat, "--repair")  # must not itself fail on the damage it is asked to fix
    assert fixed["ok"] and fixed["code"] == 0, fixed["findings"]
    assert _check(capsys, cat)["ok"]
    _nothing_lost(cat, base)


def test_reverted_correction_in_the_index_is_found_and_put_back(cat, base, capsys):
    """A stale save overwrote the curator's primary-crop vector: `check` used to say ok."""
    with Catalog.open(cat) as catalog, catalog.writing():
        store = catalog.vector_store(base["version"])
        store.add([base["product"]], np.roll(base["vector"], 7)[None])
    report = _check(capsys, cat)
    assert not report["ok"] and "correction was overwritten" in _reasons(report)
    assert _check(capsys, cat, "--repair")["ok"]
    _nothing_lost(cat, base)


def test_garbage_embedding_cache_is_found_and_set_aside(cat, base, capsys):
    cache = cat / "cache" / "embeddings.sqlite"
    for suffix in ("-wal", "-shm"):
        (cat / "cache" / f"embeddings.sqlite{suffix}").unlink(missing_ok=True)
    cache.write_bytes(os.urandom(8192))
    report = _check(capsys, cat)
    assert not report["ok"] and "embedding cache is unreadable" in _reasons(report)
    assert _check(capsys, cat, "--repair")["ok"]
    _nothing_lost(cat, base)


def test_damaged_cache_rows_are_found_and_dropped(cat, base, capsys):
    con = sqlite3.connect(cat / "cache" / "embeddings.sqlite")
    with con:
        con.execute("UPDATE embedding SET vector = x'00ff' WHERE sha256 IN (SELECT sha256 FROM embedding LIMIT 1)")
    con.close()
    report = _check(capsys, cat)
    assert not report["ok"] and "embedding-cache rows are damaged" in _reasons(report)
    assert _check(capsys, cat, "--repair")["ok"]


def test_corrupted_database_page_is_found_and_the_backup_named(cat, capsys):
    from core.catalog.backup import backup
    from core.paths import CatalogPaths

    saved = backup(CatalogPaths(cat), "test")
    db_path = cat / "catalog.sqlite"
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()
    with open(db_path, "r+b") as fh:  # garble the second half of the file, page headers included
        for page in range(pages // 2, pages):
            fh.seek(page * page_size)
            fh.write(os.urandom(page_size))
    report = _check(capsys, cat)
    assert not report["ok"] and report["code"] == 1
    assert "damaged" in _reasons(report) and not report["findings"][0]["repairable"]
    assert report["backup"] and str(saved.name) in report["backup"]


def test_bit_flipped_blob_is_found_by_plain_check(cat, capsys):
    """Issue 27: plain check hashes a sample of stored photos (here all 10: fewer than BLOB_SAMPLE)."""
    blob = next(p for p in (cat / "blobs").rglob("*") if p.is_file())
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0x01
    blob.write_bytes(bytes(data))
    report = _check(capsys, cat)
    assert not report["ok"] and "sha256 differs" in _reasons(report)
    report = _check(capsys, cat, "--deep")
    assert not report["ok"] and "sha256 differs" in _reasons(report) and "sampled" not in _reasons(report)


def test_products_stuck_after_disk_full_are_requeued(cat, capsys):
    with Catalog.open(cat):
        victim = db.Product.get(db.Product.sku == "SKU-3")
        db.IndexingResult.create(product=victim, status="error", model_version="x",
                                 error="indexing failed: [Errno 28] No space left on device")
        db.Product.update(status="error").where(db.Product.id == victim.id).execute()
    report = _check(capsys, cat)
    assert not report["ok"] and "No space left on device" in _reasons(report)
    fixed = _check(capsys, cat, "--repair")
    assert fixed["ok"]
    with Catalog.open(cat):
        assert db.Product.get(db.Product.sku == "SKU-3").status == "imported"  # the next index picks it up


def test_job_left_running_by_a_killed_process_is_retired_as_failed(cat, capsys):
    """Issue 27: dead jobs made `check` fail 14 times in 20 and nothing retired them. Now plain `check` retires
    them (failed, with the reason) and says so as a warning."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # a pid that no longer runs
    with Catalog.open(cat):
        job = db.Job.create(kind="index", state="running", started_at=db.utcnow(), heartbeat_at=db.utcnow(),
                            params={"folders": [], "owner": {"pid": proc.pid, "host": __import__("socket")
                                                             .gethostname()}})
    report = _check(capsys, cat)
    assert report["ok"] and "left running by a process that stopped" in _reasons(report)
    assert f"pid {proc.pid}" in _reasons(report)
    with Catalog.open(cat):
        retired = db.Job.get_by_id(job.id)
        assert retired.state == "failed" and f"pid {proc.pid}" in retired.error
    again = _check(capsys, cat)
    assert again["ok"] and "left running" not in _reasons(again)  # retired once, not reported forever


def test_valid_index_of_another_dimension_is_a_finding_not_a_crash(cat, base, capsys, tmp_path):
    """Issue 27: a valid 64-dim .usearch whose manifest checksum matches made check crash ("cannot reshape")."""
    import hashlib

    from usearch.index import Index

    usearch, manifest = _index_file(cat, ".usearch"), _index_file(cat, ".json")
    foreign = Index(ndim=64, metric="cos", dtype="f32")
    keys = np.arange(1, 6, dtype=np.uint64)
    foreign.add(keys, np.random.default_rng(0).normal(size=(5, 64)).astype(np.float32))
    foreign.save(str(usearch))
    data = usearch.read_bytes()
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "count": 5,
                                    "checksum": hashlib.sha256(data).hexdigest()}))
    report = _check(capsys, cat)
    assert not report["ok"] and report["code"] == 1
    assert "64-dimensional" in _reasons(report), _reasons(report)
    fixed = _check(capsys, cat, "--repair")
    assert fixed["ok"], fixed["findings"]
    _nothing_lost(cat, base)
    code = main(["search", "--image", str(next((cat / "blobs").rglob("*.jpg"))), "--catalog", str(cat), "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["results"]


def test_changed_detector_weights_are_found(cat, capsys):
    import hashlib

    folder = cat / "detectors"
    folder.mkdir()
    weights = folder / "product-20260101-000000.pt"
    weights.write_bytes(os.urandom(4096))
    (folder / "product-20260101-000000.json").write_text(json.dumps(
        {"version": weights.stem, "sha256": hashlib.sha256(weights.read_bytes()).hexdigest()}))
    (folder / "active.json").write_text(json.dumps({"version": weights.stem}))
    assert _check(capsys, cat)["ok"]
    data = bytearray(weights.read_bytes())
    data[100] ^= 0xFF
    weights.write_bytes(bytes(data))
    report = _check(capsys, cat)
    assert not report["ok"] and "product detector" in _reasons(report) and "in use" in _reasons(report)


def test_repair_never_leaves_a_product_without_its_vector(cat, base, capsys):
    """Issue 27: with the cache missing a product's crops and its vector gone, repair left it "imported" with
    no vector. Now repair embeds it again from its stored photos."""
    with Catalog.open(cat) as catalog, catalog.writing():
        catalog.vector_store(base["version"]).remove([base["product"]])
        shas = [i.sha256 for i in db.ImageFile.select().where(db.ImageFile.product == base["product"])]
    con = sqlite3.connect(cat / "cache" / "embeddings.sqlite")
    with con:
        con.executemany("DELETE FROM embedding WHERE sha256 = ?", [(s,) for s in shas])
    con.close()
    assert not _check(capsys, cat)["ok"]
    fixed = _check(capsys, cat, "--repair")
    assert fixed["ok"] and fixed["reindexed"] == [base["product"]], fixed
    with Catalog.open(cat) as catalog:
        store = catalog.vector_store(base["version"])
        indexed = {p.id for p in db.Product.select().where(db.Product.status == "indexed")}
        assert len(indexed) == 5 and set(store.keys().tolist()) == indexed


def test_imported_but_never_indexed_is_said(cat, capsys, tmp_path):
    _make_products(tmp_path / "more", n=1)
    (tmp_path / "more" / "p0" / "product.json").write_text(json.dumps({"sku": "NEW-1", "title": "new"}))
    main(["index", str(tmp_path / "more"), "--catalog", str(cat), "--import-only", "--json"])
    capsys.readouterr()
    report = _check(capsys, cat)
    assert report["ok"]  # consistent: indexing is simply still to do
    assert any(f["kind"] == "not_indexed" and f["count"] == 1 for f in report["findings"])


def test_missing_vectors_come_back_from_the_cache(cat, base, capsys):
    with Catalog.open(cat) as catalog, catalog.writing():
        catalog.vector_store(base["version"]).remove([base["product"]])
    report = _check(capsys, cat)
    assert not report["ok"] and report["missing"] == [base["product"]]
    assert _check(capsys, cat, "--repair")["ok"]
    _nothing_lost(cat, base)
    cache = EmbeddingCache(cat / "cache" / "embeddings.sqlite")
    assert cache.count() > 0
    cache.close()


def test_the_next_index_run_marks_a_killed_job_interrupted(cat, capsys, tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    with Catalog.open(cat):
        job = db.Job.create(kind="index", state="running", started_at=db.utcnow(), heartbeat_at=db.utcnow(),
                            params={"folders": [], "owner": {"pid": proc.pid, "host": __import__("socket")
                                                             .gethostname()}})
    (tmp_path / "empty").mkdir()
    assert main(["index", str(tmp_path / "empty"), "--catalog", str(cat), "--import-only", "--json"]) == 0
    capsys.readouterr()
    with Catalog.open(cat):
        assert db.Job.get_by_id(job.id).state == "interrupted"
    assert _check(capsys, cat)["ok"]
