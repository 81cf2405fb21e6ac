"""File → Import from shop… and Export to shop…: the import runs as a job (images fetched from a local
http.server), the export shows what changes before it writes, and writes the shop's layout back."""

from __future__ import annotations

import csv
import os

from PySide6.QtCore import Qt

from core.catalog import db
from tests.gui_fixtures import scene
from tests.test_shop import SHOPIFY_HEADER, http_server  # noqa: F401 - the fixture

pytest_plugins = ["tests.gui_fixtures"]


def test_import_then_export_to_shop(qtbot, window, tmp_path, http_server):  # noqa: F811 - the fixture
    photos = tmp_path / "photos"
    scene(photos / "red.jpg", (200, 30, 30))
    scene(photos / "blue.jpg", (30, 30, 200))
    base = http_server(photos)
    path = tmp_path / "products_export.csv"
    path.write_text(
        f"{SHOPIFY_HEADER}\n"
        f"tee,Trail Tee,<p>Soft.</p>,Luma,,Tees,,TRUE,Color,Red,,,TEE-R,20.00,,,,,,,{base}/red.jpg,active\n"
        f"tee,,,,,,,,,Blue,,,TEE-B,20.00,,,,,,,{base}/blue.jpg,\n"
        f"gone,Lost Cap,,Luma,,Caps,,TRUE,Title,Default Title,,,CAP-1,5.00,,,,,,,{base}/nothere.jpg,active\n",
        encoding="utf-8")

    dialog = window.open_shop_import()
    dialog.file.setText(str(path))
    with qtbot.waitSignal(window.context.job_finished, timeout=180_000) as finished:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    record = finished.args[0]
    assert record.result is not None and record.result.products == 3, record.message
    assert record.result.details["no_image"] == ["CAP-1"]  # imported all the same, marked "no image"
    assert any("no image" in w["reason"] for w in record.warnings)
    red = db.Product.get(db.Product.sku == "TEE-R")
    assert red.design == "tee" and red.status == "indexed"

    red.price = 12.5
    red.save()
    export = window.open_shop_export()
    try:
        qtbot.waitUntil(lambda: export.plan is not None, timeout=30_000)
        assert export.summary.text().startswith("2 rows unchanged, 1 price changed")
        if os.environ.get("CATALOG_CURATOR_SHOT"):  # a look at the dialog, for a person
            export.grab().save(os.environ["CATALOG_CURATOR_SHOT"])
        target = tmp_path / "back.csv"
        export.target.setText(str(target))
        qtbot.mouseClick(export.write_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: export.result is not None, timeout=30_000)
    finally:
        export.close()
    with open(target, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    price = rows[0].index("Variant Price")
    assert [r[price] for r in rows[1:]] == ["12.50", "20.00", "5.00"]


def test_export_dialog_starts_on_the_imported_shop_and_says_why_not_the_other(qtbot, window, tmp_path):
    from core.shop.roundtrip import import_shop_file
    from tests.test_shop import MAGENTO

    path = tmp_path / "magento.csv"
    path.write_text(MAGENTO, encoding="utf-8")
    import_shop_file(window.context.catalog.paths, path)
    export = window.open_shop_export()
    try:
        qtbot.waitUntil(lambda: export.plan is not None, timeout=30_000)
        assert export.format.currentData() == "magento"
        assert export.summary.text().startswith("4 rows unchanged")
        export.format.setCurrentIndex(export.format.findData("shopify"))
        qtbot.waitUntil(lambda: "no shopify export was imported" in export.summary.text(), timeout=30_000)
        assert not export.write_button.isEnabled()
    finally:
        export.close()
