"""The indexing engine: decode ahead, detect and embed in batches, pick primary crops, label, store.

One core function, `index_products`, with `progress(done, total, message)` and `should_stop()`. Every
product is written in its own transaction, so a cancelled or crashed run resumes with what is done:
products whose vector is already in this model version's index are not redone, and the embedding
cache means crops seen before are never embedded again.

A cancel is seen at the next batch boundary (between model calls of at most CPU_YIELD_IMAGES images on
CPU, between product writes): from then on nothing more is computed or written, so what Cancel waits for
is bounded by one model call or one product's write, never the rest of a batch.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core import scheduling
from core.catalog import crop_index, db
from core.catalog.catalog import Catalog
from core.models import threads
from core.pipeline.crops import CropCandidate, candidates_from_detections, remove_scenes, spec_for
from core.pipeline.decode import DecodeError, decode_reduced
from core.pipeline.primary import select_primary
from core.pipeline.validate import CentroidTracker, InvalidEmbedding, check_vectors

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
ShouldStop = Callable[[], bool]
STAGES = ("decode", "detect", "crops", "embed", "select", "label", "write")
SAVE_EVERY = 50  # products between vector-index saves
LOOKAHEAD_BATCHES = 2
# On CPU a model call over a whole batch can take a second; interactive work (a search) waits at most one
# call, so CPU calls are cut to a few images (ViT throughput on CPU barely depends on the batch size),
# and to one image while a curator is searching (ViT-B-32 int8 at load 12: 252 ms an image in calls of 4,
# 286 ms in calls of 1), so a search beside the job shares the cores with the rest of one image's call.
CPU_YIELD_IMAGES = 4
# CPU stages (crops, colours) run over the cores this many items a core at a time, with a yield point between
# (crops of one 640 px photo take ~35 ms on one core), so a search waits for no more than that.
FAN_OUT_PER_CORE = 2
# Photos are decoded no larger than this on the long side: the detector sees 640 px, crops become 224-518 px
# tensors, so a product filling a third of the frame still has its full resolution. Crop boxes are stored in
# original pixels. None decodes at full size (bench/big_photos.py --full-res measures the difference).
WORKING_SIDE: int | None = 1600


@dataclass
class IndexReport:
    products: int = 0
    images: int = 0
    crops: int = 0
    rejected_crops: int = 0
    outliers: int = 0
    failed: int = 0
    skipped: int = 0
    cached_crops: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    model_version: str = ""
    preprocess_version: str = ""
    device: str = ""
    cancelled: bool = False
    drift_alarms: int = 0
    detector_reason: str = ""  # why no detector ran (off, missing or untrusted weights); "" when one did
    new_vectors: list[np.ndarray] = field(default_factory=list, repr=False)

    def to_cli_dict(self) -> dict[str, Any]:
        return {"indexed": self.products, "crops": self.crops, "rejected_crops": self.rejected_crops,
                "outliers": self.outliers, "cached_crops": self.cached_crops, "failed": self.failed,
                "model_version": self.model_version, "preprocess_version": self.preprocess_version,
                "device": self.device, "stages": {k: round(v, 3) for k, v in self.stages.items()},
                "drift_alarms": self.drift_alarms, "detector_reason": self.detector_reason,
                "cancelled": self.cancelled}

    def to_dict(self) -> dict[str, Any]:
        return {**self.to_cli_dict(), "images": self.images, "errors": self.errors, "warnings": self.warnings,
                "seconds": round(self.seconds, 3)}


@dataclass
class _ImageWork:
    image_id: int
    sha256: str
    path: Path
    name: str
    shown: str = ""  # where the curator's file came from, relative to the dropped folder's parent
    pixels: np.ndarray | None = None  # at most WORKING_SIDE on the long side
    scale: tuple[float, float] = (1.0, 1.0)  # original pixels per working pixel, x and y
    error: str = ""
    candidates: list[CropCandidate] = field(default_factory=list)

    def working_box(self, box) -> tuple[float, float, float, float]:
        sx, sy = self.scale
        return box[0] / sx, box[1] / sy, box[2] / sx, box[3] / sy


@dataclass
class _ProductWork:
    product_id: int
    sku: str
    text: str
    images: list[_ImageWork]
    decode_seconds: float = 0.0
    folder: str = ""  # the product's folder as the curator dropped it

    @property
    def shown(self) -> str:
        return self.folder or self.sku


def products_to_index(catalog: Catalog, model_version: str, preprocess_version: str,
                      product_ids: list[int] | None = None) -> list[int]:
    """Explicit ids, else every live product without a vector from this model and preprocessing."""
    if product_ids is not None:
        return [p.id for p in db.Product.select(db.Product.id).where(db.Product.id.in_(product_ids))]
    try:
        have = set(catalog.vector_store(model_version).keys().tolist())
    except FileNotFoundError:
        have = set()
    results = db.IndexingResult.select(db.IndexingResult.product, db.IndexingResult.status).where(
        (db.IndexingResult.model_version == model_version)
        & (db.IndexingResult.preprocess_version == preprocess_version))
    current, failed_here = set(), set()
    for r in results:
        (current if r.status == "ok" else failed_here).add(r.product_id)
    rows = db.Product.select(db.Product.id, db.Product.status).order_by(db.Product.id)
    return [p.id for p in rows
            if not (p.status == "indexed" and p.id in have and p.id in current)
            and not (p.status == "error" and p.id in failed_here)]


def _load_work(catalog: Catalog, product_ids: list[int]) -> list[_ProductWork]:
    products = {p.id: p for p in db.Product.select().where(db.Product.id.in_(product_ids))}
    images: dict[int, list[_ImageWork]] = defaultdict(list)
    for image in (db.ImageFile.select().where(db.ImageFile.product.in_(product_ids) & (db.ImageFile.status == "ok"))
                  .order_by(db.ImageFile.position)):
        images[image.product_id].append(_ImageWork(image.id, image.sha256, catalog.root / image.blob_path,
                                                   image.original_name, image.original_path or image.original_name))
    return [_ProductWork(pid, products[pid].sku, products[pid].text, images[pid],
                         folder=products[pid].source_folder) for pid in product_ids if pid in products]


class _Cancelled(Exception):
    """The job was cancelled; raised at a batch boundary. `finished`: products of the group already written."""

    finished = 0


def _boundary(should_stop: ShouldStop | None) -> None:
    """A batch boundary: interactive work that waits runs here, and a cancel stops the job here."""
    scheduling.checkpoint()
    if should_stop is not None and should_stop():
        raise _Cancelled


def _decode_product(item: _ProductWork, stop: threading.Event | None = None) -> _ProductWork:
    for image in item.images:
        scheduling.wait_while_interactive(stop=stop)  # leave the cores to a search that waits or runs
        if stop is not None and stop.is_set():  # cancelled: the job will not use this product
            break
        try:
            with threads.decoding():  # between the job's model calls (core/models/threads.py)
                started = time.perf_counter()  # decoding itself, not the wait for a model call
                try:
                    image.pixels, sx, sy = decode_reduced(image.path, WORKING_SIDE)
                finally:
                    item.decode_seconds += time.perf_counter() - started
            image.scale = (sx, sy)
        except DecodeError as exc:
            image.error = exc.reason
        except OSError as exc:
            image.error = f"cannot read stored image: {exc.strerror or exc}"
        except Exception as exc:  # noqa: BLE001 - one odd file costs that file, never the job
            log.exception("decoding %s failed", image.shown)
            image.error = f"cannot decode: {type(exc).__name__}: {exc}"
    return item


def _decoder(work: list[_ProductWork], out: queue.Queue, stop: threading.Event, workers: int = 1) -> None:
    """Decode images ahead of the model so it never waits for JPEG decoding (rclip's lookahead).

    `workers` products decode at once (the threading policy's decode threads); they reach `out` in order,
    and at most 2 x workers are decoded beyond what `out` holds, so memory stays bounded.
    """
    pending: deque[Future] = deque()
    items = iter(work)
    try:
        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="decode") as pool:
            def submit_next() -> None:
                item = next(items, None)
                if item is not None and not stop.is_set():
                    pending.append(pool.submit(_decode_product, item, stop))

            for _ in range(2 * max(1, workers)):
                submit_next()
            while pending and not stop.is_set():
                item = pending.popleft().result()
                submit_next()
                while not stop.is_set():
                    try:
                        out.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
            for future in pending:
                future.cancel()
    finally:
        out.put(None)


def _next_decoded(q: queue.Queue, should_stop: ShouldStop | None = None) -> _ProductWork | None:
    """The next decoded product; while waiting for it, interactive work may run (the decoder pauses for it)."""
    while True:
        try:
            return q.get(timeout=0.02)
        except queue.Empty:
            _boundary(should_stop)


def index_products(catalog: Catalog, registry, *, product_ids: list[int] | None = None,
                   job: db.Job | None = None, progress: Progress | None = None,
                   should_stop: ShouldStop | None = None, batch_size: int | None = None) -> IndexReport:
    """Run the ML stages over products and store crops, labels, vectors and one IndexingResult each.

    The catalog's writer lock is held per batch, not per job: decoding, detection and embedding run without
    it, and it is taken only to write a batch's results (and to set up and finish), so a curator's correction
    or another process waits at most for one batch's write, never for the model work. What a batch writes
    reads the catalog as it is then (a crop a curator locked meanwhile is kept), and the vectors are saved
    before the lock is given back, so whoever takes it next sees them.
    """
    return _index_products(catalog, registry, product_ids=product_ids, job=job, progress=progress,
                           should_stop=should_stop, batch_size=batch_size)


def _done_elsewhere(ids: list[int], model_version: str, preprocess_version: str, job, since) -> set[int]:
    """Products another run indexed while this one waited for the lock (two indexers never redo each other)."""
    rows = db.IndexingResult.select(db.IndexingResult.product).where(
        db.IndexingResult.product.in_(ids) & (db.IndexingResult.model_version == model_version)
        & (db.IndexingResult.preprocess_version == preprocess_version) & (db.IndexingResult.created_at >= since)
        & (db.IndexingResult.status != "retry"))
    if job is not None:
        rows = rows.where((db.IndexingResult.job != job.id) | db.IndexingResult.job.is_null())
    return {r.product_id for r in rows}


def _index_products(catalog: Catalog, registry, *, product_ids: list[int] | None,
                    job: db.Job | None, progress: Progress | None,
                    should_stop: ShouldStop | None, batch_size: int | None) -> IndexReport:
    started = time.perf_counter()
    started_at = db.utcnow()
    settings = catalog.settings
    embedder = registry.embedder()
    detector = registry.detector()
    scene = _scene_detector(catalog, registry)
    spec = spec_for(embedder, settings.preprocess.expand_ratio)
    report = IndexReport(model_version=embedder.model_version, preprocess_version=spec.version,
                         device=str(embedder.device),
                         detector_reason="" if detector else getattr(registry, "detector_reason", str)())
    with catalog.writing():
        return _run_locked(catalog, registry, started, started_at, settings, embedder, detector, scene, spec,
                           report, product_ids=product_ids, job=job, progress=progress, should_stop=should_stop,
                           batch_size=batch_size)


def _run_locked(catalog: Catalog, registry, started: float, started_at, settings, embedder, detector, scene,
                spec, report: IndexReport, *, product_ids: list[int] | None, job: db.Job | None,
                progress: Progress | None, should_stop: ShouldStop | None, batch_size: int | None) -> IndexReport:
    """Set-up, each batch's writes and the finish hold the writer lock; each batch's wait for decoded photos
    and its model work run inside catalog.released()."""
    info = catalog.register_index(embedder.model_version, dim=embedder.dim, embedder=embedder.name,
                                  preprocess_version=spec.version, model_settings=asdict(registry.settings))
    if info.preprocess_version != spec.version:
        # Same model, new preprocessing: this index is rebuilt product by product (products_to_index).
        log.warning("preprocessing changed from %s to %s: re-indexing", info.preprocess_version, spec.version)
        info.preprocess_version = spec.version
        db.transaction(info.save)
    # A model version other than the active one is a candidate: its crops and labels are staged beside the
    # live ones (Crop/Label.staged_for) and switch at promote, so searches and curators never see them early.
    active = catalog.active_model_version()
    stage = embedder.model_version if active and active != embedder.model_version else ""
    store = catalog.vector_store(embedder.model_version, embedder.dim)
    cache = catalog.embedding_cache()
    labeller = _Labeller(catalog, embedder, settings.labels_threshold)
    _, existing = store.get(store.keys()[:5000])
    tracker = CentroidTracker.from_vectors(existing, embedder.dim)
    drift = _DriftWatch(existing, embedder.model_version, job)

    ids = products_to_index(catalog, embedder.model_version, spec.version, product_ids)
    report.skipped = 0 if product_ids is None else len(product_ids) - len(ids)
    work = _load_work(catalog, ids)
    total = len(work)
    batch_images = batch_size or settings.models.batch_size
    q: queue.Queue = queue.Queue(maxsize=max(2, LOOKAHEAD_BATCHES * batch_images // 4))
    stop = threading.Event()
    decoder = threading.Thread(target=_decoder, args=(work, q, stop, threads.current().decode), name="decode-ahead",
                               daemon=True)
    decoder.start()
    done = 0
    since_save = 0
    if progress:
        progress(0, total, "starting")
    try:
        finished = False
        while not finished and not report.cancelled:
            if should_stop and should_stop():
                report.cancelled = True
                break
            group: list[_ProductWork] = []
            n_images = 0
            computed = None
            with catalog.released():  # the model work of a batch never holds the writer lock
                try:
                    while n_images < batch_images:
                        item = _next_decoded(q, should_stop)
                        if item is None:
                            finished = True
                            break
                        group.append(item)
                        n_images += len(item.images)
                    if product_ids is None and group:
                        group, skipped = _skip_done_elsewhere(group, embedder, spec, job, started_at, report)
                        done += skipped
                    if group:
                        computed = _compute_group(group, catalog=catalog, embedder=embedder, detector=detector,
                                                  scene=scene, spec=spec, cache=cache, report=report,
                                                  batch_size=batch_images, should_stop=should_stop)
                except _Cancelled:  # nothing of this batch was written: it stays "imported" for the next run
                    report.cancelled = True
                    break
            if not group:
                if finished:
                    break
                continue
            # Written holding the lock; another run may have written some of these while this one computed.
            if product_ids is None:
                group, skipped = _skip_done_elsewhere(group, embedder, spec, job, started_at, report)
                done += skipped
                if not group:
                    continue
            crop_index.changing(catalog, [embedder.model_version])
            try:
                _write_group(group, computed, catalog=catalog, embedder=embedder, spec=spec, store=store,
                             labeller=labeller, tracker=tracker, report=report, job=job, stage=stage,
                             should_stop=should_stop)
            except _Cancelled as stopped:  # the products not yet written stay "imported" for the next run
                report.cancelled = True
                group = group[:stopped.finished]
            if not group:
                break
            # Every accepted view is searchable, not only the primary (core.catalog.crop_index).
            crop_index.sync_products(catalog, [p.product_id for p in group], [embedder.model_version])
            drift.check(group, report)
            done += len(group)
            since_save += len(group)
            if since_save >= SAVE_EVERY:
                catalog.save_vectors()  # readers in other processes see the progress (the generation moves)
                since_save = 0
            if job is not None:
                _touch_job(job, done, total)
            if progress:
                progress(done, total, group[-1].sku)
    finally:
        stop.set()
        while decoder.is_alive():
            with contextlib.suppress(queue.Empty):
                q.get(timeout=0.05)
        decoder.join()
        if store.dirty:
            catalog.save_vectors()
    if not stage:  # a candidate's trained labels are written when it is promoted
        _apply_label_heads(catalog, embedder.model_version, spec.version, ids, report)
    if not report.cancelled and info.state == "building" and len(store) >= db.Product.select().where(
            db.Product.status == "indexed").count():
        info.state = "ready"  # complete: the GUI and `models list` show it ready to serve or promote
        db.transaction(info.save)
    report.seconds = time.perf_counter() - started
    return report


class _DriftWatch:
    """Compares each batch's new primary vectors with the catalog's reference; records alarms."""

    MIN_REFERENCE = 100
    MIN_BATCH = 16

    def __init__(self, reference: np.ndarray, model_version: str, job) -> None:
        from core.ops.drift import DriftDetector

        self.model_version = model_version
        self.job = job
        self.pending: list[np.ndarray] = []
        self.detector = DriftDetector().fit(reference) if len(reference) >= self.MIN_REFERENCE else None

    def check(self, group: list[_ProductWork], report: IndexReport) -> None:
        if self.detector is None:
            return
        self.pending.extend(report.new_vectors)
        report.new_vectors.clear()
        if len(self.pending) < self.MIN_BATCH:
            return
        batch, self.pending = np.stack(self.pending), []
        result = self.detector.test(batch)
        if result.drift:
            report.drift_alarms += 1
            log.warning("drift alarm for %s: p=%.2g over %d vectors", self.model_version, result.p_value,
                        len(batch))
            db.transaction(lambda: db.DriftEvent.create(
                model_version=self.model_version, job=self.job, batch_size=len(batch), p_value=result.p_value,
                details={**result.to_dict(), "skus": [p.sku for p in group][:20]}))


def _touch_job(job: db.Job, done: int, total: int) -> None:
    job.progress, job.total, job.heartbeat_at = done, total, db.utcnow()
    db.transaction(lambda: job.save(only=[db.Job.progress, db.Job.total, db.Job.heartbeat_at, db.Job.updated_at]))


def _skip_done_elsewhere(group: list[_ProductWork], embedder, spec, job, started_at,
                         report: IndexReport) -> tuple[list[_ProductWork], int]:
    """The batch less the products another run indexed since this one started, and how many those were."""
    done_elsewhere = _done_elsewhere([p.product_id for p in group], embedder.model_version, spec.version, job,
                                     started_at)
    report.skipped += len(done_elsewhere)
    return [p for p in group if p.product_id not in done_elsewhere], len(done_elsewhere)


@dataclass
class _Computed:
    """A batch's model work, done without the writer lock, waiting to be written holding it."""

    images: list
    vectors: dict
    pixels: list
    batched: dict[str, float]


def _compute_group(group: list[_ProductWork], *, catalog, embedder, detector, spec, cache, report: IndexReport,
                   batch_size: int, scene=None, should_stop: ShouldStop | None = None) -> _Computed:
    """Detection, crops, embeddings, primary choice and colours: no catalog write (the embedding cache is
    its own file), so it runs without the writer lock."""
    stages = report.stages
    stages["decode"] += sum(p.decode_seconds for p in group)
    images = [im for p in group for im in p.images if im.pixels is not None]

    batched = {}  # seconds of the stages that run over the whole group, shared out per product below
    step = batch_size if str(embedder.device) != "cpu" else min(batch_size, CPU_YIELD_IMAGES)
    t = time.perf_counter()
    detections = []
    start = 0
    while start < len(images):
        size = _call_size(step, embedder)
        detections += _detect(detector, images[start:start + size])
        start += size
        _boundary(should_stop)
    batched["detect"] = time.perf_counter() - t

    t = time.perf_counter()
    quality = catalog.settings.quality

    def crop(pair: tuple[_ImageWork, list]) -> None:
        im, dets = pair
        try:
            im.candidates = candidates_from_detections(im.pixels, dets, spec, quality, scale=im.scale)
        except Exception as exc:  # noqa: BLE001
            log.exception("crops of %s failed", im.shown)
            im.error, im.pixels, im.candidates = f"cannot crop: {type(exc).__name__}: {exc}", None, []

    _in_steps(crop, [(im, dets) for im, dets in zip(images, detections, strict=True) if im.pixels is not None],
              should_stop)
    _boundary(should_stop)
    if scene is not None:
        _localise_scenes(scene, images, spec, catalog.settings.quality)
    batched["crops"] = time.perf_counter() - t

    t = time.perf_counter()
    accepted = [(im, c) for im in images for c in im.candidates if c.verdict == "accepted"]
    keys = [(im.sha256, c.int_box) for im, c in accepted]
    known = cache.get_many(keys, embedder.model_version, spec.version)
    for (_, c), k in zip(accepted, keys, strict=True):  # a masked crop is embedded again: the cache may hold
        if c.mask is not None:                           # its vector from before the scene was removed
            known.pop(k, None)
    report.cached_crops += len(known)
    todo, queued = [], set()
    for i, k in enumerate(keys):
        if k not in known and k not in queued:  # the same file in two products is embedded once
            todo.append(i)
            queued.add(k)
    vectors: dict[tuple, np.ndarray] = dict(known)
    start = 0
    while start < len(todo):
        _boundary(should_stop)
        size = _call_size(step, embedder)
        chunk, start = todo[start:start + size], start + size
        batch = np.stack([accepted[i][1].tensor for i in chunk])
        try:
            with threads.all_cores():
                out = check_vectors(embedder.embed_images(batch), embedder.dim)
        except InvalidEmbedding as exc:
            for i in chunk:
                accepted[i][1].verdict, accepted[i][1].reason = "rejected", f"embedding failed its checks: {exc}"
            continue
        fresh = [(keys[i], out[j]) for j, i in enumerate(chunk)]
        cache.put_many(fresh, embedder.model_version, spec.version)
        vectors.update(fresh)
    # The product text only decides between views: a product with one usable crop needs no text vector.
    choosing = [n for n, p in enumerate(group) if _views_to_choose_from(p, vectors) > 1]
    chosen = _text_vectors(embedder, [group[n].text for n in choosing], step, should_stop)
    text_vectors = dict(zip(choosing, chosen, strict=True)) if chosen is not None else {}
    batched["embed"] = time.perf_counter() - t
    for key, seconds in batched.items():
        stages[key] += seconds

    # Primary choice and colours need no database: they run side by side over the cores, a few products at
    # a time; the writes below stay on this thread.
    t = time.perf_counter()
    pixels = _in_steps(lambda n: _pixel_work(group[n], text_vectors.get(n), vectors), list(range(len(group))),
                       should_stop)  # a cancel here writes none of the group (_Cancelled.finished = 0)
    batched["label"] = time.perf_counter() - t
    stages["label"] += batched["label"]
    return _Computed(images, vectors, pixels, batched)


def _write_group(group: list[_ProductWork], computed: _Computed, *, catalog, embedder, spec, store, labeller,
                 tracker, report: IndexReport, job, stage: str = "", should_stop: ShouldStop | None = None) -> None:
    """The batch's crops, labels, vectors and results, holding the writer lock."""
    images, vectors, pixels, batched = computed.images, computed.vectors, computed.pixels, computed.batched
    for n, product in enumerate(group):
        try:
            _boundary(should_stop)
        except _Cancelled as stopped:
            stopped.finished = n
            raise
        # Each product's IndexingResult carries its share of the batched stages (by its decoded images),
        # so per-product seconds (health, SLA) count detection and embedding too.
        own = sum(1 for im in product.images if im.pixels is not None)
        share = own / len(images) if images else 1.0 / len(group)
        try:
            if isinstance(pixels[n], BaseException):
                raise pixels[n]
            _finish_product(product, pixels[n], vectors=vectors,
                            catalog=catalog, embedder=embedder, spec=spec, store=store, labeller=labeller,
                            tracker=tracker, report=report, job=job, stage=stage,
                            batched={key: seconds * share for key, seconds in batched.items()})
        except Exception as exc:  # one product's failure never stops the job
            from core.jobs import is_transient, plain_cause

            log.exception("indexing %s failed", product.sku)
            report.failed += 1
            if is_transient(exc):  # disk full, database locked: the product stays "to do" for the next run
                report.errors.append({"path": product.shown,
                                      "reason": f"not indexed, will retry on the next run: {plain_cause(exc)}"})
                try:
                    _record_failure(product, plain_cause(exc), report, job, stage, retry=True)
                except Exception:  # the same cause may refuse this write too; the product is still "to do"
                    log.warning("could not record the failure of %s", product.sku)
            else:
                report.errors.append({"path": product.shown,
                                      "reason": f"indexing failed: {type(exc).__name__}: {exc}"})
                try:
                    _record_failure(product, str(exc), report, job, stage)
                except Exception:  # noqa: BLE001 - the error is in the report; the product is retried next run
                    log.exception("recording the failure of %s failed", product.sku)


def _in_steps(fn: Callable[[Any], Any], items: list, should_stop: ShouldStop | None) -> list:
    """`fn` over `items` on every core (threads.fan_out inside threads.all_cores), FAN_OUT_PER_CORE items a core
    at a time with a yield point between, so a search never waits for a whole group's CPU stage; items not yet
    started wait while a search runs beside the job, which then shares the cores with the items in flight only."""
    out: list = []
    step = FAN_OUT_PER_CORE * threads.current().cores

    def item_when_free(item):  # an item not yet started waits while a search runs beside the job
        scheduling.wait_while_beside()
        return fn(item)

    for start in range(0, len(items), step):
        if start:
            _boundary(should_stop)
        with threads.all_cores():
            out += threads.fan_out(item_when_free, items[start:start + step])
    return out


def _scene_detector(catalog, registry):
    """The catalog's promoted product detector, for photos without a plain background (None: none promoted)."""
    if catalog.settings.models.localiser == "proposals" or not hasattr(registry, "product_detector"):
        return None
    from core.ops.product_detector import active_detector

    return registry.product_detector(active_detector(catalog))


SCENE_MIN_CONFIDENCE = 0.25  # propose_boxes' own bar for a detector box


def _localise_scenes(scene, images: list[_ImageWork], spec, quality) -> None:
    """A lifestyle or outfit photo (only the whole photo left as its crop) gets the trained detector's boxes."""
    from core.models.detector import Detection

    for im in images:
        if im.pixels is None or any(c.source != "full" for c in im.candidates if c.verdict == "accepted"):
            continue
        try:
            with threads.all_cores():
                found = [Detection(d.box, "product", d.confidence, "trained") for d in scene.detect([im.pixels])[0]
                         if d.confidence >= SCENE_MIN_CONFIDENCE]
        except Exception:  # noqa: BLE001 - the whole photo stays its crop
            log.exception("the product detector failed on %s", im.shown)
            continue
        boxes = candidates_from_detections(im.pixels, found, spec, quality, scale=im.scale) if found else []
        if any(c.verdict == "accepted" for c in boxes):  # else the whole photo stays: never fewer crops than before
            im.candidates = boxes
            remove_scenes(im.pixels, im.candidates, spec, im.scale)  # the product's pixels only, as for queries
        scheduling.checkpoint()


def _call_size(step: int, embedder) -> int:
    """Images in the next model call: `step`, or one on CPU while a curator is searching."""
    if str(embedder.device) == "cpu" and scheduling.interactive_recent():
        return 1
    return step


def _detect(detector, images: list[_ImageWork]) -> list[list]:
    """Detections per image; when the batch fails, image by image, so one bad image costs only itself."""
    if detector is None or not images:
        return [[] for _ in images]
    try:
        with threads.all_cores():
            return detector.detect([im.pixels for im in images])
    except Exception:  # noqa: BLE001
        log.exception("batched detection failed; retrying image by image")
    out = []
    for im in images:
        try:
            with threads.all_cores():
                out.append(detector.detect([im.pixels])[0])
        except Exception as exc:  # noqa: BLE001
            log.exception("detection on %s failed", im.shown)
            im.error, im.pixels = f"detection failed: {type(exc).__name__}: {exc}", None
            out.append([])
    return out


def _views_to_choose_from(product: _ProductWork, vectors: dict) -> int:
    """Accepted crops of the product that have a vector: the candidates for its primary crop."""
    return sum(1 for im in product.images for c in im.candidates
               if c.verdict == "accepted" and (im.sha256, c.int_box) in vectors)


def _text_vectors(embedder, texts: list[str], step: int,
                  should_stop: ShouldStop | None = None) -> np.ndarray | None:
    """The group's product texts, embedded `step` at a time with a yield point between (see CPU_YIELD_IMAGES)."""
    if not getattr(embedder, "supports_text", False):
        return None
    parts = []
    for start in range(0, len(texts), step):
        _boundary(should_stop)
        with threads.all_cores():
            parts.append(embedder.embed_texts([t or " " for t in texts[start:start + step]]))
    return np.concatenate(parts) if parts else None


def _apply_label_heads(catalog: Catalog, model_version: str, preprocess_version: str, product_ids: list[int],
                       report: IndexReport) -> None:
    """Trained label heads that beat the automatic labels label the new products too."""
    from core.ops.label_heads import apply_heads

    try:
        apply_heads(catalog, model_version, preprocess_version, product_ids)
    except Exception as exc:  # labels are extra: a failure here must not fail the indexed products
        log.exception("label heads not applied")
        report.errors.append({"path": "label heads", "reason": f"trained labels not written: {exc}"})


class _Labeller:
    """Zero-shot labels when the embedder reads text; colour labels from pixels always."""

    def __init__(self, catalog: Catalog, embedder, threshold: float) -> None:
        self.threshold = threshold
        self.bank = None
        self.reason = ""
        if getattr(embedder, "supports_text", False):
            from core.models.labels import LabelBank

            self.bank = LabelBank(embedder, catalog.paths.cache / "labels")
        else:
            self.reason = getattr(embedder, "text_unavailable_reason", "the embedder has no text model")

    def zero_shot(self, vectors: np.ndarray) -> list[list[tuple[str, str, float]]]:
        if self.bank is None or not len(vectors):
            return [[] for _ in range(len(vectors))]
        return self.bank.zero_shot(vectors, self.threshold)


@dataclass
class _PixelWork:
    """What a product's pixels and vectors decide without the database: its primary crop and colours."""

    accepted: list[tuple[_ImageWork, CropCandidate]]  # accepted crops with a vector, the primary's candidates
    mat: np.ndarray | None  # their vectors
    choice: Any  # core.pipeline.primary.PrimaryChoice, or None without an accepted crop
    colours: list[tuple[str, float]]  # the primary crop's dominant colours
    signatures: dict[int, dict]  # colour signature per accepted candidate (by id)
    select_seconds: float


def _pixel_work(product: _ProductWork, text_vector, vectors) -> _PixelWork | BaseException:
    """The primary choice and colours of one product (run side by side: no database, no shared state).
    An error is returned, not raised, so that it fails this product only (in _write_group)."""
    from core.pipeline.colors import colour_signature, dominant_colours

    try:
        accepted = [(im, c) for im in product.images for c in im.candidates
                    if c.verdict == "accepted" and (im.sha256, c.int_box) in vectors]
        t = time.perf_counter()
        mat, choice = None, None
        if accepted:
            mat = np.stack([vectors[(im.sha256, c.int_box)] for im, c in accepted])
            shares = [c.metrics.get("area_share", 1.0) for _, c in accepted]
            positions = {im.image_id: n for n, im in enumerate(product.images)}
            choice = select_primary(mat, confidences=[c.detector_confidence or 0.5 for _, c in accepted],
                                    area_shares=shares, text_vector=text_vector,
                                    positions=[positions[im.image_id] for im, _ in accepted])
        select_seconds = time.perf_counter() - t
        colours: list[tuple[str, float]] = []
        if choice is not None:
            im, c = accepted[choice.index]
            colours = dominant_colours(im.pixels, box=im.working_box(c.box))
        # Measured once here, compared at every search (the re-ranker's colour match).
        signatures = {id(c): colour_signature(im.pixels, im.working_box(c.box), mask=c.mask) for im, c in accepted}
        return _PixelWork(accepted, mat, choice, colours, signatures, select_seconds)
    except Exception as exc:  # noqa: BLE001 - handed back to the product's own error handling
        log.exception("colours of %s failed", product.sku)
        return exc


def _finish_product(product: _ProductWork, pixels: _PixelWork, *, vectors, catalog, embedder, spec, store,
                    labeller, tracker, report: IndexReport, job, batched: dict[str, float] | None = None,
                    stage: str = "") -> None:
    timings = dict.fromkeys(STAGES, 0.0)
    timings.update(batched or {})
    timings["decode"] = product.decode_seconds
    for im in product.images:
        if im.error:
            report.errors.append({"path": im.shown, "reason": im.error})
        elif im.candidates and all(c.verdict != "accepted" for c in im.candidates):
            reasons = "; ".join(sorted({c.reason for c in im.candidates if c.reason}))
            report.warnings.append({"path": im.shown, "reason": f"no usable crop in this photo: {reasons}"})
    locked = _locked_crops(product.product_id)
    entries = [(im, c) for im in product.images for c in im.candidates]
    accepted, mat, choice = pixels.accepted, pixels.mat, pixels.choice
    colours, signatures = pixels.colours, pixels.signatures
    report.images += sum(1 for im in product.images if im.pixels is not None)

    t = time.perf_counter()
    if accepted:
        outlier_flags = tracker.outliers(mat)
        tracker.update(mat)
    timings["select"] = pixels.select_seconds + time.perf_counter() - t

    t = time.perf_counter()
    labels = labeller.zero_shot(mat) if accepted else []
    zero_shot_seconds = time.perf_counter() - t
    timings["label"] = timings.get("label", 0.0) + zero_shot_seconds  # colours: the batched share

    t = time.perf_counter()
    locked_primary = next((c for c in locked if c.is_primary), None)
    for crop in locked:  # a curator's other boxes stay searchable views under this model version too
        if crop is not locked_primary and crop.verdict == "accepted":
            _locked_vector(crop, product, vectors, embedder, spec, catalog)

    def write() -> tuple[int | None, np.ndarray | None]:
        images = [im.image_id for im in product.images]
        # Only rows of the same stage are replaced: a candidate's run never touches the live catalog.
        db.Crop.update(deleted_at=db.utcnow()).where(
            db.Crop.image.in_(images) & (db.Crop.curator_locked == False)  # noqa: E712
            & db.Crop.deleted_at.is_null() & (db.Crop.staged_for == stage)).execute()
        db.Label.update(deleted_at=db.utcnow()).where(
            (db.Label.product == product.product_id) & db.Label.source.in_(["zero-shot", "pixels"])
            & db.Label.deleted_at.is_null() & (db.Label.staged_for == stage)).execute()
        for im in product.images:
            if im.error:
                db.ImageFile.update(status="error", error=im.error).where(db.ImageFile.id == im.image_id).execute()
        # Each crop is written once, with its selection fields; labels go in one statement (a crop inserted
        # then updated, and a label per statement, were half of the write stage's SQL building).
        chosen = {id(c): n for n, (_, c) in enumerate(accepted)}
        primary_row, primary_vec = None, None
        label_rows: list[dict] = []
        for im, c in entries:
            n = chosen.get(id(c))
            selection = {} if n is None else {
                "primary_score": choice.scores[n], "outlier": bool(outlier_flags[n]),
                "score_parts": {**choice.parts[n], "method": choice.method, "margin": choice.margin},
                "is_primary": locked_primary is None and n == choice.index}
            row = db.Crop.create(
                image=im.image_id, x0=c.box[0], y0=c.box[1], x1=c.box[2], y1=c.box[3], source=c.source,
                detector_class=c.detector_class, detector_confidence=c.detector_confidence, metrics=c.metrics,
                verdict=c.verdict, reason=c.reason, model_version=embedder.model_version,
                preprocess_version=spec.version, staged_for=stage,
                colour=signatures.get(id(c), {}), **selection)
            report.crops += c.verdict == "accepted"
            report.rejected_crops += c.verdict != "accepted"
            if n is None:
                continue
            report.outliers += row.outlier
            if row.is_primary:
                primary_row, primary_vec = row, vectors[(im.sha256, c.int_box)]
            # Colours come from the product's own pixels when there are any (the studio backdrop left out):
            # a zero-shot guess sees the whole crop, so a black tee on white was "colours: white".
            label_rows += [{"product": product.product_id, "crop": row.id, "vocabulary": vocab, "value": value,
                            "score": score, "source": "zero-shot", "model_version": embedder.model_version,
                            "staged_for": stage} for vocab, value, score in labels[n]
                           if not (vocab == "colours" and colours)]
        if primary_row is not None:
            label_rows += [{"product": product.product_id, "crop": primary_row.id, "vocabulary": "colours",
                            "value": name, "score": share, "source": "pixels", "model_version": "",
                            "staged_for": stage} for name, share in colours]
        for chunk in db.chunked(label_rows, 100):  # SQLite caps the variables in one statement
            db.Label.insert_many(chunk).execute()
        if locked_primary is not None:
            # A curator's choice always wins over the automatic one.
            primary_row = locked_primary
            primary_vec = _locked_vector(locked_primary, product, vectors, embedder, spec, catalog)
        status = "ok" if primary_row is not None else "error"
        error = "" if primary_row is not None else _no_crop_reason(product, entries)
        db.IndexingResult.create(job=job, product=product.product_id, model_version=embedder.model_version,
                                 preprocess_version=spec.version, primary_crop=primary_row, timings=timings,
                                 device=str(embedder.device), status=status, error=error)
        if not stage:  # a candidate's outcome becomes the product's status at promote
            db.Product.update(status="indexed" if primary_row is not None else "error").where(
                db.Product.id == product.product_id).execute()
        return (primary_row.id if primary_row else None), primary_vec

    primary_id, primary_vec = db.transaction(write)
    if primary_vec is not None:
        store.add([product.product_id], primary_vec[None, :])
        report.new_vectors.append(primary_vec)
        report.products += 1
    else:
        report.failed += 1
        report.errors.append({"path": product.shown, "reason": _no_crop_reason(product, entries)})
    timings["write"] = time.perf_counter() - t
    report.stages["select"] += timings["select"]
    report.stages["label"] += zero_shot_seconds  # the colours' wall time was added for the whole group
    report.stages["write"] += timings["write"]


def _locked_crops(product_id: int) -> list[db.Crop]:
    return list(db.Crop.select().join(db.ImageFile).where(
        (db.ImageFile.product == product_id) & (db.Crop.curator_locked == True)))  # noqa: E712


def _locked_vector(crop: db.Crop, product: _ProductWork, vectors, embedder, spec, catalog) -> np.ndarray | None:
    """The vector of a curator's crop: from the cache, else embedded now and cached (the crop index and
    `check` read every searchable crop's vector from the cache)."""
    from core.pipeline.preprocess import preprocess

    image = next((im for im in product.images if im.image_id == crop.image_id), None)
    if image is None or image.pixels is None:
        return None
    key = (image.sha256, tuple(int(round(v)) for v in crop.box))
    if key in vectors:
        return vectors[key]
    known = catalog.embedding_cache().get_many([key], embedder.model_version, spec.version)
    if key in known:
        return known[key]
    tensor = preprocess(image.pixels, image.working_box(crop.box), spec).tensor
    with threads.all_cores():
        vector = check_vectors(embedder.embed_images(tensor[None]), embedder.dim)[0]
    catalog.embedding_cache().put_many([(key, vector)], embedder.model_version, spec.version)
    return vector


def _no_crop_reason(product: _ProductWork, entries) -> str:
    if not product.images:
        return "no readable image in the product folder"
    if all(im.pixels is None for im in product.images):
        return "no image could be decoded: " + "; ".join(f"{im.name}: {im.error}" for im in product.images)
    reasons = sorted({c.reason for _, c in entries if c.reason})
    return "every crop was rejected: " + "; ".join(reasons) if reasons else "no usable crop"


def _record_failure(product: _ProductWork, error: str, report: IndexReport, job, stage: str = "",
                    retry: bool = False) -> None:
    def write() -> None:
        db.IndexingResult.create(job=job, product=product.product_id, model_version=report.model_version,
                                 preprocess_version=report.preprocess_version, status="retry" if retry else "error",
                                 error=error, device=report.device)
        if not stage:
            db.Product.update(status="imported" if retry else "error").where(
                db.Product.id == product.product_id).execute()
    db.transaction(write)
