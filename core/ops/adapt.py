"""Learning from the catalog itself: train an adapter on the catalog's multi-view products, build its index, judge it.

`adapt()` is one background job (progress(done, total, message), should_stop(), scheduling checkpoints):
1. Views from the embedding cache (no photo is decoded or embedded): every accepted live crop's vector of the
   base model. Photos of one product taken from other sides are positives, other products negatives (InfoNCE);
   a curator's box (a locked crop) also pairs with crops of its own photo: the curator said that is the product.
2. A hash-chosen share of products is held back and never trained on (with a queries file: the garments of its
   held-out quarter, `fusion.in_holdout`), and no crop of a query photo is ever trained on.
3. The epoch count is chosen on a validation share of the training products, then the adapter is refitted on
   all of them.
4. The adapted index is built from the cache (map every crop's vector), as a new model version that records
   the adapter's file, training data hash and parameters; searches keep using the active version.
5. It is judged on the held-back split only: view->product retrieval of held-back multi-view products, and, with
   a queries file, `eval` on its held-out queries. `promote_if_better` promotes only when it wins there beyond
   noise (`core.ops.gate`: a paired bootstrap interval of the per-query difference above 0; a tie keeps it).
"""

from __future__ import annotations

import copy
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core import scheduling
from core.catalog import db
from core.jobs import JobState
from core.models.adapter import Adapter

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
ShouldStop = Callable[[], bool]
HOLD_BACK_SIXTEENTHS = 4  # a quarter of products by sha1 of the SKU (no queries file)
VALIDATION_SIXTEENTHS = 3  # of the training products, to choose the epoch count
MIN_GATE_QUERIES = 5  # held-back views needed to judge on them


@dataclass
class AdapterParams:
    rank: int = 32
    epochs: int = 60
    lr: float = 3e-3
    temperature: float = 0.05
    weight_decay: float = 1e-2
    batch_products: int = 256
    negatives: int = 1024  # extra crops of other products in each step's contrast
    eval_every: int = 5
    seed: int = 0


@dataclass
class Views:
    """Every accepted live crop with a cached vector: its vector, product, photo and whether a curator drew it."""

    vectors: np.ndarray  # (n, d) base-model rows
    products: np.ndarray  # (n,) product ids
    images: np.ndarray  # (n,) image ids
    crop_ids: np.ndarray
    primary: np.ndarray  # (n,) bool
    locked: np.ndarray  # (n,) bool
    shas: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.products)

    def subset(self, keep: np.ndarray) -> Views:
        return Views(self.vectors[keep], self.products[keep], self.images[keep], self.crop_ids[keep],
                     self.primary[keep], self.locked[keep], [s for s, k in zip(self.shas, keep, strict=True) if k])


# --- training data ------------------------------------------------------------------------------------------
def load_views(catalog, model_version: str, preprocess_version: str) -> Views:
    from core.pipeline.embed_cache import product_crop_vectors

    ids = [p for (p,) in db.Product.select(db.Product.id).where(db.Product.status == "indexed").tuples()]
    crops = product_crop_vectors(catalog.embedding_cache(), ids, model_version, preprocess_version)
    locked = {c for (c,) in db.Crop.select(db.Crop.id).where(db.Crop.curator_locked == True).tuples()}  # noqa: E712
    rows = [(pid, c) for pid in ids for c in crops.get(pid, [])]
    if not rows:
        return Views(np.zeros((0, 0), np.float32), *(np.zeros(0, np.int64) for _ in range(3)),
                     np.zeros(0, bool), np.zeros(0, bool))
    return Views(np.stack([c.vector for _, c in rows]).astype(np.float32),
                 np.array([pid for pid, _ in rows]), np.array([c.image_id for _, c in rows]),
                 np.array([c.crop_id for _, c in rows]), np.array([c.is_primary for _, c in rows]),
                 np.array([c.crop_id in locked for _, c in rows]), [c.sha256 for _, c in rows])


def _hash_share(text: str, sixteenths: int, salt: str) -> bool:
    return int(hashlib.sha1(f"{salt}:{text.lower()}".encode()).hexdigest()[0], 16) < sixteenths


def held_back_products(queries: Path | None = None) -> tuple[set[int], str]:
    """Products never trained on, and the rule that chose them (said in the report)."""
    rows = db.Product.select(db.Product.id, db.Product.sku).tuples()
    if queries is None:
        return ({pid for pid, sku in rows if _hash_share(sku, HOLD_BACK_SIXTEENTHS, "adapter-holdout")},
                f"sha1 of the SKU: {HOLD_BACK_SIXTEENTHS}/16 of products")
    from core.search.evaluate import product_names, read_queries
    from core.search.fusion import in_holdout

    names = product_names()
    held = {names[n.lower()] for item in read_queries(queries) if "query" in item and in_holdout(item)
            for n in list(item.get("relevant", [])) + list(item.get("related", [])) if n.lower() in names}
    return held, f"garments of the held-out quarter of {Path(queries).name} (fusion.in_holdout)"


def query_photo_shas(queries: Path) -> set[str]:
    """sha256 of every query photo in a queries file: those photos are never trained on (leakage)."""
    from core.search.evaluate import read_queries

    out = set()
    for item in read_queries(queries):
        if "query" in item:
            path = Path(queries).parent / item["query"]
            if path.is_file():
                out.add(hashlib.sha256(path.read_bytes()).hexdigest())
    return out


def positive_pairs(views: Views, products: set[int]) -> dict[int, list[tuple[int, int]]]:
    """Per product, the crop pairs that are two views of it: different photos, or a curator's box with any other."""
    by_product: dict[int, list[int]] = {}
    for i, pid in enumerate(views.products.tolist()):
        if pid in products:
            by_product.setdefault(pid, []).append(i)
    out = {}
    for pid, idx in by_product.items():
        pairs = [(a, b) for a in idx for b in idx if a != b
                 and (views.images[a] != views.images[b] or views.locked[a] or views.locked[b])]
        if pairs:
            out[pid] = pairs
    return out


def data_hash(views: Views, train: np.ndarray) -> str:
    """Names what the adapter was trained on: the training crops' vectors, products and photos."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(views.vectors[train]).tobytes())
    h.update(np.ascontiguousarray(views.products[train]).tobytes())
    h.update("\n".join(s for s, t in zip(views.shas, train, strict=True) if t).encode())
    return h.hexdigest()[:16]


# --- judging -----------------------------------------------------------------------------------------------
def view_retrieval(views: Views, query_products: set[int], transform: Callable[[np.ndarray], np.ndarray]
                   ) -> dict[str, float]:
    """Each crop of a multi-view product in `query_products` searches the whole catalog (every product by its best
    crop, the query's own photo left out); R@1 and MRR of finding its product. Needs no labelled queries."""
    return _summary(view_ranks(views, query_products, transform))


def _summary(ranks: np.ndarray) -> dict[str, float]:
    if not len(ranks):
        return {"queries": 0, "r@1": 0.0, "mrr": 0.0}
    return {"queries": len(ranks), "r@1": round(float((ranks == 1).mean()), 4),
            "mrr": round(float((1.0 / ranks).mean()), 4)}


def view_ranks(views: Views, query_products: set[int], transform: Callable[[np.ndarray], np.ndarray]
               ) -> np.ndarray:
    """The rank of its own product for each query of `view_retrieval`, in a fixed query order (for the gate)."""
    pairs = positive_pairs(views, query_products)
    queries = sorted({a for p in pairs.values() for a, _ in p})
    if not queries:
        return np.zeros(0, np.float64)
    x = transform(views.vectors)
    order = np.argsort(views.products, kind="stable")
    owners = views.products[order]
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    product_ids = owners[starts]
    ranks = []
    for chunk in range(0, len(queries), 256):
        q = np.array(queries[chunk:chunk + 256])
        sims = x[q] @ x.T
        # Not its own photo, except that a curator's box pairs with the other crops of its photo.
        same = views.images[q][:, None] == views.images[None, :]
        sims[same & ~(views.locked[q][:, None] | views.locked[None, :])] = -np.inf
        sims[np.arange(len(q)), q] = -np.inf
        best = np.maximum.reduceat(sims[:, order], starts, axis=1)
        own = best[:, np.searchsorted(product_ids, views.products[q])].diagonal()
        ranks += (1 + (best > own[:, None]).sum(axis=1)).tolist()
    return np.asarray(ranks, np.float64)


# --- training ----------------------------------------------------------------------------------------------
def fit(views: Views, train_products: set[int], params: AdapterParams, *, epochs: int | None = None,
        validate: set[int] | None = None, progress: Progress | None = None, should_stop: ShouldStop | None = None,
        base_model_version: str = "") -> tuple[Adapter, dict[str, Any]]:
    """InfoNCE over views of the training products; with `validate`, the best epoch on those products' views
    (searched against the whole catalog) is kept. Only crops of `train_products` are ever in a gradient."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    from core.models.threads import apply as apply_thread_policy

    apply_thread_policy()
    epochs = params.epochs if epochs is None else epochs
    pairs = positive_pairs(views, train_products)
    if not pairs:
        raise ValueError("no product has two views to learn from (a second photo, or a curator's box)")
    gen = torch.Generator().manual_seed(params.seed)
    rng = np.random.default_rng(params.seed)
    d = views.vectors.shape[1]
    x = torch.from_numpy(np.ascontiguousarray(views.vectors))
    x = F.normalize(x, dim=-1)
    owners = torch.from_numpy(views.products)
    pool = np.flatnonzero(np.isin(views.products, list(train_products)))  # negatives: training crops only
    u = torch.nn.Parameter(torch.randn(d, params.rank, generator=gen) * (1.0 / d ** 0.5))
    v = torch.nn.Parameter(torch.zeros(params.rank, d))  # starts as the identity map
    opt = torch.optim.AdamW([u, v], lr=params.lr, weight_decay=params.weight_decay)

    def adapt(rows: torch.Tensor) -> torch.Tensor:
        return F.normalize(rows + (rows @ u) @ v, dim=-1)

    def snapshot() -> Adapter:
        return Adapter(u.detach().numpy().copy(), v.detach().numpy().copy(), base_model_version=base_model_version)

    products = sorted(pairs)
    history: list[dict[str, float]] = []
    best = (-1.0, 0, snapshot())
    if validate:
        score = view_retrieval(views, validate, lambda a: a)
        history.append({"epoch": 0, **score})
        best = (score["mrr"], 0, best[2])
    losses = []
    for epoch in range(1, epochs + 1):
        if should_stop and should_stop():
            break
        rng.shuffle(products)
        for start in range(0, len(products), params.batch_products):
            scheduling.checkpoint()
            batch = products[start:start + params.batch_products]
            chosen = [pairs[p][rng.integers(len(pairs[p]))] for p in batch]
            a = torch.from_numpy(np.array([c[0] for c in chosen]))
            p = torch.from_numpy(np.array([c[1] for c in chosen]))
            bank = torch.from_numpy(rng.choice(pool, size=min(params.negatives, len(pool)), replace=False))
            za, zp, zn = adapt(x[a]), adapt(x[p]), adapt(x[bank])
            own = owners[a][:, None] == owners[bank][None, :]  # a crop of the anchor's own product is no negative
            target = torch.arange(len(batch))
            la = torch.cat([za @ zp.T, (za @ zn.T).masked_fill(own, -1e4)], dim=1) / params.temperature
            lp = torch.cat([zp @ za.T, (zp @ zn.T).masked_fill(own, -1e4)], dim=1) / params.temperature
            loss = (F.cross_entropy(la, target) + F.cross_entropy(lp, target)) / 2
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        if validate and (epoch % params.eval_every == 0 or epoch == epochs):
            current = snapshot()
            score = view_retrieval(views, validate, current.apply)
            history.append({"epoch": epoch, "loss": round(losses[-1], 4), **score})
            if score["mrr"] >= best[0]:  # a tie goes to the later epoch: a saturated check must not stop training
                best = (score["mrr"], epoch, current)
        if progress:
            progress(epoch, epochs, f"epoch {epoch}/{epochs} loss {losses[-1]:.3f}")
    final = best[2] if validate else snapshot()
    return final, {"best_epoch": best[1] if validate else epochs, "history": history,
                   "final_loss": round(losses[-1], 4) if losses else None, "steps": len(losses),
                   "positive_products": len(pairs)}


# --- the job -----------------------------------------------------------------------------------------------
def adapt(catalog, *, params: AdapterParams | None = None, queries: Path | None = None,
          promote_if_better: bool = False, progress: Progress | None = None,
          should_stop: ShouldStop | None = None) -> dict[str, Any]:
    """Train an adapter for the active model version, build its index, judge it on the held-back split."""
    params = params or AdapterParams()
    started = time.perf_counter()
    # Training only reads: the writer lock is held for building the index and promoting, not for minutes.
    active = catalog.active_model_version()
    if not active:
        raise ValueError("nothing is indexed yet: index the catalog before training an adapter")
    active_settings = catalog.model_settings_for(active)
    current = Adapter.load(active_settings.adapter) if active_settings.adapter else None
    base = current.base_model_version if current else active
    info = db.VectorIndexInfo.get_or_none(db.VectorIndexInfo.model_version == base)
    if info is None:
        raise ValueError(f"the adapter's base model version {base} has no index any more: re-index with it first")
    job = db.transaction(lambda: db.Job.create(kind="adapt", state=JobState.RUNNING, started_at=db.utcnow(),
                                               heartbeat_at=db.utcnow(),
                                               params={"params": asdict(params), "base": base,
                                                       "queries": str(queries or "")}))
    try:
        report = _adapt(catalog, job, params, base, info, current, queries, progress, should_stop)
    except Exception as exc:
        job.state, job.error, job.finished_at = JobState.FAILED, f"{type(exc).__name__}: {exc}", db.utcnow()
        db.transaction(job.save)
        raise
    report["promoted"] = bool(report.get("complete") and promote_if_better and report["gate"]["wins"])
    if report["promoted"]:
        from core.ops.lifecycle import promote

        with catalog.writing():
            promote(catalog, report["model_version"])
    report["seconds"] = round(time.perf_counter() - started, 2)
    job.state = JobState.CANCELLED if report.get("cancelled") else JobState.SUCCEEDED
    job.finished_at, job.result = db.utcnow(), report
    db.transaction(job.save)
    report["job_id"] = job.id
    return report


def _adapt(catalog, job, params: AdapterParams, base: str, info, current: Adapter | None, queries: Path | None,
           progress: Progress | None, should_stop: ShouldStop | None) -> dict[str, Any]:
    def tell(done: int, total: int, message: str) -> None:
        job.progress, job.total, job.heartbeat_at, job.message = done, total, db.utcnow(), message
        db.transaction(lambda: job.save(only=[db.Job.progress, db.Job.total, db.Job.heartbeat_at, db.Job.message,
                                              db.Job.updated_at]))
        if progress:
            progress(done, total, message)

    views = load_views(catalog, base, info.preprocess_version)
    if not len(views):
        raise ValueError(f"the embedding cache holds no crop of {base}: index the catalog first")
    held, rule = held_back_products(queries)
    leaked = query_photo_shas(queries) if queries else set()
    is_query_photo = np.array([s in leaked for s in views.shas], bool)
    trainable = ~np.isin(views.products, list(held)) & ~is_query_photo
    train_products = set(views.products[trainable].tolist())
    # Leakage: crops of held-back products and of query photos are dropped from what training can see.
    train_views = views.subset(trainable)
    val = {p for p in train_products if _hash_share(str(p), VALIDATION_SIXTEENTHS, "adapter-validation")}
    total = 2 * params.epochs

    def first(done, _total, message):
        tell(done, total, f"choosing epochs: {message}")

    def second(done, _total, message):
        tell(params.epochs + done, total, f"training: {message}")

    t = time.perf_counter()
    val_pairs = positive_pairs(train_views, val)
    choice: dict[str, Any] = {"validation_products": len(val_pairs)}
    epochs = params.epochs
    if val_pairs and len(positive_pairs(train_views, train_products - val)):
        _, choice = fit(train_views, train_products - val, params,
                        validate=val, progress=first, should_stop=should_stop, base_model_version=base)
        epochs = max(1, choice["best_epoch"]) if choice["best_epoch"] else 0
    cancelled = bool(should_stop and should_stop())
    if cancelled:
        return {"complete": False, "cancelled": True, "reason": "cancelled", "model_version": None,
                "gate": {"wins": False}}
    if epochs == 0:  # the identity did best on the validation products: nothing learnt, say so
        return {"complete": False, "reason": "no epoch beat the plain embedder on the validation products",
                "choice": choice, "held_back": len(held), "held_back_rule": rule, "model_version": None,
                "gate": {"wins": False}, "cancelled": cancelled}
    adapter, fitted = fit(train_views, train_products, params, epochs=epochs, progress=second,
                          should_stop=should_stop, base_model_version=base)
    train_seconds = round(time.perf_counter() - t, 2)
    cancelled = bool(should_stop and should_stop())
    adapter.record = {"kind": "lowrank-residual-v1", "params": asdict(params), "epochs": epochs,
                      "base_model_version": base, "data_hash": data_hash(views, trainable),
                      "train_crops": int(trainable.sum()), "train_products": len(train_products),
                      "positive_products": fitted["positive_products"], "held_back_products": len(held),
                      "held_back_rule": rule, "query_photos_excluded": int(is_query_photo.sum()),
                      "queries": str(queries or ""), "train_seconds": train_seconds,
                      "validation": {k: choice.get(k) for k in ("best_epoch", "history", "validation_products")}}
    report: dict[str, Any] = {"model_version": adapter.model_version, "base_model_version": base,
                              "compared_with": catalog.active_model_version(), "cancelled": cancelled,
                              **{k: adapter.record[k] for k in ("data_hash", "epochs", "train_crops",
                                                                "train_products", "positive_products",
                                                                "held_back_products", "held_back_rule",
                                                                "query_photos_excluded", "train_seconds")},
                              "choice": choice.get("history", [])}
    if cancelled:
        return {**report, "complete": False}
    path = adapter.save(catalog.paths.root / "adapters" / f"{adapter.digest}.npz")
    tell(total, total, "building the adapted index")
    with catalog.writing():
        report["indexed"] = build_index(catalog, adapter, info, job, path)
    report["complete"] = report["indexed"]["missing"] == 0
    report["gate"] = judge(catalog, views, held, adapter, current, queries)
    adapter.record["gate"] = report["gate"]
    adapter.save(path)  # the file carries its own verdict too
    db.transaction(lambda: db.audit("train_adapter", adapter.model_version, **adapter.record))
    return report


def build_index(catalog, adapter: Adapter, base_info, job, path: Path) -> dict[str, int]:
    """The adapted version's index and cached crop vectors, mapped from the base model's cache (no photo read).

    Crops, primaries and labels stay the live ones (nothing is staged); each product gets an IndexingResult,
    so `index` later adds only new products, which it embeds through the adapter.
    """
    from core.pipeline.embed_cache import primary_of, product_crop_vectors
    from core.search import fusion

    version, base = adapter.model_version, base_info.model_version
    settings = copy.deepcopy(catalog.model_settings_for(base))
    settings.adapter = f"adapters/{path.name}"
    info = catalog.register_index(version, dim=adapter.dim, embedder=base_info.embedder,
                                  preprocess_version=base_info.preprocess_version, activate_if_none=False,
                                  model_settings=asdict(settings))
    base_fusion = (base_info.model_settings or {}).get("fusion") or {}
    if "colour_weight" in base_fusion and "colour_weight" not in fusion.fusion_settings(version):
        # The base's weight until `eval --tune-colour` chooses one for this version.
        fusion.record(version, colour_weight=base_fusion["colour_weight"], chosen_by=f"copied from {base}")
    store = catalog.vector_store(version, adapter.dim)
    cache = catalog.embedding_cache()
    ids = [p for (p,) in db.Product.select(db.Product.id).where(db.Product.status == "indexed").tuples()]
    done = missing = 0
    for chunk in db.chunked(ids, 500):
        scheduling.checkpoint()
        catalog.step_aside()  # a waiting writer (a curator's correction) goes first
        crops = product_crop_vectors(cache, chunk, base, base_info.preprocess_version)
        items, keys, vectors, results = [], [], [], []
        for pid in chunk:
            own = crops.get(pid) or []
            primary = primary_of(own)
            if primary is None:
                missing += 1  # not in the cache: `index` embeds it through the adapter later
                continue
            mapped = adapter.apply(np.stack([c.vector for c in own]))
            items += [((c.sha256, c.box), mapped[i]) for i, c in enumerate(own)]
            keys.append(pid)
            vectors.append(mapped[own.index(primary)])
            results.append({"job": job.id, "product": pid, "model_version": version,
                            "preprocess_version": base_info.preprocess_version, "primary_crop": primary.crop_id,
                            "status": "ok", "device": "cpu", "timings": {}})
        cache.put_many(items, version, base_info.preprocess_version)
        if keys:
            store.add(keys, np.stack(vectors))
            db.transaction(lambda results=results: db.IndexingResult.insert_many(results).execute())
        done += len(keys)
    catalog.save_vectors()
    if missing == 0 and info.state == "building":
        info.state = "ready"
        db.transaction(info.save)
    return {"products": done, "missing": missing}


def judge(catalog, views: Views, held: set[int], adapter: Adapter, current: Adapter | None,
          queries: Path | None) -> dict[str, Any]:
    """The candidate against the version that serves now, on held-back products only. Each judge with enough
    queries asks the promotion gate (`core.ops.gate`: a paired bootstrap of the per-query reciprocal rank); the
    candidate wins only when every such judge says it is better beyond noise (and is never judged on nothing).
    With a queries file it must also not find the same garment in another colour first more often."""
    from core.ops import gate as promotion

    now = current.apply if current is not None else (lambda a: a)
    ranks_now, ranks_new = view_ranks(views, held, now), view_ranks(views, held, adapter.apply)
    gate: dict[str, Any] = {"views": {"current": _summary(ranks_now), "candidate": _summary(ranks_new)}}
    verdicts = []
    if len(ranks_now) >= MIN_GATE_QUERIES:
        verdict = promotion.compare(1.0 / ranks_now, 1.0 / ranks_new, metric="reciprocal rank",
                                    min_queries=MIN_GATE_QUERIES)
        gate["views"]["verdict"] = verdict.to_dict()
        verdicts.append(verdict.wins)
    if queries is not None:
        gate["queries"] = _judge_queries(catalog, adapter, queries)
        per_query = gate["queries"].pop("per_query")
        if len(per_query) >= MIN_GATE_QUERIES:
            verdict = promotion.compare([a for a, _ in per_query], [b for _, b in per_query],
                                        metric="reciprocal rank", min_queries=MIN_GATE_QUERIES)
            colour_ok = (gate["queries"]["candidate"].get("other_colour@1", 0)
                         <= gate["queries"]["current"].get("other_colour@1", 0))
            gate["queries"]["verdict"] = verdict.to_dict()
            verdicts.append(verdict.wins and colour_ok)
    gate["wins"] = bool(verdicts) and all(verdicts)
    ties = [gate[j]["verdict"]["reason"].startswith("a tie") for j in ("views", "queries")
            if "verdict" in gate.get(j, {})]
    gate["reason"] = ("better on the held-back split beyond noise" if gate["wins"] else
                      "too few held-back queries to judge it" if not verdicts else
                      "a tie on the held-back split: the current version stays" if ties and all(ties) else
                      "not better on the held-back split")
    return gate


def _judge_queries(catalog, adapter: Adapter, queries: Path) -> dict[str, Any]:
    """`eval` of the held-out queries for both versions, and their per-query reciprocal ranks, paired by line."""
    from core.models.registry import ModelRegistry
    from core.search.evaluate import evaluate
    from core.search.fusion import in_holdout

    out: dict[str, Any] = {}
    per_line: dict[str, dict[int, float]] = {}
    for name, version in (("current", catalog.active_model_version()), ("candidate", adapter.model_version)):
        registry = ModelRegistry(catalog.model_settings_for(version))
        try:
            result = evaluate(catalog, registry, queries, details=True,
                              only=lambda item: "query" in item and in_holdout(item))
        finally:
            registry.close()
        m = result["metrics"]
        out[name] = {"queries": result["queries"], "r@1": m["recall@1"], "mrr": m["mrr"],
                     "other_colour@1": m["same_garment_other_colour@1"]}
        per_line[name] = {r["line"]: float(r["mrr"]) for r in result.get("per_query", [])}
    # Paired: only the queries both versions answered (a query that failed for one is judged on neither).
    both = sorted(set(per_line["current"]) & set(per_line["candidate"]))
    out["per_query"] = [(per_line["current"][n], per_line["candidate"][n]) for n in both]
    return out
