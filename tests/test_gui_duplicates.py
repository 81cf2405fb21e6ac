"""The Duplicates page, driven as a curator would: real dev photos (an exact copy, a re-saved crop, colour
variants) indexed with the offline EfficientNet-Lite0; clicks on the tab, the cards and the buttons, Ctrl+Z."""

from __future__ import annotations

import json
import shutil

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from core.catalog import queries
from tests.gui_fixtures import close_window, open_window

pytest_plugins = ["tests.gui_fixtures"]


@pytest.fixture
def dup_catalog_dir(tmp_path, dev_sample):
    """Seven dev products: 24-MB01 and an exact copy, 24-WB01 and a cropped, resized, re-saved copy, and the
    three colours of MJ01 with their parent_sku taken out (look-alikes no design ties: a design suggestion)."""
    from pathlib import Path

    from core.catalog.catalog import Catalog
    from core.jobs import run_index_job
    from core.models.registry import ModelRegistry

    src = tmp_path / "src"
    for name in ("24-mb01", "24-wb01", "mj01-orange", "mj01-red", "mj01-yellow"):
        shutil.copytree(dev_sample / "catalog" / name, src / name)
        if name.startswith("mj01"):
            meta = json.loads((src / name / "product.json").read_text())
            meta.pop("parent_sku", None)
            (src / name / "product.json").write_text(json.dumps(meta))
    shutil.copytree(src / "24-mb01", src / "24-mb01-dup")
    meta = json.loads((src / "24-mb01-dup" / "product.json").read_text())
    (src / "24-mb01-dup" / "product.json").write_text(json.dumps({**meta, "sku": "24-MB01-DUP"}))
    (src / "24-wb01-b").mkdir()
    with Image.open(src / "24-wb01" / "main.jpg") as im:
        w, h = im.size
        im.convert("RGB").crop((w // 30, h // 30, w - w // 30, h - h // 30)).resize(
            (int(w * 0.7), int(h * 0.7))).save(src / "24-wb01-b" / "main.jpg", quality=80)
    meta = json.loads((src / "24-wb01" / "product.json").read_text())
    (src / "24-wb01-b" / "product.json").write_text(json.dumps({**meta, "sku": "24-WB01-B"}))
    root = Path(tmp_path / "catalog")
    with Catalog.open(root) as catalog:
        catalog.settings.models.embedder = "efficientnet-lite0"
        catalog.settings.models.detector_enabled = False
        catalog.save_settings()
        registry = ModelRegistry(catalog.settings.models)
        try:
            run_index_job(catalog, registry, [src])
        finally:
            registry.close()
    return root


@pytest.fixture
def dup_window(qtbot, leak_check, dup_catalog_dir):
    win, context = open_window(qtbot, dup_catalog_dir)
    yield win
    close_window(win, context)


def _open_tab(qtbot, window, page) -> None:
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(window.tabs.indexOf(page)).center())
    assert window.tabs.currentWidget() is page


def _wait_read(qtbot, view) -> None:
    qtbot.waitUntil(lambda: view.loaded and not view.busy, timeout=120_000)


def _select(qtbot, view, kind: str) -> None:
    row = next(n for n, g in enumerate(view.groups) if g.kind == kind)
    rect = view.list.visualItemRect(view.list.item(row))
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.group.kind == kind


def _click_card(qtbot, view, sku: str) -> int:
    card = next(c for c in view.cards if c.member.sku == sku)
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    assert view.keep == card.member.product_id and card.kept and card.badge.text() == "✔ Keep"
    return card.member.product_id


def _undo(qtbot, window) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def test_groups_are_labelled_and_trash_merge_dismiss_undo(qtbot, dup_window):
    window = dup_window
    view = window.duplicates
    _open_tab(qtbot, window, view)
    _wait_read(qtbot, view)
    kinds = sorted(g.kind for g in view.groups)
    assert kinds == ["exact", "near", "variant"], [(g.kind, [m.sku for m in g.members]) for g in view.groups]
    texts = [view.list.item(n).text() for n in range(view.list.count())]
    assert any(t.startswith("Exact copy · 2 products") for t in texts)
    assert any(t.startswith("Near duplicate · 2 products") for t in texts)
    assert any(t.startswith("Make one design? · 3 products") for t in texts)
    assert view.summary.text() == "1 exact copy, 1 near duplicate, 1 design suggestion"

    # Exact copy: keep the original, trash the copy; Ctrl+Z brings it back.
    _select(qtbot, view, "exact")
    assert view.kind_title.text() == "Exact copy" and view.merge_button.isVisible()
    keep = _click_card(qtbot, view, "24-MB01")
    dup = next(m.product_id for m in view.group.members if m.sku == "24-MB01-DUP")
    qtbot.mouseClick(view.trash_button, Qt.MouseButton.LeftButton)
    _wait_read(qtbot, view)
    assert queries.product(dup) is None and queries.product(keep) is not None
    assert "exact" not in {g.kind for g in view.groups}
    assert "Kept 24-MB01, trashed 1" in window.statusBar().currentMessage()
    _undo(qtbot, window)
    qtbot.waitUntil(lambda: queries.product(dup) is not None, timeout=5000)
    _wait_read(qtbot, view)
    assert "exact" in {g.kind for g in view.groups}

    # Near duplicate: merge the re-saved copy into 24-WB01; its photo (another file) moves over.
    _select(qtbot, view, "near")
    keep = _click_card(qtbot, view, "24-WB01")
    other = next(m.product_id for m in view.group.members if m.sku == "24-WB01-B")
    before = [i.id for i in queries.product(keep).images]
    other_images = [i.id for i in queries.product(other).images]
    qtbot.mouseClick(view.merge_button, Qt.MouseButton.LeftButton)
    _wait_read(qtbot, view)
    assert queries.product(other) is None
    assert [i.id for i in queries.product(keep).images] == before + other_images
    assert "near" not in {g.kind for g in view.groups}
    _undo(qtbot, window)
    qtbot.waitUntil(lambda: queries.product(other) is not None, timeout=5000)
    assert [i.id for i in queries.product(keep).images] == before
    assert [i.id for i in queries.product(other).images] == other_images
    assert queries.primary_crop(other) is not None  # its primary crop is its own again

    # Look-alikes in other colours: "Make one design?", never trash or merge; the page says why.
    _wait_read(qtbot, view)
    _select(qtbot, view, "variant")
    assert not view.merge_button.isVisible() and not view.trash_button.isVisible()
    assert view.design_button.isVisible() and "nothing is trashed or merged" in view.kind_help.text()
    assert {c.badge.text() for c in view.cards} == {"Variant"}  # no product is marked to go
    # The keyboard: T and M on a design suggestion do nothing but say why; N says not one design.
    for key in (Qt.Key.Key_T, Qt.Key.Key_M):
        qtbot.keyClick(view.list, key)
        assert "nothing is trashed or merged" in window.statusBar().currentMessage()
    assert all(queries.product(m) is not None for m in view.group.ids)
    qtbot.keyClick(view.list, Qt.Key.Key_N)
    _wait_read(qtbot, view)
    assert "variant" not in {g.kind for g in view.groups}
    assert all(queries.product(m) is not None for g in view.groups for m in g.ids)
    _undo(qtbot, window)
    qtbot.waitUntil(lambda: "variant" in {g.kind for g in view.groups} and not view.busy, timeout=120_000)

    # Make one design: the three become variants of MJ01 and are never listed again, until Ctrl+Z.
    _select(qtbot, view, "variant")
    ids = view.group.ids
    qtbot.mouseClick(view.design_button, Qt.MouseButton.LeftButton)
    _wait_read(qtbot, view)
    assert {queries.product(m).design for m in ids} == {"MJ01"}
    assert "variant" not in {g.kind for g in view.groups}
    assert "Made 3 products one design" in window.statusBar().currentMessage()
    _undo(qtbot, window)
    qtbot.waitUntil(lambda: "variant" in {g.kind for g in view.groups} and not view.busy, timeout=120_000)
    assert {queries.product(m).design for m in ids} == {""}


def test_screenshots_of_the_duplicates_and_models_views(dup_catalog_dir, tmp_path):
    """`gui --screenshot --size 1366x768 --view duplicates|models`: a real process waits until the groups are
    read, opens the first one, and saves exactly 1366×768."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for view in ("duplicates", "models"):
        out = tmp_path / f"{view}.png"
        done = subprocess.run([sys.executable, "-m", "app", "gui", "--catalog", str(dup_catalog_dir),
                               "--screenshot", str(out), "--size", "1366x768", "--view", view],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        with Image.open(out) as img:
            assert img.size == (1366, 768)
            if view == "duplicates":  # the first group (the exact copy of a navy bag) has its photo drawn
                low, _high = img.convert("L").crop((440, 150, 610, 325)).getextrema()
                assert low < 80


def test_duplicates_update_in_place_off_the_gui_thread(qtbot, dup_window, dup_catalog_dir, tmp_path):
    """A decision takes its group off the screen at once and shows the next; the rest of the list stays as it was
    (the same rows, not rebuilt); finding and writing never run on the GUI thread; Ctrl+Z puts the group back at
    once; an import found while the page is hidden is on it when it opens, with no wait."""
    import threading

    from core.ops import dedupe

    window = dup_window
    view = window.duplicates
    threads: dict[str, set[str]] = {"find": set(), "write": set()}
    gui = threading.current_thread().name
    real_find, real_trash, real_undo = dedupe.groups_to_review, dedupe.trash, dedupe.undo

    def spy(kind, fn):
        def wrapped(*args, **kwargs):
            threads[kind].add(threading.current_thread().name)
            return fn(*args, **kwargs)
        return wrapped

    patch = pytest.MonkeyPatch()
    patch.setattr(dedupe, "groups_to_review", spy("find", real_find))
    patch.setattr(dedupe, "trash", spy("write", real_trash))
    patch.setattr(dedupe, "undo", spy("write", real_undo))
    try:
        _open_tab(qtbot, window, view)
        _wait_read(qtbot, view)
        assert len(view.groups) == 3
        rows = {(g.kind, tuple(g.ids)): view.list.item(n) for n, g in enumerate(view.groups)}
        _select(qtbot, view, "exact")
        exact, kept = view.group, view.keep
        qtbot.mouseClick(view.trash_button, Qt.MouseButton.LeftButton)
        # At once, before the decision is written or the groups read again: the group is off the list and off
        # the screen, and the next group's cards show.
        assert exact.ids not in [g.ids for g in view.groups] and view.list.count() == 2
        assert view.group is not None and view.group.kind != "exact"
        assert {c.member.product_id for c in view.cards} == set(view.group.ids)
        _wait_read(qtbot, view)
        assert [g.kind for g in view.groups] == ["near", "variant"]
        for n, g in enumerate(view.groups):  # the other rows are the very same items: updated in place
            assert view.list.item(n) is rows[(g.kind, tuple(g.ids))]
        assert queries.product(next(p for p in exact.ids if p != kept)) is None and queries.product(kept)
        _undo(qtbot, window)
        # Ctrl+Z: the group is back and shown at once; its buttons wait for the undo to be written.
        assert view.group is not None and view.group.ids == exact.ids
        if view.busy:
            assert not view.trash_button.isEnabled() and not view.dismiss_button.isEnabled()
        _wait_read(qtbot, view)
        assert view.group.ids == exact.ids and view.trash_button.isEnabled()
        assert all(queries.product(p) is not None for p in exact.ids)
    finally:
        patch.undo()
    assert threads["find"] and gui not in threads["find"], threads
    assert threads["write"] and gui not in threads["write"], threads

    # An import while another page shows: the groups are found when the job ends, not when the page opens.
    window.tabs.setCurrentIndex(0)
    src = tmp_path / "more" / "24-wb01-c"
    src.mkdir(parents=True)
    photo = next(p for p in (dup_catalog_dir / "blobs").rglob("*.jpg")
                 if p.stem == next(g for g in view.groups if g.kind == "near").members[0].sha256)
    shutil.copy(photo, src / "main.jpg")
    (src / "product.json").write_text(json.dumps({"sku": "24-WB01-C", "title": "Another copy"}))
    record = window.start_index([src.parent])
    qtbot.waitUntil(lambda: record.ended, timeout=120_000)
    qtbot.waitUntil(lambda: any("24-WB01-C" in [m.sku for m in g.members] for g in view.groups)
                    and not view.busy, timeout=120_000)
    _open_tab(qtbot, window, view)
    assert not view.busy and view.list.count() == len(view.groups)


def test_an_unindexed_catalog_says_so_without_reading_on_the_gui_thread(qtbot, window):
    view = window.duplicates
    _open_tab(qtbot, window, view)
    _wait_read(qtbot, view)
    assert view.groups == [] and view.pages.currentIndex() == 0
    assert "index the catalog first" in view.empty.text()
