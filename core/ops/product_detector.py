"""The catalog's own product detector: trained from its studio cut-outs and curators' boxes, versioned, promoted.

`train_detector` writes synthetic scenes (core.ops.scenes) plus every box a curator drew or moved, trains a
one-class YOLO from `resources/models/product_detector.yaml` (no downloaded weights), and scores it on a
held-back split: scenes made only from products the training never saw. It is promoted only when its best box
fits better than the current localiser's on those scenes (the promoted detector, else the catalog-scored
proposals, else the whole photo) beyond noise, by the promotion gate (`core.ops.gate`: a paired bootstrap of the
per-scene IoU), and finds the product (IoU ≥ 0.5) in at least as many scenes. Each version is a
.pt with a JSON manifest in `<catalog>/detectors/`; `active.json` names the promoted one. The app trusts the
file it trained (sha256). A retrain continues from the promoted detector over new scenes (`training_start`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import socket
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.fileio import atomic_write_json, atomic_writer, file_sha256
from core.ops.scenes import Cutout, compose, cutout, scene_size, user_photos

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
ShouldStop = Callable[[], bool]
HOLDOUT_EVERY = 7  # products whose sku hashes to 0 mod this are held back from training (about 1 in 7)
CURATOR_REPEAT = 4  # a curator's box is worth this many synthetic scenes (augmented differently each epoch)
SCENE_LONG_SIDE = 480
PROMOTE_IOU = 0.5
RETRAIN_AFTER_BOXES = 20  # curator box corrections since the active detector's training that make a retrain due
BOX_KINDS = ("move_box", "new_box")


def detectors_dir(catalog) -> Path:
    return catalog.root / "detectors"


def active_detector(catalog) -> Path | None:
    """The promoted detector's weights, or None (never trained, or its file is gone)."""
    try:
        record = json.loads((detectors_dir(catalog) / "active.json").read_text(encoding="utf-8"))
        path = detectors_dir(catalog) / f"{record['version']}.pt"
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return path if path.is_file() else None


def detector_versions(catalog) -> list[dict[str, Any]]:
    """Every trained detector's manifest, oldest first, with `active` set on the promoted one."""
    active = active_detector(catalog)
    rows = []
    for manifest in sorted(detectors_dir(catalog).glob("product-*.json")):
        try:
            row = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        row["active"] = active is not None and active.stem == row.get("version")
        rows.append(row)
    return sorted(rows, key=lambda r: r.get("created_at", ""))


def promote_detector(catalog, version: str) -> None:
    folder = detectors_dir(catalog)
    if not (folder / f"{version}.pt").is_file():
        raise KeyError(f"no trained detector {version!r} in {folder}")
    # Full precision: photos localised before this instant are the ones `relocalise_scenes` redoes.
    _atomic_json(folder / "active.json", {"version": version, "at": dt.datetime.now(dt.UTC).isoformat()})


def box_corrections(catalog) -> int:
    from core.catalog import db

    return db.Correction.select().where(db.Correction.kind.in_(BOX_KINDS)).count()


def retrain_due(catalog, every: int = RETRAIN_AFTER_BOXES) -> dict[str, Any]:
    """How many boxes curators drew or moved since the active detector was trained, and whether to retrain.

    Due once a detector was trained before (the first training is the curator's choice: minutes on a GPU, an
    hour on a CPU) and `every` boxes were corrected since the last training *attempt*, whatever its outcome: a
    candidate that lost, failed or was cancelled already saw those boxes, and retrying at once would loop.
    """
    from core.catalog import db

    active = active_detector(catalog)
    trained_with = 0
    if active is not None:
        try:
            trained_with = int(json.loads(active.with_suffix(".json").read_text(encoding="utf-8"))
                               .get("box_corrections", 0))
        except (OSError, ValueError, TypeError):
            trained_with = 0
    total = box_corrections(catalog)
    last = db.Job.select().where(db.Job.kind == "train_detector").order_by(db.Job.id.desc()).first()
    tried_with = trained_with
    if last is not None:
        recorded = (last.result or {}).get("box_corrections", (last.params or {}).get("box_corrections"))
        tried_with = int(recorded) if isinstance(recorded, int) else trained_with
    trained_before = active is not None or last is not None or any(detectors_dir(catalog).glob("product-*.pt"))
    since_try = total - tried_with
    return {"box_corrections": total, "box_corrections_since": total - trained_with, "since_last_training": since_try,
            "every": every,
            "due": trained_before and since_try >= every}


def training_start(catalog, continue_training: bool = True) -> dict[str, Any]:
    """Where the next training starts: the promoted detector's weights when `continue_training` and one is
    promoted (a retrain adds passes over new scenes and the curators' boxes to what it learnt), else from
    scratch; and the scenes' seed, one per attempt, so a continued run never sees the same scenes again."""
    from core.catalog import db

    attempts = db.Job.select().where(db.Job.kind == "train_detector").count()
    return {"start_from": active_detector(catalog) if continue_training else None, "seed": int(attempts)}


def overview(catalog, every: int = RETRAIN_AFTER_BOXES) -> dict[str, Any]:
    """What the Models page shows: the versions (newest first), the active one, the retrain count, what to redo."""
    versions = detector_versions(catalog)[::-1]
    active = active_detector(catalog)
    if active is not None and not any(v["active"] for v in versions):  # promoted by hand, without a manifest
        versions.insert(0, {"version": active.stem, "active": True})
    return {"versions": versions, "active": next((v for v in versions if v["active"]), None),
            "retrain": retrain_due(catalog, every), "training": training_running(),
            "to_relocalise": len(scene_products_to_relocalise(catalog))}


def _held_back(sku: str) -> bool:
    return int(hashlib.sha1(sku.encode()).hexdigest(), 16) % HOLDOUT_EVERY == 0


def catalog_cutouts(catalog, max_images: int | None = None) -> tuple[list[Cutout], list[Cutout]]:
    """Cut-outs from the catalog's plain-background photos, split (training, held back) by product."""
    from core.catalog import db
    from core.pipeline.decode import decode

    rows = (db.ImageFile.select(db.ImageFile, db.Product.sku).join(db.Product)
            .where(db.ImageFile.status == "ok").order_by(db.ImageFile.id))
    train, held = [], []
    for n, image in enumerate(rows):
        if max_images is not None and n >= max_images:
            break
        try:
            pixels = decode(catalog.root / image.blob_path)
        except Exception as exc:  # an unreadable photo gives no cut-out; the others still do
            log.warning("no cut-out from image %s: %s", image.id, exc)
            continue
        cut = cutout(pixels, image.product_id)
        if cut is not None:
            (held if _held_back(image.product.sku) else train).append(cut)
    if not held and len(train) > 1:  # a tiny catalog: still keep something back to judge by
        held.append(train.pop())
    return train, held


def curator_boxes(catalog) -> list[tuple[Path, list[tuple[float, float, float, float]], tuple[int, int]]]:
    """Every photo with a box a curator drew or moved: (file, boxes in its pixels, (width, height))."""
    from core.catalog import db

    by_image: dict[int, list] = {}
    for crop in db.Crop.select(db.Crop, db.ImageFile).join(db.ImageFile).where(
            (db.Crop.source == "manual") & db.Crop.deleted_at.is_null()):
        by_image.setdefault(crop.image.id, [crop.image, []])[1].append(crop.box)
    return [(catalog.root / im.blob_path, boxes, (im.width, im.height)) for im, boxes in by_image.values()]


def _yolo_line(box, width: int, height: int) -> str:
    x0, y0, x1, y1 = (min(max(v, 0.0), lim) for v, lim in zip(box, (width, height, width, height), strict=True))
    return f"0 {(x0 + x1) / 2 / width:.6f} {(y0 + y1) / 2 / height:.6f} {(x1 - x0) / width:.6f} {(y1 - y0) / height:.6f}"


def write_dataset(folder: Path, train: list[Cutout], held: list[Cutout], *, images: int, holdout: int,
                  seed: int = 0, backgrounds: list[Path] = (), curator: list = (),
                  progress: Progress | None = None, should_stop: ShouldStop | None = None) -> dict[str, Any]:
    """Training scenes (and curator photos) as a YOLO dataset; held-back scenes kept in memory for promotion."""
    from PIL import Image

    from core.pipeline.decode import decode

    rng = np.random.default_rng(seed)
    for split in ("train", "val"):
        (folder / "images" / split).mkdir(parents=True, exist_ok=True)
        (folder / "labels" / split).mkdir(parents=True, exist_ok=True)

    def save(split: str, name: str, pixels: np.ndarray, boxes) -> None:
        h, w = pixels.shape[:2]
        Image.fromarray(pixels).save(folder / "images" / split / f"{name}.jpg", quality=int(rng.integers(70, 96)))
        (folder / "labels" / split / f"{name}.txt").write_text("".join(_yolo_line(b, w, h) + "\n" for b in boxes))

    for i in range(images):
        if should_stop and should_stop():
            return {}
        w, h = scene_size(rng, SCENE_LONG_SIDE)
        pixels, boxes, _ = compose(rng, train, w, h, backgrounds)
        save("train", f"s{i:05d}", pixels, boxes)
        if progress and (i % 50 == 0 or i == images - 1):
            progress(i + 1, images, f"making training scenes {i + 1}/{images}")
    used = 0
    for n, (path, boxes, (width, height)) in enumerate(curator):
        try:
            pixels = decode(path)
        except Exception as exc:
            log.warning("curator photo %s unreadable: %s", path, exc)
            continue
        h, w = pixels.shape[:2]
        sx, sy = w / max(1, width or w), h / max(1, height or h)  # boxes are in the stored photo's pixels
        scaled = [(b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy) for b in boxes]
        for r in range(CURATOR_REPEAT):
            save("train", f"c{n:05d}_{r}", pixels, scaled)
        used += 1
    # The held-back split: one product a scene (like a query photo), products the training never saw.
    scenes = []
    rng_held = np.random.default_rng(seed + 1_000_003)
    for i in range(holdout if held else 0):
        w, h = scene_size(rng_held, SCENE_LONG_SIDE)
        pixels, boxes, _ = compose(rng_held, held, w, h, backgrounds, per_scene=(1, 1), size_range=(0.35, 0.8))
        if boxes:
            scenes.append((pixels, boxes[0]))
            if i < 16:  # ultralytics wants a val folder; it only reads it when asked to validate
                save("val", f"h{i:05d}", pixels, boxes)
    data = folder / "data.yaml"
    data.write_text(f"path: {folder}\ntrain: images/train\nval: images/val\nnames:\n  0: product\n", encoding="utf-8")
    return {"data": data, "holdout": scenes, "curator_photos": used}


def localisation_score(detect_one: Callable[[np.ndarray], Any], scenes,
                       per_scene: list[float] | None = None) -> dict[str, float]:
    """How well a localiser's best box finds the product: share with IoU ≥ 0.5, mean IoU, mean seconds.
    `per_scene` receives each scene's IoU, in the scenes' order (for the promotion gate)."""
    from core.models.detector import box_iou

    ious, seconds = [], []
    for pixels, truth in scenes:
        start = time.perf_counter()
        box = detect_one(pixels)
        seconds.append(time.perf_counter() - start)
        ious.append(box_iou(box, truth) if box is not None else 0.0)
    if per_scene is not None:
        per_scene.extend(float(v) for v in ious)
    if not ious:
        return {"scenes": 0, "iou_at_0_5": 0.0, "mean_iou": 0.0, "seconds_per_scene": 0.0}
    return {"scenes": len(ious), "iou_at_0_5": round(float(np.mean(np.asarray(ious) >= PROMOTE_IOU)), 4),
            "mean_iou": round(float(np.mean(ious)), 4), "seconds_per_scene": round(float(np.mean(seconds)), 4)}


def _top_box(localiser) -> Callable[[np.ndarray], Any]:
    def one(pixels: np.ndarray):
        found = localiser.detect([pixels])[0]
        return found[0].box if found else (0.0, 0.0, float(pixels.shape[1]), float(pixels.shape[0]))
    return one


def _whole(pixels: np.ndarray):
    return (0.0, 0.0, float(pixels.shape[1]), float(pixels.shape[0]))


def current_localiser(catalog, registry, device: str = "cpu"):
    """What finds products in scenes today, for promotion: (name, detect_one, closer)."""
    from core.models.detector import Detector

    path = active_detector(catalog)
    if path is not None:
        try:
            det = Detector(path, device=device, confidence=0.01)
            return f"detector {path.stem}", _top_box(det), det.close
        except Exception as exc:  # a damaged or untrusted active file: judge against what would run instead
            log.warning("the active detector %s cannot be loaded (%s)", path, exc)
    if registry is not None:
        from core.search.query import _localiser

        version = catalog.active_model_version()
        try:
            store = catalog.vector_store(version) if version else None
        except FileNotFoundError:
            store = None
        proposals = _localiser(registry, store) if store is not None else None
        if proposals is not None:
            return "proposals", _top_box(proposals), lambda: None
    return "whole photo", _whole, lambda: None


MIN_GATE_SCENES = 5  # held-back scenes needed to judge a candidate at all


def _beats(candidate: Sequence[float], current: Sequence[float]) -> dict[str, Any]:
    """The gate's verdict on per-scene IoUs (the same held-back scenes, in order): the candidate's boxes must fit
    better beyond noise (paired bootstrap, `core.ops.gate`) and find the product (IoU >= 0.5) in at least as many
    scenes. A tie keeps what runs today."""
    from core.ops import gate

    verdict = gate.compare(current, candidate, metric="IoU of the best box", min_queries=MIN_GATE_SCENES).to_dict()
    hits = [int(np.sum(np.asarray(v, dtype=np.float64) >= PROMOTE_IOU)) for v in (candidate, current)]
    verdict["hits"] = {"candidate": hits[0], "current": hits[1]}
    if verdict["wins"] and hits[0] < hits[1]:
        verdict.update(wins=False, reason=f"finds the product in fewer scenes ({hits[0]} against {hits[1]})")
    return verdict


def train_detector(catalog, registry=None, *, epochs: int = 30, images: int = 1500, imgsz: int = 320,
                   batch: int = 16, holdout: int = 60, backgrounds: Path | str | None = None, seed: int = 0,
                   device: str = "cpu", promote: bool = True, max_images: int | None = None,
                   progress: Progress | None = None, should_stop: ShouldStop | None = None,
                   start_from: Path | str | None = None) -> dict[str, Any]:
    """Make scenes, train, judge on the held-back split, save a version and promote it if it wins.

    Returns a report (version, paths, timings, the candidate's and the current localiser's held-back scores,
    promoted, cancelled). `should_stop` is checked between scenes and after every training batch.
    `start_from` (a trusted detector .pt, e.g. the active one) continues from its weights instead of from scratch.
    """
    from core.catalog import db
    from core.jobs import create_job

    stop = should_stop or (lambda: False)
    clean_abandoned_training(catalog)
    corrections = box_corrections(catalog)  # recorded first: even a crashed attempt counts for retrain_due
    job = create_job("train_detector", {"epochs": epochs, "images": images, "imgsz": imgsz, "seed": seed,
                                        "start_from": str(start_from or ""),
                                        "backgrounds": str(backgrounds or ""), "box_corrections": corrections,
                                        "owner": {"pid": os.getpid(), "host": socket.gethostname()}})
    job.state, job.started_at = "running", db.utcnow()
    db.transaction(job.save)
    say = _with_heartbeat(job, progress or (lambda done, total, message: None))
    work = catalog.paths.cache / "detector-train" / f"job{job.id}"
    started = time.perf_counter()
    report: dict[str, Any] = {"job_id": job.id, "cancelled": False, "promoted": False, "epochs": epochs,
                              "images": images, "imgsz": imgsz, "seed": seed,
                              "start_from": Path(start_from).stem if start_from is not None else None}
    try:
        if start_from is not None:  # before any work: ultralytics unpickles it
            from core.models.trust import require_regular, require_trusted

            require_trusted(require_regular(Path(start_from)))
        say(0, 1, "cutting out the catalog's studio photos")
        train, held = catalog_cutouts(catalog, max_images)
        if not train:
            raise ValueError("no studio photo with a plain background to cut a product out of: "
                             "the detector has nothing to learn from")
        curator = curator_boxes(catalog)
        report["box_corrections"] = corrections  # what this version learnt from (see retrain_due)
        made = write_dataset(work, train, held, images=images, holdout=holdout, seed=seed,
                             backgrounds=user_photos(backgrounds), curator=curator, progress=say, should_stop=stop)
        report.update(cutouts=len(train), held_back_cutouts=len(held), curator_photos=made.get("curator_photos", 0),
                      scenes_seconds=round(time.perf_counter() - started, 1))
        weights = _train(made["data"], work / "runs", epochs=epochs, imgsz=imgsz, batch=batch, seed=seed,
                         device=device, progress=say, should_stop=stop, start_from=start_from) if made else None
        report["train_seconds"] = round(time.perf_counter() - started - report["scenes_seconds"], 1)
        if weights is None or stop():
            report["cancelled"] = True
            _finish(job, "cancelled", report)
            return report
        version, path = _save_version(catalog, weights)
        say(0, 1, "judging on held-back scenes")
        candidate_ious: list[float] = []
        current_ious: list[float] = []
        candidate = _judge_candidate(path, made["holdout"], device, candidate_ious)
        name, current_one, close = current_localiser(catalog, registry, device)
        try:
            current = localisation_score(current_one, made["holdout"], current_ious)
        finally:
            close()
        verdict = _beats(candidate_ious, current_ious)
        wins = verdict["wins"]
        report.update(version=version, weights=str(path), candidate=candidate, current=current, current_name=name,
                      beats_current=wins, verdict=verdict, seconds=round(time.perf_counter() - started, 1))
        if promote and wins:
            promote_detector(catalog, version)
            report["promoted"] = True
        _atomic_json(path.with_suffix(".json"), {**report, "created_at": _now(), "sha256": _sha(path)})
        db.transaction(lambda: db.audit("train_detector", version, **{k: v for k, v in report.items()
                                                                      if k not in ("weights",)}))
        _finish(job, "succeeded", report)
        return report
    except Exception as exc:
        from core.jobs import plain_cause

        if "no space left" in plain_cause(exc, catalog.root).lower():
            catalog.release_space_reserve()  # so that this last write fits (see Catalog.keep_space_reserve)
        try:
            _finish(job, "failed", report, error=f"{type(exc).__name__}: {plain_cause(exc, catalog.root)}")
        except Exception:  # noqa: BLE001 - the owner pid in the job lets the next check retire it
            log.warning("training job %s: its failure could not be recorded", job.id)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def clean_abandoned_training(catalog) -> list[Path]:
    """Remove what a killed training left in cache/detector-train (its scenes and runs, megabytes each): every
    job folder whose job is not running in a live process. Returns the folders removed."""
    from core.catalog import db
    from core.jobs import dead_jobs

    root = catalog.paths.cache / "detector-train"
    if not root.is_dir():
        return []
    dead = {j.id for j in dead_jobs()}
    live = {j.id for j in db.Job.select(db.Job.id).where(db.Job.state == "running")} - dead
    removed = []
    for folder in root.iterdir():
        job_id = folder.name.removeprefix("job")
        if folder.is_dir() and not (job_id.isdigit() and int(job_id) in live):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    if removed:
        log.info("removed %d folders left by trainings that stopped: %s", len(removed), removed)
    return removed


def _train(data: Path, project: Path, *, epochs: int, imgsz: int, batch: int, seed: int, device: str,
           progress: Progress, should_stop: ShouldStop, start_from: Path | str | None = None) -> Path | None:
    from core.models.weights import prepare_ultralytics
    from core.resources import resource_path

    prepare_ultralytics()
    from ultralytics import YOLO

    model = YOLO(str(start_from or resource_path("models", "product_detector.yaml")), task="detect")
    state = {"epoch": 0}

    def on_batch(trainer) -> None:
        if should_stop():
            trainer.stop = True  # ultralytics checks it after every batch and ends the run there
        total = max(1, trainer.epochs)
        nb = max(1, len(trainer.train_loader))
        done = state["epoch"] * nb + min(nb, getattr(trainer, "_batch_done", 0) + 1)
        trainer._batch_done = getattr(trainer, "_batch_done", 0) + 1
        progress(done, total * nb, f"training epoch {state['epoch'] + 1}/{total}, loss {_loss(trainer):.3f}")

    def on_epoch(trainer) -> None:
        state["epoch"] += 1
        trainer._batch_done = 0

    model.add_callback("on_train_batch_end", on_batch)
    model.add_callback("on_train_epoch_end", on_epoch)
    model.train(data=str(data), epochs=epochs, imgsz=imgsz, batch=batch, workers=0, device=device, plots=False,
                val=False, amp=False, project=str(project), name="run", exist_ok=True, verbose=False,
                mosaic=0.0, close_mosaic=0, seed=seed, deterministic=False, pretrained=start_from is not None, single_cls=True,
                warmup_epochs=min(3.0, max(0.0, epochs / 10)), patience=0, save_period=-1)
    if should_stop() or state["epoch"] < epochs:
        return None
    weights = project / "run" / "weights"
    found = next((p for p in (weights / "last.pt", weights / "best.pt") if p.is_file()), None)
    if found is None:
        raise RuntimeError(f"training ended without a weights file in {weights}")
    return found


def _loss(trainer) -> float:
    loss = getattr(trainer, "tloss", None)  # a tensor in some ultralytics versions, a dict of parts in others
    try:
        return float(sum(float(v.sum()) for v in loss.values()) if isinstance(loss, dict) else loss.sum())
    except (AttributeError, TypeError, ValueError):
        return float("nan")


def _save_version(catalog, weights: Path) -> tuple[str, Path]:
    from core.models.trust import trust

    folder = detectors_dir(catalog)
    folder.mkdir(parents=True, exist_ok=True)
    version = f"product-{_sha(weights)[:10]}"
    path = folder / f"{version}.pt"
    with atomic_writer(path) as out, open(weights, "rb") as src:
        shutil.copyfileobj(src, out, 1 << 20)
    trust(path, source="trained on this machine from the catalog's own photos")
    return version, path


def _judge_candidate(path: Path, scenes, device: str, per_scene: list[float] | None = None) -> dict[str, float]:
    from core.models.detector import Detector

    det = Detector(path, device=device, confidence=0.01)  # the real loading code, trust check included
    try:
        return localisation_score(_top_box(det), scenes, per_scene)
    finally:
        det.close()


HEARTBEAT_S = 20.0  # a job without a heartbeat for core.jobs.STALE_AFTER is taken for crashed


def _with_heartbeat(job, progress: Progress) -> Progress:
    """Progress that also keeps the job row's heartbeat fresh, so other processes see the training is alive."""
    from core.catalog import db

    last = [0.0]

    def say(done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if now - last[0] >= HEARTBEAT_S:
            last[0] = now
            job.heartbeat_at, job.progress, job.total = db.utcnow(), int(done), int(total)
            try:
                db.transaction(lambda: job.save(only=[db.Job.heartbeat_at, db.Job.progress, db.Job.total]))
            except Exception:  # noqa: BLE001 - a busy database costs one heartbeat, never the training
                log.warning("could not record the training's heartbeat", exc_info=True)
        progress(done, total, message)

    return say


def training_running() -> bool:
    """Whether a train_detector job is alive (in this or another process on this catalog)."""
    from core.catalog import db
    from core.jobs import stale_jobs

    running = list(db.Job.select().where((db.Job.kind == "train_detector") & (db.Job.state == "running")))
    stale = {j.id for j in stale_jobs()} if running else set()
    return any(j.id not in stale for j in running)


def _promoted_at(catalog) -> dt.datetime | None:
    try:
        at = json.loads((detectors_dir(catalog) / "active.json").read_text(encoding="utf-8"))["at"]
        when = dt.datetime.fromisoformat(at)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when  # the database's naive UTC


def scene_products_to_relocalise(catalog) -> list[int]:
    """Products with a scene photo (no plain background: its crops are the whole photo or an older detector's
    boxes, none a curator's) localised before the active detector was promoted. Empty when none is promoted."""
    from core.catalog import db

    if active_detector(catalog) is None or (promoted := _promoted_at(catalog)) is None:
        return []
    rows = (db.Crop.select(db.Crop.image, db.Crop.source, db.Crop.curator_locked, db.Crop.created_at,
                           db.ImageFile.product)
            .join(db.ImageFile).join(db.Product)
            .where((db.Crop.verdict == "accepted") & (db.ImageFile.status == "ok")
                   & (db.Product.status == "indexed") & db.Product.deleted_at.is_null())
            .tuples())
    images: dict[int, list] = {}
    for image_id, source, locked, created, product_id in rows:
        seen = images.setdefault(image_id, [product_id, True, created])
        seen[1] = seen[1] and source in ("full", "trained") and not locked
        seen[2] = max(seen[2], created)
    return sorted({pid for pid, scene, created in images.values() if scene and created < promoted})


def relocalise_scenes(catalog, registry, *, progress: Progress | None = None,
                      should_stop: ShouldStop | None = None) -> dict[str, Any]:
    """Index the catalog's scene photos again, so the promoted detector finds their product (core.pipeline.indexer).

    Each product is written in its own transaction: a cancel or a crash keeps the old crops of the products not
    reached, and those stay on the list (they were localised before the promotion) for the next run.
    """
    from core.jobs import create_job, run_index_job

    ids = scene_products_to_relocalise(catalog)
    active = active_detector(catalog)
    if not ids:
        return {"scene_products": 0, "relocalised": 0, "cancelled": False, "detector": active.stem if active else None, "errors": [],
                "warnings": []}
    job = create_job("relocalise_scenes", {"product_ids": ids, "detector": active.stem})
    result = run_index_job(catalog, registry, job=job, product_ids=ids, progress=progress, should_stop=should_stop)
    from core.catalog import db

    found = (db.Crop.select(db.ImageFile.product).join(db.ImageFile)
             .where(db.ImageFile.product.in_(ids) & (db.Crop.source == "trained") & (db.Crop.verdict == "accepted"))
             .distinct().count())
    result.update(scene_products=len(ids), relocalised=found, detector=active.stem,
                  cancelled=bool(result.get("cancelled") or (should_stop and should_stop())))  # products whose scene photo now has the product's box
    return result


def _finish(job, state: str, report: dict[str, Any], error: str = "") -> None:
    from core.catalog import db

    job.state, job.finished_at, job.result, job.error = state, db.utcnow(), report, error
    db.transaction(job.save)


def _sha(path: Path) -> str:
    return file_sha256(path)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _atomic_json(path: Path, data: dict[str, Any]) -> None:
    atomic_write_json(path, data, default=str)
