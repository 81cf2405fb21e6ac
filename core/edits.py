"""Curator edits of product data (SKU, title, description, category, price, attributes) as corrections.

An edit is planned first (validated, nothing written: the preview and `--dry-run` show the plan), then
applied: one `edit` Correction per product, logged append-only and queued for sync in the same transaction as
the new values. The product's words reach text search at once (the FTS triggers of schema 9 follow the row).
Undo writes the inverse edit, so the log keeps both steps. Edits pulled from another catalog go through
`apply_remote_edit`: for each field the later edit by server time wins, the other is kept as a conflict.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.catalog import db

EDIT_KIND = "edit"
TEXT_FIELDS = ("sku", "title", "description", "category")
FIELDS = (*TEXT_FIELDS, "price")
ATTR = "attributes."
FIELD_NAMES = {"sku": "SKU", "title": "Title", "description": "Description", "category": "Category",
               "price": "Price"}


class EditError(ValueError):
    """A value a curator gave that cannot be stored; the message says why. Nothing was changed."""


@dataclass(frozen=True)
class Change:
    field: str  # one of FIELDS, or "attributes.<key>"
    before: Any  # None for an attribute that was absent / a price that was empty
    after: Any  # None for an attribute removed

    def describe(self) -> str:
        return describe_change(self.field, self.before, self.after)


@dataclass
class EditPlan:
    """What one action would change on one product; empty when the product already has those values."""

    product_id: int
    sku: str
    changes: list[Change] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # attribute key renames (old -> new), to keep order

    def __bool__(self) -> bool:
        return bool(self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {"product_id": self.product_id, "sku": self.sku,
                "changes": [{"field": c.field, "before": c.before, "after": c.after, "text": c.describe()}
                            for c in self.changes]}


# --- values ----------------------------------------------------------------------------------------------
def parse_price(value: Any) -> float | None:
    """A price as a curator types it: "19,99" and "19.99" are 19.99, "1.299,00" and "1,299.00" are 1299;
    empty means no price. A negative or unreadable price is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise EditError(f"price {value!r} is not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = re.sub(r"[\s\u00a0'€$£¥]", "", str(value))
        if "," in text and "." in text:  # the last separator is the decimal one
            text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
        elif text.count(",") == 1:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise EditError(f"price {value!r} is not a number (write it like 19.99 or 19,99)") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise EditError(f"price {value!r} is not a number")
    if number < 0:
        raise EditError(f"price {value!r} is negative: a price is 0 or more")
    return round(number, 4)


def _clean(name: str, value: Any) -> Any:
    if name == "price":
        return parse_price(value)
    if name.startswith(ATTR):
        return None if value is None else str(value).strip()
    text = "" if value is None else str(value)
    if name in ("sku", "title"):
        text = text.strip()
        if not text:
            raise EditError(f"the {FIELD_NAMES[name].lower() if name == 'title' else 'SKU'} cannot be empty")
    if name == "sku" and any(c in text for c in "\r\n\t"):
        raise EditError("a SKU is one line of text")
    if name == "category":
        text = "/".join(part.strip() for part in text.strip().strip("/").split("/") if part.strip())
    return text


def _field_name(name: str) -> str:
    name = name.strip()
    if name.lower() in FIELDS:
        return name.lower()
    for prefix in ("attributes.", "attribute.", "attr."):
        if name.lower().startswith(prefix):
            key = name[len(prefix):].strip()
            if not key:
                raise EditError(f"{name!r} names no attribute: write attributes.KEY")
            return ATTR + key
    raise EditError(f"unknown field {name!r}: one of {', '.join(FIELDS)} or attributes.KEY")


def check_value(name: str, value: Any) -> str:
    """Why this value cannot be stored in this field ('' when it can): the checks that need no database, for an
    editor to keep its text open with the reason rather than send it."""
    try:
        _clean(_field_name(name), value)
    except EditError as exc:
        return str(exc)
    return ""


def current(product: db.Product, name: str) -> Any:
    if name.startswith(ATTR):
        return (product.attributes or {}).get(name[len(ATTR):])
    return getattr(product, name)


# --- planning (no writes) --------------------------------------------------------------------------------
def plan_edit(product: db.Product | int, sets: dict[str, Any] | None = None, unsets: Iterable[str] = (),
              renames: dict[str, str] | None = None) -> EditPlan:
    """Validate one product's edit: `sets` field -> value, `unsets` attribute fields, `renames` attribute
    key -> new key. Raises EditError with the reason; returns only what differs from the stored values."""
    if not isinstance(product, db.Product):
        found = db.Product.get_or_none(db.Product.id == product)
        if found is None:
            raise EditError(f"no product {product}")
        product = found
    plan = EditPlan(product.id, product.sku)
    wanted: dict[str, Any] = {}
    attrs = dict(product.attributes or {})
    for old, new in (renames or {}).items():
        old, new = old.strip(), new.strip()
        if old not in attrs:
            raise EditError(f"{product.sku} has no attribute {old!r} to rename")
        if not new:
            raise EditError(f"the new name of attribute {old!r} is empty")
        if new != old and new in attrs:
            raise EditError(f"{product.sku} already has an attribute {new!r}")
        if new != old:
            wanted[ATTR + old], wanted[ATTR + new] = None, attrs[old]
            plan.renamed[old] = new
    for name, value in (sets or {}).items():
        key = _field_name(name)
        wanted[key] = _clean(key, value)
    for name in unsets:
        key = _field_name(name)
        if not key.startswith(ATTR):
            raise EditError(f"{FIELD_NAMES[key]} cannot be removed, only changed"
                            + (" (an empty price is allowed: --set price=)" if key == "price" else ""))
        wanted[key] = None
    new_sku = wanted.get("sku")
    if new_sku is not None and new_sku != product.sku:
        other = db.Product.with_deleted().where((db.Product.sku == new_sku) & (db.Product.id != product.id)).first()
        if other is not None:
            where = " (in the trash)" if other.deleted_at else ""
            raise EditError(f"SKU {new_sku!r} already belongs to another product{where}: {product.sku} keeps its SKU")
    for key, value in wanted.items():
        before = current(product, key)
        if before != value:
            plan.changes.append(Change(key, before, value))
    return plan


@dataclass(frozen=True)
class BatchOp:
    """One operation of "Edit fields…" over many products.

    kind: set_attribute (key, value), append_attribute (key, value: added after a separator unless already
    there), remove_attribute (key), set_category (value), replace (field title|description, find, value,
    regex, case).
    """

    kind: str
    key: str = ""
    value: str = ""
    find: str = ""
    field: str = "title"
    regex: bool = False
    case: bool = True
    separator: str = ", "


BATCH_KINDS = ("set_attribute", "append_attribute", "remove_attribute", "set_category", "replace")


def _replace(text: str, op: BatchOp) -> str:
    if not op.find:
        raise EditError("find and replace needs the text to find")
    flags = 0 if op.case else re.IGNORECASE
    try:
        pattern = re.compile(op.find if op.regex else re.escape(op.find), flags)
    except re.error as exc:
        raise EditError(f"{op.find!r} is not a valid regular expression: {exc}") from None
    try:
        return pattern.sub(op.value if op.regex else op.value.replace("\\", "\\\\"), text)
    except re.error as exc:
        raise EditError(f"the replacement {op.value!r} is not valid: {exc}") from None


def plan_batch(product_ids: Sequence[int], ops: Sequence[BatchOp]) -> list[EditPlan]:
    """Every product's changes for these operations, in the given order; products left unchanged are left out.
    A bad operation raises EditError before anything is written."""
    plans = []
    for op in ops:
        if op.kind not in BATCH_KINDS:
            raise EditError(f"unknown batch operation {op.kind!r}")
        if op.kind.endswith("_attribute") and not op.key.strip():
            raise EditError("name the attribute")
        if op.kind == "replace" and op.field not in ("title", "description"):
            raise EditError("find and replace works in titles or descriptions")
    for chunk in db.chunked(list(dict.fromkeys(product_ids)), 500):
        for product in db.Product.select().where(db.Product.id.in_(chunk)).order_by(db.Product.id):
            sets: dict[str, Any] = {}
            unsets: list[str] = []
            attrs = dict(product.attributes or {})
            for op in ops:
                key = op.key.strip()
                if op.kind == "set_attribute":
                    sets[ATTR + key] = op.value
                    attrs[key] = op.value
                elif op.kind == "append_attribute":
                    old = str(attrs.get(key) or "")
                    parts = [p.strip() for p in old.split(op.separator.strip() or ",")] if old else []
                    new = old if op.value.strip() in parts else (old + op.separator + op.value if old else op.value)
                    sets[ATTR + key] = new
                    attrs[key] = new
                elif op.kind == "remove_attribute":
                    sets.pop(ATTR + key, None)
                    if key in attrs:
                        unsets.append(ATTR + key)
                        attrs.pop(key)
                elif op.kind == "set_category":
                    sets["category"] = op.value
                else:
                    base = sets.get(op.field, getattr(product, op.field))
                    sets[op.field] = _replace(base, op)
            try:
                plan = plan_edit(product, sets, unsets)
            except EditError as exc:
                raise EditError(f"{product.sku}: {exc}") from None
            if plan:
                plans.append(plan)
    return plans


# --- applying --------------------------------------------------------------------------------------------
def record(kind: str, before: dict, after: dict, *, product: db.Product | None = None, sku: str = "",
           origin: str = "local", user: str | None = None, catalog_id: str | None = None) -> db.Correction:
    """Write one correction row and queue it for sync (call inside the transaction that makes the change)."""
    fields: dict[str, Any] = {"uid": db.new_uid(), "product": product, "sku": sku or (product.sku if product else ""),
                              "kind": kind, "before": before, "after": after, "origin": origin}
    if user:
        fields["user"] = user
    correction = db.Correction.create(**fields)
    db.audit("correction", fields["sku"], kind=kind, uid=correction.uid)
    if origin == "local":
        from core.sync.outbox import enqueue_correction

        enqueue_correction(correction, catalog_id)
    return correction


def _write(product: db.Product, changes: Sequence[Change], renamed: dict[str, str]) -> None:
    attrs = dict(product.attributes or {})
    attr_changes = {c.field[len(ATTR):]: c.after for c in changes if c.field.startswith(ATTR)}
    if attr_changes:
        out: dict[str, Any] = {}
        for key, value in attrs.items():
            if key in renamed and renamed[key] in attr_changes:
                out[renamed[key]] = attr_changes[renamed[key]]  # a renamed key keeps its place
            elif key in attr_changes:
                if attr_changes[key] is not None:
                    out[key] = attr_changes[key]
            else:
                out[key] = value
        for key, value in attr_changes.items():
            if key not in out and value is not None and key not in attrs:
                out[key] = value
        product.attributes = out
    for change in changes:
        if not change.field.startswith(ATTR):
            setattr(product, change.field, change.after)
    product.save()


def apply_plans(plans: Sequence[EditPlan], *, user: str | None = None) -> list[db.Correction]:
    """Write the plans in one transaction: each product's new values and one `edit` correction. Values are
    checked again against the stored ones, so a plan made from a stale preview cannot overwrite a newer edit
    silently: a field that changed since is refused with a clear message."""
    from core.sync.outbox import catalog_id

    def _do() -> list[db.Correction]:
        out = []
        me = catalog_id()
        wanted = [p.product_id for p in plans if p]
        products = {p.id: p for chunk in db.chunked(wanted, 500)
                    for p in db.Product.select().where(db.Product.id.in_(chunk))}
        for plan in plans:
            if not plan:
                continue
            product = products.get(plan.product_id)
            if product is None:
                raise EditError(f"product {plan.sku} is no longer in the catalog")
            for change in plan.changes:
                if current(product, change.field) != change.before:
                    raise EditError(f"{plan.sku}: {field_label(change.field)} changed since the preview; "
                                    "look again before applying")
            sku_before = product.sku
            if any(c.field == "sku" for c in plan.changes):
                new = next(c.after for c in plan.changes if c.field == "sku")
                if db.Product.with_deleted().where((db.Product.sku == new) & (db.Product.id != product.id)).exists():
                    raise EditError(f"SKU {new!r} already belongs to another product")
            _write(product, plan.changes, plan.renamed)
            before = {c.field: c.before for c in plan.changes}
            after = {c.field: c.after for c in plan.changes}
            if plan.renamed:
                after["~renamed"] = dict(plan.renamed)
            out.append(record(EDIT_KIND, before, after, product=product, sku=sku_before, user=user, catalog_id=me))
        return out

    return db.transaction(_do)


def edit_product(catalog, product_id: int, sets: dict[str, Any] | None = None, unsets: Iterable[str] = (),
                 renames: dict[str, str] | None = None, *, user: str | None = None) -> db.Correction | None:
    """Validate and apply one product's edit under the writer lock; None when nothing changes."""
    with catalog.writing():
        plan = plan_edit(product_id, sets, unsets, renames)
        applied = apply_plans([plan], user=user) if plan else []
    return applied[0] if applied else None


def edit_many(catalog, plans: Sequence[EditPlan], *, user: str | None = None) -> list[db.Correction]:
    with catalog.writing():
        return apply_plans(plans, user=user)


def _changes_of(correction: db.Correction) -> list[Change]:
    before, after = correction.before or {}, correction.after or {}
    return [Change(k, before.get(k), after.get(k)) for k in after if not k.startswith("~")]


def inverse_plans(uids: Sequence[str]) -> list[EditPlan]:
    """The plans that put back what these edits changed (an undo), newest edit first."""
    rows = list(db.Correction.select().where(db.Correction.uid.in_(list(uids)) & (db.Correction.kind == EDIT_KIND))
                .order_by(db.Correction.uid.desc()))
    plans = []
    for row in rows:
        if row.product_id is None:
            continue
        renamed = {v: k for k, v in ((row.after or {}).get("~renamed") or {}).items()}
        plans.append(EditPlan(row.product_id, row.sku if not row.after.get("sku") else row.after["sku"],
                              [Change(c.field, c.after, c.before) for c in _changes_of(row)], renamed))
    return plans


def undo(catalog, uids: Sequence[str]) -> list[db.Correction]:
    """Undo one action (one or many products' edits) by writing its inverse edits."""
    with catalog.writing():
        return apply_plans(inverse_plans(uids))


# --- words ------------------------------------------------------------------------------------------------
def field_label(name: str) -> str:
    return f"Attribute {name[len(ATTR):]}" if name.startswith(ATTR) else FIELD_NAMES.get(name, name)


def value_text(name: str, value: Any) -> str:
    if name == "price":
        return "—" if value is None else f"{float(value):.2f}"
    text = "—" if value in (None, "") else str(value)
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:39] + "…"


def describe_change(name: str, before: Any, after: Any) -> str:
    """"Price 24.00 → 12.50", "Attribute color added: Blue", "Attribute x removed (was 3)"."""
    label = field_label(name)
    if name.startswith(ATTR) and before is None:
        return f"{label} added: {value_text(name, after)}"
    if name.startswith(ATTR) and after is None:
        return f"{label} removed (was {value_text(name, before)})"
    return f"{label} {value_text(name, before)} → {value_text(name, after)}"


def describe_edit(before: dict, after: dict) -> str:
    renamed = (after or {}).get("~renamed") or {}
    parts = [f"Attribute {old} renamed {new}" for old, new in renamed.items()]
    skip = {ATTR + k for k in renamed} | {ATTR + v for v in renamed.values()}
    parts += [describe_change(k, (before or {}).get(k), v) for k, v in (after or {}).items()
              if not k.startswith("~") and k not in skip]
    return "; ".join(parts)


# --- another catalog's edits -------------------------------------------------------------------------------
def apply_remote_edit(row: db.Correction) -> list[str]:
    """Replay a pulled `edit`: per field, the later edit by server time wins. Returns the fields applied.

    A field whose latest local edit reached the bucket later (or has not reached it yet) keeps its value and
    the pulled edit is recorded as overwritten; a pulled edit that is later wins and the local one is recorded
    as overwritten, unless the pulled edit was made on top of it (its before is the local value)."""
    product = row.product
    if product is None:
        return []
    before, after = row.before or {}, row.after or {}
    applied: list[Change] = []
    for name, value in after.items():
        if name.startswith("~"):
            continue
        owner = _owner(product.id, name, row.uid)
        now = current(product, name)
        if owner is not None and _later(owner, row):
            if value != now:
                _conflict(product, name, winner=owner, loser=row, winner_value=now, loser_value=value)
            continue
        if owner is not None and before.get(name) != now and value != now:
            _conflict(product, name, winner=row, loser=owner, winner_value=value, loser_value=now)
        if now != value:
            applied.append(Change(name, now, value))
    if any(c.field == "sku" for c in applied):
        new = next(c.after for c in applied if c.field == "sku")
        if not new or db.Product.with_deleted().where((db.Product.sku == new) & (db.Product.id != product.id)).exists():
            applied = [c for c in applied if c.field != "sku"]  # this catalog already has that SKU: keep ours
    if applied:
        renamed = {k: v for k, v in (after.get("~renamed") or {}).items()}
        _write(product, applied, renamed)
        _settle(product.id, applied)
    return [c.field for c in applied]


def apply_remote_data(row: db.Correction) -> None:
    """Replay a pulled correction that needs no model: product data and collections (others stay in the log)."""
    if row.kind == EDIT_KIND:
        apply_remote_edit(row)
    elif row.kind.startswith("collection_"):
        from core.collections import apply_remote

        apply_remote(row)


def _settle(product_id: int, applied: Sequence[Change]) -> None:
    """A pulled edit that brings an overwritten value back (another curator restored it) closes its conflict."""
    for change in applied:
        for row in db.EditConflict.select().where((db.EditConflict.product == product_id)
                                                  & (db.EditConflict.field == change.field)
                                                  & db.EditConflict.resolved_at.is_null()):
            if row.loser_value == change.after:
                row.resolved_at = db.utcnow()
                row.save()


_FAR_FUTURE = dt.datetime.max


def _time(row: db.Correction):
    # A local edit not yet in the bucket will get a later server time than anything listed now.
    return row.server_at or _FAR_FUTURE


def _later(a: db.Correction, b: db.Correction) -> bool:
    return (_time(a), a.uid) > (_time(b), b.uid)


def _owner(product_id: int, name: str, exclude_uid: str) -> db.Correction | None:
    """The edit whose value the field holds now: the latest by server time of those not overwritten."""
    lost = {uid for (uid,) in db.EditConflict.select(db.EditConflict.loser_uid)
            .where((db.EditConflict.product == product_id) & (db.EditConflict.field == name)).tuples()}
    best = None
    rows = db.Correction.select().where((db.Correction.product == product_id) & (db.Correction.kind == EDIT_KIND)
                                        & (db.Correction.uid != exclude_uid))
    for r in rows:
        if name in (r.after or {}) and r.uid not in lost and (best is None or _later(r, best)):
            best = r
    return best


def _conflict(product: db.Product, name: str, *, winner: db.Correction, loser: db.Correction,
              winner_value: Any, loser_value: Any) -> None:
    (db.EditConflict.insert(product=product, sku=product.sku, field=name, winner_uid=winner.uid,
                            loser_uid=loser.uid, winner_user=_who(winner), loser_user=_who(loser),
                            winner_value=winner_value, loser_value=loser_value)
     .on_conflict_ignore().execute())


def _who(row: db.Correction) -> str:
    return row.user or "another curator"


# --- conflicts ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConflictRow:
    id: int
    product_id: int | None
    sku: str
    field: str
    winner_user: str
    loser_user: str
    winner_value: Any
    loser_value: Any
    loser_uid: str
    created_at: Any
    resolved: bool

    def describe(self) -> str:
        return (f"{self.sku}: {field_label(self.field)} {value_text(self.field, self.loser_value)} by "
                f"{self.loser_user} overwritten by {self.winner_user} "
                f"({value_text(self.field, self.winner_value)})")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "product_id": self.product_id, "sku": self.sku, "field": self.field,
                "winner_user": self.winner_user, "loser_user": self.loser_user, "winner_value": self.winner_value,
                "loser_value": self.loser_value, "loser_uid": self.loser_uid, "at": str(self.created_at),
                "resolved": self.resolved, "text": self.describe()}


def conflicts(*, include_resolved: bool = False, product_id: int | None = None) -> list[ConflictRow]:
    query = db.EditConflict.select().order_by(db.EditConflict.id.desc())
    if not include_resolved:
        query = query.where(db.EditConflict.resolved_at.is_null())
    if product_id is not None:
        query = query.where(db.EditConflict.product == product_id)
    return [ConflictRow(c.id, c.product_id, c.sku, c.field, c.winner_user, c.loser_user, c.winner_value,
                        c.loser_value, c.loser_uid, c.created_at, c.resolved_at is not None) for c in query]


def restore_conflict(catalog, conflict_id: int, *, user: str | None = None) -> db.Correction | None:
    """One click: the overwritten value comes back as a new edit (which wins once synced); the conflict closes."""
    with catalog.writing():
        row = db.EditConflict.get_by_id(conflict_id)
        if row.product_id is None:
            raise EditError(f"product {row.sku} is no longer in the catalog")
        value = row.loser_value
        name = row.field
        plan = (plan_edit(row.product_id, unsets=[name]) if value is None and name.startswith(ATTR)
                else plan_edit(row.product_id, {name: value}))
        applied = apply_plans([plan], user=user) if plan else []
        resolve_conflict(conflict_id)
    return applied[0] if applied else None


def resolve_conflict(conflict_id: int) -> None:
    """Keep the winning value: the conflict leaves the Conflicts list (History still shows both edits)."""
    db.transaction(lambda: db.EditConflict.update(resolved_at=db.utcnow())
                   .where(db.EditConflict.id == conflict_id).execute())


def overwritten(uid: str) -> list[tuple[str, str]]:
    """(field, winner's user) for each field of this edit that another curator's later edit overwrote."""
    return [(c.field, c.winner_user) for c in db.EditConflict.select().where(db.EditConflict.loser_uid == uid)]
