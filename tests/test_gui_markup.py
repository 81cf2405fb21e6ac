"""Text is text (issue 27, requirement 4): markup in folder names, product data and labels (as a pull from S3
would bring them) is shown literally in every view, tooltip and toast of the main window.

The catalog is built as an attacker would: a dropped folder named `<font color=red size=7>JOBPWN`, products
whose title, category and SKU carry `<img src=…>` and `<b>`, a label with an `<img>` in it, and a search query
with markup. Each page is visited as a curator would; then every label, tooltip and item text of the window is
rendered the way Qt renders it (plain text, or the rich text Qt would lay out) and must contain the markup
verbatim. A view that drew `JOBPWN` without its `<font …>` (big red text) fails with its widget's path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractListModel, QModelIndex
from PySide6.QtGui import Qt, QTextDocument  # QtGui's Qt namespace has mightBeRichText
from PySide6.QtWidgets import QAbstractItemView, QLabel, QWidget

from tests.gui_fixtures import close_window, drop_urls, open_window, scene

pytest_plugins = ["tests.gui_fixtures"]
pytestmark = pytest.mark.gui

FOLDER = "<font color=red size=7>JOBPWN"
TITLE = '<img src="/tmp/curator-markup-probe.png">IMGPWN'
CATEGORY = "<i>Gear</i><u>CATPWN"
SKU = "<b>SKUPWN</b>"
LABEL = '<img src="/local/x.png">LBLPWN'
QUERY = "<font size=7>QRYPWN"
PHOTO = "<s>FILEPWN.jpg"  # a photo's file name
ATTRIBUTE = "<h1>KEYPWN"  # an attribute's name in product.json
# The word each probe carries, and the literal text that must stand wherever the word is shown.
PROBES = {"JOBPWN": FOLDER, "IMGPWN": TITLE, "CATPWN": CATEGORY, "SKUPWN": SKU, "LBLPWN": LABEL,
          "QRYPWN": QUERY, "FILEPWN": PHOTO, "KEYPWN": ATTRIBUTE}


def rendered(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What a curator reads: plain text as it is, and rich text (explicit, or what AutoText takes for it)
    laid out by Qt's rich-text engine."""
    if fmt == Qt.TextFormat.PlainText or (fmt == Qt.TextFormat.AutoText and not Qt.mightBeRichText(text)):
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def shown_texts(root: QWidget):
    """(where, raw text, rendered text) for every label, tooltip and item (text and tooltip) under `root`."""
    for widget in [root, *root.findChildren(QWidget)]:
        where = f"{type(widget).__name__}:{widget.objectName() or ''} in {type(widget.parentWidget()).__name__}"
        if isinstance(widget, QLabel):
            yield where, widget.text(), rendered(widget.text(), widget.textFormat())
        if widget.toolTip():
            yield where + " (tooltip)", widget.toolTip(), rendered(widget.toolTip())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            yield from _items(widget.model(), QModelIndex(), where, budget=[400])


def _items(model, parent: QModelIndex, where: str, budget: list[int]):
    for row in range(model.rowCount(parent)):
        col = 0
        while (index := model.index(row, col, parent)).isValid():  # (a list model's columnCount is private)
            col += 1
            if budget[0] <= 0:
                return
            budget[0] -= 1
            text = index.data(Qt.ItemDataRole.DisplayRole)
            if isinstance(text, str):  # the item delegates draw display text as plain text
                yield f"{where} item {row},{col}", text, text
            tip = index.data(Qt.ItemDataRole.ToolTipRole)
            if isinstance(tip, str) and tip:
                yield f"{where} item {row},{col} (tooltip)", tip, rendered(tip)
            if col == 1 and model.rowCount(index) if not isinstance(model, QAbstractListModel) else False:
                yield from _items(model, index, where, budget)


SEEN: set[str] = set()  # every probe word any check saw, over the whole visit


def markup_offences(root: QWidget) -> tuple[list[str], set[str]]:
    """Places where a probe's word is shown without its markup as literal text, and the words seen."""
    bad, seen = [], SEEN
    for where, raw, text in shown_texts(root):
        for word, literal in PROBES.items():
            if word in text or word in raw:
                seen.add(word)
            start = literal[:8]  # an elided text may keep only the start of the markup: that is text too
            if (word in text and literal not in text or word in raw and word not in text
                    or start in raw and start not in text):
                bad.append(f"{where}: {raw!r} shows as {text!r}")
    return bad, seen


def _product(folder: Path, colour, meta: dict, photo: Path | None = None) -> None:
    if photo is None:
        scene(folder / "main.jpg", colour)
    else:
        folder.mkdir(parents=True)
        shutil.copy(photo, folder / "main.jpg")
    (folder / "product.json").write_text(json.dumps(meta))


@pytest.fixture
def markup_catalog_dir(gui_catalog_dir, tmp_path) -> Path:
    """Three products with markup in every field (two share a photo: an exact-duplicate group), indexed by
    core; a curator's label and a search query with markup."""
    from core.catalog.catalog import Catalog
    from core.jobs import run_index_job
    from core.models.registry import ModelRegistry
    from core.review import Reviewer

    src = tmp_path / "src"
    _product(src / "a", (200, 30, 30), {"sku": SKU, "title": TITLE, "category": CATEGORY, "price": 9.5,
                                        "attributes": {ATTRIBUTE: "cotton"}})
    scene(src / "a" / PHOTO, (190, 40, 40), shape="ellipse")
    _product(src / "b", (200, 30, 30), {"sku": "B-1", "title": TITLE + " copy", "category": CATEGORY},
             photo=src / "a" / "main.jpg")
    _product(src / "c", (30, 30, 200), {"sku": "C-1", "title": "plain", "category": CATEGORY})
    with Catalog.open(gui_catalog_dir) as catalog:
        registry = ModelRegistry(catalog.settings.models)
        try:
            run_index_job(catalog, registry, [src])
            from core.catalog import db

            product = db.Product.get(db.Product.sku == SKU)
            reviewer = Reviewer(catalog, registry)
            try:
                reviewer.add_label(product.id, "colour", LABEL)
            finally:
                reviewer.close()
        finally:
            registry.close()
    return gui_catalog_dir


def test_markup_is_shown_as_text_in_every_view(qtbot, leak_check, markup_catalog_dir, tmp_path):
    SEEN.clear()
    window, context = open_window(qtbot, markup_catalog_dir)
    try:
        _visit_every_view(window, qtbot, tmp_path)
        bad, seen = markup_offences(window)
        assert not bad, "markup rendered as markup:\n" + "\n".join(bad)
        # the query is shown only where a view repeats it (none does today); every other probe must be reached
        missing = set(PROBES) - {"QRYPWN"} - seen
        assert not missing, f"probes never shown (the test did not reach their view): {missing}"
    finally:
        close_window(window, context)


def _visit_every_view(window, qtbot, tmp_path: Path) -> None:
    # a folder named like markup, dropped on the window: jobs panel row, its error list, the toast
    dropped = tmp_path / FOLDER
    scene(dropped / "p1" / "main.jpg", (30, 160, 40))
    (dropped / "p1" / "product.json").write_text(json.dumps({"sku": "D-1", "title": "dropped"}))
    (dropped / "p2").mkdir()
    (dropped / "p2" / "cut.jpg").write_bytes((dropped / "p1" / "main.jpg").read_bytes()[:300])
    with qtbot.waitSignal(window.context.job_finished, timeout=180_000):
        assert drop_urls(window, [dropped])
    assert window.toast.isVisible()
    toast_bad, toast_seen = markup_offences(window.toast)
    assert "JOBPWN" in toast_seen and not toast_bad, toast_bad

    # the grid (tile tooltips), then each product's detail: meta, labels, history, review panel
    grid = window.grid
    window.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: grid.model.rowCount() >= 4, timeout=60_000)
    for row in range(grid.model.rowCount()):
        if "PWN" in (grid.model.row(row).title or "") + grid.model.row(row).sku:
            grid.view.setCurrentIndex(grid.model.index(row))
            qtbot.wait(50)
            detail = window.detail
            for tab in range(detail.tabs.count()):
                detail.tabs.setCurrentIndex(tab)
                qtbot.wait(50)
            bad, _ = markup_offences(window)
            assert not bad, "markup rendered as markup:\n" + "\n".join(bad)

    # a text search with markup: the results, their tooltips and the explanation
    panel = window.search
    window.tabs.setCurrentWidget(panel)
    with qtbot.waitSignal(panel.searched, timeout=60_000):
        qtbot.keyClicks(panel.text, QUERY)
        qtbot.keyClick(panel.text, "\r")
    for row in range(panel.results.rowCount()):
        panel.view.setCurrentIndex(panel.results.index(row))  # the explanation of each result
        qtbot.wait(50)
        bad, _ = markup_offences(window)
        assert not bad, "markup rendered as markup:\n" + "\n".join(bad)

    # the review queue, the duplicates page, analytics, health and models
    window.tabs.setCurrentWidget(window.review_queue)
    qtbot.waitUntil(lambda: window.review_queue.tree.topLevelItemCount() > 0, timeout=60_000)
    qtbot.waitUntil(lambda: window.review_queue.panel.product_id is not None
                    and not window.review_queue.panel.loading, timeout=60_000)
    window.tabs.setCurrentWidget(window.duplicates)
    qtbot.waitUntil(lambda: window.duplicates.loaded and not window.duplicates.busy, timeout=120_000)
    if window.duplicates.groups:
        window.duplicates.list.setCurrentRow(0)
        qtbot.wait(50)
    for page in (window.analytics, window.health, window.models_page):
        window.tabs.setCurrentWidget(page)
        qtbot.wait(300)
