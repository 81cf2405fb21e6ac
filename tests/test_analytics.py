"""Search analytics: clicks, queries per day, zero results, latency percentiles, unclicked queries."""

from __future__ import annotations

import datetime as dt

import pytest

from core.catalog import db
from core.search import record_click, summarize
from tests.test_search_fixtures import open_catalog


@pytest.fixture
def catalog(tmp_path):
    yield from open_catalog(tmp_path)


def _query(day: dt.datetime, text: str, results: list[int], latency: float, kind: str = "text") -> db.QueryResult:
    row = db.QueryResult.create(kind=kind, text=text, result_ids=results, scores=[0.5] * len(results),
                                latency_ms=latency)
    db.QueryResult.update(created_at=day).where(db.QueryResult.id == row.id).execute()
    return row


def test_summary_by_hand(catalog):
    now = dt.datetime(2025, 3, 10, 12, 0)
    p1, p2 = db.Product.create(sku="P1"), db.Product.create(sku="P2")
    day1, day2 = now - dt.timedelta(days=2), now - dt.timedelta(days=1)
    q1 = _query(day1, "red bag", [p1.id, p2.id], 10.0)
    q2 = _query(day1, "Red Bag ", [p2.id], 20.0)
    _query(day2, "red bag", [p1.id], 30.0)
    _query(day2, "unicorn", [], 40.0)
    _query(day2, "unicorn", [], 50.0)
    _query(day2, "", [p1.id], 60.0, kind="image")
    _query(now - dt.timedelta(days=40), "old", [], 1000.0)  # outside the window
    assert record_click(q1.id, p2.id, 2) > 0
    record_click(q1.id, p1.id, 1)
    record_click(q2.id, p2.id, 1)
    with pytest.raises(ValueError):
        record_click(q2.id, p2.id, 0)

    s = summarize(30, now=now)

    assert s["queries"] == 6
    assert s["queries_per_day"] == [{"date": "2025-03-08", "count": 2}, {"date": "2025-03-09", "count": 4}]
    assert s["zero_result_rate"] == pytest.approx(2 / 6, abs=1e-4)
    assert s["latency_ms"] == {"p50": 35.0, "p95": 57.5}  # numpy's linear interpolation
    assert s["clicks"] == 3 and s["clicks_by_rank"] == {"1": 2, "2": 1}
    assert s["click_through_rate"] == pytest.approx(2 / 6, abs=1e-4)
    assert s["by_kind"] == {"image": 1, "text": 5}
    # "red bag" was clicked twice of three times; "unicorn" never.
    assert s["top_queries_without_clicks"][0] == {"query": "unicorn", "count": 2}
    assert {"query": "red bag", "count": 1} in s["top_queries_without_clicks"]


def test_empty_summary(catalog):
    s = summarize(7)
    assert s["queries"] == 0 and s["zero_result_rate"] == 0.0 and s["latency_ms"]["p50"] is None
