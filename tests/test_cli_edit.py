"""The CLI's edit, collections and conflicts commands over a real catalog."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from core.catalog import db
from core.catalog.catalog import Catalog


@pytest.fixture
def root(tmp_path):
    catalog = Catalog.open(tmp_path / "cat")
    db.Product.create(sku="MH01", title="Chaz Hoodie", category="Men/Tops", price=24.0, attributes={"color": "Red", "x": "1"})
    db.Product.create(sku="MH02", title="Teton Hoodie", category="Men/Tops", price=40.0, attributes={"color": "Gray"})
    db.Product.create(sku="WB01", title="Bag", category="Gear/Bags", price=30.0)
    catalog.close()
    yield tmp_path / "cat"
    db.close_database()


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _product(root, sku):
    catalog = Catalog.open(root)
    try:
        p = db.Product.get(db.Product.sku == sku)
        return p.price, p.title, dict(p.attributes), p.category
    finally:
        catalog.close()


def test_edit_one_sku_with_json(root, capsys):
    code, out, _ = _run(capsys, "edit", "MH01", "--set", "price=12,50", "--set", "attributes.color=Blue",
                        "--unset", "attributes.x", "--json", "--catalog", str(root))
    assert code == 0
    payload = json.loads(out)
    assert payload["changed"] == 1 and len(payload["corrections"]) == 1
    texts = [c["text"] for c in payload["products"][0]["changes"]]
    assert "Price 24.00 → 12.50" in texts and "Attribute color Red → Blue" in texts
    assert _product(root, "MH01")[:3] == (12.5, "Chaz Hoodie", {"color": "Blue"})


@pytest.mark.parametrize(("argv", "words"), [
    (["MH01", "--set", "price=-2"], "negative"),
    (["MH01", "--set", "title="], "title cannot be empty"),
    (["MH01", "--set", "sku=MH02"], "already belongs"),
    (["NOPE", "--set", "price=1"], "no product with SKU"),
    (["--where", "category=Men/Tops", "--set", "price=abc"], "not a number"),
])
def test_bad_edits_say_why_and_change_nothing(root, capsys, argv, words):
    code, _, err = _run(capsys, "edit", *argv, "--catalog", str(root))
    assert code == 2 and words in err
    assert _product(root, "MH01")[:2] == (24.0, "Chaz Hoodie")
    assert _product(root, "MH02")[0] == 40.0


def test_edit_where_dry_run_then_for_real(root, capsys):
    code, out, _ = _run(capsys, "edit", "--where", "category=Men/Tops", "--set", "attributes.season=Winter",
                        "--set", "category=Men/Hoodies", "--dry-run", "--catalog", str(root))
    assert code == 0 and "would change 2 of 2 products" in out
    assert "MH01: Attribute season added: Winter; Category Men/Tops → Men/Hoodies" in out
    assert _product(root, "MH01")[3] == "Men/Tops"  # dry run wrote nothing
    code, out, _ = _run(capsys, "edit", "--where", "category=Men/Tops", "--set", "category=Men/Hoodies",
                        "--json", "--catalog", str(root))
    assert json.loads(out)["changed"] == 2
    assert _product(root, "MH02")[3] == "Men/Hoodies" and _product(root, "WB01")[3] == "Gear/Bags"


def test_collections_command_lists_and_edits(root, capsys):
    cat = ["--catalog", str(root)]
    assert _run(capsys, "collections", "add", "Winter picks", "MH01", "MH02", *cat)[0] == 0
    assert _run(capsys, "collections", "remove", "Winter picks", "MH02", *cat)[0] == 0
    assert _run(capsys, "collections", "save", "Cheap", "--filter", "price=..35", *cat)[0] == 0
    assert _run(capsys, "collections", "save", "Hoodies", "--text", "hoodie", *cat)[0] == 0
    code, out, _ = _run(capsys, "collections", "--json", *cat)
    rows = {r["name"]: r for r in json.loads(out)["collections"]}
    assert rows["Winter picks"]["count"] == 1 and not rows["Winter picks"]["smart"]
    assert rows["Cheap"]["count"] == 2 and rows["Cheap"]["smart"]  # MH01 24, WB01 30
    assert rows["Hoodies"]["count"] == 2
    code, out, _ = _run(capsys, "collections", "show", "Cheap", "--json", *cat)
    assert json.loads(out)["skus"] == ["MH01", "WB01"]
    # a smart collection follows edits at once
    _run(capsys, "edit", "WB01", "--set", "price=99", *cat)
    code, out, _ = _run(capsys, "collections", "show", "Cheap", "--json", *cat)
    assert json.loads(out)["skus"] == ["MH01"]
    assert _run(capsys, "collections", "rename", "Cheap", "--to", "Bargains", *cat)[0] == 0
    assert _run(capsys, "collections", "delete", "Winter picks", *cat)[0] == 0
    code, out, _ = _run(capsys, "collections", "--json", *cat)
    assert sorted(r["name"] for r in json.loads(out)["collections"]) == ["Bargains", "Hoodies"]
    code, _, err = _run(capsys, "collections", "add", "Hoodies", "WB01", *cat)
    assert code == 2 and "smart collection" in err
    code, _, err = _run(capsys, "collections", "save", "Bad", "--filter", "price=abc", *cat)
    assert code == 2
    code, out, _ = _run(capsys, "conflicts", *cat)
    assert code == 0 and "no conflicts" in out
