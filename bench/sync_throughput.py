"""Sync throughput to a local Ceph radosgw: our outbox + conditional puts vs a raw boto3 put_object loop.

    .venv/bin/python -m bench.sync_throughput [--corrections 2000] [--crops 200] [--workers 4]

Starts its own one-node cluster (tests/radosgw.py), prints one JSON object, and tears everything down.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.catalog import db  # noqa: E402
from core.settings import S3Settings  # noqa: E402
from core.sync import outbox  # noqa: E402
from core.sync.credentials import Credentials  # noqa: E402
from core.sync.engine import sync  # noqa: E402
from core.sync.s3 import S3Store, TokenBucket  # noqa: E402
from tests.radosgw import RadosGateway  # noqa: E402


def _jpeg(seed: int, side: int = 320) -> bytes:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    base = rng.integers(0, 255, (side // 8, side // 8, 3), dtype=np.uint8)
    img = Image.fromarray(base).resize((side, side), Image.BICUBIC)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _raw_loop(gw: RadosGateway, prefix: str, bodies: list[tuple[str, bytes]], workers: int) -> float:
    client = gw.client()
    t0 = time.perf_counter()
    if workers <= 1:
        for key, body in bodies:
            client.put_object(Bucket=gw.bucket, Key=prefix + key, Body=body)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda kb: client.put_object(Bucket=gw.bucket, Key=prefix + kb[0], Body=kb[1]), bodies))
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corrections", type=int, default=2000)
    ap.add_argument("--crops", type=int, default=200)
    ap.add_argument("--workers", type=int, default=4)
    args = ap.parse_args(argv)

    gw = RadosGateway.launch()
    try:
        with tempfile.TemporaryDirectory(prefix="sync-bench-") as tmp:
            root = Path(tmp)
            db.open_database(root / "catalog.sqlite")
            settings = S3Settings(enabled=True, endpoint_url=gw.endpoint_url, bucket=gw.bucket, prefix="bench/",
                                  max_requests_per_s=0, allow_insecure_http=True)
            store = S3Store(gw.endpoint_url, gw.bucket, "bench/", Credentials(gw.access_key, gw.secret_key),
                            rate=TokenBucket(0), max_pool=max(16, args.workers * 2), allow_insecure_http=True)

            t0 = time.perf_counter()
            for i in range(args.corrections):
                def _do(i: int = i) -> None:
                    c = db.Correction.create(uid=db.new_uid(), sku=f"SKU-{i % 97}", kind="add_label",
                                             after={"vocabulary": "color", "value": f"v{i}"})
                    outbox.enqueue_correction(c)
                db.transaction(_do)
            enqueue_s = time.perf_counter() - t0
            corr_bodies = [(r.key, outbox.encode(r.payload)) for r in outbox.pending()]

            t0 = time.perf_counter()
            rep_c = sync(settings, store=store, workers=args.workers, pull=False, purge=False)
            corr_s = time.perf_counter() - t0
            assert rep_c.pushed == args.corrections and rep_c.pending == 0, rep_c.to_dict()

            crop_dir = root / "crops"
            crop_dir.mkdir()
            jpegs = []
            for i in range(args.crops):
                path = crop_dir / f"{i}.jpg"
                path.write_bytes(_jpeg(i))
                jpegs.append(path)
            db.transaction(lambda: [outbox.enqueue_crop_jpeg(i, p) for i, p in enumerate(jpegs)])
            crop_bodies = [(r.key, Path(r.file_path).read_bytes()) for r in outbox.pending()]
            crop_bytes = sum(len(b) for _, b in crop_bodies)
            t0 = time.perf_counter()
            rep_j = sync(settings, store=store, workers=args.workers, pull=False, purge=False)
            crop_s = time.perf_counter() - t0
            assert rep_j.pushed == args.crops, rep_j.to_dict()

            t0 = time.perf_counter()  # an idempotent re-sync: nothing pending, a pull over all corrections
            rep_r = sync(settings, store=store, workers=args.workers, purge=False, full_scan=True)
            resync_s = time.perf_counter() - t0

            base = {}
            for w in sorted({1, args.workers}):
                base[w] = (_raw_loop(gw, f"raw{w}/", corr_bodies, w), _raw_loop(gw, f"raw{w}/", crop_bodies, w))
            db.close_database()

        n, m, mb = args.corrections, args.crops, crop_bytes / 1e6
        bw = base[args.workers]
        result = {
            "server": "ceph radosgw 16.2 (one node, memstore) on 127.0.0.1",
            "radosgw_startup_s": round(gw.startup_s, 1),
            "workers": args.workers,
            "corrections": n,
            "crops": m,
            "crop_mb": round(mb, 2),
            "enqueue_corrections_per_s": round(n / enqueue_s, 1),
            "corrections_per_s": round(n / corr_s, 1),
            "crops_per_s": round(m / crop_s, 1),
            "mb_per_s": round(mb / crop_s, 2),
            "resync_seconds": round(resync_s, 2),
            "resync_pushed": rep_r.pushed,
            "resync_pulled": rep_r.pulled,
            "baseline_raw_put_object": {
                f"workers_{w}": {"corrections_per_s": round(n / c, 1), "mb_per_s": round(mb / j, 2)}
                for w, (c, j) in base.items()
            },
            "ratio_vs_raw_same_workers": {
                "corrections": round((n / corr_s) / (n / bw[0]), 2),
                "mb": round((mb / crop_s) / (mb / bw[1]), 2),
            },
            "note": "ours = outbox read + If-None-Match put + Content-MD5 + SQLite mark-sent, rate limit off; "
                    "with the default 20 requests/s limit, sync is capped at 20 objects/s.",
        }
        print(json.dumps(result, indent=2))
        return result
    finally:
        gw.shutdown()


if __name__ == "__main__":
    main()
