"""The Duplicates page as a curator meets it: seconds to open the tab and to see the next group after each action.

    python bench/duplicates_ui.py --catalog DIR --json [--plant 3] [--cold]

Works on a copy of the indexed catalog DIR (DIR is never written). `--plant N` first imports N exact copies of
products (a second SKU on the same photo, as a shop export imported twice does), so merge has exact groups to
act on; the copies reuse the embedding cache. The window is the app's own MainWindow, driven by real clicks:

- background_s: the pass the window runs at launch (and after every import) before anyone opens the page;
  with `--cold` the catalog's pair cache (cache/duplicate_pairs.sqlite) is removed first, so this is a
  first pass over a catalog never looked at;
- open_s: click on the Duplicates tab to the first group's cards on screen, once that pass has run; and
  open_during_pass_s: the same click on a second window while its launch pass still runs (0 when none runs);
- after_action_s: the slowest of keep (click another card), trash, merge, not-duplicates and Ctrl+Z each,
  from the click or key to the next group's cards on screen; per action in `actions`, with settled_s (the
  groups read back from the catalog, buttons on again);
- max_stall_ms: the GUI thread's longest stall over all of it (a 5 ms QTimer; goal <= 50 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from gui_responsiveness import TickRecorder  # noqa: E402


def _spin(app, seconds: float, until=None) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (until and until()):
        app.processEvents()
        time.sleep(0.001)
    return bool(until and until())


def plant_copies(root: Path, n: int, work: Path) -> list[str]:
    """Import n exact copies (same photos, new SKU) of the first products that have photos."""
    from core.catalog import db
    from core.catalog.catalog import Catalog
    from core.jobs import run_index_job
    from core.models.registry import ModelRegistry

    skus = []
    with Catalog.open(root) as catalog:
        rows = list(db.Product.select().order_by(db.Product.id).limit(n * 3))
        for product in rows:
            images = list(db.ImageFile.select().where(db.ImageFile.product == product.id)
                          .order_by(db.ImageFile.position))
            if not images or len(skus) >= n:
                continue
            folder = work / f"copy-{product.id}"
            folder.mkdir(parents=True, exist_ok=True)
            for i, image in enumerate(images):
                shutil.copy(catalog.root / image.blob_path, folder / f"{i:02d}{Path(image.blob_path).suffix}")
            sku = f"{product.sku}-COPY"
            (folder / "product.json").write_text(json.dumps({"sku": sku, "title": product.title or sku}))
            skus.append(sku)
        registry = ModelRegistry(catalog.search_model_settings())
        try:
            run_index_job(catalog, registry, [work])
        finally:
            registry.close()
    return skus


def _group_shown(view, before) -> bool:
    return view.pages.currentIndex() == 1 and bool(view.cards) and view.group is not None \
        and view.group is not before


def run(root: Path, plant: int, cold: bool) -> dict:
    if plant:
        import torch  # noqa: F401  (before Qt, as the app does: planting indexes with the catalog's model)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.context import AppContext
    from app.main import create_application
    from app.views.main_window import MainWindow

    app = create_application()
    out: dict = {"catalog": str(root)}
    if plant:
        started = time.monotonic()
        out["planted"] = plant_copies(root, plant, root.parent / "planted")
        out["plant_s"] = round(time.monotonic() - started, 2)
    if cold:
        (root / "cache" / "duplicate_pairs.sqlite").unlink(missing_ok=True)
    context = AppContext.open(root, start_models=False)
    window = MainWindow(context)
    view = window.duplicates
    recorder = TickRecorder()  # the GUI thread from here on (building the window is not the page's)
    recorder.start()
    window.resize(1366, 768)
    window.show()
    started = time.monotonic()
    _spin(app, 5, until=lambda: view.busy)
    _spin(app, 600, until=lambda: view.loaded and not view.busy)
    out["background_s"] = round(time.monotonic() - started, 3)
    stalls = {"launch_and_background": recorder.stop()["max_stall_ms"]}
    recorder.start()
    out["groups"] = len(view.groups)
    out["kinds"] = {k: sum(g.kind == k for g in view.groups) for k in ("exact", "near", "variant")}

    bar = window.tabs.tabBar()
    started = time.monotonic()
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(window.tabs.indexOf(view)).center())
    _spin(app, 120, until=lambda: _group_shown(view, None))
    out["open_s"] = round(time.monotonic() - started, 3)
    _spin(app, 0.2)
    stalls["open"] = recorder.stop()["max_stall_ms"]

    actions = []

    def timed(name: str, do) -> None:
        before = view.group
        recorder.start()
        started = time.monotonic()
        do()
        shown = _spin(app, 60, until=lambda: _group_shown(view, before) or (not view.groups and not view.busy))
        first = time.monotonic() - started
        _spin(app, 120, until=lambda: not view.busy)
        settled = time.monotonic() - started
        _spin(app, 0.2)
        actions.append({"action": name, "next_group_s": round(first, 3) if shown else None,
                        "settled_s": round(settled, 3), "groups": len(view.groups),
                        "max_stall_ms": recorder.stop()["max_stall_ms"]})

    def click(button) -> None:
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    def undo() -> None:
        window.grid.undo_stack.undo()  # what Ctrl+Z does

    def keep_other() -> None:
        card = next(c for c in view.cards if c.member.product_id != view.keep)
        started = time.monotonic()
        QTest.mouseClick(card, Qt.MouseButton.LeftButton)
        _spin(app, 5, until=lambda: view.keep == card.member.product_id)
        actions.append({"action": "keep", "next_group_s": round(time.monotonic() - started, 3),
                        "settled_s": round(time.monotonic() - started, 3), "groups": len(view.groups)})

    def select(kind: str) -> bool:
        row = next((n for n, g in enumerate(view.groups) if g.kind == kind), None)
        if row is None:
            return False
        view.list.setCurrentRow(row)
        _spin(app, 5, until=lambda: view.group is view.groups[row] and view.cards)
        return True

    if view.groups:
        keep_other()
        timed("trash", lambda: click(view.trash_button))
        timed("undo", undo)
        if select("exact") or select("near"):
            timed("merge", lambda: click(view.merge_button))
            timed("undo", undo)
        if view.groups:
            timed("not_duplicates", lambda: click(view.dismiss_button))
            timed("undo", undo)
    out["actions"] = actions
    times = [a["next_group_s"] for a in actions if a["next_group_s"] is not None]
    out["after_action_s"] = round(max(times), 3) if times else None
    out["after_action_median_s"] = round(statistics.median(times), 3) if times else None
    out["settled_max_s"] = round(max(a["settled_s"] for a in actions), 3) if actions else None

    stalls["actions"] = max((a.get("max_stall_ms", 0.0) for a in actions), default=0.0)
    out["stall"] = stalls
    # A second window opened while its launch pass runs: the page shows what it has at once, then updates.
    window.close()
    window.deleteLater()
    context2 = AppContext.open(root, start_models=False)
    window2 = MainWindow(context2)
    recorder.start()
    window2.show()
    view2 = window2.duplicates
    started = time.monotonic()
    bar = window2.tabs.tabBar()
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(window2.tabs.indexOf(view2)).center())
    _spin(app, 120, until=lambda: _group_shown(view2, None) or (view2.loaded and not view2.groups))
    out["open_during_pass_s"] = round(time.monotonic() - started, 3)
    _spin(app, 120, until=lambda: not view2.busy)
    window2.close()
    window2.deleteLater()
    out["stall_second_window"] = recorder.stop()
    out["max_stall_ms"] = max([*stalls.values(), out["stall_second_window"]["max_stall_ms"]])
    out["load_avg"] = [round(v, 2) for v in os.getloadavg()]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True, help="an indexed catalog folder (copied, not changed)")
    parser.add_argument("--plant", type=int, default=3, help="exact copies to import first (0: none)")
    parser.add_argument("--cold", action="store_true", help="remove the pair cache first (a first pass)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dup-ui-") as tmp:
        root = Path(tmp) / "catalog"
        shutil.copytree(args.catalog, root, ignore=shutil.ignore_patterns("locks"))
        result = run(root, args.plant, args.cold)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
