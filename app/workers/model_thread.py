"""The one long-lived model thread: a QObject on its own QThread that owns the ModelRegistry, with a
priority queue in front of it.

torch and ultralytics models must stay on the thread that loaded them, so indexing and search
tasks are queued to this thread instead of to a pool. Two priorities: INTERACTIVE (search,
correction, explanation, promotion: short, a curator waits for them) before BACKGROUND (import,
index, re-index, sync, head training: long). A background job does not hold the thread for its
whole length: its core function calls `core.scheduling.checkpoint()` (and `should_stop()`) between
batches, and there the worker runs every waiting interactive task before the job's next batch.
A task marked `concurrent` (a search, text or image: ONNX Runtime/torch inference, USearch and SQLite
reads, all safe from a second thread) does not even wait for that boundary: while a background job runs,
it goes to the interactive lane, a second thread that runs it beside the job's model call in flight with
the registry's `lane()` view (the shared embedder, detectors of its own: ultralytics models are not safe
on two threads at once).
"""

from __future__ import annotations

import functools
import itertools
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.workers.base import Progress, ShouldStop, Task, Throttle, describe_exception
from core import scheduling
from core.models.state import ModelState

log = logging.getLogger(__name__)

ModelFn = Callable[[Any, Progress, ShouldStop], Any]  # (registry, progress, should_stop) -> result
INTERACTIVE, BACKGROUND = 0, 1  # lower runs first


class ModelTask(Task):
    """A task that needs the models; the model worker hands it the registry when its turn comes."""

    def __init__(self, fn: ModelFn, name: str = "model task", priority: int = INTERACTIVE,
                 concurrent: bool = False) -> None:
        self.registry = None
        self.priority = priority
        self.concurrent = concurrent and priority == INTERACTIVE  # may run beside a background job's call
        super().__init__(lambda progress, stop: fn(self.registry, progress, stop), name)


class TaskQueue:
    """Thread-safe: interactive tasks first, each priority in submission order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[tuple[int, int, ModelTask]] = []
        self._order = itertools.count()

    def put(self, task: ModelTask) -> None:
        with self._lock:
            self._items.append((task.priority, next(self._order), task))
            self._items.sort(key=lambda item: item[:2])
            scheduling.set_pending(any(p == INTERACTIVE for p, _, _ in self._items))

    def pop(self, max_priority: int = BACKGROUND) -> ModelTask | None:
        with self._lock:
            if not self._items or self._items[0][0] > max_priority:
                return None
            task = self._items.pop(0)[2]
            scheduling.set_pending(any(p == INTERACTIVE for p, _, _ in self._items))
            return task

    def clear(self) -> list[ModelTask]:
        with self._lock:
            tasks = [t for _, _, t in self._items]
            self._items.clear()
            scheduling.set_pending(False)
            return tasks

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class ModelWorker(QObject):
    """Lives in the model thread. Every slot here runs there; it reports only through signals."""

    status_changed = Signal(object)  # ModelRegistry.status() plus "state"
    download_progress = Signal(int, int, str)
    closed = Signal()

    def __init__(self, make_registry: Callable[[Progress], Any], tasks: TaskQueue) -> None:
        super().__init__()
        self._make_registry = make_registry
        self.registry = None
        self.tasks = tasks
        self.background_running = False  # read by ModelThread.submit to route concurrent tasks to the lane
        self.lane_busy = threading.Lock()  # held while a lane task uses the registry; closing it waits
        self._download = Throttle(self.download_progress.emit)

    @Slot()
    def load(self) -> None:
        """Build the registry and load both models, so the first search or job does not wait."""
        self.status_changed.emit({"state": ModelState.LOADING})
        try:
            if self.registry is None:
                self.registry = self._make_registry(self._download)
            self.registry.embedder()
            self.registry.detector()
            from core.search.vocabulary import lexicon

            lexicon()  # the shipped synonyms (~0.1 s to read), so the first text search does not wait for them
            status = dict(self.registry.status(), state=ModelState.READY)
        except Exception as exc:  # the app stays usable for browsing; the reason is shown in the status bar
            log.exception("models could not be loaded")
            status = {"state": ModelState.FAILED, "error": describe_exception(exc)}
            if self.registry is not None:
                status.update(self.registry.status())
        self.status_changed.emit(status)

    @Slot(object)
    def reload(self, make_registry: Callable[[Progress], Any]) -> None:
        """Settings changed: free the old models and load the new ones."""
        with self.lane_busy:  # a search running in the lane finishes with the old models first
            if self.registry is not None:
                self.registry.close()
                self.registry = None
        self._make_registry = make_registry
        self.load()

    @Slot()
    def run_queued(self) -> None:
        """Run queued tasks, best priority first, until the queue is empty."""
        while (task := self.tasks.pop()) is not None:
            if task.priority == INTERACTIVE:
                self._run(task)
            else:
                self.background_running = True
                try:
                    with scheduling.yielding_to(self._run_interactive):
                        self._run(task, yielding=True)
                finally:
                    self.background_running = False

    def _run_interactive(self) -> None:
        """A background job reached a batch boundary: run every interactive task that waits."""
        while (task := self.tasks.pop(INTERACTIVE)) is not None:
            self._run(task)

    def run_in_lane(self, task: ModelTask) -> bool:
        """The interactive lane's side: run one concurrent task with the registry's lane view, on this thread.
        False when the models are not loaded (or reloading): the caller queues it instead."""
        with self.lane_busy:
            lane = self._lane_registry()
            if lane is None:
                return False
            with scheduling.running_beside():  # the job holds at its next checkpoint meanwhile
                self._run(task, registry=lane)
        return True

    def prepare_lane(self) -> None:
        """On the lane's thread, when a background job is sent: open the lane's own detectors now, so the
        first image search beside the job does not pay for it (not `beside`: the job need not hold)."""
        with self.lane_busy:
            lane = self._lane_registry()
            if lane is not None:
                lane.detector()

    def _lane_registry(self):
        """The registry's view for the lane (ModelRegistry.lane()), or None: not loaded, or a registry that
        has no lane view (its tasks then wait for the model thread)."""
        lane = getattr(self.registry, "lane", None)
        return lane() if lane is not None else None

    def _run(self, task: ModelTask, yielding: bool = False, registry: Any = None) -> None:
        task.registry = self.registry if registry is None else registry
        try:
            if yielding:  # every should_stop() between batches is also a yield point
                stop = task.should_stop

                def should_stop() -> bool:
                    scheduling.checkpoint()
                    return stop()

                task.should_stop = should_stop  # type: ignore[method-assign]
            task.run()
        finally:
            task.registry = None

    @Slot()
    def close(self) -> None:
        """Free the models and this thread's database connection, then end the thread's event loop."""
        try:
            with self.lane_busy:
                if self.registry is not None:
                    self.registry.close()
                    self.registry = None
            from core.catalog.queries import close_thread_connection

            close_thread_connection()  # peewee keeps one connection per thread; this closes ours
        except Exception:
            log.exception("closing the models failed")
        finally:
            self.closed.emit()
            thread = QThread.currentThread()
            thread.quit()


class ModelThread(QObject):
    """GUI-side handle of the model thread: start, queue tasks, relay status, shut down."""

    status_changed = Signal(object)
    download_progress = Signal(int, int, str)
    _wake = Signal()
    _reload = Signal(object)
    _close = Signal()

    def __init__(self, make_registry: Callable[[Progress], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.status: dict[str, Any] = {"state": ModelState.STARTING}
        self._thread = QThread()
        self._thread.setObjectName("model-thread")
        self._queue = TaskQueue()
        self._worker = ModelWorker(make_registry, self._queue)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.load)
        self._wake.connect(self._worker.run_queued)
        self._reload.connect(self._worker.reload)
        self._close.connect(self._worker.close)
        self._worker.status_changed.connect(self._on_status)
        self._worker.download_progress.connect(self._on_download)
        self._tasks: list[ModelTask] = []
        self._lock = threading.Lock()
        # One thread: interactive calls run one at a time beside the background call, so at most two
        # model calls share the cores (the threading policy's budget, see core/models/threads.py).
        self._lane = _Lane()

    def start(self) -> None:
        self._thread.start()

    @property
    def ready(self) -> bool:
        return ModelState(self.status.get("state", ModelState.STARTING)).settled

    def submit(self, task: ModelTask) -> ModelTask:
        with self._lock:
            self._tasks.append(task)
        task.signals.finished.connect(self._on_task_finished)
        ready = self.status.get("state") is ModelState.READY
        beside = task.concurrent and self._worker.background_running and ready
        if beside and self._lane.submit(functools.partial(self._run_in_lane, task)):  # beside the call in flight
            return task
        if task.priority == BACKGROUND and ready:
            self._lane.submit(self._worker.prepare_lane)
        self._queue.put(task)
        self._wake.emit()  # a no-op when a running background job already took it at a checkpoint
        return task

    def _run_in_lane(self, task: ModelTask) -> None:
        if not self._worker.run_in_lane(task):  # the models went away meanwhile: the queue keeps it
            self._queue.put(task)
            self._wake.emit()

    def reload(self, make_registry: Callable[[Progress], Any]) -> None:
        self.status = {"state": ModelState.LOADING}
        self._reload.emit(make_registry)

    @Slot()
    def _on_task_finished(self) -> None:
        task = getattr(self.sender(), "task", None)
        with self._lock:
            if task in self._tasks:
                self._tasks.remove(task)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    @Slot(object)
    def _on_status(self, status: dict) -> None:
        self.status = status
        self.status_changed.emit(status)

    @Slot(int, int, str)
    def _on_download(self, done: int, total: int, message: str) -> None:
        self.download_progress.emit(done, total, message)

    def shutdown(self, timeout_ms: int = 60_000) -> bool:
        """Cancel every task, free the models in their thread, quit it and wait; True when it ended."""
        with self._lock:
            tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        self._lane.close()  # a lane task uses the registry closed next
        if not self._thread.isRunning():
            return True
        self._close.emit()
        ended = self._thread.wait(timeout_ms)
        self._queue.clear()
        with self._lock:
            self._tasks.clear()  # tasks still queued behind the close never run
        if not ended:
            log.error("the model thread did not stop within %d ms", timeout_ms)
            _STRAGGLERS.append(self._thread)  # a QThread destroyed while running aborts the process
        return ended

    @property
    def thread(self) -> QThread:
        return self._thread


_STRAGGLERS: list[QThread] = []


class _Lane:
    """The interactive lane: one plain thread, started at its first task, that runs concurrent tasks beside
    a background job's call. It keeps its SQLite connection for its life (a fresh connection per search
    cost 2-20 ms on the loaded 2 cores, and SQLite's statement cache with it)."""

    def __init__(self) -> None:
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, task: Callable[[], None]) -> bool:
        with self._lock:
            if self._closed:
                return False
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="interactive-lane", daemon=True)
                self._thread.start()
            self._tasks.put(task)
            return True

    def _loop(self) -> None:
        from core.catalog.queries import close_thread_connection

        try:
            while (task := self._tasks.get()) is not None:
                try:
                    task()
                except Exception:  # Task.run reports its own failures; this keeps the lane alive
                    log.exception("the interactive lane could not run %s", task)
        finally:
            close_thread_connection()

    def close(self) -> None:
        """Run what was handed over (cancelled tasks end at once), then end the thread."""
        with self._lock:
            self._closed, thread = True, self._thread
            if thread is not None:
                self._tasks.put(None)
        if thread is not None:
            thread.join()
