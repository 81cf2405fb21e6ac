"""Group by design in the grid: one tile per design with its colour swatches and variant count; a double-click
shows its variants; products without a design stay tiles of their own."""

from __future__ import annotations

import json
import os

from PySide6.QtCore import Qt

from core.catalog.catalog import Catalog
from core.catalog.importer import import_folders
from tests.gui_fixtures import close_window, open_window, scene

pytest_plugins = ["tests.gui_fixtures"]


def test_grid_groups_variants_by_design_and_expands(qtbot, leak_check, gui_catalog_dir, tmp_path):
    src = tmp_path / "src"
    for sku, colour, rgb, parent in (("MJ01-Red", "Red", (200, 30, 30), "MJ01"),
                                     ("MJ01-Navy", "Navy", (20, 30, 110), "MJ01"),
                                     ("MJ01-Heather", "Heather", (150, 150, 150), "MJ01"),
                                     ("BAG-1", "", (30, 160, 40), "BAG-1")):
        scene(src / sku / "main.jpg", rgb)
        (src / sku / "product.json").write_text(json.dumps({
            "sku": sku, "title": "Jupiter Jacket" if parent == "MJ01" else "Day Bag", "parent_sku": parent,
            "attributes": {"color": colour} if colour else {}}))
    with Catalog.open(gui_catalog_dir) as catalog:
        import_folders(catalog.paths, [src])
    window, context = open_window(qtbot, gui_catalog_dir)
    try:
        grid = window.grid
        assert grid.model.rowCount() == 4
        grid.by_design.click()
        assert grid.model.rowCount() == 2 and grid.count_label.text() == "2 designs and products"
        rows = {grid.model.row(n).sku: grid.model.row(n) for n in range(2)}
        jacket = next(r for r in rows.values() if r.design == "MJ01")
        assert jacket.variants == 3 and jacket.colours == ("Heather", "Navy", "Red")  # in import order
        assert rows["BAG-1"].variants == 1 and rows["BAG-1"].design == ""  # its own parent: a design of its own
        tip = grid.model.data(grid.model.index_of(jacket.id), Qt.ItemDataRole.ToolTipRole)
        assert "3 variants: Heather, Navy, Red" in tip

        grid.view.setFocus()
        index = grid.model.index_of(jacket.id)
        grid.view.setCurrentIndex(index)
        qtbot.keyClick(grid.view, Qt.Key.Key_Return)  # activation expands the design
        assert grid.model.rowCount() == 4 and grid.expanded == {"MJ01"}
        assert grid.current_product_id() == jacket.id
        grid.filter_edit.setText("Navy")  # filters apply inside designs too
        assert [grid.model.row(n).sku for n in range(grid.model.rowCount())] == ["MJ01-Navy"]
        grid.filter_edit.clear()
        grid.by_design.click()
        assert grid.model.rowCount() == 4 and not grid.expanded
        grid.view.grab()  # the delegate paints swatches and the count without error
        grid.by_design.click()
        shot = grid.grab()
        if os.environ.get("CATALOG_CURATOR_SHOT"):  # a look at the tiles, for a person
            shot.save(os.environ["CATALOG_CURATOR_SHOT"])
    finally:
        close_window(window, context)
