"""Shopify's product CSV: one Handle per design, its first row carries the design, further rows variants and images."""

from __future__ import annotations

import re
from typing import Any

from core.shop.csvfile import ShopFile, cell
from core.shop.model import ReadResult, RowInfo, ShopProduct
from core.shop.text import html_to_text, text_to_html

NAME = "shopify"
DEFAULT_TITLE = "Default Title"
DESIGN_COLUMNS = ("Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published", "Status")
NEW_ROW_DEFAULTS = {"Published": "TRUE", "Status": "active", "Variant Inventory Policy": "deny",
                    "Variant Fulfillment Service": "manual", "Variant Requires Shipping": "TRUE",
                    "Variant Taxable": "TRUE", "Gift Card": "FALSE"}


def detect(header: list[str]) -> bool:
    names = set(header)
    return "Handle" in names and ("Variant SKU" in names or "Title" in names)


def _parse_price(text: str) -> tuple[float | None, str]:
    from core.catalog.importer import parse_price

    if not text.strip():
        return None, ""
    return parse_price(text)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "product"


def read(shop: ShopFile) -> ReadResult:
    h = shop.header
    rows = [RowInfo() for _ in shop.records]
    products: list[ShopProduct] = []
    notes: list[str] = []
    designs: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for pos, rec in enumerate(shop.records):
        if not any(c.strip() for c in rec.cells):
            rows[pos].note = "blank row kept as it is"
            continue
        handle = cell(h, rec.cells, "Handle").strip()
        if not handle:
            rows[pos].note = "no Handle: kept as it is, not imported"
            notes.append(f"row {pos + 2}: no Handle; kept as it is, not imported")
            continue
        d = designs.get(handle)
        if d is None:
            d = designs[handle] = {"first": pos, "variants": [], "images": []}
            order.append(handle)
        rows[pos].design = handle
        variant = any(cell(h, rec.cells, c).strip() for c in ("Variant SKU", "Variant Price", "Option1 Value"))
        if variant:
            d["variants"].append(pos)
        src = cell(h, rec.cells, "Image Src").strip()
        if src:
            d["images"].append((src, cell(h, rec.cells, "Image Alt Text").strip()))
        rows[pos].role = "variant" if variant else ("design" if pos == d["first"] else "image")
    seen: set[str] = set()
    for handle in order:
        d = designs[handle]
        first = shop.records[d["first"]].cells
        option_names = [cell(h, first, f"Option{i} Name").strip() for i in (1, 2, 3)]
        title = cell(h, first, "Title").strip() or handle
        body = cell(h, first, "Body (HTML)")
        category_column = "Type" if cell(h, first, "Type").strip() or "Product Category" not in h else "Product Category"
        category = cell(h, first, category_column).strip().replace(" > ", "/")
        tags = cell(h, first, "Tags").strip()
        status = cell(h, first, "Status").strip().lower()
        published = cell(h, first, "Published").strip().upper()
        if not d["variants"]:
            rows[d["first"]].note = "a design with no variant row: kept as it is, no product"
            notes.append(f"{handle}: no variant rows; kept as it is, no product imported")
            continue
        for pos in d["variants"]:
            cells = shop.records[pos].cells
            options = {}
            where_attr: dict[str, list] = {}
            for i, name in enumerate(option_names, start=1):
                value = cell(h, cells, f"Option{i} Value").strip()
                if name and value and value != DEFAULT_TITLE:
                    options[name] = value
                    where_attr[name] = [pos, f"Option{i} Value"]
            sku = cell(h, cells, "Variant SKU").strip()
            # A handle with one variant is a design of its own, as a simple product is.
            p = ShopProduct(sku=sku, row=pos, design=handle if len(d["variants"]) > 1 else "")
            if not sku:
                sku = handle if len(d["variants"]) == 1 else f"{handle}-{_slug('-'.join(options.values()))}"
                p.sku = sku
                p.notes.append(f"no Variant SKU in the shop: called {sku} here")
            if sku in seen:
                rows[pos].role, rows[pos].note = "extra", f"SKU {sku} appears twice; this row is kept as it is"
                notes.append(f"row {pos + 2}: SKU {sku} appears twice; the later row is not imported")
                continue
            seen.add(sku)
            rows[pos].sku = sku
            p.title, p.description, p.category = title, html_to_text(body), category
            price_text = cell(h, cells, "Variant Price")
            p.price, why = _parse_price(price_text)
            if why:
                p.notes.append(f"Variant Price: {why}")
            p.attributes = dict(options)
            if tags:
                p.attributes["tags"] = tags
                where_attr["tags"] = [d["first"], "Tags"]
            if status in ("draft", "archived"):
                p.notes.append(f"{status} in the shop")
            elif published == "FALSE":
                p.notes.append("not published in the shop")
            p.images = _variant_images(h, cells, d["images"], options, single=len(d["variants"]) == 1)
            if not p.images:
                p.notes.append("no image in the shop export")
            p.where = {"sku": [pos, "Variant SKU"], "title": [d["first"], "Title"],
                       "description": [d["first"], "Body (HTML)"], "category": [d["first"], category_column],
                       "price": [pos, "Variant Price"], "attributes": where_attr, "status": [d["first"], "Status"]}
            products.append(p)
    return ReadResult(products, rows, notes)


def _variant_images(h: list[str], cells: list[str], design_images: list[tuple[str, str]], options: dict[str, str],
                    *, single: bool) -> list[str]:
    """The variant's own image first, then the design's images whose alt text names one of its option values."""
    out: list[str] = []
    own = cell(h, cells, "Variant Image").strip()
    if own:
        out.append(own)
    values = [v.lower() for v in options.values()]
    for src, alt in design_images:
        words = set(re.findall(r"\w+", alt.lower()))
        named = single or any(set(re.findall(r"\w+", v)) <= words for v in values if v)
        if named and src not in out:
            out.append(src)
    if not out:  # no variant image and no alt text naming it: the design's photos stand for every variant
        out = list(dict.fromkeys(src for src, _ in design_images))
    return out


# --- writing back -----------------------------------------------------------------------------------

def cell_value(field: str, value: Any, old: str) -> str:
    if field == "price":
        return "" if value is None else f"{value:.2f}"
    if field == "description":
        return text_to_html(value)
    if field == "category":
        return value.replace("/", " > ") if " > " in old else value
    return str(value)


def attribute_changes(where: dict[str, Any], old: dict[str, str], new: dict[str, str]) -> tuple[list, list[str]]:
    """[(position, column, value)] for option values and tags; and what has no column in Shopify's layout."""
    changes, left = [], []
    for key in sorted(set(old) | set(new)):
        if old.get(key) == new.get(key):
            continue
        if key in where:
            pos, column = where[key]
            changes.append((pos, column, new.get(key, "")))
        else:
            left.append(key)
    return changes, left


def deletion(where: dict[str, Any]) -> tuple[int, str, str] | None:
    pos, column = where["status"]
    return pos, column, "archived"


def add_labels(old_cell: str, labels: list[str]) -> str:
    tags = [t.strip() for t in old_cell.split(",") if t.strip()]
    lower = {t.lower() for t in tags}
    added = [lab for lab in labels if lab.lower() not in lower]
    return ", ".join(tags + added) if added else old_cell


def new_rows(header: list[str], product: dict[str, Any], labels: list[str]) -> list[list[str]]:
    """A product the app added, as one Shopify row (its own handle, or its design's)."""
    cells = {name: "" for name in header}
    cells.update({k: v for k, v in NEW_ROW_DEFAULTS.items() if k in cells})
    attrs = dict(product["attributes"])
    tags = attrs.pop("tags", "")
    if labels:
        tags = add_labels(tags, labels)
    values = {"Handle": product["design"] or _slug(product["title"] or product["sku"]),
              "Title": product["title"], "Body (HTML)": text_to_html(product["description"]),
              "Type": product["category"], "Tags": tags, "Variant SKU": product["sku"],
              "Variant Price": cell_value("price", product["price"], "")}
    options = list(attrs.items())[:3] or [("Title", DEFAULT_TITLE)]
    for i, (name, value) in enumerate(options, start=1):
        values[f"Option{i} Name"], values[f"Option{i} Value"] = name, value
    for k, v in values.items():
        if k in cells:
            cells[k] = v
    return [[cells[name] for name in header]]
