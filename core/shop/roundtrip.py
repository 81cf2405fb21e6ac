"""Imports a shop export into the catalog (keeping every record verbatim) and writes the shop's layout back."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.catalog import db
from core.catalog.importer import IMPORTED, SKIPPED, WARNED, ImportSummary, sanitize_name
from core.shop import magento, shopify
from core.shop.csvfile import ShopFile, format_record, line_ending, read_file
from core.shop.model import ShopProduct

log = logging.getLogger(__name__)

FORMATS = {"shopify": shopify, "magento": magento}
Progress = Callable[[int, int, str], None]
ShouldStop = Callable[[], bool]
# What a deletion in the app becomes in the shop's file (docs/GUI.md says the same).
DELETION = {"shopify": "Status archived (once every variant of the handle is deleted)",
            "magento": "product_online 0"}
FIELD_WORDS = {"sku": ("SKU", "SKUs"), "title": ("title", "titles"), "description": ("description", "descriptions"),
               "category": ("category", "categories"), "price": ("price", "prices"),
               "attributes": ("attribute", "attributes"), "labels": ("label cell", "label cells"),
               "deleted": ("deletion", "deletions")}


def is_shop_file(path: Path) -> bool:
    return Path(path).suffix.lower() == ".csv" and Path(path).is_file()


def detect_format(header: list[str]) -> str | None:
    for name, module in FORMATS.items():
        if module.detect(header):
            return name
    return None


def read_shop_file(path: Path, fmt: str | None = None) -> tuple[str, ShopFile]:
    """(format, parsed file); ValueError with a reason the curator can act on."""
    shop = read_file(Path(path))
    found = detect_format(shop.header)
    if fmt is None:
        if found is None:
            raise ValueError("neither a Shopify nor a Magento 2 product export (Shopify's has a Handle column, "
                             "Magento's sku and product_type); use --format to say which")
        fmt = found
    if fmt not in FORMATS:
        raise ValueError(f"unknown shop format {fmt!r}: shopify or magento")
    if not FORMATS[fmt].detect(shop.header):
        raise ValueError(f"this file does not have the columns of a {fmt} export "
                         f"({'Handle, Variant SKU' if fmt == 'shopify' else 'sku, product_type'})")
    return fmt, shop


def _content_hash(p: ShopProduct, images_root: Path | None) -> str:
    images = [_resolve_image(ref, images_root) for ref in p.images]
    payload = json.dumps({"fields": p.fields(), "images": images}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _resolve_image(ref: str, images_root: Path | None) -> tuple[str, str]:
    """(what to fetch: a URL or an absolute path, "" or why it cannot be fetched)."""
    if ref.startswith(("http://", "https://")):
        return ref, ""
    if ref.startswith("//"):
        return "https:" + ref, ""
    if images_root is None:
        return ref, "a relative image path: give the images folder (--images DIR)"
    root = images_root.resolve()
    path = (root / ref.lstrip("/\\")).resolve()
    if root != path and root not in path.parents:
        return ref, "the image path leads outside the images folder"
    return str(path), ""


def import_shop_file(paths, path: Path, *, fmt: str | None = None, images_root: Path | None = None,
                     progress: Progress | None = None, should_stop: ShouldStop | None = None,
                     job: db.Job | None = None) -> ImportSummary:
    """Import every variant SKU of a shop export as a product; its images are queued for fetch_images.

    Nothing is refused for a draft, an archived product, a missing image or an unknown column: each such case
    is in the product's verdict. The file's records are kept verbatim (ShopRow) so that export can write them
    back byte for byte. Raises ValueError when the file is not a shop export at all.
    """
    started = time.perf_counter()
    fmt, shop = read_shop_file(path, fmt)
    module = FORMATS[fmt]
    result = module.read(shop)
    summary = ImportSummary()
    name = Path(path).name
    for note in result.notes:
        summary.warning(name, note)
    total = len(result.products)
    by_sku = {p.sku: p for p in result.products}

    def write_source() -> db.ShopSource:
        for old in db.ShopSource.select().where(db.ShopSource.format == fmt):
            db.ShopRow.delete().where(db.ShopRow.source == old).execute()
            old.delete_instance()
        return db.ShopSource.create(format=fmt, file_name=name, header=shop.header, header_raw=shop.header_raw,
                                    bom=shop.bom, images_root=str(images_root or ""))

    # What the last import of this shop said, per product: a field the curator edited since is kept.
    earlier = {r.product_id: r.baseline for r in db.ShopRow.select(db.ShopRow.product, db.ShopRow.baseline)
               .join(db.ShopSource).where((db.ShopSource.format == fmt) & db.ShopRow.product.is_null(False))}
    source = db.transaction(write_source)
    product_ids: dict[str, int] = {}
    for done, p in enumerate(result.products):
        if should_stop and should_stop():
            summary.cancelled = True
            break
        if progress and done % 25 == 0:
            progress(done, total, p.sku)
        product_ids[p.sku] = db.transaction(lambda p=p: _write_product(p, name, images_root, summary, earlier))
    rows = []
    for pos, (rec, info) in enumerate(zip(shop.records, result.rows, strict=True)):
        p = by_sku.get(info.sku) if info.role == "variant" else None
        baseline = {**p.fields(), "where": p.where} if p is not None else {}
        rows.append({"source": source.id, "position": pos, "raw": rec.raw, "cells": rec.cells,
                     "role": info.role, "product": product_ids.get(info.sku) if p is not None else None,
                     "sku": info.sku if p is not None else "", "design": info.design,
                     "baseline": baseline, "created_at": db.utcnow(),
                     "updated_at": db.utcnow()})
        if info.note:
            summary.verdict(f"{name}:{pos + 2}", SKIPPED, info.note, kind="row")
    for chunk in db.chunked(rows, 200):
        db.transaction(lambda chunk=chunk: db.ShopRow.insert_many(chunk).execute())
    db.transaction(lambda: db.audit("shop import", name, format=fmt, products=len(product_ids)))
    if progress and not summary.cancelled:
        progress(total, total, "done")
    summary.seconds = time.perf_counter() - started
    if job is not None:
        from core.catalog.importer import _record_verdicts

        _record_verdicts(job, summary.verdicts)
    return summary


def _write_product(p: ShopProduct, file_name: str, images_root: Path | None, summary: ImportSummary,
                   earlier: dict[int, dict[str, Any]] | None = None) -> int:
    content_hash = _content_hash(p, images_root)
    existing = db.Product.with_deleted().where(db.Product.sku == p.sku).first()
    folder = f"{file_name}:{p.row + 2}"
    if existing is not None and existing.deleted_at is None and existing.content_hash == content_hash:
        summary.skipped += 1
        summary.verdict(folder, SKIPPED, "unchanged since the last import", kind="product", sku=p.sku)
        return existing.id
    fields = {"title": p.title or p.sku, "description": p.description, "category": p.category,
              "attributes": p.attributes, "price": p.price, "design": p.design, "source_folder": folder,
              "content_hash": content_hash}
    notes = list(p.notes)
    before = (earlier or {}).get(existing.id) if existing is not None and existing.deleted_at is None else None
    if before:  # the shop changed this product since the last import: the curator's own edits win
        now = _current(existing)
        for name in ("title", "description", "category", "price", "attributes"):
            if not _same(name, before.get(name), now[name]) and not _same(name, fields[name], now[name]):
                fields[name] = now[name]
                notes.append(f"kept your edit of the {name}: the shop now says {_short(p.fields()[name])}")
    if existing is None:
        product = db.Product.create(sku=p.sku, **fields)
    else:
        product = existing
        for key, value in fields.items():
            setattr(product, key, value)
        product.deleted_at, product.status = None, "imported"
        product.save()
    old = {i.original_path: i for i in db.ImageFile.select().where(db.ImageFile.product == product)}
    keep = set()
    for position, ref in enumerate(p.images):
        target, why = _resolve_image(ref, images_root)
        image = old.get(target)
        if image is not None and image.status == "ok":
            image.position = position
            image.save()
        else:
            if image is not None:
                image.delete_instance()
            image = db.ImageFile.create(product=product, sha256="", original_path=target,
                                        original_name=sanitize_name(target.rsplit("/", 1)[-1] or "image"),
                                        position=position, status="error" if why else "pending", error=why)
            if why:
                notes.append(f"image {ref}: {why}")
        keep.add(image.id)
    for image in old.values():
        if image.id not in keep:
            image.soft_delete()
    summary.verdict(folder, WARNED if notes else IMPORTED, "; ".join(notes), kind="product", sku=p.sku)
    for note in notes:
        summary.warning(folder, f"{p.sku}: {note}")
    summary.products += 1
    summary.product_ids.append(product.id)
    return product.id


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


# --- export ---------------------------------------------------------------------------------------

@dataclass
class ExportPlan:
    """What an export would write, worked out before anything is written (the GUI shows `summary`)."""

    format: str
    source_file: str
    header: list[str]
    header_raw: str
    bom: bool
    records: list[str]  # the text of each record as it will be written, in the file's order
    changed: list[bool]  # per record
    design_of: list[str]  # per record: the handle or parent SKU (a Shopify delta writes whole handles)
    added: list[str] = field(default_factory=list)  # records for products the app added
    counts: Counter = field(default_factory=Counter)  # field -> cells changed
    unchanged_rows: int = 0
    added_products: list[str] = field(default_factory=list)
    deleted_products: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        parts = [f"{self.unchanged_rows} rows unchanged"]
        changed = [f"{n} {FIELD_WORDS[k][n != 1]}" for k, n in self.counts.most_common() if n and k != "deleted"]
        if changed:
            parts.append(" and ".join([", ".join(changed[:-1]), changed[-1]] if len(changed) > 1 else changed)
                         + " changed")
        if self.deleted_products:
            parts.append(f"{len(self.deleted_products)} deleted in the app ({DELETION[self.format]})")
        if self.added_products:
            parts.append(f"{len(self.added_products)} products added")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "source_file": self.source_file, "summary": self.summary,
                "unchanged_rows": self.unchanged_rows, "changed_rows": sum(self.changed),
                "cells_changed": dict(self.counts), "added": self.added_products,
                "deleted": self.deleted_products, "notes": self.notes}


def imported_formats() -> list[str]:
    """The shops whose exports this catalog holds, most recent import first."""
    rows = db.ShopSource.select(db.ShopSource.format).order_by(db.ShopSource.id.desc()).tuples()
    return list(dict.fromkeys(f for (f,) in rows))


def curator_labels(product_ids: list[int]) -> dict[int, list[str]]:
    """Labels a curator added or confirmed (never machine guesses), per product, in a stable order."""
    out: dict[int, list[str]] = {}
    for chunk in db.chunked(product_ids, 500):
        rows = (db.Label.select(db.Label.product, db.Label.value)
                .where(db.Label.product.in_(chunk) & ((db.Label.source == "curator") | (db.Label.confirmed == True)))  # noqa: E712
                .order_by(db.Label.id).tuples())
        for pid, value in rows:
            values = out.setdefault(pid, [])
            if value not in values:
                values.append(value)
    return out


def _current(product: db.Product) -> dict[str, Any]:
    return {"sku": product.sku, "title": product.title, "description": product.description,
            "category": product.category, "price": product.price, "attributes": dict(product.attributes or {}),
            "design": product.design}


def _same(field_name: str, a: Any, b: Any) -> bool:
    if field_name == "price":
        return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 5e-7)
    return a == b


def plan_export(fmt: str, *, labels_to: str | None = None) -> ExportPlan:
    """Compare every product with what its shop row said at import and work out the cells to change.

    Raises ValueError when no export of this shop was imported into the catalog.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown shop format {fmt!r}: shopify or magento")
    module = FORMATS[fmt]
    source = db.ShopSource.select().where(db.ShopSource.format == fmt).order_by(db.ShopSource.id.desc()).first()
    if source is None:
        raise ValueError(f"no {fmt} export was imported into this catalog: import one first "
                         f"(catalog-curator index FILE.csv), then export back to it")
    header = list(source.header)
    rows = list(db.ShopRow.select().where(db.ShopRow.source == source).order_by(db.ShopRow.position))
    cells = {r.position: list(r.cells) for r in rows}
    original = {r.position: list(r.cells) for r in rows}
    plan = ExportPlan(format=fmt, source_file=source.file_name, header=header, header_raw=source.header_raw,
                      bom=source.bom, records=[], changed=[], design_of=[r.design for r in rows])
    ids = [r.product_id for r in rows if r.product_id]
    products = {p.id: p for p in db.Product.with_deleted().where(db.Product.id.in_(ids))} if ids else {}
    labels = curator_labels(list(products)) if labels_to else {}
    extra_columns: list[str] = []

    def column(name: str) -> int:
        if name not in header:
            header.append(name)
            extra_columns.append(name)
        return header.index(name)

    def put(pos: int, name: str, value: str, what: str) -> None:
        row = cells[pos]
        i = column(name)
        row.extend([""] * (i + 1 - len(row)))
        if row[i] != value:
            row[i] = value
            plan.counts[what] += 1

    deleted_by_design: dict[str, list[bool]] = {}
    for r in rows:
        if r.role != "variant" or not r.baseline:
            continue
        base, where = r.baseline, r.baseline.get("where", {})
        product = products.get(r.product_id) if r.product_id else None
        gone = product is None or product.deleted_at is not None
        deleted_by_design.setdefault(r.design or r.sku, []).append(gone)
        if gone:
            plan.deleted_products.append(r.sku)
            if fmt == "magento":
                pos, col = where["status"]
                i = header.index(col) if col in header else -1
                pos, name, value = magento.deletion(where, original[pos][i] if 0 <= i < len(original[pos]) else "")
                put(pos, name, value, "deleted")
            continue
        now = _current(product)
        for name in ("sku", "title", "description", "category", "price"):
            if _same(name, base.get(name), now[name]) or name not in where:
                continue
            pos, col = where[name]
            i = header.index(col) if col in header else -1
            old_cell = original[pos][i] if 0 <= i < len(original[pos]) else ""
            put(pos, col, module.cell_value(name, now[name], old_cell), name)
        if base.get("attributes", {}) != now["attributes"]:
            if fmt == "magento":
                pos, col = where["attributes"]
                i = header.index(col)
                changes, left = module.attribute_changes(where["attributes"], base["attributes"], now["attributes"],
                                                         cells[pos][i] if i < len(cells[pos]) else "")
            else:
                changes, left = module.attribute_changes(where["attributes"], base["attributes"], now["attributes"])
            for pos, col, value in changes:
                put(pos, col, value, "attributes")
            for key in left:
                plan.notes.append(f"{product.sku}: attribute {key!r} has no column in a {fmt} export; not written")
        if labels_to and labels.get(product.id):
            _put_labels(fmt, labels_to, labels[product.id], r, where, cells, header, put)
    renamed = {r.baseline["sku"]: products[r.product_id].sku for r in rows
               if r.role == "variant" and r.baseline and r.product_id in products
               and products[r.product_id].deleted_at is None and products[r.product_id].sku != r.baseline["sku"]}
    if fmt == "magento" and renamed:  # a configurable parent names its children by SKU
        sku_col = header.index("sku")
        for r in rows:
            own = cells[r.position][sku_col] if sku_col < len(cells[r.position]) else ""
            if r.role == "extra" and own.strip() in renamed:  # a store view's row of a renamed product
                put(r.position, "sku", renamed[own.strip()], "sku")
            if r.role != "design":
                continue
            for col in ("configurable_variations", "associated_skus"):
                i = header.index(col) if col in header else -1
                if 0 <= i < len(cells[r.position]) and cells[r.position][i]:
                    put(r.position, col, magento.rename_children(cells[r.position][i], renamed), "sku")
    if fmt == "shopify":
        for r in rows:
            if r.role == "variant" and r.baseline and all(deleted_by_design.get(r.design or r.sku, [False])):
                pos, name, value = shopify.deletion(r.baseline["where"])
                put(pos, name, value, "deleted")
        partly = [d for d, flags in deleted_by_design.items() if any(flags) and not all(flags)]
        for d in partly:
            plan.notes.append(f"{d}: some variants were deleted in the app; Shopify has no per-variant status, "
                              "so their rows are written unchanged: delete them in Shopify's admin")
    for r in rows:
        new = cells[r.position]
        same = new == original[r.position]
        plan.changed.append(not same)
        if same:
            plan.unchanged_rows += 1
            plan.records.append(r.raw)
        else:
            plan.records.append(format_record(new, line_ending(r.raw, line_ending(source.header_raw))))
    # Products the app has that the file has not: appended in the shop's layout.
    mapped = {r.product_id for r in rows if r.product_id}
    ending = line_ending(source.header_raw, "\n")
    added = [p for p in db.Product.select().order_by(db.Product.id) if p.id not in mapped]
    added_labels = curator_labels([p.id for p in added]) if labels_to else {}
    for p in added:
        product_labels = added_labels.get(p.id, [])
        if fmt == "shopify":
            new_rows = shopify.new_rows(header, _current(p), product_labels if labels_to == "tags" else [])
        else:
            new_rows = magento.new_rows(header, _current(p), product_labels, labels_to)
        plan.added.extend(format_record(row, ending) for row in new_rows)
        plan.added_products.append(p.sku)
    if extra_columns:
        plan.header = header
        plan.header_raw = format_record(header, ending)
        plan.notes.append(f"column(s) {', '.join(extra_columns)} added at the end for the labels")
    return plan


def _put_labels(fmt: str, labels_to: str, values: list[str], r, where: dict, cells: dict, header: list[str],
                put) -> None:
    if fmt == "shopify":
        if labels_to == "tags":
            pos = where["status"][0]  # the handle's first row carries Tags
            i = header.index("Tags") if "Tags" in header else -1
            old = cells[pos][i] if 0 <= i < len(cells[pos]) else ""
            put(pos, "Tags", shopify.add_labels(old, values), "labels")
        else:
            i = header.index(labels_to) if labels_to in header else -1
            old = cells[r.position][i] if 0 <= i < len(cells[r.position]) else ""
            put(r.position, labels_to, shopify.add_labels(old, values), "labels")
        return
    pos, col = where["attributes"]
    code = "tags" if labels_to == "tags" else labels_to
    i = header.index(col)
    old = cells[pos][i] if i < len(cells[pos]) else ""
    put(pos, col, magento.add_labels(old, code, values), "labels")


def write_export(plan: ExportPlan, out: Path, *, changed_only: bool = False) -> dict[str, Any]:
    """Write the plan atomically. `changed_only` writes a delta: the header, the changed records (for Shopify
    every record of a changed handle, since its importer reads a handle's rows together) and added products."""
    if changed_only:
        if plan.format == "shopify":
            designs = {plan.design_of[i] for i, c in enumerate(plan.changed) if c and plan.design_of[i]}
            keep = [i for i, c in enumerate(plan.changed) if c or (plan.design_of[i] and plan.design_of[i] in designs)]
        else:
            keep = [i for i, c in enumerate(plan.changed) if c]
        records = [plan.records[i] for i in keep]
    else:
        records = list(plan.records)
    records += plan.added
    text = plan.header_raw + _joined(plan.header_raw, records)
    data = (b"\xef\xbb\xbf" if plan.bom else b"") + text.encode("utf-8")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return {**plan.to_dict(), "path": str(out), "rows_written": len(records), "changed_only": changed_only}


def _joined(header_raw: str, records: list[str]) -> str:
    """Records one after another; a last record that had no line ending gets one when others follow it."""
    ending = line_ending(header_raw, "\n")
    out = []
    for i, rec in enumerate(records):
        if i < len(records) - 1 and not rec.endswith(("\n", "\r")):
            rec += ending
        out.append(rec)
    return "".join(out)
