"""Filters: CLI strings and dicts parse alike, and each key selects the right products in SQLite."""

from __future__ import annotations

import pytest

from core.catalog import db
from core.search.filters import FilterError, parse_filters
from tests.test_search_fixtures import open_catalog


@pytest.fixture
def products(tmp_path):
    gen = open_catalog(tmp_path)
    next(gen)
    rows = {
        "A": db.Product.create(sku="A", category="Gear/Bags", price=20,
                               attributes={"color": "Blue", "material": "Nylon, Polyester"}),
        "B": db.Product.create(sku="B", category="Gear/Bagsy", price=60, corrected=True,
                               attributes={"colour": ["Red", "Blue"]}),
        "C": db.Product.create(sku="C", category="Gear/Bags/Duffel", price=5, attributes={"color": "Red"}),
        "D": db.Product.create(sku="D", category="Men/Tops", price=None, attributes={"size": "50%_off"}),
    }
    db.Label.create(product=rows["C"], vocabulary="colours", value="Blue", source="curator", confirmed=True)
    db.Label.create(product=rows["D"], vocabulary="materials", value="blue", source="zero-shot")
    gone = db.Label.create(product=rows["A"], vocabulary="colours", value="blue")
    gone.soft_delete()
    yield rows
    next(gen, None)


def skus(spec) -> list[str]:
    return sorted(db.Product.get_by_id(i).sku for i in parse_filters(spec).product_ids())


@pytest.mark.parametrize(("spec", "expected"), [
    (["category=gear/bags"], ["A", "C"]),  # whole segments: Gear/Bagsy is not under Gear/Bags
    (["category=Gear/Bags/"], ["A", "C"]),
    (["category=Gear/Bags", "category=Men"], ["A", "C", "D"]),  # one key repeated: OR
    (["color=blue"], ["A", "B"]),  # substring, case-insensitive, colour/color alike, lists too
    (["color==Red"], ["B", "C"]),
    (["color==re"], []),
    (["material=poly"], ["A"]),
    (["size=50%"], ["D"]),  # LIKE wildcards are literal
    (["size=0_"], []),
    (["label=colours:blue"], ["C"]),  # deleted labels do not count
    (["label=blue"], ["C", "D"]),
    (["price=10..50"], ["A"]),
    (["price=..20"], ["A", "C"]),
    (["price=60"], ["B"]),
    (["corrected=yes"], ["B"]),
    (["corrected=no", "category=Gear"], ["A", "C"]),  # different keys: AND
])
def test_each_filter_key_selects_the_right_products(products, spec, expected):
    assert skus(spec) == expected


def test_dict_and_string_forms_agree_and_round_trip(products):
    as_dict = {"category": "Gear", "price": [10, None], "color": ["blue", "red"], "corrected": False}
    as_cli = ["category=Gear", "price=10..", "color=blue", "color=red", "corrected=no"]
    assert skus(as_dict) == skus(as_cli) == ["A"]
    parsed = parse_filters(as_cli)
    assert parse_filters(parsed.to_dict()).to_dict() == parsed.to_dict()
    assert parse_filters(None).product_ids() is None and not parse_filters([])


@pytest.mark.parametrize(("spec", "message"), [
    (["category"], "key=value"),
    (["price=cheap"], "not a number"),
    (["price=50..10"], "empty"),
    (["price=nan"], "finite"),
    (["corrected=maybe"], "yes or no"),
    (["label=colours:"], "needs a value"),
    (["color="], "needs a value"),
    (["=x"], "name"),
])
def test_bad_filters_say_what_is_wrong(spec, message):
    with pytest.raises(FilterError, match=message):
        parse_filters(spec)
