"""What a new catalog shows: how to start (drop product folders, or add a folder)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QWidget):
    add_folder = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Drop product folders here…")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel("One folder per product, with its photos and an optional product.json "
                      "(sku, title, category, price, attributes) — or a folder of such folders, or a CSV manifest.\n"
                      "Catalog Curator imports them, finds each product in its photos and makes them searchable.")
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setForegroundRole(hint.foregroundRole().PlaceholderText)
        button = QPushButton("Add product folder…  (Ctrl+O)")
        button.clicked.connect(self.add_folder)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(title)
        layout.addWidget(hint, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(3)
        hint.setFixedWidth(640)  # a fixed width lets the wrapped label ask for the height it needs
        hint.setMinimumHeight(hint.heightForWidth(640))
