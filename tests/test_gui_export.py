"""The export dialog, driven with keys and clicks: Ctrl+E, pick the format, type the folder, Export; the COCO
file and the YOLO labels it writes hold the boxes core reads from the database."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from core.export_training import training_images

pytest_plugins = ["tests.gui_fixtures"]


def _export(qtbot, dialog, target) -> dict:
    dialog.target.clear()
    qtbot.keyClicks(dialog.target, str(target))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.busy or dialog.result is not None
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    assert dialog.result is not None, dialog.message.text()
    return dialog.result


def test_export_dialog_writes_coco_and_yolo(qtbot, indexed_window, tmp_path):
    window = indexed_window
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = window.export_dialog
    assert dialog is not None and dialog.isVisible()
    try:
        assert dialog.fmt == "coco" and dialog.corrected_only.isEnabled()
        expected = training_images()
        boxes = sum(len(i.boxes) for i in expected)
        assert boxes > 0
        result = _export(qtbot, dialog, tmp_path / "coco")
        coco = json.loads((tmp_path / "coco" / "annotations.json").read_text())
        assert result["boxes"] == len(coco["annotations"]) == boxes
        assert sorted(im["id"] for im in coco["images"]) == sorted(i.image_id for i in expected)
        assert f"{boxes} boxes" in dialog.message.text()

        dialog.format.setFocus()
        qtbot.keyClick(dialog.format, Qt.Key.Key_Down)
        assert dialog.fmt == "yolo"
        _export(qtbot, dialog, tmp_path / "yolo")
        lines = [line for txt in (tmp_path / "yolo" / "labels").glob("*.txt") for line in txt.read_text().splitlines()]
        assert len(lines) == boxes
        assert all(0.0 <= float(v) <= 1.0 for line in lines for v in line.split()[1:])

        qtbot.keyClick(dialog.format, Qt.Key.Key_Down)
        assert dialog.fmt == "csv" and not dialog.corrected_only.isEnabled()
        result = _export(qtbot, dialog, tmp_path / "products.csv")
        assert result["products"] == 6
        assert (tmp_path / "products.csv").read_text().count("\n") == 7
    finally:
        dialog.close()
