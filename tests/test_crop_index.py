"""Every view counts: the crop-level index finds a product by a view that is not its primary crop, follows
deletes, restores, purges, corrections and model versions, and `check` finds (and `--repair` mends) a crop index
that disagrees with the database. Real catalog: tiny real models, real JPEGs, real SQLite and USearch files."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import numpy as np
import pytest
from PIL import Image, ImageDraw

from app.cli import main
from core.catalog import crop_index, db
from core.catalog.catalog import Catalog
from core.catalog.check import check_catalog
from core.catalog.retention import delete_products, purge, restore_products
from core.search import query as q
from core.search.query import SearchRequest, search

RED, BLUE = (200, 40, 40), (40, 60, 200)


def _photo(path, colour, shape):
    """A product photo on a plain light background, with seams so the quality checks accept it."""
    img = Image.new("RGB", (160, 120), (245, 245, 245))
    draw = ImageDraw.Draw(img)
    box = (40, 24, 120, 96)
    (draw.ellipse if shape == "ellipse" else draw.rectangle)(box, fill=colour)
    for x in range(box[0] + 6, box[2] - 6, 12):
        draw.line((x, box[1] + 8, x, box[3] - 8), fill=tuple(max(0, c - 90) for c in colour), width=2)
    pixels = np.asarray(img).astype(np.int16)
    grain = np.random.default_rng(sum(colour) + len(shape)).normal(0, 4, pixels.shape[:2])[..., None]
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.clip(pixels + grain, 0, 255).astype(np.uint8)).save(path, "JPEG", quality=95)


def _products(root):
    """Two-sided products: TARGET is a red front with a blue back; the others show one colour on both sides,
    so a query of TARGET's back looks like the blue ones' primaries more than like TARGET's own."""
    sides = {"TARGET": [(RED, "rect"), (BLUE, "ellipse")]}
    for n in range(4):
        shape = "rect" if n % 2 else "ellipse"
        sides[f"BLUE-{n}"] = [(BLUE, shape), (BLUE, shape)]
        sides[f"RED-{n}"] = [(RED, shape), (RED, shape)]
    for i, (sku, views) in enumerate(sides.items()):
        folder = root / sku.lower()
        for side, (name, (colour, shape)) in enumerate(zip(("main.jpg", "back.jpg"), views, strict=True)):
            shade = 5 * i + 2 * side  # no two photos alike
            _photo(folder / name, tuple(max(0, c - shade) for c in colour), shape)
        (folder / "product.json").write_text(json.dumps({"sku": sku, "title": sku.title(), "category": "Gear"}))
    return root


@pytest.fixture(scope="module")
def base(tmp_path_factory, tiny_model_settings):
    from core.jobs import run_index_job
    from core.models.registry import ModelRegistry

    tmp = tmp_path_factory.mktemp("crop-index")
    src = _products(tmp / "src")
    root = tmp / "cat"
    catalog = Catalog.open(root)
    catalog.settings.models = tiny_model_settings
    catalog.save_settings()
    registry = ModelRegistry(catalog.settings.models)
    result = run_index_job(catalog, registry, [src])
    assert result["indexed"] == 9, result
    registry.close()
    catalog.close()
    db.close_database()
    return {"root": root, "src": src}


@pytest.fixture
def cat(base, tmp_path):
    root = tmp_path / "cat"
    shutil.copytree(base["root"], root)
    catalog = Catalog.open(root)
    yield catalog
    catalog.close()


@pytest.fixture
def registry(cat):
    from core.models.registry import ModelRegistry

    reg = ModelRegistry(cat.settings.models)
    yield reg
    reg.close()


def _version(cat) -> db.VectorIndexInfo:
    return db.VectorIndexInfo.get(db.VectorIndexInfo.model_version == cat.active_model_version())


def _held(cat) -> set[int]:
    return set(cat.crop_store(cat.active_model_version()).keys().tolist())


def _searchable() -> set[int]:
    """Live accepted (or primary) crops of live products: what the crop index must hold."""
    rows = (db.Crop.select(db.Crop.id).join(db.ImageFile).join(db.Product)
            .where(db.ImageFile.deleted_at.is_null() & db.Product.deleted_at.is_null()
                   & ((db.Crop.verdict == "accepted") | (db.Crop.is_primary == True))))  # noqa: E712
    return {c for (c,) in rows.tuples()}


def _crops_of(sku: str) -> list[db.Crop]:
    return list(db.Crop.select().join(db.ImageFile).join(db.Product).where(
        (db.Product.sku == sku) & (db.Crop.verdict == "accepted")).order_by(db.Crop.id))


def _reasons(report) -> str:
    return " | ".join(f["reason"] for f in report["findings"])


def test_indexing_fills_the_crop_index_with_every_accepted_view(cat):
    held = _held(cat)
    assert held == _searchable() and len(held) > 9  # more views than products
    assert check_catalog(cat)["ok"]


def test_a_product_is_found_by_a_view_that_is_not_its_primary(cat, registry, monkeypatch):
    target = db.Product.get(db.Product.sku == "TARGET")
    view = next(c for c in _crops_of("TARGET") if not c.is_primary)
    photo = cat.root / view.image.blob_path
    # The query is that view's photo with its box (as a curator would draw it): the same crop, the same vector.
    request = dict(image=photo, box=view.box, k=1)
    query_vec = q.encode_image(registry, cat.settings, photo, view.box).vector
    keys, primaries = cat.vector_store(cat.active_model_version()).get(
        [p.id for p in db.Product.select(db.Product.id)])
    order = keys[np.argsort(-(primaries @ query_vec), kind="stable")].tolist()
    # A small pool stands for a large catalog: only the 3 nearest primaries would reach the re-ranker.
    monkeypatch.setattr(q, "RERANK_POOL_MIN", 1)
    monkeypatch.setattr(q, "ORPHAN_SLACK", 0)
    assert order.index(target.id) >= 3, "premise: TARGET's primary is not among the 3 nearest primaries"

    primary_only = search(cat, registry, SearchRequest(**request, views=False), log_query=False)
    assert target.id not in [r.product_id for r in primary_only.results]
    found = search(cat, registry, SearchRequest(**request), log_query=False)
    top = found.results[0]
    assert top.product_id == target.id
    assert top.explanation["matched_crop"]["crop_id"] == view.id and not top.explanation["matched_crop"]["is_primary"]
    # Without re-ranking too: retrieval itself reaches the product through its view.
    plain = search(cat, registry, SearchRequest(**request, rerank=False), log_query=False)
    assert plain.results[0].product_id == target.id
    assert plain.results[0].explanation["matched_crop"]["crop_id"] == view.id


def test_the_crop_index_follows_delete_restore_and_purge(cat):
    target = db.Product.get(db.Product.sku == "TARGET")
    mine = {c.id for c in _crops_of("TARGET")}
    assert mine <= _held(cat)
    delete_products([target.id], cat)
    assert not mine & _held(cat) and check_catalog(cat)["ok"]
    restore_products([target.id], cat)
    assert mine <= _held(cat) and check_catalog(cat)["ok"]
    delete_products([target.id], cat)
    report = purge(cat, retention_days=0, now=db.utcnow() + dt.timedelta(seconds=1))
    assert report["products"] == 1 and not mine & _held(cat)
    assert _held(cat) == _searchable() and check_catalog(cat)["ok"]


def test_the_crop_index_follows_corrections(cat, registry):
    from core.review import Reviewer

    reviewer = Reviewer(cat, registry)
    store = cat.crop_store(cat.active_model_version())
    view = next(c for c in _crops_of("TARGET") if not c.is_primary)
    _, before = store.get([view.id])
    # A moved box: the same crop id now holds the new box's vector.
    # Moved inside the flat fill, the crop is too blurry: rejected, it leaves search.
    blurry = reviewer.move_box(view.id, (view.x0 + 12, view.y0 + 10, view.x1 - 12, view.y1 - 10)).correction.crop
    assert blurry.verdict == "rejected" and view.id not in _held(cat)
    # Moved out a little, it is accepted again with the new box's vector.
    image = db.ImageFile.get_by_id(view.image_id)
    box = (max(0, view.x0 - 6), max(0, view.y0 - 4), min(image.width, view.x1 + 6), min(image.height, view.y1 + 4))
    moved = reviewer.move_box(view.id, box).correction.crop
    assert moved.verdict == "accepted", moved.reason
    _, after = store.get([view.id])
    assert float(before[0] @ after[0]) / np.linalg.norm(before[0]) / np.linalg.norm(after[0]) < 0.999
    assert check_catalog(cat)["ok"]
    # A deleted box leaves search, its undo brings it back; a new box enters.
    reviewer.delete_crop(view.id)
    assert view.id not in _held(cat)
    reviewer.restore_crop(view.id)
    assert view.id in _held(cat)
    added = reviewer.add_box(image.id, (2, 2, image.width - 3, image.height - 3)).correction.crop_id
    assert added in _held(cat)
    # The primary changed: the product's face moves, every view stays searchable.
    reviewer.set_primary(view.id)
    assert {c.id for c in _crops_of("TARGET")} <= _held(cat)
    reviewer.close()
    assert _held(cat) == _searchable() and check_catalog(cat)["ok"]


def _damage(cat, kind: str) -> None:
    info = _version(cat)
    store = cat.crop_store(info.model_version)
    some = sorted(_held(cat))[0]
    with cat.writing():
        if kind == "missing":
            store.remove([some])
        elif kind == "orphan":
            store.add([10_000_000], np.ones((1, info.dim), np.float32))
        elif kind == "stale":
            _, vec = store.get([some])
            store.add([some], np.roll(vec, 5, axis=1))
        store.save()
    if kind == "deleted-row":  # a crop deleted behind the index's back (no sync)
        db.Crop.update(deleted_at=db.utcnow()).where(db.Crop.id == some).execute()


@pytest.mark.parametrize("kind,words", [("missing", "missing from the crop index"),
                                        ("orphan", "belong to no searchable crop"),
                                        ("deleted-row", "belong to no searchable crop"),
                                        ("stale", "not their crop's current box")])
def test_check_finds_a_crop_index_that_disagrees_with_the_database(cat, capsys, kind, words):
    _damage(cat, kind)
    root = cat.root
    cat.close()
    code = main(["check", "--catalog", str(root), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and not report["ok"] and words in _reasons(report), report["findings"]
    assert main(["check", "--catalog", str(root), "--repair", "--json"]) == 0
    capsys.readouterr()
    assert main(["check", "--catalog", str(root), "--json"]) == 0
    capsys.readouterr()
    with Catalog.open(root) as again:
        assert _held(again) == _searchable()


@pytest.mark.parametrize("damage", ["file-missing", "truncated"])
def test_check_finds_a_damaged_crop_index_file_and_rebuilds_it(cat, capsys, damage):
    root = cat.root
    want = _held(cat)
    cat.close()
    files = list((root / "vectors" / "crops").glob("*.usearch"))
    assert len(files) == 1
    if damage == "file-missing":
        files[0].unlink()
        files[0].with_suffix(".json").unlink()
    else:
        files[0].write_bytes(files[0].read_bytes()[:100])
    assert main(["check", "--catalog", str(root), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert "crop vector index" in _reasons(report)
    assert main(["check", "--catalog", str(root), "--repair", "--json"]) == 0
    capsys.readouterr()
    with Catalog.open(root) as again:
        assert _held(again) == want


def test_a_catalog_from_before_crop_indexes_gets_one_at_its_first_search(cat, registry):
    version = cat.active_model_version()
    want = _held(cat)
    cat.forget_vector_store(version)
    shutil.rmtree(cat.paths.vectors / "crops")
    crop_index.forget_built(version)  # as if made by an older version of the app
    assert check_catalog(cat)["ok"]  # derived data, built by check when it was never there: not damage
    shutil.rmtree(cat.paths.vectors / "crops")
    cat.forget_vector_store(version)
    crop_index.forget_built(version)
    view = next(c for c in _crops_of("TARGET") if not c.is_primary)
    search(cat, registry, SearchRequest(image=cat.root / view.image.blob_path, box=view.box, k=3), log_query=False)
    assert _held(cat) == want and crop_index.was_built(version)


def test_model_versions_keep_their_own_crop_index(base, tmp_path, capsys):
    from tests.fixtures_models import build_tiny_clip, tiny_models_home

    root = tmp_path / "cat"
    shutil.copytree(base["root"], root)
    candidate = build_tiny_clip(tiny_models_home() / "clip-candidates", seed=1)
    assert main(["models", "reindex", "--clip-pretrained", str(candidate.checkpoint_path), "--catalog", str(root),
                 "--json"]) == 0
    new = json.loads(capsys.readouterr().out)["model_version"]
    with Catalog.open(root) as catalog:
        old = catalog.active_model_version()
        staged = {c for (c,) in db.Crop.with_deleted(db.Crop.id).where(
            (db.Crop.staged_for == new) & db.Crop.deleted_at.is_null() & (db.Crop.verdict == "accepted")).tuples()}
        assert staged and set(catalog.crop_store(new).keys().tolist()) == staged  # the candidate's own crops
        assert set(catalog.crop_store(old).keys().tolist()) == _searchable()  # the live ones, untouched
        assert check_catalog(catalog)["ok"]
    assert main(["models", "promote", new, "--catalog", str(root), "--json"]) == 0
    capsys.readouterr()
    with Catalog.open(root) as catalog:
        assert set(catalog.crop_store(new).keys().tolist()) == _searchable() == staged
        assert check_catalog(catalog)["ok"]
    assert main(["models", "delete", old, "--catalog", str(root), "--json"]) == 0
    capsys.readouterr()
    from core.vectors import VectorStore

    assert not VectorStore(root / "vectors" / "crops", old, 1).path.exists()


def _two_object_photo(path, catalog_photo):
    """A studio photo of two things side by side: a green box nobody sells, and a catalog product's object."""
    canvas = Image.new("RGB", (256, 128), (245, 245, 245))
    draw = ImageDraw.Draw(canvas)
    box = (16, 28, 106, 100)
    draw.rectangle(box, fill=(40, 170, 60))
    for x in range(box[0] + 6, box[2] - 6, 12):
        draw.line((x, box[1] + 8, x, box[3] - 8), fill=(10, 80, 20), width=2)
    canvas.paste(Image.open(catalog_photo).convert("RGB").crop((30, 14, 130, 106)), (140, 18))
    canvas.save(path, "JPEG", quality=95)
    return path


def test_an_unsure_detector_makes_the_query_try_several_crops(cat, registry, monkeypatch, tmp_path):
    from core.search import encode

    wanted = db.Product.get(db.Product.sku == "BLUE-2")
    image = db.ImageFile.select().where((db.ImageFile.product == wanted) & (db.ImageFile.position == 0)).get()
    photo = _two_object_photo(tmp_path / "two.jpg", cat.root / image.blob_path)
    # The tiny detector's boxes cut inside these flat shapes: let their crops pass (queries and index alike).
    monkeypatch.setattr(cat.settings.quality, "min_sharpness", 0.0)
    unsure = encode.encode_image(registry, cat.settings, photo)
    # Two boxes of about equal weight: both are tried, and the whole photo.
    assert unsure.source == "detector" and len(unsure.boxes) == 3, unsure.candidates
    assert unsure.boxes[-1] == (0.0, 0.0, 256.0, 128.0)
    def where(results):
        ranked = [r.product_id for r in results]
        mine = results[ranked.index(wanted.id)]
        return ranked.index(wanted.id), mine.explanation["similarity"]["image"], mine.explanation["query_box"]

    rank, similarity, matched_box = where(search(cat, registry, SearchRequest(image=photo, k=9),
                                                 log_query=False).results)
    # Found through one of the crops tried (which one wins depends on the random tiny weights, and so on what ran
    # before in the process: the runner-up in the suite's order, the best box after test_lock_per_batch).
    assert matched_box in [[round(v, 1) for v in b] for b in unsure.boxes]
    # A sure detector (the same photo, thresholds that never call it unsure) tries its best box alone.
    registry.query_cache.clear()
    monkeypatch.setattr(encode, "UNSURE_SHARE", 2.0)
    monkeypatch.setattr(encode, "UNSURE_CONFIDENCE", 0.0)
    sure = encode.encode_image(registry, cat.settings, photo)
    assert len(sure.boxes) == 1 and sure.boxes[0] == unsure.boxes[0]
    sure_rank, sure_similarity, _ = where(search(cat, registry, SearchRequest(image=photo, k=9),
                                                 log_query=False).results)
    # The runner-up crop is one more region to match by: the wanted product is matched at least as well as by the
    # best box alone. (How many places that gains depends on the random tiny weights and the CPU's kernels.)
    assert similarity >= sure_similarity - 1e-3, (similarity, sure_similarity, rank, sure_rank)
    # One clear object: sure, one crop.
    monkeypatch.setattr(encode, "UNSURE_SHARE", 0.5)
    monkeypatch.setattr(encode, "UNSURE_CONFIDENCE", 0.5)
    registry.query_cache.clear()
    assert len(encode.encode_image(registry, cat.settings, cat.root / image.blob_path).boxes) == 1


def test_merging_duplicates_moves_views_to_the_kept_product(cat):
    from core.catalog.crop_index import by_product, products_of
    from core.ops import dedupe

    keep, other = (db.Product.get(db.Product.sku == s).id for s in ("RED-1", "RED-3"))
    moved = {c.id for c in _crops_of("RED-3")}
    record = dedupe.merge(cat, keep, [other])
    assert moved <= _held(cat) and set(products_of(moved).values()) == {keep}  # searchable, as the kept one's
    assert set(by_product({c: 1.0 for c in moved}, products_of(moved))) == {keep}
    assert _held(cat) == _searchable() and check_catalog(cat)["ok"]
    dedupe.undo(cat, record)
    assert set(products_of(moved).values()) == {other}
    assert _held(cat) == _searchable() and check_catalog(cat)["ok"]
