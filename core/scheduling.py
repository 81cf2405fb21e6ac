"""Cooperative yield points: long core jobs call `checkpoint()` between batches, so interactive work
(a search, a correction) that arrived meanwhile runs there instead of after the whole job.

Core stays thread- and Qt-agnostic: whoever runs a background job on a thread (the app's model thread)
installs a hook for that thread with `yielding_to(hook)`; without one (the CLI, tests) `checkpoint()`
is a no-op. While the hook runs interactive work, `interactive_running()` is true, and helpers of the
job (decode-ahead threads) call `wait_while_interactive()` to leave the cores to it.

Work that is safe beside a model call in flight (a text search) need not wait for a checkpoint: the
scheduler runs it on another thread inside `running_beside()`. Meanwhile the job goes no further than
its next checkpoint and its helpers pause, so what such work competes with is bounded by design: the
rest of one background model call (on CPU at most a few images, core/pipeline/indexer.py), never the
job's next call, its decoding, crops or database writes. And a background call that can be cut short (an
ONNX Runtime run: `preemptible()`) is: work that starts beside it stops it within a millisecond, and the
job runs the call again once that work is done, so a search beside a job has every core to itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

_local = threading.local()
_interactive = threading.Event()  # set while interactive work runs inside a background job's checkpoint
_pending = threading.Event()  # set by the scheduler while interactive work waits for a checkpoint
_beside_count = 0  # interactive calls running beside a background job, on another thread
_beside_done = threading.Condition()  # guards _beside_count; notified when it falls to 0
BESIDE_WAIT_S = 10.0  # a job waits at most this long at one checkpoint (a safety net, never the plan)
RECENT_S = 3.0  # a curator who searched this recently is likely to search again (typing, refining)
_last_interactive = 0.0  # time.monotonic() when interactive work last ran
_in_flight: dict[int, Any] = {}  # run options of background calls that interactive work may cut short
_preempted = 0  # background calls cut short so far (diagnostics, tests)


def checkpoint() -> None:
    """A batch boundary: run whatever interactive work waits, if this thread's scheduler allows it.

    Never inside a database transaction: interactive work writing there would commit or roll back with
    the job's batch.
    """
    hook = getattr(_local, "hook", None)
    if hook is None or getattr(_local, "inside", False) or not (_pending.is_set() or _beside_count):
        return
    from core.catalog import db

    if db.database.in_transaction():
        return
    wait_while_beside()  # the job holds while a search runs beside it
    if not _pending.is_set():
        return
    _local.inside = True
    _interactive.set()
    try:
        hook()
    finally:
        _interactive.clear()
        _local.inside = False
        _mark_interactive()


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
    """Interactive work running on another thread while a background job's call is in flight: the job
    stops at its next checkpoint and its helpers (decode-ahead) pause meanwhile."""
    global _beside_count
    with _beside_done:
        _beside_count += 1
        for options in _in_flight.values():  # the background call in flight stops; the job runs it again
            options.terminate = True
    try:
        yield
    finally:
        _mark_interactive()
        with _beside_done:
            _beside_count -= 1
            if not _beside_count:
                _beside_done.notify_all()


def in_background_job() -> bool:
    """This thread runs a background job (a scheduler's hook is installed) and not interactive work."""
    return getattr(_local, "hook", None) is not None and not getattr(_local, "inside", False)


def preemptible(run: Callable[[Any], T], new_options: Callable[[], Any]) -> T:
    """`run(options)`: a model call that stops early when `options.terminate` is set from another thread
    (ONNX Runtime's RunOptions). Inside a background job, interactive work that starts beside the call
    sets it (`running_beside`): the call is cut short, waits until that work is done, and runs again
    from the start (its inputs are unchanged; the work lost is the part of one call already done). Outside
    a background job (a search, the CLI) it is a plain `run(new_options())`."""
    return preemptible_map(lambda _, options: run(options), [None], new_options)[0]


def preemptible_map(run: Callable[[Any, Any], T], items: list, new_options: Callable[[], Any],
                    map_fn: Callable = map) -> list[T]:
    """`run(item, options)` for every item, through `map_fn` (threads.call_in_parallel runs them side by
    side), each preemptible as in `preemptible`. The waiting is done here, on the calling thread, never in
    `map_fn`'s threads: a cut-short part gives its thread back at once, so a search's own parts never queue
    behind a job's parts that wait for that search."""
    global _preempted
    background = in_background_job()
    results: list[Any] = [None] * len(items)
    todo = list(range(len(items)))
    while todo:
        options = {i: new_options() for i in todo}
        if background:
            with _beside_done:
                _beside_done.wait_for(lambda: _beside_count == 0, timeout=BESIDE_WAIT_S)
                _in_flight.update((id(o), o) for o in options.values())

        def one(i: int, options: dict[int, Any] = options) -> tuple[int, Any, BaseException | None]:
            try:
                return i, run(items[i], options[i]), None
            except Exception as exc:  # noqa: BLE001 - sorted out below: cut short, or a real failure
                return i, None, exc

        try:
            outcomes = list(map_fn(one, todo))
        finally:
            if background:
                with _beside_done:
                    for o in options.values():
                        _in_flight.pop(id(o), None)
        todo = []
        for i, value, error in outcomes:
            if error is None:
                results[i] = value
            elif background and getattr(options[i], "terminate", False):
                todo.append(i)
                _preempted += 1
            else:
                raise error
    return results


def calls_in_flight() -> int:
    """Preemptible background calls running now."""
    with _beside_done:
        return len(_in_flight)


def preempted_calls() -> int:
    """Background calls cut short by interactive work since the process started."""
    return _preempted


def wait_while_beside(timeout: float = BESIDE_WAIT_S) -> None:
    """A background job (at a checkpoint) and its helpers (one item of a fanned-out stage) wait here while
    interactive work runs beside the job, instead of sharing the cores with it. Work that waits for a
    checkpoint does not hold helpers: the checkpoint is where the job goes once they are done."""
    with _beside_done:
        _beside_done.wait_for(lambda: _beside_count == 0, timeout=timeout)


def _mark_interactive() -> None:
    global _last_interactive
    _last_interactive = time.monotonic()


def interactive_recent(window: float = RECENT_S) -> bool:
    """Interactive work waits, runs, or ran within `window` seconds: a background job makes its next calls
    small, so the next search shares the cores with (or waits for) a short call only."""
    return interactive_pending() or time.monotonic() - _last_interactive < window


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
