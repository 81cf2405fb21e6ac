"""Near-duplicate products: k-NN through the vector index with a similarity radius, then union-find.

Cost: N batch HNSW queries, each about O(ef * M * log N * dim), so O(N log N) overall with
USearch's threads, instead of the O(N^2 * dim) of comparing all pairs. Memory: one chunk of
vectors at a time plus O(N) for the union-find parents. Small indexes (<= EXACT_LIMIT) are
searched exactly, which costs little there and misses nothing.

Groups are single-linkage: A~B and B~C put A, B and C together even when A and C are further
apart than the threshold; each group reports its weakest and strongest link.

The vectors only nominate candidates: by default every pair more alike than the catalog's weak-match floor
(core.search.fusion: the 95th percentile of its own random pairs; at most 0.9), as a crop or a re-encode moves a vector
further than a colour change does. Each candidate link then gets a kind from the photos, because curators
merge duplicates but must keep colour variants apart:
- exact: the two products share an image file (same sha256);
- same photo: at least SAME_PHOTO_INLIERS ORB matches agree on one similarity transform (RANSAC; a crop,
  a resize and a small turn are each one such transform); else the link is dropped: two black tees of
  different cuts look alike to an embedder but are not duplicates;
- near: the same photo, and once one is laid onto the other no region of the product has changed colour
  (colour_change <= CHANGED_SHARE);
- variant: the same shot with a region in another colour: one garment in two colours, or a trim in another
  colour, not a duplicate.
Embedders trained for object classes see a red and a blue tee of one cut as nearly the same vector,
so colour has to be measured on the pixels (CIE Lab, white studio background left out).
Groups are built per kind: exact and near links make duplicate groups; products tied by variant links
(between duplicate groups or single products) are reported as a variant group, a "Make one design?"
suggestion. Products that already share a design (a Magento configurable parent, a Shopify handle,
product.json's parent_sku) are variants of it: no link between them is ever a duplicate or a suggestion.
Variant groups are complete-linkage on agreement (same category, titles sharing most words once colour
words are left out), not single-linkage: a chain of look-alikes never joins a sweatshirt and a tee.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.catalog import db

log = logging.getLogger(__name__)

EXACT_LIMIT = 20_000
CHUNK = 16_384
# The highest candidate cosine: the floor of a small catalog (a few dozen pairs) sits among its closest pairs.
MAX_THRESHOLD = 0.9
# CIE76 distance above which two pixels are another colour: about 2.3 is a just noticeable difference and
# differences above about 10 read as another colour at a glance.
SAME_COLOUR_DELTA_E = 10.0
KINDS = ("exact", "near", "variant")
# Same-photo check (textbook values for ORB matching, not fitted here): Lowe's ratio test at 0.75,
# RANSAC with a 3-pixel tolerance (photos at most MATCH_SIDE), and SAME_PHOTO_INLIERS consistent matches under one
# similarity transform (a crop, a resize and a small turn are all one such transform).
ORB_FEATURES = 1000
MATCH_SIDE = 512
LOWE_RATIO = 0.75
RANSAC_PIXELS = 3.0
SAME_PHOTO_INLIERS = 20
BLUR_SIGMA = 1.5  # pixels, before colours are compared: JPEG's 8x8 blocks and ringing
EDGE_WIDTH = 3  # pixels: changes thinner than 2 * EDGE_WIDTH + 1 are edges, not regions
# A colour variant changes at least a visible part of the product: a trim, a print, a waistband. One
# hundredth of the product's pixels is a stripe a curator sees at a glance (chosen a priori; on the dev
# planted set re-shots change at most 0.2 % and the closest colour variant 2.7 %, docs/PERFORMANCE.md).
CHANGED_SHARE = 0.01


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


def candidate_threshold(catalog, model_version: str | None = None) -> float:
    """The default candidate cosine: the catalog's weak-match floor, at most MAX_THRESHOLD."""
    from core.search.fusion import weak_floor

    version = model_version or catalog.active_model_version()
    floor = weak_floor(catalog, version) if version else None
    return min(floor, MAX_THRESHOLD) if floor is not None else MAX_THRESHOLD


def find_duplicates(catalog, threshold: float | None = None, *, model_version: str | None = None, k: int = 10,
                    threads: int = 0, live_only: bool = True, kinds: bool = True,
                    progress: Callable[[int, int, str], None] | None = None,
                    should_stop: Callable[[], bool] | None = None) -> list[DuplicateGroup]:
    """Groups of products whose primary vectors are within `threshold` cosine, largest groups first.

    With `kinds` (the default) each link is labelled exact, near or variant from the images and the
    groups are built per kind (module docstring); without, every group is one single-linkage group.
    No threshold: candidate_threshold (the catalog's weak-match floor, at most MAX_THRESHOLD).
    """
    version = model_version or catalog.active_model_version()
    if version is None:
        raise ValueError("the catalog has no active index; index it before looking for duplicates")
    if threshold is None:
        threshold = candidate_threshold(catalog, version)
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
        return _kind_groups(catalog, edges, should_stop)
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


def _kind_groups(catalog, edges: list[tuple[int, int, float]],
                 should_stop: Callable[[], bool] | None = None) -> list[DuplicateGroup]:
    links: dict[tuple[int, int], float] = {}
    for a, b, s in edges:
        pair = (min(a, b), max(a, b))
        links[pair] = max(links.get(pair, -1.0), s)
    nodes = sorted({p for pair in links for p in pair})
    kind_of = _link_kinds(catalog, list(links), nodes, should_stop)
    for pair in list(links):
        if kind_of.get(pair) is None:
            del links[pair]
            kind_of.pop(pair, None)
    nodes = sorted({p for pair in links for p in pair})
    facts = _facts(nodes)
    for pair in list(links):  # variants of one design are a design, never duplicates or suggestions
        if same_design(facts.get(pair[0]), facts.get(pair[1])):
            del links[pair]
            del kind_of[pair]
    nodes = sorted({p for pair in links for p in pair})
    dupes = _UnionFind()
    for (a, b), kind in kind_of.items():
        if kind != "variant":
            dupes.union(a, b)
    out = _groups_of(dupes, links, kind_of, lambda pair: kind_of[pair] != "variant")
    for g in out:
        g.kind = "exact" if all(k == "exact" for k in g.pair_kinds) else "near"
    # Design suggestions: duplicate groups (or single products) tied by variant links, complete linkage on
    # agreement, so that a chain of look-alikes never puts a sweatshirt and a tee into one design.
    clusters: dict[int, set[int]] = defaultdict(set)
    for node in nodes:
        clusters[dupes.find(node)].add(node)
    variant_links = sorted(((s, a, b) for (a, b), s in links.items() if kind_of[(a, b)] == "variant"),
                           key=lambda t: (-t[0], t[1], t[2]))
    for group in design_clusters(clusters, [(dupes.find(a), dupes.find(b)) for _, a, b in variant_links], facts):
        ids = sorted(group)
        pairs = sorted(((a, b, s) for (a, b), s in links.items() if a in group and b in group
                        and kind_of[(a, b)] == "variant"), key=lambda t: -t[2])
        if pairs:
            out.append(DuplicateGroup(product_ids=ids, pairs=pairs, kind="variant",
                                      pair_kinds=["variant"] * len(pairs)))
    skus = _skus(nodes)
    for g in out:
        g.skus = [skus.get(p, "") for p in g.product_ids]
    out.sort(key=lambda g: (KINDS.index(g.kind), -len(g.product_ids), -g.max_similarity, g.product_ids[0]))
    return out


@dataclass(frozen=True)
class Facts:
    """What a design suggestion compares: the product's design, category and the words of its title."""

    design: str
    category: str
    words: frozenset[str]


# Words that name a colour say which variant, not which garment: left out when titles are compared.
COLOUR_WORDS = frozenset([
    "black", "white", "gray", "grey", "red", "blue", "green", "yellow", "orange", "purple", "pink", "brown", "beige",
    "navy", "olive", "lavender", "teal", "khaki", "tan", "cream", "ivory", "gold", "silver", "maroon", "burgundy",
    "charcoal", "heather", "multi"])
SIZE_WORDS = frozenset(["xxs", "xs", "s", "m", "l", "xl", "xxl", "xxxl", "small", "medium", "large"])
# Jaccard of title words (colours, sizes and numbers left out) for two products to be one garment: more than
# half, so that two names of one kind ("Aether Gym Pant", "Kratos Gym Pant": a half) stay apart.
TITLE_AGREEMENT = 0.6


def _title_words(title: str, attributes: dict | None) -> frozenset[str]:
    import re

    colours = {w for k, v in (attributes or {}).items() if "colo" in str(k).lower() and isinstance(v, str)
               for w in re.findall(r"\w+", v.lower())}
    return frozenset(w for w in re.findall(r"\w+", title.lower())
                     if w not in COLOUR_WORDS and w not in SIZE_WORDS and w not in colours and not w.isdigit())


def _facts(ids: list[int]) -> dict[int, Facts]:
    out: dict[int, Facts] = {}
    for chunk in db.chunked(ids, 500):
        for pid, design, category, title, attributes in (
                db.Product.with_deleted(db.Product.id, db.Product.design, db.Product.category, db.Product.title,
                                        db.Product.attributes).where(db.Product.id.in_(chunk)).tuples()):
            attrs = db.JSONField().python_value(attributes) if isinstance(attributes, str) else attributes
            out[pid] = Facts(design or "", category or "", _title_words(title or "", attrs))
    return out


def same_design(a: Facts | None, b: Facts | None) -> bool:
    return a is not None and b is not None and bool(a.design) and a.design == b.design


def agree(a: Facts | None, b: Facts | None) -> bool:
    """Could these two be colours of one garment? Same category (where both have one), titles that share
    most of their words (colours left out), and not already in two different designs."""
    if a is None or b is None:
        return True
    if a.design and b.design and a.design != b.design:
        return False
    if a.category and b.category and a.category != b.category:
        return False
    if not a.words or not b.words:
        return True
    return len(a.words & b.words) / len(a.words | b.words) >= TITLE_AGREEMENT


def design_clusters(clusters: dict[int, set[int]], links: list[tuple[int, int]],
                    facts: dict[int, Facts]) -> list[set[int]]:
    """Complete linkage over `links` (strongest first) between clusters: two join only when every product of
    one agrees with every product of the other (a chain A~B~C never joins A and C that disagree)."""
    owner = {root: root for root in clusters}
    members = {root: set(m) for root, m in clusters.items()}

    def find(x: int) -> int:
        while owner[x] != x:
            owner[x] = owner[owner[x]]
            x = owner[x]
        return x

    joined: set[int] = set()
    for a, b in links:
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        if all(agree(facts.get(x), facts.get(y)) for x in members[ra] for y in members[rb]):
            keep, gone = min(ra, rb), max(ra, rb)
            owner[gone] = keep
            members[keep] |= members.pop(gone)
            joined.add(keep)
    return [members[r] for r in sorted(joined) if find(r) == r and len(members[r]) > 1]


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


def link_kind(shas_a: set[str], shas_b: set[str], shot_a: Shot | None, shot_b: Shot | None) -> str | None:
    """exact | near | variant (None: not the same photo) for two products the embedding finds alike."""
    if shas_a & shas_b:
        return "exact"
    if shot_a is None or shot_b is None:
        return "near"  # no pixels to look at: the embedding's word stands
    inliers, transform = same_photo(shot_a, shot_b)
    if inliers < SAME_PHOTO_INLIERS:
        return None
    return "near" if colour_change(shot_a, shot_b, transform) <= CHANGED_SHARE else "variant"


@dataclass
class Shot:
    """A photo as the same-photo check sees it: RGB at most MATCH_SIDE, its studio background, ORB features."""
    pixels: np.ndarray
    background: np.ndarray  # bool, HxW
    points: np.ndarray  # (n, 2) float32 keypoint positions in `pixels`
    descriptors: Any


def shot(pixels: np.ndarray) -> Shot:
    """Reduce a photo once per product (ORB features, background mask)."""
    import cv2

    from core.pipeline.colors import _background_mask, srgb_to_lab

    rgb = np.ascontiguousarray(pixels[..., :3], np.uint8)
    scale = MATCH_SIDE / max(rgb.shape[:2])
    if scale < 1:
        rgb = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    # Features are found at MATCH_SIDE even for a smaller photo: ORB's fixed patch and border would leave a
    # small re-shot with a few dozen keypoints, too few to match it to its larger original.
    up = MATCH_SIDE / max(rgb.shape[:2])
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if up > 1:
        gray = cv2.resize(gray, None, fx=up, fy=up, interpolation=cv2.INTER_CUBIC)
    keypoints, descriptors = cv2.ORB_create(nfeatures=ORB_FEATURES).detectAndCompute(gray, None)
    points = np.float32([k.pt for k in keypoints]).reshape(-1, 2) / max(up, 1.0)
    background = _background_mask(srgb_to_lab(rgb).reshape(-1, 3), rgb.shape[:2]).reshape(rgb.shape[:2])
    return Shot(rgb, background, points, descriptors)


def same_photo(a: Shot, b: Shot) -> tuple[int, np.ndarray | None]:
    """(inliers, transform): ORB matches consistent with one similarity transform (RANSAC) taking a's pixel
    coordinates to b's; a crop, a resize and a small turn are each such a transform."""
    import cv2

    da, db_ = a.descriptors, b.descriptors
    if da is None or db_ is None or len(da) < 3 or len(db_) < 3:
        return 0, None
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(da, db_, k=2)
    good = [m[0] for m in pairs if len(m) == 2 and m[0].distance < LOWE_RATIO * m[1].distance]
    if len(good) < 3:
        return 0, None
    src = a.points[[m.queryIdx for m in good]]
    dst = b.points[[m.trainIdx for m in good]]
    transform, mask = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PIXELS)
    if transform is None or mask is None or not 0.1 < np.sqrt(abs(np.linalg.det(transform[:, :2]))) < 10:
        return 0, None  # no transform, or one that folds a photo to a line: not a re-shot
    return int(mask.sum()), transform


def colour_change(a: Shot, b: Shot, transform: np.ndarray | None) -> float:
    """Share of the product's pixels (foreground in both photos) that sit in a region of changed colour
    (CIE76 > SAME_COLOUR_DELTA_E) once one photo is laid onto the other by `transform`.

    Pixel by pixel, not a palette: a colour variant that changes only a trim or a print still changes that
    whole region, while a re-shot of the same photo (crop, resize, JPEG, a small turn) leaves every region's
    colour where it was. What a re-shot does change lies along edges (a finer or coarser copy, a sub-pixel
    misfit): the comparison is made at the coarser photo's resolution after a blur, and an opening by a
    disc of EDGE_WIDTH keeps only changed regions wider than an edge. Pixels that are background in one
    photo and product in the other (a crop's edge, a turned photo's white corners) are shape, not colour:
    a colour variant shot in one pose has the same outline.
    """
    import cv2

    from core.pipeline.colors import srgb_to_lab

    if transform is None:
        return 1.0
    warp = np.vstack([transform, [0.0, 0.0, 1.0]])
    if abs(np.linalg.det(transform[:, :2])) < 1.0:  # b is the coarser photo: lay a onto b
        a, b, warp = b, a, np.linalg.inv(warp)
    h, w = a.pixels.shape[:2]
    finer = np.sqrt(abs(np.linalg.det(warp[:2, :2])))  # b's pixels per a's pixel, >= 1
    source = cv2.GaussianBlur(b.pixels, (0, 0), 0.5 * finer) if finer > 1.05 else b.pixels  # anti-alias
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    laid = cv2.warpAffine(source, warp[:2], (w, h), flags=flags, borderMode=cv2.BORDER_REPLICATE)
    seen = cv2.warpAffine(np.full(b.pixels.shape[:2], 255, np.uint8), warp[:2], (w, h), flags=flags) == 255
    b_background = cv2.warpAffine(b.background.astype(np.uint8), warp[:2], (w, h), flags=flags) > 0
    lab_a = srgb_to_lab(cv2.GaussianBlur(a.pixels, (0, 0), BLUR_SIGMA))
    lab_b = srgb_to_lab(cv2.GaussianBlur(laid, (0, 0), BLUR_SIGMA))
    product = seen & ~a.background & ~b_background
    if not product.any():
        return 1.0
    changed = ((np.linalg.norm(lab_a - lab_b, axis=2) > SAME_COLOUR_DELTA_E) & product).astype(np.uint8)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * EDGE_WIDTH + 1, 2 * EDGE_WIDTH + 1))
    regions = cv2.morphologyEx(changed, cv2.MORPH_OPEN, disc)
    return float(regions[product].mean())


def _link_kinds(catalog, pairs: list[tuple[int, int]], nodes: list[int],
                should_stop: Callable[[], bool] | None = None) -> dict[tuple[int, int], str | None]:
    """link_kind for every candidate pair; the photo check's verdicts come from the catalog's pair cache
    (PairVerdicts) where these two first photos were compared before, so only new pairs decode photos.
    Verdicts are saved as they come (every FLUSH_PAIRS), so a pass stopped half-way still saves its work; a
    stopped pass leaves the pairs it did not check out (no link)."""
    shas = _image_hashes(nodes)
    first = _first_photos(nodes)
    verdicts = PairVerdicts.of(catalog)
    known = verdicts.get_many([(first[a][0], first[b][0]) for a, b in pairs if a in first and b in first])
    shots: dict[int, Shot | None] = {}

    def shot_of(pid: int) -> Shot | None:
        if pid not in shots:
            shots[pid] = _shot(catalog, pid, first.get(pid, ("", ""))[1]) if pid in first else None
        return shots[pid]

    out: dict[tuple[int, int], str | None] = {}
    fresh: dict[tuple[str, str], str | None] = {}
    for a, b in pairs:
        if should_stop is not None and should_stop():
            break
        sha_a, sha_b = shas.get(a, set()), shas.get(b, set())
        if sha_a & sha_b:
            out[(a, b)] = "exact"
            continue
        key = (first[a][0], first[b][0]) if a in first and b in first else None
        if key is not None and key in known:
            out[(a, b)] = known[key]
            continue
        shot_a, shot_b = shot_of(a), shot_of(b)
        out[(a, b)] = kind = link_kind(sha_a, sha_b, shot_a, shot_b)
        if key is not None and shot_a is not None and shot_b is not None:  # an unreadable photo is asked again
            fresh[key] = kind
            if len(fresh) >= FLUSH_PAIRS:
                verdicts.put_many(fresh)
                fresh = {}
    if fresh:
        verdicts.put_many(fresh)
    return out


FLUSH_PAIRS = 64
# The photo check's settings: a verdict cached under other settings is never reused.
PAIR_METHOD = (f"orb{ORB_FEATURES}-side{MATCH_SIDE}-lowe{LOWE_RATIO}-ransac{RANSAC_PIXELS}-in{SAME_PHOTO_INLIERS}"
               f"-blur{BLUR_SIGMA}-edge{EDGE_WIDTH}-share{CHANGED_SHARE}-de{SAME_COLOUR_DELTA_E}")
_PAIR_SCHEMA = """
CREATE TABLE IF NOT EXISTS pair_verdict (
    method TEXT NOT NULL,
    sha_a TEXT NOT NULL,
    sha_b TEXT NOT NULL,
    kind TEXT,
    PRIMARY KEY (method, sha_a, sha_b)
) WITHOUT ROWID
"""


class PairVerdicts:
    """The same-photo check's verdicts (near | variant | None) for two photos, by their sha256, in the catalog's
    cache folder (cache/duplicate_pairs.sqlite: derived data, rebuilt as needed).

    The check decodes both photos and matches ORB features (tens of ms a pair); a verdict depends only on the two
    files and PAIR_METHOD, so after an import or a curator's action only pairs never seen before cost that.
    A cache that cannot be read or written is a miss, never an error.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path

    @classmethod
    def of(cls, catalog) -> PairVerdicts:
        root = getattr(catalog, "paths", None)
        return cls(root.cache / "duplicate_pairs.sqlite" if root is not None else None)

    def _connect(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10)
            conn.execute(_PAIR_SCHEMA)
            return conn
        except (OSError, sqlite3.Error) as exc:
            log.warning("duplicate pair cache %s unusable: %s", self.path, exc)
            return None

    def get_many(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
        conn = self._connect()
        if conn is None or not keys:
            return {}
        wanted = set(keys) | {(b, a) for a, b in keys}
        out: dict[tuple[str, str], str | None] = {}
        try:
            firsts = sorted({a for a, _ in wanted})
            for start in range(0, len(firsts), 500):
                chunk = firsts[start:start + 500]
                rows = conn.execute(f"SELECT sha_a, sha_b, kind FROM pair_verdict WHERE method = ? AND sha_a IN "
                                    f"({','.join('?' * len(chunk))})", [PAIR_METHOD, *chunk]).fetchall()
                for a, b, kind in rows:
                    if (a, b) in wanted:
                        out[(a, b)] = out[(b, a)] = kind
        except sqlite3.Error as exc:
            log.warning("duplicate pair cache %s unreadable: %s", self.path, exc)
        finally:
            conn.close()
        return out

    def put_many(self, verdicts: dict[tuple[str, str], str | None]) -> None:
        conn = self._connect()
        if conn is None:
            return
        try:
            with conn:
                conn.executemany("INSERT OR REPLACE INTO pair_verdict VALUES (?, ?, ?, ?)",
                                 [(PAIR_METHOD, a, b, kind) for (a, b), kind in verdicts.items()])
        except sqlite3.Error as exc:
            log.warning("duplicate pair cache %s not written: %s", self.path, exc)
        finally:
            conn.close()


def _first_photos(ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each product's first readable photo: (sha256, blob path), the photo the same-photo check compares."""
    out: dict[int, tuple[str, str]] = {}
    for chunk in db.chunked(ids, 500):
        for pid, sha, path in (db.ImageFile.select(db.ImageFile.product, db.ImageFile.sha256, db.ImageFile.blob_path)
                               .where(db.ImageFile.product.in_(chunk) & (db.ImageFile.status == "ok"))
                               .order_by(db.ImageFile.position, db.ImageFile.id).tuples()):
            out.setdefault(pid, (sha, path))
    return out


def _shot(catalog, pid: int, path: str) -> Shot | None:
    from core.pipeline.decode import decode

    try:
        return shot(decode(catalog.root / path))
    except Exception:  # an unreadable blob: this product's links keep the embedding's word
        log.warning("no pixels for product %s: cannot read %s", pid, path)
        return None


def _image_hashes(ids: list[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for chunk in db.chunked(ids, 500):
        for pid, sha in (db.ImageFile.select(db.ImageFile.product, db.ImageFile.sha256)
                         .where(db.ImageFile.product.in_(chunk) & (db.ImageFile.status == "ok")).tuples()):
            out[pid].add(sha)
    return out


def _skus(ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in db.chunked(ids, 500):
        out.update({pid: sku for pid, sku in db.Product.with_deleted(db.Product.id, db.Product.sku)
                    .where(db.Product.id.in_(chunk)).tuples()})
    return out
