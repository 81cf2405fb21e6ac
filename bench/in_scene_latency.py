"""In-scene query latency, same run: proposals (8 regions + refinement + the whole photo), the catalog's trained
detector (its boxes + the whole photo), both fused, and the true box (one crop); the detector and the true box
also without removing the scene inside their regions (core.pipeline.masks), to show what the masks cost.

    python bench/in_scene_latency.py --catalog /tmp/i18-devcat --queries ../shared/data/magento-dev/wild/queries.jsonl

Prints wall and CPU seconds per query for each, their p95, and each one's ratio to the true box (detector and
fused only when the catalog has a promoted detector: `catalog-curator models train-detector`). Record
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
from core.search import encode
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
        from core.ops.product_detector import active_detector

        modes = ["proposals"] + (["detector", "fused"] if active_detector(catalog) is not None else [])
        first = args.queries.parent / items[0]["query"]
        for mode in modes:  # load every model once before timing
            catalog.settings.models.localiser = mode
            search(catalog, registry, SearchRequest(image=first), log_query=False)
        unmasked = [f"{m}, scene kept" for m in modes if m == "detector"] + ["true box, scene kept"]
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in [*modes, "true box", *unmasked]}
        for it in items:
            for name in times:
                box = tuple(it["box"]) if name.startswith("true box") else None
                catalog.settings.models.localiser = name.split(",")[0] if box is None else "proposals"
                encode.MASK_SCENES = name not in unmasked
                registry.query_cache.clear()  # time the model, not the query cache
                wall, cpu = time.perf_counter(), time.process_time()
                search(catalog, registry, SearchRequest(image=args.queries.parent / it["query"], box=box),
                       log_query=False)
                times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
        registry.close()
    p95 = {name: np.percentile(np.array(t), 95, axis=0) for name, t in times.items()}
    for name, (wall, cpu) in p95.items():
        ratio = wall / p95["true box"][0]
        print(f"{name:22} p95 wall {wall:.2f} s  cpu {cpu:.2f} s  ({len(times[name])} queries)  "
              f"x{ratio:.1f} the true box")


if __name__ == "__main__":
    main()
