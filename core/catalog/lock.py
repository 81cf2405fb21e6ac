"""Owns the catalog's cross-process locks: one writer at a time (any number of readers), the GUI window lock.

A lock is an OS file lock (flock on POSIX, msvcrt on Windows) on a file in the catalog folder, so the kernel
drops it when its process dies: a stale lock never blocks anyone. Beside it a small JSON file names the owner
(pid, host, command, start time) for the "waiting for ..." message, and waiters leave a `waiting-<pid>` file
so a long writer (the indexer) can step aside between batches.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from core.fileio import pid_alive

log = logging.getLogger(__name__)

POLL_S = 0.02


class CatalogBusy(RuntimeError):
    """Another process kept the catalog's writer lock past the wait limit."""


class ReadOnlyCatalog(RuntimeError):
    """This process opened the catalog read-only and was asked to write."""


def _command() -> str:
    argv = [os.path.basename(sys.argv[0] or "python"), *sys.argv[1:3]]
    return " ".join(a for a in argv if a)


class FileLock:
    """An exclusive OS lock on one file, with the owner's identity beside it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.owner_path = self.path.with_suffix(".owner.json")
        self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def try_acquire(self) -> bool:
        if self._fh is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+b")  # noqa: SIM115 - held open for as long as the lock is held
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        self._fh = fh
        previous = self.owner()
        if previous and previous.get("pid") != os.getpid() and previous.get("host") == socket.gethostname() \
                and not pid_alive(int(previous.get("pid", 0))):
            log.info("took over a stale lock %s from pid %s (no longer running)", self.path.name, previous.get("pid"))
        info = {"pid": os.getpid(), "host": socket.gethostname(), "command": _command(),
                "since": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")}
        with contextlib.suppress(OSError):
            self.owner_path.write_text(json.dumps(info))
        return True

    def release(self) -> None:
        fh, self._fh = self._fh, None
        if fh is None:
            return
        with contextlib.suppress(OSError):
            self.owner_path.unlink()
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        finally:
            fh.close()

    def owner(self) -> dict | None:
        try:
            return json.loads(self.owner_path.read_text())
        except (OSError, ValueError):
            return None

    def describe_owner(self) -> str:
        info = self.owner()
        if not info:
            return "another process"
        return f"pid {info.get('pid')} on {info.get('host')} ({info.get('command') or '?'}, since {info.get('since')})"


class WriterLock:
    """The catalog's single-writer lock: re-entrant within a process, exclusive across processes."""

    def __init__(self, folder: Path, *, timeout: float = 600.0,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self.folder = Path(folder)
        self.file = FileLock(self.folder / "writer.lock")
        self.timeout = timeout
        self.on_wait = on_wait
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._local_waiters = 0
        self._count_lock = threading.Lock()

    @property
    def held(self) -> bool:
        return self._depth > 0

    @property
    def depth(self) -> int:
        return self._depth

    def held_by_this_thread(self) -> bool:
        return self._depth > 0 and self._thread_lock._is_owned()  # type: ignore[attr-defined]

    def acquire(self, timeout: float | None = None) -> bool:
        """Take the lock (waiting up to timeout s); True when this call took the OS lock (outermost)."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        with self._count_lock:
            self._local_waiters += 1
        try:
            if not self._thread_lock.acquire(timeout=max(timeout, 0.0)):
                raise CatalogBusy(f"the catalog is busy (another task in this app is writing); gave up after "
                                  f"{timeout:.0f} s")
        finally:
            with self._count_lock:
                self._local_waiters -= 1
        if self._depth:
            self._depth += 1
            return False
        try:
            self._acquire_file(deadline, timeout)
        except BaseException:
            self._thread_lock.release()
            raise
        self._depth = 1
        return True

    def _acquire_file(self, deadline: float, timeout: float) -> None:
        if self.file.try_acquire():
            return
        if timeout <= 0:
            raise CatalogBusy(f"the catalog is busy: {self.file.describe_owner()} is writing to it")
        marker = self.folder / f"waiting-{os.getpid()}-{threading.get_ident()}"
        marker.touch()
        told = False
        try:
            while not self.file.try_acquire():
                if time.monotonic() >= deadline:
                    raise CatalogBusy(f"the catalog is busy: {self.file.describe_owner()} is writing to it; "
                                      f"gave up after {timeout:.0f} s. Try again when it has finished.")
                if not told and self.on_wait is not None:
                    self.on_wait(f"waiting for {self.file.describe_owner()}, which is writing to this catalog "
                                 f"(up to {timeout:.0f} s)")
                    told = True
                time.sleep(POLL_S)
        finally:
            marker.unlink(missing_ok=True)

    def release(self) -> bool:
        """Give back one level; True when this call released the OS lock."""
        self._depth -= 1
        outermost = self._depth == 0
        if outermost:
            self.file.release()
        self._thread_lock.release()
        return outermost

    def others_waiting(self) -> bool:
        """Another thread or process waits for the lock: a long writer should step aside."""
        if self._local_waiters:
            return True
        for marker in self.folder.glob("waiting-*"):
            parts = marker.name.split("-")
            try:
                pid = int(parts[1])
            except (IndexError, ValueError):
                continue
            if pid == os.getpid():
                continue
            if pid_alive(pid):
                return True
            marker.unlink(missing_ok=True)  # left by a waiter that died
        return False

    def close(self) -> None:
        while self._depth > 0:
            self.release()
