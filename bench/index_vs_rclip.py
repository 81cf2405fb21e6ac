"""Indexing throughput, ours against rclip 4 (a real peer), same images, same ViT-B-32-256 weights, same run.

    python bench/index_vs_rclip.py --json

rclip runs its own `RClip.ensure_index` in a Python 3.12 venv (bench/out/rclip-venv) on ONNX towers exported
from the very model object our side loads (random weights, seed 0; see bench/_rclip_env.py). Our side runs our
code: core.pipeline.decode + preprocess in a decode-ahead thread with a bounded queue, then
OpenClipEmbedder.embed_images (baseline), or the same embedder with its image tower replaced by
core.models.accel.optimize_image_tower (how embedders.py would wire it). Runs are interleaved (rclip, ours,
ours, rclip, ...) so that load from other processes on this shared machine hits both sides alike; the
medians are reported. Model loading and the one-off int8 export are outside the clock and reported apart.
Finally the full indexer (core.pipeline.indexer.index_products, every stage, after an untimed import)
indexes a fresh catalog of the same products, `--reps` times, each run followed by one more rclip run:
`pipeline_images_per_s` (the median run, whose stages are reported) and `pipeline_ratio` (against rclip's
median over all its runs in this run; goal >= 1.5), `pipeline_runs_images_per_s` (every run).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _rclip_env as env  # noqa: E402

DATA = Path(os.environ.get("MAGENTO_DEV", "/work/shared/data/magento-dev"))
LOOKAHEAD_BATCHES = 2


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- rclip -----------------------------------------------------------------------------------------------------
def run_rclip(python: Path, image_dir: Path, batch: int, n: int) -> dict:
    datadir = env.fresh_rclip_datadir(env.OUT / f"rclip-datadir-{n}")
    done = subprocess.run([str(python), str(Path(__file__).with_name("_rclip_run.py")), str(datadir),
                           str(image_dir), str(batch)], capture_output=True, text=True,
                          env={**os.environ, "ORT_DISABLE_TELEMETRY": "1"})
    shutil.rmtree(datadir, ignore_errors=True)
    if done.returncode != 0:
        raise RuntimeError(f"rclip run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- ours ------------------------------------------------------------------------------------------------------
def full_decode(path: Path, spec) -> np.ndarray:
    from core.pipeline.decode import decode
    from core.pipeline.preprocess import preprocess

    return preprocess(decode(path), None, spec).tensor


def draft_decode(path: Path, spec) -> np.ndarray:
    from core.models.accel import fast_decode_for_size
    from core.pipeline.preprocess import preprocess

    return preprocess(fast_decode_for_size(path, spec.size)[0], None, spec).tensor


def run_ours(paths: list[Path], spec, embed: Callable[[np.ndarray], np.ndarray], batch: int,
             decode_fn=full_decode) -> dict:
    """Decode + preprocess ahead in one thread (bounded queue), embed in batches on this one."""
    q: queue.Queue = queue.Queue(maxsize=LOOKAHEAD_BATCHES * batch)
    decode_cpu = [0.0]

    def decoder() -> None:
        for path in paths:
            t = time.thread_time()
            tensor = decode_fn(path, spec)
            decode_cpu[0] += time.thread_time() - t
            q.put(tensor)
        q.put(None)

    vectors = []
    wall, cpu = time.perf_counter(), time.process_time()
    thread = threading.Thread(target=decoder, daemon=True)
    thread.start()
    embed_seconds, pending, finished = 0.0, [], False
    while not finished:
        item = q.get()
        if item is None:
            finished = True
        else:
            pending.append(item)
        if pending and (finished or len(pending) >= batch):
            t = time.perf_counter()
            vectors.append(embed(np.stack(pending)))
            embed_seconds += time.perf_counter() - t
            pending = []
    thread.join()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"images": len(paths), "seconds": wall, "cpu_seconds": cpu, "images_per_s": len(paths) / wall,
            "embed_seconds": embed_seconds, "decode_cpu_seconds": decode_cpu[0], "vectors": np.concatenate(vectors)}


def tower_embed(embedder, tower) -> Callable[[np.ndarray], np.ndarray]:
    """What OpenClipEmbedder.embed_images does once accel is wired in: checks, tower, L2 normalisation."""
    import torch

    from core.models.embedders import l2_normalise

    def embed(batch: np.ndarray) -> np.ndarray:
        batch = embedder._check_batch(batch)  # noqa: SLF001 - the embedder's own input check
        with torch.inference_mode():
            out = tower(torch.from_numpy(batch))
        return l2_normalise(out.float().numpy())

    return embed


def median(runs: list[dict], key: str = "images_per_s") -> float:
    return float(statistics.median(r[key] for r in runs))


# -- the full indexer ------------------------------------------------------------------------------------------
def run_pipeline(accel_mode: str | None, n: int) -> dict:
    """The whole indexer over the dev catalog: import first (rclip does not copy files), then every
    indexing stage (decode, foreground crops, quality, embed, primary selection, labels, write), timed as
    wall-clock seconds of index_products."""
    from core.catalog.catalog import Catalog
    from core.catalog.importer import import_folders
    from core.models.registry import ModelRegistry
    from core.pipeline.indexer import index_products
    from core.settings import ModelSettings

    root = env.OUT / f"pipeline-catalog-{n}"
    shutil.rmtree(root, ignore_errors=True)
    catalog = Catalog.open(root)
    catalog.settings.models = ModelSettings(embedder="open_clip", clip_model=env.ARCH,
                                            clip_pretrained=str(env.CHECKPOINT), clip_checkpoint=str(env.CHECKPOINT),
                                            detector_enabled=False, device="cpu", allow_download=False,
                                            cpu_accel=accel_mode or "fp32")
    catalog.save_settings()
    registry = ModelRegistry(catalog.settings.models, cache_dir=env.OUT / "model-cache")
    try:
        t = time.perf_counter()
        registry.embedder()  # the int8 towers are built (or read from the cache) here, outside the timing
        build = time.perf_counter() - t
        import_folders(catalog.paths, [DATA / "catalog"])
        t = time.perf_counter()
        report = index_products(catalog, registry)
        wall = time.perf_counter() - t
    finally:
        registry.close()
        catalog.close()
        shutil.rmtree(root, ignore_errors=True)
    result = report.to_dict()
    products, images = result.get("indexed", 0), result.get("images", 0)
    return {"accel": accel_mode or "off", "products": products, "images": images, "failed": result.get("failed"),
            "crops_accepted": result.get("crops", 0), "crops_rejected": result.get("rejected_crops", 0),
            "index_seconds": wall, "images_per_s": images / max(wall, 1e-9), "accel_build_seconds": build,
            "stages": result["stages"], "seconds_per_product": wall / max(products, 1),
            "seconds_per_image": wall / max(images, 1)}


# -- main ------------------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--reps", type=int, default=3, help="interleaved repetitions of each timed run")
    parser.add_argument("--batch", type=int, default=32, help="our batch size (settings.models.batch_size)")
    parser.add_argument("--rclip-batch", type=int, default=8, help="rclip's --indexing-batch-size (its default)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--ladder", action="store_true", help="also time each optimisation on its own")
    parser.add_argument("--no-batch8", action="store_true", help="with --ladder: skip the batch-8 variant")
    parser.add_argument("--no-pipeline", action="store_true", help="skip the full-indexer run")
    args = parser.parse_args()

    import torch

    from core.models.accel import cosine_rows, optimize_image_tower
    from core.models.device import configure_threads
    from core.models.embedders import OpenClipEmbedder
    from core.pipeline.crops import spec_for

    configure_threads(args.threads)
    assets = env.ensure_assets(log)
    python = env.ensure_rclip_venv(log)
    paths = sorted((DATA / "catalog").glob("*/*.jpg"))
    log(f"{len(paths)} images; torch threads {torch.get_num_threads()}; reps {args.reps}")

    t = time.perf_counter()
    embedder = OpenClipEmbedder(env.ARCH, str(env.CHECKPOINT), device="cpu", tag=f"random-seed{env.SEED}")
    load_seconds = time.perf_counter() - t
    spec = spec_for(embedder, 0.15)
    towers, build = {}, {}
    for mode in (["auto", "bf16", "int8-ort"] if args.ladder else ["auto"]):
        t = time.perf_counter()
        towers[mode] = optimize_image_tower(embedder.model.visual, device="cpu", mode=mode,
                                            cache_dir=env.OUT / "accel-cache", cache_key=embedder.model_version)
        build[mode] = time.perf_counter() - t
    final = towers["auto"]
    log(f"accel auto -> {final.mode} (build {build['auto']:.1f} s; {final.reason or 'first choice'})")

    variants: dict[str, Callable[[], dict]] = {
        "ours_baseline_fp32": lambda: run_ours(paths, spec, embedder.embed_images, args.batch),
        "ours_final": lambda: run_ours(paths, spec, tower_embed(embedder, final), args.batch),
    }
    if args.ladder:  # each optimisation on its own ("final" is whatever auto picked, not timed twice)
        for mode in ("bf16", "int8-ort"):
            if mode != final.mode:
                variants[f"ours_{mode}"] = (lambda m: lambda: run_ours(
                    paths, spec, tower_embed(embedder, towers[m]), args.batch))(mode)
        variants["ours_final_draft_decode"] = lambda: run_ours(paths, spec, tower_embed(embedder, final), args.batch,
                                                               decode_fn=draft_decode)
        if args.batch != 8 and not args.no_batch8:
            variants["ours_final_batch8"] = lambda: run_ours(paths, spec, tower_embed(embedder, final), 8)
    runs: dict[str, list[dict]] = {"rclip": [], **{k: [] for k in variants}}
    # Warm-up (not timed into the results): first-touch costs of both engines.
    run_ours(paths[:16], spec, tower_embed(embedder, final), args.batch)
    for rep in range(args.reps):
        r = run_rclip(python, DATA / "catalog", args.rclip_batch, rep)
        runs["rclip"].append(r)
        log(f"rep {rep}: rclip {r['images_per_s']:.2f} img/s ({r['images']} images)")
        for name, fn in variants.items():
            result = fn()
            runs[name].append(result)
            log(f"rep {rep}: {name} {result['images_per_s']:.2f} img/s")

    reference = runs["ours_baseline_fp32"][-1]["vectors"]
    fidelity = {}
    for name, rs in runs.items():
        if name.startswith("ours_") and name != "ours_baseline_fp32":
            cos = cosine_rows(rs[-1]["vectors"], reference)
            fidelity[name] = {"mean": float(cos.mean()), "min": float(cos.min())}

    pipeline: list[dict] = []
    if not args.no_pipeline:
        # The full indexer `reps` times, each run followed by one more rclip run, so that load drifting on a
        # shared machine hits both sides alike; then the fp32 pipeline once (the baseline of the accel rows).
        for n, mode in [(rep, "auto") for rep in range(args.reps)] + [(args.reps, None)]:
            try:
                pipeline.append(run_pipeline(mode, n))
                log(f"pipeline accel={mode}: {pipeline[-1]['images_per_s']:.2f} img/s")
            except Exception as exc:  # report, don't hide, why the full indexer did not run
                pipeline.append({"accel": mode or "off", "error": f"{type(exc).__name__}: {exc}"})
                log(f"pipeline accel={mode} failed: {exc}")
            if mode is not None:
                r = run_rclip(python, DATA / "catalog", args.rclip_batch, args.reps + n)
                runs["rclip"].append(r)
                log(f"after pipeline {n}: rclip {r['images_per_s']:.2f} img/s")
    ours, theirs = median(runs["ours_final"]), median(runs["rclip"])
    autos = sorted((p for p in pipeline if p.get("accel") == "auto" and "error" not in p),
                   key=lambda p: p["images_per_s"])
    main_pipe = autos[len(autos) // 2] if autos else None  # the median run (the upper one of an even count)
    out = {
        "ours_images_per_s": round(ours, 2),
        "rclip_images_per_s": round(theirs, 2),
        "ratio": round(ours / theirs, 3),
        "pipeline_images_per_s": round(main_pipe["images_per_s"], 2) if main_pipe else None,
        "pipeline_ratio": round(main_pipe["images_per_s"] / theirs, 3) if main_pipe else None,
        "pipeline_runs_images_per_s": [round(p["images_per_s"], 2) for p in autos],
        "pipeline_seconds_per_product": round(main_pipe["seconds_per_product"], 3) if main_pipe else None,
        "pipeline_seconds_per_4_image_product": round(4 * main_pipe["seconds_per_image"], 3) if main_pipe else None,
        "stages": {k: round(v, 3) for k, v in main_pipe["stages"].items()} if main_pipe else None,
        "accel_mode": final.mode,
        "variants_images_per_s": {k: {"median": round(median(v), 2), "runs": [round(r["images_per_s"], 2) for r in v],
                                      "images_per_cpu_s": round(float(statistics.median(
                                          r["images"] / r["cpu_seconds"] for r in v)), 2)}
                                  for k, v in runs.items()},
        "fidelity_cosine_vs_fp32": {k: {m: round(c, 5) for m, c in v.items()} for k, v in fidelity.items()},
        "pipeline": [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in p.items()} for p in pipeline],
        "setup": {"images": len(paths), "arch": env.ARCH, "weights": f"random, seed {env.SEED}",
                  "checkpoint_sha": env.file_digest(assets["checkpoint"]), "our_batch": args.batch,
                  "rclip_batch": args.rclip_batch, "threads": torch.get_num_threads(), "reps": args.reps,
                  "rclip_version": runs["rclip"][0]["rclip_version"], "model_load_seconds": round(load_seconds, 2),
                  "rclip_session_load_seconds": round(median(runs["rclip"], "load_seconds"), 2),
                  "accel_build_seconds": {k: round(v, 2) for k, v in build.items()},
                  "cpu": _cpu_name(), "load_average_at_end": os.getloadavg()},
    }
    print(json.dumps(out, indent=None if args.json else 1))


def _cpu_name() -> dict:
    """The CPU, its core count, the instruction sets seen and what the accelerator chose from them (issue 25:
    the same bench gives other figures with and without VNNI)."""
    from core.models import cpu

    features = cpu.cpu_features()
    chosen = cpu.plan(features)
    return {"name": f"{features['name'] or 'unknown'} x{os.cpu_count()}", "arch": features["arch"],
            "instruction_sets": features["flags"], "flags_from": features["source"],
            "accel_plan": chosen["order"], "accel_why": chosen["reason"]}


if __name__ == "__main__":
    main()
