"""Drift detector accuracy on synthetic shifted and unshifted batches: `python bench/drift_accuracy.py --json`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.ops.drift import synthetic_benchmark  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--trials", type=int, default=400)
    args = parser.parse_args()
    rows = []
    for dim, batch in ((128, 64), (512, 64), (128, 32), (128, 128)):
        started = time.perf_counter()
        report = synthetic_benchmark(dim=dim, batch=batch, trials=args.trials, seed=dim + batch)
        report["seconds"] = round(time.perf_counter() - started, 2)
        rows.append(report)
    if args.json:
        print(json.dumps({"runs": rows}, indent=2))
    else:
        for r in rows:
            print(f"dim {r['dim']:4d} batch {r['batch_size']:4d}: accuracy {r['accuracy']:.3f}, "
                  f"false alarms {r['false_alarm_rate']:.3f}, detection {r['detection_rate']:.3f}")


if __name__ == "__main__":
    main()
