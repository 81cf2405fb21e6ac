"""Imports product folders (and CSV manifests) into the catalog: metadata, content-addressed image blobs."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import math
import os
import re
import shutil
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import peewee as pw

from core.catalog import db
from core.catalog.queries import edited_fields
from core.fileio import atomic_writer, file_sha256
from core.paths import CatalogPaths, NotRegularFile, file_kind, require_regular
from core.pipeline.decode import TRUNCATED, DecodeError, ends_early, probe

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif", ".avif",
                  ".heic", ".heif"}
# Camera RAW files: Pillow opens some as TIFF and would index their tiny embedded preview, so they are refused.
RAW_SUFFIXES = {".cr2", ".cr3", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".dng", ".raf", ".orf", ".rw2", ".pef",
                ".srw", ".x3f", ".3fr", ".erf", ".kdc", ".mrw", ".raw", ".rwl", ".iiq"}
MANIFEST_NAMES = ("products.csv", "manifest.csv")
PRODUCT_JSON = "product.json"
MAX_PRODUCT_JSON_BYTES = 64 << 20  # a bigger file is refused; up to this, oversize fields are truncated
MAX_IMAGE_BYTES = 200 << 20
MAX_TEXT = 20_000
MAX_SHORT_TEXT = 1_000  # title, category
MAX_SKU = 120
UNSUPPORTED = "format not supported: convert to JPEG"

Progress = Callable[[int, int, str], None]
ShouldStop = Callable[[], bool]

# The verdicts a file or a product gets, exactly one each.
IMPORTED, WARNED, SKIPPED, REJECTED = "imported", "imported with warnings", "skipped", "rejected"


class ImportCancelled(Exception):
    pass


def escaped_name(name: str) -> str:
    """A file name as text that keeps every byte: a byte that is not UTF-8 (a Latin-1 name from a Windows zip)
    becomes %XX, so "caf\\xe9" and "caf\\xe8" stay two names ("caf%E9", "caf%E8") instead of both "caf\ufffd"."""
    raw = os.fsencode(name).decode("utf-8", "surrogateescape")
    return "".join(f"%{ord(ch) - 0xDC00:02X}" if 0xDC80 <= ord(ch) <= 0xDCFF else ch for ch in raw)


def shown(path: Path | str) -> str:
    """A path as text that SQLite and JSON accept: undecodable bytes in names become U+FFFD."""
    return os.fsencode(str(path)).decode("utf-8", "replace")


@dataclass
class ProductSource:
    """One product as found on disk, before anything is written."""

    folder: Path
    sku: str
    meta: dict[str, Any]
    images: list[Path]
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): files refused
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): fields dropped, fixed
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): files left out on purpose
    rejected: str = ""  # why the whole product is not imported ("" when it can be)
    root: Path | None = None  # the folder the curator dropped; paths are shown relative to its parent


@dataclass
class ImportSummary:
    products: int = 0  # new or updated
    images: int = 0  # new image rows
    skipped: int = 0  # unchanged products
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    verdicts: list[dict[str, str]] = field(default_factory=list)  # one per file and per product
    seconds: float = 0.0
    product_ids: list[int] = field(default_factory=list)  # products that changed and need indexing
    cancelled: bool = False

    def error(self, path: Path | str, reason: str) -> None:
        self.errors.append({"path": shown(path), "reason": reason})

    def warning(self, path: Path | str, reason: str) -> None:
        self.warnings.append({"path": shown(path), "reason": reason})

    def verdict(self, path: Path | str, verdict: str, reason: str = "", *, kind: str = "file",
                sku: str = "") -> None:
        self.verdicts.append({"path": shown(path), "kind": kind, "verdict": verdict, "reason": reason, "sku": sku})

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {"file": {}, "product": {}}
        for v in self.verdicts:
            bucket = out.setdefault(v["kind"], {})
            bucket[v["verdict"]] = bucket.get(v["verdict"], 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"products": self.products, "images": self.images, "skipped": self.skipped,
                "errors": self.errors, "warnings": self.warnings, "verdict_counts": self.counts(),
                "verdicts": self.verdicts, "seconds": round(self.seconds, 3), "cancelled": self.cancelled}


def _rel(path: Path, root: Path | None) -> str:
    """`shoes/sku-12/main.jpg` for a file under the dropped folder `shoes`; the full path otherwise."""
    if root is not None:
        try:
            return shown(Path(root.name) / path.relative_to(root))
        except ValueError:
            pass
    return shown(path)


# --- names and metadata ---------------------------------------------------------------------------

def sanitize_name(name: str, max_len: int = 200) -> str:
    """A display-safe file name: NFC, no control or path characters, bounded length (seed 1.6)."""
    name = unicodedata.normalize("NFC", shown(name))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.replace("/", "_").replace("\\", "_").strip().lstrip(".-") or "unnamed"
    if len(name) > max_len:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: max_len - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 10 else name[:max_len]
    return name


def _clean_text(value: Any, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"expected text, got {type(value).__name__}")
    text = "".join(ch for ch in str(value) if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text[:limit].strip()


_CURRENCY = re.compile(r"^\s*(?:[$€£¥]|[A-Za-z]{3})?\s*(.*?)\s*(?:[$€£¥]|[A-Za-z]{3})?\s*$")


def parse_price(value: Any) -> tuple[float | None, str]:
    """(price, "") or (price, note) when a text was read; (None, reason) when it cannot be read safely.

    A decimal comma is read only where it cannot be a thousands separator: "19,99" is 19.99, "1.299,50" is
    1299.5, but "1,299" stays unread (1.299 or 1299?).
    """
    if isinstance(value, bool) or value is None:
        return None, f"not a number: {value!r}"
    if isinstance(value, int | float):
        number, note = float(value), ""
    elif isinstance(value, str):
        text = _CURRENCY.match(value).group(1).replace(" ", "").replace("\u00a0", "")
        plain = re.fullmatch(r"\d+(\.\d+)?", text)
        if plain:
            number = float(text)
        elif re.fullmatch(r"\d+,\d{1,2}", text):
            number = float(text.replace(",", "."))
        elif re.fullmatch(r"\d{1,3}(\.\d{3})+,\d{1,2}", text):
            number = float(text.replace(".", "").replace(",", "."))
        elif re.fullmatch(r"\d{1,3}(,\d{3})+\.\d{1,2}", text):
            number = float(text.replace(",", ""))
        else:
            return None, f"not a number (or ambiguous): {value[:40]!r}"
        note = "" if plain and text == value.strip() else f"read {value[:40]!r} as {number}"
    else:
        return None, f"not a number: {type(value).__name__}"
    if not math.isfinite(number) or number < 0:
        return None, f"must be a finite, non-negative number: {value!r}"
    return number, note


def read_meta(raw: Any) -> tuple[dict[str, Any], list[str]]:
    """Product metadata field by field: a bad field is dropped (or truncated) with a warning, never the rest.

    Raises ValueError only when the document is not a JSON object at all.
    """
    if not isinstance(raw, dict):
        raise ValueError(f"product.json must hold a JSON object, not {type(raw).__name__}")
    meta: dict[str, Any] = {}
    warned: list[str] = []
    limits = {"sku": MAX_SKU, "title": MAX_SHORT_TEXT, "category": MAX_SHORT_TEXT, "parent_sku": MAX_SKU,
              "description": MAX_TEXT}
    for key, limit in limits.items():
        if key not in raw:
            continue
        try:
            meta[key] = _clean_text(raw[key], limit)
        except ValueError as exc:
            warned.append(f"field {key!r} dropped: {exc}")
            continue
        if isinstance(raw[key], str) and len(raw[key]) > limit:
            warned.append(f"field {key!r} truncated from {len(raw[key]):,} to {limit:,} characters")
    attributes = raw.get("attributes", {})
    meta["attributes"] = {}
    if attributes is not None and not isinstance(attributes, dict):
        warned.append(f"field 'attributes' dropped: expected an object, got {type(attributes).__name__}")
    elif attributes:
        items = list(attributes.items())
        if len(items) > 200:
            warned.append(f"attributes truncated from {len(items)} to 200")
        for k, v in items[:200]:
            try:
                if isinstance(v, list):
                    v = ", ".join(_clean_text(x, 500) for x in v)
                meta["attributes"][_clean_text(k, 100)] = _clean_text(v, 2000)
            except ValueError as exc:
                warned.append(f"attribute {str(k)[:40]!r} dropped: {exc}")
    if raw.get("price") is not None:
        price, note = parse_price(raw["price"])
        if price is None:
            warned.append(f"field 'price' dropped: {note}")
        else:
            meta["price"] = price
            if note:
                warned.append(f"field 'price': {note}")
    images = raw.get("images")
    if images is not None:
        if not isinstance(images, list) or not all(isinstance(x, str) for x in images):
            warned.append("field 'images' ignored: expected a list of file names; every image is imported")
        else:
            meta["images"] = images
    return meta, warned


def validate_meta(raw: Any) -> dict[str, Any]:
    """Strict form of read_meta (CSV manifests): any bad field raises ValueError with the reason."""
    meta, warned = read_meta(raw)
    if warned:
        raise ValueError(warned[0])
    return meta


def _read_json(path: Path) -> tuple[Any, list[str]]:
    """Parse product.json (UTF-8 with or without BOM; other encodings read as Windows-1252 with a warning).

    Raises ValueError whose text says where the JSON breaks.
    """
    size = path.stat().st_size
    if size > MAX_PRODUCT_JSON_BYTES:
        raise ValueError(f"product.json is {size / (1 << 20):.0f} MiB, more than the "
                         f"{MAX_PRODUCT_JSON_BYTES >> 20} MiB limit")
    data = path.read_bytes()
    warned = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = data.decode("cp1252", errors="replace")
        warned.append(f"product.json is not UTF-8 (byte {exc.start}); read as Windows-1252")
    try:
        return json.loads(text), warned
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply") from None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve(strict=True).relative_to(root.resolve())
        return True
    except (OSError, ValueError, RuntimeError):
        return False


# --- scanning -------------------------------------------------------------------------------------

def _is_image_name(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES or path.suffix.lower() in RAW_SUFFIXES


def _outside_link(path: Path) -> str:
    return ("link points outside the product folder (or is a loop); not imported. To include the file, copy "
            "it into the folder instead of linking it")


def _list_images(source: ProductSource) -> list[Path]:
    folder, root = source.folder, source.root
    images = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        source.rejected = f"cannot list folder: {exc.strerror or exc}"
        return []
    for entry in entries:
        path = Path(entry.path)
        if entry.name == PRODUCT_JSON:
            continue
        if entry.name.startswith("."):
            source.skipped.append((_rel(path, root), "hidden file"))
            continue
        try:
            if entry.is_symlink() and not _inside(path, folder):
                if _is_image_name(path):
                    source.errors.append((_rel(path, root), _outside_link(path)))
                else:
                    source.skipped.append((_rel(path, root), "link to outside the product folder"))
                continue
            if entry.is_dir():
                source.skipped.append((_rel(path, root), "a folder inside a product folder is not imported"))
                continue
            if not entry.is_file():
                source.errors.append((_rel(path, root), f"{file_kind(entry.stat().st_mode)}, not a regular file; "
                                                        "skipped"))  # a FIFO could block whoever opens it
                continue
        except OSError as exc:
            source.errors.append((_rel(path, root), f"cannot read: {exc.strerror or exc}"))
            continue
        if path.suffix.lower() in RAW_SUFFIXES:
            source.errors.append((_rel(path, root), f"camera RAW {UNSUPPORTED}"))
            continue
        if not _is_image_name(path):
            source.skipped.append((_rel(path, root), f"not an image file ({path.suffix or 'no extension'})"))
            continue
        images.append(path)
    # main.* first, then by name: the first image is the product's face in the grid
    return sorted(images, key=lambda p: (p.stem.lower() != "main", p.name))


def read_product_folder(folder: Path, root: Path | None = None) -> ProductSource:
    """Read one product folder; never raises: what goes wrong is in the source's errors or `rejected`."""
    root = root if root is not None else folder
    source = ProductSource(folder=folder, sku="", meta={}, images=[], root=root)
    try:
        _read_product_folder(source)
    except Exception as exc:  # a product's surprise is that product's error, never the job's
        log.exception("reading %s failed", shown(folder))
        source.rejected = f"could not read the folder: {type(exc).__name__}: {exc}"
    if not source.sku:
        source.sku = sanitize_name(escaped_name(folder.name), MAX_SKU)
    return source


def _read_product_folder(source: ProductSource) -> None:
    folder, root = source.folder, source.root
    meta_path = folder / PRODUCT_JSON
    meta_rel = _rel(meta_path, root)
    if meta_path.is_symlink() and not _inside(meta_path, folder):
        source.rejected = "product.json links outside the product folder; copy the file into the folder"
    elif meta_path.exists():
        try:
            raw, warned = _read_json(require_regular(meta_path))
            meta, more = read_meta(raw)
        except NotRegularFile as exc:  # never opened: a FIFO would block; the folder name stands in
            source.errors.append((meta_rel, f"product.json is a {exc.kind}, not a regular file; skipped"))
        except OSError as exc:
            source.rejected = f"product.json cannot be read: {exc.strerror or exc}"
        except ValueError as exc:
            source.rejected = f"product.json: {exc}"
        else:
            source.meta = meta
            source.warnings.extend((meta_rel, f"product.json {w}") for w in warned + more)
    else:
        source.warnings.append((_rel(folder, root), "no product.json: the folder name is used as the SKU "
                                                    "and the product has no title"))
    images = _list_images(source)
    if "images" in source.meta:
        chosen = []
        for name in source.meta.pop("images"):
            candidate = folder / name
            if not _inside(candidate, folder):
                source.errors.append((_rel(folder, root) + "/" + name,
                                      "image listed in product.json is outside the product folder; not imported"))
            elif candidate.exists() and not candidate.is_file():
                source.errors.append((_rel(folder, root) + "/" + name,
                                      f"{file_kind(candidate.stat().st_mode)}, not a regular file; skipped"))
            elif not candidate.is_file():
                source.errors.append((_rel(folder, root) + "/" + name, "image listed in product.json does not exist"))
            elif candidate not in chosen:
                chosen.append(candidate)
        if chosen:
            for path in images:
                if path not in chosen:
                    source.skipped.append((_rel(path, root), "not listed in product.json 'images'"))
            images = chosen
    source.images = images
    source.sku = source.meta.get("sku") or sanitize_name(escaped_name(folder.name), MAX_SKU)


def read_manifest(root: Path, manifest: Path, errors: list[tuple[str, str]]) -> list[ProductSource]:
    """One row per product: sku, title, description, category, price, attributes (JSON), folder or images."""
    sources = []
    try:
        with open(manifest, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        errors.append((_rel(manifest, root), f"cannot read CSV manifest: {exc}"))
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
            source = (read_product_folder(folder, root) if folder.is_dir()
                      else ProductSource(folder, meta["sku"], {}, [], root=root))
            image_refs = meta.pop("images", None)
            if image_refs is not None:
                source.images = [folder / n for n in image_refs if _inside(folder / n, folder)]
            source.meta = {**source.meta, **meta}
            source.sku = meta["sku"]
            source.warnings = [w for w in source.warnings if "no product.json" not in w[1]]
            sources.append(source)
        except (ValueError, json.JSONDecodeError) as exc:
            errors.append((f"{_rel(manifest, root)}:{line}", f"invalid manifest row: {exc}"))
    return sources


def scan(paths: Iterable[Path]) -> tuple[list[ProductSource], list[tuple[str, ...]]]:
    """Find product folders: a folder with images is a product; otherwise each sub-folder is one.

    The second list holds (path, reason) for what is refused, or (path, reason, verdict[, kind]).
    """
    sources: list[ProductSource] = []
    errors: list[tuple[str, str]] = []
    for path in paths:
        path = Path(path)
        try:
            _scan_one(path, sources, errors)
        except Exception as exc:  # noqa: BLE001 - a folder that cannot be walked is reported, the rest go on
            log.exception("scanning %s failed", shown(path))
            errors.append((shown(path), f"could not read the folder: {type(exc).__name__}: {exc}"))
    return sources, errors


def _scan_one(path: Path, sources: list[ProductSource], errors: list[tuple[str, str]]) -> None:
    if not path.is_dir():
        errors.append((shown(path), "not a folder" if path.exists() else "does not exist"))
        return
    manifest = next((path / n for n in MANIFEST_NAMES if (path / n).is_file()), None)
    if manifest is not None:
        sources.extend(read_manifest(path, manifest, errors))
        return
    entries = _safe_iterdir(path, errors)
    if (path / PRODUCT_JSON).exists() or any(_is_image_name(p) for p in entries):
        sources.append(read_product_folder(path, path))
        return
    for child in sorted(p for p in entries if not p.name.startswith(".")):
        rel = _rel(child, path)
        if child.is_symlink() and not _inside(child, path):
            errors.append((rel, "link points outside the imported folder (or is a loop); skipped. To include "
                                "it, copy the folder here instead of linking it"))
        elif child.is_dir():
            source = read_product_folder(child, path)
            if source.images or (child / PRODUCT_JSON).exists() or source.rejected or source.errors:
                sources.append(source)
            else:
                errors.append((rel, "empty product folder: no images and no product.json", REJECTED, "product"))
        else:
            errors.append((rel, "a file beside product folders is not imported: put it inside a product folder",
                           SKIPPED))


def _safe_iterdir(path: Path, errors: list[tuple[str, str]]) -> list[Path]:
    try:
        return list(path.iterdir())
    except OSError as exc:
        errors.append((shown(path), f"cannot list folder: {exc.strerror or exc}"))
        return []


# --- writing --------------------------------------------------------------------------------------

def store_blob(paths: CatalogPaths, source: Path, sha256: str, suffix: str) -> Path:
    """Copy an image into the content-addressed store once; atomic, fsynced."""
    target = paths.blob_path(sha256, suffix)
    if target.exists():
        return target
    with atomic_writer(target) as out, open(source, "rb") as src:
        shutil.copyfileobj(src, out, 1 << 20)
    return target


@dataclass
class _HashedImage:
    path: Path
    shown: str = ""  # the path relative to the dropped folder's parent, as text
    sha256: str = ""
    size: int = 0
    width: int = 0
    height: int = 0
    format: str = ""
    error: str = ""
    warnings: list[str] = field(default_factory=list)


def _hash_and_probe(path: Path) -> _HashedImage:
    item = _HashedImage(path)
    try:
        item.size = require_regular(path).stat().st_size
        if item.size > MAX_IMAGE_BYTES:
            item.error = f"file is larger than {MAX_IMAGE_BYTES >> 20} MiB"
            return item
        item.sha256 = file_sha256(path)
        info = probe(path)
        item.width, item.height, item.format = info.width, info.height, info.format
        if ends_early(path, info.format):  # it would fail at indexing: an error now, never "imported"
            item.error = TRUNCATED
    except DecodeError as exc:
        item.error = exc.reason
        if path.suffix.lower() in (".heic", ".heif") and item.sha256:
            item.error = f"HEIC/HEIF image could not be decoded ({exc.reason}): {UNSUPPORTED}"
    except NotRegularFile as exc:
        item.error = f"{exc.kind}, not a regular file; skipped"
    except OSError as exc:
        item.error = f"cannot read file: {exc.strerror or exc}"
    except Exception as exc:  # noqa: BLE001 - a plugin's surprise costs this file only
        log.exception("probing %s failed", shown(path))
        item.error = f"cannot read image: {type(exc).__name__}: {exc}"
    return item


def _keep_curator_edits(product: db.Product, fields: dict[str, Any]) -> None:
    """A changed product folder re-imports, but a field a curator edited keeps the curator's value."""
    edited = edited_fields(product.id)
    if not edited:
        return
    for name in ("title", "description", "category", "price"):
        if name in edited:
            fields.pop(name, None)
    attrs = dict(fields.get("attributes") or {})
    mine = dict(product.attributes or {})
    for name in edited:
        if name.startswith("attributes."):
            key = name[len("attributes."):]
            if key in mine:
                attrs[key] = mine[key]
            else:
                attrs.pop(key, None)
    fields["attributes"] = attrs


def _content_hash(meta: dict[str, Any], images: list[_HashedImage]) -> str:
    payload = json.dumps({"meta": meta, "images": [(shown(i.path.name), i.sha256, i.error) for i in images]},
                         sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def import_folders(paths: CatalogPaths, folders: Iterable[Path], *, progress: Progress | None = None,
                   should_stop: ShouldStop | None = None, job: db.Job | None = None) -> ImportSummary:
    """Import product folders. Each product is one transaction: a crash or cancel keeps what is done.

    Every file and every product gets one verdict (imported, imported with warnings, skipped, rejected);
    an exception inside one product is that product's error and the run goes on.
    """
    started = time.perf_counter()
    summary = ImportSummary()
    sources, scan_errors = scan(folders)
    for path, reason, *rest in scan_errors:
        verdict, kind = (rest[0] if rest else REJECTED), (rest[1] if len(rest) > 1 else "file")
        if verdict == REJECTED:
            summary.error(path, reason)
        summary.verdict(path, verdict, reason, kind=kind)
    seen: dict[str, str] = {}
    total = len(sources)
    for done, source in enumerate(sources):
        if should_stop and should_stop():
            summary.cancelled = True
            break
        if progress:
            progress(done, total, shown(source.folder.name))
        folder = _rel(source.folder, source.root)
        try:
            if source.sku in seen and not source.rejected:
                source.rejected = f"SKU {source.sku!r} is also used by {seen[source.sku]}; folder skipped"
            if _import_one(paths, source, summary, folder):
                seen.setdefault(source.sku, folder)
        except Exception as exc:  # disk full, permissions, anything: this product is rolled back, the run goes on
            if not isinstance(exc, OSError | pw.DatabaseError):
                log.exception("importing %s failed", folder)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else f"{exc}"
            if not isinstance(exc, OSError | pw.DatabaseError):
                reason = f"{type(exc).__name__}: {exc}"
            summary.error(folder, f"could not store product: {reason}")
            summary.verdict(folder, REJECTED, f"could not store product: {reason}", kind="product", sku=source.sku)
    if progress and not summary.cancelled:
        progress(total, total, "done")
    summary.seconds = time.perf_counter() - started
    if job is not None:
        _record_verdicts(job, summary.verdicts)
    return summary


def _record_verdicts(job: db.Job, verdicts: list[dict[str, str]]) -> None:
    """Keep each verdict with its job, so the GUI and later sessions can show them."""
    rows = [{"job": job.id, "path": v["path"], "kind": v["kind"], "verdict": v["verdict"], "reason": v["reason"],
             "sku": v["sku"]} for v in verdicts]
    try:
        for start in range(0, len(rows), 500):
            chunk = rows[start:start + 500]
            db.transaction(lambda chunk=chunk: db.ImportVerdict.insert_many(chunk).execute())
    except pw.DatabaseError:  # the verdicts are also in the job's result; a full disk must not fail the import
        log.exception("import verdicts not recorded")


def _reject(summary: ImportSummary, source: ProductSource, folder: str, reason: str,
            hashed: list[_HashedImage] | None = None) -> None:
    summary.error(folder, reason)
    summary.verdict(folder, REJECTED, reason, kind="product", sku=source.sku)
    for path, why in source.errors:
        summary.error(path, why)
        summary.verdict(path, REJECTED, why)
    if hashed is None:  # not hashed yet: a header probe still tells the curator which files are bad too
        hashed = [_probe_only(p, source.root) for p in source.images]
    for item in hashed:
        if item.error:
            summary.error(item.shown, item.error)
            summary.verdict(item.shown, REJECTED, item.error)
        else:
            summary.verdict(item.shown, SKIPPED, "its product was not imported")
    for path, why in source.skipped:
        summary.verdict(path, SKIPPED, why)
    if (source.folder / PRODUCT_JSON).is_file():
        summary.verdict(_rel(source.folder / PRODUCT_JSON, source.root), SKIPPED, "its product was not imported")


def _probe_only(path: Path, root: Path | None) -> _HashedImage:
    item = _HashedImage(path, _rel(path, root))
    try:
        probe(path)
    except DecodeError as exc:
        item.error = exc.reason
    except Exception as exc:  # noqa: BLE001
        item.error = f"cannot read file: {exc}"
    return item


def _other_products_with(sha256s: list[str], sku: str) -> dict[str, str]:
    """sha256 -> the SKU of another live product that already has that exact photo."""
    if not sha256s:
        return {}
    rows = (db.ImageFile.select(db.ImageFile.sha256, db.Product.sku).join(db.Product)
            .where(db.ImageFile.sha256.in_(sha256s) & (db.Product.sku != sku) & db.Product.deleted_at.is_null()
                   & db.ImageFile.deleted_at.is_null() & (db.ImageFile.status == "ok"))
            .order_by(db.Product.id).tuples())
    found: dict[str, str] = {}
    for sha, other in rows:
        found.setdefault(sha, other)
    return found


def _import_one(paths: CatalogPaths, source: ProductSource, summary: ImportSummary, folder: str) -> bool:
    """Import one product and give it and its files their verdicts; False when it is rejected."""
    if source.rejected:
        _reject(summary, source, folder, source.rejected)
        return False
    hashed: list[_HashedImage] = []
    first_of: dict[str, str] = {}
    duplicates: list[tuple[str, str]] = []
    for path in source.images:
        item = _hash_and_probe(path)
        item.shown = _rel(path, source.root)
        if item.sha256 and not item.error and item.sha256 in first_of:
            # The same bytes twice in one product: stored, decoded and embedded once.
            duplicates.append((item.shown, f"same file as {first_of[item.sha256]}"))
            continue
        if item.sha256 and not item.error:
            first_of[item.sha256] = shown(path.name)
        hashed.append(item)
    usable = [i for i in hashed if not i.error]
    if not usable:
        why = "; ".join(f"{shown(i.path.name)}: {i.error}" for i in hashed[:5]) or "the folder has no image files"
        _reject(summary, source, folder, f"no usable image ({why})", hashed)
        for path, why in duplicates:
            summary.verdict(path, SKIPPED, why)
        return False
    content_hash = _content_hash(source.meta, hashed)
    existing = db.Product.with_deleted().where(db.Product.sku == source.sku).first()
    if existing and existing.deleted_at is None and existing.content_hash == content_hash:
        summary.skipped += 1
        summary.verdict(folder, SKIPPED, "unchanged since the last import", kind="product", sku=source.sku)
        for item in hashed:
            summary.verdict(item.shown, SKIPPED, "unchanged since the last import")
        for path, why in source.skipped + duplicates:
            summary.verdict(path, SKIPPED, why)
        for path, why in source.errors:
            summary.verdict(path, REJECTED, why)
        return True
    shared = _other_products_with([i.sha256 for i in usable], source.sku)
    for item in usable:
        if item.sha256 in shared:
            item.warnings.append(f"same photo as SKU {shared[item.sha256]}")
    # Blobs first (idempotent, content-addressed), then one transaction for the rows.
    blobs: dict[str, Path] = {}
    for item in usable:
        suffix = "." + item.format.lower().replace("jpeg", "jpg") if item.format else item.path.suffix.lower()
        blobs[item.sha256] = store_blob(paths, item.path, item.sha256, suffix)

    def write() -> tuple[db.Product, int]:
        fields = {
            "title": source.meta.get("title", "") or source.sku,
            "description": source.meta.get("description", ""),
            "category": source.meta.get("category", ""),
            "attributes": source.meta.get("attributes", {}),
            "price": source.meta.get("price"),
            # A simple product names itself as its parent: a design of its own, not a variant.
            "design": "" if source.meta.get("parent_sku", "") == source.sku else source.meta.get("parent_sku", ""),
            "source_folder": folder,
            "content_hash": content_hash,
        }
        if existing is None:
            product = db.Product.create(sku=source.sku, **fields)
            old_images: dict[tuple[str, str], db.ImageFile] = {}
        else:
            product = existing
            _keep_curator_edits(product, fields)
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
                old.original_path = item.shown
                old.save()
                keep.add(old.id)
                continue
            image = db.ImageFile.create(
                product=product, sha256=item.sha256, original_name=name, original_path=item.shown,
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
    problems: list[str] = []
    for path, why in source.errors:
        summary.error(path, why)
        summary.verdict(path, REJECTED, why)
        problems.append(f"{path}: {why}")
    for item in hashed:
        if item.error:
            summary.error(item.shown, item.error)
            summary.verdict(item.shown, REJECTED, item.error)
            problems.append(f"{shown(item.path.name)}: {item.error}")
        elif item.warnings:
            for why in item.warnings:
                summary.warning(item.shown, why)
            summary.verdict(item.shown, WARNED, "; ".join(item.warnings))
            problems.extend(f"{shown(item.path.name)}: {w}" for w in item.warnings)
        else:
            summary.verdict(item.shown, IMPORTED)
    for path, why in source.skipped + duplicates:
        summary.verdict(path, SKIPPED, why)
    meta_rel = _rel(source.folder / PRODUCT_JSON, source.root)
    meta_warnings = [why for path, why in source.warnings if path == meta_rel]
    if (source.folder / PRODUCT_JSON).is_file():
        summary.verdict(meta_rel, WARNED if meta_warnings else IMPORTED, "; ".join(meta_warnings))
    for path, why in source.warnings:
        summary.warning(path, why)
        problems.append(why if path in (meta_rel, folder) else f"{path}: {why}")
    summary.verdict(folder, WARNED if problems else IMPORTED, "; ".join(problems), kind="product", sku=product.sku)
    summary.products += 1
    summary.images += added
    summary.product_ids.append(product.id)
    return True
