"""The headless command line over core/ (index, search, eval, export, ...); `gui` opens the window."""

from __future__ import annotations

import argparse
import errno
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import core

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    def register(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = fn
        return fn
    return register


def emit(args: argparse.Namespace, payload: dict[str, Any], text: str | None = None) -> None:
    if getattr(args, "json", False) or text is None:
        text = json.dumps(payload, indent=2, ensure_ascii=False, default=str)
    try:
        print(text)
    except UnicodeEncodeError:  # a console that cannot show every character (cp1252): escape, never fail
        encoding = sys.stdout.encoding or "ascii"
        print(text.encode(encoding, "backslashreplace").decode(encoding))


def catalog_dir(args: argparse.Namespace) -> Path:
    """--catalog DIR, else --workspace NAME, else the current workspace."""
    if args.catalog:
        return Path(args.catalog)
    from core.workspaces import Workspaces

    spaces = {w.name: w for w in Workspaces().list()}
    name = getattr(args, "workspace", None)
    if name:
        if name not in spaces:
            raise SystemExit(f"no workspace named {name!r}; see `catalog-curator workspace list`")
        return spaces[name].path
    return Workspaces().current().path


def _tell_waiting(message: str) -> None:
    print(f"catalog-curator: {message}", file=sys.stderr, flush=True)


def open_catalog(args: argparse.Namespace):
    """Open the catalog; a command that writes waits behind another writer, saying so, up to --wait seconds."""
    from core.catalog.catalog import Catalog

    catalog = Catalog.open(catalog_dir(args), lock_timeout=getattr(args, "wait", None), on_wait=_tell_waiting)
    if catalog.read_only_reason:  # said once, on stderr: the output stays what was asked for
        print(f"catalog-curator: {catalog.read_only_reason}", file=sys.stderr)
    return catalog


def _nothing():
    import contextlib

    return contextlib.nullcontext()


def _stderr_progress(enabled: bool) -> Callable[[int, int, str], None] | None:
    if not enabled:
        return None
    last = [0.0]

    def progress(done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if now - last[0] > 0.5 or done == total:
            last[0] = now
            print(f"\r{done}/{total} {message[:60]:<60}", end="", file=sys.stderr, flush=True)
            if done == total:
                print(file=sys.stderr)

    return progress


@command("index")
def cmd_index(args: argparse.Namespace) -> int:
    from core.jobs import is_transient, plain_cause, run_index_job

    files = [Path(p) for p in args.paths if Path(p).suffix.lower() == ".csv" and Path(p).is_file()]
    if files or args.format or args.images:
        if len(files) != len(args.paths):
            raise SystemExit("index: give shop exports (.csv files) or product folders, not both at once")
        from core.shop.jobs import run_shop_job

        with open_catalog(args) as catalog:
            registry = None if args.import_only else _registry(catalog)
            try:
                payload = run_shop_job(catalog, registry, files, fmt=args.format, images_root=args.images,
                                       progress=_stderr_progress(not args.json and sys.stderr.isatty()))
            finally:
                if registry is not None:
                    registry.close()
        lines = [f"{payload['products']} products, {payload['images']} images, {payload['skipped']} unchanged, "
                 f"{payload['images_failed']} images not fetched, {len(payload['no_image'])} products with no image, "
                 f"{len(payload['errors'])} errors, {len(payload['warnings'])} warnings"]
        for label, items in (("error", payload["errors"]), ("warning", payload["warnings"])):
            lines += [f"  {label}: {item['path']}: {item['reason']}" for item in items[:SHOWN_PROBLEMS]]
            if len(items) > SHOWN_PROBLEMS:
                lines.append(f"  … {len(items) - SHOWN_PROBLEMS} more {label}s (--json lists them all)")
        emit(args, payload, "\n".join(lines))
        return 1 if payload["errors"] and not payload["products"] else 0
    with open_catalog(args) as catalog:
        registry = None if args.import_only else _registry(catalog)
        try:
            payload = run_index_job(catalog, registry, [Path(p) for p in args.paths], import_only=args.import_only,
                                    progress=_stderr_progress(not args.json and sys.stderr.isatty()))
        except Exception as exc:
            if not is_transient(exc):
                raise
            # What is done is committed; what is not stays "to do" for the next run.
            cause = plain_cause(exc, catalog.root)
            if args.json:  # a script reads the outcome as JSON, a stop too
                print(json.dumps({"ok": False, "stopped": cause, "kept": True}, indent=2))
            print(f"index stopped: {cause}. What was indexed is kept; run index again to continue.", file=sys.stderr)
            return 1
        finally:
            if registry is not None:
                registry.close()
    lines = [f"{payload['products']} products, {payload['images']} images, {payload['skipped']} unchanged, "
             f"{len(payload['errors'])} errors, {len(payload.get('warnings', []))} warnings"]
    for label, items in (("error", payload["errors"]), ("warning", payload.get("warnings", []))):
        lines += [f"  {label}: {item['path']}: {item['reason']}" for item in items[:SHOWN_PROBLEMS]]
        if len(items) > SHOWN_PROBLEMS:
            lines.append(f"  … {len(items) - SHOWN_PROBLEMS} more {label}s (--json lists them all)")
    emit(args, payload, "\n".join(lines))
    return 0


SHOWN_PROBLEMS = 20  # errors and warnings listed in text output; --json lists every one


@command("check")
def cmd_check(args: argparse.Namespace) -> int:
    import sqlite3

    import peewee

    from core.catalog.check import check_catalog, database_beyond_repair
    from core.paths import CatalogPaths

    try:
        catalog = open_catalog(args)
    except (sqlite3.DatabaseError, peewee.DatabaseError) as exc:  # the database itself: only a backup helps
        report = database_beyond_repair(CatalogPaths(catalog_dir(args)), f"the database is damaged ({exc})")
        emit(args, report, f"PROBLEMS: {report['findings'][0]['reason']}")
        return 1
    with catalog:  # check_catalog holds the writer lock: a consistent view, no writer half-way through
        report = check_catalog(catalog, repair=args.repair, deep=args.deep)
        requeued = sorted({pid for row in report.get("indexes", []) for pid in row.get("requeued", [])})
        if args.repair and requeued:  # vectors the cache could not give back: embed those products again now
            from core.jobs import run_index_job

            registry = _registry(catalog)
            try:
                run_index_job(catalog, registry, product_ids=requeued)
            finally:
                registry.close()
            again = check_catalog(catalog, deep=args.deep)
            report = {**again, "findings": report["findings"] + again["findings"], "repaired": True,
                      "reindexed": requeued}
    lines = [f"{'OK' if report['ok'] else 'PROBLEMS'}: {report['products']} products, "
             f"{report['vectors']} vectors, {len(report['missing'])} missing, {len(report['orphans'])} orphans"]
    for f in report.get("findings", []):
        fix = "repaired" if f["repaired"] else ("check --repair fixes it" if f["repairable"] else "not repairable")
        lines.append(f"  {f['severity']}: {f['reason']} ({fix})")
    emit(args, report, "\n".join(lines))
    return 0 if report["ok"] else 1


@command("purge")
def cmd_purge(args: argparse.Namespace) -> int:
    from core.catalog.retention import purge

    with open_catalog(args) as catalog:
        report = purge(catalog, retention_days=args.days)
    emit(args, report, json.dumps(report))
    return 0


@command("doctor")
def cmd_doctor(args: argparse.Namespace) -> int:
    from core.models.accel import cpu_accel_support
    from core.models.registry import ModelRegistry

    with open_catalog(args) as catalog:
        registry = ModelRegistry(catalog.settings.models)
        try:
            if args.load:
                registry.embedder()
                registry.detector()
            status = registry.status()
        finally:
            registry.close()
        status["version"] = core.__version__
        status["cpu_accel"] = cpu_accel_support(catalog.settings.models.cpu_accel)
        status["catalog"] = str(catalog.root)
        status["active_model_version"] = catalog.active_model_version()
    emit(args, status, json.dumps(status, indent=2))
    return 0


@command("workspace")
def cmd_workspace(args: argparse.Namespace) -> int:
    from core.workspaces import Workspaces

    spaces = Workspaces()
    try:
        if args.action == "add":
            spaces.add(args.name, args.path)
        elif args.action == "use":
            spaces.use(args.name)
        elif args.action == "remove":
            spaces.remove(args.name)
    except (ValueError, KeyError) as exc:  # a name that cannot be used or is not there: say which, no traceback
        print(f"catalog-curator: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    rows = [w.to_dict() for w in spaces.list()]
    emit(args, {"workspaces": rows},
         "\n".join(f"{'*' if r['current'] else ' '} {r['name']:<20} {r['path']}" for r in rows))
    return 0


@command("health")
def cmd_health(args: argparse.Namespace) -> int:
    from core.ops.health import read_health

    with open_catalog(args) as catalog:  # the same read as the health tab, so both show the same figures
        report = read_health(catalog, days=args.days).snapshot
    emit(args, report, json.dumps(report, indent=2, default=str))
    return 0


def _registry(catalog, model_settings=None):
    """Searches use the model of the active index, so query and catalog vectors always match."""
    from core.models.registry import ModelRegistry

    return ModelRegistry(model_settings or catalog.search_model_settings())


@command("search")
def cmd_search(args: argparse.Namespace) -> int:
    from core.search.encode import QueryError
    from core.search.filters import FilterError
    from core.search.query import SearchRequest, search

    if not (args.image or args.text or args.similar):
        raise SystemExit("give --image FILE, --text TEXT (or both), or --similar PRODUCT_ID")
    with open_catalog(args) as catalog:
        registry = _registry(catalog)
        try:
            box = tuple(float(v) for v in args.box.split(",")) if args.box else None
            request = SearchRequest(text=args.text, image=args.image, box=box, alpha=args.alpha,
                                    filters=args.filter, k=args.k, rerank=not args.no_rerank,
                                    diversity=args.diversity, similar_to=args.similar)
            response = search(catalog, registry, request)
        except (QueryError, FilterError, ValueError) as exc:
            print(f"search: {exc}", file=sys.stderr)
            return 2
        finally:
            registry.close()
    payload = response.to_dict()
    def line(n: int, r: dict) -> str:
        m = r["explanation"].get("match") or {}
        why = "; ".join(r["explanation"].get("reasons") or [])
        return (f"{n + 1:3d}. {m.get('percent', 0):3d} % {m.get('word', ''):<6}  {r['sku']:<20} {r['title']}"
                + (f"\n       {why}" if why else ""))

    text = "\n".join(line(n, r) for n, r in enumerate(payload["results"])) or "no results"
    if len(payload["regions"]) > 1:  # every product found in the photo, each with its own best match
        text += "\n\nIn this photo:\n" + "\n".join(
            f"  {g['number']}. box {', '.join(f'{v:.0f}' for v in g['box'])}: "
            + (", ".join(r["sku"] for r in g["results"][:3]) or "no match") for g in payload["regions"])
    said = f"showing results for {response.corrected}\n" if response.corrected else ""
    emit(args, payload, said + text)
    return 0


HALF = 8  # sixteenths of garments in the held-out half of `eval --half` (core.search.fusion.in_holdout)


@command("eval")
def cmd_eval(args: argparse.Namespace) -> int:
    from core.search.evaluate import compare, evaluate, format_comparison, format_report, tune_colour_weight

    opts = {"details": args.details, "mode": args.mode, "rerank": not args.no_rerank,
            "colour_weight": args.colour_weight, "oracle_box": args.oracle_box, "views": not args.primary_only}
    if args.half:
        from core.search.fusion import in_holdout

        held_out = args.half == "held-out"
        opts["only"] = lambda item: in_holdout(item, HALF) == held_out
    with open_catalog(args) as catalog:
        if args.localiser:  # this run only: the saved settings keep theirs
            catalog.settings.models.localiser = args.localiser
        registry = _registry(catalog)
        try:
            if args.tune_colour:
                tuned = tune_colour_weight(catalog, registry, args.queries)
                emit(args, tuned, json.dumps(tuned, indent=2))
                return 0
            result = evaluate(catalog, registry, args.queries, **opts)
        finally:
            registry.close()
        if args.compare:
            try:
                other_settings = catalog.model_settings_for(args.compare)
            except KeyError as exc:
                raise SystemExit(exc.args[0]) from None
            other_registry = _registry(catalog, other_settings)
            try:
                other = evaluate(catalog, other_registry, args.queries, **opts)
            finally:
                other_registry.close()
            failed = _eval_failures(result) + _eval_failures(other)
            result = compare(result, other)
            emit(args, result, format_comparison(result))
            return 1 if failed else 0
    emit(args, result, format_report(result))
    return 1 if _eval_failures(result) else 0


def _eval_failures(result: dict) -> int:
    """Queries that could not run make eval fail, each reason said once on stderr."""
    for r in result.get("failed_reasons", []):
        print(f"eval: {r['queries']} {r['kind']} quer{'y' if r['queries'] == 1 else 'ies'} could not run "
              f"(first at line {r['first_line']}): {r['reason']}", file=sys.stderr)
    return int(result.get("failed", 0))


@command("analytics")
def cmd_analytics(args: argparse.Namespace) -> int:
    from core.search.analytics import analytics_report

    with open_catalog(args):
        report = analytics_report(days=args.days)
    emit(args, report, json.dumps(report, indent=2, default=str))
    return 0


@command("duplicates")
def cmd_duplicates(args: argparse.Namespace) -> int:
    from core.search.duplicates import candidate_threshold, find_duplicates

    with open_catalog(args) as catalog:
        started = time.perf_counter()
        threshold = args.threshold if args.threshold is not None else candidate_threshold(catalog)
        groups = find_duplicates(catalog, threshold=threshold)
        payload = {"groups": [g.to_dict() for g in groups], "threshold": threshold,
                   "seconds": round(time.perf_counter() - started, 3)}
    emit(args, payload, "\n".join(f"{g['kind']:8} " + ", ".join(g["skus"])
                                   for g in payload["groups"]) or "no near-duplicates")
    return 0


def _shop_export(args: argparse.Namespace) -> int:
    from core.shop.roundtrip import plan_export, write_export

    if not args.out:
        raise SystemExit(f"export --format {args.format} writes the shop's CSV: give it with --out FILE.csv")
    with open_catalog(args):  # the plan reads the open catalog's database
        try:
            plan = plan_export(args.format, labels_to=args.labels_to)
        except ValueError as exc:
            raise SystemExit(f"error: {exc}") from exc
        report = write_export(plan, args.out, changed_only=args.changed_only)
    lines = [f"{report['summary']}; {report['rows_written']} rows written to {report['path']}"]
    lines += [f"  note: {n}" for n in report["notes"][:SHOWN_PROBLEMS]]
    emit(args, report, "\n".join(lines))
    return 0


@command("export")
def cmd_export(args: argparse.Namespace) -> int:
    from core.export import export, export_to_file

    if args.format in ("shopify", "magento"):
        return _shop_export(args)
    if args.changed_only or args.labels_to:
        raise SystemExit("--changed-only and --labels-to are for --format shopify or magento")

    if args.format in ("coco", "yolo"):
        from core.export_training import export_training

        if not args.out:
            raise SystemExit(f"export --format {args.format} writes a folder: give it with --out DIR")
        with open_catalog(args) as catalog:
            try:
                report = export_training(catalog, args.format, args.out, corrected_only=args.corrected_only)
            except ValueError as exc:
                raise SystemExit(f"error: {exc}") from exc
        emit(args, report, f"{report['images']} images, {report['boxes']} boxes, {report['categories']} "
                           f"classes written to {report['path']}")
        return 0
    with open_catalog(args) as catalog:
        if args.out:
            count = export_to_file(catalog, args.out, fmt=args.format, include_vectors=args.vectors)
            emit(args, {"products": count, "path": str(args.out)}, f"{count} products written to {args.out}")
        else:
            export(catalog, sys.stdout, fmt=args.format, include_vectors=args.vectors)
    return 0


@command("review")
def cmd_review(args: argparse.Namespace) -> int:
    from core.review import review_progress, review_queue

    with open_catalog(args):
        payload = {"progress": review_progress(), "queue": review_queue(limit=args.limit)}
    emit(args, payload, "\n".join(f"{r['uncertainty']:.2f} {r['sku']:<20} {'; '.join(r['reasons'])}"
                                   for r in payload["queue"]))
    return 0


@command("models")
def cmd_models(args: argparse.Namespace) -> int:
    from core.ops import lifecycle

    if args.action == "trust":  # this machine's record, not the catalog's: no catalog needed
        from core.models.trust import trust

        if not args.version:
            raise SystemExit("models trust needs the weights file: catalog-curator models trust PATH")
        path = Path(args.version).expanduser()
        sha = trust(path)
        emit(args, {"trusted": str(path.resolve()), "sha256": sha}, f"trusted on this machine: {path} ({sha[:16]}…)")
        return 0
    if args.action == "download":  # the user's model cache, not the catalog's: no catalog needed
        return _download_weights(args)
    if args.action in ("train-detector", "detectors", "relocalise"):
        return _detector_action(args)
    # adapt takes the writer lock itself, only for what it writes (training reads for minutes)
    with open_catalog(args) as catalog, catalog.writing() if args.action not in ("list", "adapt") else _nothing():
        if args.action == "reindex":
            import copy

            new = copy.deepcopy(catalog.settings.models)
            if args.embedder:
                new.embedder = args.embedder
            if args.clip_model:
                new.clip_model = args.clip_model
            if args.clip_pretrained:
                # What the user names replaces the catalog's checkpoint: a path is that file, a tag is a tag.
                pretrained = args.clip_pretrained
                is_path = len(Path(pretrained).parts) > 1 or Path(pretrained).suffix in (".pt", ".pth", ".bin",
                                                                                         ".safetensors")
                new.clip_pretrained, new.clip_checkpoint = pretrained, (pretrained if is_path else "")
            try:
                report = lifecycle.reindex(catalog, new, promote_when_done=args.promote,
                                           progress=_stderr_progress(not args.json and sys.stderr.isatty()))
            except lifecycle.ReindexFailed as exc:
                emit(args, {"complete": False, "error": str(exc)}, f"error: {exc}")
                return 1
            emit(args, report, json.dumps(report, indent=2, default=str))
            return 0 if report.get("complete") else 1
        if args.action == "adapt":
            return _adapt(args, catalog)
        if args.action == "promote":
            lifecycle.promote(catalog, args.version)
        elif args.action == "delete":
            lifecycle.delete_version(catalog, args.version)
        rows = lifecycle.model_versions(catalog)
    emit(args, {"versions": rows}, "\n".join(
        f"{'*' if r['active'] else ' '} {r['state']:<8} {r['vectors']:>7} vectors  {r['model_version']}" for r in rows))
    return 0


def _download_weights(args: argparse.Namespace) -> int:
    """Fetch weights into the model cache through the loader's own code (the app runs this in a process it
    can stop: a download cannot be interrupted inside a thread)."""
    from core.models.weights import WeightsUnavailable, default_weights_name, resolve_weights

    name = default_weights_name(args.version or "clip") if args.version in (None, "clip", "detector") else args.version

    def progress(done: int, total: int, message: str) -> None:
        print(f"{done}/{total} {message}", file=sys.stderr, flush=True)

    try:
        path = resolve_weights(name, progress=progress)
    except WeightsUnavailable as exc:
        emit(args, {"ok": False, "name": exc.name, "target": str(exc.target), "folder": str(exc.target.parent),
                    "reason": exc.reason, "source": exc.source, "error": str(exc)}, f"error: {exc}")
        return 1
    emit(args, {"ok": True, "name": name, "path": str(path), "bytes": path.stat().st_size}, f"{name}: {path}")
    return 0


def _adapt(args: argparse.Namespace, catalog) -> int:
    from core.ops.adapt import AdapterParams, adapt

    params = AdapterParams()
    params.epochs = args.epochs or params.epochs
    params.rank = args.rank or params.rank
    try:
        report = adapt(catalog, params=params, queries=args.queries, promote_if_better=args.promote_if_better,
                       progress=_stderr_progress(not args.json and sys.stderr.isatty()))
    except ValueError as exc:
        emit(args, {"complete": False, "error": str(exc)}, f"models adapt: {exc}")
        return 1
    from core.ops.gate import describe as describe_verdict

    gate = report.get("gate", {})
    lines = [f"{report.get('model_version') or 'no adapter'}: {report.get('reason') or gate.get('reason', '')}"]
    for judge in ("views", "queries"):
        if judge in gate:
            a, b = gate[judge]["current"], gate[judge]["candidate"]
            lines.append(f"  held-back {judge} ({a.get('queries', 0)}): R@1 {a['r@1']:.3f} -> {b['r@1']:.3f}, "
                         f"MRR {a['mrr']:.3f} -> {b['mrr']:.3f}")
            if "verdict" in gate[judge]:
                lines.append(f"    gate: {describe_verdict(gate[judge]['verdict'])}")
    lines.append(f"  {'promoted' if report.get('promoted') else 'not promoted'}; trained in "
                 f"{report.get('train_seconds', 0)} s on {report.get('train_products', 0)} products")
    emit(args, report, "\n".join(lines))
    return 0 if report.get("complete") else 1


def _detector_action(args: argparse.Namespace) -> int:
    """`models train-detector`: a long job with progress on stderr; Ctrl+C cancels it cleanly (recorded as cancelled).
    `models detectors`: the trained versions; `models detectors VERSION` promotes one by hand."""
    import signal
    import threading

    from core.ops import product_detector as pd

    with open_catalog(args) as catalog:
        if args.action == "detectors":
            if args.version:
                with catalog.writing():
                    pd.promote_detector(catalog, args.version)
            rows = pd.detector_versions(catalog)
            due = pd.retrain_due(catalog, catalog.settings.detector_training.retrain_after_boxes)
            n = len(pd.scene_products_to_relocalise(catalog))
            emit(args, {"detectors": rows, "retrain": due, "to_relocalise": n}, "\n".join(
                f"{'*' if r['active'] else ' '} {r['version']}  held-back IoU>=0.5 "
                f"{r.get('candidate', {}).get('iou_at_0_5', 0):.2f} vs {r.get('current_name', '?')} "
                f"{r.get('current', {}).get('iou_at_0_5', 0):.2f}  {r.get('epochs')} epochs, {r.get('images')} scenes"
                for r in rows) + (f"\n{due['box_corrections_since']} boxes drawn or moved since its training: retrain with "
                                  "`catalog-curator models train-detector`" if due["due"] else "")
                + (f"\n{n} products have a scene photo localised before this detector: "
                   "`catalog-curator models relocalise`" if n else "")
                if rows else "no trained detector yet: run `catalog-curator models train-detector`")
            return 0
        plan = catalog.settings.detector_training
        if args.action == "train-detector" and args.if_due:
            due = pd.retrain_due(catalog, plan.retrain_after_boxes)
            if not due["due"] or pd.training_running():
                if due["due"]:
                    why = "another training is running"
                elif pd.detector_versions(catalog) or pd.active_detector(catalog):
                    why = (f"{due['since_last_training']} of {plan.retrain_after_boxes} boxes corrected since the "
                           "last training")
                else:
                    why = "no detector trained yet (run `catalog-curator models train-detector` once)"
                emit(args, {"due": False, "retrain": due, "reason": why}, f"not due: {why}")
                return 0
        stop = threading.Event()
        previous = signal.signal(signal.SIGINT, lambda *_: stop.set())  # finish the batch, record the cancel
        registry = _registry(catalog)
        if args.action == "relocalise":
            try:
                report = pd.relocalise_scenes(catalog, registry, should_stop=stop.is_set,
                                              progress=_stderr_progress(not args.json and sys.stderr.isatty()))
            finally:
                signal.signal(signal.SIGINT, previous)
                registry.close()
            emit(args, report, f"{report.get('relocalised', 0)} of {report.get('scene_products', 0)} products with a scene "
                               f"photo now have a box from {report.get('detector') or 'no detector'}"
                               + (" (cancelled: the others keep their crops)" if report.get("cancelled") else ""))
            return 130 if report.get("cancelled") else 0
        start = pd.training_start(catalog, plan.continue_training and not args.from_scratch)
        try:
            report = pd.train_detector(catalog, registry, epochs=args.epochs or plan.epochs,
                                       images=args.images or plan.images, imgsz=args.imgsz or plan.imgsz,
                                       seed=start["seed"], start_from=start["start_from"],
                                       backgrounds=args.backgrounds, promote=not args.no_promote,
                                       progress=_stderr_progress(not args.json and sys.stderr.isatty()),
                                       should_stop=stop.is_set)
        except ValueError as exc:
            emit(args, {"error": str(exc)}, f"error: {exc}")
            return 1
        finally:
            signal.signal(signal.SIGINT, previous)
            registry.close()
    if report.get("cancelled"):
        emit(args, report, f"cancelled after {report.get('train_seconds', 0):.0f} s; no detector saved")
        return 130
    from core.ops.gate import describe as describe_verdict

    c, o = report["candidate"], report["current"]
    emit(args, report, f"{report['version']}: held-back scenes IoU>=0.5 {c['iou_at_0_5']:.2f} (mean IoU "
                       f"{c['mean_iou']:.2f}) vs {report['current_name']} {o['iou_at_0_5']:.2f} ({o['mean_iou']:.2f}); "
                       f"{'promoted' if report['promoted'] else 'not promoted'}; trained in {report['seconds']:.0f} s"
                       + (f"\n  gate: {describe_verdict(report['verdict'])}" if report.get("verdict") else ""))
    return 0


@command("sync")
def cmd_sync(args: argparse.Namespace) -> int:
    from core.review import Reviewer
    from core.sync.engine import sync
    from core.sync.outbox import status

    with open_catalog(args) as catalog:
        if args.status:
            payload = status()
            emit(args, payload, json.dumps(payload, indent=2, default=str))
            return 0
        if args.as_copy:  # told that this folder is a copy of another catalog: it takes its own identity
            catalog.claim_identity(as_copy=True)
        if args.verify:  # listings only: nothing is sent, fetched or changed
            from core.sync.engine import verify

            payload = verify(catalog.settings.s3)
            emit(args, payload, _verify_text(payload))
            return 0 if payload["ok"] else 1
        registry = _registry(catalog)
        reviewer = Reviewer(catalog, registry)
        try:
            if catalog.read_only_reason:  # a read-only catalog sends and applies nothing
                from core.catalog.lock import ReadOnlyCatalog

                raise ReadOnlyCatalog(catalog.read_only_reason)
            # Pulled corrections change vectors: the writer lock is held per applied batch, never across
            # network requests, so a curator's window never waits on the server.
            report = sync(catalog.settings.s3, apply_remote=reviewer.apply_remote, writing=catalog.writing,
                          progress=_stderr_progress(not args.json and sys.stderr.isatty()))
        finally:
            reviewer.close()
            registry.close()
    payload = report.to_dict()
    emit(args, payload, json.dumps(payload, indent=2, default=str))
    return 0 if payload.get("ok") else 1


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise SystemExit(f"{what} {item!r} should look like FIELD=VALUE, e.g. price=12.50")
        key, value = item.split("=", 1)
        out[key.strip()] = value
    return out


@command("edit")
def cmd_edit(args: argparse.Namespace) -> int:
    from core import edits
    from core.catalog import db
    from core.search.filters import FilterError, parse_filters

    if not (args.sku or args.where) or (args.sku and args.where):
        raise SystemExit("give one SKU, or --where FILTER (e.g. --where category=Men/Tops)")
    if not (args.set or args.unset or args.rename):
        raise SystemExit("nothing to change: give --set FIELD=VALUE, --unset attributes.KEY or --rename OLD=NEW")
    sets, renames = _pairs(args.set, "--set"), _pairs(args.rename, "--rename")
    renames = {k.removeprefix("attributes."): v.removeprefix("attributes.") for k, v in renames.items()}
    with open_catalog(args) as catalog:
        try:
            if args.sku:
                product = db.Product.get_or_none(db.Product.sku == args.sku)
                if product is None:
                    print(f"edit: no product with SKU {args.sku!r}", file=sys.stderr)
                    return 2
                products = [product]
            else:
                ids = parse_filters(args.where).product_ids() or []
                products = list(db.Product.select().where(db.Product.id.in_(ids)).order_by(db.Product.sku))
            plans = []
            for product in products:
                try:
                    mine = {k: v for k, v in renames.items() if args.sku or k in (product.attributes or {})}
                    plan = edits.plan_edit(product, sets, args.unset, mine)
                except edits.EditError as exc:
                    if args.sku:
                        raise
                    raise edits.EditError(f"{product.sku}: {exc}") from None
                if plan:
                    plans.append(plan)
            applied = [] if args.dry_run else edits.edit_many(catalog, plans)
        except (edits.EditError, FilterError) as exc:
            print(f"edit: {exc}. Nothing was changed.", file=sys.stderr)
            return 2
    payload = {"dry_run": args.dry_run, "matched": len(products), "changed": len(plans),
               "products": [p.to_dict() for p in plans], "corrections": [c.uid for c in applied]}
    verb = "would change" if args.dry_run else "changed"
    lines = [f"{p.sku}: {'; '.join(c.describe() for c in p.changes)}" for p in plans]
    lines.append(f"{verb} {len(plans)} of {len(products)} products")
    emit(args, payload, "\n".join(lines))
    return 0


@command("conflicts")
def cmd_conflicts(args: argparse.Namespace) -> int:
    from core import edits

    with open_catalog(args) as catalog:
        try:
            if args.restore is not None:
                edits.restore_conflict(catalog, args.restore)
            elif args.keep is not None:
                with catalog.writing():
                    edits.resolve_conflict(args.keep)
        except (edits.EditError, KeyError, ValueError) as exc:
            print(f"conflicts: {exc}", file=sys.stderr)
            return 2
        rows = edits.conflicts(include_resolved=args.all)
    emit(args, {"conflicts": [r.to_dict() for r in rows]},
         "\n".join(f"{r.id:4d}  {r.describe()}{'  (resolved)' if r.resolved else ''}" for r in rows)
         or "no conflicts")
    return 0


@command("collections")
def cmd_collections(args: argparse.Namespace) -> int:
    from core import collections as cols
    from core.catalog import db
    from core.search.filters import FilterError

    with open_catalog(args) as catalog:
        try:
            ids = []
            for sku in args.skus:
                product = db.Product.get_or_none(db.Product.sku == sku)
                if product is None:
                    raise cols.CollectionError(f"no product with SKU {sku!r}")
                ids.append(product.id)
            if args.action in ("add", "remove", "save", "rename", "delete", "show") and not args.name:
                raise cols.CollectionError(f"collections {args.action} needs a collection NAME")
            if args.action == "add":
                cols.change_members(catalog, args.name, add=ids)
            elif args.action == "remove":
                cols.change_members(catalog, args.name, remove=ids, create=False)
            elif args.action == "save":
                cols.save(catalog, args.name, smart=bool(args.text or args.filter), text=args.text or "",
                          filters=args.filter)
            elif args.action == "rename":
                if not args.to:
                    raise cols.CollectionError("collections rename NAME --to NEW_NAME")
                old = cols.collection(args.name)
                cols.save(catalog, args.to, smart=old.smart, text=old.text, filters=old.filters,
                          rename_from=args.name)
            elif args.action == "delete":
                cols.delete(catalog, args.name)
            if args.action == "show":
                row = cols.collection(args.name)
                skus = [sku for (sku,) in db.Product.select(db.Product.sku)
                        .where(db.Product.id.in_(cols.member_ids(row.id))).order_by(db.Product.sku).tuples()]
                emit(args, {**row.to_dict(), "skus": skus}, "\n".join([f"{row.name} ({row.count})", *skus]))
                return 0
            rows = cols.collections()
        except (cols.CollectionError, FilterError) as exc:
            print(f"collections: {exc}. Nothing was changed.", file=sys.stderr)
            return 2
    emit(args, {"collections": [r.to_dict() for r in rows]},
         "\n".join(f"{r.name:<30} {r.count:6d}  {'smart: ' + ' '.join([r.text, *r.filters]).strip() if r.smart else ''}"
                   for r in rows) or "no collections")
    return 0
def _verify_text(payload: dict) -> str:
    if payload["reason"]:
        return f"cannot verify: {payload['reason']}"
    lines = [f"{'OK: converged' if payload['ok'] else 'DIFFERENT'}: {payload['remote_corrections']} corrections on "
             f"the server, {payload['local_corrections']} here, {payload['pending']} waiting to be sent, "
             f"{payload['failed']} failed"]
    for name, what in (("missing_remote", "sent from here but not on the server (sync sends it again)"),
                       ("differs", "on the server with other bytes"),
                       ("missing_local", "on the server but not here (sync pulls it)"),
                       ("quarantined", "on the server, set aside as unreadable or unverifiable")):
        keys = payload[name]
        if keys:
            lines.append(f"  {len(keys)} {what}: " + ", ".join(keys[:5]) + (" …" if len(keys) > 5 else ""))
    return "\n".join(lines)


@command("heads")
def cmd_heads(args: argparse.Namespace) -> int:
    from core.ops.gate import describe as describe_verdict
    from core.ops.label_heads import retrain

    with open_catalog(args) as catalog:
        registry = _registry(catalog)
        try:
            with catalog.writing():
                reports = [r.to_dict() for r in retrain(catalog, registry)]
        finally:
            registry.close()
    emit(args, {"heads": reports}, "\n".join(
        f"{r['vocabulary']:<12} head {r['head_accuracy']:.3f}  without it ({r['baseline'] or 'no baseline'}) "
        f"{r['zero_shot_accuracy']}  "
        f"{'used' if r['active'] else 'not used'}"
        + (f"\n  gate: {describe_verdict(r['gate'])}" if r.get("gate") else "") for r in reports)
        or "not enough curator labels yet")
    return 0


@command("gui")
def cmd_gui(args: argparse.Namespace) -> int:
    from app.main import run_gui  # Qt is imported only here

    return run_gui(catalog=catalog_dir(args), screenshot=args.screenshot, size=args.size, view=args.view,
                   theme=args.theme, language=args.lang)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="catalog-curator", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages to stderr")
    parser.add_argument("--version", action="version", version=f"%(prog)s {core.__version__}")
    sub = parser.add_subparsers(dest="command")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--catalog", type=Path, default=None, help="catalog folder (default: the current workspace)")
        p.add_argument("--workspace", default=None, help="a named workspace instead of --catalog")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.add_argument("--wait", type=float, default=None, metavar="SECONDS",
                       help="how long to wait for another process writing to the catalog (default 600)")
        return p

    p = add("index", "import product folders or a shop's product export (CSV) and index them")
    p.add_argument("paths", nargs="*", help="product folders, or folders of product folders, or a Shopify or "
                                           "Magento 2 product export (.csv); none: index what earlier imports "
                                           "left unindexed")
    p.add_argument("--import-only", action="store_true", help="store products and images, skip the ML stages")
    p.add_argument("--format", choices=["shopify", "magento"], default=None,
                   help="a shop export's layout (default: read from its header)")
    p.add_argument("--images", type=Path, default=None, metavar="DIR",
                   help="the folder a Magento export's relative image paths start from")

    p = add("check", "check that database, vectors and blobs agree")
    p.add_argument("--repair", action="store_true",
                   help="rebuild vectors from the embedding cache, requeue what is missing or failed, "
                        "mark dead jobs interrupted")
    p.add_argument("--deep", action="store_true", help="full SQLite integrity check and every blob's sha256")

    p = add("purge", "remove for good what was deleted before the retention period")
    p.add_argument("--days", type=int, default=None, help="retention in days (default: the catalog setting)")

    p = add("doctor", "list models, their state, devices, versions and paths")
    p.add_argument("--load", action="store_true", help="load the models to check they work")

    p = add("search", "search by image, text or both; filters; explanations")
    p.add_argument("--image", type=Path, default=None, help="a query photo")
    p.add_argument("--box", default=None, help="x0,y0,x1,y1: the query crop in the photo (default: detected)")
    p.add_argument("--text", default=None, help="a text query (words; CLIP adds meaning when loaded)")
    p.add_argument("--alpha", type=float, default=0.5, help="weight of the image part when both are given")
    p.add_argument("--similar", type=int, default=None, help="more like this product id")
    p.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE",
                   help="category=Gear/Bags, color=Blue, label=colours:blue, price=10..50, corrected=yes")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--no-rerank", action="store_true", help="skip the multi-crop re-ranking")
    p.add_argument("--diversity", type=float, default=0.0, help="0..1: MMR diversity of the results")

    p = add("eval", "recall@k, mAP@10, MRR and nDCG@10 over a queries file")
    p.add_argument("--queries", type=Path, required=True, help="JSONL with query/text and relevant")
    p.add_argument("--details", action="store_true", help="per-query rows")
    p.add_argument("--mode", choices=["pipeline", "whole"], default="pipeline",
                   help="pipeline: detection + crops + re-ranking; whole: whole images, the baseline")
    p.add_argument("--compare", default=None, metavar="MODEL_VERSION", help="run against another index too")
    p.add_argument("--no-rerank", action="store_true", help="plain primary-vector search: no crops, no colour")
    p.add_argument("--colour-weight", type=float, default=None,
                   help="override the model version's colour weight (0 turns colour off)")
    p.add_argument("--tune-colour", action="store_true",
                   help="choose the colour weight by cross-validation on these queries and record it")
    p.add_argument("--localiser", choices=["proposals", "detector", "fused"], default=None,
                   help="how products are found in scenes for this run (default: the catalog's setting)")
    p.add_argument("--oracle-box", action="store_true",
                   help="search each image query with its true \"box\" from the queries file (no localising)")
    p.add_argument("--primary-only", action="store_true",
                   help="retrieve by primary crops only (no crop index): the before of 'every view counts'")
    p.add_argument("--half", choices=["tuning", "held-out"], default=None,
                   help="only one half of the garments, chosen by a hash of their names (not by answers)")

    p = add("analytics", "queries per day, zero-result rate, latency, clicks by rank")
    p.add_argument("--days", type=int, default=30)

    p = add("duplicates", "groups of near-duplicate products across the catalog")
    p.add_argument("--threshold", type=float, default=None,
                   help="cosine similarity (0..1) for candidate links (default: the catalog's weak-match floor); "
                        "the photos then say exact/near/variant")

    p = add("export", "products, primary crops and labels as JSONL or CSV; boxes for training as COCO or YOLO; "
                      "the imported shop file back in its own layout (shopify, magento)")
    p.add_argument("--format", choices=["jsonl", "csv", "coco", "yolo", "shopify", "magento"], default="jsonl")
    p.add_argument("--changed-only", action="store_true",
                   help="shopify/magento: only the changed rows (whole handles for Shopify) and added products")
    p.add_argument("--labels-to", default=None, metavar="tags|ATTRIBUTE",
                   help="shopify/magento: write curator-approved labels to the tags, or to this attribute")
    p.add_argument("--out", type=Path, default=None,
                   help="file to write (default: standard output); coco and yolo write a folder")
    p.add_argument("--corrected-only", action="store_true",
                   help="coco/yolo: only products a curator corrected")
    p.add_argument("--vectors", action="store_true", help="include the primary vectors (jsonl)")

    p = add("review", "the review queue: products needing a look, most uncertain first")
    p.add_argument("--limit", type=int, default=50)

    p = add("models", "model versions: list, re-index with another model, train an adapter or a product detector, "
                      "promote, delete")
    p.add_argument("action", nargs="?", default="list",
                   choices=["list", "reindex", "promote", "delete", "trust", "download", "adapt", "train-detector",
                            "detectors", "relocalise"])
    p.add_argument("version", nargs="?", default=None,
                   help="model version (promote, delete), a weights file (trust: may be unpickled on this machine), "
                        "clip | detector | a weights name (download into the model cache), "
                        "or a trained detector to promote (detectors)")
    p.add_argument("--embedder", choices=["open_clip", "efficientnet-lite0"], default=None)
    p.add_argument("--clip-model", default=None, help="open_clip model name or JSON config path")
    p.add_argument("--clip-pretrained", default=None, help="open_clip tag or checkpoint path")
    p.add_argument("--promote", action="store_true", help="make the new version active when complete")
    p.add_argument("--epochs", type=int, default=None,
                   help="adapt: most training epochs (default 60); train-detector: passes over the scenes (default 10)")
    p.add_argument("--rank", type=int, default=None, help="adapt: rank of the adapter (default 32)")
    p.add_argument("--queries", type=Path, default=None,
                   help="adapt: a queries file: its held-out quarter is never trained on and also judges the "
                        "adapter; its photos are never trained on")
    p.add_argument("--promote-if-better", action="store_true",
                   help="adapt: make the adapter active only when it beats the active version on the held-back split")
    p.add_argument("--images", type=int, default=None,
                   help="train-detector: synthetic scenes to train on (default: settings detector_training.images, 800)")
    p.add_argument("--imgsz", type=int, default=None,
                   help="train-detector: the size the detector sees (default: settings detector_training.imgsz, 256)")
    p.add_argument("--if-due", action="store_true",
                   help="train-detector: only when enough boxes were corrected since the last training (for cron)")
    p.add_argument("--backgrounds", type=Path, default=None,
                   help="train-detector: a folder of your own photos to use as backgrounds (never evaluation scenes)")
    p.add_argument("--no-promote", action="store_true",
                   help="train-detector: keep the new detector but do not make it active even if it wins")
    p.add_argument("--from-scratch", action="store_true",
                   help="train-detector: start from random weights even when a detector is promoted (default: "
                        "continue from it over new scenes, settings detector_training.continue_training)")

    p = add("sync", "push corrections to S3 and pull other curators' corrections")
    p.add_argument("--status", action="store_true", help="only show the outbox: pending, last sync, errors")
    p.add_argument("--verify", action="store_true",
                   help="compare this catalog with the bucket and list every difference; rc 0 means converged")
    p.add_argument("--as-copy", action="store_true",
                   help="this catalog folder is a copy of another one: give it its own sync identity first")

    p = add("edit", "change product data (title, description, category, price, SKU, attributes) as corrections")
    p.add_argument("sku", nargs="?", default=None, help="the product's SKU (or --where)")
    p.add_argument("--where", action="append", default=[], metavar="KEY=VALUE",
                   help="every product passing these filters (as search --filter): category=Men/Tops, color=Red")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="title=..., description=..., category=A/B, price=12.50 (or 12,50; empty: no price), "
                        "sku=..., attributes.KEY=VALUE")
    p.add_argument("--unset", action="append", default=[], metavar="attributes.KEY", help="remove an attribute")
    p.add_argument("--rename", action="append", default=[], metavar="OLD=NEW", help="rename an attribute key")
    p.add_argument("--dry-run", action="store_true", help="show every change, write nothing")

    p = add("collections", "list, show and edit named collections and smart collections (saved searches)")
    p.add_argument("action", nargs="?", default="list",
                   choices=["list", "show", "add", "remove", "save", "rename", "delete"])
    p.add_argument("name", nargs="?", default=None, help="the collection's name")
    p.add_argument("skus", nargs="*", default=[], help="add/remove: the products' SKUs")
    p.add_argument("--text", default=None, help="save: the saved search's words (makes it smart)")
    p.add_argument("--filter", action="append", default=[], metavar="KEY=VALUE",
                   help="save: the saved search's filters, as search --filter (makes it smart)")
    p.add_argument("--to", default=None, help="rename: the new name")

    p = add("conflicts", "edits of the same field on two machines: the later won; restore the other")
    p.add_argument("--restore", type=int, default=None, metavar="ID", help="put the overwritten value back")
    p.add_argument("--keep", type=int, default=None, metavar="ID", help="keep the winner and close the conflict")
    p.add_argument("--all", action="store_true", help="resolved conflicts too")

    p = add("heads", "train label heads from curators' labels; report head vs zero-shot accuracy")

    p = add("workspace", "list, add, switch or remove named catalogs")
    p.add_argument("action", nargs="?", default="list", choices=["list", "add", "use", "remove"])
    p.add_argument("name", nargs="?", default=None)
    p.add_argument("path", nargs="?", type=Path, default=None)

    p = add("health", "jobs, throughput, error rate, seconds per product, search latency, device")
    p.add_argument("--days", type=int, default=7)

    p = add("gui", "open the desktop application")
    p.add_argument("--screenshot", type=Path, default=None,
                   help="wait until models and thumbnails are ready, save the window as PNG and exit")
    p.add_argument("--size", type=window_size, default=None, metavar="WxH",
                   help="open the window at exactly this size, e.g. 1366x768 (a screenshot fails if it grows)")
    p.add_argument("--view", default=None,
                   choices=["catalog", "search", "review", "queue", "duplicates", "models", "health", "analytics", "loupe"],
                   help="the view to show first")
    p.add_argument("--theme", default=None, choices=["light", "dark", "system"],
                   help="the look for this run (default: Settings → Appearance)")
    p.add_argument("--lang", default=None, choices=["en", "de"],
                   help="the language for this run (default: Settings → Appearance)")
    return parser


def window_size(text: str) -> tuple[int, int]:
    """'1366x768' -> (1366, 768)."""
    try:
        width, height = (int(part) for part in text.lower().replace("×", "x").split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 1366x768") from None
    if not (320 <= width <= 10000 and 240 <= height <= 10000):
        raise argparse.ArgumentTypeError(f"{text!r}: width and height must be between 320x240 and 10000x10000")
    return width, height


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command is None:
        args = parser.parse_args(["gui", *(argv or [])])
    from core.catalog.lock import CatalogBusy, ReadOnlyCatalog

    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        return 130
    except (CatalogBusy, ReadOnlyCatalog) as exc:
        print(f"catalog-curator: {exc}", file=sys.stderr)
        return 3
    except Exception as exc:
        if "readonly database" in str(exc) or getattr(exc, "errno", None) == errno.EROFS:
            # a write on a catalog opened read-only (or a folder that became read-only): the reason, no traceback
            print(f"catalog-curator: {args.command} cannot write to this catalog: read-only: changes are off "
                  f"({exc})", file=sys.stderr)
            return 3
        from core.jobs import is_transient, plain_cause

        if not is_transient(exc):
            raise
        # Disk full, database locked, a server away: the cause, not a traceback; nothing committed is lost.
        folder = getattr(args, "catalog", None)
        cause = plain_cause(exc, folder)
        if getattr(args, "json", False):  # a script reads the outcome as JSON, a failure too
            print(json.dumps({"ok": False, "command": args.command, "error": cause, "kept": True}, indent=2))
        print(f"catalog-curator: {args.command} stopped: {cause}. What was done is kept; "
              "run it again when this is resolved.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
