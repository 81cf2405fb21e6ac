"""File helpers every store shares: durable all-or-nothing writes, a file's sha256, whether a process lives.

One place for each, so that every store writes the same way: a temp file beside the target, fsynced, renamed over
it, then the folder fsynced so the rename itself survives a power cut. A failed write leaves the old file whole
and no temp file behind, and the error reaches the caller (a full disk is named, never swallowed).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import psutil


@contextmanager
def atomic_writer(path: Path | str, mode: str = "wb", encoding: str | None = None) -> Iterator[IO[Any]]:
    """Write `path` all or nothing through the file object this yields (mode "wb" or "w")."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, encoding=encoding if "b" not in mode else None) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def atomic_write(path: Path | str, data: bytes | str, encoding: str = "utf-8") -> None:
    """Write bytes or text to `path` all or nothing, durably."""
    if isinstance(data, str):
        with atomic_writer(path, "w", encoding=encoding) as fh:
            fh.write(data)
    else:
        with atomic_writer(path, "wb") as fh:
            fh.write(data)


def atomic_write_json(path: Path | str, value: Any, **dumps: Any) -> None:
    """`value` as JSON (indent 2 unless told otherwise), written all or nothing."""
    dumps.setdefault("indent", 2)
    atomic_write(path, json.dumps(value, **dumps))


def replace_durably(tmp: Path | str, target: Path | str) -> None:
    """Move a finished temp file (written by a library: SQLite backup, torch, USearch) over `target`, durably."""
    fsync_file(tmp)
    os.replace(tmp, target)
    fsync_dir(Path(target).parent)


def fsync_file(path: Path | str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path | str) -> None:
    """Make a rename in `path` durable (POSIX; Windows has no directory handles to fsync)."""
    if os.name == "posix":
        fsync_file(path)


def file_sha256(path: Path | str) -> str:
    """The sha256 of a file's bytes, read in chunks (hashlib.file_digest)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (psutil: right on Windows too; a zombie is dead)."""
    if pid <= 0:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:  # another user's process: it exists
        return True
