"""Lexical text search: BM25 over the product_fts index (migration 9), exact SKUs first, no model needed.

A query's words are ANDed first (every word must match, as typed), then ANDed with their alternatives
(synonyms, spellings, plurals: core.search.vocabulary), then ORed to fill the list: a product that holds all
the words ranks above one that holds some, whatever BM25 says about the latter, and within the last two
tiers BM25 is scaled by the weight of what matched, so a synonym counts less than the word typed. A word
that matches nothing and is no known word is read as a typo of the nearest catalog word. An exact SKU comes
alone. The last word is also a prefix, so a curator typing "duff" already finds the duffle bags.
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
from core.search import vocabulary as vocab

COLUMNS = ("sku", "title", "description", "category", "attributes", "labels")
WEIGHTS = (4.0, 4.0, 1.0, 3.0, 2.0, 2.0)  # in COLUMNS order
_WORD = re.compile(r"\w+", re.UNICODE)
_OPEN, _CLOSE = "\x01", "\x02"  # highlight marks no product text contains


@dataclass
class LexicalHit:
    product_id: int
    score: float  # BM25 (times the weight of the alternatives matched), larger is better
    sku_exact: bool = False
    all_words: bool = True  # matched every query word, as typed or through an alternative (the AND passes)
    fields: dict[str, list[str]] = field(default_factory=dict)  # column -> the words that matched there
    exact: bool = True  # matched every word as typed (the first pass)
    weight: float = 1.0  # mean over query words of the best alternative matched (exact 1, unmatched 0)
    via: dict[str, str] = field(default_factory=dict)  # query word -> the alternative it matched through
    levels: list[float] = field(default_factory=list)  # per query word, the weight of the best match (_weigh)


def words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").lower())


def _quote(phrase: str) -> str:
    return '"' + phrase.replace('"', '""') + '"'


def match_expression(tokens: list[str], *, every: bool, prefix_last: bool = True) -> str:
    parts = [_quote(t) for t in tokens]
    if prefix_last and parts:
        parts[-1] += "*"
    return (" AND " if every else " OR ").join(parts)


def _phrase(alt: vocab.Alternative) -> str:
    return _quote(alt.phrase) + ("*" if alt.prefix else "")


def _group(word: vocab.QueryWord, *, expanded: bool = True) -> str:
    """One query word as FTS5: its exact form OR (expanded) its alternatives."""
    parts = [_phrase(a) for a in (word.alternatives if expanded else word.alternatives[:1])]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def expression(understood: vocab.Understanding, *, every: bool, expanded: bool) -> str:
    parts = [_group(w, expanded=expanded) for w in understood.words]
    return (" AND " if every else " OR ").join(parts)


def understand(text: str | None) -> vocab.Understanding:
    """The query's words and their alternatives, typos corrected against this catalog's index."""
    understood = vocab.understand(text)
    if not understood.words or _exists(expression(understood, every=True, expanded=False)):
        return understood  # every word is in the catalog as typed: no typo to look for (one query, not one a word)
    return vocab.correct(understood, lambda w: _exists(_group(w)))


def _exists(expression: str) -> bool:
    return db.database.execute_sql("SELECT 1 FROM product_fts WHERE product_fts MATCH ? LIMIT 1",
                                   (expression,)).fetchone() is not None


def search(text: str | None, limit: int, allowed: Iterable[int] | None = None, *, fields: bool = True,
           understood: vocab.Understanding | None = None) -> list[LexicalHit]:
    """Products whose words match `text`, best first; `allowed` restricts to those product ids. `fields=False`
    leaves LexicalHit.fields empty: a search fills them with `add_fields` for the results it shows only
    (FTS5's highlight() is the costly part, and ~100 candidates are ranked for 10-20 shown).

    An exact SKU comes alone. Then, in tiers: every word as typed (AND), every word as typed or through an
    alternative (AND), then any word (OR); within the last two, BM25 times the weight of what matched, so an
    expanded word counts less than the word as typed."""
    if not words(text) or limit <= 0:
        return []
    allow = None if allowed is None else set(allowed)
    exact = _sku(text.strip())
    if exact and (allow is None or exact[0] in allow):
        return [LexicalHit(exact[0], float("inf"), sku_exact=True)]
    understood = understood or understand(text)
    if not understood.words:
        return []
    hits: list[LexicalHit] = []
    seen: set[int] = set()
    several = len(understood.words) > 1
    passes = [(True, False)]
    if understood.expanded:
        passes.append((True, True))
    if several:
        passes.append((False, True))
    for every, expanded in passes:
        # Without a filter only the best `limit` can be kept: SQLite stops there instead of ranking every
        # product that holds a common word (a third of the catalog for "blue").
        cap = None if allow is not None else limit + len(seen)
        found = []
        for pid, score in _match(expression(understood, every=every, expanded=expanded), cap):
            if pid in seen or (allow is not None and pid not in allow):
                continue
            seen.add(pid)
            found.append(LexicalHit(pid, score, all_words=every, exact=every and not expanded))
        if found and (expanded or not every):
            _weigh(understood, found)
            found.sort(key=lambda h: (-h.score, h.product_id))
        hits += found
        if len(hits) >= limit:
            break
    hits = hits[:limit]
    if fields:
        add_fields(text, hits, understood)
    return hits


def _sku(text: str) -> tuple[int] | None:
    """The product whose SKU is the text, any case: the unique index first (as typed, upper, lower); the
    case-blind scan (~2 ms at 10k products) only for a text without spaces, which a SKU rarely has."""
    for form in dict.fromkeys((text, text.upper(), text.lower())):
        found = db.Product.select(db.Product.id).where(db.Product.sku == form).tuples().first()
        if found:
            return found
    if not text or " " in text:
        return None
    return db.Product.select(db.Product.id).where(pw.fn.lower(db.Product.sku) == text.lower()).tuples().first()


def _weigh(understood: vocab.Understanding, hits: list[LexicalHit]) -> None:
    """Each hit's weight: per query word, the best alternative it holds (exact 1, none 0), averaged; its score
    is scaled by it. Asked of the index one weight level at a time, for these hits only."""
    ids = [h.product_id for h in hits]
    best = {pid: [0.0] * len(understood.words) for pid in ids}
    for n, word in enumerate(understood.words):
        levels: dict[float, list[str]] = {}
        for a in word.alternatives:
            levels.setdefault(a.weight, []).append(_phrase(a))
        todo = list(ids)
        for weight in sorted(levels, reverse=True):
            if not todo:
                break
            matched = _matching(" OR ".join(levels[weight]), todo, understood.memo)
            for pid in matched:
                best[pid][n] = weight
            todo = [p for p in todo if p not in matched]
    for h in hits:
        h.levels = best[h.product_id]
        h.weight = sum(h.levels) / len(understood.words)
        h.score *= h.weight


def _matching(expression: str, ids: list[int], memo: dict[str, frozenset[int]] | None = None) -> set[int]:
    """Which of these products match. The whole match list, intersected here: FTS5 evaluates the expression
    once per value of a `rowid IN (...)` list, ~100 times slower for a pool of 100. `memo` keeps the lists of
    one search (its passes and its explanations ask for the same alternatives)."""
    everyone = memo.get(expression) if memo is not None else None
    if everyone is None:
        cursor = db.database.execute_sql("SELECT rowid FROM product_fts WHERE product_fts MATCH ?", (expression,))
        everyone = frozenset(r[0] for r in cursor.fetchall())
        if memo is not None:
            memo[expression] = everyone
    return everyone.intersection(ids)


def add_fields(text: str | None, hits: list[LexicalHit], understood: vocab.Understanding | None = None) -> None:
    """Fill in which columns matched on which words, for these hits of the query `text`, and which query
    words matched only through an alternative (hit.via: "trousers" -> "pants")."""
    hits = [h for h in hits if not h.sku_exact]
    if not words(text) or not hits:
        return
    understood = understood or understand(text)
    if not understood.words:
        return
    _add_fields(hits, expression(understood, every=False, expanded=True))
    _add_via(understood, [h for h in hits if not h.exact])


def _add_via(understood: vocab.Understanding, hits: list[LexicalHit]) -> None:
    """For each hit and query word it matched below the exact weight (_weigh's levels), the alternative."""
    for n, word in enumerate(understood.words):
        said = word.exact if word.corrected else word.said  # a typo's correction is what was searched
        by_level: dict[float, list[LexicalHit]] = {}
        for h in hits:
            level = h.levels[n] if len(h.levels) > n else 0.0
            if 0.0 < level < vocab.EXACT:
                by_level.setdefault(level, []).append(h)
        for level, group in by_level.items():
            todo = {h.product_id: h for h in group}
            for alt in word.alternatives:
                if alt.weight != level or alt.prefix:  # the start of a longer word is no synonym
                    continue
                for pid in _matching(_phrase(alt), list(todo), understood.memo):
                    todo.pop(pid).via[said] = alt.phrase
                if not todo:
                    break


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
                    by_id[pid].fields[column] = sorted({w.lower() for span in found for w in span.split()})


def available() -> bool:
    """Whether this catalog has the text index (a catalog opened at schema 6 or later)."""
    return db.database.table_exists("product_fts")
