"""Lexical text search: BM25 over the product_fts index (migration 9), exact SKUs first, no model needed.

A query's words are ANDed first (every word must match), then ORed to fill the list: a product
that holds all the words ranks above one that holds some, whatever BM25 says about the latter.
The last word is a prefix, so a curator typing "duff" already finds the duffle bags.
Column weights say how much a word means where it is found: the SKU and title name the product, the
category and attributes describe it, a long description mentions many things in passing. They were set
from that reading, not fitted to any evaluation set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import peewee as pw

from core.catalog import db

COLUMNS = ("sku", "title", "description", "category", "attributes", "labels")
WEIGHTS = (4.0, 4.0, 1.0, 3.0, 2.0, 2.0)  # in COLUMNS order
_WORD = re.compile(r"\w+", re.UNICODE)
_OPEN, _CLOSE = "\x01", "\x02"  # highlight marks no product text contains


@dataclass
class LexicalHit:
    product_id: int
    score: float  # BM25, larger is better
    sku_exact: bool = False
    all_words: bool = True  # matched every query word (the AND pass)
    fields: dict[str, list[str]] = field(default_factory=dict)  # column -> the words that matched there


def words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").lower())


def match_expression(tokens: list[str], *, every: bool, prefix_last: bool = True) -> str:
    parts = ['"' + t.replace('"', '""') + '"' for t in tokens]
    if prefix_last and parts:
        parts[-1] += "*"
    return (" AND " if every else " OR ").join(parts)


def search(text: str | None, limit: int, allowed: Iterable[int] | None = None, *, fields: bool = True
           ) -> list[LexicalHit]:
    """Products whose words match `text`, best first; `allowed` restricts to those product ids. `fields=False`
    leaves LexicalHit.fields empty: a search fills them with `add_fields` for the results it shows only
    (FTS5's highlight() is the costly part, and ~100 candidates are ranked for 10-20 shown)."""
    tokens = words(text)
    if not tokens or limit <= 0:
        return []
    allow = None if allowed is None else set(allowed)
    hits: list[LexicalHit] = []
    seen: set[int] = set()
    exact = (db.Product.select(db.Product.id).where(pw.fn.lower(db.Product.sku) == text.strip().lower())
             .tuples().first())
    if exact and (allow is None or exact[0] in allow):
        hits.append(LexicalHit(exact[0], float("inf"), sku_exact=True))
        seen.add(exact[0])
    for every in ((True, False) if len(tokens) > 1 else (True,)):
        # Without a filter only the best `limit` can be kept: SQLite stops there instead of ranking every
        # product that holds a common word (a third of the catalog for "blue").
        cap = None if allow is not None else limit + len(seen)
        for pid, score in _match(match_expression(tokens, every=every), cap):
            if pid in seen or (allow is not None and pid not in allow):
                continue
            seen.add(pid)
            hits.append(LexicalHit(pid, score, all_words=every))
        if len(hits) >= limit:
            break
    hits = hits[:limit]
    if fields:
        add_fields(text, hits)
    return hits


def add_fields(text: str | None, hits: list[LexicalHit]) -> None:
    """Fill in which columns matched on which words, for these hits of the query `text`."""
    tokens = words(text)
    if tokens and hits:
        _add_fields(hits, match_expression(tokens, every=False))


def _match(expression: str, limit: int | None = None) -> list[tuple[int, float]]:
    weights = ", ".join(str(w) for w in WEIGHTS)
    cursor = db.database.execute_sql(
        f"SELECT rowid, -bm25(product_fts, {weights}) FROM product_fts WHERE product_fts MATCH ? "
        "ORDER BY bm25(product_fts, " + weights + "), rowid" + ("" if limit is None else " LIMIT ?"),
        (expression,) if limit is None else (expression, int(limit)))
    return [(int(pid), float(score)) for pid, score in cursor.fetchall()]


def _add_fields(hits: list[LexicalHit], expression: str) -> None:
    """Which columns matched, and on which words: what the explanation shows in words."""
    if not hits:
        return
    marks = ", ".join(f"highlight(product_fts, {i}, '{_OPEN}', '{_CLOSE}')" for i in range(len(COLUMNS)))
    by_id = {h.product_id: h for h in hits}
    for chunk in db.chunked(list(by_id), 500):
        cursor = db.database.execute_sql(
            f"SELECT rowid, {marks} FROM product_fts WHERE product_fts MATCH ? AND rowid IN "
            f"({', '.join('?' * len(chunk))})", (expression, *chunk))
        for pid, *texts in cursor.fetchall():
            for column, value in zip(COLUMNS, texts, strict=True):
                found = re.findall(f"{_OPEN}(.*?){_CLOSE}", value or "")
                if found:
                    by_id[pid].fields[column] = sorted({w.lower() for w in found})


def available() -> bool:
    """Whether this catalog has the text index (a catalog opened at schema 6 or later)."""
    return db.database.table_exists("product_fts")
