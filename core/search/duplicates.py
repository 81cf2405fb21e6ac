"""Near-duplicate products: k-NN through the vector index with a similarity radius, then union-find.

Cost: N batch HNSW queries, each about O(ef * M * log N * dim), so O(N log N) overall with
USearch's threads, instead of the O(N^2 * dim) of comparing all pairs. Memory: one chunk of
vectors at a time plus O(N) for the union-find parents. Small indexes (<= EXACT_LIMIT) are
searched exactly, which costs little there and misses nothing.

Groups are single-linkage: A~B and B~C put A, B and C together even when A and C are further
apart than the threshold; each group reports its weakest and strongest link.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.catalog import db

EXACT_LIMIT = 20_000
CHUNK = 16_384


@dataclass
class DuplicateGroup:
    product_ids: list[int]
    skus: list[str] = field(default_factory=list)
    pairs: list[tuple[int, int, float]] = field(default_factory=list)  # links above the threshold

    @property
    def max_similarity(self) -> float:
        return max(s for _, _, s in self.pairs) if self.pairs else 0.0

    @property
    def min_similarity(self) -> float:
        return min(s for _, _, s in self.pairs) if self.pairs else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"product_ids": self.product_ids, "skus": self.skus,
                "min_similarity": round(self.min_similarity, 4), "max_similarity": round(self.max_similarity, 4),
                "pairs": [[a, b, round(s, 4)] for a, b, s in self.pairs]}


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = parent.setdefault(x, x)
        while root != parent[root]:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def batch_search(store, vectors: np.ndarray, k: int, *, exact: bool = False, threads: int = 0
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(keys, similarities), each (n, k), for many queries at once, with USearch's own threads.

    Missing neighbours (fewer than k vectors) have key -1 and similarity -inf.
    """
    index = store._index  # VectorStore has no batch search yet; the store's read lock is honoured
    with store._lock.shared():
        n = len(index)
        count = min(k, n)
        if count == 0:
            return np.full((len(vectors), k), -1, np.int64), np.full((len(vectors), k), -np.inf, np.float32)
        matches = index.search(np.asarray(vectors, dtype=np.float32), count, exact=exact, threads=threads)
    keys = np.asarray(matches.keys, dtype=np.int64).reshape(len(vectors), count)
    sims = (1.0 - np.asarray(matches.distances, dtype=np.float32)).reshape(len(vectors), count)
    counts = np.asarray(matches.counts).reshape(len(vectors))
    invalid = np.arange(count)[None, :] >= counts[:, None]
    keys[invalid] = -1
    sims[invalid] = -np.inf
    return keys, sims


def find_duplicates(catalog, threshold: float = 0.95, *, model_version: str | None = None, k: int = 10,
                    threads: int = 0, live_only: bool = True,
                    progress: Callable[[int, int, str], None] | None = None,
                    should_stop: Callable[[], bool] | None = None) -> list[DuplicateGroup]:
    """Groups of products whose primary vectors are within `threshold` cosine, largest groups first."""
    version = model_version or catalog.active_model_version()
    if version is None:
        raise ValueError("the catalog has no active index; index it before looking for duplicates")
    store = catalog.vector_store(version)
    keys = np.sort(store.keys())
    if live_only and len(keys):
        live = np.fromiter((r[0] for r in db.Product.select(db.Product.id).tuples()), dtype=np.int64)
        keys = keys[np.isin(keys, live)]
    total = len(keys)
    exact = total <= EXACT_LIMIT
    ask = k + 1  # every vector finds itself first
    uf = _UnionFind()
    edges: list[tuple[int, int, float]] = []
    allowed = set(keys.tolist()) if live_only else None
    for start in range(0, total, CHUNK):
        if should_stop and should_stop():
            break
        chunk_keys, vectors = store.get(keys[start:start + CHUNK].tolist())
        nn_keys, nn_sims = batch_search(store, vectors, ask, exact=exact, threads=threads)
        rows, cols = np.nonzero((nn_sims >= threshold) & (nn_keys != chunk_keys[:, None]) & (nn_keys >= 0))
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            a, b = int(chunk_keys[r]), int(nn_keys[r, c])
            if allowed is not None and b not in allowed:
                continue
            edges.append((a, b, float(nn_sims[r, c])))  # both directions; deduplicated below
            uf.union(a, b)
        if progress:
            progress(min(start + CHUNK, total), total, "searching neighbours")
    groups: dict[int, list[int]] = defaultdict(list)
    for node in list(uf.parent):
        groups[uf.find(node)].append(node)
    links: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    for a, b, s in edges:
        pair = (min(a, b), max(a, b))
        bucket = links[uf.find(a)]
        bucket[pair] = max(bucket.get(pair, -1.0), s)
    members = [sorted(m) for m in groups.values() if len(m) > 1]
    skus = _skus([p for m in members for p in m])
    out = [DuplicateGroup(product_ids=m, skus=[skus.get(p, "") for p in m],
                          pairs=sorted(((a, b, s) for (a, b), s in links[uf.find(m[0])].items()),
                                       key=lambda t: -t[2]))
           for m in members]
    out.sort(key=lambda g: (-len(g.product_ids), -g.max_similarity, g.product_ids[0]))
    return out


def _skus(ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in db.chunked(ids, 500):
        out.update({pid: sku for pid, sku in db.Product.with_deleted(db.Product.id, db.Product.sku)
                    .where(db.Product.id.in_(chunk)).tuples()})
    return out
