"""Owns rolling database backups: a copy (SQLite's online backup API) before each migration and once a day."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sqlite3
from pathlib import Path

from core.fileio import replace_durably
from core.paths import CatalogPaths

log = logging.getLogger(__name__)

KEEP_DAYS = 7
DAILY = dt.timedelta(days=1)


def backup_dir(paths: CatalogPaths) -> Path:
    return paths.root / "backups"


def list_backups(paths: CatalogPaths) -> list[Path]:
    """Newest first."""
    folder = backup_dir(paths)
    return sorted(folder.glob("catalog-*.sqlite"), key=lambda p: p.stat().st_mtime, reverse=True) \
        if folder.is_dir() else []


def newest_backup(paths: CatalogPaths) -> Path | None:
    backups = list_backups(paths)
    return backups[0] if backups else None


def schema_version_of(path: Path) -> int:
    """The schema of a database file without opening it for writing (0: no file or no schema yet)."""
    if not path.exists():
        return 0
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        row = con.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0] or 0)
    except sqlite3.DatabaseError:
        return 0
    finally:
        con.close()


def backup(paths: CatalogPaths, reason: str) -> Path:
    """A consistent copy of the live database (other connections may keep writing), written then renamed."""
    folder = backup_dir(paths)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    target = folder / f"catalog-{stamp}-{reason}-{os.getpid()}.sqlite"
    tmp = target.with_suffix(".part")
    source = sqlite3.connect(paths.db, timeout=30)
    dest = sqlite3.connect(tmp)
    try:
        source.backup(dest)
        check = dest.execute("PRAGMA quick_check").fetchone()[0]
    except BaseException:
        dest.close()
        tmp.unlink(missing_ok=True)  # a full disk leaves no half backup behind
        raise
    finally:
        dest.close()
        source.close()
    if check != "ok":  # a damaged database must never become "the newest backup"
        tmp.unlink(missing_ok=True)
        raise sqlite3.DatabaseError(f"not backed up: the database fails its check ({check})")
    replace_durably(tmp, target)
    log.info("database backed up to %s (%s)", target, reason)
    prune(paths)
    return target


def prune(paths: CatalogPaths, keep_days: int = KEEP_DAYS) -> int:
    """Drop backups older than keep_days, always keeping the newest one."""
    cutoff = dt.datetime.now().timestamp() - keep_days * 86400
    removed = 0
    for old in list_backups(paths)[1:]:
        if old.stat().st_mtime < cutoff:
            with contextlib.suppress(OSError):
                old.unlink()
                removed += 1
    return removed


def backup_before_migration(paths: CatalogPaths) -> Path | None:
    """Before a schema upgrade, and once a day: never fails the open (a full disk must not lock users out)."""
    from core.catalog.db import SCHEMA_VERSION

    if not paths.db.exists() or paths.db.stat().st_size == 0:
        return None
    try:
        version = schema_version_of(paths.db)
        if 0 < version < SCHEMA_VERSION:
            return backup(paths, f"v{version}")
        newest = newest_backup(paths)
        age = dt.datetime.now().timestamp() - newest.stat().st_mtime if newest else None
        if age is None or age > DAILY.total_seconds():
            return backup(paths, "daily")
    except (OSError, sqlite3.Error) as exc:
        log.warning("database backup failed: %s", exc)
    return None
