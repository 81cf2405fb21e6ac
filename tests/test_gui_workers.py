"""The worker contract without models: signals, throttling, cancel, the model thread's shutdown path."""

from __future__ import annotations

import threading
import time

import pytest

from app.workers.base import Task, Throttle
from app.workers.model_thread import ModelTask, ModelThread
from tests.gui_fixtures import leak_check  # noqa: F401  (fixture)

pytestmark = pytest.mark.gui


class FakeRegistry:
    def __init__(self) -> None:
        self.thread = None
        self.closed = False

    def embedder(self):
        self.thread = threading.current_thread()

    def detector(self):
        return None

    def status(self):
        return {"embedder": {"name": "fake", "state": "loaded", "supports_text": False}}

    def close(self):
        self.closed = True


def test_throttle_keeps_first_and_last():
    seen = []
    throttle = Throttle(lambda *a: seen.append(a), interval=10)
    for n in range(1000):
        throttle(n, 1000, "x")
    throttle(1000, 1000, "done")
    assert seen[0][0] == 0 and seen[-1] == (1000, 1000, "done") and len(seen) == 2


def test_pool_task_signals(qtbot, leak_check):  # noqa: F811
    from PySide6.QtCore import QThreadPool

    pool = QThreadPool()
    ok = Task(lambda progress, stop: 42, "ok")
    with qtbot.waitSignals([ok.signals.started, ok.signals.result, ok.signals.finished], order="strict"):
        pool.start(ok)
    bad = Task(lambda progress, stop: 1 / 0, "bad")
    with qtbot.waitSignal(bad.signals.failed) as failed:
        pool.start(bad)
    assert failed.args[0].startswith("ZeroDivisionError")
    pool.waitForDone()


def test_model_thread_runs_tasks_in_its_thread_and_shuts_down_while_busy(qtbot, leak_check):  # noqa: F811
    registry = FakeRegistry()
    models = ModelThread(lambda progress: registry)
    try:
        with qtbot.waitSignal(models.status_changed, check_params_cb=lambda s: s.get("state") == "ready"):
            models.start()
        where = []
        quick = ModelTask(lambda reg, progress, stop: where.append(threading.current_thread()) or reg)
        # Connected before submitting: the model thread may run it and emit before a later connect.
        with qtbot.waitSignal(quick.signals.result, timeout=60_000) as got:
            models.submit(quick)
        assert got.args[0] is registry and where[0] is registry.thread and where[0] is not threading.main_thread()

        steps: list[int] = []

        def long_job(reg, progress, stop):
            for n in range(600):  # 30 s unless cancelled
                if stop():
                    return "stopped"
                steps.append(n)
                progress(n, 600, "working")
                time.sleep(0.05)
            return "finished"

        job = ModelTask(long_job)
        with qtbot.waitSignal(job.signals.progress, timeout=60_000):
            models.submit(job)
        started = time.monotonic()
        with qtbot.waitSignal(job.signals.cancelled, timeout=60_000):
            at_shutdown = len(steps)
            ended = models.shutdown(timeout_ms=60_000)
        print(f"shutdown of a busy model thread: {time.monotonic() - started:.2f} s")
        # Bounded by design, not by the clock (a loaded machine once took > 5 s): the job stops at its next
        # stop() check, so at most the step under way when shutdown read its count and one more begin.
        assert len(steps) - at_shutdown <= 2, f"{len(steps) - at_shutdown} steps ran after shutdown"
        assert ended and registry.closed and not models.thread.isRunning()
    finally:
        models.shutdown(timeout_ms=60_000)  # a no-op once ended; a failure above must not leave it running
        models.deleteLater()


def test_interrupted_job_is_resumed_at_start_up(qtbot, tmp_path, tiny_model_settings, leak_check):  # noqa: F811
    """A job a crash left 'running' is finished when the app opens the catalog again."""
    import json

    from app.context import AppContext
    from core.catalog import db
    from core.catalog.catalog import Catalog
    from tests.test_indexer import _make_products

    src = _make_products(tmp_path / "src", n=2)
    catalog = Catalog.open(tmp_path / "cat")
    catalog.settings.models = tiny_model_settings
    catalog.save_settings()
    db.Job.create(kind="index", state="running", params={"folders": [str(src)]},
                  heartbeat_at=db.utcnow().replace(year=2020))
    context = AppContext(catalog)
    try:
        assert context.jobs, "no job was started for the interrupted one"
        qtbot.waitUntil(lambda: db.Product.select().where(db.Product.status == "indexed").count() == 2,
                        timeout=120_000)
        assert db.Job.select().where(db.Job.state == "running").count() <= 1
        assert json.dumps(db.Job.get_by_id(1).error)
    finally:
        context.shutdown()
        catalog.close()
