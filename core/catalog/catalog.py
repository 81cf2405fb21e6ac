"""Opens one catalog folder: its database, settings and vector indexes, and closes them together."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import peewee as pw

from core.catalog import db
from core.catalog.lock import CatalogBusy, ReadOnlyCatalog, WriterLock
from core.paths import CatalogPaths, default_catalog_dir, write_refusal
from core.settings import ModelSettings, Settings
from core.vectors import VectorStore

if TYPE_CHECKING:
    from core.pipeline.embed_cache import EmbeddingCache

log = logging.getLogger(__name__)
CROPS_FOLDER = "crops"  # vectors/crops/: the crop-level indexes, one per model version (core.catalog.crop_index)
CROPS_KEY = "crops:"
HOME_KEY = "catalog_home"  # {"ino": ...} of the folder this catalog was first opened in (copy detection)
ID_HISTORY_KEY = "catalog_id_history"  # [{id, until}]: the ids a copied catalog had before its own
# A little space held in reserve (locks/space.reserve): when the disk fills, a job gives it back so that its
# last words ("failed: No space left on device") still reach the database, instead of "running" forever.
SPACE_RESERVE_BYTES = 512 * 1024


class Catalog:
    """The single owner of an open catalog: its vector stores, its embedding cache and the choice of the
    model that serves search. Peewee models are bound to one catalog per process (see core.catalog.db)."""

    def __init__(self, root: Path, settings: Settings, *, lock_timeout: float | None = None,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self.paths = CatalogPaths(Path(root))
        self.settings = settings
        self._stores: dict[str, VectorStore] = {}
        if lock_timeout is None:
            lock_timeout = float(os.environ.get("CATALOG_CURATOR_LOCK_WAIT", "600"))
        self.lock = WriterLock(self.paths.root / "locks", timeout=lock_timeout, on_wait=on_wait)
        self.read_only_reason = ""  # set when another window owns this catalog: every write is refused
        self._generation_seen: int | None = None
        # The model thread, pool reads and the GUI thread (delete/undo) all reach for stores.
        self._stores_lock = threading.RLock()
        self._embedding_cache: EmbeddingCache | None = None

    @classmethod
    def open(cls, root: Path | str | None = None, *, lock_timeout: float | None = None,
             on_wait: Callable[[str], None] | None = None) -> Catalog:
        folder = Path(root) if root else default_catalog_dir()
        refusal = write_refusal(folder)
        if refusal:
            return cls._open_read_only(CatalogPaths(folder), refusal)
        paths = CatalogPaths(folder).ensure()
        catalog = cls(paths.root, Settings.load(paths.settings), lock_timeout=lock_timeout, on_wait=on_wait)
        from core.catalog.backup import backup_before_migration, schema_version_of

        if schema_version_of(paths.db) < db.SCHEMA_VERSION:  # create or upgrade: one process at a time
            catalog.lock.acquire()
            try:
                backup_before_migration(paths)
                db.open_database(paths.db)
            finally:
                catalog.lock.release()
        else:
            backup_before_migration(paths)  # once a day
            db.open_database(paths.db)
        if not paths.settings.exists():
            catalog.settings.save(paths.settings)
        catalog.catalog_id()  # every catalog gets its identity on first open
        catalog.claim_identity()  # ...and a copied folder its own one
        catalog.recover_if_abandoned()
        catalog.keep_space_reserve()
        return catalog

    @property
    def space_reserve(self) -> Path:
        return self.paths.root / "locks" / "space.reserve"

    def keep_space_reserve(self) -> bool:
        """Hold SPACE_RESERVE_BYTES on the catalog's disk (made again once space is back); False if it cannot."""
        path = self.space_reserve
        if self.read_only_reason or (path.exists() and path.stat().st_size >= SPACE_RESERVE_BYTES):
            return path.exists()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(b"\0" * SPACE_RESERVE_BYTES)  # real blocks: a sparse file would hold nothing
                fh.flush()
                os.fsync(fh.fileno())
            return True
        except OSError:
            path.unlink(missing_ok=True)
            return False

    def release_space_reserve(self) -> bool:
        """The disk is full: give the reserve back so the failure can be recorded. True if there was one."""
        try:
            self.space_reserve.unlink()
            return True
        except OSError:
            return False

    @classmethod
    def _open_read_only(cls, paths: CatalogPaths, refusal: str) -> Catalog:
        """A catalog nothing can be written to (a read-only mount, a colleague's share): searches, check,
        export and lists work; every write is refused with the reason, and opening writes nothing (no
        backup, no identity, no replay, no folders)."""
        if not paths.db.is_file():
            raise ReadOnlyCatalog(f"{paths.root} holds no catalog, and one cannot be made there: {refusal}.")
        catalog = cls(paths.root, Settings.load(paths.settings))
        catalog.read_only_reason = f"read-only: changes are off ({refusal})"
        db.open_database(paths.db, read_only=True)
        log.info("%s: %s", paths.root, catalog.read_only_reason)
        return catalog

    def recover_if_abandoned(self) -> dict[str, int]:
        """Replay vectors a dead writer left unsaved. Only with the writer lock free: a `.dirty` marker of a
        live writer is that writer's business (replaying it here raced its saves and deleted its marker)."""
        markers = [*self.paths.vectors.glob("*.dirty"), *(self.paths.vectors / CROPS_FOLDER).glob("*.dirty")]
        if not markers or self.read_only_reason:
            return {}
        from core.catalog.check import recover_after_crash

        try:
            with self.writing(timeout=0):
                recovered = recover_after_crash(self)
        except CatalogBusy:
            return {}  # a live writer holds the lock: its markers are its own
        if recovered:
            log.warning("recovered vectors after a crash: %s", recovered)
        return recovered

    # --- the writer lock and the generation --------------------------------------------------
    @contextlib.contextmanager
    def writing(self, timeout: float | None = None) -> Iterator[Catalog]:
        """Hold the catalog's writer lock: other processes' changes are read in first, this one's vectors
        are saved and the generation moves before the lock is given back."""
        if self.read_only_reason:
            raise ReadOnlyCatalog(self.read_only_reason)
        outermost = self.lock.acquire(timeout)
        try:
            if outermost:
                self._catch_up(force=True)
            yield self
            if outermost:
                self._commit_vectors()
        finally:
            self.lock.release()

    def step_aside(self) -> None:
        """A long writer calls this between batches: when someone waits, save, let them in, take it back."""
        if self.lock.depth == 1 and self.lock.held_by_this_thread() and self.lock.others_waiting():
            self._commit_vectors()
            self.lock.release()
            time.sleep(0.1)  # waiters poll every 20 ms
            self.lock.acquire()
            self._catch_up(force=True)

    @contextlib.contextmanager
    def released(self) -> Iterator[Catalog]:
        """Give the writer lock back for a while (a long writer's model work between two batches of writes):
        its vectors are saved first, so whoever takes the lock meanwhile sees them, and on the way back what
        others saved is read in. Only the outermost holder on this thread lets go; nested in another writer
        (a GUI job that holds the lock around a re-index), it keeps the lock and this does nothing."""
        if self.lock.depth != 1 or not self.lock.held_by_this_thread():
            yield self
            return
        self._commit_vectors()
        self.lock.release()
        try:
            yield self
        finally:
            self.lock.acquire()
            self._catch_up(force=True)

    def _commit_vectors(self) -> None:
        saved = False
        with self._stores_lock:
            stores = list(self._stores.values())
        for store in stores:
            if store.dirty:
                store.save()
                saved = True
        if saved:
            self.bump_generation()

    def generation(self) -> int:
        row = db.database.execute_sql("SELECT value FROM setting WHERE key = 'generation'").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def bump_generation(self) -> int:
        """Every saved change of vectors moves the generation: other processes reload before they answer."""
        def _do() -> None:
            db.database.execute_sql(
                "INSERT OR IGNORE INTO setting (key, value, created_at, updated_at) VALUES ('generation', '0', ?, ?)",
                (db.utcnow(), db.utcnow()))
            db.database.execute_sql(
                "UPDATE setting SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'generation'")
        db.transaction(_do)
        self._generation_seen = self.generation()
        return self._generation_seen

    def _catch_up(self, force: bool = False) -> None:
        """Reload indexes another process saved since this one read them (cheap: one SELECT when nothing moved)."""
        if not self._stores:
            return
        generation = self.generation()
        if not force and generation == self._generation_seen:
            return
        self._generation_seen = generation
        with self._stores_lock:
            stores = list(self._stores.values())
        for store in stores:
            if store.is_stale():
                store.reload()  # re-applies this process's unsaved changes, if any

    @property
    def root(self) -> Path:
        return self.paths.root

    def catalog_id(self) -> str:
        row = db.Setting.get_or_none(db.Setting.key == "catalog_id")
        if row is None:
            row = db.Setting.create(key="catalog_id", value=uuid.uuid4().hex)
        return row.value

    def _folder_key(self) -> int | None:
        """The catalog folder's inode: a copy (cp -r, a file manager, a restore) gets a new one, a rename or a
        move within the disk keeps it. None where the filesystem has no stable number to offer."""
        try:
            ino = os.stat(self.root).st_ino
        except OSError:
            return None
        return ino or None

    def claim_identity(self, *, as_copy: bool = False) -> str:
        """The catalog id, renewed when this folder is a copy of another catalog (or as_copy says so).

        Two folders with one id would take each other's corrections for their own (sync skips its own) and
        write over each other's labels snapshots. A copy is recognised on its first open by its folder's inode,
        recorded in the database on the first open of the original: the copy carries the record but sits in
        another folder. Its old id stays in catalog_id_history (the corrections made under it keep their
        origin); a rename or a move on the same disk keeps the id, and a path is never part of it."""
        ino = self._folder_key()
        if self.read_only_reason or (ino is None and not as_copy):
            return self.catalog_id()

        def _do() -> str:
            current = self.catalog_id()
            home = db.Setting.get_or_none(db.Setting.key == HOME_KEY)
            copied = as_copy or (home is not None and ino is not None and home.value != {"ino": ino})
            if home is None or copied:
                (db.Setting.insert(key=HOME_KEY, value={"ino": ino})
                 .on_conflict(conflict_target=[db.Setting.key], update={db.Setting.value: {"ino": ino}}).execute())
            if not copied:
                return current
            new = uuid.uuid4().hex
            history = db.Setting.get_or_none(db.Setting.key == ID_HISTORY_KEY)
            past = [*(history.value if history else []), {"id": current, "until": db.utcnow().isoformat()}]
            for key, value in ((ID_HISTORY_KEY, past), ("catalog_id", new)):
                (db.Setting.insert(key=key, value=value)
                 .on_conflict(conflict_target=[db.Setting.key], update={db.Setting.value: value}).execute())
            db.audit("catalog_copy", target=new, previous=current, told=as_copy)
            log.warning("this catalog is a copy of %s: it now has its own identity %s", current, new)
            return new

        try:
            return db.transaction(_do)
        except pw.OperationalError as exc:  # a read-only database: it keeps the identity it has
            log.info("catalog identity not checked: %s", exc)
            return self.catalog_id()

    def save_settings(self) -> None:
        self.settings.save(self.paths.settings)

    # --- vector indexes ----------------------------------------------------------------------
    def vector_store(self, model_version: str, dim: int | None = None) -> VectorStore:
        """The (cached) index for a model version; created empty when dim is given and none exists."""
        with self._stores_lock:
            store = self._stores.get(model_version)
            if store is None:
                if self._generation_seen is None:
                    self._generation_seen = self.generation()
                store = VectorStore.open(self.paths.vectors, model_version, dim)
                store.guard = self.writing
                self._stores[model_version] = store
                return store
        if not self.lock.held:
            self._catch_up()
        return store

    def crop_store(self, model_version: str, dim: int | None = None) -> VectorStore:
        """The (cached) crop-level index of a model version: every searchable crop, keyed by Crop.id
        (kept in step by core.catalog.crop_index); created empty when dim is given and none exists."""
        key = CROPS_KEY + model_version
        with self._stores_lock:
            store = self._stores.get(key)
            if store is None:
                if self._generation_seen is None:
                    self._generation_seen = self.generation()
                store = VectorStore.open(self.paths.vectors / CROPS_FOLDER, model_version, dim)
                store.guard = self.writing
                self._stores[key] = store
                return store
        if not self.lock.held:
            self._catch_up()
        return store

    def adopt_vector_store(self, store: VectorStore, *, replace: bool = False) -> VectorStore:
        """Make `store` this catalog's store of its model version (check --repair builds one from scratch);
        without `replace`, a store already held wins."""
        key = (CROPS_KEY if store.folder.name == CROPS_FOLDER else "") + store.model_version
        with self._stores_lock:
            if replace:
                self._stores[key] = store
                return store
            return self._stores.setdefault(key, store)

    def forget_vector_store(self, model_version: str) -> None:
        """Drop a cached store (its files are being deleted); the next vector_store() reads from disk."""
        with self._stores_lock:
            self._stores.pop(model_version, None)
            self._stores.pop(CROPS_KEY + model_version, None)

    def open_vector_stores(self) -> list[VectorStore]:
        """The stores of every model version on disk (deletes and restores must reach all of them)."""
        return [self.vector_store(m["model_version"]) for m in VectorStore.list_versions(self.paths.vectors)]

    # --- embedding cache ---------------------------------------------------------------------
    def embedding_cache(self) -> EmbeddingCache:
        """The one embedding cache of this catalog (a connection per thread), closed with the catalog."""
        with self._stores_lock:
            if self._embedding_cache is None:
                from core.pipeline.embed_cache import EmbeddingCache

                self._embedding_cache = EmbeddingCache(self.paths.cache / "embeddings.sqlite",
                                                       read_only=bool(self.read_only_reason))
            return self._embedding_cache

    # --- which model serves search -----------------------------------------------------------
    def model_settings_for(self, model_version: str) -> ModelSettings:
        """How to load the model an index was built with, so its queries match its vectors."""
        info = db.VectorIndexInfo.get_or_none(db.VectorIndexInfo.model_version == model_version)
        if info is None or not info.model_settings:
            raise KeyError(f"no index for model version {model_version!r} with known model settings")
        settings = ModelSettings.from_dict(info.model_settings)
        if settings.adapter:  # adapters live in the catalog folder: found again after the folder moves
            path = Path(settings.adapter)
            if not path.is_absolute() or not path.exists():
                settings.adapter = str(self.paths.root / "adapters" / path.name)
        return settings

    def search_model_settings(self) -> ModelSettings:
        """The model searches use: the active index's, else the catalog's settings (nothing indexed yet)."""
        active = self.active_model_version()
        if active:
            try:
                return self.model_settings_for(active)
            except KeyError:
                log.info("the active index %s has no stored model settings; using the catalog's", active)
        return self.settings.models

    def drop_embedding_cache(self) -> None:
        """Close the cache connection (check --repair is about to move a damaged cache file aside)."""
        with self._stores_lock:
            if self._embedding_cache is not None:
                self._embedding_cache.close()
                self._embedding_cache = None

    def active_model_version(self) -> str | None:
        info = db.VectorIndexInfo.get_or_none(db.VectorIndexInfo.active == True)  # noqa: E712
        return info.model_version if info else None

    def register_index(self, model_version: str, *, dim: int, embedder: str, preprocess_version: str,
                       activate_if_none: bool = True, model_settings: dict | None = None) -> db.VectorIndexInfo:
        deleted = db.VectorIndexInfo.only_deleted().where(db.VectorIndexInfo.model_version == model_version).first()
        if deleted is not None:  # `models delete V`, then the same model again: a fresh start, not IntegrityError
            deleted.deleted_at, deleted.active, deleted.state = None, False, "building"
            deleted.dim, deleted.embedder, deleted.preprocess_version = dim, embedder, preprocess_version
            deleted.save()
        info, created = db.VectorIndexInfo.get_or_create(
            model_version=model_version,
            defaults={"dim": dim, "embedder": embedder, "preprocess_version": preprocess_version,
                      "model_settings": model_settings or {}},
        )
        if not created and model_settings:
            # The fusion weights chosen for this model version (core.search.fusion) outlive a re-index.
            kept = {k: v for k, v in (info.model_settings or {}).items() if k == "fusion"}
            if info.model_settings != {**model_settings, **kept}:
                info.model_settings = {**model_settings, **kept}
                info.save()
        if activate_if_none and self.active_model_version() is None:
            info.active = True
            info.save()
        return info

    def activate(self, model_version: str) -> None:
        """Make a model version the one searches use (the curator promotes it)."""
        def _do() -> None:
            db.VectorIndexInfo.update(active=False).execute()
            db.VectorIndexInfo.update(active=True, state="ready").where(
                db.VectorIndexInfo.model_version == model_version).execute()
        db.transaction(_do)

    def save_vectors(self) -> None:
        with self._stores_lock:
            dirty = any(store.dirty for store in self._stores.values())
        if dirty:
            with self.writing():
                self._commit_vectors()  # saves the dirty stores and moves the generation

    def close(self) -> None:
        try:
            self.save_vectors()
        except (OSError, db.pw.OperationalError) as exc:
            # A full disk at exit: the .dirty marker stays, so the next writer replays these vectors from the
            # embedding cache. The caller has already reported what failed.
            log.warning("vectors not saved at close (%s); they are replayed from the cache next time", exc)
        finally:
            with self._stores_lock:
                self._stores.clear()
            self.drop_embedding_cache()
            self.lock.close()
            db.close_database()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
