"""Fetches the images a shop import queued (URLs or files), with retries, a verdict each, stored by content."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.catalog import db
from core.catalog.importer import MAX_IMAGE_BYTES, store_blob
from core.fileio import file_sha256
from core.pipeline.decode import DecodeError, probe

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
ShouldStop = Callable[[], bool]
ATTEMPTS = 3
TIMEOUT_S = 20.0
WORKERS = 4  # downloads wait on the network, not the CPU
USER_AGENT = "catalog-curator"


@dataclass
class FetchReport:
    fetched: int = 0  # downloaded or read
    reused: int = 0  # the same URL was already fetched: no second download
    failed: int = 0
    verdicts: list[dict[str, str]] = field(default_factory=list)  # one per image: url, sku, verdict, reason
    no_image: list[str] = field(default_factory=list)  # SKUs left without any usable image
    cancelled: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"fetched": self.fetched, "reused": self.reused, "failed": self.failed, "verdicts": self.verdicts,
                "no_image": self.no_image, "cancelled": self.cancelled, "seconds": round(self.seconds, 3)}


class _Permanent(Exception):
    """A failure another try will not fix (404, not an image, too large)."""


def _download(url: str, folder: Path, timeout: float) -> Path:
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".fetch-")
    try:
        with os.fdopen(fd, "wb") as out:
            if url.startswith(("http://", "https://")):
                request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
                try:
                    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
                        size = 0
                        while chunk := response.read(1 << 20):
                            size += len(chunk)
                            if size > MAX_IMAGE_BYTES:
                                raise _Permanent(f"larger than {MAX_IMAGE_BYTES >> 20} MiB")
                            out.write(chunk)
                except urllib.error.HTTPError as exc:
                    if exc.code in (408, 425, 429) or exc.code >= 500:
                        raise OSError(f"HTTP {exc.code} {exc.reason}") from None
                    raise _Permanent(f"HTTP {exc.code} {exc.reason}") from None
                except urllib.error.URLError as exc:
                    raise OSError(f"cannot reach the server: {exc.reason}") from None
            else:
                path = Path(url)
                if not path.is_file():
                    raise _Permanent("no such file" if not path.exists() else "not a regular file")
                if path.stat().st_size > MAX_IMAGE_BYTES:
                    raise _Permanent(f"larger than {MAX_IMAGE_BYTES >> 20} MiB")
                with open(path, "rb") as src:
                    while chunk := src.read(1 << 20):
                        out.write(chunk)
        return Path(tmp)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fetch(url: str, folder: Path, attempts: int, timeout: float, backoff: float,
           stopping: threading.Event | None = None) -> tuple[Path | None, str, int]:
    """(a temporary file, "", tries) or (None, why, tries)."""
    why = ""
    for attempt in range(1, attempts + 1):
        if stopping is not None and stopping.is_set():
            return None, "cancelled", attempt - 1
        try:
            return _download(url, folder, timeout), "", attempt
        except _Permanent as exc:
            return None, str(exc), attempt
        except (OSError, TimeoutError) as exc:
            why = str(exc) or type(exc).__name__
            pause = backoff * 2 ** (attempt - 1)
            if attempt < attempts and stopping is None:
                time.sleep(pause)
            elif attempt < attempts and stopping.wait(pause):
                return None, "cancelled", attempt
    return None, f"{why} (after {attempts} tries)", attempts


def fetch_images(paths, *, product_ids: list[int] | None = None, progress: Progress | None = None,
                 should_stop: ShouldStop | None = None, attempts: int = ATTEMPTS, timeout: float = TIMEOUT_S,
                 backoff: float = 0.5, workers: int = WORKERS) -> FetchReport:
    """Fetch every image a shop import left pending; each gets status ok (stored by its sha256) or error.

    The same URL is fetched once (a Shopify export names a photo as a variant image and as a design image);
    the same bytes are stored once. Between images `should_stop` is honoured; what is left stays pending.
    """
    started = time.perf_counter()
    report = FetchReport()
    query = db.ImageFile.select().where(db.ImageFile.status == "pending")
    if product_ids is not None:
        query = query.where(db.ImageFile.product.in_(product_ids))
    pending = list(query.order_by(db.ImageFile.product, db.ImageFile.position))
    skus = {p.id: p.sku for p in db.Product.with_deleted(db.Product.id, db.Product.sku)
            .where(db.Product.id.in_({i.product_id for i in pending}))} if pending else {}
    known: dict[str, db.ImageFile] = {}
    for image in (db.ImageFile.select().where((db.ImageFile.status == "ok") & db.ImageFile.original_path.in_(
            {i.original_path for i in pending}))) if pending else []:
        known.setdefault(image.original_path, image)
    urls = list(dict.fromkeys(i.original_path for i in pending if i.original_path not in known))
    total = len(pending)
    tmp_dir = paths.cache / "downloads"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    _sweep(tmp_dir)
    results: dict[str, tuple[dict[str, Any] | None, str]] = {}
    done = 0
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="image-fetch")
    stopping = threading.Event()
    try:
        futures = {url: pool.submit(_fetch, url, tmp_dir, attempts, timeout, backoff, stopping) for url in urls}
        for image in pending:
            if should_stop and should_stop():
                report.cancelled = True
                for f in futures.values():
                    f.cancel()
                break
            url = image.original_path
            sku = skus.get(image.product_id, "")
            if url in known:
                _copy_from(image, known[url])
                report.reused += 1
                report.verdicts.append({"url": url, "sku": sku, "verdict": "ok", "reason": "already fetched"})
            else:
                if url not in results:
                    fetched = _wait(futures[url], should_stop)
                    if fetched is None:
                        report.cancelled = True
                        break
                    results[url] = _store(paths, *fetched)
                stored, why = results[url]
                if stored is None:
                    db.transaction(lambda image=image, why=why: _set(image, status="error", error=why))
                    report.failed += 1
                    report.verdicts.append({"url": url, "sku": sku, "verdict": "failed", "reason": why})
                else:
                    db.transaction(lambda image=image, stored=stored: _set(image, status="ok", error="", **stored))
                    known[url] = image
                    report.fetched += 1
                    report.verdicts.append({"url": url, "sku": sku, "verdict": "ok", "reason": ""})
            done += 1
            if progress:
                progress(done, total, f"image {done} of {total}")
    finally:
        # A cancel does not wait for downloads under way: their results are dropped, their files swept later.
        stopping.set()
        pool.shutdown(wait=not report.cancelled, cancel_futures=True)
    ids = {i.product_id for i in pending}
    with_image = {pid for (pid,) in db.ImageFile.select(db.ImageFile.product).where(
        db.ImageFile.product.in_(ids) & (db.ImageFile.status == "ok")).tuples()} if ids else set()
    report.no_image = sorted(skus[pid] for pid in ids - with_image if pid in skus and not report.cancelled)
    report.seconds = time.perf_counter() - started
    return report


def _wait(future, should_stop: ShouldStop | None, poll_s: float = 0.2):
    """A download's result, or None once the job is asked to stop (a slow server never holds a cancel up)."""
    while True:
        try:
            return future.result(timeout=poll_s)
        except FutureTimeout:
            if should_stop and should_stop():
                return None


def _sweep(folder: Path, older_than_s: float = 3600.0) -> None:
    """Remove downloads a cancelled run left behind (not those of a run that may still be writing)."""
    now = time.time()
    for path in folder.glob(".fetch-*"):
        try:
            if now - path.stat().st_mtime > older_than_s:
                path.unlink()
        except OSError:
            pass


def without_image(product_ids: list[int]) -> list[str]:
    """SKUs of these live products that have no usable image (none given, or none could be fetched)."""
    out = []
    for chunk in db.chunked(product_ids, 500):
        with_image = {pid for (pid,) in db.ImageFile.select(db.ImageFile.product).where(
            db.ImageFile.product.in_(chunk) & (db.ImageFile.status == "ok")).tuples()}
        out += [sku for pid, sku in db.Product.select(db.Product.id, db.Product.sku)
                .where(db.Product.id.in_(chunk)).tuples() if pid not in with_image]
    return sorted(out)


def _store(paths, tmp: Path | None, why: str, tries: int) -> tuple[dict[str, Any] | None, str]:
    if tmp is None:
        return None, why
    try:
        info = probe(tmp)
        sha = file_sha256(tmp)
        suffix = "." + info.format.lower().replace("jpeg", "jpg") if info.format else ".img"
        blob = store_blob(paths, tmp, sha, suffix)
        return {"sha256": sha, "blob_path": str(blob.relative_to(paths.root)), "width": info.width,
                "height": info.height, "size_bytes": tmp.stat().st_size, "format": info.format}, ""
    except DecodeError as exc:
        return None, f"not a readable image: {exc.reason}"
    finally:
        tmp.unlink(missing_ok=True)


def _copy_from(image: db.ImageFile, other: db.ImageFile) -> None:
    db.transaction(lambda: _set(image, status="ok", error="", sha256=other.sha256, blob_path=other.blob_path,
                                width=other.width, height=other.height, size_bytes=other.size_bytes,
                                format=other.format))


def _set(image: db.ImageFile, **values: Any) -> None:
    for key, value in values.items():
        setattr(image, key, value)
    image.save()
