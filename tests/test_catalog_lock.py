"""One writer per catalog, any number of readers, across real processes (subprocesses, real SQLite/USearch)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from core.catalog import db
from core.catalog.catalog import Catalog
from core.catalog.lock import CatalogBusy
from core.vectors import VectorStore

REPO = Path(__file__).resolve().parents[1]
DIM = 8


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def _py(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *args], cwd=REPO, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"helper exited early: {proc.communicate()}")
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def _vector_catalog(root: Path) -> None:
    with Catalog.open(root) as catalog:
        catalog.register_index("m", dim=DIM, embedder="test", preprocess_version="p")
        with catalog.writing():
            catalog.vector_store("m", DIM)
            catalog._stores["m"]._mark_dirty()


WRITER = """
    import sys, numpy as np
    from core.catalog.catalog import Catalog
    root, offset, explicit = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
    catalog = Catalog.open(root)
    store = catalog.vector_store("m")
    rng = np.random.default_rng(offset)
    for key in range(offset, offset + 40):
        store.search(rng.normal(size=8).astype(np.float32), 3)  # a reader too: its memory gets old
        if explicit:
            with catalog.writing():
                store.add([key], rng.normal(size=(1, 8)))
        else:  # the plain path: add in memory, save (the save takes the lock and merges)
            store.add([key], rng.normal(size=(1, 8)))
            store.save()
    catalog.close()
"""


@pytest.mark.parametrize("explicit", [True, False], ids=["writing-block", "plain-save"])
def test_two_writers_lose_no_update(tmp_path, explicit):
    root = tmp_path / "cat"
    _vector_catalog(root)
    procs = [_py(WRITER, str(root), str(offset), "1" if explicit else "0") for offset in (1_000, 2_000, 3_000)]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    store = VectorStore.open(root / "vectors", "m")  # also proves the file matches its manifest
    assert sorted(store.keys().tolist()) == [k for o in (1_000, 2_000, 3_000) for k in range(o, o + 40)]


HOLDER = """
    import sys, time, numpy as np
    from pathlib import Path
    from core.catalog.catalog import Catalog
    root, ready, hold = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
    catalog = Catalog.open(root)
    with catalog.writing():
        catalog.vector_store("m").add([7], np.ones((1, 8)))  # unsaved: the .dirty marker is there
        ready.touch()
        time.sleep(hold)
    catalog.close()
"""


def test_a_reader_never_recovers_a_live_writer(tmp_path):
    root = tmp_path / "cat"
    _vector_catalog(root)
    ready = tmp_path / "ready"
    writer = _py(HOLDER, str(root), str(ready), "600")
    try:
        _wait_for(ready, writer)
        marker = next((root / "vectors").glob("*.dirty"))
        manifest = next((root / "vectors").glob("*.json")).read_text()
        reader = Catalog.open(root)  # what search, analytics and the GUI do first
        try:
            assert reader.recover_if_abandoned() == {}
            assert len(reader.vector_store("m")) == 0  # the writer's unsaved vector is not ours to replay
            with pytest.raises(CatalogBusy, match=r"pid \d+"), reader.writing(timeout=0.3):
                pass
        finally:
            reader.close()
        assert marker.exists() and next((root / "vectors").glob("*.json")).read_text() == manifest
        os.kill(writer.pid, signal.SIGKILL)  # now it really crashes
        writer.wait()
        after = Catalog.open(root)  # the lock is free: the dead writer's marker is replayed and cleared
        try:
            assert not marker.exists()
        finally:
            after.close()
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()


def test_cli_waits_behind_a_writer_then_runs_or_gives_up(tmp_path):
    root = tmp_path / "cat"
    _vector_catalog(root)
    ready = tmp_path / "ready"
    writer = _py(HOLDER, str(root), str(ready), "20")
    try:
        _wait_for(ready, writer)
        cmd = [sys.executable, "-m", "app.cli", "check", "--catalog", str(root), "--json"]
        busy = subprocess.run([*cmd, "--wait", "0.5"], cwd=REPO, env=_env(), capture_output=True, text=True,
                              timeout=120)
        assert busy.returncode == 3, busy
        assert f"pid {writer.pid}" in busy.stderr and "busy" in busy.stderr and "Traceback" not in busy.stderr
        waited = subprocess.run([*cmd, "--wait", "120"], cwd=REPO, env=_env(), capture_output=True, text=True,
                                timeout=180)
        assert "waiting for pid" in waited.stderr and "Traceback" not in waited.stderr
        report = json.loads(waited.stdout)  # it ran after the writer saved: the vector is there
        assert report["vectors"] == 1 and report["orphans"] == [7]  # (key 7 names no product)
    finally:
        writer.wait(timeout=60)


def test_a_stale_owner_file_does_not_block(tmp_path):
    root = tmp_path / "cat"
    _vector_catalog(root)
    # What a writer killed with -9 leaves: its owner file; the OS lock died with it.
    (root / "locks").mkdir(exist_ok=True)
    (root / "locks" / "writer.owner.json").write_text(json.dumps({"pid": 999_999, "host": "x", "since": "?"}))
    with Catalog.open(root, lock_timeout=1) as catalog, catalog.writing():
        assert catalog.lock.file.owner()["pid"] == os.getpid()


CORRECTOR = """
    import json, sys, time
    from pathlib import Path
    import numpy as np
    from core.catalog import db
    from core.catalog.catalog import Catalog
    from core.models.registry import ModelRegistry
    from core.review import Reviewer
    from core.search.query import SearchRequest, search
    root, stop, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    catalog = Catalog.open(root)  # like the GUI: one long-lived process with the index in memory
    registry = ModelRegistry(catalog.settings.models)
    reviewer = Reviewer(catalog, registry)
    targets = [p.id for p in db.Product.select().where(db.Product.sku.startswith("OLD")).order_by(db.Product.id)]
    done, n = [], 0
    while not stop.exists() or n < len(targets):
        pid = targets[n % len(targets)]
        search(catalog, registry, SearchRequest(similar_to=pid, k=5), log_query=False)
        image = db.ImageFile.select().where(db.ImageFile.product == pid).first()
        k = 2 + n % 25
        box = (k, k, image.width - k, image.height - k)
        applied = reviewer.add_box(image.id, box, make_primary=True)
        done.append({"product": pid, "crop": applied.correction.crop_id, "while_indexing": not stop.exists()})
        n += 1
    reviewer.close(); registry.close(); catalog.close()
    out.write_text(json.dumps(done))
"""


@pytest.mark.slow
def test_cli_index_while_another_process_searches_and_corrects(tmp_path, tiny_model_settings):
    from core.jobs import run_index_job
    from core.models.registry import ModelRegistry
    from core.pipeline.embed_cache import EmbeddingCache
    from tests.test_indexer import _make_products

    old = _make_products(tmp_path / "old", n=4)
    for i, folder in enumerate(sorted(old.iterdir())):  # distinct SKUs from the new batch
        meta = json.loads((folder / "product.json").read_text())
        (folder / "product.json").write_text(json.dumps({**meta, "sku": f"OLD-{i}"}))
    new = _make_products(tmp_path / "new", n=24)
    root = tmp_path / "cat"
    catalog = Catalog.open(root)
    catalog.settings.models = tiny_model_settings
    catalog.save_settings()
    registry = ModelRegistry(catalog.settings.models)
    run_index_job(catalog, registry, [old])
    registry.close()
    catalog.close()

    stop, out = tmp_path / "stop", tmp_path / "corrections.json"
    corrector = _py(CORRECTOR, str(root), str(stop), str(out))
    indexer = subprocess.Popen([sys.executable, "-m", "app.cli", "index", str(new), "--catalog", str(root),
                                "--json"], cwd=REPO, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        index_out, index_err = indexer.communicate(timeout=900)
    finally:
        stop.touch()
    assert indexer.returncode == 0, index_err
    _, err = corrector.communicate(timeout=600)
    assert corrector.returncode == 0, err
    corrections = json.loads(out.read_text())
    assert any(c["while_indexing"] for c in corrections), "no correction overlapped the index run"

    catalog = Catalog.open(root)
    try:
        version = catalog.active_model_version()
        info = db.VectorIndexInfo.get(db.VectorIndexInfo.model_version == version)
        store = catalog.vector_store(version)
        indexed = {p.id for p in db.Product.select().where(db.Product.status == "indexed")}
        assert len(indexed) == 28 and set(store.keys().tolist()) == indexed  # vectors == indexed products
        cache = EmbeddingCache(root / "cache" / "embeddings.sqlite")
        last = {c["product"]: c["crop"] for c in corrections}  # each product's latest correction wins
        for pid, crop_id in last.items():
            crop = db.Crop.get_by_id(crop_id)
            assert crop.is_primary and crop.curator_locked
            key = (crop.image.sha256, tuple(int(round(v)) for v in crop.box))
            want = cache.get_many([key], version, info.preprocess_version)[key]
            _, got = store.get([pid])
            assert float(got[0] @ want / np.linalg.norm(got[0]) / np.linalg.norm(want)) > 0.999, pid
        cache.close()
        from core.catalog.check import check_catalog

        report = check_catalog(catalog)
        assert report["ok"], report["findings"]
    finally:
        catalog.close()
