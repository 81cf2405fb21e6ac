"""Image search on a queries file, step by step: the table in docs/PERFORMANCE.md ("Colour-true image search").

    .venv/bin/python bench/image_search_steps.py --catalog /tmp/devcat \
        --queries ../shared/data/magento-dev/queries.jsonl [--json]

Each query photo is encoded once and searched under each setting (core.search.evaluate's `encoded`), so the
steps differ only in what they claim to. Every row is measured on all queries, on the tuning split and on the
held-out quarter of garments (core.search.fusion.in_holdout) that the colour weight was not chosen on.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.cli import _registry  # noqa: E402
from core.catalog.catalog import Catalog  # noqa: E402
from core.search import fusion  # noqa: E402
from core.search.evaluate import evaluate  # noqa: E402

SHOWN = ("recall@1", "recall@10", "mrr", "same_garment_other_colour@1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    splits = {"all": None,
              "tuning": lambda item: "query" in item and not fusion.in_holdout(item),
              "held-out": lambda item: "query" in item and fusion.in_holdout(item)}
    steps = [("whole images, every image of a product (baseline)", {"mode": "whole"}),
             ("pipeline, primary crop only (--no-rerank)", {"rerank": False}),
             ("+ every accepted crop of a product (--colour-weight 0)", {"colour_weight": 0.0}),
             ("+ colour match (recorded weight)", {})]
    out = []
    with Catalog.open(args.catalog) as catalog:
        registry = _registry(catalog)
        encoded: dict = {}
        try:
            for name, opts in steps:
                row = {"step": name}
                for split, only in splits.items():
                    result = evaluate(catalog, registry, args.queries, only=only, encoded=encoded, **opts)
                    row[split] = {"queries": result["queries"], "metrics": result["metrics"],
                                  "ci95": result["ci95"], "colour_weight": result.get("colour_weight")}
                out.append(row)
                print(f"done: {name}", file=sys.stderr, flush=True)
        finally:
            registry.close()
    load = os.getloadavg()
    if args.json:
        print(json.dumps({"steps": out, "load": load}, indent=2))
        return 0
    print("| step | split | queries | " + " | ".join(SHOWN) + " |")
    print("|---|---|---|" + "---|" * len(SHOWN))
    for row in out:
        for split in splits:
            r = row[split]
            cells = [f"{r['metrics'][m]:.3f} [{r['ci95'][m][0]:.2f}, {r['ci95'][m][1]:.2f}]" for m in SHOWN]
            print(f"| {row['step']} | {split} | {r['queries']} | " + " | ".join(cells) + " |")
    print(f"\nload average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
