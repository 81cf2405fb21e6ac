"""Where things live: platformdirs locations, the layout of a catalog folder, and whether a path is a regular
file (checked before anything opens it: a FIFO would block the reader)."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "CatalogCurator"
APP_AUTHOR = "CatalogCurator"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def user_data_dir() -> Path:
    return _env_path("CATALOG_CURATOR_DATA") or Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def default_catalog_dir() -> Path:
    return user_data_dir() / "catalogs" / "default"


def model_cache_dir() -> Path:
    """Weights the user downloaded or chose; shared by every catalog."""
    return _env_path("CATALOG_CURATOR_MODELS") or Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)) / "models"


def config_dir() -> Path:
    return _env_path("CATALOG_CURATOR_CONFIG") or Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))


def log_dir() -> Path:
    return _env_path("CATALOG_CURATOR_LOGS") or Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def write_refusal(folder: Path) -> str:
    """Why nothing can be written in `folder`, or "" when it can (or it does not exist yet). Probed with a
    real file: permission bits say nothing for root, on a read-only mount or on a network share."""
    if not folder.is_dir():
        return ""
    try:
        fd, name = tempfile.mkstemp(prefix=".write-probe-", dir=folder)
    except OSError as exc:
        if exc.errno == errno.EROFS:
            return "its folder is on a read-only file system"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "you have no permission to write in its folder"
        return ""  # not read-only (a full disk, say): the write that fails will name its cause
    os.close(fd)
    os.unlink(name)
    database = folder / "catalog.sqlite"
    if database.is_file() and not os.access(database, os.W_OK):
        return "you have no permission to write its database"
    return ""


def free_space(folder: Path) -> int | None:
    """Bytes free on the disk that holds `folder` (its nearest existing parent); None when unknown."""
    import shutil

    folder = Path(folder)
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def space_to_import(image_bytes: int) -> int:
    """A generous guess of what importing photos of this size takes in a catalog: the stored copy, thumbnails,
    crops and database rows (measured on the dev sample: about 1.1x the photos), plus a margin."""
    return int(image_bytes * 1.3) + (8 << 20)


def human_bytes(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} TB"


def make_private_dir(path: Path) -> Path:
    """Create a folder readable by its owner only (POSIX); catalogs hold curators' data."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path


@dataclass(frozen=True)
class CatalogPaths:
    """The fixed layout of one catalog folder."""

    root: Path

    @property
    def db(self) -> Path:
        return self.root / "catalog.sqlite"

    @property
    def vectors(self) -> Path:
        return self.root / "vectors"

    @property
    def blobs(self) -> Path:
        return self.root / "blobs"

    @property
    def thumbs(self) -> Path:
        return self.root / "thumbs"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def cache(self) -> Path:
        """Derived data that can be rebuilt: embedding cache, label embeddings."""
        return self.root / "cache"

    @property
    def settings(self) -> Path:
        return self.root / "settings.json"

    def blob_path(self, sha256: str, suffix: str) -> Path:
        return self.blobs / sha256[:2] / f"{sha256}{suffix}"

    def thumb_path(self, sha256: str, size: int) -> Path:
        return self.thumbs / str(size) / sha256[:2] / f"{sha256}.jpg"

    def ensure(self) -> CatalogPaths:
        make_private_dir(self.root)
        for sub in (self.vectors, self.blobs, self.thumbs, self.logs, self.cache):
            sub.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self


class NotRegularFile(OSError):
    """A FIFO, device, socket or folder where a file was expected; never opened (a FIFO would block)."""

    def __init__(self, path: Path, kind: str) -> None:
        self.path, self.kind = Path(path), kind
        super().__init__(f"{path} is a {kind}, not a regular file; skipped")


def file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "FIFO (named pipe)"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"), (stat.S_ISDIR, "folder")):
        if test(mode):
            return name
    return "special file"


def require_regular(path: Path | str) -> Path:
    """path, after checking (without opening it) that it is a regular file; FileNotFoundError if missing."""
    p = Path(path)
    st = os.stat(p)  # follows symlinks: a link to a FIFO is a FIFO
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(p, file_kind(st.st_mode))
    return p
