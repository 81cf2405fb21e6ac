"""In-scene query latency: proposals (8 regions + the whole photo) against the true box (one crop), same run.

    python bench/in_scene_latency.py --catalog /tmp/i18-devcat --queries ../shared/data/magento-dev/wild/queries.jsonl

Prints wall and CPU seconds per query for both, their p95, and the ratio proposals / true box. Record
`uptime` beside the figures: the shared machine's load moves them more than the code does.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from core.catalog.catalog import Catalog
from core.models.registry import ModelRegistry
from core.search.query import SearchRequest, search


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--catalog", type=Path, required=True)
    ap.add_argument("--queries", type=Path, required=True)
    ap.add_argument("--every", type=int, default=8, help="time every n-th query")
    args = ap.parse_args()
    items = [json.loads(line) for line in args.queries.read_text().splitlines() if line.strip()][::args.every]
    with Catalog.open(args.catalog) as catalog:
        registry = ModelRegistry(catalog.search_model_settings())  # the active index's model
        search(catalog, registry, SearchRequest(image=args.queries.parent / items[0]["query"]), log_query=False)
        times: dict[str, list[tuple[float, float]]] = {"proposals": [], "true box": []}
        for it in items:
            for name, box in (("proposals", None), ("true box", tuple(it["box"]))):
                registry.query_cache.clear()  # time the model, not the query cache
                wall, cpu = time.perf_counter(), time.process_time()
                search(catalog, registry, SearchRequest(image=args.queries.parent / it["query"], box=box),
                       log_query=False)
                times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
        registry.close()
    p95 = {name: np.percentile(np.array(t), 95, axis=0) for name, t in times.items()}
    for name, (wall, cpu) in p95.items():
        print(f"{name:10} p95 wall {wall:.2f} s  cpu {cpu:.2f} s  ({len(times[name])} queries)")
    print(f"ratio proposals / true box (p95 wall): {p95['proposals'][0] / p95['true box'][0]:.2f}")


if __name__ == "__main__":
    main()
