"""Why a result ranks where it does: the score's parts, and the matched crop on both images."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from app.views.image_boxes import Box, ImageBoxes
from core.catalog import queries
from core.search.explain import PARTS


class ExplanationPanel(QWidget):
    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.result = None
        self.heading = QLabel("<i>Select a result to see why it matched</i>")
        self.heading.setWordWrap(True)
        self.bars: dict[str, QProgressBar] = {}
        form = QFormLayout()
        for part in PARTS:
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setTextVisible(True)
            bar.setFormat("—")
            self.bars[part] = bar
            form.addRow(part.replace("_", " ").capitalize() + ":", bar)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.query_view = ImageBoxes(context, placeholder="Text query: no query image")
        self.match_view = ImageBoxes(context, placeholder="No matched crop")
        images = QHBoxLayout()
        for title, view in (("Query", self.query_view), ("Matched crop", self.match_view)):
            col = QVBoxLayout()
            col.addWidget(QLabel(title))
            col.addWidget(view, 1)
            images.addLayout(col)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addWidget(self.details)
        layout.addLayout(images, 1)

    def clear(self) -> None:
        self.result = None
        self.heading.setText("<i>Select a result to see why it matched</i>")
        for bar in self.bars.values():
            bar.setValue(0)
            bar.setFormat("—")
        self.details.clear()
        self.query_view.clear()
        self.match_view.clear()

    def show_result(self, result, rank: int, query_path, query_image_view=None) -> None:
        self.result = result
        expl = result.explanation or {}
        parts = expl.get("parts", {})
        self.heading.setText(f"<b>#{rank} {_esc(result.title or result.sku)}</b> ({_esc(result.sku)}) — "
                             f"score {result.score:.3f}")
        for part, bar in self.bars.items():
            value = float(parts.get(part) or 0.0)
            bar.setValue(int(max(0.0, min(1.0, abs(value))) * 1000))
            bar.setFormat(f"{value:+.3f}")
        sim = expl.get("similarity", {})
        lines = [f"alpha {expl.get('alpha')}"]
        if sim.get("image") is not None:
            lines.append(f"image cosine {sim['image']:.3f}")
        if sim.get("text") is not None:
            lines.append(f"text cosine {sim['text']:.3f}")
        if sim.get("colour") is not None:
            lines.append(f"colour match {sim['colour']:.2f}")
        if expl.get("weak_match"):
            lines.insert(0, f"<b>weak match</b> (image cosine below the catalog's floor {expl['weak_floor']:.2f})")
        if expl.get("matched_labels"):
            lines.append("labels: " + ", ".join(expl["matched_labels"]))
        if expl.get("matched_terms"):
            lines.append("words: " + ", ".join(expl["matched_terms"]))
        retrieval = expl.get("retrieval") or {}
        if retrieval.get("rank") is not None:
            lines.append(f"retrieved at #{retrieval['rank'] + 1}{' (re-ranked)' if retrieval.get('reranked') else ''}")
        self.details.setText(" · ".join(lines))
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
