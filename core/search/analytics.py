"""Search analytics: clicks on results, and a summary of queries, latency and what found nothing useful."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import numpy as np

from core.catalog import db


def record_click(query_id: int, product_id: int, rank: int) -> int:
    """A curator opened result `rank` (1-based) of a logged query; returns the QueryClick id."""
    if rank < 1:
        raise ValueError("rank is 1-based: the first result is rank 1")
    return db.transaction(lambda: db.QueryClick.create(query=query_id, product=product_id, rank=int(rank)).id)


def _query_key(q: db.QueryResult) -> str:
    if q.text:
        return q.text.strip().lower()
    return f"{q.kind}:{q.image_hash[:12]}" if q.image_hash else q.kind


def summarize(days: int = 30, *, now: dt.datetime | None = None, top: int = 10) -> dict[str, Any]:
    """Queries per day, zero-result rate, latency p50/p95, clicks by rank, frequent queries nobody clicked."""
    now = now or db.utcnow()
    since = now - dt.timedelta(days=days)
    queries = list(db.QueryResult.select().where((db.QueryResult.created_at >= since)
                                                 & (db.QueryResult.created_at <= now)))
    ids = [q.id for q in queries]
    clicks: list[db.QueryClick] = []
    for chunk in db.chunked(ids, 500):
        clicks += list(db.QueryClick.select().where(db.QueryClick.query.in_(chunk)))
    clicked = {c.query_id for c in clicks}
    per_day = Counter(q.created_at.date().isoformat() for q in queries)
    latencies = np.array([q.latency_ms for q in queries], dtype=np.float64)
    zero = sum(1 for q in queries if not q.result_ids)
    by_kind = Counter(q.kind for q in queries)
    by_rank = Counter(c.rank for c in clicks)
    unclicked: dict[str, int] = defaultdict(int)
    for q in queries:
        if q.id not in clicked:
            unclicked[_query_key(q)] += 1
    top_unclicked = sorted(unclicked.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    n = len(queries)
    return {
        "days": days,
        "since": since.isoformat(timespec="seconds"),
        "queries": n,
        "queries_per_day": [{"date": d, "count": per_day[d]} for d in sorted(per_day)],
        "by_kind": dict(sorted(by_kind.items())),
        "zero_result_rate": round(zero / n, 4) if n else 0.0,
        "latency_ms": {
            "p50": round(float(np.percentile(latencies, 50)), 3) if n else None,
            "p95": round(float(np.percentile(latencies, 95)), 3) if n else None,
        },
        "clicks": len(clicks),
        "click_through_rate": round(len(clicked) / n, 4) if n else 0.0,
        "clicks_by_rank": {str(r): by_rank[r] for r in sorted(by_rank)},
        "mean_click_rank": round(float(np.mean([c.rank for c in clicks])), 3) if clicks else None,
        "top_queries_without_clicks": [{"query": key, "count": count} for key, count in top_unclicked],
    }


def analytics_report(days: int = 30, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """summarize() plus the raw latencies and per-day zero-result rates the plots need (GUI and CLI alike)."""
    now = now or db.utcnow()
    report = summarize(days=days, now=now)
    since = now - dt.timedelta(days=days)
    rows = list(db.QueryResult.select(db.QueryResult.created_at, db.QueryResult.latency_ms, db.QueryResult.result_ids)
                .where((db.QueryResult.created_at >= since) & (db.QueryResult.created_at <= now)))
    report["latencies"] = [r.latency_ms for r in rows]
    per_day: dict[str, list[int]] = {}
    for r in rows:
        per_day.setdefault(r.created_at.date().isoformat(), []).append(0 if r.result_ids else 1)
    report["zero_per_day"] = [{"date": d, "rate": float(np.mean(v))} for d, v in sorted(per_day.items())]
    return report
