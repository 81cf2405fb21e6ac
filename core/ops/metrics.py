"""An optional Prometheus endpoint on 127.0.0.1 (off by default) serving the health snapshot."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily

NUMERIC_KEYS = ("products", "indexed", "products_per_s", "error_rate", "seconds_per_product",
                "seconds_per_product_p95", "searches", "search_latency_p50_ms", "search_latency_p95_ms",
                "outlier_crops", "gpu_memory_used_mb")


class _SnapshotCollector:
    def __init__(self, snapshot: Callable[[], dict[str, Any]]) -> None:
        self.snapshot = snapshot
        self.lock = threading.Lock()

    def collect(self):
        with self.lock:
            data = self.snapshot()
        for key in NUMERIC_KEYS:
            value = data.get(key)
            if isinstance(value, int | float):
                yield GaugeMetricFamily(f"catalog_curator_{key}", key.replace("_", " "), value=float(value))
        jobs = GaugeMetricFamily("catalog_curator_jobs", "jobs by state in the window", labels=["state"])
        for state, count in data.get("jobs", {}).items():
            jobs.add_metric([state], float(count))
        yield jobs
        drift = data.get("drift_alarms")
        if isinstance(drift, int):
            yield GaugeMetricFamily("catalog_curator_drift_alarms", "open drift alarms", value=float(drift))


def serve_metrics(port: int, snapshot: Callable[[], dict[str, Any]]):
    """Start the endpoint on 127.0.0.1:port; returns (server, thread) — call server.shutdown() to stop."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_SnapshotCollector(snapshot))
    return start_http_server(port, addr="127.0.0.1", registry=registry)
