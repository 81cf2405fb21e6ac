"""The process's threading policy: how many threads torch, ONNX Runtime, OpenCV and image decoding get.

The rule, in one place: **at any moment, threads of work on every core (model calls, fanned-out stages)
+ threads decoding <= cores.**

- A model call (torch or ONNX Runtime) gets every core: torch's intra-op pool and each ORT session have
  `compute` = cores threads, and ORT's pool does not spin after a run (a spinning idle ORT pool would steal
  cores from torch, the oversubscription behind the 2.6 s image-query p95 seen with 2+2 threads on 2
  cores). A background job's calls run on the app's model thread, one at a time. A batched call of an
  int8 tower is split instead over `split_callers()` threads, each running its part on a narrower ORT
  session (core/models/accel.py; on 2 cores 2 callers of 1 thread): the same number of threads, without
  intra-op threads waiting for each other at every op (1.36-1.40x the images/s on 2 cores).
- Decoding ahead of the model takes `decode` threads (a quarter of the cores, at least one), and decodes
  only between the job's model calls: `all_cores()` waits for the images being decoded (one image each,
  a few ms) and holds new decodes back until the call returns (`decoding()`). So decode-ahead runs beside
  the job's own single-threaded work (selection, database writes), never beside a model call, and
  the idle core a fixed compute/decode split left during every model call is gone (decoding is ~2 % of
  an indexing run: core/pipeline/indexer.py). The job's per-image CPU stages (crops, colours) are fanned
  out over the cores the same way (`fan_out` inside `all_cores()`).
- The interactive lane (app/workers/model_thread.py) runs one search call beside a job's call in flight,
  with the same models and so the same `compute` threads. Meanwhile decode-ahead pauses, fanned-out items
  not yet started wait, and the job holds at its next checkpoint (core/scheduling.py). The job's ONNX
  Runtime call in flight (the int8 towers) is cut short when the search starts and run again after it
  (`scheduling.preemptible`), so the search has every core; only a torch call (the detector, an fp32
  tower) runs on to its end beside it (on CPU one image while a curator searches:
  core/pipeline/indexer.py).
- OpenCV (crop quality, colours, foreground) is called from those same threads, so its own pool is
  turned off (1 thread) instead of adding another `cores` threads.
- A search's own CPU work between model calls (GrabCut masks of a scene query's regions,
  core/search/encode.py) runs on `interactive_workers()` threads (the cores): no torch or ORT call of that
  search runs meanwhile, and decode-ahead pauses while interactive work runs.
- torch's inter-op pool is 1: the pipeline never runs independent torch ops side by side.
- ultralytics resets torch's pool to min(8, cpu_count - 1) when a YOLO predictor picks its device;
  `keep_ultralytics_in_policy()` (called by the model registry before it opens a detector) makes that
  reset set `compute` instead.
- The app's Qt pool (2 threads: database reads, thumbnails) and sync's network threads are outside this
  budget: they mostly wait (disk, network) or run while no job does (thumbnails while browsing).

`CATALOG_CURATOR_THREADS` caps the cores the app may use (a shared machine); the older
`CATALOG_CURATOR_TORCH_THREADS` still sets `compute` directly. `apply()` is called by the model
registry before it loads a model; the first call in a process fixes the numbers.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

log = logging.getLogger(__name__)

CORES_ENV = "CATALOG_CURATOR_THREADS"
COMPUTE_ENV = "CATALOG_CURATOR_TORCH_THREADS"

_applied: ThreadPolicy | None = None


@dataclass(frozen=True)
class ThreadPolicy:
    cores: int  # what the process may use
    compute: int  # torch intra-op threads, and intra-op threads of each ONNX Runtime session
    decode: int  # decode-ahead workers while indexing (they decode only between model calls)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity), capped by CATALOG_CURATOR_THREADS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    cap = _env_int(CORES_ENV)
    return max(1, min(cores, cap) if cap else cores)


def policy(cores: int | None = None) -> ThreadPolicy:
    """Threads for model calls and for decode-ahead on `cores` (default: available_cores()). Both may be
    the whole machine's share because they take turns (all_cores / decoding)."""
    cores = max(1, int(cores or available_cores()))
    decode = max(1, cores // 4)
    compute = cores
    forced = _env_int(COMPUTE_ENV)
    if forced:
        compute = forced
    return ThreadPolicy(cores=cores, compute=compute, decode=decode)


def apply(cores: int | None = None) -> ThreadPolicy:
    """Set torch, OpenCV and ONNX Runtime defaults from the policy, once per process; return it."""
    global _applied
    if _applied is not None:
        return _applied
    from core.models.device import configure_threads

    chosen = policy(cores)
    compute = configure_threads(chosen.compute)  # an earlier explicit configure_threads() wins
    chosen = ThreadPolicy(cores=chosen.cores, compute=compute, decode=chosen.decode)
    import torch

    # Interop threads can only be set before the first parallel op; later, the value stays as it is.
    with contextlib.suppress(RuntimeError):
        torch.set_num_interop_threads(1)
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:
        pass
    _applied = chosen
    log.info("threading policy: %s", chosen.to_dict())
    return chosen


def keep_ultralytics_in_policy() -> None:
    """Make ultralytics' device selection (which calls torch.set_num_threads with its own count) set the
    policy's `compute` instead. Imports ultralytics: call it only when a detector is about to be opened."""
    from core.models.weights import prepare_ultralytics

    prepare_ultralytics()
    import ultralytics.utils.torch_utils as torch_utils

    if hasattr(torch_utils, "NUM_THREADS"):
        torch_utils.NUM_THREADS = current().compute


def current() -> ThreadPolicy:
    """The applied policy, else what apply() would choose (without applying it)."""
    return _applied or policy()


def interactive_workers() -> int:
    """Threads a search may use for its own CPU work between model calls (a scene query's masks): the
    cores, since decode-ahead pauses while interactive work runs and no model call of that search runs."""
    return max(1, current().cores)


class _CoreGate:
    """Work on every core (model calls, fanned-out stages) and decode-ahead take turns (the module's rule).

    Such work waits for the images being decoded to finish (it never waits for more than one image per
    decode thread) and, while it runs or waits, no new decode starts. Decodes run side by side with each
    other and with the job's single-threaded work."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._calls = 0  # all-core work running or waiting to run
        self._decoding = 0  # images being decoded

    @contextlib.contextmanager
    def all_cores(self) -> Iterator[None]:
        with self._changed:
            self._calls += 1
            self._changed.wait_for(lambda: self._decoding == 0)
        try:
            yield
        finally:
            with self._changed:
                self._calls -= 1
                self._changed.notify_all()

    @contextlib.contextmanager
    def decoding(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: self._calls == 0)
            self._decoding += 1
        try:
            yield
        finally:
            with self._changed:
                self._decoding -= 1
                self._changed.notify_all()

    def busy(self) -> tuple[int, int]:
        """(all-core work running or waiting, images being decoded): for tests and diagnostics."""
        with self._changed:
            return self._calls, self._decoding


_gate = _CoreGate()
FAN_OUT_PREFIX = "stage"  # names of fan_out's threads: one pool for the process's life, like Qt's global pool
_pool: ThreadPoolExecutor | None = None  # fan_out's threads, made on first use and kept
_callers: ThreadPoolExecutor | None = None  # call_in_parallel's threads, made on first use and kept
_pool_lock = threading.Lock()


def all_cores() -> contextlib.AbstractContextManager[None]:
    """Around a background job's work that uses every core, a model call or a stage fanned out over the
    cores (`fan_out`): decode-ahead waits until it returns."""
    return _gate.all_cores()


def fan_out(fn, items: list) -> list:
    """`fn` over `items` on the cores' threads (OpenCV and NumPy release the GIL), results in order.
    Call it inside `all_cores()`. One item, or one core, runs on the calling thread."""
    global _pool
    if len(items) <= 1 or current().cores <= 1:
        return [fn(item) for item in items]
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=current().cores, thread_name_prefix=FAN_OUT_PREFIX)
    return list(_pool.map(fn, items))


def call_in_parallel(fn, items: list) -> list:
    """`fn` over `items`, each on its own thread, results in order: the parts of one batched model call on
    single-threaded sessions (`split_callers`). Its own pool of 2 x cores threads, so a job's call and a
    search's call side by side never queue behind each other (nor behind fan_out's stage work)."""
    global _callers
    if len(items) <= 1:
        return [fn(item) for item in items]
    with _pool_lock:
        if _callers is None:
            _callers = ThreadPoolExecutor(max_workers=2 * current().cores,
                                          thread_name_prefix=f"{FAN_OUT_PREFIX}_model")
    return list(_callers.map(fn, items))


SPLIT_PARTS = 4  # at most this many parts to a batched call (the indexer's CPU calls are 4 images or 1)


def split_callers() -> tuple[int, int]:
    """(callers, threads each) for a batched CPU model call (the int8 towers): the batch is split over
    `callers` threads, each running its part on a session of `threads each` intra-op threads, together the
    policy's `compute` threads (as many as divide it evenly, at most SPLIT_PARTS callers: 2 cores -> 2 x 1,
    6 -> 3 x 2, 16 -> 4 x 4). On the 2-core AMX machine of docs/PERFORMANCE.md two callers of half a 4-image
    batch each do 1.36-1.40x the images/s of one 2-thread call (intra-op threads sync at every op of a small
    ViT; split parts never wait for each other), with the same rows as the wide session for the same parts."""
    compute = max(1, min(current().compute, current().cores))
    callers = max(range(1, min(SPLIT_PARTS, compute) + 1), key=lambda c: (c * (compute // c), c))
    return callers, compute // callers


def decoding() -> contextlib.AbstractContextManager[None]:
    """Around decoding one image ahead of the model: waits while all-core work runs or waits to run."""
    return _gate.decoding()


def gate_state() -> tuple[int, int]:
    return _gate.busy()


def ort_session_options(threads: int | None = None):
    """ONNX Runtime session options following the policy: `compute` intra-op threads, no spinning."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, int(threads or current().compute))
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return options


def _env_int(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    try:
        return max(1, int(value)) if value else None
    except ValueError:
        log.warning("%s=%r is not a whole number; ignored", name, value)
        return None
