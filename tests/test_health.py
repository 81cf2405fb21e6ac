"""Health snapshot from real rows, and the optional Prometheus endpoint on loopback."""

from __future__ import annotations

import socket
import urllib.request

import pytest

from core.catalog import db
from core.catalog.catalog import Catalog
from core.ops.health import health_snapshot
from core.ops.metrics import serve_metrics


@pytest.fixture
def catalog(tmp_path):
    cat = Catalog.open(tmp_path / "cat")
    yield cat
    cat.close()


def _fill():
    now = db.utcnow()
    job = db.Job.create(kind="index", state="succeeded", progress=10, total=10,
                        started_at=now.replace(microsecond=0), finished_at=now.replace(microsecond=0) +
                        __import__("datetime").timedelta(seconds=5))
    for i in range(4):
        p = db.Product.create(sku=f"S{i}", status="indexed" if i < 3 else "error")
        db.IndexingResult.create(job=job, product=p, status="ok" if i < 3 else "error",
                                 timings={"decode": 0.1, "embed": 0.2 * (i + 1)})
    for ms in (5.0, 10.0, 50.0):
        db.QueryResult.create(kind="text", text="bag", latency_ms=ms)


def test_health_snapshot_reads_rows(catalog):
    _fill()
    h = health_snapshot()
    assert h["products"] == 4 and h["indexed"] == 3
    assert h["error_rate"] == pytest.approx(0.25)
    assert h["seconds_per_product"] == pytest.approx((0.3 + 0.5 + 0.7) / 3)
    assert h["products_per_s"] == pytest.approx(2.0)
    assert h["search_latency_p50_ms"] == pytest.approx(10.0)
    assert h["jobs"]["succeeded"] == 1 and h["sla_ok"] is True
    assert h["device"]


def test_prometheus_endpoint_serves_snapshot(catalog):
    _fill()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server, thread = serve_metrics(port, health_snapshot)
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert "catalog_curator_products 4.0" in body
    assert 'catalog_curator_jobs{state="succeeded"} 1.0' in body
