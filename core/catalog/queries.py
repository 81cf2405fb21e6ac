"""Read-only queries behind every view and the CLI: each lookup written once, returning frozen rows."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.catalog import db

Box = tuple[float, float, float, float]

# The image a product shows: the one holding its primary crop, else its first readable image.
_COVER = ("(SELECT i.sha256 || '|' || i.blob_path FROM image_file i WHERE i.product_id = p.id "
          "AND i.deleted_at IS NULL AND i.status = 'ok' ORDER BY EXISTS(SELECT 1 FROM crop c "
          "WHERE c.image_id = i.id AND c.is_primary = 1 AND c.deleted_at IS NULL AND c.staged_for = '') DESC, "
          "i.position LIMIT 1)")


def _rows(sql: str, params: Iterable[Any] = ()) -> list[tuple]:
    return list(db.database.execute_sql(sql, list(params)))


def close_thread_connection() -> None:
    """Peewee keeps one connection per thread: a pool or model thread closes its own when it is done."""
    if not db.database.is_closed():
        db.database.close()


# --- the catalog grid ---------------------------------------------------------------------------
SORTS = {
    "title": ("Title", "p.title COLLATE NOCASE, p.id"),
    "sku": ("SKU", "p.sku COLLATE NOCASE, p.id"),
    "newest": ("Newest", "p.created_at DESC, p.id DESC"),
    "category": ("Category", "p.category COLLATE NOCASE, p.title COLLATE NOCASE, p.id"),
    "price": ("Price", "p.price IS NULL, p.price, p.title COLLATE NOCASE, p.id"),
    # the newest curator edit of the product's data first; never-edited products after, newest first
    "edited": ("Last edited", "(SELECT MAX(c.created_at) FROM correction c WHERE c.product_id = p.id "
                              "AND c.kind = 'edit') IS NULL, (SELECT MAX(c.created_at) FROM correction c "
                              "WHERE c.product_id = p.id AND c.kind = 'edit') DESC, p.updated_at DESC, p.id"),
}
STATUSES = ("all", "indexed", "imported", "error", "corrected")


@dataclass(frozen=True)
class GridQuery:
    """What the grid shows: a sort key of SORTS, a status of STATUSES, a category prefix, words in title/SKU."""

    sort: str = "title"
    status: str = "all"
    category: str = ""
    text: str = ""
    collection: int = 0  # a collection's id (named or smart): only its products
    by_design: bool = False  # one tile per design (its first product stands for it), but `expanded` designs
    expanded: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort {self.sort!r}: one of {', '.join(SORTS)}")
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}: one of {', '.join(STATUSES)}")

    def where(self) -> tuple[str, list[Any]]:
        clauses, params = self.filters("p")
        if self.by_design:
            inner, inner_params = self.filters("q")
            marks = ",".join("?" * len(self.expanded))
            clauses.append(f"(p.design = ''{f' OR p.design IN ({marks})' if marks else ''} OR p.id = "
                           f"(SELECT MIN(q.id) FROM product q WHERE q.design = p.design AND {' AND '.join(inner)}))")
            params += [*self.expanded, *inner_params]
        return " AND ".join(clauses), params

    def filters(self, alias: str) -> tuple[list[str], list[Any]]:
        a = alias
        clauses, params = [f"{a}.deleted_at IS NULL"], []
        if self.status == "corrected":
            clauses.append(f"{a}.corrected = 1")
        elif self.status != "all":
            clauses.append(f"{a}.status = ?")
            params.append(self.status)
        if self.category:
            clauses.append(f"({a}.category = ? OR {a}.category LIKE ?)")
            params += [self.category, self.category + "/%"]
        if self.text:
            clauses.append(f"({a}.title LIKE ? OR {a}.sku LIKE ?)")
            params += [f"%{self.text}%", f"%{self.text}%"]
        if self.collection:
            from core.collections import member_ids  # collections read search (a layer above queries)

            clauses.append(f"{a}.id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(member_ids(self.collection)))
        return clauses, params


@dataclass(frozen=True)
class ProductTile:
    """One tile of the grid: the product and its cover image (empty when it has no readable image)."""

    id: int
    sku: str
    title: str
    category: str
    status: str
    corrected: bool
    sha256: str = ""
    blob_path: str = ""
    review_state: str = "pending"
    design: str = ""
    variants: int = 1  # grouped by design: how many products the tile stands for
    colours: tuple[str, ...] = ()  # grouped by design: its variants' colours, for the swatches

    @property
    def badges(self) -> tuple[str, ...]:
        """What a tile shows about the product, as keys of BADGES (most important first)."""
        return _badges(self.status, self.corrected, self.review_state)


def _badges(status: str, corrected: bool, review_state: str) -> tuple[str, ...]:
    state = {"indexed": "indexed", "error": "error"}.get(status, "not_indexed")
    review = (review_state,) if review_state in ("approved", "flagged") else ()
    return (state, *(("corrected",) if corrected else ()), *review)


def badges_of(product_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The tile badges of some products (search results), by product id."""
    out: dict[int, tuple[str, ...]] = {}
    for chunk in db.chunked(list(dict.fromkeys(product_ids)), 500):
        sql = (f"SELECT id, status, corrected, review_state FROM product WHERE id IN ({','.join('?' * len(chunk))}) "
               "AND deleted_at IS NULL")
        for pid, status, corrected, review in _rows(sql, chunk):
            out[pid] = _badges(status, bool(corrected), review)
    return out


# A badge's words, for tooltips and the legend.
BADGES = {"indexed": "Indexed: searchable", "not_indexed": "Not indexed yet: not searchable",
          "error": "Indexing failed: see its History", "corrected": "Corrected by a curator",
          "approved": "Approved in review", "flagged": "Flagged for another look"}


def count_products(query: GridQuery = GridQuery()) -> int:
    where, params = query.where()
    return _rows(f"SELECT COUNT(*) FROM product p WHERE {where}", params)[0][0]


def product_page(query: GridQuery, offset: int, limit: int) -> list[ProductTile]:
    where, params = query.where()
    sql = (f"SELECT p.id, p.sku, p.title, p.category, p.status, p.corrected, p.review_state, {_COVER}, p.design "
           f"FROM product p WHERE {where} ORDER BY {SORTS[query.sort][1]} LIMIT ? OFFSET ?")
    tiles = []
    for pid, sku, title, category, status, corrected, review, cover, design in _rows(sql, [*params, limit, offset]):
        sha, _, blob = (cover or "").partition("|")
        tiles.append(ProductTile(pid, sku, title or sku, category, status, bool(corrected), sha, blob, review,
                                 design or ""))
    if query.by_design:
        tiles = _with_variants(query, tiles)
    return tiles


_COLOUR_KEYS = ("color", "colour", "Color", "Colour")


def _with_variants(query: GridQuery, tiles: list[ProductTile]) -> list[ProductTile]:
    """Design tiles with how many products they stand for and their colours (filters apply to both)."""
    import dataclasses

    folded = sorted({t.design for t in tiles if t.design and t.design not in query.expanded})
    if not folded:
        return tiles
    inner, params = query.filters("q")
    members: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for chunk in db.chunked(folded, 400):
        sql = (f"SELECT q.design, q.attributes FROM product q WHERE q.design IN ({','.join('?' * len(chunk))}) "
               f"AND {' AND '.join(inner)} ORDER BY q.id")
        for design, attributes in _rows(sql, [*chunk, *params]):
            counts[design] = counts.get(design, 0) + 1
            try:
                attrs = json.loads(attributes or "{}")
            except ValueError:
                attrs = {}
            colour = next((attrs[k].strip() for k in _COLOUR_KEYS if isinstance(attrs.get(k), str)
                           and attrs[k].strip()), "")
            if colour and colour not in members.setdefault(design, []):
                members[design].append(colour)
    return [dataclasses.replace(t, variants=counts.get(t.design, 1), colours=tuple(members.get(t.design, ())))
            if t.design in counts else t for t in tiles]


def top_categories(limit: int = 12) -> list[str]:
    """Top-level categories present (the part before the first '/'), for the grid's chips."""
    sql = ("SELECT DISTINCT CASE WHEN instr(category, '/') > 0 THEN substr(category, 1, instr(category, '/') - 1) "
           "ELSE category END FROM product WHERE deleted_at IS NULL AND category != '' ORDER BY 1 LIMIT ?")
    return [r[0] for r in _rows(sql, [limit])]


# --- covers and primary crops -------------------------------------------------------------------
@dataclass(frozen=True)
class Cover:
    sha256: str
    blob_path: str


def covers(product_ids: Iterable[int]) -> dict[int, Cover]:
    """The cover image of each product (see _COVER); products without a readable image are left out."""
    out: dict[int, Cover] = {}
    for chunk in db.chunked(list(dict.fromkeys(product_ids)), 500):
        marks = ",".join("?" * len(chunk))
        for pid, cover in _rows(f"SELECT p.id, {_COVER} FROM product p WHERE p.id IN ({marks})", chunk):
            if cover:
                sha, _, blob = cover.partition("|")
                out[pid] = Cover(sha, blob)
    return out


@dataclass(frozen=True)
class PrimaryCrop:
    crop_id: int
    image_id: int
    box: Box
    sha256: str
    blob_path: str
    width: int
    height: int
    original_name: str


def primary_crops(product_ids: Iterable[int]) -> dict[int, PrimaryCrop]:
    """Each product's primary crop with its image; products without one (not indexed, all rejected) are left out."""
    out: dict[int, PrimaryCrop] = {}
    for chunk in db.chunked(list(dict.fromkeys(product_ids)), 500):
        sql = ("SELECT i.product_id, c.id, i.id, c.x0, c.y0, c.x1, c.y1, i.sha256, i.blob_path, i.width, i.height, "
               "i.original_name FROM crop c JOIN image_file i ON i.id = c.image_id "
               f"WHERE i.product_id IN ({','.join('?' * len(chunk))}) AND c.is_primary = 1 "
               "AND c.deleted_at IS NULL AND c.staged_for = '' AND i.deleted_at IS NULL ORDER BY c.id DESC")
        for pid, cid, iid, x0, y0, x1, y1, sha, blob, w, h, name in _rows(sql, chunk):
            out[pid] = PrimaryCrop(cid, iid, (x0, y0, x1, y1), sha, blob, w, h, name)  # the lowest id wins
    return out


def primary_crop(product_id: int) -> PrimaryCrop | None:
    return primary_crops([product_id]).get(product_id)


def crop_is_primary(crop_id: int) -> bool:
    rows = _rows("SELECT is_primary FROM crop WHERE id = ? AND deleted_at IS NULL AND staged_for = ''", [crop_id])
    if not rows:
        raise KeyError(f"no crop {crop_id}")
    return bool(rows[0][0])


# --- product detail -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ImageRow:
    id: int
    sha256: str
    blob_path: str
    original_name: str
    position: int
    width: int
    height: int
    format: str
    status: str
    error: str

    @property
    def readable(self) -> bool:
        return self.status == "ok" and bool(self.blob_path)


_IMAGE_COLUMNS = "id, sha256, blob_path, original_name, position, width, height, format, status, error"


def image(image_id: int) -> ImageRow | None:
    rows = _rows(f"SELECT {_IMAGE_COLUMNS} FROM image_file WHERE id = ? AND deleted_at IS NULL", [image_id])
    return ImageRow(*rows[0]) if rows else None


def images_of(product_id: int) -> list[ImageRow]:
    return [ImageRow(*r) for r in _rows(f"SELECT {_IMAGE_COLUMNS} FROM image_file WHERE product_id = ? "
                                        "AND deleted_at IS NULL ORDER BY position, id", [product_id])]


@dataclass(frozen=True)
class CropRow:
    """A crop as the views draw it: `kind` is primary, rejected or accepted; `label` the caption."""

    id: int
    image_id: int
    box: Box
    kind: str
    label: str
    source: str
    verdict: str
    reason: str
    is_primary: bool


# How a box came about, in words: what it shows, not the method's name ("foreground", "full").
CROP_NAMES = {"foreground": "the product", "trained": "the product", "detector": "the product",
              "proposal": "maybe a product", "full": "whole photo", "manual": "your box"}


def crop_name(source: str, detector_class: str = "") -> str:
    """What a crop shows: the detector's class when it named one ("backpack"), else from how it was found."""
    if detector_class and detector_class not in ("product", "object"):
        return detector_class
    return CROP_NAMES.get(source, "the product")


def crops_of_image(image_id: int) -> list[CropRow]:
    rows = _rows("SELECT id, x0, y0, x1, y1, source, detector_class, verdict, reason, is_primary FROM crop "
                 "WHERE image_id = ? AND deleted_at IS NULL AND staged_for = '' ORDER BY id", [image_id])
    out = []
    for cid, x0, y0, x1, y1, source, detector_class, verdict, reason, is_primary in rows:
        what = crop_name(source, detector_class)
        if is_primary:
            kind, label = "primary", f"main view: {what}"
        elif verdict == "rejected":
            kind, label = "rejected", f"set aside: {reason}" if reason else "set aside"
        else:
            kind, label = "accepted", what
        out.append(CropRow(cid, image_id, (x0, y0, x1, y1), kind, label, source, verdict, reason, bool(is_primary)))
    return out


@dataclass(frozen=True)
class LabelRow:
    id: int
    vocabulary: str
    value: str
    score: float
    source: str
    confirmed: bool
    crop_id: int | None


def labels(product_id: int | None = None, *, crop_id: int | None = None, product_level: bool = False
           ) -> list[LabelRow]:
    """A product's labels (all, or only those on the product itself), or one crop's; best first per vocabulary."""
    if crop_id is not None:
        where, params = "crop_id = ?", [crop_id]
    elif product_id is not None:
        where, params = "product_id = ?" + (" AND crop_id IS NULL" if product_level else ""), [product_id]
    else:
        raise ValueError("labels() needs a product_id or a crop_id")
    rows = _rows("SELECT id, vocabulary, value, score, source, confirmed, crop_id FROM label "
                 f"WHERE {where} AND deleted_at IS NULL AND staged_for = '' ORDER BY vocabulary, score DESC", params)
    return [LabelRow(i, v, val, s, src, bool(c), cr) for i, v, val, s, src, c, cr in rows]


def label(label_id: int) -> LabelRow:
    rows = _rows("SELECT id, vocabulary, value, score, source, confirmed, crop_id FROM label WHERE id = ? "
                 "AND deleted_at IS NULL AND staged_for = ''",
                 [label_id])
    if not rows:
        raise KeyError(f"no label {label_id}")
    i, v, val, s, src, c, cr = rows[0]
    return LabelRow(i, v, val, s, src, bool(c), cr)


@dataclass(frozen=True)
class HistoryEvent:
    when: datetime
    what: str
    detail: str  # in a curator's words
    technical: str = ""  # the exact model version and error, for a tooltip
    uid: str = ""  # the correction's, for an edit (undo, restore)
    overwritten: tuple[str, ...] = ()  # fields of this edit another curator's later edit overwrote


_HASH_TAIL = re.compile(r"-[0-9a-f]{8,64}$")


def model_name(model_version: str) -> str:
    """A model version without its weights hash: "efficientnet_lite0-in1k" for the History, not the hex."""
    return _HASH_TAIL.sub("", model_version or "") or "?"


@dataclass(frozen=True)
class ProductInfo:
    id: int
    sku: str
    title: str
    description: str
    category: str
    price: float | None
    status: str
    review_state: str
    source_folder: str
    attributes: dict[str, Any]
    images: tuple[ImageRow, ...]
    primary_image_id: int | None
    design: str = ""  # the design this product is a variant of ("" = a design of its own)

    @property
    def start_row(self) -> int:
        """The image to show first: the one holding the primary crop."""
        return next((n for n, i in enumerate(self.images) if i.id == self.primary_image_id), 0)


def product(product_id: int | None) -> ProductInfo | None:
    if not product_id or product_id < 1:
        return None
    p = db.Product.get_or_none(db.Product.id == product_id)
    if p is None:
        return None
    primary = primary_crop(p.id)
    return ProductInfo(p.id, p.sku, p.title, p.description, p.category, p.price, p.status, p.review_state,
                         p.source_folder, dict(p.attributes or {}), tuple(images_of(p.id)),
                         primary.image_id if primary else None, p.design or "")


@dataclass(frozen=True)
class ProductCard:
    """What a card shows of a product: a few columns and its photo count (duplicates, the review queue)."""

    id: int
    sku: str
    title: str
    category: str
    images: int


def product_cards(product_ids: Iterable[int]) -> dict[int, ProductCard]:
    """Live products' cards in one statement per 500 (queries.product reads a whole product: a few ms each)."""
    out: dict[int, ProductCard] = {}
    for chunk in db.chunked(list(dict.fromkeys(product_ids)), 500):
        marks = ",".join("?" * len(chunk))
        for row in _rows(f"SELECT p.id, p.sku, p.title, p.category, (SELECT COUNT(*) FROM image_file i "
                         f"WHERE i.product_id = p.id AND i.deleted_at IS NULL) FROM product p "
                         f"WHERE p.id IN ({marks}) AND p.deleted_at IS NULL", chunk):
            out[row[0]] = ProductCard(*row)
    return out


def review_state(product_id: int) -> str:
    rows = _rows("SELECT review_state FROM product WHERE id = ? AND deleted_at IS NULL", [product_id])
    if not rows:
        raise KeyError(f"no product {product_id}")
    return rows[0][0]


def history(product_id: int) -> list[HistoryEvent]:
    """Indexing runs and corrections of a product, newest first."""
    events = []
    for r in db.IndexingResult.select().where(db.IndexingResult.product == product_id):
        outcome = {"ok": "done", "error": "failed"}.get(r.status, r.status)
        detail = f"{outcome} with {model_name(r.model_version)} on {r.device or '?'}" + (
            f" · {r.error.splitlines()[0]}" if r.error else "")
        technical = f"{r.status} · {r.model_version} on {r.device or '?'}" + (f"\n{r.error}" if r.error else "")
        events.append(HistoryEvent(r.created_at, "Indexed", detail, technical))
    for c in db.Correction.select().where(db.Correction.product == product_id):
        if c.kind == "edit":
            events.append(_edit_event(c))
            continue
        what, sentence = correction_sentence(c.kind, c.before or {}, c.after or {}, c.user)
        events.append(HistoryEvent(c.created_at, what, sentence,
                                   f"{c.kind}: {_short(c.before)} → {_short(c.after)}"))
    return sorted(events, key=lambda e: e.when, reverse=True)


def edited_fields(product_id: int) -> set[str]:
    """Fields a curator (here or in a synced catalog) has edited ("price", "attributes.color"): a re-import of
    the product's folder leaves them as they are."""
    out: set[str] = set()
    for c in db.Correction.select(db.Correction.after).where((db.Correction.product == product_id)
                                                             & (db.Correction.kind == "edit")):
        out.update(k for k in (c.after or {}) if not k.startswith("~"))
    return out


def _edit_event(c: db.Correction) -> HistoryEvent:
    """An edit in words ("Price 24.00 → 12.50"); one another curator's later edit overwrote says so."""
    from core.edits import describe_edit, field_label, overwritten

    lost = overwritten(c.uid)
    detail = f"{c.user}: {describe_edit(c.before, c.after)}"
    if lost:
        detail += " — " + "; ".join(f"{field_label(f)} overwritten by {who}" for f, who in lost)
    origin = "" if c.origin in ("", "local") else f" (from catalog {c.origin[:8]})"
    return HistoryEvent(c.created_at, "Edited" + origin, detail,
                        f"uid {c.uid}" + (f" · server time {c.server_at:%Y-%m-%d %H:%M:%S}" if c.server_at else ""),
                        uid=c.uid, overwritten=tuple(f for f, _ in lost))


_CORRECTION_TITLES = {"move_box": "Box moved", "new_box": "Box drawn", "delete_crop": "Box removed",
                      "restore_crop": "Box restored", "set_primary": "Main view chosen", "add_label": "Label added",
                      "remove_label": "Label removed", "confirm_label": "Label confirmed", "approve": "Approved",
                      "flag": "Flagged", "reset_review": "Back to review"}


def correction_sentence(kind: str, before: dict, after: dict, user: str = "") -> tuple[str, str]:
    """(title, sentence) for one correction, in a curator's words: "Anna moved the box (now 210 × 340 px)"."""
    who = user or "Someone"
    box = after.get("box") or before.get("box")
    size = f" ({round(box[2] - box[0])} × {round(box[3] - box[1])} px)" if box and len(box) == 4 else ""
    label = after or before
    named = f"{label.get('vocabulary', 'label')}: {label.get('value', '')}".strip()
    sentences = {
        "move_box": f"{who} moved a box{size}" + (" on the main view" if after.get("is_primary") else ""),
        "new_box": f"{who} drew a new box{size}" + (" and made it the main view" if after.get("is_primary") else ""),
        "delete_crop": f"{who} removed a box{size}",
        "restore_crop": f"{who} brought back a box{size}",
        "set_primary": f"{who} chose another box as the product's main view{size}",
        "add_label": f"{who} added the label {named}",
        "remove_label": f"{who} removed the label {named}",
        "confirm_label": f"{who} confirmed the label {named}",
        "approve": f"{who} approved the product",
        "flag": f"{who} flagged the product for another look",
        "reset_review": f"{who} put the product back in the review queue",
    }
    title = _CORRECTION_TITLES.get(kind, kind.replace("_", " ").capitalize())
    return title, sentences.get(kind, f"{who} changed the product ({title.lower()})")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) < 80 else text[:77] + "…"


# --- the review queue ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ReviewRow:
    product_id: int
    sku: str
    title: str
    uncertainty: float
    reasons: tuple[str, ...]
    review_state: str
    margin: float = 1.0  # how far the primary crop's score is ahead of the next box's
    label_conf: float = 1.0  # the best label score
    rejected: int = 0
    outlier: bool = False
    failed: bool = False

    @property
    def doubt(self) -> float:
        """The uncertainty on a 0..1 scale for people (the queue stays ordered by the full score)."""
        return min(1.0, max(0.0, self.uncertainty))

    def why(self) -> str:
        """The reasons in a curator's words, strongest first; never empty."""
        words = []
        if self.failed:
            words.append("Indexing failed")
        if self.outlier:
            words.append("Looks unlike the rest of its category")
        if self.margin < 0.1:
            words.append("Two boxes are nearly tied for the main crop")
        elif self.margin < 0.5:
            words.append("The main crop won by a small margin")
        if self.label_conf < 0.4:
            words.append(f"Labels are a guess (best {self.label_conf:.0%} sure)")
        elif self.label_conf < 0.7:
            words.append(f"Labels are not quite sure (best {self.label_conf:.0%})")
        if self.rejected:
            words.append(f"{self.rejected} box{'es' if self.rejected != 1 else ''} set aside automatically")
        return "; ".join(words) or "Nothing doubtful found"

    def to_dict(self) -> dict[str, Any]:
        return {"product_id": self.product_id, "sku": self.sku, "title": self.title,
                "uncertainty": self.uncertainty, "reasons": list(self.reasons), "review_state": self.review_state}


@dataclass(frozen=True)
class ReviewProgress:
    reviewed: int
    total: int


# Figures per product come from review_stats (kept by triggers, migration 10); SQLite ranks them and
# returns only `limit` rows. Aggregating every crop and label on each read took about a second at 10k.
_UNCERTAINTY = ("(p.status = 'error') * 2.0 + (1.0 - MIN(COALESCE(s.margin, 1.0), 1.0)) "
                "+ (1.0 - COALESCE(s.label_conf, 1.0)) + 0.3 * MIN(COALESCE(s.rejected, 0), 3) "
                "+ (COALESCE(s.outliers, 0) > 0) * 1.0")
# Doubt: the review queue's uncertainty (most doubtful first); products not indexed yet come last.
SORTS["doubt"] = ("Doubt", f"(SELECT {_UNCERTAINTY} FROM review_stats s WHERE s.product_id = p.id) IS NULL, "
                           f"(SELECT {_UNCERTAINTY} FROM review_stats s WHERE s.product_id = p.id) DESC, p.id")
_QUEUE_SQL = (f"SELECT p.id, p.sku, p.title, p.status, p.review_state, s.margin, COALESCE(s.rejected, 0), "
              f"COALESCE(s.outliers, 0), s.label_conf, ROUND({_UNCERTAINTY}, 4) AS u "
              f"FROM product p LEFT JOIN review_stats s ON s.product_id = p.id "
              f"WHERE p.deleted_at IS NULL AND p.status IN ('indexed', 'error') {{pending}} "
              f"ORDER BY u DESC, p.id LIMIT ?")


def review_queue(limit: int = 100, *, include_reviewed: bool = False) -> list[ReviewRow]:
    """Products needing a look, most uncertain first: close primary scores, weak labels, warnings, outliers."""
    sql = _QUEUE_SQL.format(pending="" if include_reviewed else "AND p.review_state = 'pending'")
    rows = []
    for pid, sku, title, status, state, margin, rejected, outliers, label_conf, uncertainty in _rows(sql, [limit]):
        margin = 1.0 if margin is None else float(margin)
        label_conf = 1.0 if label_conf is None else float(label_conf)
        reasons = []
        if status == "error":
            reasons.append("indexing failed")
        if margin < 0.1:
            reasons.append(f"primary crop is a close call (margin {margin:.2f})")
        if label_conf < 0.4:
            reasons.append(f"low label confidence ({label_conf:.2f})")
        if rejected:
            reasons.append(f"{rejected} rejected crop(s)")
        if outliers:
            reasons.append("embedding outlier")
        rows.append(ReviewRow(pid, sku, title, float(uncertainty), tuple(reasons), state, margin, label_conf,
                              int(rejected or 0), bool(outliers), status == "error"))
    return rows


_WINS = {"consistency": "looks more like the product's other photos", "size": "is larger",
         "first_image": "is on the first photo", "detection_confidence": "the detector is surer of it",
         "text": "fits the product's title better"}


def review_details(product_ids: Iterable[int]) -> dict[int, list[str]]:
    """What sets each product's doubt apart, in words: which two boxes compete for the main crop (on which photos,
    at what score, and what the runner-up has going for it) and which labels are guesses. The queue's reasons
    say what kind of doubt it is; these say what to look at in this product."""
    ids = list(dict.fromkeys(product_ids))
    out: dict[int, list[str]] = {pid: [] for pid in ids}
    crops: dict[int, list[tuple]] = {}
    sure: set[tuple[int, str]] = set()
    for chunk in db.chunked(ids, 500):
        marks = ",".join("?" * len(chunk))
        for row in _rows(f"SELECT i.product_id, i.id, i.position, c.id, c.is_primary, c.primary_score, c.score_parts "
                         f"FROM crop c JOIN image_file i ON i.id = c.image_id WHERE i.product_id IN ({marks}) "
                         f"AND c.deleted_at IS NULL AND i.deleted_at IS NULL AND c.verdict = 'accepted' "
                         f"AND c.staged_for = '' ORDER BY i.product_id, i.position, i.id, c.id", chunk):
            crops.setdefault(row[0], []).append(row[1:])
        for pid, vocabulary, value, score in _rows(
                f"SELECT product_id, vocabulary, value, score FROM label WHERE product_id IN ({marks}) "
                f"AND deleted_at IS NULL AND confirmed = 0 AND source != 'curator' ORDER BY product_id, vocabulary, "
                f"score DESC", chunk):
            said = out.setdefault(pid, [])
            at = next((n for n, x in enumerate(said) if x.startswith(f"{vocabulary}: ")), None)
            if at is None and (pid, vocabulary) not in sure:
                if score is None or score >= 0.7:  # its best value is sure enough: not a guess
                    sure.add((pid, vocabulary))
                else:
                    said.append(f"{vocabulary}: {value} {score:.0%}?")
            elif at is not None and said[at].count("%") < 2 and score is not None:
                said[at] = said[at][:-1] + f" or {value} {score:.0%}?"
    for pid, rows in crops.items():
        photos = {image_id: n for n, image_id in enumerate(dict.fromkeys(r[0] for r in rows), 1)}
        primary = next((r for r in rows if r[3]), None)
        others = sorted((r for r in rows if not r[3] and r[4] is not None), key=lambda r: -r[4])
        if primary is None or not others or primary[4] is None:
            continue
        runner = others[0]
        where = (f"photo {photos[primary[0]]} ({primary[4]:.0%}) against photo {photos[runner[0]]} "
                 f"({runner[4]:.0%})" if runner[0] != primary[0] else
                 f"two boxes on photo {photos[primary[0]]} ({primary[4]:.0%} against {runner[4]:.0%})")
        mine, theirs = _parts(primary[5]), _parts(runner[5])
        edge = max(((k, theirs[k] - mine.get(k, 0.0)) for k in theirs if k in _WINS), key=lambda t: t[1],
                   default=(None, 0.0))
        words = f"Main crop: {where}"
        if edge[0] is not None and edge[1] > 0.02:
            words += f"; the other {_WINS[edge[0]]}"
        out[pid].insert(0, words)
    return out


def _parts(value: Any) -> dict[str, float]:
    try:
        parts = json.loads(value) if isinstance(value, str) else dict(value or {})
    except (TypeError, ValueError):
        return {}
    return {k: float(v) for k, v in parts.items() if isinstance(v, (int, float))}


def review_progress() -> ReviewProgress:
    total, reviewed = _rows("SELECT SUM(status IN ('indexed', 'error')), SUM(review_state != 'pending') "
                            "FROM product WHERE deleted_at IS NULL")[0]
    return ReviewProgress(int(reviewed or 0), int(total or 0))


FILTER_KEYS = ("category", "label", "price", "corrected", "status", "review")  # core.search.filters


def filter_keys() -> list[str]:
    """Every key a search filter understands here: the built-in ones and each product attribute's name
    (with colour/color as one), so a misspelt key can be named instead of matching nothing."""
    rows = _rows("SELECT DISTINCT lower(j.key) FROM product p, json_each(CASE WHEN json_valid(p.attributes) "
                 "THEN p.attributes ELSE '{}' END) j WHERE p.deleted_at IS NULL")
    keys = {k for (k,) in rows if k}
    if keys & {"color", "colour"}:
        keys |= {"color", "colour"}
    return [*FILTER_KEYS, *sorted(keys - set(FILTER_KEYS))]


# --- filter values with counts (the search filter's autocomplete) ---------------------------------
_ATTRS = "json_each(CASE WHEN json_valid(p.attributes) THEN p.attributes ELSE '{}' END)"


def filter_values(limit: int = 50) -> dict[str, list[tuple[str, int]]]:
    """Every filter key → its values with how many live products have each, most common first (at most
    `limit` per key): what FiftyOne's sidebar shows, for the search filter's autocomplete. Categories
    count their sub-categories too (a category filter matches the whole branch); colour/color are one."""
    live = "p.deleted_at IS NULL"
    out: dict[str, dict[str, int]] = {}

    def add(key: str, value: Any, count: int) -> None:
        text = str(value).strip()
        if text:
            bucket = out.setdefault(key, {})
            bucket[text] = bucket.get(text, 0) + int(count)

    for category, n in _rows(f"SELECT category, COUNT(*) FROM product p WHERE {live} AND category != '' "
                             "GROUP BY category"):
        parts = [s for s in category.split("/") if s]
        for depth in range(1, len(parts) + 1):
            add("category", "/".join(parts[:depth]), n)
    for status, n in _rows(f"SELECT status, COUNT(*) FROM product p WHERE {live} GROUP BY status"):
        add("status", status, n)
    for state, n in _rows(f"SELECT review_state, COUNT(*) FROM product p WHERE {live} GROUP BY review_state"):
        add("review", state, n)
    for corrected, n in _rows(f"SELECT corrected, COUNT(*) FROM product p WHERE {live} GROUP BY corrected"):
        add("corrected", "yes" if corrected else "no", n)
    for value, n in _rows("SELECT l.vocabulary || ':' || l.value, COUNT(DISTINCT l.product_id) FROM label l "
                          "JOIN product p ON p.id = l.product_id WHERE l.deleted_at IS NULL AND l.staged_for = '' "
                          f"AND {live} GROUP BY 1"):
        add("label", value, n)
    # One pass over the attributes; a list value comes back as its JSON text, grouped, and is split here
    # (one json_each per list in SQL took as long again at 10k products).
    for key, kind, value, n in _rows(f"SELECT lower(a.key), a.type, a.value, COUNT(*) FROM product p, {_ATTRS} a "
                                     f"WHERE {live} AND a.type IN ('text', 'integer', 'real', 'array') "
                                     "GROUP BY 1, 2, 3"):
        if not key or key in FILTER_KEYS:
            continue
        if kind != "array":
            add(key, value, n)
            continue
        try:
            items = json.loads(value)
        except ValueError:
            continue
        for item in dict.fromkeys(str(v) for v in items if isinstance(v, str | int | float)):
            add(key, item, n)
    if "color" in out or "colour" in out:  # one attribute under two spellings
        merged = dict(out.get("color", {}))
        for value, n in out.get("colour", {}).items():
            merged[value] = merged.get(value, 0) + n
        out["color"], out["colour"] = merged, dict(merged)
    return {key: sorted(values.items(), key=lambda kv: (-kv[1], kv[0].lower()))[:limit]
            for key, values in out.items()}
