"""Opens one catalog folder: its database, settings and vector indexes, and closes them together."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from core.catalog import db
from core.paths import CatalogPaths, default_catalog_dir
from core.settings import Settings
from core.vectors import VectorStore

log = logging.getLogger(__name__)


class Catalog:
    """The single owner of an open catalog. Peewee models are bound to one catalog per process."""

    def __init__(self, root: Path, settings: Settings) -> None:
        self.paths = CatalogPaths(Path(root))
        self.settings = settings
        self._stores: dict[str, VectorStore] = {}

    @classmethod
    def open(cls, root: Path | str | None = None) -> Catalog:
        paths = CatalogPaths(Path(root) if root else default_catalog_dir()).ensure()
        catalog = cls(paths.root, Settings.load(paths.settings))
        db.open_database(paths.db)
        if not paths.settings.exists():
            catalog.settings.save(paths.settings)
        catalog.catalog_id()  # every catalog gets its identity on first open
        if any(paths.vectors.glob("*.dirty")):  # the last process died before saving its vectors
            from core.catalog.check import recover_after_crash

            log.warning("recovered vectors after a crash: %s", recover_after_crash(catalog))
        return catalog

    @property
    def root(self) -> Path:
        return self.paths.root

    def catalog_id(self) -> str:
        row = db.Setting.get_or_none(db.Setting.key == "catalog_id")
        if row is None:
            row = db.Setting.create(key="catalog_id", value=uuid.uuid4().hex)
        return row.value

    def save_settings(self) -> None:
        self.settings.save(self.paths.settings)

    # --- vector indexes ----------------------------------------------------------------------
    def vector_store(self, model_version: str, dim: int | None = None) -> VectorStore:
        """The (cached) index for a model version; created empty when dim is given and none exists."""
        store = self._stores.get(model_version)
        if store is None:
            store = VectorStore.open(self.paths.vectors, model_version, dim)
            self._stores[model_version] = store
        return store

    def active_model_version(self) -> str | None:
        info = db.VectorIndexInfo.get_or_none(db.VectorIndexInfo.active == True)  # noqa: E712
        return info.model_version if info else None

    def register_index(self, model_version: str, *, dim: int, embedder: str, preprocess_version: str,
                       activate_if_none: bool = True, model_settings: dict | None = None) -> db.VectorIndexInfo:
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
        for store in self._stores.values():
            if store.dirty:
                store.save()

    def close(self) -> None:
        self.save_vectors()
        self._stores.clear()
        db.close_database()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
