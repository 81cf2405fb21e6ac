"""Owns the vector indexes: one USearch file per model version, keyed by Product.id."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.fileio import atomic_write, file_sha256, fsync_dir, fsync_file

if TYPE_CHECKING:
    from usearch.index import Index


def _usearch_index() -> type[Index]:
    """USearch's Index, imported on first use: with ONNX Runtime it costs ~0.5 s that the window at launch
    does not need (no index is opened before the first search or job)."""
    # Load ONNX Runtime's native module before USearch's: the other order segfaults on import (usearch 2.26
    # with onnxruntime 1.32, seen here). ONNX Runtime is optional: it only speeds up CPU inference.
    with contextlib.suppress(ImportError):
        import onnxruntime.capi._pybind_state  # noqa: F401
    from usearch.index import Index

    return Index

METRIC = "cos"
DTYPE = "f16"
# A filtered query is answered exactly over the subset when the subset is small. Exact costs ~4 us per
# allowed key (USearch `get`); the graph with oversampling walks ~4k*n/allowed candidates at ~9 us each
# and misses more as the share shrinks. Exact wins below about sqrt(FACTOR*k*n) allowed keys, and always below
# EXACT_SUBSET_LIMIT (docs/PERFORMANCE.md, "Filtered search").
EXACT_SUBSET_LIMIT = 2_000
EXACT_SUBSET_FACTOR = 16
# Below this many vectors every query is exact: brute force is as fast as the graph and never misses.
EXACT_SEARCH_LIMIT = 2_000
# The search expansion (HNSW "ef") grows with the index: at 1M clustered 512-d vectors ef 96 gave recall@10
# 0.9725 and ef 256 0.9975 at p95 2.2 ms; at 100k, ef 96 already reaches 0.9985 (bench/search_latency.py).
EXPANSION_SEARCH = 96
EXPANSION_SEARCH_LARGE = 256
LARGE_INDEX = 250_000
# USearch keeps removed nodes in its graph; replacing many keys degrades recall until a rebuild.
REBUILD_SHARE = 0.05
# A rebuild inserts on one thread below this many vectors: USearch's parallel inserts race, and the graph they
# build misses more (600 random 32-d vectors, each searched for itself at k=1: 1-6 misses in 15 parallel
# builds, 0 in 15 one-thread builds, as in vectors added one product at a time). One thread costs ~1.7x the
# time on 2 cores (20k vectors: 2.0 s against 1.2 s); above this size the parallel build's speed wins.
REBUILD_ONE_THREAD_BELOW = 50_000


def index_file_stem(model_version: str) -> str:
    """A file-system-safe name that still says which model it holds."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model_version)[:60].strip("_") or "model"
    digest = hashlib.sha256(model_version.encode()).hexdigest()[:10]
    return f"{slug}-{digest}"


class _RWLock:
    """Many searches at once; an add, remove or save alone (USearch may reallocate while adding)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._shared = 0
        self._exclusive = False

    @contextmanager
    def shared(self):
        with self._cond:
            while self._exclusive:
                self._cond.wait()
            self._shared += 1
        try:
            yield
        finally:
            with self._cond:
                self._shared -= 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self):
        with self._cond:
            while self._exclusive or self._shared:
                self._cond.wait()
            self._exclusive = True
        try:
            yield
        finally:
            with self._cond:
                self._exclusive = False
                self._cond.notify_all()


@dataclass
class SearchHits:
    keys: np.ndarray  # int64 product ids, best first
    scores: np.ndarray  # cosine similarity, float32
    exact: bool

    def __len__(self) -> int:
        return len(self.keys)


@dataclass
class Reconciliation:
    orphans: list[int]  # vectors whose product is deleted or missing (removed when repairing)
    missing: list[int]  # live products without a vector (to re-embed)


class VectorStore:
    """A USearch index for one model version, saved atomically beside a JSON manifest."""

    def __init__(self, folder: Path, model_version: str, dim: int, *, connectivity: int = 16,
                 expansion_add: int = 128, expansion_search: int | None = None) -> None:
        self.folder = Path(folder)
        self.model_version = model_version
        self.dim = int(dim)
        stem = index_file_stem(model_version)
        self.path = self.folder / f"{stem}.usearch"
        self.manifest_path = self.folder / f"{stem}.json"
        # Present while the file on disk lags behind memory: after a crash, open() callers replay
        # the missing vectors from the embedding cache (see core.catalog.check.recover_vectors).
        self.dirty_marker = self.folder / f"{stem}.dirty"
        self._lock = _RWLock()
        self._params = {"connectivity": connectivity, "expansion_add": expansion_add,
                        "expansion_search": expansion_search or EXPANSION_SEARCH}
        self._fixed_expansion = expansion_search  # None: chosen by size (_tune)
        self._index = self._new_index()
        self.dirty = False
        self.removed_since_build = 0
        # What this process changed since the file was last read or written (None: removed), so that a save
        # on top of another process's newer file re-applies these changes instead of dropping that file's.
        self._pending: dict[int, np.ndarray | None] = {}
        self.loaded_checksum: str | None = None  # the manifest checksum of the file the memory started from
        # Set by the owning Catalog: a context manager that holds the catalog's writer lock around a save.
        self.guard = contextlib.nullcontext

    def _new_index(self) -> Index:
        return _usearch_index()(ndim=self.dim, metric=METRIC, dtype=DTYPE, **self._params)

    def _tune(self) -> None:
        """Pick the search expansion for the index's size (callers hold the exclusive lock or own the index)."""
        if self._fixed_expansion is None:
            large = len(self._index) >= LARGE_INDEX
            self._index.expansion_search = EXPANSION_SEARCH_LARGE if large else EXPANSION_SEARCH

    def needs_rebuild(self) -> bool:
        return self.removed_since_build > max(16, REBUILD_SHARE * len(self._index))

    def rebuild(self) -> None:
        """Build a fresh graph from the current vectors (drops the removed nodes USearch keeps)."""
        keys, vectors = self.get(self.keys())
        fresh = self._new_index()
        if len(keys):
            fresh.add(keys.astype(np.uint64), vectors, threads=1 if len(keys) < REBUILD_ONE_THREAD_BELOW else 0)
        with self._lock.exclusive():
            self._index = fresh
            self.removed_since_build = 0
            self._tune()
        self._mark_dirty()

    # --- lifecycle ---------------------------------------------------------------------------
    @classmethod
    def open(cls, folder: Path, model_version: str, dim: int | None = None) -> VectorStore:
        """Open the index for a model version, or create an empty one (dim is then required)."""
        stem = index_file_stem(model_version)
        manifest_path = Path(folder) / f"{stem}.json"
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
        if manifest is not None:
            if manifest["model_version"] != model_version:
                raise ValueError(f"{manifest_path} holds {manifest['model_version']!r}, not {model_version!r}")
            if dim is not None and int(manifest["dim"]) != dim:
                raise ValueError(f"index for {model_version} has {manifest['dim']} dimensions, model gives {dim}")
            dim = int(manifest["dim"])
        if dim is None:
            raise FileNotFoundError(f"no vector index for model version {model_version!r} in {folder}")
        store = cls(folder, model_version, dim)
        if manifest is not None and store.path.exists():
            store._load_file()
        return store

    def _read_consistent(self, wait_s: float = 5.0) -> tuple[dict, bytes]:
        """The manifest and the file it describes. A writer replaces the file, then the manifest: a reader in
        between sees a mismatch, so it re-reads until they agree (or the wait ends: then it is real damage)."""
        deadline = time.monotonic() + wait_s
        while True:
            manifest = json.loads(self.manifest_path.read_text())
            data = self.path.read_bytes()
            checksum = hashlib.sha256(data).hexdigest()
            if checksum == manifest.get("checksum"):
                return manifest, data
            if time.monotonic() >= deadline:
                raise OSError(f"vector index {self.path} does not match its manifest checksum; run check --repair")
            time.sleep(0.05)

    def _load_file(self) -> None:
        manifest, data = self._read_consistent()
        index = self._new_index()
        index.load(data)
        if int(index.ndim) != self.dim:  # a valid file of another model: say so, never "cannot reshape" later
            raise ValueError(f"the vector file {self.path.name} holds {index.ndim}-dimensional vectors; its "
                             f"manifest and the model say {self.dim}")
        self._index = index
        self.loaded_checksum = manifest.get("checksum")
        self.removed_since_build = 0
        self._tune()

    def disk_checksum(self) -> str | None:
        try:
            return json.loads(self.manifest_path.read_text()).get("checksum")
        except (OSError, ValueError):
            return None

    def is_stale(self) -> bool:
        """Another process saved a newer file than the one this memory started from."""
        return self.disk_checksum() != self.loaded_checksum

    def reload(self) -> None:
        """Read the file again and re-apply this process's unsaved changes on top."""
        pending = dict(self._pending)
        with self._lock.exclusive():
            if self.path.exists() and self.manifest_path.exists():
                self._load_file()
            else:
                self._index = self._new_index()
                self.loaded_checksum = None
        adds = {k: v for k, v in pending.items() if v is not None}
        removes = [k for k, v in pending.items() if v is None]
        if adds:
            self.add(list(adds), np.stack(list(adds.values())))
        if removes:
            self.remove(removes)
        self._pending = pending

    @staticmethod
    def list_versions(folder: Path) -> list[dict]:
        out = []
        for manifest in sorted(Path(folder).glob("*.json")):
            try:
                out.append(json.loads(manifest.read_text()))
            except (OSError, ValueError):
                continue
        return out

    def save(self) -> None:
        """Write to a temp file, fsync, rename; then the manifest the same way (under the writer lock)."""
        with self.guard():
            if self.is_stale():
                self.reload()  # another process saved since we read: keep its vectors, then ours
            self._save()

    def _save(self) -> None:
        if self.needs_rebuild():
            self.rebuild()
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock.exclusive():
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".usearch")
            os.close(fd)
            try:
                self._index.save(tmp)
                fsync_file(tmp)
                checksum = file_sha256(tmp)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            count = len(self._index)
        manifest = {"model_version": self.model_version, "dim": self.dim, "metric": METRIC, "dtype": DTYPE,
                    "count": count, "checksum": checksum, "file": self.path.name}
        atomic_write(self.manifest_path, json.dumps(manifest, indent=2))
        fsync_dir(self.folder)
        self.loaded_checksum = checksum
        self._pending.clear()
        self.dirty = False
        self.dirty_marker.unlink(missing_ok=True)

    def mark_dirty(self) -> None:
        """Say, before a change is committed elsewhere, that this file may lag behind: a crash before the next
        save then leaves the marker, and the next writer reconciles (core.catalog.crop_index). The marker is
        written even when the memory is already dirty: another process's recovery may have removed it."""
        self.dirty = True
        self.folder.mkdir(parents=True, exist_ok=True)
        self.dirty_marker.touch()

    def _mark_dirty(self) -> None:
        if not self.dirty:
            self.dirty = True
            self.folder.mkdir(parents=True, exist_ok=True)
            self.dirty_marker.touch()

    def delete_files(self) -> None:
        self.path.unlink(missing_ok=True)
        self.manifest_path.unlink(missing_ok=True)
        self.dirty_marker.unlink(missing_ok=True)

    # --- writes ------------------------------------------------------------------------------
    def add(self, keys: Iterable[int], vectors: np.ndarray) -> None:
        keys = np.asarray(list(keys), dtype=np.uint64)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(keys), self.dim)
        if not len(keys):
            return
        with self._lock.exclusive():
            # Replace: USearch keeps duplicates otherwise.
            present = keys[np.asarray(self._index.contains(keys), dtype=bool)]
            if len(present):
                self._index.remove(present)
                self.removed_since_build += len(present)
            # Adding may grow (reallocate) the graph, so it excludes searches for its few milliseconds.
            self._index.add(keys, vectors)
            self._tune()
        for key, vector in zip(keys.tolist(), vectors, strict=True):
            self._pending[int(key)] = np.array(vector, dtype=np.float32)
        self._mark_dirty()

    def remove(self, keys: Iterable[int]) -> int:
        keys = np.asarray(list(keys), dtype=np.uint64)
        if not len(keys):
            return 0
        with self._lock.exclusive():
            present = keys[np.asarray(self._index.contains(keys), dtype=bool)]
            if len(present):
                self._index.remove(present)
                self.removed_since_build += len(present)
        for key in keys.tolist():
            self._pending[int(key)] = None
        if len(present):
            self._mark_dirty()
        return int(len(present))

    # --- reads -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: int) -> bool:
        return bool(self._index.contains(int(key)))

    def keys(self) -> np.ndarray:
        with self._lock.shared():
            return np.asarray(self._index.keys, dtype=np.int64)

    def get(self, keys: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
        """Vectors for the keys that exist, and those keys."""
        keys = np.asarray(list(keys), dtype=np.uint64)
        if not len(keys):
            return np.zeros(0, dtype=np.int64), np.zeros((0, self.dim), dtype=np.float32)
        with self._lock.shared():
            present = keys[np.asarray(self._index.contains(keys), dtype=bool)]
            if not len(present):
                return np.zeros(0, dtype=np.int64), np.zeros((0, self.dim), dtype=np.float32)
            vectors = np.asarray(self._index.get(present), dtype=np.float32).reshape(len(present), self.dim)
        return present.astype(np.int64), vectors

    def search(self, query: np.ndarray, k: int, *, allowed: Iterable[int] | None = None,
               exact: bool = False) -> SearchHits:
        """The k nearest products; with `allowed`, only those, and k of them whenever k exist."""
        query = np.asarray(query, dtype=np.float32).reshape(self.dim)
        if allowed is not None:
            allowed = allowed if isinstance(allowed, np.ndarray) else list(allowed)
            allowed_keys = np.unique(np.asarray(allowed, dtype=np.int64))
            if len(allowed_keys) <= max(EXACT_SUBSET_LIMIT, math.sqrt(EXACT_SUBSET_FACTOR * k * len(self._index))):
                return self._exact_subset(query, allowed_keys, k)
            return self._filtered_ann(query, allowed_keys, k)
        with self._lock.shared():
            n = len(self._index)
            if n == 0:
                return SearchHits(np.zeros(0, np.int64), np.zeros(0, np.float32), True)
            exact = exact or n <= EXACT_SEARCH_LIMIT
            matches = self._index.search(query, min(k, n), exact=exact)
        return SearchHits(np.asarray(matches.keys, np.int64), (1.0 - np.asarray(matches.distances)).astype(np.float32), exact)

    def _exact_subset(self, query: np.ndarray, allowed: np.ndarray, k: int) -> SearchHits:
        keys, vectors = self.get(allowed)
        if not len(keys):
            return SearchHits(keys, np.zeros(0, np.float32), True)
        norms = np.linalg.norm(vectors, axis=1) * max(float(np.linalg.norm(query)), 1e-12)
        sims = (vectors @ query) / np.maximum(norms, 1e-12)
        top = np.argsort(-sims, kind="stable")[:k]
        return SearchHits(keys[top], sims[top].astype(np.float32), True)

    def _filtered_ann(self, query: np.ndarray, allowed: np.ndarray, k: int) -> SearchHits:
        """HNSW with oversampling: widen until k allowed hits are found, else fall back to exact."""
        with self._lock.shared():
            n = len(self._index)
        share = max(len(allowed) / max(n, 1), 1e-6)
        count = int(min(n, max(4 * k / share, 8 * k)))
        while True:
            with self._lock.shared():
                matches = self._index.search(query, count)
            keys = np.asarray(matches.keys, np.int64)
            sims = (1.0 - np.asarray(matches.distances)).astype(np.float32)
            mask = np.isin(keys, allowed)
            if mask.sum() >= k or count >= n:
                if mask.sum() >= min(k, len(allowed)):
                    return SearchHits(keys[mask][:k], sims[mask][:k], False)
                return self._exact_subset(query, allowed, k)
            count = min(n, count * 4)

    def memory_bytes(self) -> int:
        return int(self._index.memory_usage)

    # --- consistency -------------------------------------------------------------------------
    def reconcile(self, live_product_ids: Iterable[int], *, repair: bool = False) -> Reconciliation:
        """Compare with the database: vectors without a live product, live products without a vector."""
        live = np.unique(np.asarray(list(live_product_ids), dtype=np.int64))
        stored = self.keys()
        orphans = np.setdiff1d(stored, live)
        missing = np.setdiff1d(live, stored)
        if repair and len(orphans):
            self.remove(orphans.tolist())
            self.save()
        return Reconciliation(orphans=orphans.tolist(), missing=missing.tolist())
