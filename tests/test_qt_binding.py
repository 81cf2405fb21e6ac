"""The Qt binding the app runs on keeps Python's reference counts: PySide6 6.12.0 dropped a reference to None on
every QPainter call, so a window that painted tile badges for a few minutes aborted ("deallocating None")."""

from __future__ import annotations

import sys

import pytest

pytestmark = pytest.mark.gui


def test_painting_keeps_the_reference_count_of_none(qapp):
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QPainter, QPixmap

    target = QPixmap(32, 32)
    painter = QPainter(target)
    before = sys.getrefcount(None)
    for _ in range(500):
        painter.drawRect(QRect(0, 0, 8, 8))
        painter.save()
        painter.restore()
    after = sys.getrefcount(None)
    painter.end()
    assert after - before > -100, f"None lost {before - after} references over 1,500 QPainter calls"
