"""Why a result ranks where it does: its match score (0-100 % and a word), the reasons in words on that scale,
the numbers behind a Details fold, and the matched crop on both images."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QVBoxLayout, QWidget

from app.views.image_boxes import Box, ImageBoxes
from core.catalog import queries
from core.search import match as mt


def match_text(expl: dict) -> str:
    """"76 % · good" for a result's explanation ("" when it has none)."""
    m = (expl or {}).get("match") or {}
    return f"{m['percent']} % · {m['word']}" if m else ""


class ExplanationPanel(QWidget):
    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.result = None
        self.heading = QLabel(self.tr("<i>Select a result to see why it matched</i>"))
        self.heading.setWordWrap(True)
        self.score = QProgressBar()
        self.score.setRange(0, 100)
        self.score.setTextVisible(True)
        self.score.setFormat("—")
        self.score.setAccessibleName(self.tr("Match score"))
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.RichText)
        self.details_button = QToolButton()
        self.details_button.setText(self.tr("Details"))
        self.details_button.setCheckable(True)
        self.details_button.setArrowType(Qt.ArrowType.RightArrow)
        self.details_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_button.toggled.connect(self._toggle_details)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setVisible(False)
        self.query_view = ImageBoxes(context, placeholder=self.tr("Text query: no query image"))
        self.match_view = ImageBoxes(context, placeholder=self.tr("No matched crop"))
        images = QHBoxLayout()
        for title, view in ((self.tr("Query"), self.query_view), (self.tr("Matched crop"), self.match_view)):
            col = QVBoxLayout()
            col.addWidget(QLabel(title))
            col.addWidget(view, 1)
            images.addLayout(col)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.score)
        layout.addWidget(self.reasons)
        layout.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.details)
        layout.addLayout(images, 1)

    def _toggle_details(self, on: bool) -> None:
        self.details.setVisible(on)
        self.details_button.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

    def clear(self) -> None:
        self.result = None
        self.heading.setText(self.tr("<i>Select a result to see why it matched</i>"))
        self.score.setValue(0)
        self.score.setFormat("—")
        self.reasons.clear()
        self.details.clear()
        self.query_view.clear()
        self.match_view.clear()

    def show_result(self, result, rank: int, query_path, query_image_view=None) -> None:
        self.result = result
        expl = result.explanation or {}
        m = expl.get("match") or {}
        self.heading.setText(f"<b>#{rank} {_esc(result.title or result.sku)}</b> ({_esc(result.sku)})")
        self.score.setValue(int(m.get("percent", 0)))
        self.score.setFormat(self.tr("Match {0}").format(match_text(expl)) if m else "—")
        reasons = expl.get("reasons") or []
        self.reasons.setText("<br>".join(f"• {_esc(r)}" for r in reasons) if reasons
                             else self.tr("<i>No reason measured</i>"))
        self.details.setText("<br>".join(_esc(line) for line in mt.details(expl)))
        self._show_query(expl, query_path, query_image_view)
        self._show_match(expl.get("matched_crop"))

    def _show_query(self, expl: dict, query_path, query_image_view) -> None:
        box = expl.get("query_box")
        boxes = [Box(tuple(box), "query", "query region matched")] if box else []
        if query_path is not None:
            size = None
            if query_image_view is not None and not query_image_view._original.isEmpty():
                size = (query_image_view._original.width(), query_image_view._original.height())
            self.query_view.set_image(query_path, size, boxes)
        elif query_image_view is not None and query_image_view._pixmap is not None:
            self.query_view.set_qimage(query_image_view._pixmap.toImage(), boxes)
        else:
            self.query_view.clear()

    def _show_match(self, crop: dict | None) -> None:
        image = queries.image(crop["image_id"]) if crop and crop.get("image_id") else None
        if image is None or not image.blob_path:
            self.match_view.clear()
            return
        label = "primary crop" if crop.get("is_primary") else "matched crop"
        boxes = [Box(tuple(crop["box"]), "match", label)] if crop.get("box") else []
        self.match_view.set_image(self.context.catalog.root / image.blob_path, (image.width, image.height), boxes)


def _esc(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
