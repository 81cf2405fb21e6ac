"""The headless command line over core/ (index, search, eval, export, ...); `gui` opens the window."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    def register(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = fn
        return fn
    return register


def emit(args: argparse.Namespace, payload: dict[str, Any], text: str | None = None) -> None:
    if getattr(args, "json", False) or text is None:
        print(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    else:
        print(text)


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


def open_catalog(args: argparse.Namespace):
    from core.catalog.catalog import Catalog

    return Catalog.open(catalog_dir(args))


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
    from core.jobs import run_index_job

    with open_catalog(args) as catalog:
        registry = None
        if not args.import_only:
            from core.models.registry import ModelRegistry

            registry = ModelRegistry(catalog.settings.models)
        try:
            payload = run_index_job(catalog, registry, [Path(p) for p in args.paths], import_only=args.import_only,
                                    progress=_stderr_progress(not args.json and sys.stderr.isatty()))
        finally:
            if registry is not None:
                registry.close()
    emit(args, payload, f"{payload['products']} products, {payload['images']} images, "
                        f"{payload['skipped']} unchanged, {len(payload['errors'])} errors")
    return 0


@command("check")
def cmd_check(args: argparse.Namespace) -> int:
    from core.catalog.check import check_catalog

    with open_catalog(args) as catalog:
        report = check_catalog(catalog, repair=args.repair)
    emit(args, report, f"{'OK' if report['ok'] else 'PROBLEMS'}: {report['products']} products, "
                       f"{report['vectors']} vectors, {len(report['missing'])} missing, "
                       f"{len(report['orphans'])} orphans")
    return 0 if report["ok"] or args.repair else 1


@command("purge")
def cmd_purge(args: argparse.Namespace) -> int:
    from core.catalog.retention import purge

    with open_catalog(args) as catalog:
        report = purge(catalog, retention_days=args.days)
    emit(args, report, json.dumps(report))
    return 0


@command("doctor")
def cmd_doctor(args: argparse.Namespace) -> int:
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
        status["catalog"] = str(catalog.root)
        status["active_model_version"] = catalog.active_model_version()
    emit(args, status, json.dumps(status, indent=2))
    return 0


@command("workspace")
def cmd_workspace(args: argparse.Namespace) -> int:
    from core.workspaces import Workspaces

    spaces = Workspaces()
    if args.action == "add":
        spaces.add(args.name, args.path)
    elif args.action == "use":
        spaces.use(args.name)
    elif args.action == "remove":
        spaces.remove(args.name)
    rows = [w.to_dict() for w in spaces.list()]
    emit(args, {"workspaces": rows},
         "\n".join(f"{'*' if r['current'] else ' '} {r['name']:<20} {r['path']}" for r in rows))
    return 0


@command("health")
def cmd_health(args: argparse.Namespace) -> int:
    from core.ops.health import health_snapshot

    with open_catalog(args):
        report = health_snapshot(days=args.days)
    emit(args, report, json.dumps(report, indent=2, default=str))
    return 0


@command("gui")
def cmd_gui(args: argparse.Namespace) -> int:
    from app.main import run_gui  # Qt is imported only here

    return run_gui(catalog=catalog_dir(args), screenshot=args.screenshot)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="catalog-curator", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages to stderr")
    sub = parser.add_subparsers(dest="command")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--catalog", type=Path, default=None, help="catalog folder (default: the current workspace)")
        p.add_argument("--workspace", default=None, help="a named workspace instead of --catalog")
        p.add_argument("--json", action="store_true", help="print JSON")
        return p

    p = add("index", "import product folders and index them")
    p.add_argument("paths", nargs="+", help="product folders, or folders of product folders")
    p.add_argument("--import-only", action="store_true", help="store products and images, skip the ML stages")

    p = add("check", "check that database, vectors and blobs agree")
    p.add_argument("--repair", action="store_true", help="drop orphan vectors, requeue missing ones")

    p = add("purge", "remove for good what was deleted before the retention period")
    p.add_argument("--days", type=int, default=None, help="retention in days (default: the catalog setting)")

    p = add("doctor", "list models, their state, devices, versions and paths")
    p.add_argument("--load", action="store_true", help="load the models to check they work")

    p = add("workspace", "list, add, switch or remove named catalogs")
    p.add_argument("action", nargs="?", default="list", choices=["list", "add", "use", "remove"])
    p.add_argument("name", nargs="?", default=None)
    p.add_argument("path", nargs="?", type=Path, default=None)

    p = add("health", "jobs, throughput, error rate, seconds per product, search latency, device")
    p.add_argument("--days", type=int, default=7)

    p = add("gui", "open the desktop application")
    p.add_argument("--screenshot", type=Path, default=None,
                   help="wait until models and thumbnails are ready, save the window as PNG and exit")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command is None:
        args = parser.parse_args(["gui", *(argv or [])])
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
