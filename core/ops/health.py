"""Health of a catalog: job throughput, error rate, seconds per product against the SLA, search latency."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from core.catalog import db

SLA_SECONDS_PER_PRODUCT = 1.0  # the target shown next to the measured figure


def _percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def device_info() -> dict[str, Any]:
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency; keep health readable without it
        return {"device": "cpu"}
    info: dict[str, Any] = {"device": "cpu", "torch": torch.__version__, "threads": torch.get_num_threads()}
    if torch.cuda.is_available():
        free, total = torch.cuda.mem_get_info()
        info.update(device=torch.cuda.get_device_name(0), gpu_memory_used_mb=round((total - free) / 2**20),
                    gpu_memory_total_mb=round(total / 2**20))
    elif getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        info["device"] = "mps"
    return info


def health_snapshot(*, days: int = 7, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the health view and the metrics endpoint show, from the database alone."""
    now = now or db.utcnow()
    since = now - dt.timedelta(days=days)
    results = list(db.IndexingResult.select().where(db.IndexingResult.created_at >= since))
    per_product = [sum(v for v in r.timings.values() if isinstance(v, int | float))
                   for r in results if r.status == "ok" and r.timings]
    errors = sum(r.status == "error" for r in results)
    jobs = list(db.Job.select().where(db.Job.created_at >= since))
    throughput = []
    for job in jobs:
        if job.state == "succeeded" and job.started_at and job.finished_at and job.progress:
            seconds = (job.finished_at - job.started_at).total_seconds()
            if seconds > 0:
                throughput.append(job.progress / seconds)
    latencies = [q.latency_ms for q in db.QueryResult.select(db.QueryResult.latency_ms)
                 .where(db.QueryResult.created_at >= since)]
    mean_seconds = float(np.mean(per_product)) if per_product else None
    return {
        "window_days": days,
        "products": db.Product.select().count(),
        "indexed": db.Product.select().where(db.Product.status == "indexed").count(),
        "jobs": {state: sum(j.state == state for j in jobs)
                 for state in ("queued", "running", "succeeded", "failed", "cancelled")},
        "products_per_s": float(np.median(throughput)) if throughput else None,
        "indexing_results": len(results),
        "error_rate": errors / len(results) if results else 0.0,
        "seconds_per_product": mean_seconds,
        "seconds_per_product_p95": _percentile(per_product, 95),
        "sla_seconds_per_product": SLA_SECONDS_PER_PRODUCT,
        "sla_ok": mean_seconds is None or mean_seconds <= SLA_SECONDS_PER_PRODUCT,
        "searches": len(latencies),
        "search_latency_p50_ms": _percentile(latencies, 50),
        "search_latency_p95_ms": _percentile(latencies, 95),
        "outlier_crops": db.Crop.select().where(db.Crop.outlier == True).count(),  # noqa: E712
        **device_info(),
    }
