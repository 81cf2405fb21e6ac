"""Every view counts: image search retrieving by primary crops only against the crop index (every accepted view).

    .venv/bin/python bench/every_view.py --catalog /tmp/devcat \
        --queries ../shared/data/magento-dev/queries.jsonl [--json]

Each query photo is encoded once and searched under each setting. The re-ranker's candidate pool (at least 100
products) covers 44 % of the 229-product dev catalog, so on dev it sees nearly every product whichever way they
were retrieved; the smaller pool rows (30 products, 13 %) stand for a larger catalog, where what retrieval misses
the re-ranker never sees. Rows: all queries and the two halves of garments of `eval --half` (by hash of the
garments' names, not by answers; nothing here was tuned on either).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.cli import HALF, _registry  # noqa: E402
from core.catalog.catalog import Catalog  # noqa: E402
from core.search import fusion  # noqa: E402
from core.search import query as q  # noqa: E402
from core.search.evaluate import confidence_intervals, evaluate, mean_metrics, read_queries  # noqa: E402

SHOWN = ("recall@1", "recall@10", "mrr", "same_garment_other_colour@1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--pools", default="100,30", help="re-ranker pool minimums to try")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    splits = {"all": None,
              "tuning half": lambda item: "query" in item and not fusion.in_holdout(item, HALF),
              "held-out half": lambda item: "query" in item and fusion.in_holdout(item, HALF)}
    rows = []
    settings = [(None, False)] + [(int(p), True) for p in args.pools.split(",")]
    with Catalog.open(args.catalog) as catalog:
        registry = _registry(catalog)
        encoded: dict = {}
        items = {item["_line"]: item for item in read_queries(args.queries)}
        try:
            for pool, rerank in settings:
                q.RERANK_POOL_MIN = pool or q.RERANK_POOL_MIN
                for views in (False, True):
                    r = evaluate(catalog, registry, args.queries, rerank=rerank, views=views, details=True,
                                 encoded=encoded)
                    for split, only in splits.items():
                        mine = [x for x in r["per_query"] if only is None or only(items[x["line"]])]
                        metrics, ci = mean_metrics(mine), confidence_intervals(mine)
                        rows.append({"pool_min": pool, "rerank": rerank, "views": views, "split": split,
                                     "queries": len(mine), **{m: metrics[m] for m in SHOWN},
                                     "ci95": {m: ci[m] for m in SHOWN}, "p50_s": r["latency"]["p50_s"]})
        finally:
            registry.close()
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for r in rows:
            print(f"pool>={r['pool_min'] or '-':<4} rerank={r['rerank']!s:5} views={r['views']!s:5} {r['split']:14} "
                  f"n={r['queries']:<3} " + "  ".join(f"{m}={r[m]:.3f}" for m in SHOWN) + f"  p50={r['p50_s']}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
