"""The shop import as one job: read the export, fetch its images, then index (CLI and GUI run the same)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.jobs import JobPhase

Progress = Callable[[int, int, str], None]
ShouldStop = Callable[[], bool]


def import_shop_files(catalog, files: list[Path], *, fmt: str | None = None, images_root: Path | None = None,
                      progress: Progress | None = None, should_stop: ShouldStop | None = None) -> dict[str, Any]:
    """Import shop exports and fetch their images. A file that is no shop export is an error; the rest go on."""
    from core.shop.images import fetch_images, without_image
    from core.shop.roundtrip import import_shop_file

    def phase(what: str) -> Progress | None:
        if progress is None:
            return None
        return lambda done, total, message: progress(done, total, f"{JobPhase.IMPORTING.value} {what}: {message}")

    out: dict[str, Any] = {"products": 0, "images": 0, "skipped": 0, "errors": [], "warnings": [], "verdicts": [],
                           "images_failed": 0, "no_image": [], "cancelled": False}
    ids: list[int] = []
    for path in files:
        try:
            summary = import_shop_file(catalog.paths, Path(path), fmt=fmt, images_root=images_root,
                                       progress=phase(Path(path).name), should_stop=should_stop)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            out["errors"].append({"path": str(path), "reason": reason})
            continue
        out["products"] += summary.products
        out["skipped"] += summary.skipped
        out["warnings"] += summary.warnings
        out["verdicts"] += summary.verdicts
        out["cancelled"] = out["cancelled"] or summary.cancelled
        ids += summary.product_ids
    # Every pending image, not only this run's: an earlier run stopped half-way resumes here.
    report = fetch_images(catalog.paths, progress=phase("images"), should_stop=should_stop)
    out["cancelled"] = out["cancelled"] or report.cancelled
    out["images"] = report.fetched + report.reused
    out["images_failed"] = report.failed
    out["image_verdicts"] = report.verdicts
    out["no_image"] = without_image(ids)
    for v in report.verdicts:
        if v["verdict"] != "ok":
            out["warnings"].append({"path": v["url"], "reason": f"{v['sku']}: image not fetched: {v['reason']}"})
    for sku in out["no_image"]:
        out["warnings"].append({"path": sku, "reason": "no image: imported with its data, marked \"no image\""})
    return out


def run_shop_job(catalog, registry, files: list[Path], *, fmt: str | None = None, images_root: Path | None = None,
                 progress: Progress | None = None, should_stop: ShouldStop | None = None) -> dict[str, Any]:
    """Import, fetch, then (with a registry) index what is new; one result dict as run_index_job's."""
    from core.jobs import run_index_job

    out = import_shop_files(catalog, files, fmt=fmt, images_root=images_root, progress=progress,
                            should_stop=should_stop)
    if registry is not None and out["products"] and not out["cancelled"]:
        indexed = run_index_job(catalog, registry, [], progress=progress, should_stop=should_stop)
        out["indexed"] = indexed.get("indexed", 0)
        out["errors"] += indexed.get("errors", [])
        out["cancelled"] = bool(indexed.get("cancelled"))
    return out
