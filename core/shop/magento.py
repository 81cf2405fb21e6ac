"""Magento 2's product export: one row per SKU; configurable parents list their simple children."""

from __future__ import annotations

import re
from typing import Any

from core.shop.csvfile import ShopFile, cell
from core.shop.model import ReadResult, RowInfo, ShopProduct
from core.shop.text import html_to_text, text_to_html

NAME = "magento"
ROOT_CATEGORY = "Default Category/"
_PAIR = re.compile(r",(?=[A-Za-z0-9_]+=)")
PARENT_TYPES = {"configurable", "grouped", "bundle"}
NEW_ROW_DEFAULTS = {"attribute_set_code": "Default", "product_type": "simple", "product_websites": "base",
                    "product_online": "1", "visibility": "Catalog, Search", "tax_class_name": "Taxable Goods"}


def detect(header: list[str]) -> bool:
    names = set(header)
    return "sku" in names and ("product_type" in names or "attribute_set_code" in names)


def parse_attributes(cell: str) -> list[tuple[str, str, str]]:
    """[(code, value as the app shows it, the pair's text)] of `code=value,code=a|b`."""
    out = []
    for pair in _PAIR.split(cell.strip()) if cell.strip() else []:
        code, eq, value = pair.partition("=")
        if eq and code.strip():
            out.append((code.strip(), value.replace("|", ", ").strip(), pair))
    return out


def first_category(cell: str) -> str:
    first = cell.split(",")[0].strip() if cell.strip() else ""
    return first[len(ROOT_CATEGORY):] if first.startswith(ROOT_CATEGORY) else first


def read(shop: ShopFile) -> ReadResult:
    from core.catalog.importer import parse_price

    h = shop.header
    rows = [RowInfo() for _ in shop.records]
    notes: list[str] = []
    parent_of: dict[str, str] = {}
    for pos, rec in enumerate(shop.records):
        kind = cell(h, rec.cells, "product_type").strip()
        if kind in PARENT_TYPES and not cell(h, rec.cells, "store_view_code").strip():
            parent = cell(h, rec.cells, "sku").strip()
            children = [m.group(1).strip() for m in re.finditer(r"(?:^|\|)sku=([^,|]+)",
                                                                   cell(h, rec.cells, "configurable_variations"))]
            children += [s.strip() for s in cell(h, rec.cells, "associated_skus").split(",") if s.strip()]
            for child in children:
                parent_of.setdefault(child, parent)
            rows[pos].role, rows[pos].design = "design", parent
    products: list[ShopProduct] = []
    seen: set[str] = set()
    for pos, rec in enumerate(shop.records):
        cells = rec.cells
        if not any(c.strip() for c in cells):
            rows[pos].note = "blank row kept as it is"
            continue
        sku = cell(h, cells, "sku").strip()
        if rows[pos].role == "design":
            continue
        if cell(h, cells, "store_view_code").strip():
            rows[pos].note = "a store view's values: kept as they are"
            continue
        if not sku:
            rows[pos].note = "no sku: kept as it is, not imported"
            notes.append(f"row {pos + 2}: no sku; kept as it is, not imported")
            continue
        if sku in seen:
            rows[pos].note = f"SKU {sku} appears twice; this row is kept as it is"
            notes.append(f"row {pos + 2}: SKU {sku} appears twice; the later row is not imported")
            continue
        seen.add(sku)
        p = ShopProduct(sku=sku, row=pos, design=parent_of.get(sku, ""))
        rows[pos].role, rows[pos].sku, rows[pos].design = "variant", sku, p.design
        p.title = cell(h, cells, "name").strip() or sku
        p.description = html_to_text(cell(h, cells, "description"))
        p.category = first_category(cell(h, cells, "categories"))
        price = cell(h, cells, "price")
        if price.strip():
            p.price, why = parse_price(price)
            if why:
                p.notes.append(f"price: {why}")
        p.attributes = {code: value for code, value, _ in parse_attributes(cell(h, cells, "additional_attributes"))}
        online = cell(h, cells, "product_online").strip()
        if online and online != "1":  # Magento's own export writes 2 (its status "disabled"); files often 0
            p.notes.append(f"disabled in the shop (product_online {online})")
        images = [cell(h, cells, "base_image").strip()]
        images += [x.strip() for x in cell(h, cells, "additional_images").split(",")]
        p.images = list(dict.fromkeys(x for x in images if x and x != "no_selection"))
        if not p.images:
            p.notes.append("no image in the shop export")
        p.where = {"sku": [pos, "sku"], "title": [pos, "name"], "description": [pos, "description"],
                   "category": [pos, "categories"], "price": [pos, "price"],
                   "attributes": [pos, "additional_attributes"], "status": [pos, "product_online"]}
        products.append(p)
    return ReadResult(products, rows, notes)


# --- writing back -----------------------------------------------------------------------------------

def cell_value(field: str, value: Any, old: str) -> str:
    if field == "price":
        return "" if value is None else f"{value:.2f}"
    if field == "description":
        return text_to_html(value)
    if field == "category":
        first, sep, rest = old.partition(",")
        root = ROOT_CATEGORY if first.strip().startswith(ROOT_CATEGORY) or not old.strip() else ""
        return root + value + (sep + rest if sep else "")
    return str(value)


def attributes_cell(old_cell: str, old: dict[str, str], new: dict[str, str]) -> str:
    """additional_attributes with the changed pairs rewritten; unchanged pairs keep their text."""
    pairs = []
    for code, value, text in parse_attributes(old_cell):
        if code not in new:
            continue
        pairs.append(text if new[code] == value else f"{code}={new[code].replace(', ', '|')}")
    known = {code for code, _, _ in parse_attributes(old_cell)}
    pairs += [f"{code}={value.replace(', ', '|')}" for code, value in new.items() if code not in known]
    return ",".join(pairs)


def attribute_changes(where: list, old: dict[str, str], new: dict[str, str], old_cell: str) -> tuple[list, list[str]]:
    if old == new:
        return [], []
    pos, column = where
    return [(pos, column, attributes_cell(old_cell, old, new))], []


def rename_children(cell: str, renamed: dict[str, str]) -> str:
    """configurable_variations (`sku=A,color=Red|sku=B,...`) or associated_skus (`A,B`) with SKUs renamed."""
    if "sku=" in cell:
        return re.sub(r"(^|\|)sku=([^,|]+)", lambda m: f"{m.group(1)}sku={renamed.get(m.group(2), m.group(2))}", cell)
    return ",".join(renamed.get(x.strip(), x.strip()) if x.strip() in renamed else x for x in cell.split(","))


def deletion(where: dict[str, Any], old_cell: str = "") -> tuple[int, str, str] | None:
    """product_online 0 (Magento's importer reads any value but 1 as disabled); one already off stays as it is."""
    pos, column = where["status"]
    return pos, column, old_cell if old_cell.strip() and old_cell.strip() != "1" else "0"


def add_labels(old_cell: str, code: str, labels: list[str]) -> str:
    attrs = {c: v for c, v, _ in parse_attributes(old_cell)}
    have = [x.strip() for x in attrs.get(code, "").split(",") if x.strip()]
    added = [lab for lab in labels if lab.lower() not in {x.lower() for x in have}]
    if not added:
        return old_cell
    return attributes_cell(old_cell, attrs, {**attrs, code: ", ".join(have + added)})


def new_rows(header: list[str], product: dict[str, Any], labels: list[str], labels_to: str | None) -> list[list[str]]:
    cells = {name: "" for name in header}
    cells.update({k: v for k, v in NEW_ROW_DEFAULTS.items() if k in cells})
    attrs = dict(product["attributes"])
    if labels and labels_to:
        attrs[labels_to] = ", ".join(dict.fromkeys([*(x.strip() for x in attrs.get(labels_to, "").split(",")
                                                        if x.strip()), *labels]))
    values = {"sku": product["sku"], "name": product["title"], "description": text_to_html(product["description"]),
              "categories": cell_value("category", product["category"], ""),
              "price": cell_value("price", product["price"], ""), "additional_attributes": attributes_cell("", {}, attrs),
              "url_key": re.sub(r"[^a-z0-9]+", "-", f"{product['title']} {product['sku']}".lower()).strip("-")}
    for k, v in values.items():
        if k in cells:
            cells[k] = v
    return [[cells[name] for name in header]]
