"""The workbench's look, feedback and language, driven through real Qt events: the theme switch, the
loupe, keyboard traversal and the shortcut sheet, plurals, the job strip, and German that is complete."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QToolButton

from tests.gui_fixtures import *  # noqa: F403  (fixtures)
from tests.gui_fixtures import drop_urls, make_products

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "resources" / "i18n"


def _luminance(colour) -> float:
    return 0.2126 * colour.redF() + 0.7152 * colour.greenF() + 0.0722 * colour.blueF()


def test_theme_switch_changes_palette_and_icons_and_is_remembered(indexed_window, qtbot):
    from app.theme import DARK, LIGHT, load_appearance, save_appearance, theme

    window = indexed_window
    try:
        theme().apply("light")
        light_bg = QApplication.palette().color(QPalette.ColorRole.Window)
        light_icon = window.add_action.icon().pixmap(18, 18).toImage()
        assert theme().palette is LIGHT and _luminance(light_bg) > 0.8
        theme().apply("dark")
        dark_bg = QApplication.palette().color(QPalette.ColorRole.Window)
        assert theme().palette is DARK and _luminance(dark_bg) < 0.2
        assert window.palette().color(QPalette.ColorRole.Window) == dark_bg  # the window follows at once
        dark_icon = window.add_action.icon().pixmap(18, 18).toImage()
        assert not window.add_action.icon().isNull() and dark_icon != light_icon  # icons redrawn in the text colour
        assert DARK.surface in QApplication.instance().styleSheet()
        save_appearance("dark", "de")
        assert load_appearance() == {"theme": "dark", "language": "de"}
        with pytest.raises(ValueError, match="unknown theme"):
            theme().apply("sepia")
    finally:
        save_appearance("system", "en")
        theme().apply("light")


def test_settings_appearance_switches_the_theme(indexed_window, qtbot, monkeypatch):
    from app.theme import load_appearance, save_appearance, theme
    from app.views.settings_dialog import SettingsDialog

    window = indexed_window
    chosen = {}

    def fake_exec(dialog):
        dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("dark"))
        dialog.language_box.setCurrentIndex(dialog.language_box.findData("de"))
        chosen["tab"] = dialog.tabs.tabText(0)
        return True

    monkeypatch.setattr(SettingsDialog, "exec", fake_exec)
    try:
        theme().apply("light")
        window.open_settings()
        assert chosen["tab"] == "Appearance"
        assert theme().mode == "dark" and theme().dark
        assert load_appearance() == {"theme": "dark", "language": "de"}
    finally:
        save_appearance("system", "en")
        theme().apply("light")


def test_state_badges_are_distinct(qapp):
    from app.theme import STATE_BADGES

    glyphs = [g for g, _ in STATE_BADGES.values()]
    colours = [c.name() for _, c in STATE_BADGES.values()]
    assert len(set(glyphs)) == len(glyphs) and len(set(colours)) == len(colours)
    for key in ("indexed", "approved", "flagged", "corrected", "error"):
        assert key in STATE_BADGES


def test_loupe_opens_large_with_a_filmstrip_and_g_returns(indexed_window, qtbot):
    window = indexed_window
    grid = window.grid
    window.resize(1366, 768)
    grid.view.setFocus()
    grid.view.setCurrentIndex(grid.model.index(1))
    product_id = grid.current_product_id()
    # a double-click on a tile opens the loupe
    rect = grid.view.visualRect(grid.model.index(1))
    qtbot.mouseClick(grid.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(grid.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(window.in_loupe, timeout=3000)
    loupe = window.loupe
    assert loupe.product_id == product_id and loupe.strip.count() >= 1
    qtbot.waitUntil(lambda: not loupe.loading, timeout=10_000)
    # the photo takes most of the window: far larger than the detail pane's
    assert loupe.image.height() > 0.6 * window.height() and loupe.image.width() > 0.8 * window.width()
    assert loupe.image.height() > 1.5 * window.detail.image.height() or not window.detail.isVisible()
    # J moves to the next product inside the loupe
    qtbot.keyClick(loupe, Qt.Key.Key_J)
    assert loupe.product_id == grid.current_product_id() != product_id
    # G returns to the grid, on the product the loupe showed
    shown = loupe.product_id
    qtbot.keyClick(loupe, Qt.Key.Key_G)
    assert not window.in_loupe() and window.catalog_page.currentIndex() == 1
    assert grid.current_product_id() == shown and grid.view.hasFocus()
    # E from the grid opens it, Esc leaves it
    qtbot.keyClick(grid.view, Qt.Key.Key_E)
    assert window.in_loupe() and loupe.hasFocus()
    qtbot.keyClick(loupe, Qt.Key.Key_Escape)
    assert not window.in_loupe()
    # Space toggles
    qtbot.keyClick(grid.view, Qt.Key.Key_Space)
    assert window.in_loupe()
    qtbot.keyClick(loupe, Qt.Key.Key_Space)
    assert not window.in_loupe()


def test_shortcut_sheet_lists_the_real_shortcuts(indexed_window, qtbot):
    window = indexed_window
    window.grid.view.setFocus()
    qtbot.keyClick(window.grid.view, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "shortcut_sheet", None) is not None and window.shortcut_sheet.isVisible(),
                    timeout=3000)
    sheet = window.shortcut_sheet
    rows = dict(sheet.rows())
    assert rows.get("E") == "Loupe" and rows.get("G") == "Grid" and rows.get("J") == "Next product"
    assert rows.get("Ctrl+Z") and rows.get("Ctrl+J") and rows.get("F1")
    sheet.close()
    qtbot.waitUntil(lambda: not sheet.isVisible(), timeout=3000)


def test_keyboard_traversal_reaches_every_control_with_a_name_and_a_visible_focus(indexed_window, qtbot):
    from app.theme import theme

    theme().apply("light")
    window = indexed_window
    window.resize(1366, 768)
    grid = window.grid
    grid.filter_edit.setFocus()
    qtbot.waitUntil(grid.filter_edit.hasFocus, timeout=3000)
    visited = []
    for _ in range(40):
        widget = QApplication.focusWidget()
        visited.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        if QApplication.focusWidget() is grid.filter_edit:
            break
    names = {w: (w.accessibleName() or getattr(w, "text", lambda: "")() or w.toolTip()) for w in visited}
    for must in (grid.filter_edit, grid.sort_box, grid.size_slider, grid.view, window.detail.similar_button):
        assert must in visited, f"Tab never reaches {must.objectName() or type(must).__name__}"
    unnamed = [type(w).__name__ for w, name in names.items() if not name]
    assert not unnamed, f"controls without an accessible name: {unnamed}"
    # the focused control is drawn differently: the style sheet gives it a focus ring
    sheet = QApplication.instance().styleSheet()
    for selector in ("QLineEdit:focus", "QPushButton:focus", "QListView:focus", "QToolButton#chip:focus"):
        assert selector in sheet
    grid.filter_edit.setFocus()
    unfocused = grid.filter_edit.grab().toImage()
    grid.view.setFocus()
    qtbot.waitUntil(grid.view.hasFocus, timeout=3000)
    focused_view = grid.filter_edit.grab().toImage()
    assert unfocused != focused_view  # the field looks different with and without the focus


def test_undo_button_keeps_its_width(indexed_window, qtbot):
    window = indexed_window
    button = next(b for b in window.toolbar.findChildren(QToolButton) if b.defaultAction() is window.undo_tool)
    before = button.sizeHint().width()
    ids = [window.grid.model.row(n).id for n in range(4)]
    window.review.add_labels(ids, "styles", "casual")
    qtbot.waitUntil(window.undo_tool.isEnabled, timeout=30_000)
    assert window.undo_tool.text() == "Undo" and button.sizeHint().width() == before
    assert "casual" in window.undo_tool.toolTip()


def test_plurals_in_english_and_german(qapp):
    from app import i18n
    from app.i18n import translate

    try:
        assert i18n.install("en")
        assert translate("CatalogGrid", "%n products", None, 1) == "1 product"
        assert translate("CatalogGrid", "%n products", None, 7) == "7 products"
        assert translate("DuplicatesView", "%n exact copies", None, 7) == "7 exact copies"
        assert translate("DuplicatesView", "%n exact copies", None, 1) == "1 exact copy"
        assert translate("jobs", "%n errors", None, 1) == "1 error"
        assert i18n.install("de")
        assert translate("CatalogGrid", "%n products", None, 1) == "1 Produkt"
        assert translate("CatalogGrid", "%n products", None, 3) == "3 Produkte"
        assert translate("DuplicatesView", "%n exact copies", None, 7) == "7 exakte Kopien"
        assert not i18n.install("xx")
    finally:
        i18n.install("en")


def test_grid_count_says_one_product(indexed_window, qtbot):
    grid = indexed_window.grid
    grid.filter_edit.setText(grid.model.row(0).sku)
    qtbot.waitUntil(lambda: grid.model.total == 1, timeout=5000)
    assert grid.count_label.text() == "1 product"


def _messages(ts: Path) -> list[ET.Element]:
    return list(ET.parse(ts).getroot().iter("message"))


def test_every_source_has_a_german_translation():
    messages = _messages(I18N / "catalog_curator_de.ts")
    assert len(messages) > 200
    missing = []
    for m in messages:
        tr = m.find("translation")
        forms = [f.text for f in tr.findall("numerusform")] if m.get("numerus") == "yes" else [tr.text]
        if tr.get("type") in ("unfinished", "vanished", "obsolete") or not all(forms):
            missing.append(m.find("source").text)
        if m.get("numerus") == "yes":
            assert len(forms) == 2, m.find("source").text  # German: singular and plural
            if "%n" in m.find("source").text:  # the singular may say "the selected product"; the plural counts
                assert "%n" in forms[-1], m.find("source").text
        placeholders = {p for p in ("%1", "%2", "%3", "%4") if p in m.find("source").text}
        for form in forms:
            assert all(p in (form or "") for p in placeholders), m.find("source").text
    assert not missing, f"{len(missing)} strings without German: {missing[:10]}"
    for lang in ("de", "en"):
        qm = I18N / f"catalog_curator_{lang}.qm"
        assert qm.is_file() and qm.stat().st_mtime >= (I18N / f"catalog_curator_{lang}.ts").stat().st_mtime - 1


@pytest.mark.skipif(shutil.which("pyside6-lupdate") is None and not (ROOT / ".venv/bin/pyside6-lupdate").exists(),
                    reason="pyside6-lupdate is not installed")
def test_the_german_file_holds_every_tr_source_in_app(tmp_path):
    """lupdate run afresh over app/ finds no source the committed German file lacks (make translations)."""
    lupdate = shutil.which("pyside6-lupdate") or str(ROOT / ".venv/bin/pyside6-lupdate")
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "app").rglob("*.py"))
    subprocess.run([lupdate, *sources, "-no-obsolete", "-ts", str(fresh)], check=True, capture_output=True)
    have = {(m.find("source").text) for m in _messages(I18N / "catalog_curator_de.ts")}
    want = {(m.find("source").text) for m in _messages(fresh)}
    assert not want - have, f"run `make translations` and translate: {sorted(want - have)[:10]}"


def test_german_window_speaks_german(indexed_catalog_dir, qtbot, leak_check):
    from app import i18n
    from tests.gui_fixtures import close_window

    try:
        i18n.install("de")
        from app.context import AppContext
        from app.views.main_window import MainWindow

        context = AppContext.open(indexed_catalog_dir)
        window = MainWindow(context)
        window.show()
        qtbot.waitExposed(window)
        try:
            assert window.tabs.tabText(0) == "Katalog" and window.add_action.text() == "Ordner hinzufügen …"
            assert window.grid.count_label.text() == "6 Produkte"
        finally:
            close_window(window, context)
    finally:
        i18n.install("en")


def test_job_strip_one_bar_counts_and_folds_away(window, qtbot, tmp_path):
    from app.views.jobs_panel import product_counts

    root = make_products(tmp_path / "drop", 3)
    products = sorted(root.iterdir())
    strip = window.job_strip
    values = []
    record_seen = []

    def watch(record):
        record_seen.append(record)

    window.context.job_added.connect(watch)
    with qtbot.waitSignal(window.context.job_finished, timeout=180_000):
        assert drop_urls(window, products)  # three product folders dropped at once
        qtbot.waitUntil(lambda: strip.isVisible(), timeout=5000)
        assert strip.height() <= 32 and not window.jobs_dock.isVisible()  # thin, and the dock stays closed
        assert "Started" not in window.statusBar().currentMessage()
        while record_seen and record_seen[0].state.active:
            values.append(strip.bar.value())
            qtbot.wait(50)
    record = record_seen[0]
    assert values == sorted(values), "the one bar went back"
    assert record.fraction == 1.0
    assert product_counts(record.result) == (3, 3)  # three folders dropped: "3 of 3", never "2 of 4"
    # the end is said in the strip, which covers nothing, then the strip folds away
    assert window.toast.isVisible() and "3 products imported" in window.toast.label.text()
    tabs_bottom = window.tabs.mapTo(window, window.tabs.rect().bottomLeft()).y()
    assert window.toast.mapTo(window, window.toast.rect().topLeft()).y() >= tabs_bottom
    window.toast.dismiss()
    qtbot.waitUntil(lambda: not strip.isVisible(), timeout=3000)
    row = window.jobs.rows[0]
    assert row.bar.value() == row.bar.maximum()


def test_batch_approve_does_not_mark_products_corrected(indexed_window, qtbot):
    from core.catalog import db

    window = indexed_window
    ids = [window.grid.model.row(n).id for n in range(5)]
    with qtbot.waitSignal(window.review.applied, timeout=30_000):
        window.review.set_review_states(ids, "approved")
    rows = list(db.Product.select().where(db.Product.id.in_(ids)))
    assert {p.review_state for p in rows} == {"approved"} and not any(p.corrected for p in rows)
    window.grid.refresh()
    states = [window.grid.model.index(n).data(Qt.ItemDataRole.UserRole + 8) for n in range(5)]
    assert all("approved" in s and "corrected" not in s for s in states)


def test_gui_cli_takes_theme_and_lang():
    from app.cli import build_parser

    args = build_parser().parse_args(["gui", "--theme", "dark", "--lang", "de", "--view", "loupe"])
    assert (args.theme, args.lang, args.view) == ("dark", "de", "loupe")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["gui", "--theme", "sepia"])
