"""Search filters: parse `key=value` strings or a dict, and turn them into the set of allowed product ids.

Keys (AND across keys, OR among repeated values of one key):

- ``category=Gear/Bags``   path prefix on "A/B/C", by whole segments, case-insensitive
                           (matches "Gear/Bags" and "Gear/Bags/Duffel", not "Gear/Bagsy").
- ``label=colours:blue``   a live Label row with that vocabulary and value (``label=blue``: any vocabulary).
- ``price=10..50``         inclusive range; ``10..``, ``..50`` and ``20`` (exactly) also work.
- ``corrected=yes``        the product has (yes) or has not (no) been corrected by a curator.
- ``status=indexed``, ``review=approved``  Product.status and Product.review_state, exact.
- anything else is an attribute of Product.attributes: ``color=Blue`` is a case-insensitive substring
  match on the attribute's value (lists match when any element does), ``color==Blue`` an exact
  (case-insensitive) match. ``colour`` and ``color`` name the same attribute.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from core.catalog import db

ATTRIBUTE_ALIASES = {"colour": ("colour", "color"), "color": ("color", "colour")}
_TRUE = {"yes", "y", "true", "1", "on"}
_FALSE = {"no", "n", "false", "0", "off"}


class FilterError(ValueError):
    """A filter a curator typed that cannot be understood; the message says why."""


@dataclass
class AttributeFilter:
    key: str
    value: str
    exact: bool = False


@dataclass
class Filters:
    categories: list[str] = field(default_factory=list)
    labels: list[tuple[str, str]] = field(default_factory=list)  # (vocabulary or "", value)
    attributes: list[AttributeFilter] = field(default_factory=list)
    price_min: float | None = None
    price_max: float | None = None
    corrected: bool | None = None
    status: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.categories or self.labels or self.attributes or self.status or self.review
                    or self.price_min is not None or self.price_max is not None or self.corrected is not None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON form that parse_filters reads back (stored with each QueryResult)."""
        out: dict[str, Any] = {}
        if self.categories:
            out["category"] = list(self.categories)
        if self.labels:
            out["label"] = [f"{v}:{x}" if v else x for v, x in self.labels]
        for a in self.attributes:
            out.setdefault(a.key, []).append(("=" if a.exact else "") + a.value)
        if self.price_min is not None or self.price_max is not None:
            lo = "" if self.price_min is None else _num(self.price_min)
            hi = "" if self.price_max is None else _num(self.price_max)
            out["price"] = f"{lo}..{hi}"
        if self.corrected is not None:
            out["corrected"] = "yes" if self.corrected else "no"
        if self.status:
            out["status"] = list(self.status)
        if self.review:
            out["review"] = list(self.review)
        return out

    def label_values(self) -> set[str]:
        return {value.lower() for _, value in self.labels}

    def product_ids(self) -> list[int] | None:
        """Live products that pass every filter; None when there is no filter (everything passes)."""
        if not self:
            return None
        query = db.Product.select(db.Product.id).where(*self._conditions())
        return [row[0] for row in query.tuples()]

    def matches(self, product_ids: list[int]) -> set[int]:
        """Which of these products pass (used to check results, and by tests)."""
        if not product_ids:
            return set()
        query = db.Product.select(db.Product.id).where(db.Product.id.in_(product_ids), *self._conditions())
        return {row[0] for row in query.tuples()}

    def _conditions(self) -> list[pw.Expression]:
        P = db.Product
        conds: list[pw.Expression] = []
        if self.categories:
            conds.append(_any([_category_condition(c) for c in self.categories]))
        if self.price_min is not None:
            conds.append(P.price >= self.price_min)
        if self.price_max is not None:
            conds.append(P.price <= self.price_max)
        if self.corrected is not None:
            conds.append(P.corrected == self.corrected)
        if self.status:
            conds.append(P.status.in_(self.status))
        if self.review:
            conds.append(P.review_state.in_(self.review))
        by_key: dict[str, list[AttributeFilter]] = {}
        for a in self.attributes:
            by_key.setdefault(a.key.lower(), []).append(a)
        for group in by_key.values():
            conds.append(_any([_attribute_condition(a) for a in group]))
        if self.labels:
            conds.append(P.id.in_(_label_subquery(self.labels)))
        return conds


def parse_filters(spec: Filters | dict | list | tuple | str | None) -> Filters:
    """Filters from CLI strings (`["category=Gear/Bags", "price=10..50"]`), one string, or a dict."""
    if isinstance(spec, Filters):
        return spec
    if spec is None or spec == "" or spec == {} or spec == []:
        return Filters()
    pairs: list[tuple[str, Any]] = []
    if isinstance(spec, str):
        spec = [spec]
    if isinstance(spec, dict):
        for key, value in spec.items():
            values = value if isinstance(value, list | tuple | set) and key != "price" else [value]
            if key == "price" and isinstance(value, list | tuple):
                values = [value]
            pairs.extend((str(key), v) for v in values)
    else:
        for item in spec:
            text = str(item)
            if "=" not in text:
                raise FilterError(f"filter {text!r} should look like key=value, e.g. category=Gear/Bags")
            key, value = text.split("=", 1)
            pairs.append((key, value))
    filters = Filters()
    for key, value in pairs:
        _apply(filters, key.strip(), value)
    return filters


def _apply(filters: Filters, key: str, value: Any) -> None:
    name = key.lower()
    if not name:
        raise FilterError("a filter needs a name before '='")
    if name in ("category", "cat"):
        path = str(value).strip().strip("/")
        if path:
            filters.categories.append(path)
    elif name in ("label", "labels"):
        text = str(value).strip()
        vocab, _, val = text.rpartition(":")
        if not val:
            raise FilterError(f"label filter {text!r} needs a value, e.g. label=colours:blue")
        filters.labels.append((vocab.strip(), val.strip()))
    elif name == "price":
        filters.price_min, filters.price_max = _price_range(value)
    elif name == "corrected":
        filters.corrected = _boolean(value, name)
    elif name == "status":
        filters.status.append(str(value).strip())
    elif name in ("review", "review_state"):
        filters.review.append(str(value).strip())
    else:
        text = str(value)
        exact = text.startswith("=")  # key==value arrives here as value "=value"
        text = text[1:] if exact else text
        if not text.strip():
            raise FilterError(f"attribute filter {key!r} needs a value")
        filters.attributes.append(AttributeFilter(key=key, value=text.strip(), exact=exact))


def _price_range(value: Any) -> tuple[float | None, float | None]:
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise FilterError("price range needs two numbers: [min, max]")
        lo, hi = (None if v is None or v == "" else _float(v) for v in value)
    else:
        text = str(value).strip()
        if ".." in text:
            a, b = text.split("..", 1)
            lo = _float(a) if a.strip() else None
            hi = _float(b) if b.strip() else None
        else:
            lo = hi = _float(text)
    if lo is not None and hi is not None and lo > hi:
        raise FilterError(f"price range {lo}..{hi} is empty: the minimum is above the maximum")
    return lo, hi


def _float(text: Any) -> float:
    try:
        number = float(str(text).strip())
    except ValueError:
        raise FilterError(f"price {text!r} is not a number (use price=10..50)") from None
    if not math.isfinite(number):
        raise FilterError(f"price {text!r} is not a finite number")
    return number


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _boolean(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FilterError(f"{name}={value!r}: use yes or no")


def _any(conds: list[pw.Expression]) -> pw.Expression:
    out = conds[0]
    for c in conds[1:]:
        out = out | c
    return out


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(lhs: pw.Node, pattern: str) -> pw.Node:
    # Spelled out: peewee turns "LIKE" into GLOB on SQLite. LIKE is case-insensitive for ASCII.
    return pw.NodeList((lhs, pw.SQL("LIKE"), pw.Value(pattern), pw.SQL("ESCAPE '\\'")))


def _category_condition(path: str) -> pw.Expression:
    cat = pw.fn.LOWER(pw.fn.TRIM(db.Product.category, "/"))
    lowered = path.lower()
    return (cat == lowered) | _like(cat, _like_escape(lowered) + "/%")


def _json_path(key: str) -> str:
    return '$."' + key.replace('"', '\\"') + '"'


def _attribute_condition(a: AttributeFilter) -> pw.Expression:
    keys = ATTRIBUTE_ALIASES.get(a.key.lower(), (a.key,))
    conds = []
    for key in keys:
        path = _json_path(key)
        value = pw.fn.LOWER(pw.fn.json_extract(db.Product.attributes, path))
        if a.exact:
            # A scalar equal to the value, or a JSON list holding it.
            scalar = (value == a.value.lower()) & (pw.fn.json_type(db.Product.attributes, path) != "array")
            in_list = pw.NodeList((
                pw.SQL("EXISTS (SELECT 1 FROM json_each("), db.Product.attributes,
                pw.SQL(", ?) WHERE json_each.type = 'text' AND LOWER(json_each.value) = ?)",
                       (path, a.value.lower()))))
            conds.append(scalar | in_list)
        else:
            conds.append(_like(value, "%" + _like_escape(a.value.lower()) + "%"))
    return _any(conds)


def _label_subquery(labels: list[tuple[str, str]]) -> pw.ModelSelect:
    L = db.Label
    conds = []
    for vocab, value in labels:
        c = pw.fn.LOWER(L.value) == value.lower()
        if vocab:
            c = c & (pw.fn.LOWER(L.vocabulary) == vocab.lower())
        conds.append(c)
    return L.select(L.product).where(_any(conds))
