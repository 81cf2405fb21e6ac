"""Keeps the crop-level vector indexes in step with the database: every searchable crop of a model version, by Crop.id.

The product index (core.vectors, one vector a product) holds each product's face, its primary crop. This index
holds every view, so a query that matches a back view or a detail finds the product even when the primary does
not look like it. Which crops model version V holds: the crops a curator sees for a live product (crop and image
not deleted), accepted or primary; for a candidate V (not the active version), an image that V's re-index cropped
again shows V's staged crops and the curator's locked ones, as it will after promote. Vectors come from the
embedding cache, the write-ahead log of every index, so keeping in step needs no model: every writer of crops
calls `sync_products` (the indexer, corrections, imports, delete and restore), purge calls `remove_crops`,
promote calls `sync_all`, and `check` compares the file with the database through `reconcile`.

A catalog made before this index existed has none: the first search or writer builds it from the cache
(`ensure`), and a setting row remembers that it was built, so a file that vanishes later is damage for `check`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from core.catalog import db
from core.catalog.catalog import CROPS_FOLDER, Catalog
from core.catalog.lock import CatalogBusy, ReadOnlyCatalog
from core.vectors import VectorStore, index_file_stem

log = logging.getLogger(__name__)

SAME_VECTOR = 0.999  # f16 storage keeps cosine above 0.9999 for the same vector (as check's stale test)
CacheKey = tuple[str, tuple[int, ...]]


def _built_key(model_version: str) -> str:
    return f"crop_index:{model_version}"


def was_built(model_version: str) -> bool:
    return db.Setting.get_or_none(db.Setting.key == _built_key(model_version)) is not None


def _mark_built(model_version: str) -> None:
    def write() -> None:
        db.Setting.insert(key=_built_key(model_version), value=True).on_conflict_ignore().execute()
    db.transaction(write)


def forget_built(model_version: str) -> None:
    """The model version is deleted: a later index of the same name starts afresh."""
    db.Setting.delete().where(db.Setting.key == _built_key(model_version)).execute()


def file_exists(catalog: Catalog, model_version: str) -> bool:
    stem = catalog.paths.vectors / CROPS_FOLDER / index_file_stem(model_version)
    return stem.with_name(stem.name + ".json").exists() or stem.with_name(stem.name + ".usearch").exists()


def _candidate(info: db.VectorIndexInfo) -> bool:
    active = db.VectorIndexInfo.get_or_none(db.VectorIndexInfo.active == True)  # noqa: E712
    return active is not None and active.model_version != info.model_version


# --- which crops a model version holds ------------------------------------------------------------------
@dataclass
class CropView:
    """The crops model version V should hold for some products: crop id -> (product id, embedding-cache key)."""
    crops: dict[int, tuple[int, CacheKey]] = field(default_factory=dict)
    indexed: set[int] = field(default_factory=set)  # of those products, the ones that went through the pipeline


def crop_view(info: db.VectorIndexInfo, product_ids: Iterable[int] | None = None) -> CropView:
    """The searchable crops of these products (all live products when None) as model version `info` sees them."""
    staged = info.model_version if _candidate(info) else ""
    C, Im, P = db.Crop, db.ImageFile, db.Product
    query = (C.with_deleted(C.id, C.staged_for, C.curator_locked, C.verdict, C.is_primary, C.x0, C.y0, C.x1, C.y1,
                            Im.id, Im.sha256, P.id, P.status)
             .join(Im).join(P)
             .where(C.deleted_at.is_null() & Im.deleted_at.is_null() & P.deleted_at.is_null()
                    & C.staged_for.in_(["", staged] if staged else [""])))
    rows: list[tuple] = []
    if product_ids is None:
        rows = list(query.tuples())
    else:
        for chunk in db.chunked(sorted(set(product_ids)), 500):
            rows += list(query.where(P.id.in_(chunk)).tuples())
    restaged = {r[9] for r in rows if staged and r[1] == staged}  # images V's run cropped again
    view = CropView()
    for crop_id, staged_for, locked, verdict, primary, x0, y0, x1, y1, image_id, sha, pid, status in rows:
        if image_id in restaged and staged_for == "" and not locked:
            continue  # retired at promote: V's own crops of this image replace it
        if verdict != "accepted" and not primary:
            continue
        box = tuple(int(round(v)) for v in (x0, y0, x1, y1))
        view.crops[crop_id] = (pid, (sha, box))
        if status == "indexed":
            view.indexed.add(pid)
    return view


def owned_crop_ids(product_ids: Iterable[int]) -> set[int]:
    """Every crop id ever made on these products' images (deleted and staged too): what the index may hold."""
    out: set[int] = set()
    for chunk in db.chunked(sorted(set(product_ids)), 500):
        images = db.ImageFile.with_deleted(db.ImageFile.id).where(db.ImageFile.product.in_(chunk))
        out.update(c for (c,) in db.Crop.with_deleted(db.Crop.id).where(db.Crop.image.in_(images)).tuples())
    return out


def cached_vectors(catalog: Catalog, info: db.VectorIndexInfo, view: CropView) -> dict[int, np.ndarray]:
    """crop id -> its vector from the embedding cache (crops the cache lacks are left out)."""
    keys = {cid: key for cid, (_, key) in view.crops.items()}
    found = catalog.embedding_cache().get_many(list(set(keys.values())), info.model_version, info.preprocess_version)
    return {cid: found[key] for cid, key in keys.items() if key in found and len(found[key]) == info.dim}


# --- keeping in step ------------------------------------------------------------------------------------
def _infos(versions: Iterable[str] | None) -> list[db.VectorIndexInfo]:
    rows = list(db.VectorIndexInfo.select().where(db.VectorIndexInfo.dim > 0))
    if versions is not None:
        wanted = set(versions)
        rows = [r for r in rows if r.model_version in wanted]
    return rows


def ensure(catalog: Catalog, info: db.VectorIndexInfo) -> VectorStore:
    """The crop index of a model version, built from the cache when it has none yet. Callers hold the writer lock."""
    if file_exists(catalog, info.model_version):
        return catalog.crop_store(info.model_version, info.dim)
    return build(catalog, info)


def build(catalog: Catalog, info: db.VectorIndexInfo) -> VectorStore:
    """A fresh crop index from the database and the cache (no model). Callers hold the writer lock."""
    store = VectorStore(catalog.paths.vectors / CROPS_FOLDER, info.model_version, info.dim)
    store.guard = catalog.writing
    store.delete_files()
    catalog.adopt_vector_store(store, replace=True)
    found = cached_vectors(catalog, info, crop_view(info))
    if found:
        store.add(list(found), np.stack(list(found.values())))
    store._save()  # the writer lock is held; an older file is not merged back in
    _mark_built(info.model_version)
    log.info("built the crop index of %s: %d crops", info.model_version, len(found))
    return store


def changing(catalog: Catalog, versions: Iterable[str] | None = None) -> None:
    """Call before committing crop changes that `sync_products` will follow: the crop indexes are marked dirty
    first, so a crash between the commit and the sync is replayed (check.recover_after_crash) instead of
    leaving the index behind the database unmarked."""
    for info in _infos(versions):
        if file_exists(catalog, info.model_version):
            catalog.crop_store(info.model_version, info.dim).mark_dirty()


def sync_products(catalog: Catalog, product_ids: Iterable[int], versions: Iterable[str] | None = None) -> int:
    """Bring these products' crops in every (or the named) model version's crop index in line with the database:
    crops gone, rejected or deleted leave it, new and moved ones enter with their cached vector. Callers hold the
    writer lock; the catalog saves the stores when it lets the lock go. Returns how many entries changed."""
    ids = sorted(set(int(p) for p in product_ids))
    if not ids:
        return 0
    changed = 0
    owned = owned_crop_ids(ids)
    for info in _infos(versions):
        if not file_exists(catalog, info.model_version):
            build(catalog, info)  # covers these products too
            continue
        store = catalog.crop_store(info.model_version, info.dim)
        target = cached_vectors(catalog, info, crop_view(info, ids))
        present = [c for c in owned if c in store]
        changed += store.remove([c for c in present if c not in target])
        changed += _put(store, target, [c for c in present if c in target])
    return changed


def _put(store: VectorStore, target: dict[int, np.ndarray], present: list[int]) -> int:
    """Add the target vectors that are missing or differ from what the index holds for the crop (a moved box)."""
    same: set[int] = set()
    if present:
        keys, vectors = store.get(present)
        for key, vec in zip(keys.tolist(), vectors, strict=True):
            if _cosine(vec, target[key]) >= SAME_VECTOR:
                same.add(key)
    todo = [c for c in target if c not in same]
    if todo:
        store.add(todo, np.stack([target[c] for c in todo]))
    return len(todo)


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b) / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-12)


def sync_all(catalog: Catalog, versions: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
    """Reconcile every crop index with the database (after promote switches which crops are live)."""
    return {info.model_version: reconcile(catalog, info, ensure(catalog, info), repair=True).counts()
            for info in _infos(versions)}


def remove_crops(catalog: Catalog, crop_ids: Iterable[int]) -> int:
    """Take crops out of every crop index (purge deletes their rows for good). Callers hold the writer lock."""
    ids = sorted(set(int(c) for c in crop_ids))
    removed = 0
    if not ids:
        return 0
    for info in _infos(None):
        if file_exists(catalog, info.model_version):
            removed += catalog.crop_store(info.model_version, info.dim).remove(ids)
    return removed


# --- consistency (check) --------------------------------------------------------------------------------
@dataclass
class CropReconciliation:
    orphans: list[int]  # crop ids held that no live product shows (deleted, rejected, moved to staging ...)
    refill: list[int]  # crops of indexed products missing from the index whose vector the cache has
    unembedded: list[int]  # products of the active version with a searchable crop no cache or index holds
    stale: list[int]  # crop ids whose held vector is not the cached vector of the crop's box (a moved box)
    vectors: int = 0

    def counts(self) -> dict[str, int]:
        return {"vectors": self.vectors, "orphans": len(self.orphans), "missing": len(self.refill),
                "unembedded_products": len(self.unembedded), "stale": len(self.stale)}


def reconcile(catalog: Catalog, info: db.VectorIndexInfo, store: VectorStore, *, repair: bool = False,
              cache_usable: bool = True) -> CropReconciliation:
    """Compare a crop index with the database and the cache; with repair, make it agree (writer lock held)."""
    view = crop_view(info)
    stored = set(store.keys().tolist())
    orphans = sorted(stored - set(view.crops))
    cached = cached_vectors(catalog, info, view) if cache_usable else {}
    wanted = {c for c, (pid, _) in view.crops.items() if pid in view.indexed}
    refill = sorted(c for c in wanted - stored if c in cached)
    active = bool(info.active) or not _candidate(info)
    unembedded = sorted({view.crops[c][0] for c in wanted - stored if c not in cached}) \
        if active and cache_usable else []
    stale = []
    held = sorted(stored & set(cached))
    if held:
        keys, vectors = store.get(held)
        stale = [k for k, v in zip(keys.tolist(), vectors, strict=True) if _cosine(v, cached[k]) < SAME_VECTOR]
    if repair and (orphans or refill or stale):
        store.remove(orphans)
        fix = refill + stale
        if fix:
            store.add(fix, np.stack([cached[c] for c in fix]))
        store.save()
    if repair and unembedded and info.active:  # no vector anywhere: the next index run embeds them again
        db.Product.update(status="imported").where(db.Product.id.in_(unembedded)).execute()
    return CropReconciliation(orphans, refill, unembedded, stale, vectors=len(store))


# --- search ---------------------------------------------------------------------------------------------
def for_search(catalog: Catalog, model_version: str) -> VectorStore | None:
    """The crop index a search uses, built first when the catalog has none yet (None when it cannot be: another
    writer holds the catalog, or it is read-only; the search then retrieves by primary crops alone)."""
    if file_exists(catalog, model_version):
        try:
            return catalog.crop_store(model_version)
        except (OSError, ValueError) as exc:  # damaged: `check --repair` rebuilds it
            log.warning("crop index of %s not usable: %s", model_version, exc)
            return None
    info = db.VectorIndexInfo.get_or_none(db.VectorIndexInfo.model_version == model_version)
    if info is None or not info.dim:
        return None
    try:
        with catalog.writing(timeout=0):
            return ensure(catalog, info)
    except (CatalogBusy, ReadOnlyCatalog, OSError) as exc:
        log.info("crop index of %s not built now (%s); searching primary crops only", model_version, exc)
        return None


def products_of(crop_ids: Iterable[int]) -> dict[int, int]:
    """crop id -> product id for crops a search may show (live crop, image and product); others are left out."""
    C, Im, P = db.Crop, db.ImageFile, db.Product
    out: dict[int, int] = {}
    for chunk in db.chunked(sorted(set(int(c) for c in crop_ids)), 500):
        rows = (C.with_deleted(C.id, Im.product).join(Im).join(P)
                .where(C.id.in_(chunk) & C.deleted_at.is_null() & Im.deleted_at.is_null()
                       & P.deleted_at.is_null()).tuples())
        out.update(rows)
    return out


def by_product(hits: dict[int, float], owners: dict[int, int]) -> dict[int, tuple[float, int]]:
    """The best crop hit of each product: product id -> (similarity, crop id) (the max over its views)."""
    best: dict[int, tuple[float, int]] = {}
    for crop_id, sim in hits.items():
        pid = owners.get(crop_id)
        if pid is not None and (pid not in best or sim > best[pid][0]):
            best[pid] = (sim, crop_id)
    return best

