"""Editing product data: validation, one correction per product per action, undo, History words, search follows."""

from __future__ import annotations

import pytest

from core import edits
from core.catalog import db, queries
from core.catalog.catalog import Catalog
from core.edits import BatchOp, EditError
from core.search import lexical
from core.sync import outbox


@pytest.fixture
def cat(tmp_path):
    catalog = Catalog.open(tmp_path / "cat")
    db.Product.create(sku="MH01", title="Chaz Hoodie", category="Men/Tops", price=24.0,
                      attributes={"color": "Red", "material": "Cotton", "x": "1"}, description="Soft hoodie")
    db.Product.create(sku="MH02", title="Teton Hoodie", category="Men/Tops", price=40.0,
                      attributes={"color": "Gray"})
    yield catalog
    catalog.close()


def _p(sku):
    return db.Product.get(db.Product.sku == sku)


def _skus(text):
    by_id = dict(db.Product.select(db.Product.id, db.Product.sku).tuples())
    return [by_id[h.product_id] for h in lexical.search(text, 10)]


@pytest.mark.parametrize(("text", "value"), [("19,99", 19.99), ("19.99", 19.99), (" 1.299,50 ", 1299.5),
                                             ("1,299.50", 1299.5), ("€12", 12.0), ("", None), (0, 0.0)])
def test_prices_read_as_curators_type_them(text, value):
    assert edits.parse_price(text) == value


@pytest.mark.parametrize("bad", ["-1", "-0,01", "abc", "1..2", float("nan")])
def test_bad_prices_are_refused_with_a_reason(bad):
    with pytest.raises(EditError, match="price"):
        edits.parse_price(bad)


def test_bad_values_change_nothing_and_say_why(cat):
    hoodie = _p("MH01")
    before = (hoodie.title, hoodie.price, hoodie.sku, dict(hoodie.attributes))
    cases = [({"price": "-3"}, "negative"), ({"title": "   "}, "title cannot be empty"),
             ({"sku": "MH02"}, "already belongs to another product"), ({"colour": "x"}, "unknown field"),
             ({"sku": ""}, "SKU cannot be empty")]
    for sets, words in cases:
        with pytest.raises(EditError, match=words):
            edits.edit_product(cat, hoodie.id, sets)
    with pytest.raises(EditError, match="already has an attribute"):
        edits.edit_product(cat, hoodie.id, renames={"color": "material"})
    hoodie = _p("MH01")
    assert (hoodie.title, hoodie.price, hoodie.sku, dict(hoodie.attributes)) == before
    assert db.Correction.select().count() == 0 and outbox.pending_count() == 0


def test_an_edit_is_one_logged_synced_correction_in_words_and_search_follows(cat):
    hoodie = _p("MH01")
    assert _skus("chaz") == ["MH01"]
    c = edits.edit_product(cat, hoodie.id, {"price": "12,50", "title": "Marco Hoodie",
                                            "attributes.color": "Blue"}, unsets=["attributes.x"])
    hoodie = _p("MH01")
    assert hoodie.price == 12.5 and hoodie.title == "Marco Hoodie"
    assert hoodie.attributes == {"color": "Blue", "material": "Cotton"}
    assert c.kind == "edit" and c.before["price"] == 24.0 and c.after["price"] == 12.5
    assert db.Correction.select().count() == 1
    assert [r.key for r in outbox.pending()] == [outbox.correction_key(c.uid)]
    # the words of search follow at once: old title gone, new title and attribute value found
    assert _skus("chaz") == [] and _skus("marco") == ["MH01"] and _skus("blue") == ["MH01"]
    event = next(e for e in queries.history(hoodie.id) if e.uid == c.uid)
    assert "Price 24.00 → 12.50" in event.detail
    assert "Title Chaz Hoodie → Marco Hoodie" in event.detail
    assert "Attribute x removed (was 1)" in event.detail
    # nothing to change: no correction
    assert edits.edit_product(cat, hoodie.id, {"price": "12.5"}) is None
    with pytest.raises(db.pw.IntegrityError):
        db.Correction.delete().where(db.Correction.uid == c.uid).execute()  # append-only


def test_rename_and_undo_restores_everything(cat):
    hoodie = _p("MH01")
    c = edits.edit_product(cat, hoodie.id, {"sku": "MH01-NEW", "attributes.size": "M"},
                           renames={"color": "colour"})
    hoodie = _p("MH01-NEW")
    assert hoodie.attributes == {"colour": "Red", "material": "Cotton", "x": "1", "size": "M"}
    assert c.sku == "MH01"  # the log names the product as it was known
    assert "renamed colour" in next(e for e in queries.history(hoodie.id) if e.uid == c.uid).detail
    undone = edits.undo(cat, [c.uid])
    hoodie = db.Product.get_by_id(hoodie.id)
    assert hoodie.sku == "MH01" and hoodie.attributes == {"color": "Red", "material": "Cotton", "x": "1"}
    assert len(undone) == 1 and db.Correction.select().count() == 2  # the undo is its own correction


def test_batch_plan_previews_every_change_and_applies_as_one_undo(cat):
    ids = [_p("MH01").id, _p("MH02").id]
    ops = [BatchOp("set_attribute", key="season", value="Winter"), BatchOp("append_attribute", key="color", value="Blue"),
           BatchOp("remove_attribute", key="material"), BatchOp("set_category", value=" Men / Hoodies "),
           BatchOp("replace", field="title", find="hoodie", value="Sweatshirt", case=False)]
    plans = edits.plan_batch(ids, ops)
    assert db.Correction.select().count() == 0  # a preview writes nothing
    text = {p.sku: [c.describe() for c in p.changes] for p in plans}
    assert "Attribute color Red → Red, Blue" in text["MH01"]
    assert "Attribute material removed (was Cotton)" in text["MH01"]
    assert "Category Men/Tops → Men/Hoodies" in text["MH02"]
    assert "Title Teton Hoodie → Teton Sweatshirt" in text["MH02"]
    assert not any("material" in t for t in text["MH02"])  # MH02 had none: nothing to remove
    applied = edits.edit_many(cat, plans)
    assert len(applied) == 2
    assert _p("MH02").attributes == {"color": "Gray, Blue", "season": "Winter"}
    # one undo puts both products back
    edits.undo(cat, [c.uid for c in applied])
    assert _p("MH02").title == "Teton Hoodie" and _p("MH02").attributes == {"color": "Gray"}
    edits.edit_many(cat, plans)
    # appending again changes nothing
    assert edits.plan_batch(ids, [BatchOp("append_attribute", key="color", value="Blue")]) == []
    # a stale preview is refused, nothing written
    stale = edits.plan_batch(ids, [BatchOp("set_category", value="Sale")])
    edits.edit_product(cat, ids[0], {"category": "Other"})
    n = db.Correction.select().count()
    with pytest.raises(EditError, match="changed since the preview"):
        edits.edit_many(cat, stale)
    assert db.Correction.select().count() == n and _p("MH02").category == "Men/Hoodies"
    # an undo over a later edit is refused rather than overwriting it
    with pytest.raises(EditError, match="changed since"):
        edits.undo(cat, [c.uid for c in applied])


def test_bad_batch_operations_are_refused_before_any_write(cat):
    with pytest.raises(EditError, match="regular expression"):
        edits.plan_batch([_p("MH01").id], [BatchOp("replace", find="(", regex=True)])
    with pytest.raises(EditError, match="title cannot be empty"):
        edits.plan_batch([_p("MH01").id], [BatchOp("replace", find="Chaz Hoodie", value="")])


def test_grid_sorts_by_price_last_edited_and_doubt(cat):
    edits.edit_product(cat, _p("MH02").id, {"title": "Teton Hoodie!"})
    assert [t.sku for t in queries.product_page(queries.GridQuery(sort="price"), 0, 10)] == ["MH01", "MH02"]
    assert [t.sku for t in queries.product_page(queries.GridQuery(sort="edited"), 0, 10)][0] == "MH02"
    assert len(queries.product_page(queries.GridQuery(sort="doubt"), 0, 10)) == 2


def test_a_reimport_keeps_the_fields_a_curator_edited(tmp_path):
    import json

    from core.catalog.importer import import_folders
    from tests.test_indexer import _scene

    catalog = Catalog.open(tmp_path / "cat")
    try:
        folder = tmp_path / "src" / "a"
        _scene(folder / "main.jpg", (200, 30, 30))

        def meta(**m):
            (folder / "product.json").write_text(json.dumps({"sku": "A1", **m}))

        meta(title="Old title", price=10, description="d1", attributes={"color": "Red", "size": "M"})
        import_folders(catalog.paths, [tmp_path / "src"])
        edits.edit_product(catalog, _p("A1").id, {"title": "Curated title", "attributes.color": "Crimson"})
        meta(title="Shop title", price=12, description="d2", attributes={"color": "Blue", "size": "L"})
        import_folders(catalog.paths, [tmp_path / "src"])
        a = _p("A1")
        assert (a.title, a.price, a.description) == ("Curated title", 12.0, "d2")
        assert a.attributes == {"color": "Crimson", "size": "L"}
    finally:
        catalog.close()
