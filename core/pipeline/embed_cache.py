"""The embedding cache: crop vectors keyed by (image sha256, crop box, model_version, preprocess_version)."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

Box = tuple[int, int, int, int]
CacheKey = tuple[str, Box]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embedding (
    sha256 TEXT NOT NULL,
    box TEXT NOT NULL,
    model_version TEXT NOT NULL,
    preprocess_version TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (sha256, box, model_version, preprocess_version)
) WITHOUT ROWID
"""


def box_key(box: Sequence[float]) -> str:
    """Boxes are cached at integer pixels: a sub-pixel move gives the same crop."""
    return ",".join(str(int(round(v))) for v in box)


class EmbeddingCache:
    """Derived data in its own SQLite file: renames, re-imports and re-indexing never recompute it."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only  # a read-only catalog: read what is there, store nothing
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        if read_only:
            return
        try:
            self._conn().execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:  # derived data: a damaged file is set aside and rebuilt as we go
            self.close()
            if not damaged(self.path):  # a full disk, a lock, no permission: the file is intact, say why
                import errno
                import shutil

                if shutil.disk_usage(self.path.parent).free < 4 << 20:  # SQLite says "disk I/O error"
                    raise OSError(errno.ENOSPC, f"No space left on device: the embedding cache {self.path} "
                                  f"cannot grow (SQLite: {exc}); it is intact and kept") from exc
                raise OSError(f"the embedding cache {self.path} cannot be opened for writing: {exc}") from exc
            aside = self.path.with_name(f"{self.path.stem}.damaged-{os.getpid()}{self.path.suffix}")
            log.warning("embedding cache %s is unreadable (%s); moved to %s", self.path, exc, aside)
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
            self._conn().execute(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None and self.read_only:
            from core.catalog.db import read_only_uri  # the one place that knows how to open SQLite read-only

            conn = sqlite3.connect(read_only_uri(self.path), uri=True, timeout=30, check_same_thread=False)
            self._local.conn = conn
            with self._lock:
                self._conns.append(conn)
        elif conn is None:
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._lock:
                self._conns.append(conn)
        return conn

    def get_many(self, keys: Iterable[CacheKey], model_version: str, preprocess_version: str
                 ) -> dict[CacheKey, np.ndarray]:
        out: dict[CacheKey, np.ndarray] = {}
        conn = self._conn()
        wanted = list(keys)
        if self.read_only and not self.path.exists():
            self.misses += len(wanted)
            return out
        by_text: dict[tuple[str, str], list[CacheKey]] = {}
        for sha, box in wanted:
            by_text.setdefault((sha, box_key(box)), []).append((sha, box))
        shas = sorted({sha for sha, _ in wanted})
        # One statement per 500 images, not one per crop: a search reads ~200 crops (primary key: sha256 first).
        for start in range(0, len(shas), 500):
            chunk = shas[start:start + 500]
            rows = conn.execute(
                f"SELECT sha256, box, dim, vector FROM embedding WHERE sha256 IN ({', '.join('?' * len(chunk))}) "
                "AND model_version=? AND preprocess_version=?", (*chunk, model_version, preprocess_version))
            found = [(by_text[(sha, box)], blob) for sha, box, dim, blob in rows if (sha, box) in by_text
                     and isinstance(blob, bytes) and len(blob) == 4 * int(dim or 0)]
            for size in {len(blob) for _, blob in found}:  # one array per vector size: no per-row numpy calls
                same = [(keys_here, blob) for keys_here, blob in found if len(blob) == size]
                matrix = np.frombuffer(b"".join(blob for _, blob in same), dtype=np.float32).reshape(len(same), -1)
                finite = np.isfinite(matrix).all(axis=1)  # a damaged row is a miss: the crop is embedded again
                for (keys_here, _), vector, ok in zip(same, matrix.copy(), finite, strict=True):
                    if ok:
                        for key in keys_here:
                            out[key] = vector
        found = sum(key in out for key in wanted)
        self.hits += found
        self.misses += len(wanted) - found
        return out

    def put_many(self, items: Iterable[tuple[CacheKey, np.ndarray]], model_version: str,
                 preprocess_version: str) -> None:
        rows = [(sha, box_key(box), model_version, preprocess_version, int(vec.shape[-1]),
                 np.ascontiguousarray(vec, dtype=np.float32).tobytes()) for (sha, box), vec in items]
        if self.read_only:
            return
        conn = self._conn()
        with conn:
            conn.executemany("INSERT OR REPLACE INTO embedding VALUES (?, ?, ?, ?, ?, ?)", rows)

    def count(self, model_version: str | None = None) -> int:
        if self.read_only and not self.path.exists():
            return 0
        if model_version is None:
            return self._conn().execute("SELECT COUNT(*) FROM embedding").fetchone()[0]
        return self._conn().execute("SELECT COUNT(*) FROM embedding WHERE model_version=?",
                                    (model_version,)).fetchone()[0]

    def close(self) -> None:
        with self._lock:
            for conn in self._conns:
                conn.close()
            self._conns.clear()
        self._local = threading.local()


def damaged(path: Path) -> bool:
    """True only when the file itself is damaged (not a database, malformed, failing quick_check): a full
    disk, a lock or a read-only folder also make SQLite fail, and an intact cache is never set aside."""
    if not path.exists():
        return False
    try:
        con = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute("PRAGMA quick_check").fetchone()[0] != "ok"
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        text = str(exc).lower()
        return "not a database" in text or "malformed" in text or "corrupt" in text


class CropVector:
    """An accepted crop of a product with its cached vector (for re-ranking and explanations)."""

    __slots__ = ("crop_id", "image_id", "sha256", "box", "is_primary", "vector")

    def __init__(self, crop_id: int, image_id: int, sha256: str, box: Box, is_primary: bool,
                 vector: np.ndarray) -> None:
        self.crop_id = crop_id
        self.image_id = image_id
        self.sha256 = sha256
        self.box = box
        self.is_primary = is_primary
        self.vector = vector


def primary_of(crops: Sequence[CropVector]) -> CropVector | None:
    """The product's primary crop among its crop vectors, else its first accepted one."""
    return next((c for c in crops if c.is_primary), crops[0] if crops else None)


def product_crop_vectors(cache: EmbeddingCache, product_ids: Iterable[int], model_version: str,
                         preprocess_version: str) -> dict[int, list[CropVector]]:
    """Every accepted crop's cached vector for these products, primary first."""
    from core.catalog import db  # the cache itself needs no database; this lookup does

    ids = list(product_ids)
    if not ids:
        return {}
    out: dict[int, list[CropVector]] = {pid: [] for pid in ids}
    for chunk in db.chunked(ids, 500):  # SQLite caps the variables in one statement
        _crop_vectors_into(out, cache, chunk, model_version, preprocess_version)
    return out


def _crop_vectors_into(out: dict[int, list[CropVector]], cache: EmbeddingCache, ids: list[int],
                       model_version: str, preprocess_version: str) -> None:
    from core.catalog import db

    # Plain SQL and tuples, not peewee: search calls this for ~100 candidates, and building the query's IN
    # clause from peewee values and ~50-field objects cost more than the lookup itself.
    crops = db.database.execute_sql(
        "SELECT c.id, c.image_id, i.sha256, i.product_id, c.x0, c.y0, c.x1, c.y1, c.is_primary FROM crop c "
        "JOIN image_file i ON i.id = c.image_id WHERE i.product_id IN "
        f"({', '.join('?' * len(ids))}) AND c.verdict = 'accepted' AND c.deleted_at IS NULL AND c.staged_for = '' "
        "AND i.deleted_at IS NULL ORDER BY c.is_primary DESC, c.id", list(ids)).fetchall()
    keys = [(sha, (int(round(x0)), int(round(y0)), int(round(x1)), int(round(y1))))
            for _, _, sha, _, x0, y0, x1, y1, _ in crops]
    vectors = cache.get_many(keys, model_version, preprocess_version)
    for (crop_id, image_id, _, product_id, *_, is_primary), key in zip(crops, keys, strict=True):
        vec = vectors.get(key)
        if vec is not None:
            out[product_id].append(CropVector(crop_id, image_id, key[0], key[1], bool(is_primary), vec))
