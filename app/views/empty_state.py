"""What a new catalog shows: how to start (drop product folders, or add a folder)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.theme import font, icon, theme


class EmptyState(QWidget):
    add_folder = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel(self.tr("Drop product folders here…"))
        title.setObjectName("empty-title")
        title.setFont(font("display", bold=True))
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel(self.tr("One folder per product, with its photos and an optional product.json "
                              "(sku, title, category, price, attributes) — or a folder of such folders, or a CSV "
                              "manifest.\nCatalog Curator imports them, finds each product in its photos and "
                              "makes them searchable."))
        hint.setObjectName("empty-hint")
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton(self.tr("Add product folder…  (Ctrl+O)"))
        self.button.setObjectName("primary")
        self.button.clicked.connect(self.add_folder)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.picture)
        layout.addWidget(title)
        layout.addWidget(hint, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(3)
        hint.setFixedWidth(640)  # a fixed width lets the wrapped label ask for the height it needs
        hint.setMinimumHeight(hint.heightForWidth(640))
        self.set_icons()
        theme().changed.connect(self.set_icons)

    def set_icons(self) -> None:
        self.picture.setPixmap(icon("add_folder", theme().palette.muted).pixmap(QSize(64, 64)))
        self.button.setIcon(icon("add_folder", theme().palette.accent_text))
