"""The model thread's priorities: a search sent while an import+index job runs comes back before the job
ends (it runs at the job's next batch boundary), with real tiny models, a real catalog and real threads."""

from __future__ import annotations

import threading
import time

import pytest

from app.workers.jobs import search_task
from app.workers.model_thread import BACKGROUND, INTERACTIVE, ModelTask, TaskQueue
from core import scheduling
from tests.gui_fixtures import *  # noqa: F403  (fixtures)
from tests.gui_fixtures import make_products

pytestmark = pytest.mark.gui


def test_queue_serves_interactive_first_then_in_order():
    queue = TaskQueue()
    tasks = [ModelTask(lambda *a: None, name, priority=p)
             for name, p in [("index", BACKGROUND), ("sync", BACKGROUND), ("search", INTERACTIVE),
                             ("correct", INTERACTIVE)]]
    for task in tasks:
        queue.put(task)
    assert scheduling.interactive_pending()
    assert queue.pop(INTERACTIVE).name == "search"
    assert queue.pop(INTERACTIVE).name == "correct"
    assert not scheduling.interactive_pending()
    assert queue.pop(INTERACTIVE) is None  # a checkpoint never starts another background job
    assert [queue.pop().name, queue.pop().name] == ["index", "sync"]
    assert queue.pop() is None


def test_checkpoint_is_inert_without_a_scheduler_and_inside_transactions(tmp_path):
    from core.catalog import db
    from core.catalog.catalog import Catalog

    ran = []
    scheduling.set_pending(True)
    try:
        scheduling.checkpoint()  # no hook on this thread (the CLI): nothing happens
        with Catalog.open(tmp_path / "c"), scheduling.yielding_to(lambda: ran.append("now")):
            db.transaction(scheduling.checkpoint)  # a job's batch is being written: not here
            assert ran == []
            scheduling.checkpoint()
            assert ran == ["now"]
    finally:
        scheduling.set_pending(False)


def test_search_completes_while_an_import_job_is_midway(qtbot, leak_check, indexed_catalog_dir, tmp_path):
    from app.context import AppContext
    from core.search.query import SearchRequest

    context = AppContext.open(indexed_catalog_dir)
    try:
        qtbot.waitUntil(lambda: context.models.ready, timeout=120_000)
        assert context.models.status.get("state") == "ready", context.models.status
        folder = make_products(tmp_path / "more", 80, start=100)
        record = context.start_index_job([folder])
        # Wait until the job is indexing (past the import) and not near its end.
        qtbot.waitUntil(lambda: record.phase == "indexing" and record.done > 0 or record.ended, timeout=120_000)
        assert not record.ended, "the job ended before the search could be sent; make it longer"
        sent_at_done = record.done
        search = search_task(context.catalog, SearchRequest(text="red product", k=5))
        with qtbot.waitSignal(search.signals.result, timeout=60_000) as got:  # connected before it can run
            context.models.submit(search)
        job_done_at_answer, job_ended_at_answer = record.done, record.ended
        assert got.args[0].results, "the search found nothing"
        assert not job_ended_at_answer, "the search waited for the whole job"
        assert job_done_at_answer < record.total
        assert sent_at_done < record.total
        qtbot.waitUntil(lambda: record.ended, timeout=300_000)
        assert record.state == "succeeded", record.message
        assert record.result.indexed == 80
    finally:
        context.shutdown()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(t.name == "decode-ahead" for t in threading.enumerate()):
        time.sleep(0.05)


def test_text_search_runs_beside_a_background_model_call_in_flight(qtbot, leak_check, indexed_catalog_dir):
    """The background call here never reaches a checkpoint until released: the search must not wait for it."""
    from app.context import AppContext
    from core.search.query import SearchRequest

    context = AppContext.open(indexed_catalog_dir)
    release, calling = threading.Event(), threading.Event()
    calls: list[int] = []

    def long_call(registry, progress, should_stop):
        embedder = registry.embedder()
        calling.set()
        while not release.wait(0):  # one long model call: real text encodes, no checkpoint in between
            embedder.embed_texts(["a background product text"] * 4)
            calls.append(1)
            if len(calls) > 5000:
                raise AssertionError("never released")
        return len(calls)

    try:
        qtbot.waitUntil(lambda: context.models.ready, timeout=120_000)
        assert context.models.status.get("state") == "ready", context.models.status
        job = context.models.submit(ModelTask(long_call, "long call", priority=BACKGROUND))
        qtbot.waitUntil(calling.is_set, timeout=60_000)
        search = search_task(context.catalog, SearchRequest(text="red product", k=5))
        with qtbot.waitSignal(search.signals.result, timeout=60_000) as got:  # connected before it can run
            context.models.submit(search)
        assert not release.is_set(), "the background call ended before the search answered"
        assert got.args[0].results, "the search found nothing"
        with qtbot.waitSignal(job.signals.finished, timeout=60_000):
            release.set()
        assert calls, "the background call never ran"
    finally:
        release.set()
        context.shutdown()


def test_a_job_holds_at_its_next_checkpoint_while_work_runs_beside_it(tmp_path):
    """What a search beside a job competes with is bounded by design: the rest of the job's current call.
    Counted in calls the job starts while the search runs (at most the one in flight finishes), not timed."""
    from core.catalog.catalog import Catalog

    calls, done = [], threading.Event()
    inside = threading.Event()

    def job() -> None:
        with scheduling.yielding_to(lambda: None):
            while not done.is_set():
                scheduling.checkpoint()
                calls.append(inside.is_set())  # one "model call" started, and whether work ran beside it
                time.sleep(0.002)

    with Catalog.open(tmp_path / "c"):
        worker = threading.Thread(target=job, name="job")
        worker.start()
        try:
            while len(calls) < 5:
                time.sleep(0.001)
            with scheduling.running_beside():
                inside.set()
                assert scheduling.interactive_pending()  # decode-ahead helpers pause too
                time.sleep(0.2)  # the search's length; the job would start ~100 calls meanwhile
                inside.clear()
            started_beside = sum(calls)
            assert started_beside <= 1, f"the job started {started_beside} calls beside the search"
            held_at = len(calls)
            deadline = time.monotonic() + 30
            while len(calls) <= held_at + 2 and time.monotonic() < deadline:
                time.sleep(0.005)
            assert len(calls) > held_at + 2, "the job did not go on after the search"
        finally:
            done.set()
            worker.join()


def test_image_search_runs_beside_an_index_jobs_detector_call_held_midway(qtbot, leak_check, indexed_catalog_dir,
                                                                         tmp_path):
    """A real index job is held inside its second detector call (tiny YOLO, real photos): an image search sent
    then must answer before the call is released, with the lane's own detector (an ultralytics model must not
    run on two threads at once), never through the job's."""
    from app.context import AppContext
    from core.models.state import ModelState
    from core.search.query import SearchRequest

    context = AppContext.open(indexed_catalog_dir)
    release, holding = threading.Event(), threading.Event()
    job_calls: list[int] = []
    record = None
    try:
        qtbot.waitUntil(lambda: context.models.ready, timeout=120_000)
        assert context.models.status.get("state") is ModelState.READY, context.models.status
        job_detector = context.models._worker.registry.detector()  # loaded with the models, used by the job
        assert job_detector is not None
        detect = job_detector.detect

        def held(images, *args, **kwargs):
            job_calls.append(len(images))
            if len(job_calls) == 2:  # mid-way through the job
                holding.set()
                release.wait(120)
            return detect(images, *args, **kwargs)

        job_detector.detect = held
        folder = make_products(tmp_path / "more", 12, start=100)
        record = context.start_index_job([folder])
        qtbot.waitUntil(lambda: holding.is_set() or record.ended, timeout=120_000)
        assert holding.is_set(), "the job never reached its second detector call"
        search = search_task(context.catalog, SearchRequest(image=str(folder / "p0105" / "main.jpg"), k=5))
        with qtbot.waitSignal(search.signals.result, timeout=60_000) as got:  # connected before it can run
            context.models.submit(search)
        assert not release.is_set() and not record.ended, "the search waited for the job's call"
        assert len(job_calls) == 2, "the search ran through the job's detector"
        response = got.args[0]
        assert response.kind == "image" and response.results, "the image search found nothing"
        release.set()
        qtbot.waitUntil(lambda: record.ended, timeout=300_000)
        assert record.state == "succeeded", record.message
    finally:
        release.set()
        if record is not None:
            qtbot.waitUntil(lambda: record.ended, timeout=300_000)
        context.shutdown()
