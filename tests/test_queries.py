"""The query layer over a real SQLite catalog: grid pages, covers, primary crops, product detail, review
queue, health and analytics (one read for CLI and GUI), and what Catalog owns (stores, cache, search model)."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest

from core.catalog import db, queries
from core.catalog.catalog import Catalog
from core.catalog.queries import GridQuery
from core.settings import ModelSettings, SettingsError


@pytest.fixture
def catalog(tmp_path):
    cat = Catalog.open(tmp_path / "cat")
    yield cat
    cat.close()


def _image(product, n, *, status="ok", name=None):
    return db.ImageFile.create(product=product, sha256=f"{product.sku}-{n}", blob_path=f"blobs/{product.sku}-{n}.jpg",
                               original_name=name or f"{n}.jpg", position=n, width=100, height=80, status=status)


def _old_product(sku: str, status: str) -> db.Product:
    """A product row in an older schema: only the columns that schema has (later ones add columns)."""
    columns = {c.name for c in db.database.get_columns("product")}
    values = {}
    for f in db.Product._meta.sorted_fields:
        if f.column_name in columns and f.column_name != "id":
            default = f.default() if callable(f.default) else f.default
            values[f.column_name] = f.db_value(default)
    values.update(sku=sku, status=status)
    names = ", ".join(f'"{k}"' for k in values)
    cursor = db.database.execute_sql(f"INSERT INTO product ({names}) VALUES ({', '.join('?' * len(values))})",
                                     list(values.values()))
    return db.Product(id=cursor.lastrowid, sku=sku)


def _crop(image, *, primary=False, verdict="accepted", reason="", cls="bag", margin=None, outlier=False):
    return db.Crop.create(image=image, x0=1, y0=2, x1=50, y1=60, detector_class=cls, verdict=verdict, reason=reason,
                          is_primary=primary, outlier=outlier, score_parts={} if margin is None else {"margin": margin})


@pytest.fixture
def rows(catalog):
    """Four live products and a deleted one, each built to test one rule."""
    bag = db.Product.create(sku="BAG-1", title="Leather bag", category="Gear/Bags", status="indexed")
    first, second = _image(bag, 0), _image(bag, 1)
    _crop(first, verdict="rejected", reason="blurry")
    primary = _crop(second, primary=True, margin=0.05)
    _crop(second, cls="")
    db.Label.create(product=bag, vocabulary="color", value="brown", score=0.9)
    db.Label.create(product=bag, vocabulary="color", value="black", score=0.3)
    db.Label.create(product=bag, crop=primary, vocabulary="material", value="leather", score=0.8, source="curator")
    tee = db.Product.create(sku="TEE-1", title="Tee", category="Men/Tops", status="indexed", corrected=True,
                            review_state="approved")
    _crop(_image(tee, 0), primary=True, margin=0.9)
    _image(tee, 1)
    broken = db.Product.create(sku="ERR-1", title="", category="Gear", status="error")
    _image(broken, 0, status="error")
    new = db.Product.create(sku="NEW-1", title="New", category="Gear/Watches")
    _image(new, 0)
    gone = db.Product.create(sku="GONE-1", title="Gone", category="Gear", status="indexed")
    _image(gone, 0)
    gone.soft_delete()
    return {"bag": bag, "tee": tee, "broken": broken, "new": new, "primary": primary, "second": second}


def test_grid_pages_filter_sort_and_show_the_primary_image(rows):
    assert queries.count_products() == 4
    tiles = queries.product_page(GridQuery(sort="sku"), 0, 10)
    assert [t.sku for t in tiles] == ["BAG-1", "ERR-1", "NEW-1", "TEE-1"]
    bag = tiles[0]
    assert bag.sha256 == "BAG-1-1" and bag.blob_path == "blobs/BAG-1-1.jpg"  # the image with the primary crop
    assert tiles[1].sha256 == "" and tiles[1].title == "ERR-1"  # no readable image; the SKU stands in for a title
    assert tiles[2].sha256 == "NEW-1-0"  # no primary crop yet: the first image
    assert [t.sku for t in queries.product_page(GridQuery(sort="sku"), 1, 2)] == ["ERR-1", "NEW-1"]
    assert queries.count_products(GridQuery(status="indexed")) == 2
    assert queries.count_products(GridQuery(status="corrected")) == 1
    assert {t.sku for t in queries.product_page(GridQuery(category="Gear"), 0, 10)} == {"BAG-1", "ERR-1", "NEW-1"}
    assert [t.sku for t in queries.product_page(GridQuery(text="leath"), 0, 10)] == ["BAG-1"]
    assert queries.top_categories() == ["Gear", "Men"]
    with pytest.raises(ValueError, match="unknown sort"):
        GridQuery(sort="price; DROP TABLE product")


def test_one_cover_and_primary_crop_lookup(rows):
    bag, tee, broken = rows["bag"], rows["tee"], rows["broken"]
    covers = queries.covers([bag.id, tee.id, broken.id, bag.id])
    assert covers[bag.id].sha256 == "BAG-1-1" and covers[tee.id].sha256 == "TEE-1-0"
    assert broken.id not in covers
    primary = queries.primary_crop(bag.id)
    assert primary.crop_id == rows["primary"].id and primary.image_id == rows["second"].id
    assert primary.box == (1, 2, 50, 60) and primary.blob_path == "blobs/BAG-1-1.jpg"
    assert queries.primary_crop(rows["new"].id) is None
    assert set(queries.primary_crops([bag.id, tee.id, rows["new"].id])) == {bag.id, tee.id}
    assert queries.primary_crops([tee.id])[tee.id].original_name == "0.jpg"
    assert queries.crop_is_primary(rows["primary"].id)


def test_product_detail_images_crops_labels_history(rows):
    bag = rows["bag"]
    detail = queries.product(bag.id)
    assert detail.sku == "BAG-1" and [i.original_name for i in detail.images] == ["0.jpg", "1.jpg"]
    assert detail.start_row == 1  # opens on the image holding the primary crop
    assert queries.product(rows["new"].id).start_row == 0 and queries.product(-1) is None
    first_crops = queries.crops_of_image(detail.images[0].id)
    assert [(c.kind, c.label) for c in first_crops] == [("rejected", "set aside: blurry")]
    assert [(c.kind, c.label) for c in queries.crops_of_image(detail.images[1].id)] == [
        ("primary", "main view: bag"), ("accepted", "the product")]  # named by what they show
    assert [(lb.value, lb.crop_id) for lb in queries.labels(bag.id)] == [
        ("brown", None), ("black", None), ("leather", rows["primary"].id)]
    assert [lb.value for lb in queries.labels(bag.id, product_level=True)] == ["brown", "black"]
    assert [lb.value for lb in queries.labels(crop_id=rows["primary"].id)] == ["leather"]
    db.IndexingResult.create(product=bag, status="ok", model_version="m1", device="cpu",
                             created_at=db.utcnow() - dt.timedelta(hours=1))
    db.Correction.create(uid=db.new_uid(), product=bag, sku=bag.sku, kind="set_primary", before={"crop": 1},
                         after={"crop": 2, "box": [10, 20, 110, 220]}, user="anna")
    db.Correction.create(uid=db.new_uid(), product=bag, sku=bag.sku, kind="add_label", before={},
                         after={"vocabulary": "style", "value": "casual"}, user="anna",
                         created_at=db.utcnow() + dt.timedelta(seconds=5))
    events = queries.history(bag.id)
    assert [e.what for e in events] == ["Label added", "Main view chosen", "Indexed"]  # newest first
    # in sentences, never JSON (the exact record stays in the tooltip)
    assert events[0].detail == "anna added the label style: casual"
    assert events[1].detail == "anna chose another box as the product's main view (100 × 200 px)"
    assert not any("{" in e.detail or "→" in e.detail for e in events)
    assert '"crop": 2' in events[1].technical
    assert queries.review_state(bag.id) == "pending"


def test_review_queue_ranks_the_uncertain_first(rows):
    db.Label.create(product=rows["tee"], vocabulary="color", value="red", score=0.2)  # weak zero-shot label
    queue = queries.review_queue(include_reviewed=True)
    by_sku = {r.sku: r for r in queue}
    assert set(by_sku) == {"BAG-1", "TEE-1", "ERR-1"}  # indexed or failed, never the deleted one
    assert queue[0].sku == "ERR-1" and "indexing failed" in queue[0].reasons
    bag = by_sku["BAG-1"]
    assert "primary crop is a close call (margin 0.05)" in bag.reasons
    assert "low label confidence (0.30)" in bag.reasons and "1 rejected crop(s)" in bag.reasons
    assert bag.uncertainty == pytest.approx((1 - 0.05) + (1 - 0.3) + 0.3)
    assert by_sku["TEE-1"].uncertainty == pytest.approx(0.1 + 0.8)
    assert "TEE-1" not in {r.sku for r in queries.review_queue()}  # approved: left out unless asked
    assert queries.review_queue(limit=1) == queue[:1]
    assert queries.review_progress() == queries.ReviewProgress(reviewed=1, total=3)


def test_health_and_analytics_are_one_read_for_cli_and_gui(tmp_path, capsys):
    from app.cli import main
    from core.ops.health import read_health
    from core.search.analytics import analytics_report

    root = tmp_path / "cat"
    with Catalog.open(root):
        start = db.utcnow()
        job = db.Job.create(kind="index", state="succeeded", progress=10, started_at=start,
                            finished_at=start + dt.timedelta(seconds=4))
        for i in range(3):
            p = db.Product.create(sku=f"S{i}", status="indexed" if i else "error")
            db.IndexingResult.create(job=job, product=p, status="ok" if i else "error",
                                     timings={"decode": 0.1, "embed": 0.2 * i, "device": "cpu"})
        for ms, hits in ((5.0, [1]), (15.0, []), (40.0, [2])):
            db.QueryResult.create(kind="text", text="bag", latency_ms=ms, result_ids=hits)
        db.DriftEvent.create(model_version="m", batch_size=64, p_value=0.001)
    assert main(["health", "--catalog", str(root), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert main(["analytics", "--catalog", str(root), "--json"]) == 0
    cli_analytics = json.loads(capsys.readouterr().out)
    with Catalog.open(root) as catalog:
        report = read_health(catalog)
        gui_analytics = analytics_report(30)
    gui = report.snapshot
    for key in ("products", "indexed", "jobs", "products_per_s", "error_rate", "seconds_per_product",
                "search_latency_p50_ms", "searches", "drift_alarms"):
        assert cli[key] == gui[key], key
    assert gui["seconds_per_product"] == pytest.approx((0.3 + 0.5) / 2)  # numbers only, "cpu" is not a time
    assert gui["error_rate"] == pytest.approx(1 / 3) and gui["products_per_s"] == pytest.approx(2.5)
    assert report.open_alarms == 1 and report.drift[0].p_value == pytest.approx(0.001)
    assert gui_analytics["zero_result_rate"] == cli_analytics["zero_result_rate"] == pytest.approx(1 / 3, abs=1e-3)
    assert sorted(gui_analytics["latencies"]) == sorted(cli_analytics["latencies"]) == [5.0, 15.0, 40.0]


def test_catalog_owns_one_embedding_cache_and_locked_stores(catalog):
    cache = catalog.embedding_cache()
    assert catalog.embedding_cache() is cache
    seen, errors = [], []

    def open_store():
        try:
            seen.append(catalog.vector_store("m1", 4))
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len({id(s) for s in seen}) == 1  # one store, however many threads ask at once
    catalog.forget_vector_store("m1")
    assert catalog.vector_store("m1", 4) is not seen[0]


def test_catalog_chooses_the_search_model(catalog):
    assert catalog.search_model_settings() == catalog.settings.models  # nothing indexed yet
    stored = ModelSettings(embedder="efficientnet-lite0", device="cpu")
    catalog.register_index("m1", dim=4, embedder="efficientnet", preprocess_version="p",
                           model_settings=stored.__dict__.copy())
    assert catalog.search_model_settings() == stored  # the active index's model, so queries match its vectors
    catalog.register_index("m2", dim=4, embedder="x", preprocess_version="p", model_settings={"batch_size": "big"})
    with pytest.raises(SettingsError, match="models.batch_size"):
        catalog.model_settings_for("m2")
    with pytest.raises(KeyError):
        catalog.model_settings_for("nope")


def test_review_figures_follow_every_write(rows):
    """review_stats is kept by triggers: soft deletes, new labels and purges change the queue at once."""
    bag = rows["bag"]

    def bag_row():
        return next((r for r in queries.review_queue(include_reviewed=True) if r.sku == "BAG-1"), None)

    assert "1 rejected crop(s)" in bag_row().reasons
    db.Crop.get(db.Crop.verdict == "rejected").soft_delete()
    assert not any("rejected" in r for r in bag_row().reasons)
    rows["primary"].score_parts = {"margin": 0.5}
    rows["primary"].save()
    assert not any("close call" in r for r in bag_row().reasons)
    db.Label.update(deleted_at=db.utcnow()).where(db.Label.product == bag).execute()
    assert bag_row().uncertainty == pytest.approx(0.5)  # only the margin is left
    db.Product.delete().where(db.Product.id == bag.id).execute()  # a purge: rows go with the product
    assert bag_row() is None
    assert db.database.execute_sql("SELECT COUNT(*) FROM review_stats WHERE product_id = ?",
                                   [bag.id]).fetchone()[0] == 0


def test_upgrade_fills_the_review_figures_and_timings(tmp_path):
    path = tmp_path / "old.sqlite"
    db.open_database(path, target=9)  # before migration 10 made the review figures
    try:
        p = _old_product("OLD-1", "indexed")
        image = _image(p, 0)
        _crop(image, primary=True, margin=0.02)
        _crop(image, outlier=True)
        db.IndexingResult.create(product=p, status="ok", timings={"decode": 0.25, "embed": 0.5})
    finally:
        db.close_database()
    db.open_database(path)
    try:
        (row,) = queries.review_queue()
        assert row.sku == "OLD-1" and "embedding outlier" in row.reasons and "close call" in row.reasons[0]
        from core.ops.health import health_snapshot

        snapshot = health_snapshot()
        assert snapshot["seconds_per_product"] == pytest.approx(0.75) and snapshot["outlier_crops"] == 1
    finally:
        db.close_database()


def test_rows_staged_for_a_candidate_model_stay_out_of_every_read(rows):
    """A re-index into a candidate model stages crops and labels (staged_for) until promote: views ignore them."""
    bag = rows["bag"]
    before = queries.review_queue(include_reviewed=True)
    first_image = queries.product(bag.id).images[0]
    staged = db.Crop.create(image=first_image.id, x0=0, y0=0, x1=9, y1=9, is_primary=True, outlier=True,
                            verdict="rejected", staged_for="candidate-v2", score_parts={"margin": 0.0})
    db.Label.create(product=bag, crop=staged, vocabulary="color", value="green", score=0.01, staged_for="candidate-v2")
    assert queries.covers([bag.id])[bag.id].sha256 == "BAG-1-1"
    assert queries.primary_crop(bag.id).crop_id == rows["primary"].id
    assert [c.id for c in queries.crops_of_image(first_image.id)] != [] and staged.id not in [
        c.id for c in queries.crops_of_image(first_image.id)]
    assert "green" not in [lb.value for lb in queries.labels(bag.id)]
    assert queries.review_queue(include_reviewed=True) == before
    db.Crop.update(staged_for="").where(db.Crop.id == staged.id).execute()  # promote: it counts at once
    assert "embedding outlier" in next(r for r in queries.review_queue(include_reviewed=True) if r.sku == "BAG-1").reasons
