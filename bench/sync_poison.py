"""Sync that cannot be poisoned, on a local Ceph radosgw: bad objects, skewed-clock peers, and the cost of a pull
that takes its state from the server's listing.

    .venv/bin/python -m bench.sync_poison [--corrections 2000] [--bad 20] [--workers 4]

Peers upload honest corrections, some from clocks 30 days ahead and behind, plus malformed and forged objects,
in three rounds; one catalog pulls after each round. Prints one JSON object: what arrived, what was
quarantined, what a key-range cursor from client clocks (the old pull) would have skipped, and the time of a
pull with nothing new against a bare listing of the same prefix (baseline measured in the same run).
"""

from __future__ import annotations

import argparse
import json
import os
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

DAY_NS = 86_400 * 10**9
OLD_LOOKBACK_NS = 2 * DAY_NS  # the old pull restarted two days of client time before its newest key


def _uid(offset_ns: int = 0) -> str:
    return f"{time.time_ns() + offset_ns:016x}{os.urandom(6).hex()}"


def _doc(uid: str) -> bytes:
    return outbox.encode({"uid": uid, "sku": "S", "kind": "flag", "after": {}, "origin": "peer",
                          "created_at": "2026-01-01T00:00:00"})


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corrections", type=int, default=2000)
    ap.add_argument("--bad", type=int, default=20)
    ap.add_argument("--workers", type=int, default=4)
    args = ap.parse_args(argv)

    gw = RadosGateway.launch()
    try:
        with tempfile.TemporaryDirectory(prefix="sync-poison-") as tmp:
            db.open_database(Path(tmp) / "catalog.sqlite")
            prefix = "poison/"
            settings = S3Settings(enabled=True, endpoint_url=gw.endpoint_url, bucket=gw.bucket, prefix=prefix,
                                  max_requests_per_s=0, allow_insecure_http=True)
            store = S3Store(gw.endpoint_url, gw.bucket, prefix, Credentials(gw.access_key, gw.secret_key),
                            rate=TokenBucket(0), max_pool=16, allow_insecure_http=True)
            raw = gw.client()
            per_round = args.corrections // 3
            honest: set[str] = set()
            bad: set[str] = set()
            old_cursor = ""  # what the old pull kept: the newest key it had seen
            old_skipped = 0
            pulled = quarantined = 0
            for rnd in range(3):
                uploads: list[tuple[str, bytes]] = []
                for i in range(per_round):
                    skew = (30 * DAY_NS if i % 50 == 0 else -30 * DAY_NS if i % 50 == 1 else 0)
                    uid = _uid(skew)
                    uploads.append((outbox.correction_key(uid), _doc(uid)))
                    honest.add(outbox.correction_key(uid))
                for i in range(args.bad // 3 + (rnd < args.bad % 3)):
                    key = outbox.correction_key(_uid())
                    bad.add(key)
                    uploads.append((key, b"{broken" if i % 2 else b"[]"))
                with ThreadPoolExecutor(args.workers) as pool:
                    list(pool.map(lambda kb: store.put_immutable(kb[0], kb[1], "application/json"), uploads))
                # A forged object: bytes that do not match the sha256 its writer recorded.
                forged = outbox.correction_key(_uid())
                raw.put_object(Bucket=gw.bucket, Key=prefix + forged, Body=_doc(forged[12:-5]),
                               Metadata={"sha256": "0" * 64})
                bad.add(forged)
                # The old pull listed from (newest key seen - 2 days of that writer's clock).
                if old_cursor:
                    start = f"corrections/{max(0, int(old_cursor[12:28], 16) - OLD_LOOKBACK_NS):016x}"
                    old_skipped += sum(1 for k, _ in uploads if k in honest and k <= start)
                old_cursor = max([old_cursor] + [k for k, _ in uploads])
                report = sync(settings, store=store, workers=args.workers, purge=False, push=False)
                pulled += report.pulled
                quarantined += report.newly_quarantined
            t0 = time.perf_counter()
            idle = sync(settings, store=store, workers=args.workers, purge=False, push=False)
            idle_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            listed = sum(1 for _ in store.list(outbox.CORRECTIONS))
            list_s = time.perf_counter() - t0
            have = {outbox.correction_key(u) for (u,) in db.Correction.select(db.Correction.uid).tuples()}
            result = {
                "honest_uploaded": len(honest), "honest_arrived": len(honest & have),
                "honest_skipped": len(honest - have), "bad_uploaded": len(bad), "quarantined": quarantined,
                "quarantined_listed": len(idle.quarantined), "pulled": pulled,
                "old_client_clock_cursor_would_skip": old_skipped,
                "objects_listed": listed, "idle_pull_s": round(idle_s, 3), "bare_listing_s": round(list_s, 3),
                "idle_pull_over_listing": round(idle_s / list_s, 2) if list_s else None,
                "load": os.getloadavg()[0],
            }
            db.close_database()
    finally:
        gw.shutdown()
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
