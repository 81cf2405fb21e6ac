"""Imports product folders (and CSV manifests) into the catalog: metadata, content-addressed image blobs."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import math
import os
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import peewee as pw

from core.catalog import db
from core.paths import CatalogPaths, file_kind, require_regular
from core.pipeline.decode import DecodeError, probe

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif"}
MANIFEST_NAMES = ("products.csv", "manifest.csv")
PRODUCT_JSON = "product.json"
MAX_PRODUCT_JSON_BYTES = 1 << 20
MAX_IMAGE_BYTES = 200 << 20
MAX_TEXT = 20_000

Progress = Callable[[int, int, str], None]
ShouldStop = Callable[[], bool]


class ImportCancelled(Exception):
    pass


@dataclass
class ProductSource:
    """One product as found on disk, before anything is written."""

    folder: Path
    sku: str
    meta: dict[str, Any]
    images: list[Path]
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ImportSummary:
    products: int = 0  # new or updated
    images: int = 0  # new image rows
    skipped: int = 0  # unchanged products
    errors: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    product_ids: list[int] = field(default_factory=list)  # products that changed and need indexing
    cancelled: bool = False

    def error(self, path: Path | str, reason: str) -> None:
        self.errors.append({"path": str(path), "reason": reason})

    def to_dict(self) -> dict[str, Any]:
        return {"products": self.products, "images": self.images, "skipped": self.skipped,
                "errors": self.errors, "seconds": round(self.seconds, 3), "cancelled": self.cancelled}


# --- names and metadata ---------------------------------------------------------------------------

def sanitize_name(name: str, max_len: int = 200) -> str:
    """A display-safe file name: NFC, no control or path characters, bounded length (seed 1.6)."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.replace("/", "_").replace("\\", "_").strip().lstrip(".-") or "unnamed"
    if len(name) > max_len:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: max_len - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 10 else name[:max_len]
    return name


def _clean_text(value: Any, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise ValueError(f"expected text, got {type(value).__name__}")
    text = "".join(ch for ch in str(value) if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text[:limit].strip()


def validate_meta(raw: Any) -> dict[str, Any]:
    """Check product metadata; raise ValueError with a reason a curator can act on."""
    if not isinstance(raw, dict):
        raise ValueError("product.json must hold a JSON object")
    meta: dict[str, Any] = {}
    for key in ("sku", "title", "description", "category", "parent_sku"):
        if key in raw:
            try:
                meta[key] = _clean_text(raw[key])
            except ValueError as exc:
                raise ValueError(f"product.json field {key!r}: {exc}") from None
    attributes = raw.get("attributes", {})
    if attributes is None:
        attributes = {}
    if not isinstance(attributes, dict):
        raise ValueError("product.json field 'attributes' must be an object")
    meta["attributes"] = {}
    for k, v in list(attributes.items())[:200]:
        if isinstance(v, list):
            v = ", ".join(_clean_text(x, 500) for x in v)
        try:
            meta["attributes"][_clean_text(k, 100)] = _clean_text(v, 2000)
        except ValueError as exc:
            raise ValueError(f"product.json attribute {k!r}: {exc}") from None
    price = raw.get("price")
    if price is not None:
        try:
            price = float(price)
        except (TypeError, ValueError):
            raise ValueError(f"product.json field 'price' is not a number: {price!r}") from None
        if not math.isfinite(price) or price < 0:
            raise ValueError(f"product.json field 'price' must be a finite, non-negative number: {price!r}")
        meta["price"] = price
    images = raw.get("images")
    if images is not None:
        if not isinstance(images, list) or not all(isinstance(x, str) for x in images):
            raise ValueError("product.json field 'images' must be a list of file names")
        meta["images"] = images
    return meta


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve(strict=True).relative_to(root.resolve())
        return True
    except (OSError, ValueError, RuntimeError):
        return False


# --- scanning -------------------------------------------------------------------------------------

def _is_image_name(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def _list_images(folder: Path, errors: list[tuple[str, str]]) -> list[Path]:
    images = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        errors.append((str(folder), f"cannot list folder: {exc.strerror or exc}"))
        return []
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith(".") or not _is_image_name(path):
            continue
        try:
            if entry.is_symlink() and not _inside(path, folder):
                errors.append((str(path), "link points outside the product folder (or is a loop); not imported"))
                continue
            if not entry.is_file():
                if not entry.is_dir():  # a FIFO, device or socket named like an image: opening it could block
                    errors.append((str(path), f"{file_kind(entry.stat().st_mode)}, not a regular file; skipped"))
                continue
        except OSError as exc:
            errors.append((str(path), f"cannot read: {exc.strerror or exc}"))
            continue
        images.append(path)
    # main.* first, then by name: the first image is the product's face in the grid
    return sorted(images, key=lambda p: (p.stem.lower() != "main", p.name))


def read_product_folder(folder: Path) -> ProductSource:
    errors: list[tuple[str, str]] = []
    meta: dict[str, Any] = {}
    meta_path = folder / PRODUCT_JSON
    if meta_path.exists():
        try:
            if meta_path.is_symlink() and not _inside(meta_path, folder):
                raise ValueError("product.json links outside the product folder")
            require_regular(meta_path)
            if meta_path.stat().st_size > MAX_PRODUCT_JSON_BYTES:
                raise ValueError(f"product.json is larger than {MAX_PRODUCT_JSON_BYTES // 1024} KiB")
            meta = validate_meta(json.loads(meta_path.read_text(encoding="utf-8")))
        except (ValueError, OSError, UnicodeDecodeError, RecursionError) as exc:
            reason = f"invalid product.json ({exc}); the folder name is used as the SKU"
            errors.append((str(meta_path), reason))
            meta = {}
    images = _list_images(folder, errors)
    if "images" in meta:
        chosen = []
        for name in meta.pop("images"):
            candidate = folder / name
            if not _inside(candidate, folder):
                errors.append((f"{folder}/{name}", "image reference outside the product folder; not imported"))
            elif candidate.exists() and not candidate.is_file():
                errors.append((f"{folder}/{name}", f"{file_kind(candidate.stat().st_mode)}, not a regular file; "
                                                   "skipped"))
            elif not candidate.is_file():
                errors.append((f"{folder}/{name}", "image listed in product.json does not exist"))
            else:
                chosen.append(candidate)
        images = chosen or images
    sku = meta.get("sku") or sanitize_name(folder.name, 120)
    return ProductSource(folder=folder, sku=sku, meta=meta, images=images, errors=errors)


def read_manifest(root: Path, manifest: Path, errors: list[tuple[str, str]]) -> list[ProductSource]:
    """One row per product: sku, title, description, category, price, attributes (JSON), folder or images."""
    sources = []
    try:
        with open(manifest, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        errors.append((str(manifest), f"cannot read CSV manifest: {exc}"))
        return []
    for line, row in enumerate(rows, start=2):
        try:
            raw: dict[str, Any] = {k: v for k, v in row.items() if k and v not in (None, "")}
            if "attributes" in raw:
                raw["attributes"] = json.loads(raw["attributes"])
            folder = root / raw.pop("folder", raw.get("sku", ""))
            image_names = raw.pop("images", "")
            if image_names:
                raw["images"] = [x.strip() for x in image_names.split(";") if x.strip()]
            meta = validate_meta(raw)
            if not meta.get("sku"):
                raise ValueError("no sku")
            if not _inside(folder, root):
                raise ValueError("its folder is outside the manifest's folder")
            source = read_product_folder(folder) if folder.is_dir() else ProductSource(folder, meta["sku"], {}, [])
            image_refs = meta.pop("images", None)
            if image_refs is not None:
                source.images = [folder / n for n in image_refs if _inside(folder / n, folder)]
            source.meta = {**source.meta, **meta}
            source.sku = meta["sku"]
            sources.append(source)
        except (ValueError, json.JSONDecodeError) as exc:
            errors.append((f"{manifest}:{line}", f"invalid manifest row: {exc}"))
    return sources


def scan(paths: Iterable[Path]) -> tuple[list[ProductSource], list[tuple[str, str]]]:
    """Find product folders: a folder with images is a product; otherwise each sub-folder is one."""
    sources: list[ProductSource] = []
    errors: list[tuple[str, str]] = []
    for path in paths:
        path = Path(path)
        if not path.is_dir():
            errors.append((str(path), "not a folder" if path.exists() else "does not exist"))
            continue
        manifest = next((path / n for n in MANIFEST_NAMES if (path / n).is_file()), None)
        if manifest is not None:
            sources.extend(read_manifest(path, manifest, errors))
            continue
        if (path / PRODUCT_JSON).exists() or any(_is_image_name(p) for p in _safe_iterdir(path, errors)):
            sources.append(read_product_folder(path))
            continue
        children = sorted(p for p in _safe_iterdir(path, errors) if not p.name.startswith("."))
        for child in children:
            if child.is_symlink() and not _inside(child, path):
                errors.append((str(child), "link points outside the imported folder (or is a loop); skipped"))
            elif child.is_dir():
                source = read_product_folder(child)
                if source.images or (child / PRODUCT_JSON).exists():
                    sources.append(source)
                else:
                    errors.append((str(child), "empty product folder: no images and no product.json"))
    return sources, errors


def _safe_iterdir(path: Path, errors: list[tuple[str, str]]) -> list[Path]:
    try:
        return list(path.iterdir())
    except OSError as exc:
        errors.append((str(path), f"cannot list folder: {exc.strerror or exc}"))
        return []


# --- writing --------------------------------------------------------------------------------------

def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def store_blob(paths: CatalogPaths, source: Path, sha256: str, suffix: str) -> Path:
    """Copy an image into the content-addressed store once; atomic, fsynced."""
    target = paths.blob_path(sha256, suffix)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


@dataclass
class _HashedImage:
    path: Path
    sha256: str = ""
    size: int = 0
    width: int = 0
    height: int = 0
    format: str = ""
    error: str = ""


def _hash_and_probe(path: Path) -> _HashedImage:
    item = _HashedImage(path)
    try:
        item.size = require_regular(path).stat().st_size
        if item.size > MAX_IMAGE_BYTES:
            item.error = f"file is larger than {MAX_IMAGE_BYTES >> 20} MiB"
            return item
        item.sha256 = sha256_file(path)
        info = probe(path)
        item.width, item.height, item.format = info.width, info.height, info.format
    except DecodeError as exc:
        item.error = exc.reason
    except OSError as exc:
        item.error = f"cannot read file: {exc.strerror or exc}"
    return item


def _content_hash(meta: dict[str, Any], images: list[_HashedImage]) -> str:
    payload = json.dumps({"meta": meta, "images": [(i.path.name, i.sha256, i.error) for i in images]},
                         sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def import_folders(paths: CatalogPaths, folders: Iterable[Path], *, progress: Progress | None = None,
                   should_stop: ShouldStop | None = None) -> ImportSummary:
    """Import product folders. Each product is one transaction: a crash or cancel keeps what is done."""
    started = time.perf_counter()
    summary = ImportSummary()
    sources, scan_errors = scan(folders)
    for path, reason in scan_errors:
        summary.error(path, reason)
    seen: dict[str, Path] = {}
    total = len(sources)
    for done, source in enumerate(sources):
        if should_stop and should_stop():
            summary.cancelled = True
            break
        if progress:
            progress(done, total, source.folder.name)
        for path, reason in source.errors:
            summary.error(path, reason)
        if source.sku in seen:
            summary.error(source.folder, f"SKU {source.sku!r} is also used by {seen[source.sku]}; folder skipped")
            continue
        seen[source.sku] = source.folder
        try:
            _import_one(paths, source, summary)
        except OSError as exc:  # disk full, permissions: this product is rolled back, the run goes on
            summary.error(source.folder, f"could not store product: {exc.strerror or exc}")
        except pw.DatabaseError as exc:  # "database or disk is full": the transaction was rolled back
            summary.error(source.folder, f"could not store product: {exc}")
    if progress and not summary.cancelled:
        progress(total, total, "done")
    summary.seconds = time.perf_counter() - started
    return summary


def _import_one(paths: CatalogPaths, source: ProductSource, summary: ImportSummary) -> None:
    hashed = [_hash_and_probe(p) for p in source.images]
    content_hash = _content_hash(source.meta, hashed)
    existing = db.Product.with_deleted().where(db.Product.sku == source.sku).first()
    if existing and existing.deleted_at is None and existing.content_hash == content_hash:
        summary.skipped += 1
        return
    # Blobs first (idempotent, content-addressed), then one transaction for the rows.
    blobs: dict[str, Path] = {}
    for item in hashed:
        if not item.error:
            suffix = "." + item.format.lower().replace("jpeg", "jpg") if item.format else item.path.suffix.lower()
            blobs[item.sha256] = store_blob(paths, item.path, item.sha256, suffix)

    def write() -> tuple[db.Product, int]:
        fields = {
            "title": source.meta.get("title", "") or source.sku,
            "description": source.meta.get("description", ""),
            "category": source.meta.get("category", ""),
            "attributes": source.meta.get("attributes", {}),
            "price": source.meta.get("price"),
            "source_folder": source.folder.name,
            "content_hash": content_hash,
        }
        if existing is None:
            product = db.Product.create(sku=source.sku, **fields)
            old_images: dict[tuple[str, str], db.ImageFile] = {}
        else:
            product = existing
            for key, value in fields.items():
                setattr(product, key, value)
            product.deleted_at = None
            product.status = "imported"
            product.save()
            old_images = {(i.original_name, i.sha256): i
                          for i in db.ImageFile.select().where(db.ImageFile.product == product)}
        added = 0
        keep: set[int] = set()
        for position, item in enumerate(hashed):
            name = sanitize_name(item.path.name)
            old = old_images.get((name, item.sha256))
            if old is not None and not item.error:
                old.position = position
                old.save()
                keep.add(old.id)
                continue
            image = db.ImageFile.create(
                product=product, sha256=item.sha256, original_name=name, original_path=str(item.path),
                blob_path=str(blobs[item.sha256].relative_to(paths.root)) if item.sha256 in blobs else "",
                position=position, width=item.width, height=item.height, size_bytes=item.size,
                format=item.format, status="error" if item.error else "ok", error=item.error,
            )
            keep.add(image.id)
            added += 0 if item.error else 1
        for old in old_images.values():
            if old.id not in keep:
                old.soft_delete()
        return product, added

    product, added = db.transaction(write)
    for item in hashed:
        if item.error:
            summary.error(item.path, item.error)
    summary.products += 1
    summary.images += added
    summary.product_ids.append(product.id)
