"""The status-bar view of the models: which embedder and detector, on which device, and whether
text search works (with the reason when it does not)."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QWidget

from app.i18n import translate
from app.views.tiles import plain_tip
from core.models.state import ModelState, SlotState, SlotStatus


def ask_trust_weights(parent: QWidget, path: str) -> bool:
    """Ask once before a detector file is loaded: a pickled PyTorch file runs code (see core.models.trust)."""
    answer = QMessageBox.question(
        parent, translate("ModelStatus", "Trust these detector weights?"),
        plain_tip(translate("ModelStatus", "Loading %1 runs code stored inside it (it is a pickled PyTorch file). "
                            "Trust it on this computer only if you know where it came from.").replace("%1", path)))
    return answer == QMessageBox.StandardButton.Yes


def describe(status: dict) -> tuple[str, str, str]:
    """(models text, text-search text, tooltip) for a ModelRegistry.status() plus "state"."""
    state = ModelState(status.get("state", ModelState.STARTING))
    if not state.settled:
        return (translate("ModelStatus", "Loading models…"), "",
                translate("ModelStatus", "The window works while the models load in the background."))
    emb = status.get("embedder") or {}
    embedder, detector = SlotStatus.of(status, "embedder"), SlotStatus.of(status, "detector")
    device = embedder.device or status.get("device_setting") or "?"
    # Plain words: no detector is the normal offline state (crops come from the plain-background
    # fallback), so the status bar says nothing about it; the tooltip has the detail.
    det_text = detector.name if detector.state is SlotState.LOADED else ""
    if "not trusted" in detector.reason:
        det_text = translate("ModelStatus", "detector weights not trusted (choose them in Settings → Models to "
                                            "trust them)")
    models = " · ".join(p for p in (embedder.name or emb.get("requested") or "?", det_text, device) if p)
    if state is ModelState.FAILED and embedder.state is not SlotState.LOADED:
        first = (status.get("error") or translate("ModelStatus", "unknown error")).splitlines()[0]
        return (translate("ModelStatus", "Models failed to load"), translate("ModelStatus", "Search unavailable"),
                first)
    # Words always work (the lexical index needs no model); CLIP adds searching by meaning.
    text = (translate("ModelStatus", "Text search: words + meaning") if emb.get("supports_text", False)
            else translate("ModelStatus", "Text search: words"))
    tip = [translate("ModelStatus", "Embedder: %1 %2 (%3) on %4").replace("%1", str(embedder.name)).replace(
        "%2", str(embedder.version)).replace("%3", str(embedder.state)).replace("%4", str(device))]
    if embedder.reason:
        tip.append(f"  {embedder.reason}")
    if detector.state is SlotState.LOADED:
        tip.append(translate("ModelStatus", "Detector: %1").replace("%1", str(detector.name)))
    else:
        tip.append(translate("ModelStatus", "No detector: crops come from the plain-background fallback")
                   + (f" ({detector.reason})" if detector.reason else ""))
    if not emb.get("supports_text", False):
        tip.append(translate("ModelStatus", "Text search matches words (SKU, title, category, attributes); "
                             "searching by meaning needs a CLIP model: %1").replace(
            "%1", emb.get("text_unavailable_reason") or translate("ModelStatus", "no CLIP weights")))
    return models, text, "\n".join(tip)


class ModelStatus(QWidget):
    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.models = QLabel()
        self.text = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.models)
        layout.addWidget(self.text)
        context.models.status_changed.connect(self.update_status)
        self.update_status(context.models.status)

    @Slot(object)
    def update_status(self, status: dict) -> None:
        models, text, tip = describe(status)
        self.models.setText(models)
        self.text.setText(text)
        self.text.setVisible(bool(text))
        self.setToolTip(tip)
        self.models.setToolTip(tip)
        self.text.setToolTip(tip)
