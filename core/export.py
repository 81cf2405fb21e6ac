"""Export the catalog as curators see it: products, primary crops, labels and (optionally) vectors."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from core.catalog import db
from core.catalog.catalog import Catalog
from core.catalog.queries import primary_crop

CSV_FIELDS = ["product_id", "sku", "title", "category", "price", "status", "review_state", "corrected",
              "primary_image", "primary_box", "labels"]

# OWASP's CSV-injection rule: a spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as typed and never runs: text starting with = + - @ tab or CR gets a
    leading single quote (OWASP). Numbers stay numbers: a number (int, float, bool) or text that is exactly
    a number ("-2.5", "+3", "1e-3") is kept raw, since a spreadsheet reads it as that number and runs
    nothing; "-2+3" or "=1+1" is a formula and is quoted."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START) or _NUMBER.fullmatch(value):
        return value
    return "'" + value


def product_records(catalog: Catalog, *, include_vectors: bool = False) -> Iterator[dict[str, Any]]:
    model_version = catalog.active_model_version()
    store = catalog.vector_store(model_version) if (include_vectors and model_version) else None
    for product in db.Product.select().order_by(db.Product.id):
        primary = primary_crop(product.id)
        labels = [{"vocabulary": lb.vocabulary, "value": lb.value, "score": round(lb.score, 4),
                   "source": lb.source, "confirmed": lb.confirmed}
                  for lb in db.Label.select().where(db.Label.product == product).order_by(db.Label.id)]
        record = {
            "product_id": product.id, "sku": product.sku, "title": product.title,
            "description": product.description, "category": product.category,
            "attributes": product.attributes, "price": product.price, "status": product.status,
            "review_state": product.review_state, "corrected": product.corrected,
            "source_folder": product.source_folder,
            "images": [i.original_name for i in product.images.order_by(db.ImageFile.position)],
            "primary_image": primary.original_name if primary else None,
            "primary_box": [round(v, 1) for v in primary.box] if primary else None,
            "labels": labels, "model_version": model_version,
        }
        if store is not None:
            _, vec = store.get([product.id])
            record["vector"] = vec[0].round(6).tolist() if len(vec) else None
        yield record


def export(catalog: Catalog, out: IO[str], *, fmt: str = "jsonl", include_vectors: bool = False) -> int:
    count = 0
    if fmt == "jsonl":
        for record in product_records(catalog, include_vectors=include_vectors):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for record in product_records(catalog):
            record["primary_box"] = json.dumps(record["primary_box"])
            record["labels"] = "; ".join(f"{lb['vocabulary']}={lb['value']}" for lb in record["labels"])
            writer.writerow({key: spreadsheet_safe(record.get(key)) for key in CSV_FIELDS})
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r}: use jsonl or csv")
    return count


def export_to_file(catalog: Catalog, path: Path, **kwargs: Any) -> int:
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        count = export(catalog, fh, **kwargs)
    tmp.replace(path)
    return count
