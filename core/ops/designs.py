"""Designs: the products that are variants of one garment (colours, sizes), tied by a shared parent.

A design comes from the shop (a Magento configurable parent, a Shopify handle), from product.json's
`parent_sku`, or from a curator accepting a "Make one design?" suggestion. Every change returns a record
that `undo` takes back.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from core.catalog import db


def design_name(skus: list[str], existing: list[str]) -> str:
    """The design a group joins: the one most of it already has, else the SKUs' common stem (MJ01-Red and
    MJ01-Blue: MJ01), else the first SKU."""
    have = Counter(d for d in existing if d)
    if have:
        return have.most_common(1)[0][0]
    stem = os.path.commonprefix(sorted(skus)).rstrip("-_ ./")
    return stem if len(stem) >= 2 else sorted(skus)[0]


def make_design(product_ids: list[int], name: str | None = None) -> dict[str, Any]:
    """Make these products variants of one design; returns the undo record."""
    ids = sorted(set(product_ids))
    if len(ids) < 2:
        raise ValueError("a design needs at least two products")

    def _do() -> dict[str, Any]:
        rows = list(db.Product.select(db.Product.id, db.Product.sku, db.Product.design)
                    .where(db.Product.id.in_(ids)))
        if len(rows) != len(ids):
            raise ValueError("some of these products are no longer in the catalog")
        chosen = name or design_name([r.sku for r in rows], [r.design for r in rows])
        before = {r.id: r.design for r in rows}
        db.Product.update(design=chosen, updated_at=db.utcnow()).where(db.Product.id.in_(ids)).execute()
        db.audit("make design", chosen, ids=ids, before={str(k): v for k, v in before.items()})
        return {"action": "design", "design": chosen, "before": before}

    return db.transaction(_do)


def undo(record: dict[str, Any]) -> None:
    def _do() -> None:
        for pid, design in record["before"].items():
            db.Product.update(design=design).where(db.Product.id == int(pid)).execute()
        db.audit("unmake design", record["design"], ids=sorted(int(p) for p in record["before"]))

    db.transaction(_do)


def one_design(product_ids: list[int]) -> bool:
    """Do these products all belong to one design?"""
    designs = {d for (d,) in db.Product.select(db.Product.design).where(db.Product.id.in_(product_ids)).tuples()}
    return len(designs) == 1 and "" not in designs


@dataclass
class Design:
    """One tile of the grid grouped by design: the design's products, its colours for the swatches."""

    name: str
    product_ids: list[int] = field(default_factory=list)
    colours: list[str] = field(default_factory=list)


COLOUR_KEYS = ("color", "colour", "Color", "Colour")


def colour_of(attributes: dict[str, Any] | None) -> str:
    for key in COLOUR_KEYS:
        value = (attributes or {}).get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def group_by_design(product_ids: list[int]) -> list[Design]:
    """The products in the order given, folded by design: each design once, where its first product stands;
    a product without a design is a design of its own."""
    info: dict[int, tuple[str, str]] = {}
    for chunk in db.chunked(product_ids, 500):
        for pid, design, attributes in (db.Product.select(db.Product.id, db.Product.design, db.Product.attributes)
                                        .where(db.Product.id.in_(chunk)).tuples()):
            attrs = db.JSONField().python_value(attributes) if isinstance(attributes, str) else attributes
            info[pid] = (design or "", colour_of(attrs))
    out: list[Design] = []
    by_name: dict[str, Design] = {}
    for pid in product_ids:
        if pid not in info:
            continue
        design, colour = info[pid]
        group = by_name.get(design) if design else None
        if group is None:
            group = Design(design)
            out.append(group)
            if design:
                by_name[design] = group
        group.product_ids.append(pid)
        if colour and colour not in group.colours:
            group.colours.append(colour)
    return out
