"""Acting on duplicate groups: trash the copies, merge them into the one kept, or mark a group as not duplicates.

Every action returns a plain record that its undo takes back, so the app's undo stack can reverse it. Trash is
the catalog's soft delete (restorable until retention ends). Merge moves the copies' photos that the kept product
lacks (by sha256) onto it, with their crops (none of them primary: the kept product's primary stays) and copies
the curator's own labels over, then trashes the copies. "Not duplicates" is a curator decision kept in the audit
log (its latest word per group wins), so the group stops being offered without a schema change.
Colour variants are never merged: they are different products (one garment in two colours).
"""

from __future__ import annotations

import contextlib
from typing import Any

from core.catalog import db
from core.catalog.retention import delete_products, restore_products

DISMISS, UNDISMISS = "not_duplicates", "duplicates_again"


class MergeRefused(ValueError):
    """A merge that would lose information (colour variants); the message says why."""


def _refuse_variants(keep: int, others: list[int]) -> None:
    from core.ops.designs import one_design

    if one_design([keep, *others]):
        raise MergeRefused("These products are variants of one design (the same garment in other colours or "
                           "sizes), not duplicates: nothing is trashed or merged.")


def trash(catalog, keep: int, others: list[int]) -> dict[str, Any]:
    """Soft-delete every product of the group but `keep` (never the variants of one design)."""
    others = [p for p in others if p != keep]
    _refuse_variants(keep, others)
    delete_products(others, catalog)
    return {"action": "trash", "keep": keep, "others": others}


def merge(catalog, keep: int, others: list[int], kind: str = "near") -> dict[str, Any]:
    """Move the copies' new photos and the curator's labels onto `keep`, then trash the copies."""
    if kind == "variant":
        raise MergeRefused("Colour variants are different products (the same garment in another colour): "
                           "merging would lose a colour. Keep both, or trash one if it was imported by mistake.")
    others = [p for p in others if p != keep]
    _refuse_variants(keep, others)

    def _do() -> dict[str, Any]:
        have = {sha for (sha,) in db.ImageFile.select(db.ImageFile.sha256)
                .where(db.ImageFile.product == keep).tuples()}
        position = (db.ImageFile.select(db.pw.fn.MAX(db.ImageFile.position))
                    .where(db.ImageFile.product == keep).scalar() or 0)
        moved, unprimaried = [], []
        for im in (db.ImageFile.select().where(db.ImageFile.product.in_(others) & (db.ImageFile.status == "ok"))
                   .order_by(db.ImageFile.product, db.ImageFile.position)):
            if im.sha256 in have:
                continue
            have.add(im.sha256)
            position += 1
            moved.append({"image": im.id, "product": im.product_id, "position": im.position})
            db.ImageFile.update(product=keep, position=position).where(db.ImageFile.id == im.id).execute()
            primaries = [c.id for c in db.Crop.select(db.Crop.id).where(
                (db.Crop.image == im.id) & (db.Crop.is_primary == True))]  # noqa: E712
            if primaries:
                db.Crop.update(is_primary=False).where(db.Crop.id.in_(primaries)).execute()
                unprimaried += primaries
        kept_labels = {(lb.vocabulary, lb.value) for lb in db.Label.select().where(db.Label.product == keep)}
        added = []
        for lb in db.Label.select().where(db.Label.product.in_(others) & (
                (db.Label.source == "curator") | (db.Label.confirmed == True))):  # noqa: E712
            if (lb.vocabulary, lb.value) in kept_labels:
                continue
            kept_labels.add((lb.vocabulary, lb.value))
            added.append(db.Label.create(product=keep, vocabulary=lb.vocabulary, value=lb.value, score=lb.score,
                                         source=lb.source, confirmed=lb.confirmed,
                                         model_version=lb.model_version).id)
        db.audit("merge", str(keep), others=others, images=[m["image"] for m in moved], labels=added)
        return {"moved": moved, "unprimaried": unprimaried, "labels": added}

    with catalog.writing() if catalog is not None else contextlib.nullcontext():
        done = db.transaction(_do)
        if catalog is not None:  # the moved photos' crops are the kept product's views now
            from core.catalog.crop_index import sync_products

            sync_products(catalog, [keep])
    delete_products(others, catalog)
    return {"action": "merge", "keep": keep, "others": others, **done}


def dismiss(product_ids: list[int]) -> dict[str, Any]:
    """The curator says these products are not duplicates: the group is no longer offered."""
    ids = sorted(set(product_ids))
    db.transaction(lambda: db.audit(DISMISS, "products", ids=ids))
    return {"action": "dismiss", "ids": ids}


def undo(catalog, record: dict[str, Any]) -> None:
    """Take back what trash, merge or dismiss did."""
    action = record["action"]
    if action == "dismiss":
        db.transaction(lambda: db.audit(UNDISMISS, "products", ids=record["ids"]))
        return
    if action == "trash":
        restore_products(record["others"], catalog)
        return

    def _do() -> None:
        for m in record["moved"]:
            db.ImageFile.update(product=m["product"], position=m["position"]).where(
                db.ImageFile.id == m["image"]).execute()
        if record["unprimaried"]:
            db.Crop.update(is_primary=True).where(db.Crop.id.in_(record["unprimaried"])).execute()
        if record["labels"]:
            db.Label.delete().where(db.Label.id.in_(record["labels"])).execute()
        db.audit("unmerge", str(record["keep"]), others=record["others"])

    with catalog.writing() if catalog is not None else contextlib.nullcontext():
        db.transaction(_do)
    # Last: the copies' vectors come back from their primary crops, which are theirs again only now.
    restore_products(record["others"], catalog)


def dismissed_sets() -> list[frozenset[int]]:
    """Groups the curator said are not duplicates (the latest word for each set of products wins)."""
    state: dict[frozenset[int], bool] = {}
    for action, details in (db.AuditLog.select(db.AuditLog.action, db.AuditLog.details)
                            .where(db.AuditLog.action.in_([DISMISS, UNDISMISS])).order_by(db.AuditLog.id).tuples()):
        ids = frozenset(int(i) for i in (details or {}).get("ids", []))
        state[ids] = action == DISMISS
    return [ids for ids, on in state.items() if on]


def groups_to_review(catalog, threshold: float | None = None, **kwargs: Any) -> list:
    """find_duplicates' groups (candidates from the catalog's weak-match floor unless a threshold is given),
    less those the curator dismissed (a group inside a dismissed set)."""
    from core.search.duplicates import find_duplicates

    dismissed = dismissed_sets()
    return [g for g in find_duplicates(catalog, threshold=threshold, **kwargs)
            if not any(set(g.product_ids) <= d for d in dismissed)]
