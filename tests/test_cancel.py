"""Cancel is bounded by design: the real job runner (import + index, tiny real models) stops at the next batch
boundary after Cancel, so at most the model call in flight finishes and no product is written after it.

No wall clock here (bench/interactive.py reports cancel_latency_s with the real offline embedder): the bound
is counted in model calls started and products written after the cancel.
"""

from __future__ import annotations

import threading

import pytest

from core.catalog import db
from core.catalog.catalog import Catalog
from core.jobs import run_index_job
from tests.test_indexer import _make_products


@pytest.fixture
def catalog(tmp_path, tiny_model_settings):
    cat = Catalog.open(tmp_path / "cat")
    cat.settings.models = tiny_model_settings  # batch 8 images: groups of 4 two-photo products
    cat.save_settings()
    yield cat
    cat.close()


def _indexed() -> int:
    return db.Product.select().where(db.Product.status == "indexed").count()


@pytest.mark.parametrize("call", ["embed_images", "embed_texts"])
def test_cancel_during_a_model_call_writes_nothing_more(catalog, registry, tmp_path, call):
    """The click lands while a model call of the second batch is in flight (the first batch is written)."""
    src = _make_products(tmp_path / "src", n=8)
    embedder = registry.embedder()
    assert embedder.supports_text
    cancel = threading.Event()
    armed = threading.Event()  # set once the first batch is written: the cancel then comes mid-batch
    seen: dict[str, int] = {}
    started_after_cancel: list[str] = []
    originals = {name: getattr(embedder, name) for name in ("embed_images", "embed_texts")}

    def watch(name):
        def wrapped(*args, **kwargs):
            if cancel.is_set():
                started_after_cancel.append(name)
            elif name == call and armed.is_set():
                seen["indexed_at_cancel"] = _indexed()
                cancel.set()  # Cancel pressed while this call runs
            return originals[name](*args, **kwargs)
        return wrapped

    def progress(done, total, message):
        if not message.startswith("importing") and done >= 4:
            armed.set()

    def should_stop() -> bool:
        if cancel.is_set() and "indexed_at_ack" not in seen:
            seen["indexed_at_ack"] = _indexed()  # the job sees the cancel here
        return cancel.is_set()

    for name in originals:
        setattr(embedder, name, watch(name))  # count calls on the real embedder; no behaviour changes
    try:
        result = run_index_job(catalog, registry, [src], progress=progress, should_stop=should_stop)
    finally:
        for name in originals:
            delattr(embedder, name)
    assert cancel.is_set(), "the job ended before the cancel; make it longer"
    assert result["cancelled"] and db.Job.get_by_id(result["job_id"]).state == "cancelled"
    assert started_after_cancel == [], "a model call started after the cancel"
    assert seen["indexed_at_cancel"] == seen["indexed_at_ack"] == 4
    assert _indexed() == 4 and result["indexed"] == 4, "a product was indexed after the cancel was seen"
    assert db.Product.select().where(db.Product.status == "imported").count() == 4  # left for the next run
    assert db.IndexingResult.select().count() == 4

    again = run_index_job(catalog, registry, [])  # nothing was lost: the next run indexes the rest
    assert again["indexed"] == 4 and not again["cancelled"] and _indexed() == 8


def test_cancel_between_batches_stops_before_the_next(catalog, registry, tmp_path):
    src = _make_products(tmp_path / "src", n=8)
    cancel = threading.Event()

    def progress(done, total, message):
        if not message.startswith("importing") and done >= 4:
            cancel.set()

    result = run_index_job(catalog, registry, [src], progress=progress, should_stop=cancel.is_set)
    assert result["cancelled"] and result["indexed"] == 4 and _indexed() == 4
