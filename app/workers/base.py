"""The one worker contract: every background task reports through the same six signals.

A task is a plain function `fn(progress, should_stop) -> result`. `Task` runs it in a QThreadPool
(thumbnails, folder scans, reads); the model thread runs the same `Task` objects in its own thread.
Nothing here touches a widget: results and errors reach the GUI thread as queued signals.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
ShouldStop = Callable[[], bool]
TaskFn = Callable[[Progress, ShouldStop], Any]

PROGRESS_INTERVAL_S = 0.05  # ~20 progress signals a second at most


class WorkerSignals(QObject):
    started = Signal()
    progress = Signal(int, int, str)
    result = Signal(object)
    failed = Signal(str)
    finished = Signal()
    cancelled = Signal()


class Throttle:
    """A progress callback that forwards at most one update per interval, and always the last one."""

    def __init__(self, emit: Progress, interval: float = PROGRESS_INTERVAL_S) -> None:
        self._emit = emit
        self._interval = interval
        self._last = 0.0

    def __call__(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if done >= total or now - self._last >= self._interval:
            self._last = now
            self._emit(int(done), int(total), str(message))


def describe_exception(exc: BaseException) -> str:
    """The first line says what happened in a curator's words; the rest is the traceback for the report."""
    summary = f"{type(exc).__name__}: {exc}"
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return f"{summary}\n\n{details}"


class Task(QRunnable):
    """One unit of background work with a cancel flag and the common signals.

    `signals` is owned by the GUI thread, so its queued emissions arrive there. After `cancel()`
    the task emits `cancelled` instead of `result`, so stale results are dropped.
    """

    def __init__(self, fn: TaskFn, name: str = "task") -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python owns it; the pool must not delete it under us
        self.fn = fn
        self.name = name
        self.signals = WorkerSignals()
        self.signals.task = self  # slots find their task through sender().task
        self._stop = threading.Event()
        self.done = threading.Event()
        self.started_at: float | None = None
        self.keep_result_on_cancel = False
        self._progress = Throttle(self.signals.progress.emit)

    def cancel(self) -> None:
        self._stop.set()

    def should_stop(self) -> bool:
        return self._stop.is_set()

    @property
    def is_cancelled(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:
        self.started_at = time.monotonic()
        try:
            self.signals.started.emit()
            if self._stop.is_set():
                self.signals.cancelled.emit()
                return
            try:
                value = self.fn(self._progress, self.should_stop)
            except Exception as exc:  # every failure reaches the GUI thread as a signal
                if self._stop.is_set():
                    self.signals.cancelled.emit()
                else:
                    log.exception("%s failed", self.name)
                    self.signals.failed.emit(describe_exception(exc))
                return
            if self._stop.is_set():
                if self.keep_result_on_cancel:  # a job's partial report: what was done before the cancel
                    self.signals.result.emit(value)
                self.signals.cancelled.emit()
            else:
                self.signals.result.emit(value)
        finally:
            self.done.set()
            self.signals.finished.emit()
