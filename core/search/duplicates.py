"""Near-duplicate products: k-NN through the vector index with a similarity radius, then union-find.

Cost: N batch HNSW queries, each about O(ef * M * log N * dim), so O(N log N) overall with
USearch's threads, instead of the O(N^2 * dim) of comparing all pairs. Memory: one chunk of
vectors at a time plus O(N) for the union-find parents. Small indexes (<= EXACT_LIMIT) are
searched exactly, which costs little there and misses nothing.

Groups are single-linkage: A~B and B~C put A, B and C together even when A and C are further
apart than the threshold; each group reports its weakest and strongest link.

Each link then gets a kind, because curators merge duplicates but must keep colour variants apart:
- exact: the two products share an image file (same sha256);
- near: the same photo cropped, resized, re-encoded or turned a little: at least SAME_PHOTO_INLIERS
  ORB matches agree on one similarity transform, and the foreground colours match (palette distance
  <= SAME_COLOUR_DELTA_E);
- variant: the same shot in another colour: one garment in two colours, not a duplicate.
Links the photos do not confirm (alike vectors, different photos) are dropped: two black tees of
different cuts look alike to an embedder but are not duplicates.
Embedders trained for object classes see a red and a blue tee of one cut as nearly the same vector,
so colour has to be measured on the pixels (CIE Lab, white studio background and skin left out).
Groups are built per kind: exact and near links make duplicate groups; a group of products tied by
variant links (between duplicate groups or single products) is reported once as a variant group.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.catalog import db

log = logging.getLogger(__name__)

EXACT_LIMIT = 20_000
CHUNK = 16_384
# CIE76 distance between two foreground palettes below which they are one colour. About 2.3 is a just
# noticeable difference and differences above about 10 read as another colour at a glance; re-shots
# keep the colours within a few units, while named colour variants differ by tens (black/gray ~ 20+).
SAME_COLOUR_DELTA_E = 10.0
KINDS = ("exact", "near", "variant")
# Same-photo check (textbook values for ORB matching, not fitted here): Lowe's ratio test at 0.75,
# RANSAC with a 3-pixel tolerance at MATCH_SIDE, and SAME_PHOTO_INLIERS consistent matches under one
# similarity transform (a crop, a resize and a small turn are all one such transform).
ORB_FEATURES = 1000
MATCH_SIDE = 512
LOWE_RATIO = 0.75
RANSAC_PIXELS = 3.0
SAME_PHOTO_INLIERS = 20


@dataclass
class DuplicateGroup:
    product_ids: list[int]
    skus: list[str] = field(default_factory=list)
    pairs: list[tuple[int, int, float]] = field(default_factory=list)  # links above the threshold
    kind: str = "near"  # exact | near | variant
    pair_kinds: list[str] = field(default_factory=list)  # per pair, same order

    @property
    def max_similarity(self) -> float:
        return max(s for _, _, s in self.pairs) if self.pairs else 0.0

    @property
    def min_similarity(self) -> float:
        return min(s for _, _, s in self.pairs) if self.pairs else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "product_ids": self.product_ids, "skus": self.skus,
                "min_similarity": round(self.min_similarity, 4), "max_similarity": round(self.max_similarity, 4),
                "pairs": [[a, b, round(s, 4)] for a, b, s in self.pairs], "pair_kinds": self.pair_kinds}


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
                    threads: int = 0, live_only: bool = True, kinds: bool = True,
                    progress: Callable[[int, int, str], None] | None = None,
                    should_stop: Callable[[], bool] | None = None) -> list[DuplicateGroup]:
    """Groups of products whose primary vectors are within `threshold` cosine, largest groups first.

    With `kinds` (the default) each link is labelled exact, near or variant from the images and the
    groups are built per kind (module docstring); without, every group is one single-linkage group.
    """
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
    if kinds:
        return _kind_groups(catalog, edges)
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


def _kind_groups(catalog, edges: list[tuple[int, int, float]]) -> list[DuplicateGroup]:
    links: dict[tuple[int, int], float] = {}
    for a, b, s in edges:
        pair = (min(a, b), max(a, b))
        links[pair] = max(links.get(pair, -1.0), s)
    nodes = sorted({p for pair in links for p in pair})
    shas = _image_hashes(nodes)
    palettes, features = _palettes(catalog, nodes)
    kind_of = {}
    for pair in list(links):
        a, b = pair
        same = bool(shas.get(a, set()) & shas.get(b, set()))
        inliers = None if same or a not in features or b not in features else _inliers(features[a], features[b])
        kind = link_kind(shas.get(a, set()), shas.get(b, set()), palettes.get(a), palettes.get(b), inliers)
        if kind is None:
            del links[pair]
        else:
            kind_of[pair] = kind
    nodes = sorted({p for pair in links for p in pair})
    dupes = _UnionFind()
    for (a, b), kind in kind_of.items():
        if kind != "variant":
            dupes.union(a, b)
    out = _groups_of(dupes, links, kind_of, lambda pair: kind_of[pair] != "variant")
    for g in out:
        g.kind = "exact" if all(k == "exact" for k in g.pair_kinds) else "near"
    # Variant groups: duplicate groups (or single products) tied together by variant links.
    tied = _UnionFind()
    for (a, b), kind in kind_of.items():
        if kind == "variant":
            tied.union(dupes.find(a), dupes.find(b))
    members: dict[int, set[int]] = defaultdict(set)
    for node in nodes:
        root = dupes.find(node)
        if root in tied.parent:
            members[tied.find(root)].add(node)
    for group in members.values():
        ids = sorted(group)
        pairs = sorted(((a, b, s) for (a, b), s in links.items() if a in group and b in group
                        and kind_of[(a, b)] == "variant"), key=lambda t: -t[2])
        out.append(DuplicateGroup(product_ids=ids, pairs=pairs, kind="variant",
                                  pair_kinds=["variant"] * len(pairs)))
    skus = _skus(nodes)
    for g in out:
        g.skus = [skus.get(p, "") for p in g.product_ids]
    out.sort(key=lambda g: (KINDS.index(g.kind), -len(g.product_ids), -g.max_similarity, g.product_ids[0]))
    return out


def _groups_of(uf: _UnionFind, links: dict[tuple[int, int], float], kind_of: dict[tuple[int, int], str],
               keep: Callable[[tuple[int, int]], bool]) -> list[DuplicateGroup]:
    groups: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pair in links:
        if keep(pair):
            groups[uf.find(pair[0])].append(pair)
    out = []
    for pairs in groups.values():
        pairs.sort(key=lambda p: -links[p])
        ids = sorted({p for pair in pairs for p in pair})
        out.append(DuplicateGroup(product_ids=ids, pairs=[(a, b, links[(a, b)]) for a, b in pairs],
                                  pair_kinds=[kind_of[p] for p in pairs]))
    return out


def link_kind(shas_a: set[str], shas_b: set[str], palette_a, palette_b, inliers: int | None = None) -> str | None:
    """exact | near | variant (None: not the same photo) for two products the embedding finds alike."""
    if shas_a & shas_b:
        return "exact"
    if palette_a is None or palette_b is None:
        return "near"  # no pixels to look at: the embedding's word stands
    if inliers is not None and inliers < SAME_PHOTO_INLIERS:
        return None
    return "near" if palette_distance(palette_a, palette_b) <= SAME_COLOUR_DELTA_E else "variant"


def palette(pixels: np.ndarray, box=None, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Up to k dominant foreground colours (CIE Lab centres) and their pixel shares."""
    # The colour-naming module's own steps: the same background and skin rules as the colour labels.
    from core.pipeline.colors import _crop, _foreground, _kmeans, _sample, srgb_to_lab

    sample = _sample(_crop(pixels, box))
    lab = _foreground(srgb_to_lab(sample).reshape(-1, 3), sample.shape[:2], True, True)
    centres, counts = _kmeans(lab, k)
    return np.asarray(centres, np.float64), np.asarray(counts, np.float64) / max(float(np.sum(counts)), 1.0)


def palette_distance(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    """Symmetric share-weighted distance from each colour to the nearest colour of the other palette."""
    (ca, wa), (cb, wb) = a, b
    d = np.linalg.norm(ca[:, None, :] - cb[None, :, :], axis=2)
    return float(max((wa * d.min(axis=1)).sum(), (wb * d.min(axis=0)).sum()))


def orb_features(pixels: np.ndarray):
    """ORB keypoints and descriptors of a photo at MATCH_SIDE (computed once a product)."""
    import cv2

    gray = cv2.cvtColor(np.ascontiguousarray(pixels, np.uint8), cv2.COLOR_RGB2GRAY)
    scale = MATCH_SIDE / max(gray.shape)
    if scale < 1:
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return cv2.ORB_create(nfeatures=ORB_FEATURES).detectAndCompute(gray, None)


def same_photo_inliers(a: np.ndarray, b: np.ndarray) -> int:
    """Geometrically consistent ORB matches between two photos (RANSAC similarity transform inliers)."""
    return _inliers(orb_features(a), orb_features(b))


def _inliers(fa, fb) -> int:
    import cv2

    (ka, da), (kb, db_) = fa, fb
    if da is None or db_ is None or len(ka) < 3 or len(kb) < 3:
        return 0
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(da, db_, k=2)
    good = [m[0] for m in pairs if len(m) == 2 and m[0].distance < LOWE_RATIO * m[1].distance]
    if len(good) < 3:
        return 0
    src = np.float32([ka[m.queryIdx].pt for m in good])
    dst = np.float32([kb[m.trainIdx].pt for m in good])
    _, mask = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PIXELS)
    return int(mask.sum()) if mask is not None else 0


def _image_hashes(ids: list[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for chunk in db.chunked(ids, 500):
        for pid, sha in (db.ImageFile.select(db.ImageFile.product, db.ImageFile.sha256)
                         .where(db.ImageFile.product.in_(chunk) & (db.ImageFile.status == "ok")).tuples()):
            out[pid].add(sha)
    return out


def _palettes(catalog, ids: list[int]) -> tuple[dict[int, tuple[np.ndarray, np.ndarray]], dict[int, Any]]:
    """Each product's palette from its primary crop (else its first image) and the ORB features of that
    photo; products with no readable image have neither."""
    from core.pipeline.decode import decode

    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    features: dict[int, Any] = {}
    for chunk in db.chunked(ids, 500):
        primary = {pid: (path, (x0, y0, x1, y1)) for pid, path, x0, y0, x1, y1 in (
            db.Crop.select(db.ImageFile.product, db.ImageFile.blob_path, db.Crop.x0, db.Crop.y0, db.Crop.x1,
                           db.Crop.y1).join(db.ImageFile)
            .where(db.ImageFile.product.in_(chunk) & (db.Crop.is_primary == True)  # noqa: E712
                   & db.ImageFile.deleted_at.is_null()).tuples())}
        for im in (db.ImageFile.select().where(db.ImageFile.product.in_(chunk) & (db.ImageFile.status == "ok"))
                   .order_by(db.ImageFile.position, db.ImageFile.id)):
            primary.setdefault(im.product_id, (im.blob_path, None))
        for pid, (path, box) in primary.items():
            try:
                pixels = decode(catalog.root / path)
                out[pid] = palette(pixels, box)
                features[pid] = orb_features(pixels)
            except Exception:  # an unreadable blob: this product's links keep the embedding's word
                log.warning("no colours for product %s: cannot read %s", pid, path)
    return out, features


def _skus(ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in db.chunked(ids, 500):
        out.update({pid: sku for pid, sku in db.Product.with_deleted(db.Product.id, db.Product.sku)
                    .where(db.Product.id.in_(chunk)).tuples()})
    return out
