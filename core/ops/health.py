"""Health of a catalog: job throughput, error rate, seconds per product against the SLA, search latency."""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from core.catalog import db
from core.jobs import JobState

SLA_SECONDS_PER_PRODUCT = 1.0  # the target shown next to the measured figure
DRIFT_ROWS = 200  # alarms and label heads listed


def _percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def _column(sql: str, params: list[Any]) -> list[float]:
    return [v for (v,) in db.database.execute_sql(sql, params)]


def device_info(*, load_torch: bool = True) -> dict[str, Any]:
    """The compute device and its memory. `load_torch=False` (the GUI) never imports torch for this: at launch
    the model thread is importing it, and a pool thread doing the same competes for the GIL with the window."""
    if not load_torch and "torch" not in sys.modules:
        return {"device": "not known yet (models loading)"}
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


def health_snapshot(*, days: int = 7, now: dt.datetime | None = None, load_torch: bool = True) -> dict[str, Any]:
    """Everything the health view and the metrics endpoint show, from the database alone."""
    now = now or db.utcnow()
    since = now - dt.timedelta(days=days)
    # total_seconds is kept by a trigger and the window is a covering index (migration 10): loading every
    # result and parsing its timings here took ~100 ms at 10k products.
    window = "FROM indexing_result WHERE deleted_at IS NULL AND created_at >= ?"
    n_results, errors = db.database.execute_sql(
        f"SELECT COUNT(*), COALESCE(SUM(status = 'error'), 0) {window}", [str(since)]).fetchone()
    per_product = _column(f"SELECT total_seconds {window} AND status = 'ok' AND total_seconds IS NOT NULL",
                          [str(since)])
    jobs = list(db.Job.select(db.Job.state, db.Job.started_at, db.Job.finished_at, db.Job.progress)
                .where(db.Job.created_at >= since))
    throughput = []
    for job in jobs:
        if job.state == JobState.SUCCEEDED and job.started_at and job.finished_at and job.progress:
            seconds = (job.finished_at - job.started_at).total_seconds()
            if seconds > 0:
                throughput.append(job.progress / seconds)
    latencies = _column("SELECT latency_ms FROM query_result WHERE deleted_at IS NULL AND created_at >= ?",
                        [str(since)])
    mean_seconds = float(np.mean(per_product)) if per_product else None
    products, indexed = db.database.execute_sql(
        "SELECT COUNT(*), COALESCE(SUM(status = 'indexed'), 0) FROM product WHERE deleted_at IS NULL").fetchone()
    return {
        "window_days": days,
        "products": products,
        "indexed": indexed,
        "jobs": {state: sum(j.state == state for j in jobs)
                 for state in (JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED, JobState.FAILED,
                               JobState.CANCELLED)},
        "products_per_s": float(np.median(throughput)) if throughput else None,
        "indexing_results": n_results,
        "error_rate": errors / n_results if n_results else 0.0,
        "seconds_per_product": mean_seconds,
        "seconds_per_product_p95": _percentile(per_product, 95),
        "sla_seconds_per_product": SLA_SECONDS_PER_PRODUCT,
        "sla_ok": mean_seconds is None or mean_seconds <= SLA_SECONDS_PER_PRODUCT,
        "searches": len(latencies),
        "search_latency_p50_ms": _percentile(latencies, 50),
        "search_latency_p95_ms": _percentile(latencies, 95),
        "outlier_crops": db.database.execute_sql(  # review_stats counts them per product (migration 10)
            "SELECT COALESCE(SUM(s.outliers), 0) FROM review_stats s JOIN product p ON p.id = s.product_id "
            "WHERE p.deleted_at IS NULL").fetchone()[0],
        **device_info(load_torch=load_torch),
    }


@dataclass(frozen=True)
class DriftRow:
    id: int
    when: str
    model_version: str
    p_value: float
    batch_size: int
    details: dict[str, Any]
    acknowledged: bool


@dataclass(frozen=True)
class HeadRow:
    vocabulary: str
    version: str
    examples: int
    head_accuracy: float
    baseline: str
    baseline_accuracy: float | None
    active: bool
    when: str


@dataclass(frozen=True)
class HealthReport:
    """What the health tab, the status-bar badge and `catalog-curator health` show: one read, same figures."""

    snapshot: dict[str, Any]
    drift: tuple[DriftRow, ...]
    open_alarms: int
    versions: tuple[dict[str, Any], ...]
    heads: tuple[HeadRow, ...]
    read_ms: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_health(catalog, *, days: int = 7, rows: int = DRIFT_ROWS, load_torch: bool = True) -> HealthReport:
    """The snapshot plus the latest drift alarms, model versions and label heads (timed: the view shows it)."""
    from core.ops.lifecycle import model_versions

    t0 = time.perf_counter()
    snapshot = health_snapshot(days=days, load_torch=load_torch)
    drift = tuple(DriftRow(e.id, e.created_at.strftime("%Y-%m-%d %H:%M"), e.model_version, e.p_value, e.batch_size,
                           e.details or {}, e.acknowledged)
                  for e in db.DriftEvent.select().order_by(db.DriftEvent.created_at.desc()).limit(rows))
    open_alarms = db.DriftEvent.select().where(db.DriftEvent.acknowledged == False).count()  # noqa: E712
    snapshot["drift_alarms"] = open_alarms
    heads = tuple(HeadRow(h.vocabulary, h.version, h.examples, h.head_accuracy, h.baseline, h.zero_shot_accuracy,
                          h.active, h.created_at.strftime("%Y-%m-%d %H:%M"))
                  for h in db.LabelHead.select().order_by(db.LabelHead.created_at.desc()).limit(rows))
    return HealthReport(snapshot, drift, open_alarms, tuple(model_versions(catalog)), heads,
                        (time.perf_counter() - t0) * 1000)


def acknowledge_drift(event_id: int | None = None) -> int:
    """Mark one drift alarm (or every open one) as seen; returns how many changed."""
    query = db.DriftEvent.update(acknowledged=True)
    query = query.where(db.DriftEvent.id == event_id) if event_id else query.where(
        db.DriftEvent.acknowledged == False)  # noqa: E712
    n = db.transaction(query.execute)
    db.audit("acknowledge_drift", str(event_id or "all"))
    return n
