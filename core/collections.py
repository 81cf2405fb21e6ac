"""Curators' collections: named ones (products put in by hand) and smart ones (a saved search with its filters).

Every change is a correction (kinds collection_save, collection_delete, collection_members, with no product),
logged append-only and synced like an edit; another catalog replays it by names and SKUs, never ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from core.catalog import db
from core.edits import EditError, record

KINDS = ("collection_save", "collection_delete", "collection_members")


class CollectionError(EditError):
    """A collection request that cannot be done; the message says why. Nothing was changed."""


@dataclass(frozen=True)
class CollectionRow:
    id: int
    name: str
    smart: bool
    text: str
    filters: tuple[str, ...]
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "smart": self.smart, "text": self.text,
                "filters": list(self.filters), "count": self.count}


def _query(text: str, filters: Iterable[str]) -> dict[str, Any]:
    from core.search.filters import parse_filters

    filters = [str(f) for f in filters]
    parse_filters(filters)  # a filter that cannot be read is refused now, with its reason, not at every count
    return {"text": (text or "").strip(), "filters": filters}


def _get(name: str) -> db.Collection:
    row = db.Collection.get_or_none(db.Collection.name == name.strip())
    if row is None:
        raise CollectionError(f"no collection named {name!r}")
    return row


def _name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise CollectionError("a collection needs a name")
    return name


# --- reading ------------------------------------------------------------------------------------------------
def member_ids(collection_id: int) -> list[int]:
    """Live products of a collection: its items, or what its saved search finds now."""
    row = db.Collection.get_or_none(db.Collection.id == collection_id)
    if row is None:
        return []
    if not row.smart:
        return [pid for (pid,) in db.CollectionItem.select(db.CollectionItem.product)
                .join(db.Product).where((db.CollectionItem.collection == row) & db.Product.deleted_at.is_null())
                .order_by(db.CollectionItem.id).tuples()]
    return _smart_members(row.query or {})


def _smart_members(query: dict[str, Any]) -> list[int]:
    from core.search import lexical
    from core.search.filters import FilterError, parse_filters

    try:
        filters = parse_filters(query.get("filters") or [])
    except FilterError:
        return []
    allowed = filters.product_ids()
    if allowed is None:
        allowed = [pid for (pid,) in db.Product.select(db.Product.id).tuples()]
    text = query.get("text") or ""
    if not text.strip():
        return sorted(allowed)
    hits = lexical.search(text, len(allowed) or 1, allowed, fields=False)
    return [h.product_id for h in hits if h.all_words or h.sku_exact]


def collections() -> list[CollectionRow]:
    """Every collection with its count (named first, then smart; by name)."""
    out = []
    for row in db.Collection.select().order_by(db.Collection.smart, db.Collection.name):
        q = row.query or {}
        out.append(CollectionRow(row.id, row.name, bool(row.smart), q.get("text", ""),
                                 tuple(q.get("filters") or ()), len(member_ids(row.id))))
    return out


def collection(name: str) -> CollectionRow:
    row = _get(name)
    return next(c for c in collections() if c.id == row.id)


def collections_of(product_id: int) -> list[str]:
    """Names of the named collections holding this product."""
    return [n for (n,) in db.Collection.select(db.Collection.name).join(db.CollectionItem)
            .where((db.CollectionItem.product == product_id) & db.CollectionItem.deleted_at.is_null())
            .order_by(db.Collection.name).tuples()]


# --- writing (each one correction) --------------------------------------------------------------------------
def _state(row: db.Collection | None) -> dict[str, Any]:
    if row is None:
        return {}
    return {"name": row.name, "smart": bool(row.smart), "query": row.query or {}}


def save(catalog, name: str, *, smart: bool = False, text: str = "", filters: Sequence[str] = (),
         rename_from: str | None = None) -> CollectionRow:
    """Create a collection, change a smart one's search, or rename one (rename_from)."""
    name = _name(name)
    query = _query(text, filters) if smart else {}

    def _do() -> None:
        old = _get(rename_from) if rename_from else db.Collection.get_or_none(db.Collection.name == name)
        clash = db.Collection.get_or_none(db.Collection.name == name)
        if rename_from and clash is not None and clash.id != old.id:
            raise CollectionError(f"there is already a collection named {name!r}")
        if old is not None and not rename_from and bool(old.smart) != smart:
            raise CollectionError(f"{name!r} is already a {'smart' if old.smart else 'named'} collection")
        before = _state(old)
        if old is None:
            row = db.Collection.create(name=name, smart=smart, query=query)
        else:
            row = old
            row.name = name
            if row.smart:
                row.query = query if (smart or not rename_from) else row.query
            row.save()
        if before != _state(row):
            record("collection_save", before, _state(row))

    with catalog.writing():
        db.transaction(_do)
    return collection(name)


def delete(catalog, name: str) -> None:
    def _do() -> None:
        row = _get(name)
        skus = _skus(row)
        record("collection_delete", {**_state(row), "skus": skus}, {})
        db.CollectionItem.delete().where(db.CollectionItem.collection == row).execute()
        db.Collection.delete().where(db.Collection.id == row.id).execute()

    with catalog.writing():
        db.transaction(_do)


def _skus(row: db.Collection) -> list[str]:
    return [s for (s,) in db.CollectionItem.select(db.Product.sku).join(db.Product)
            .where(db.CollectionItem.collection == row).order_by(db.Product.sku).tuples()]


def change_members(catalog, name: str, *, add: Iterable[int] = (), remove: Iterable[int] = (),
                   create: bool = True) -> dict[str, int]:
    """Put products into a named collection (made if it does not exist and create is set) or take them out."""
    add, remove = list(dict.fromkeys(add)), list(dict.fromkeys(remove))

    def _do() -> dict[str, int]:
        row = db.Collection.get_or_none(db.Collection.name == _name(name))
        if row is None:
            if not create:
                raise CollectionError(f"no collection named {name!r}")
            row = db.Collection.create(name=_name(name), smart=False, query={})
            record("collection_save", {}, _state(row))
        if row.smart:
            raise CollectionError(f"{row.name!r} is a smart collection: its search decides what is in it")
        return _members(row, add, remove, log=True)

    with catalog.writing():
        return db.transaction(_do)


def _members(row: db.Collection, add: list[int], remove: list[int], *, log: bool) -> dict[str, int]:
    have = {pid for (pid,) in db.CollectionItem.select(db.CollectionItem.product)
            .where(db.CollectionItem.collection == row).tuples()}
    products = {p.id: p.sku for p in db.Product.select(db.Product.id, db.Product.sku)
                .where(db.Product.id.in_(add + remove))}
    missing = [pid for pid in add + remove if pid not in products]
    if missing:
        raise CollectionError(f"no product with id {missing[0]}")
    added = [pid for pid in add if pid not in have]
    removed = [pid for pid in remove if pid in have]
    for pid in added:
        db.CollectionItem.create(collection=row, product=pid)
    if removed:
        db.CollectionItem.delete().where((db.CollectionItem.collection == row)
                                         & db.CollectionItem.product.in_(removed)).execute()
    if log and (added or removed):
        record("collection_members", {"name": row.name},
               {"name": row.name, "add": sorted(products[p] for p in added),
                "remove": sorted(products[p] for p in removed)})
    return {"added": len(added), "removed": len(removed)}


# --- another catalog's changes --------------------------------------------------------------------------------
def apply_remote(row: db.Correction) -> None:
    """Replay a pulled collection correction by names and SKUs (sync calls it inside its transaction)."""
    before, after = row.before or {}, row.after or {}
    if row.kind == "collection_save":
        old = db.Collection.get_or_none(db.Collection.name == (before.get("name") or after.get("name")))
        if old is None:
            old = db.Collection.get_or_none(db.Collection.name == after.get("name"))
        if old is None:
            db.Collection.create(name=after["name"], smart=bool(after.get("smart")), query=after.get("query") or {})
        else:
            clash = db.Collection.get_or_none(db.Collection.name == after.get("name"))
            if clash is None or clash.id == old.id:
                old.name = after["name"]
            old.query = after.get("query") or {}
            old.save()
    elif row.kind == "collection_delete":
        old = db.Collection.get_or_none(db.Collection.name == before.get("name"))
        if old is not None:
            db.CollectionItem.delete().where(db.CollectionItem.collection == old).execute()
            db.Collection.delete().where(db.Collection.id == old.id).execute()
    elif row.kind == "collection_members":
        target = db.Collection.get_or_none(db.Collection.name == after.get("name"))
        if target is None:
            target = db.Collection.create(name=after.get("name") or "Unnamed", smart=False, query={})
        ids = {p.sku: p.id for p in db.Product.select(db.Product.id, db.Product.sku)
               .where(db.Product.sku.in_(list(after.get("add") or []) + list(after.get("remove") or [])))}
        if not target.smart:
            _members(target, [ids[s] for s in after.get("add") or [] if s in ids],
                     [ids[s] for s in after.get("remove") or [] if s in ids], log=False)


def describe(row: db.Correction) -> str:
    """A collection correction in words, for the History and the log."""
    before, after = row.before or {}, row.after or {}
    if row.kind == "collection_members":
        parts = []
        if after.get("add"):
            parts.append(f"added {len(after['add'])} to {after.get('name')}")
        if after.get("remove"):
            parts.append(f"took {len(after['remove'])} out of {after.get('name')}")
        return "; ".join(parts)
    if row.kind == "collection_delete":
        return f"deleted collection {before.get('name')}"
    if before and before.get("name") != after.get("name"):
        return f"renamed collection {before.get('name')} → {after.get('name')}"
    query = json.dumps((after.get("query") or {}), ensure_ascii=False)
    return f"saved {'smart ' if after.get('smart') else ''}collection {after.get('name')}" + (
        f" {query}" if after.get("smart") else "")
