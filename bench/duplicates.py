"""Duplicate kinds on a planted set: are re-shots called `near`, and colour variants not?

    python bench/duplicates.py --catalog /tmp/devcat --sources DEV/catalog --work /tmp/dup-bench --json

Copies an indexed dev catalog, plants re-shots of dev photos as new products (each the main photo of a
different product, cropped, resized, re-encoded and/or turned a little, seeded), indexes them with the
real CLI in a subprocess, and runs `duplicates --json`. The dev catalog has no two products sharing a
photo, but it has many colour variants of one garment (same parent SKU): the hard negatives.

- near precision: pairs inside `near`/`exact` groups that are a planted (original, re-shot) pair;
- near recall: planted pairs that end up in one `near`/`exact` group;
- variants merged: pairs of colour variants (same parent, different SKU) inside a `near`/`exact` group.

Each re-shot applies one to four of crop, resize, re-encode and a slight turn. The planted set is split in
two halves by a hash of the original's parent SKU (all colours of a garment in one half): `tune` was looked
at while the method was built, `held_out` was not; both are reported, with recall per transform.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
TRANSFORMS = ("crop", "resize", "reencode", "rotate")


def reshoot(image: Image.Image, rng: np.random.Generator, kinds: list[str]) -> Image.Image:
    """A planted re-shot: the transforms named, with seeded strengths."""
    img = image.convert("RGB")
    for kind in kinds:
        w, h = img.size
        if kind == "crop":  # keep 80-95 % of each side, off centre
            fx, fy = rng.uniform(0.80, 0.95, size=2)
            x0 = int(rng.uniform(0, 1 - fx) * w)
            y0 = int(rng.uniform(0, 1 - fy) * h)
            img = img.crop((x0, y0, x0 + int(fx * w), y0 + int(fy * h)))
        elif kind == "resize":
            f = rng.uniform(0.45, 0.85)
            img = img.resize((max(32, int(w * f)), max(32, int(h * f))), Image.Resampling.BICUBIC)
        elif kind == "rotate":  # slight: a hand-held re-shot
            angle = float(rng.uniform(2.0, 6.0) * rng.choice([-1, 1]))
            img = img.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    return img


def half(parent_sku: str) -> str:
    """tune | held_out, by a hash of the garment (not the dev/held-out catalog split's hash)."""
    return "tune" if int(hashlib.sha1(f"dup-half:{parent_sku}".encode()).hexdigest()[-1], 16) % 2 == 0 else "held_out"


def plant(sources: Path, out: Path, n: int, seed: int) -> list[tuple[str, str]]:
    """Write n re-shot product folders; (original sku, planted sku) pairs."""
    rng = np.random.default_rng(seed)
    folders = sorted(p.parent for p in sources.glob("*/product.json"))
    pairs = []
    for i, folder in enumerate(rng.choice(folders, size=min(n, len(folders)), replace=False)):
        meta = json.loads((folder / "product.json").read_text())
        count = int(rng.integers(1, len(TRANSFORMS) + 1))
        kinds = sorted(rng.choice(TRANSFORMS, size=count, replace=False).tolist(), key=TRANSFORMS.index)
        img = reshoot(Image.open(folder / "main.jpg"), rng, kinds)
        dest = out / f"plant-{i:03d}"
        dest.mkdir(parents=True, exist_ok=True)
        quality = int(rng.integers(40, 75)) if "reencode" in kinds else 90
        img.save(dest / "main.jpg", quality=quality)
        sku = f"PLANT-{i:03d}"
        (dest / "product.json").write_text(json.dumps({"sku": sku, "title": f"re-shot {i}",
                                                       "attributes": {"planted": "+".join(kinds)}}))
        pairs.append((meta["sku"].lower(), sku.lower()))
        TRANSFORMS_OF[sku.lower()] = kinds
    return pairs


TRANSFORMS_OF: dict[str, list[str]] = {}  # planted sku -> the transforms it got


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, check=False)


def score(groups: list[dict], planted: list[tuple[str, str]], parent: dict[str, str]) -> dict:
    said = set()
    for g in groups:
        if g["kind"] in ("near", "exact"):
            said |= {frozenset(p) for p in itertools.combinations([s.lower() for s in g["skus"]], 2)}
    garment = {**parent, **{b: parent.get(a, a) for a, b in planted}}  # a plant belongs to its original's garment
    out = _score(said, planted, parent)
    for name in ("tune", "held_out"):
        mine = [p for p in planted if half(garment.get(p[0], p[0])) == name]
        said_here = {p for p in said if any(half(garment.get(s, s)) == name for s in p)}
        out[name] = _score(said_here, mine, parent)
    found = {frozenset(p) for p in planted} & said
    out["recall_by_transform"] = {
        t: round(sum(frozenset(p) in found for p in planted if t in TRANSFORMS_OF.get(p[1], ())) /
                 max(1, sum(t in TRANSFORMS_OF.get(p[1], ()) for p in planted)), 4) for t in TRANSFORMS}
    out["kinds"] = {k: sum(g["kind"] == k for g in groups) for k in ("exact", "near", "variant")}
    return out


def _score(said: set, planted: list[tuple[str, str]], parent: dict[str, str]) -> dict:
    truth = {frozenset(p) for p in planted}
    hits = said & truth
    variants = [p for p in said - truth
                if len({parent.get(s) for s in p}) == 1 and None not in {parent.get(s) for s in p}]
    return {"near_pairs": len(said), "planted_pairs": len(truth), "true_near": len(hits),
            "near_precision": round(len(hits) / len(said), 4) if said else 1.0,
            "near_recall": round(len(hits) / len(truth), 4) if truth else 0.0,
            "variants_merged": len(variants)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, required=True, help="an indexed dev catalog (copied, not changed)")
    parser.add_argument("--sources", type=Path, required=True, help="the dev catalog/ folder")
    parser.add_argument("--work", type=Path, required=True, help="a scratch folder (replaced)")
    parser.add_argument("--plants", type=int, default=120)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--threshold", nargs="*", default=["floor", 0.9, 0.85],
                        help="candidate cosines; 'floor' runs the CLI's default (the catalog's weak-match floor)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep the work folder's catalog (same plants)")
    args = parser.parse_args()
    cat = args.work / "cat"
    started = time.perf_counter()
    if args.reuse and cat.exists():
        planted = plant(args.sources, args.work / "plants", args.plants, args.seed)
    else:
        shutil.rmtree(args.work, ignore_errors=True)
        shutil.copytree(args.catalog, cat)
        planted = plant(args.sources, args.work / "plants", args.plants, args.seed)
        done = cli("index", str(args.work / "plants"), "--catalog", str(cat), "--json")
        if done.returncode:
            raise SystemExit(f"indexing the planted products failed: {done.stderr[-2000:]}")
    index_seconds = time.perf_counter() - started
    parent = {}
    for meta in args.sources.glob("*/product.json"):
        m = json.loads(meta.read_text())
        parent[m["sku"].lower()] = (m.get("parent_sku") or m["sku"]).lower()
    rows = []
    for threshold in args.threshold:
        given = [] if threshold == "floor" else ["--threshold", str(threshold)]
        done = cli("duplicates", "--catalog", str(cat), *given, "--json")
        if done.returncode:
            raise SystemExit(f"duplicates failed: {done.stderr[-2000:]}")
        payload = json.loads(done.stdout)
        rows.append({"threshold": payload["threshold"], "asked": threshold, "seconds": payload["seconds"],
                     **score(payload["groups"], planted, parent)})
    report = {"plants": len(planted), "seed": args.seed, "index_seconds": round(index_seconds, 1), "runs": rows}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for r in rows:
            print(f"threshold {r['threshold']:.2f}: near precision {r['near_precision']:.3f}, recall "
                  f"{r['near_recall']:.3f} ({r['true_near']}/{r['planted_pairs']}), colour variants merged "
                  f"{r['variants_merged']}, groups {r['kinds']}")
            for name in ("tune", "held_out"):
                h = r[name]
                print(f"    {name:8}: precision {h['near_precision']:.3f}, recall {h['near_recall']:.3f} "
                      f"({h['true_near']}/{h['planted_pairs']}), variants merged {h['variants_merged']}")
            print(f"    recall by transform: {r['recall_by_transform']}")


if __name__ == "__main__":
    main()
