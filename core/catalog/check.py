"""Consistency of a catalog: the database, vector indexes, embedding cache, blobs and jobs; and their repair.

Each problem is a finding with a plain reason and whether `--repair` can fix it. Repair rebuilds what is
derived (vector files from the embedding cache, the cache itself by re-embedding), never what a curator made:
corrections live in the database, and a rebuilt vector is the one of the product's current primary crop.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from core.catalog import crop_index, db
from core.catalog.catalog import CROPS_FOLDER, Catalog
from core.catalog.lock import ReadOnlyCatalog
from core.fileio import file_sha256
from core.vectors import VectorStore, index_file_stem

BLOB_SAMPLE = 256  # plain `check` hashes this many stored photos (all of them with --deep)
STALE_VECTOR_SIMILARITY = 0.999  # f16 storage keeps cosine above 0.9999 for the same vector
# Causes that say nothing about the product: the next run should simply try again (see core.jobs.is_transient).
TRANSIENT_MARKERS = ("no space left", "disk is full", "database is locked", "database is busy", "disk i/o",
                     "connection", "timed out", "timeout", "quota")


@dataclass
class Finding:
    kind: str
    reason: str
    repairable: bool
    severity: str = "error"  # error: check is not ok; warning: worth knowing, the catalog is consistent
    count: int = 1
    repaired: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def live_product_ids() -> list[int]:
    return [p.id for p in db.Product.select(db.Product.id)]


def indexed_product_ids() -> list[int]:
    """Live products that went through the pipeline and should have a vector."""
    return [p.id for p in db.Product.select(db.Product.id).where(db.Product.status == "indexed")]


def _primary_keys(product_ids: list[int], staged: str = "") -> dict[int, tuple[str, tuple[int, ...]]]:
    """The embedding-cache key of each product's primary crop (a curator's choice when there is one); for a
    candidate model version, its staged primary where it has one."""
    keys: dict[int, tuple[str, tuple[int, ...]]] = {}
    for chunk in db.chunked(product_ids, 500):
        live = (db.Crop.select(db.Crop, db.ImageFile).join(db.ImageFile)
                .where(db.ImageFile.product.in_(chunk) & (db.Crop.is_primary == True)))  # noqa: E712
        rows = list(live)
        if staged:
            rows += list(db.Crop.with_deleted(db.Crop, db.ImageFile).join(db.ImageFile).where(
                db.ImageFile.product.in_(chunk) & (db.Crop.is_primary == True)  # noqa: E712
                & (db.Crop.staged_for == staged) & db.Crop.deleted_at.is_null()))
        for row in rows:  # staged rows come last and win
            keys[row.image.product_id] = (row.image.sha256, tuple(int(round(v)) for v in row.box))
    return keys


def _cached_primaries(catalog: Catalog, info: db.VectorIndexInfo, product_ids: list[int]) -> dict[int, np.ndarray]:
    keys = _primary_keys(product_ids, "" if info.active else info.model_version)
    found = catalog.embedding_cache().get_many(list(keys.values()), info.model_version, info.preprocess_version)
    return {pid: found[key] for pid, key in keys.items() if key in found and len(found[key]) == info.dim}


def recover_vectors(catalog: Catalog, model_version: str, product_ids: list[int] | None = None) -> int:
    """Put back vectors that the database says exist, from the embedding cache (no model needed).

    The cache is committed before a product's row says "indexed", so it acts as the write-ahead log
    of the vector index: a crash between a commit and an index save loses nothing.
    """
    info = db.VectorIndexInfo.get_or_none(db.VectorIndexInfo.model_version == model_version)
    if info is None:
        return 0
    with catalog.writing():
        store = catalog.vector_store(model_version, info.dim or None)
        wanted = set(indexed_product_ids() if product_ids is None else product_ids)
        missing = sorted(wanted - set(store.keys().tolist()))
        if not missing:
            return 0
        found = _cached_primaries(catalog, info, missing)
        if found:
            store.add(list(found), np.stack(list(found.values())))
            store.save()
    return len(found)


def recover_after_crash(catalog: Catalog) -> dict[str, int]:
    """Replay vectors for every index whose file was left behind its database (a dirty marker).
    Callers hold the writer lock: a live writer's marker is not a crash."""
    recovered = {}
    for info in db.VectorIndexInfo.select():
        marker = catalog.paths.vectors / f"{index_file_stem(info.model_version)}.dirty"
        if marker.exists():
            try:
                recovered[info.model_version] = recover_vectors(catalog, info.model_version)
            except (OSError, ValueError, RuntimeError):
                continue  # a damaged index: `check` reports it and `check --repair` rebuilds it
            marker.unlink(missing_ok=True)
        marker = catalog.paths.vectors / CROPS_FOLDER / f"{index_file_stem(info.model_version)}.dirty"
        if marker.exists() and info.dim:
            try:  # the crop index is derived from the database and the cache: reconcile it
                fixed = crop_index.reconcile(catalog, info, crop_index.ensure(catalog, info), repair=True)
                recovered[f"crops:{info.model_version}"] = len(fixed.refill) + len(fixed.stale)
            except (OSError, ValueError, RuntimeError):
                continue
            marker.unlink(missing_ok=True)
    return recovered


# --- the checks -----------------------------------------------------------------------------------

def _check_database(deep: bool) -> list[Finding]:
    pragma = "integrity_check" if deep else "quick_check"
    try:
        rows = [r[0] for r in db.database.execute_sql(f"PRAGMA {pragma}").fetchall()]
    except Exception as exc:
        rows = [str(exc)]
    if rows == ["ok"]:
        return []
    return [Finding("database", f"the database is damaged ({pragma}: {'; '.join(rows[:3])})", repairable=False)]


def _inspect_index(catalog: Catalog, info: db.VectorIndexInfo, *, crops: bool = False
                   ) -> tuple[VectorStore | None, list[Finding]]:
    """Open one model version's index (or its crop index) without trusting its manifest; say what is wrong."""
    stem = index_file_stem(info.model_version)
    folder = catalog.paths.vectors / CROPS_FOLDER if crops else catalog.paths.vectors
    path, manifest_path = folder / f"{stem}.usearch", folder / f"{stem}.json"
    name = info.model_version
    what = "crop vector index" if crops else "vector index"
    kind = "crops" if crops else "vectors"
    if not manifest_path.exists() and not path.exists():
        if crops and crop_index.was_built(name):
            return None, [Finding("crops", f"the {what} of {name} is missing", repairable=True)]
        if not crops and db.Product.select().where(db.Product.status == "indexed").exists() and info.active:
            return None, [Finding("vectors", f"the vector index of {name} is missing", repairable=True)]
        return None, []
    try:
        manifest = json.loads(manifest_path.read_text())
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except FileNotFoundError:
        return None, [Finding(kind, f"the manifest of {name}'s {what} is missing", repairable=True)]
    except (OSError, ValueError) as exc:
        return None, [Finding(kind, f"the manifest of {name}'s {what} is unreadable ({exc})", repairable=True)]
    problems = []
    if manifest.get("model_version") != info.model_version:
        problems.append(f"its manifest names model {manifest.get('model_version')!r}")
    if info.dim and manifest.get("dim") != info.dim:
        problems.append(f"its manifest says {manifest.get('dim')} dimensions, the model gives {info.dim}")
    if not path.exists():
        problems.append("the vector file is missing")
    else:
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != manifest.get("checksum"):
            problems.append(f"the vector file ({len(data):,} bytes) does not match its manifest checksum "
                            "(truncated or changed)")
    if not problems:
        try:
            store = VectorStore.open(folder, info.model_version, info.dim or None)
        except Exception as exc:
            problems.append(f"the vector file does not load ({exc})")
        else:
            if manifest.get("count") is not None and int(manifest["count"]) != len(store):
                problems.append(f"it holds {len(store)} vectors, its manifest says {manifest['count']}")
            else:
                return store, []
    return None, [Finding(kind, f"the {what} of {name} is damaged: {'; '.join(problems)}", repairable=True)]


def _rebuild_index(catalog: Catalog, info: db.VectorIndexInfo) -> VectorStore:
    """A fresh file from the embedding cache: each indexed product's current primary crop."""
    store = VectorStore(catalog.paths.vectors, info.model_version, info.dim)
    store.guard = catalog.writing
    store.delete_files()
    catalog.adopt_vector_store(store, replace=True)
    found = _cached_primaries(catalog, info, indexed_product_ids())
    if found:
        store.add(list(found), np.stack(list(found.values())))
    store._save()  # the writer lock is held by check_catalog; the old file is not merged back in
    return store


def _check_vectors(catalog: Catalog, info: db.VectorIndexInfo, store: VectorStore, live: list[int],
                   expected: set[int], repair: bool, cache_usable: bool = True) -> tuple[dict[str, Any], list[Finding]]:
    findings = []
    row: dict[str, Any] = {}
    stored = set(store.keys().tolist())
    orphans = sorted(stored - set(live))
    missing = sorted(expected - stored)
    if orphans:
        findings.append(Finding("orphans", f"{len(orphans)} vectors of {info.model_version} belong to no live "
                                "product", repairable=True, count=len(orphans)))
    if missing:
        findings.append(Finding("missing", f"{len(missing)} indexed products have no vector in "
                                f"{info.model_version}", repairable=True, count=len(missing)))
    # A vector that is not the one of the product's primary crop (a curator's choice reverted by a stale save).
    cached = _cached_primaries(catalog, info, sorted(stored & expected)) if cache_usable else {}
    stale = []
    if cached:
        keys, vectors = store.get(list(cached))
        for key, vec in zip(keys.tolist(), vectors, strict=True):
            want = cached[key]
            sim = float(vec @ want) / max(float(np.linalg.norm(vec) * np.linalg.norm(want)), 1e-12)
            if sim < STALE_VECTOR_SIMILARITY:
                stale.append(key)
    if stale:
        findings.append(Finding("stale", f"{len(stale)} vectors of {info.model_version} are not their product's "
                                "primary crop (a correction was overwritten)", repairable=True, count=len(stale)))
    if repair and (orphans or missing or stale):
        with catalog.writing():
            if orphans:
                store.remove(orphans)
            refill = _cached_primaries(catalog, info, missing) if missing and cache_usable else {}
            refill.update({pid: cached[pid] for pid in stale})
            if refill:
                store.add(list(refill), np.stack(list(refill.values())))
            store.save()
        still_missing = sorted(set(missing) - set(refill))
        if still_missing and info.active:  # not in the cache: embedded again (`check --repair` runs it at once)
            db.Product.update(status="imported").where(db.Product.id.in_(still_missing)).execute()
            row["requeued"] = still_missing
        for f in findings:
            f.repaired = True
        missing = still_missing
    row.update({"model_version": info.model_version, "vectors": len(store), "orphans": orphans, "missing": missing,
                "stale": stale, "active": bool(info.active)})
    return row, findings


def _check_crops(catalog: Catalog, info: db.VectorIndexInfo, repair: bool, cache_usable: bool
                 ) -> tuple[dict[str, Any], list[Finding]]:
    """The crop-level index (every searchable view, core.catalog.crop_index) against the database and cache."""
    name = info.model_version
    if not info.dim:
        return {}, []
    if not crop_index.was_built(name) and not crop_index.file_exists(catalog, name):
        if not cache_usable:
            return {}, []
        store = crop_index.build(catalog, info)  # a catalog from before crop indexes: derived, built now
        return {"vectors": len(store), "built": True}, []
    store, findings = _inspect_index(catalog, info, crops=True)
    if findings and repair:
        store = crop_index.build(catalog, info)
        for f in findings:
            f.repaired = True
    if store is None:
        return {"vectors": 0, "damaged": True}, findings
    if not findings:
        store = catalog.adopt_vector_store(store)
        store.guard = catalog.writing
    result = crop_index.reconcile(catalog, info, store, repair=repair, cache_usable=cache_usable)
    problems = []
    if result.orphans:
        problems.append(Finding("crops", f"{len(result.orphans)} crop vectors of {name} belong to no searchable "
                                "crop (deleted, rejected or of a deleted product)", repairable=True,
                                count=len(result.orphans)))
    if result.refill:
        problems.append(Finding("crops", f"{len(result.refill)} crops of indexed products are missing from the "
                                f"crop index of {name}", repairable=True, count=len(result.refill)))
    if result.unembedded:
        problems.append(Finding("crops", f"{len(result.unembedded)} indexed products have a crop with no vector "
                                f"of {name} anywhere; repair queues them for the next index run", repairable=True,
                                count=len(result.unembedded)))
    if result.stale:
        problems.append(Finding("crops", f"{len(result.stale)} crop vectors of {name} are not their crop's "
                                "current box (a moved box was overwritten)", repairable=True,
                                count=len(result.stale)))
    for f in problems:
        f.repaired = repair
    return result.counts(), findings + problems


def _check_cache(catalog: Catalog, repair: bool) -> list[Finding]:
    path = catalog.paths.cache / "embeddings.sqlite"
    if not path.exists():
        return []
    dims = {i.model_version: i.dim for i in db.VectorIndexInfo.select()}
    try:
        con = (sqlite3.connect(db.read_only_uri(path), uri=True, timeout=30) if catalog.read_only_reason
               else sqlite3.connect(path, timeout=30))
        try:
            ok = con.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise sqlite3.DatabaseError(ok)
            bad = con.execute("SELECT COUNT(*) FROM embedding "
                              "WHERE typeof(vector) != 'blob' OR length(vector) != 4 * dim").fetchone()[0]
            wrong_dim = sum(n for mv, d, n in con.execute(
                "SELECT model_version, dim, COUNT(*) FROM embedding GROUP BY 1, 2") if mv in dims and dims[mv] != d)
            if (bad or wrong_dim) and repair:
                with con:
                    con.execute("DELETE FROM embedding WHERE typeof(vector) != 'blob' OR length(vector) != 4 * dim")
                    for mv, d in dims.items():
                        con.execute("DELETE FROM embedding WHERE model_version = ? AND dim != ?", (mv, d))
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        finding = Finding("cache", f"the embedding cache is unreadable ({exc}); it is derived data: repair "
                          "moves it aside and the next index run embeds again", repairable=True)
        if repair:
            catalog.drop_embedding_cache()
            aside = path.with_name(f"embeddings.damaged-{os.getpid()}.sqlite")
            os.replace(path, aside)
            for suffix in ("-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            finding.repaired = True
        return [finding]
    if bad or wrong_dim:
        return [Finding("cache", f"{bad + wrong_dim} embedding-cache rows are damaged (wrong size or dimensions)",
                        repairable=True, count=bad + wrong_dim, repaired=repair)]
    return []


def _check_jobs(write: bool) -> list[Finding]:
    """Jobs left "running" by a process that is gone are retired on the spot (failed, with the reason): a
    crash is history, not a standing fault of the catalog, so it is a warning and never makes check fail."""
    from core.jobs import dead_jobs, dead_reason

    dead = dead_jobs()
    if not dead:
        return []
    if write:
        def _do() -> None:
            for job in dead:
                job.state, job.finished_at = "failed", db.utcnow()
                job.error = job.error or dead_reason(job)
                job.save()
        db.transaction(_do)
    return [Finding("jobs", f"{len(dead)} jobs ({', '.join(str(j.id) for j in dead[:5])}) were left running by "
                    f"a process that stopped ({dead_reason(dead[0])})" + ("; marked failed" if write else ""),
                    repairable=True, severity="warning", count=len(dead), repaired=write)]


def _check_detectors(catalog: Catalog) -> list[Finding]:
    """Each trained product detector (`detectors/<version>.pt`) against the sha256 recorded when it was made."""
    folder = catalog.root / "detectors"
    findings = []
    active = ""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        active = json.loads((folder / "active.json").read_text()).get("version", "")
    for record_path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        weights = record_path.with_suffix(".pt")
        try:
            recorded = json.loads(record_path.read_text()).get("sha256")
        except (OSError, ValueError, AttributeError):
            continue
        if not recorded or record_path.stem == "active":
            continue
        if not weights.is_file():
            actual = None
        else:
            h = hashlib.sha256()
            with open(weights, "rb") as fh:
                for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                    h.update(chunk)
            actual = h.hexdigest()
        if actual != recorded:
            in_use = record_path.stem == active
            state = "is missing" if actual is None else "changed on disk (sha256 differs from the one recorded)"
            findings.append(Finding("detector", f"the product detector {record_path.stem} {state}"
                                    + ("; it is the one in use: train again or promote another version" if in_use
                                       else "; it is not in use: delete it or train again"),
                                    repairable=False, severity="error" if in_use else "warning"))
    return findings


def _check_products(repair: bool) -> list[Finding]:
    findings = []
    failed = list(db.Product.select(db.Product.id, db.Product.sku).where(db.Product.status == "error"))
    if failed:
        reasons = {}
        for r in (db.IndexingResult.select(db.IndexingResult.product, db.IndexingResult.error)
                  .where(db.IndexingResult.product.in_([p.id for p in failed]))
                  .order_by(db.IndexingResult.id)):
            reasons[r.product_id] = r.error
        transient = [p for p in failed if any(m in reasons.get(p.id, "").lower() for m in TRANSIENT_MARKERS)]
        if transient:
            example = reasons[transient[0].id].splitlines()[0][:120]
            findings.append(Finding("failed", f"{len(transient)} products failed for a passing reason (e.g. "
                                    f"{transient[0].sku}: {example}) and were never retried", repairable=True,
                                    count=len(transient)))
        rest = len(failed) - len(transient)
        if rest:
            findings.append(Finding("failed", f"{rest} products could not be indexed (their images give no usable "
                                    "crop); repair queues them once more", repairable=True, severity="warning",
                                    count=rest))
        if repair:
            db.Product.update(status="imported").where(db.Product.id.in_([p.id for p in failed])).execute()
            for f in findings:
                f.repaired = True
    from core.jobs import running_jobs

    if not running_jobs():
        waiting = db.Product.select().where(db.Product.status == "imported").count()
        if waiting:
            findings.append(Finding("not_indexed", f"{waiting} products were imported but never indexed; "
                                    "run `index` (or resume in the app)", repairable=False, severity="warning",
                                    count=waiting))
    return findings


def _check_blobs(catalog: Catalog, deep: bool) -> tuple[list[str], list[Finding]]:
    """Every stored photo is there; their bytes are hashed for a random sample of BLOB_SAMPLE (all with
    --deep), so a plain check still catches a photo that changed on disk with a fair chance each run."""
    import random

    missing, damaged = [], []
    images = list(db.ImageFile.select(db.ImageFile.id, db.ImageFile.blob_path, db.ImageFile.sha256)
                  .where(db.ImageFile.status == "ok"))
    hashed = {i.id for i in (images if deep or len(images) <= BLOB_SAMPLE else random.sample(images, BLOB_SAMPLE))}
    for image in images:
        path = catalog.root / image.blob_path
        if not path.exists():
            missing.append(image.blob_path)
        elif image.id in hashed and image.sha256 and file_sha256(path) != image.sha256:
            damaged.append(image.blob_path)
    findings = []
    if missing:
        findings.append(Finding("blobs", f"{len(missing)} stored images are missing (e.g. {missing[0]}); "
                                "import their folders again", repairable=False, count=len(missing)))
    if damaged:
        sampled = "" if len(hashed) == len(images) else f" among {len(hashed)} sampled; check --deep hashes all"
        findings.append(Finding("blobs", f"{len(damaged)} stored images changed on disk (sha256 differs, e.g. "
                                f"{damaged[0]}{sampled}); import their folders again", repairable=False,
                                count=len(damaged)))
    return missing, findings


def check_catalog(catalog: Catalog, *, repair: bool = False, deep: bool = False) -> dict[str, Any]:
    """Verify everything a catalog is made of; with repair, fix what is derived. Holds the writer lock; a
    read-only catalog (nobody can write it through this mount) is checked as it lies, and repair is refused."""
    if catalog.read_only_reason:
        if repair:
            raise ReadOnlyCatalog(f"check --repair needs to write: {catalog.read_only_reason}")
        return _check(catalog, repair=False, deep=deep)
    with catalog.writing():
        return _check(catalog, repair=repair, deep=deep)


def _check(catalog: Catalog, *, repair: bool, deep: bool) -> dict[str, Any]:
    catalog._commit_vectors()  # this process's unsaved vectors first: the files are what is checked
    findings = _check_database(deep)
    if findings:  # nothing else can be trusted: name the way back
        return database_beyond_repair(catalog.paths, findings[0].reason)
    findings += _check_cache(catalog, repair)
    # Without repair a damaged cache file is left as found (opening it would set it aside).
    cache_usable = not any(f.kind == "cache" and f.count == 1 and not f.repaired and "unreadable" in f.reason
                           for f in findings)
    recovered = recover_after_crash(catalog) if cache_usable and not catalog.read_only_reason else {}
    live = live_product_ids()
    expected = set(indexed_product_ids())
    report: dict[str, Any] = {"products": len(live), "vectors": 0, "missing": [], "orphans": [],
                              "missing_blobs": [], "indexes": []}
    active = catalog.active_model_version()
    for info in db.VectorIndexInfo.select().order_by(db.VectorIndexInfo.model_version):
        store, problems = _inspect_index(catalog, info)
        if problems and repair:
            store = _rebuild_index(catalog, info)
            for f in problems:
                f.repaired = True
        findings += problems
        if store is None:
            report["indexes"].append({"model_version": info.model_version, "vectors": 0, "active": bool(info.active),
                                      "damaged": True})
            continue
        if not problems:  # the file is sound: use (and keep) the catalog's own store object
            store = catalog.adopt_vector_store(store)
            store.guard = catalog.writing
        row, problems = _check_vectors(catalog, info, store, live, expected if info.active or active is None
                                       else set(), repair, cache_usable)
        findings += problems
        report["indexes"].append(row)
        if info.model_version == active or active is None:
            report["vectors"], report["missing"], report["orphans"] = row["vectors"], row["missing"], row["orphans"]
        crop_row, problems = _check_crops(catalog, info, repair, cache_usable)
        findings += problems
        if crop_row:
            row["crops"] = crop_row
    report["missing_blobs"], blob_findings = _check_blobs(catalog, deep)
    findings += blob_findings
    findings += _check_detectors(catalog)
    findings += _check_jobs(not catalog.read_only_reason)
    findings += _check_products(repair)
    if recovered:
        report["recovered"] = recovered
    report["findings"] = [f.to_dict() for f in findings]
    report["ok"] = not any(f.severity == "error" and not f.repaired for f in findings)
    if repair:
        report["repaired"] = True
    return report


def database_beyond_repair(paths, reason: str) -> dict[str, Any]:
    """The report when the database itself is damaged: repair cannot rebuild it, a backup can."""
    from core.catalog.backup import newest_backup

    backup = newest_backup(paths)
    advice = (f"restore the newest backup, {backup} (copy it over {paths.db} with the app closed)" if backup
              else "no backup was found")
    finding = Finding("database", f"{reason}; {advice}", repairable=False)
    return {"ok": False, "products": 0, "vectors": 0, "missing": [], "orphans": [], "missing_blobs": [],
            "indexes": [], "findings": [finding.to_dict()], "backup": str(backup) if backup else None}
