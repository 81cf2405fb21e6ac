"""The Models page: the embedder and detector in use (state, device, weights), getting weights (a file chosen
and trusted, or the default downloaded with progress and cancel), and switching model through a staged re-index
that the curator promotes when it is complete. Search keeps the active index until then.

A download runs `catalog-curator models download` in a child process (the loader's own code: ultralytics' and
Hugging Face's downloads), because a download inside a thread cannot be stopped; Cancel ends the process.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

from PySide6.QtCore import QProcess, QProcessEnvironment, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.views.detector_panel import DetectorPanel
from app.views.jobs_panel import progress_row
from app.views.model_status import ask_trust_weights
from core.jobs import JobState
from core.models.state import ModelState, SlotState, SlotStatus

EMBEDDERS = {"open_clip": "CLIP — search by words and by photos", "efficientnet-lite0":
             "EfficientNet-Lite0 — photos only, works offline"}
DOWNLOADS = {"clip": "CLIP ViT-B-32 (LAION-2B) — about 600 MB", "detector": "YOLO11n detector — about 6 MB"}
STATE_WORDS = {"loaded": "Loaded", "loading": "Loading…", "missing": "Missing", "untrusted": "Not trusted",
               "off": "Turned off", "failed": "Failed to load", "stand_in": "In use, photos only"}
# The models in a curator's words; the exact ids and versions sit behind each row's Details.
MODEL_NAMES = {"efficientnet-lite0": "Photo matcher (EfficientNet-Lite0): photos only, works offline",
               "open_clip": "Photo and word matcher (CLIP)", "yolo": "Product finder (YOLO)",
               "product_detector": "Product finder trained on this catalog"}


def plain_model_name(name: str) -> str:
    """"efficientnet-lite0" -> "Photo matcher (EfficientNet-Lite0): ..."; CLIP and YOLO names by what they do."""
    low = (name or "").lower()
    if low in MODEL_NAMES:
        return MODEL_NAMES[low]
    if "clip" in low:
        return f"Photo and word matcher ({name})"
    if "yolo" in low or low.endswith(".pt"):
        return f"Product finder ({name})"
    return name
# Which settings decide what an index holds: a change to any of them needs a re-index to take effect.
IDENTITY = ("embedder", "clip_model", "clip_pretrained", "clip_checkpoint", "detector_weights", "detector_enabled")


def model_state(status: dict, which: str) -> tuple[str, str]:
    """(state key of STATE_WORDS, reason) of the embedder or detector in a ModelRegistry.status()."""
    state = ModelState(status.get("state") or ModelState.STARTING)
    if not state.settled:
        return "loading", ""
    slot = SlotStatus.of(status, which)
    reason = slot.reason
    if which == "embedder" and reason and "CLIP" in reason and slot.state is SlotState.LOADED:
        # The stand-in serves search and works: it is not "missing" (the CLIP the settings ask for is; the row
        # says so in words, in the neutral colour, not as a red pill on the model that is doing the work).
        return "stand_in", reason
    if slot.state is SlotState.LOADED:
        return "loaded", reason
    if "not trusted" in reason:
        return "untrusted", reason
    if slot.state is SlotState.DISABLED:
        return "off", reason
    if "not available" in reason or "does not exist" in reason:
        return "missing", reason
    return ("failed" if slot.state is SlotState.UNAVAILABLE or state is ModelState.FAILED else "loading"), reason


def plain_reason(reason: str) -> str:
    """A WeightsUnavailable message in fewer words: why, and which file goes where."""
    import re

    m = re.search(r"not available: (.*?)\. Put the file.*? at (\S+) and try again", reason, re.S)
    if not m:
        return reason
    target = Path(m.group(2))
    why = m.group(1)[:1].upper() + m.group(1)[1:]
    return f"{why}. Put {target.name} in {target.parent}, or use Download or Choose file…"


def needs_reindex(wanted, serving) -> bool:
    """Whether the wanted model settings differ from those of the index that serves search."""
    a, b = asdict(wanted), asdict(serving)
    return any(a[k] != b[k] for k in IDENTITY)


def clip_weights_on_disk(settings) -> bool:
    """Whether the CLIP weights the settings name are on this machine (a chosen file, or in the model cache)."""
    from core.models.weights import CLIP_SUFFIXES, clip_cache_stem
    from core.paths import model_cache_dir

    if settings.clip_checkpoint:
        return Path(settings.clip_checkpoint).expanduser().is_file()
    arch = Path(settings.clip_model).stem if settings.clip_model.lower().endswith(".json") else settings.clip_model
    stem = clip_cache_stem(arch, settings.clip_pretrained)
    return any((model_cache_dir() / f"{stem}{suffix}").is_file() for suffix in CLIP_SUFFIXES)


def describe_models(settings) -> str:
    if settings.embedder == "open_clip":
        weights = Path(settings.clip_checkpoint).name if settings.clip_checkpoint else settings.clip_pretrained
        emb = f"CLIP {Path(settings.clip_model).stem} ({weights})"
    else:
        emb = "EfficientNet-Lite0"
    det = Path(settings.detector_weights).name if settings.detector_enabled and settings.detector_weights else \
        "no detector"
    return f"{emb} + {det}"


class ModelRow(QWidget):
    """One model in use: name, a state badge, device, and a line of detail."""

    def __init__(self, role: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = QLabel(role)
        bold = QFont(self.role.font())
        bold.setBold(True)
        self.role.setFont(bold)
        self.role.setFixedWidth(90)
        self.name = QLabel()
        self.name.setFont(bold)
        self.state = QLabel()
        self.state.setObjectName("state")
        self.device = QLabel()
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.details_button = QToolButton()
        self.details_button.setText(self.tr("Details"))
        self.details_button.setCheckable(True)
        self.details_button.setArrowType(Qt.ArrowType.RightArrow)
        self.details_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.technical = QLabel()
        self.technical.setWordWrap(True)
        self.technical.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.technical.setVisible(False)
        self.details_button.toggled.connect(self._toggle)
        top = QHBoxLayout()
        top.addWidget(self.role)
        top.addWidget(self.name)
        top.addWidget(self.state)
        top.addWidget(self.device)
        top.addStretch(1)
        top.addWidget(self.details_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addLayout(top)
        layout.addWidget(self.detail)
        layout.addWidget(self.technical)

    def _toggle(self, on: bool) -> None:
        self.technical.setVisible(on)
        self.details_button.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

    def set_model(self, name: str, state: str, device: str, detail: str, technical: str = "") -> None:
        self.name.setText(plain_model_name(name) or "—")
        self.name.setToolTip(name)
        self.state_key = state
        self.state.setText(STATE_WORDS[state])
        good = state in ("loaded", "stand_in")
        quiet = state in ("off", "loading", "stand_in")
        colour = "palette(highlight)" if state == "loaded" else ("palette(mid)" if quiet else "#b00020")
        self.state.setStyleSheet(f"#state {{ border: 1px solid {colour}; border-radius: 8px; padding: 1px 8px; "
                                 f"color: {'palette(text)' if quiet else colour}; }}")
        self.device.setText(f"on {device}" if device and good else "")
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.technical.setText(technical)
        self.details_button.setVisible(bool(technical))
        if not technical:
            self.details_button.setChecked(False)


class ModelsView(QWidget):
    status_message = Signal(str)

    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.process: QProcess | None = None
        self._download_kind = ""
        self._cancelled = False
        self._download_started = 0.0
        self._read = None
        self._promoting = None
        self.job = None  # the re-index JobRecord this page started
        self.versions: list[dict] = []
        self.wanted = copy.deepcopy(context.settings.models)
        self.poll = QTimer(self)
        self.poll.setInterval(250)
        self.poll.timeout.connect(self._show_bytes)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        title = QLabel("Models")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel("Search uses the model its index was built with. A new model is built beside it in the "
                       "background; searches keep the old one until you promote the new one.")
        intro.setWordWrap(True)
        intro.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(title)
        layout.addWidget(intro)
        top = QHBoxLayout()
        top.addWidget(self._in_use_box(), 1)
        top.addWidget(self._weights_box(), 1)
        layout.addLayout(top)
        self.detector_panel = DetectorPanel(context)
        self.detector_panel.status_message.connect(self._relay_status)
        bottom = QHBoxLayout()
        bottom.addWidget(self._switch_box(), 1)
        bottom.addWidget(self.detector_panel, 1)
        layout.addLayout(bottom, 1)
        context.models.status_changed.connect(self._status_changed)
        context.job_finished.connect(self._job_finished)
        self._status_changed(context.models.status)
        self._load_wanted()

    @Slot(str)
    def _relay_status(self, text: str) -> None:
        self.status_message.emit(text)

    # --- construction --------------------------------------------------------------------------
    def _in_use_box(self) -> QGroupBox:
        box = QGroupBox("In use")
        self.embedder_row = ModelRow("Embedder")
        self.detector_row = ModelRow("Detector")
        self.trust_button = QPushButton("Trust these weights…")
        self.trust_button.setToolTip("The detector file is a pickle: loading it runs code. Trust it only if you "
                                     "know where it came from.")
        self.trust_button.clicked.connect(self._trust_in_use_detector)
        self.trust_button.hide()
        layout = QVBoxLayout(box)
        layout.addWidget(self.embedder_row)
        layout.addWidget(self.detector_row)
        layout.addWidget(self.trust_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        return box

    def _weights_box(self) -> QGroupBox:
        box = QGroupBox("Get weights")
        grid = QGridLayout(box)
        self.download_buttons: dict[str, QPushButton] = {}
        for row, (kind, text) in enumerate(DOWNLOADS.items()):
            grid.addWidget(QLabel(text), row, 0)
            download = QPushButton("Download")
            download.clicked.connect(lambda _=False, k=kind: self.download(k))
            choose = QPushButton("Choose file…")
            choose.clicked.connect(lambda _=False, k=kind: self.choose_file(k))
            self.download_buttons[kind] = download
            grid.addWidget(download, row, 1)
            grid.addWidget(choose, row, 2)
        self.download_bar = QProgressBar()
        self.download_bar.setRange(0, 0)
        self.download_bar.setMaximumHeight(10)
        self.download_text = QLabel()
        self.download_cancel = QPushButton("Cancel")
        self.download_cancel.clicked.connect(self.cancel_download)
        progress = QHBoxLayout()
        progress.addWidget(self.download_bar, 1)
        progress.addWidget(self.download_text)
        progress.addWidget(self.download_cancel)
        self.download_row = QWidget()
        self.download_row.setLayout(progress)
        progress.setContentsMargins(0, 0, 0, 0)
        self.download_row.hide()
        self.download_message = QLabel()
        self.download_message.setWordWrap(True)
        self.download_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        folder = QLabel(f"Weights are kept in {self._cache_dir()}")
        folder.setWordWrap(True)
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        folder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        grid.addWidget(folder, 2, 0, 1, 3)
        grid.addWidget(self.download_row, 3, 0, 1, 3)
        grid.addWidget(self.download_message, 4, 0, 1, 3)
        grid.setColumnStretch(0, 1)
        grid.setRowStretch(5, 1)
        return box

    def _switch_box(self) -> QGroupBox:
        box = QGroupBox("Switch model")
        self.embedder_combo = QComboBox()
        for key, text in EMBEDDERS.items():
            self.embedder_combo.addItem(text, key)
        self.embedder_combo.currentIndexChanged.connect(self._wanted_changed)
        self.clip_weights = QLabel()
        self.detector_weights = QLabel()
        self.detector_enabled = QCheckBox("Find products in photos with the detector")
        self.detector_enabled.toggled.connect(self._wanted_changed)
        self.plan = QLabel()
        self.plan.setWordWrap(True)
        self.reindex_button = QPushButton("Re-index with this model")
        self.reindex_button.clicked.connect(self.start_reindex)
        self.job_row, self.job_bar, self.job_text, self.job_cancel = progress_row(self.cancel_reindex)
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["Model version", "Embedder", "Products", "State"])
        self.table.setRootIsDecorated(False)
        self.table.setColumnWidth(0, 250)  # half the page's width, beside the product detector
        self.table.setColumnWidth(1, 130)
        self.table.setColumnWidth(2, 80)
        self.table.setMinimumHeight(90)
        self.table.currentItemChanged.connect(self._version_selected)
        self.promote_button = QPushButton("Promote: make it serve searches")
        self.promote_button.setEnabled(False)
        self.promote_button.clicked.connect(self.promote_selected)
        form = QGridLayout()
        form.addWidget(QLabel("Embedder:"), 0, 0)
        form.addWidget(self.embedder_combo, 0, 1)
        form.addWidget(QLabel("CLIP weights:"), 1, 0)
        form.addWidget(self.clip_weights, 1, 1)
        form.addWidget(QLabel("Detector:"), 2, 0)
        form.addWidget(self.detector_weights, 2, 1)
        form.addWidget(self.detector_enabled, 3, 1)
        form.setColumnStretch(2, 1)
        self.embedder_combo.setMinimumWidth(360)
        actions = QHBoxLayout()
        actions.addWidget(self.plan, 1)
        actions.addWidget(self.reindex_button)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.promote_button)
        layout = QVBoxLayout(box)
        layout.addLayout(form)
        layout.addLayout(actions)
        layout.addWidget(self.job_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        return box

    # --- what is in use ------------------------------------------------------------------------
    @Slot(object)
    def _status_changed(self, status: dict) -> None:
        emb, det = status.get("embedder") or {}, status.get("detector") or {}
        e_state, e_reason = model_state(status, "embedder")
        d_state, d_reason = model_state(status, "detector")
        e_technical = " · ".join(p for p in (emb.get("version", ""), emb.get("weights", ""), e_reason) if p)
        e_detail = ""
        if e_state == "stand_in":
            e_detail = self.tr("Search by photos works. Search by words needs the CLIP model, which is not on this "
                               "computer: Download it or Choose file… below.")
        elif e_state == "missing":
            e_detail = plain_reason(e_reason)
        self.embedder_row.set_model(emb.get("name") or emb.get("requested", ""), e_state, emb.get("device", ""),
                                    e_detail, e_technical)
        d_technical = " · ".join(p for p in (det.get("version", ""), det.get("weights", ""), d_reason) if p)
        d_detail = ""
        if d_state == "off":
            d_detail = self.tr("Products are cut from their plain background instead.")
        elif d_state in ("missing", "failed", "untrusted"):
            d_detail = self.tr("{0} Meanwhile products are cut from their plain background.").format(
                plain_reason(d_reason))
        self.detector_row.set_model(det.get("name", ""), d_state, det.get("device", ""), d_detail, d_technical)
        self.trust_button.setVisible(d_state == "untrusted")
        self._update_plan()

    @Slot()
    def _trust_in_use_detector(self) -> None:
        path = self.context.catalog.search_model_settings().detector_weights
        if self.ask_trust(path):
            self._trust(path)
            self.context.reload_models()

    # --- getting weights -----------------------------------------------------------------------
    def ask_trust(self, path: str) -> bool:
        return ask_trust_weights(self, path)

    def _trust(self, path: str) -> bool:
        from core.models.trust import trust

        try:
            trust(path, source="chosen on the Models page")
            return True
        except OSError as exc:
            self.download_message.setText(f"{path} cannot be used: {exc}")
            return False

    def choose_file(self, kind: str) -> None:
        caption = "Choose CLIP weights" if kind == "clip" else "Choose detector weights"
        filters = ("Weights (*.safetensors *.bin *.pt *.pth)" if kind == "clip" else "YOLO weights (*.pt)")
        path, _ = QFileDialog.getOpenFileName(self, caption, str(Path.home()), filters)
        if path:
            self.use_file(kind, path)

    def use_file(self, kind: str, path: str) -> None:
        """Make a chosen file the wanted weights (a detector's pickle only once the user trusts it)."""
        if kind == "detector":
            from core.models.trust import is_trusted

            try:
                trusted = is_trusted(path)
            except OSError as exc:
                self.download_message.setText(f"{path} cannot be used: {exc}")
                return
            if not trusted and not (self.ask_trust(path) and self._trust(path)):
                self.download_message.setText(f"{Path(path).name} was not trusted, so it will not be used.")
                return
            self.wanted.detector_weights, self.wanted.detector_enabled = path, True
        else:
            # safetensors or a state dict read with weights_only: no code runs, nothing to trust
            self.wanted.embedder, self.wanted.clip_checkpoint = "open_clip", path
        self.download_message.setText(f"Chosen: {path}")
        self._save_wanted()

    def download(self, kind: str) -> None:
        """Fetch the default weights in a child process; its bytes on disk show the progress."""
        if self.process is not None:
            return
        self._download_kind, self._download_started = kind, time.time()
        self.process = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        self.process.setProcessEnvironment(env)
        args = ["models", "download", kind, "--json"]
        self.process.setProgram(sys.executable)  # the frozen app's executable is the CLI itself
        self.process.setArguments(args if getattr(sys, "frozen", False) else ["-m", "app.cli", *args])
        self.process.finished.connect(self._download_finished)
        self.download_message.setText("")
        self.download_text.setText("Connecting…")
        self.download_row.show()
        for button in self.download_buttons.values():
            button.setEnabled(False)
        self.process.start()
        self.poll.start()

    @property
    def downloading(self) -> bool:
        return self.process is not None

    def _cache_dir(self) -> Path:
        from core.paths import model_cache_dir

        return model_cache_dir()

    @Slot()
    def _show_bytes(self) -> None:
        """Bytes written into the model cache since the download started (the loaders report no bytes)."""
        total = 0
        for root, _dirs, files in os.walk(self._cache_dir()):
            for name in files:
                try:
                    st = os.stat(os.path.join(root, name))
                except OSError:
                    continue
                if st.st_mtime >= self._download_started - 1:
                    total += st.st_size
        self.download_text.setText(f"{total / 1e6:.1f} MB downloaded" if total else "Connecting…")

    @Slot()
    def cancel_download(self) -> None:
        if self.process is not None:
            self._cancelled = True
            self.process.kill()

    @Slot(int, QProcess.ExitStatus)
    def _download_finished(self, code: int, _status) -> None:
        process, self.process = self.process, None
        self.poll.stop()
        self.download_row.hide()
        for button in self.download_buttons.values():
            button.setEnabled(True)
        out = bytes(process.readAllStandardOutput()).decode("utf-8", "replace")
        process.deleteLater()
        if self._cancelled:
            self._cancelled = False
            self.download_message.setText("Download cancelled; nothing was changed.")
            return
        try:
            report = json.loads(out)
        except ValueError:
            report = {"ok": False, "error": out.strip() or f"the download stopped (exit code {code})"}
        if report.get("ok"):
            self.download_message.setText(f"Downloaded {report['name']} ({report['bytes'] / 1e6:.1f} MB) to "
                                          f"{report['path']}")
            if self._download_kind == "clip":
                self.wanted.embedder, self.wanted.clip_checkpoint = "open_clip", ""
            else:
                self.wanted.detector_weights, self.wanted.detector_enabled = Path(report["path"]).name, True
            self._save_wanted()
        elif report.get("target"):
            self.download_message.setText(
                f"Could not download {report['name']}: {report['reason']}.\nPut the file "
                f"{Path(report['target']).name} ({report.get('source') or 'the publisher'}) in the folder "
                f"{report['folder']} and it is used from there.")
        else:
            self.download_message.setText(f"Could not download: {report.get('error')}")

    # --- switching -----------------------------------------------------------------------------
    def _load_wanted(self) -> None:
        m = self.wanted
        self.embedder_combo.blockSignals(True)
        self.embedder_combo.setCurrentIndex(max(0, self.embedder_combo.findData(m.embedder)))
        self.embedder_combo.blockSignals(False)
        self.detector_enabled.blockSignals(True)
        self.detector_enabled.setChecked(m.detector_enabled)
        self.detector_enabled.blockSignals(False)
        self.clip_present = m.embedder != "open_clip" or clip_weights_on_disk(m)
        where = "on this computer" if clip_weights_on_disk(m) else "not on this computer yet: Download or Choose file…"
        self.clip_weights.setText(f"{m.clip_checkpoint or f'{m.clip_model} · {m.clip_pretrained}'} ({where})")
        self.clip_weights.setEnabled(m.embedder == "open_clip")
        self.detector_weights.setText(m.detector_weights or "none")
        self._update_plan()

    @Slot()
    def _wanted_changed(self) -> None:
        self.wanted.embedder = self.embedder_combo.currentData()
        self.wanted.detector_enabled = self.detector_enabled.isChecked()
        self._save_wanted()

    def _save_wanted(self) -> None:
        """The catalog's settings name the model wanted; search keeps the active index's until a promote."""
        if not self.context.read_only:
            self.context.catalog.settings.models = copy.deepcopy(self.wanted)
            self.context.catalog.save_settings()
        self._load_wanted()

    def set_wanted(self, settings) -> bool:
        """Settings → Models chose a model: show it here; True when it needs a re-index to be used."""
        self.wanted = copy.deepcopy(settings)
        self._load_wanted()
        return needs_reindex(self.wanted, self.serving_settings())

    def serving_settings(self):
        try:
            return self.context.catalog.search_model_settings()
        except Exception:
            return self.context.settings.models

    def _update_plan(self) -> None:
        if not hasattr(self, "plan"):
            return
        running = self.job is not None and not self.job.ended
        if running:
            self.plan.setText(f"Building the index for {describe_models(self.wanted)}…")
        elif not getattr(self, "clip_present", True):
            self.plan.setText(f"<b>Not in use yet:</b> {describe_models(self.wanted)}. Its weights are not on this "
                              f"computer: download them or choose the file above, then re-index with it.")
        elif needs_reindex(self.wanted, self.serving_settings()):
            self.plan.setText(f"<b>Not in use yet:</b> {describe_models(self.wanted)}. Search keeps using "
                              f"{describe_models(self.serving_settings())} until the catalog is re-indexed with "
                              "it and you promote it.")
        else:
            self.plan.setText(f"This is the model in use: {describe_models(self.wanted)}.")
        self.reindex_button.setEnabled(not running and not self.context.read_only
                                       and getattr(self, "clip_present", True))

    @Slot()
    def start_reindex(self) -> None:
        settings = copy.deepcopy(self.wanted)
        record = self.context.start_reindex_job(settings, f"Re-index with {describe_models(settings)}")
        if record is None:
            return
        self.job = record
        record.task.signals.progress.connect(self._job_progress)
        self.job_bar.setRange(0, 0)
        self.job_text.setText("Loading the new model…")
        self.job_cancel.setEnabled(True)
        self.job_cancel.setText("Cancel")
        self.job_cancel.show()
        self.job_row.show()
        self._update_plan()
        self.status_message.emit("Re-indexing in the background; search keeps using the current model")

    @Slot(int, int, str)
    def _job_progress(self, done: int, total: int, message: str) -> None:
        self.job_bar.setRange(0, max(total, 1))
        self.job_bar.setValue(min(done, total))
        self.job_text.setText(f"{done} of {total} · {message}")

    @Slot()
    def cancel_reindex(self) -> None:
        if self.job is not None and not self.job.ended:
            self.context.cancel_job(self.job)
            self.job_cancel.setEnabled(False)
            self.job_cancel.setText("Cancelling…")

    @Slot(object)
    def _job_finished(self, record) -> None:
        if record is not self.job:
            return
        # The outcome stays on the page (the toast already announces the job's end).
        complete = record.result is not None and record.result.complete
        self.job_cancel.hide()
        self.job_bar.setRange(0, 1)
        self.job_bar.setValue(1 if complete else 0)
        if record.state is JobState.CANCELLED:
            self.job_text.setText("Cancelled: search still uses the current model")
        elif record.state is JobState.SUCCEEDED and complete:
            self.job_text.setText("Complete: promote it below to make search use it")
        elif record.state is JobState.FAILED:
            self.job_text.setText(f"Failed: {record.message.splitlines()[0] if record.message else 'unknown error'}")
        else:
            self.job_text.setText("Not complete: some products could not be indexed (see the Jobs panel)")
        self.refresh()

    # --- versions and promotion ----------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        if self._read is not None:
            return
        from core.ops.lifecycle import model_versions

        catalog = self.context.catalog
        self.detector_panel.refresh()
        task = self.context.read(lambda: model_versions(catalog), "model versions")
        task.signals.result.connect(self._on_versions)
        task.signals.finished.connect(self._on_read_finished)
        self._read = task
        self.context.run_in_pool(task)
        self._update_plan()

    @Slot()
    def _on_read_finished(self) -> None:
        self._read = None

    @Slot(object)
    def _on_versions(self, rows: list[dict]) -> None:
        self.versions = rows
        ready = [r["model_version"] for r in rows if r["complete"] and not r["active"]]
        selected = ready[-1] if ready else self.selected_version()  # the newest candidate to promote first
        self.table.clear()
        for row in rows:
            if row["active"]:
                state = "Serves search"
            elif row["complete"]:
                state = "Complete — ready to promote"
            else:
                state = f"Not complete ({row['vectors']} of {row['products']})"
            item = QTreeWidgetItem([row["model_version"], row["embedder"], f"{row['vectors']} / {row['products']}",
                                    state])
            item.setData(0, Qt.ItemDataRole.UserRole, row)
            item.setToolTip(0, row["model_version"])
            if row["active"]:
                bold = QFont(item.font(0))
                bold.setBold(True)
                for col in range(4):
                    item.setFont(col, bold)
            self.table.addTopLevelItem(item)
            if row["model_version"] == selected:
                self.table.setCurrentItem(item)
        self._version_selected(self.table.currentItem(), None)

    def selected_version(self) -> str | None:
        item = self.table.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole)["model_version"] if item is not None else None

    @Slot(QTreeWidgetItem, QTreeWidgetItem)
    def _version_selected(self, item, _previous) -> None:
        row = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        ok = bool(row and row["complete"] and not row["active"] and self._promoting is None)
        self.promote_button.setEnabled(ok and not self.context.read_only)
        if row and not row["complete"] and not row["active"]:
            self.promote_button.setToolTip("Only a complete index can serve search: re-index again to finish it")
        else:
            self.promote_button.setToolTip("Search switches to this model at once; the old index stays until "
                                           "you delete it")

    @Slot()
    def promote_selected(self) -> None:
        version = self.selected_version()
        if not version:
            return
        task = self.context.promote(version)
        task.signals.result.connect(self._promoted)
        task.signals.failed.connect(self._promote_failed)
        task.signals.finished.connect(self._promote_finished)
        self._promoting = task
        self.promote_button.setEnabled(False)
        self.status_message.emit(f"Promoting {version}…")

    @Slot(object)
    def _promoted(self, settings) -> None:
        self.wanted = copy.deepcopy(settings)
        self._load_wanted()
        self.status_message.emit("Promoted: search now uses the new model")

    @Slot(str)
    def _promote_failed(self, message: str) -> None:
        self.status_message.emit(f"Could not promote: {message.splitlines()[0]}")

    @Slot()
    def _promote_finished(self) -> None:
        self._promoting = None
        self.refresh()

    @property
    def busy(self) -> bool:
        return self._read is not None or self._promoting is not None or self.detector_panel.busy

    def dispose(self) -> None:
        self.detector_panel.dispose()
        self.poll.stop()
        if self.process is not None:
            self.process.finished.disconnect(self._download_finished)
            self.process.kill()
            self.process.waitForFinished(3000)
            self.process = None
        if self._read is not None:
            self._read.cancel()
