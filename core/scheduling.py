"""Cooperative yield points: long core jobs call `checkpoint()` between batches, so interactive work
(a search, a correction) that arrived meanwhile runs there instead of after the whole job.

Core stays thread- and Qt-agnostic: whoever runs a background job on a thread (the app's model thread)
installs a hook for that thread with `yielding_to(hook)`; without one (the CLI, tests) `checkpoint()`
is a no-op. While the hook runs interactive work, `interactive_running()` is true, and helpers of the
job (decode-ahead threads) call `wait_while_interactive()` to leave the cores to it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_local = threading.local()
_interactive = threading.Event()  # set while interactive work runs inside a background job's checkpoint
_pending = threading.Event()  # set by the scheduler while interactive work waits for a checkpoint
_beside_count = 0  # interactive calls running beside a background job, on another thread
_beside_lock = threading.Lock()


def checkpoint() -> None:
    """A batch boundary: run whatever interactive work waits, if this thread's scheduler allows it.

    Never inside a database transaction: interactive work writing there would commit or roll back with
    the job's batch.
    """
    hook = getattr(_local, "hook", None)
    if hook is None or getattr(_local, "inside", False) or not _pending.is_set():
        return
    from core.catalog import db

    if db.database.in_transaction():
        return
    _local.inside = True
    _interactive.set()
    try:
        hook()
    finally:
        _interactive.clear()
        _local.inside = False


@contextmanager
def yielding_to(hook: Callable[[], None]) -> Iterator[None]:
    """Within the block, `checkpoint()` on this thread calls `hook` (which runs waiting interactive work)."""
    previous = getattr(_local, "hook", None)
    _local.hook = hook
    try:
        yield
    finally:
        _local.hook = previous


@contextmanager
def running_beside() -> Iterator[None]:
    """Interactive work running on another thread while a background job's call is in flight: the job's
    helpers (decode-ahead) pause meanwhile, so the two model calls are what share the cores."""
    global _beside_count
    with _beside_lock:
        _beside_count += 1
    try:
        yield
    finally:
        with _beside_lock:
            _beside_count -= 1


def set_pending(pending: bool) -> None:
    """The scheduler says whether interactive work is waiting (so checkpoints stay cheap when none is)."""
    (_pending.set if pending else _pending.clear)()


def interactive_pending() -> bool:
    return _pending.is_set() or _interactive.is_set() or _beside_count > 0


def interactive_running() -> bool:
    return _interactive.is_set()


def wait_while_interactive(timeout: float = 2.0, stop: threading.Event | None = None) -> None:
    """Helpers of a background job pause here while interactive work waits or runs (bounded wait; a set
    `stop`, the job's cancel, ends it at once)."""
    end = time.monotonic() + timeout
    while interactive_pending() and time.monotonic() < end and not (stop is not None and stop.is_set()):
        time.sleep(0.005)
