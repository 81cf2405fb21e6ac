"""Where models run: device choice, the process's torch thread count, and batches that survive CUDA OOM."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import torch

log = logging.getLogger(__name__)

T = TypeVar("T")
DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")

_threads_configured: int | None = None


def cuda_available() -> bool:
    return torch.cuda.is_available()


def mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def available_devices() -> list[str]:
    """Every device this process could run on, best first."""
    found = []
    if cuda_available():
        found += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if mps_available():
        found.append("mps")
    return [*found, "cpu"]


def select_device(preference: str = "auto") -> torch.device:
    """The device to run on: CUDA, then Apple MPS, then CPU; an explicit choice that is missing falls back to CPU."""
    pref = (preference or "auto").strip().lower()
    if pref.startswith("cuda"):
        if cuda_available():
            return torch.device(pref)
        log.warning("CUDA was asked for but is not available; using the CPU")
        return torch.device("cpu")
    if pref == "mps":
        if mps_available():
            return torch.device("mps")
        log.warning("MPS was asked for but is not available; using the CPU")
        return torch.device("cpu")
    if pref == "cpu":
        return torch.device("cpu")
    if pref != "auto":
        raise ValueError(f"unknown device {preference!r}; choose one of {', '.join(DEVICE_CHOICES)}")
    if cuda_available():
        return torch.device("cuda")
    if mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def configure_threads(n: int | None = None) -> int:
    """Set torch's intra-op thread count once per process (later calls keep the first value) and return it."""
    global _threads_configured
    if _threads_configured is not None:
        return _threads_configured
    if n is None:
        n = max(1, (os.cpu_count() or 1))
    n = max(1, int(n))
    torch.set_num_threads(n)
    _threads_configured = n
    return n


def is_out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, torch.OutOfMemoryError):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def free_device_memory() -> None:
    """Return freed CUDA memory to the driver. On CPU there is nothing to return, and a forced collection
    here would run on whichever thread closes the models (the Qt model thread) and could finalise Qt
    objects that belong to another thread, so it is skipped."""
    if cuda_available():
        gc.collect()  # drop reference cycles that still hold CUDA tensors before emptying the cache
        torch.cuda.empty_cache()


def run_batched(fn: Callable[[Sequence[Any]], Sequence[T]], items: Sequence[Any], batch_size: int,
                *, on_shrink: Callable[[int], None] | None = None) -> list[T]:
    """Apply `fn` to consecutive batches of `items` and concatenate the results.

    On an out-of-memory error the batch is halved and retried; the smaller size is kept for the
    remaining batches. A single item that still does not fit re-raises the error.
    """
    size = max(1, int(batch_size))
    out: list[T] = []
    start = 0
    while start < len(items):
        chunk = items[start:start + size]
        try:
            out.extend(fn(chunk))
        except Exception as exc:
            if not is_out_of_memory(exc) or size == 1:
                raise
            free_device_memory()
            size = max(1, size // 2)
            log.warning("out of memory with a batch of %d; retrying with %d", len(chunk), size)
            if on_shrink:
                on_shrink(size)
            continue
        start += len(chunk)
    return out
