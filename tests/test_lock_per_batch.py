"""The writer lock is held per batch, not per job: an index run's model work leaves the lock free, so another
process (a curator's window) can write between two batches; each batch's writes hold it. A mechanism test, not a
timing one: bench/lock_wait.py measures the wait."""

from __future__ import annotations

import threading

import pytest

from core.catalog import crop_index, db
from core.catalog.catalog import Catalog
from core.catalog.lock import FileLock
from core.jobs import run_index_job
from tests.test_indexer import _make_products


@pytest.fixture
def catalog(tmp_path, tiny_model_settings):
    cat = Catalog.open(tmp_path / "cat")
    cat.settings.models = tiny_model_settings
    cat.settings.models.batch_size = 2  # one product (two photos) a batch: several batches in a tiny run
    cat.save_settings()
    yield cat
    cat.close()


def test_model_work_leaves_the_writer_lock_free_and_writes_hold_it(catalog, registry, tmp_path, monkeypatch):
    src = _make_products(tmp_path / "src", n=4)
    embedder = registry.embedder()
    real_embed, real_sync = embedder.embed_images, crop_index.sync_products
    free_during_model: list[bool] = []
    landed: list[str] = []
    held_while_writing: list[bool] = []

    def watched_embed(batch, *args, **kwargs):
        # Another process's view: the OS lock on writer.lock, taken through a file handle of its own.
        probe = FileLock(catalog.paths.root / "locks" / "writer.lock")
        free_during_model.append(probe.try_acquire())
        probe.release()
        # A curator's correction in this process (another thread) lands while the model works.
        def correct() -> None:
            with catalog.writing(timeout=5):
                db.transaction(lambda: db.Setting.insert(key=f"landed-{len(landed)}", value=1).execute())
                landed.append("ok")
        worker = threading.Thread(target=correct)
        worker.start()
        worker.join(10)
        return real_embed(batch, *args, **kwargs)

    def watched_sync(cat, product_ids, versions=None):
        held_while_writing.append(catalog.lock.held_by_this_thread() and catalog.lock.depth >= 1)
        return real_sync(cat, product_ids, versions)

    embedder.embed_images = watched_embed
    monkeypatch.setattr(crop_index, "sync_products", watched_sync)
    result = run_index_job(catalog, registry, [src])

    assert result["indexed"] == 4 and not result["errors"], result
    assert len(free_during_model) >= 4 and all(free_during_model), free_during_model  # never held by the job
    assert len(landed) == len(free_during_model)  # every correction got in during a batch, none waited for the job
    assert len(held_while_writing) >= 4 and all(held_while_writing)  # each batch's writes hold it
    assert not catalog.lock.held
    # What the other writer committed in between and what the batches wrote are both there.
    assert db.Setting.select().where(db.Setting.key.startswith("landed-")).count() == len(landed)
    store = catalog.vector_store(catalog.active_model_version())
    assert len(store) == 4


def test_released_gives_the_lock_back_only_to_the_outermost_holder(catalog):
    probe = FileLock(catalog.paths.root / "locks" / "writer.lock")
    with catalog.writing():
        assert not probe.try_acquire()
        with catalog.released():
            assert probe.try_acquire()  # another process may write now
            probe.release()
        assert catalog.lock.depth == 1 and not probe.try_acquire()
        with catalog.writing(), catalog.released():  # nested: an outer writer decides, the lock stays
            assert catalog.lock.depth == 2 and not probe.try_acquire()
    assert not catalog.lock.held
