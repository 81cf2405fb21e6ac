"""How the int8 recipe of the image tower compares, on this CPU, same run: speed and fidelity against fp32.

    python bench/accel_recipe.py --json

ViT-B-32-256 with the bench's random weights (seed 0, bench/_rclip_env.py). The tower is exported to fp32
ONNX once, then quantised three ways (8-bit weights; 8-bit, weight-only MatMuls; 7-bit weights, the
recipe core/models/accel.py uses). Each runs as an ONNX Runtime session under the app's threading policy
(core.models.threads.ort_session_options), calls of 4 images as in the indexer, interleaved with torch fp32
(the baseline) so that load from other processes hits every variant alike. Prints ms per image (median of
the reps), the ratio against torch fp32, and the worst cosine against fp32 on 8 seeded inputs.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _rclip_env as env  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="timed seconds per variant and rep")
    args = parser.parse_args()

    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from core.models import threads
    from core.models.embedders import OpenClipEmbedder

    policy = threads.apply()
    env.ensure_assets(lambda m: print(m, file=sys.stderr))
    visual = OpenClipEmbedder(env.ARCH, str(env.CHECKPOINT), device="cpu", tag="bench").model.visual.eval()
    size = int(visual.image_size[0]) if hasattr(visual, "image_size") else 224
    work = Path(tempfile.mkdtemp(prefix="accel-recipe-"))
    fp32 = work / "visual.onnx"
    with warnings.catch_warnings(), torch.enable_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(visual, (torch.zeros(1, 3, size, size),), str(fp32), input_names=["input"],
                          output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                          opset_version=18, dynamo=False)
    recipes = {"int8_8bit": {}, "int8_8bit_const_b_only": {"extra_options": {"MatMulConstBOnly": True}},
               "int8_7bit (ours)": {"reduce_range": True}}
    files = {"fp32_ort": fp32}
    for name, extra in recipes.items():
        files[name] = work / f"{name.split()[0]}.onnx"
        quantize_dynamic(str(fp32), str(files[name]), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul", "Gemm"], **extra)
    sessions = {k: ort.InferenceSession(str(v), threads.ort_session_options(), providers=["CPUExecutionProvider"])
                for k, v in files.items()}

    def torch_run(batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return visual(torch.from_numpy(batch)).numpy()

    runs = {"torch_fp32 (baseline)": torch_run}
    for name, session in sessions.items():
        runs[name] = functools.partial(_ort_run, session)
    sample = np.random.default_rng(0).standard_normal((8, 3, size, size)).astype(np.float32)
    reference = torch_run(sample)
    fidelity = {}
    for name, run in runs.items():
        out = run(sample)
        cos = (out * reference).sum(1) / np.linalg.norm(out, axis=1) / np.linalg.norm(reference, axis=1)
        fidelity[name] = round(float(cos.min()), 5)
    batch = sample[:4]
    timings: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(args.reps):
        for name, run in runs.items():
            run(batch)
            started, images = time.perf_counter(), 0
            while time.perf_counter() - started < args.seconds:
                run(batch)
                images += len(batch)
            timings[name].append(1000 * (time.perf_counter() - started) / images)
    base = statistics.median(timings["torch_fp32 (baseline)"])
    out = {name: {"ms_per_image": round(statistics.median(ms), 1), "runs": [round(m, 1) for m in ms],
                  "speed_vs_torch_fp32": round(base / statistics.median(ms), 3), "worst_cosine_vs_fp32": fidelity[name]}
           for name, ms in timings.items()}
    print(json.dumps({"variants": out, "threads": policy.to_dict(), "batch": len(batch),
                      "load_average_at_end": os.getloadavg()}, indent=None if args.json else 1))


def _ort_run(session, batch: np.ndarray) -> np.ndarray:
    return session.run(None, {"input": batch})[0]


if __name__ == "__main__":
    main()
