"""Export boxes and labels for training a detector: a COCO JSON or a YOLO txt dataset folder.

Each exported image is a stored product photo with its live, accepted boxes (the curator's corrections
included: they are the live rows); rejected boxes and a candidate model's staged rows are left out. The class
of a box is its product's category. Images are written beside the annotations as displayed (a photo with an
EXIF rotation is written upright, because the boxes are in displayed pixels and training tools differ in
whether they apply EXIF), hard-linked from the catalog's blobs where nothing has to change.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.catalog import db

FORMATS = ("coco", "yolo")
NO_CATEGORY = "uncategorised"
Progress = Callable[[int, int, str], None]


@dataclass
class TrainingImage:
    image_id: int
    product_id: int
    sku: str
    blob_path: str
    width: int
    height: int
    category: str
    corrected: bool
    boxes: list[dict[str, Any]] = field(default_factory=list)  # x0, y0, x1, y1, source, primary, corrected
    labels: list[dict[str, Any]] = field(default_factory=list)  # vocabulary, value, source, confirmed


def training_images(*, corrected_only: bool = False) -> list[TrainingImage]:
    """Every readable image with at least one live accepted box, in product then image order."""
    products = db.Product.select().order_by(db.Product.id)
    if corrected_only:
        products = products.where(db.Product.corrected == True)  # noqa: E712
    out: list[TrainingImage] = []
    for chunk in db.chunked(list(products), 500):
        by_id = {p.id: p for p in chunk}
        labels: dict[int, list[dict[str, Any]]] = {}
        for lb in db.Label.select().where(db.Label.product.in_(list(by_id))).order_by(db.Label.id):
            labels.setdefault(lb.product_id, []).append(  # every live label, with who set it
                {"vocabulary": lb.vocabulary, "value": lb.value, "source": lb.source,
                 "confirmed": bool(lb.confirmed)})
        images: dict[int, TrainingImage] = {}
        rows = (db.Crop.select(db.Crop, db.ImageFile).join(db.ImageFile)
                .where(db.ImageFile.product.in_(list(by_id)) & (db.Crop.verdict == "accepted")
                       & db.ImageFile.deleted_at.is_null() & (db.ImageFile.status == "ok"))
                .order_by(db.ImageFile.product, db.ImageFile.position, db.ImageFile.id, db.Crop.id))
        for crop in rows:
            im = crop.image
            product = by_id[im.product_id]
            entry = images.get(im.id)
            if entry is None:
                entry = images[im.id] = TrainingImage(
                    im.id, product.id, product.sku, im.blob_path, im.width, im.height,
                    product.category or NO_CATEGORY, bool(product.corrected), labels=labels.get(product.id, []))
            x0, y0, x1, y1 = _clip(crop.box, im.width, im.height)
            if x1 - x0 < 1 or y1 - y0 < 1:
                continue
            entry.boxes.append({"x0": x0, "y0": y0, "x1": x1, "y1": y1, "source": crop.source,
                                "primary": bool(crop.is_primary), "corrected": bool(crop.curator_locked)})
        out.extend(e for e in images.values() if e.boxes)
    return out


def _clip(box, width: int, height: int) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in box)
    return (min(max(x0, 0.0), width), min(max(y0, 0.0), height),
            min(max(x1, 0.0), width), min(max(y1, 0.0), height))


def _file_name(item: TrainingImage, taken: set[str]) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", item.sku).strip("._") or f"product-{item.product_id}"
    suffix = Path(item.blob_path).suffix.lower() or ".jpg"
    name = f"{stem}_{item.image_id}{suffix}"
    n = 1
    while name.lower() in taken:
        n += 1
        name = f"{stem}_{item.image_id}-{n}{suffix}"
    taken.add(name.lower())
    return name


def _write_image(catalog, item: TrainingImage, target: Path) -> None:
    """The photo as displayed: linked (or copied) when stored upright, else decoded and saved upright."""
    from PIL import Image

    source = catalog.root / item.blob_path
    with Image.open(source) as im:
        upright = im.getexif().get(0x0112, 1) in (0, 1)
    if upright:
        try:
            os.link(source, target)
            return
        except OSError:  # another file system, or links not allowed: a copy does
            shutil.copyfile(source, target)
            return
    from core.pipeline.decode import decode

    Image.fromarray(decode(source)).save(target, quality=95)


def categories_of(items: list[TrainingImage]) -> list[str]:
    return sorted({i.category for i in items})


def export_coco(catalog, out_dir: Path, *, corrected_only: bool = False, progress: Progress | None = None,
                should_stop: Callable[[], bool] | None = None) -> dict[str, Any]:
    """out_dir/annotations.json (COCO: bbox = [x, y, width, height] in pixels) and out_dir/images/."""
    items = training_images(corrected_only=corrected_only)
    names = categories_of(items)
    cat_ids = {name: i + 1 for i, name in enumerate(names)}  # COCO category ids start at 1
    images_dir = _fresh_dir(Path(out_dir) / "images")
    coco: dict[str, Any] = {
        "info": {"description": "Catalog Curator training export", "date_created": db.utcnow().isoformat()},
        "images": [], "annotations": [],
        "categories": [{"id": cat_ids[n], "name": n, "supercategory": n.split("/")[0]} for n in names],
    }
    taken: set[str] = set()
    for n, item in enumerate(items):
        if should_stop and should_stop():
            break
        name = _file_name(item, taken)
        _write_image(catalog, item, images_dir / name)
        coco["images"].append({"id": item.image_id, "file_name": f"images/{name}", "width": item.width,
                               "height": item.height, "product_id": item.product_id, "sku": item.sku,
                               "corrected": item.corrected, "labels": item.labels})
        for box in item.boxes:
            w, h = box["x1"] - box["x0"], box["y1"] - box["y0"]
            coco["annotations"].append({
                "id": len(coco["annotations"]) + 1, "image_id": item.image_id,
                "category_id": cat_ids[item.category], "bbox": [round(box["x0"], 2), round(box["y0"], 2),
                                                                round(w, 2), round(h, 2)],
                "area": round(w * h, 2), "iscrowd": 0,
                "attributes": {"source": box["source"], "primary": box["primary"], "corrected": box["corrected"]}})
        if progress:
            progress(n + 1, len(items), f"exporting {item.sku}")
    _write_atomic(Path(out_dir) / "annotations.json", json.dumps(coco, indent=1, ensure_ascii=False))
    return {"format": "coco", "images": len(coco["images"]), "boxes": len(coco["annotations"]),
            "categories": len(names), "path": str(Path(out_dir) / "annotations.json")}


def export_yolo(catalog, out_dir: Path, *, corrected_only: bool = False, progress: Progress | None = None,
                should_stop: Callable[[], bool] | None = None) -> dict[str, Any]:
    """out_dir/images/NAME, out_dir/labels/NAME.txt ("class cx cy w h", normalised 0..1), out_dir/data.yaml."""
    items = training_images(corrected_only=corrected_only)
    names = categories_of(items)
    index = {name: i for i, name in enumerate(names)}  # YOLO class ids start at 0
    out = Path(out_dir)
    images_dir, labels_dir = _fresh_dir(out / "images"), _fresh_dir(out / "labels")
    taken: set[str] = set()
    boxes = 0
    for n, item in enumerate(items):
        if should_stop and should_stop():
            break
        name = _file_name(item, taken)
        _write_image(catalog, item, images_dir / name)
        lines = []
        for box in item.boxes:
            cx = (box["x0"] + box["x1"]) / 2 / item.width
            cy = (box["y0"] + box["y1"]) / 2 / item.height
            w = (box["x1"] - box["x0"]) / item.width
            h = (box["y1"] - box["y0"]) / item.height
            lines.append(f"{index[item.category]} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}")
        (labels_dir / f"{Path(name).stem}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        boxes += len(lines)
        if progress:
            progress(n + 1, len(items), f"exporting {item.sku}")
    yaml_names = "\n".join(f"  {i}: {json.dumps(n, ensure_ascii=False)}" for i, n in enumerate(names))
    _write_atomic(out / "data.yaml", f"path: {json.dumps(str(out.resolve()))}\ntrain: images\nval: images\n"
                                     f"names:\n{yaml_names}\n")
    return {"format": "yolo", "images": len(items), "boxes": boxes, "categories": len(names),
            "path": str(out / "data.yaml")}


def export_training(catalog, fmt: str, out_dir: Path, **kwargs: Any) -> dict[str, Any]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown training format {fmt!r}: use {' or '.join(FORMATS)}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} is a file; a {fmt} export writes a folder (annotations and images)")
    out.mkdir(parents=True, exist_ok=True)
    return (export_coco if fmt == "coco" else export_yolo)(catalog, out, **kwargs)


def _fresh_dir(path: Path) -> Path:
    """An empty folder: a second export into the same place replaces the first, never mixes with it."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
