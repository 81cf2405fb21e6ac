"""Settings: models and device, quality thresholds, bbox expansion, catalog location, S3.

Edits a copy of core.settings.Settings; the S3 secret goes to the OS keyring, never to the file.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.views.detector_panel import LOCALISERS
from app.views.model_status import ask_trust_weights
from app.views.tiles import plain_tip
from core.settings import Settings

log = logging.getLogger(__name__)

EMBEDDERS = ["open_clip", "efficientnet-lite0"]
DEVICES = ["auto", "cpu", "cuda", "mps"]


def _spin(lo: float, hi: float, value: float, step: float = 0.01, decimals: int = 2) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setValue(value)
    return box


def _int(lo: int, hi: int, value: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setValue(value)
    return box


def _combo(items: list[str], value: str, names: dict[str, str] | None = None) -> QComboBox:
    """A choice shown in words (names), holding the setting's id as its item data."""
    box = QComboBox()
    for item in (items if value in items else [*items, value]):
        box.addItem((names or {}).get(item, item), item)
    box.setCurrentIndex(max(0, box.findData(value)))
    return box


EMBEDDER_NAMES = {"open_clip": "CLIP: photos and words", "efficientnet-lite0": "EfficientNet-Lite0: photos only, offline"}
DEVICE_NAMES = {"auto": "The fastest this computer has", "cpu": "Processor (CPU)", "cuda": "NVIDIA graphics card",
                "mps": "Apple graphics (Metal)"}


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, catalog_root: Path, parent: QWidget | None = None, *,
                 context=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.original = settings
        self.settings = copy.deepcopy(settings)
        self.catalog_root = Path(catalog_root)
        self.new_catalog: Path | None = None
        self.secret_saved = False
        tabs = QTabWidget()
        tabs.addTab(self._models_tab(), "Models")
        tabs.addTab(self._quality_tab(), "Quality")
        tabs.addTab(self._catalog_tab(), "Catalog")
        tabs.addTab(self._s3_tab(), "Sync (S3)")
        self.synonyms = None
        if context is not None:  # the catalog's search words: corrections, saved at once (and synced)
            from app.views.synonyms_editor import SynonymsEditor

            self.synonyms = SynonymsEditor(context)
            tabs.addTab(self.synonyms, self.tr("Search words"))
        tabs.insertTab(0, self._appearance_tab(), self.tr("Appearance"))
        tabs.setCurrentIndex(0)
        self.tabs = tabs
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.error = QLabel()
        self.error.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    # --- tabs ----------------------------------------------------------------------------------
    def _models_tab(self) -> QWidget:
        m = self.settings.models
        self.embedder = _combo(EMBEDDERS, m.embedder, EMBEDDER_NAMES)
        self.clip_model = QLineEdit(m.clip_model)
        self.clip_pretrained = QLineEdit(m.clip_pretrained)
        self.clip_checkpoint = QLineEdit(m.clip_checkpoint)
        self.detector_weights = QLineEdit(m.detector_weights)
        self.detector_enabled = QCheckBox(self.tr("Find the product in each photo (product finder)"))
        self.detector_enabled.setChecked(m.detector_enabled)
        self.detector_confidence = _spin(0.01, 0.99, m.detector_confidence)
        self.device = _combo(DEVICES, m.device, DEVICE_NAMES)
        self.batch_size = _int(1, 512, m.batch_size)
        self.allow_download = QCheckBox("Download model weights when missing")
        self.allow_download.setChecked(m.allow_download)
        form = QFormLayout()
        form.addRow(self.tr("Match products with:"), self.embedder)
        form.addRow("", self.detector_enabled)
        form.addRow(self.tr("How sure the finder must be:"), self.detector_confidence)
        form.addRow(self.tr("Run on:"), self.device)
        form.addRow("", self.allow_download)
        # Model ids, weight files and batch sizes are for whoever installs the models: behind Details.
        details = QFormLayout()
        details.addRow(self.tr("CLIP model:"), self.clip_model)
        details.addRow(self.tr("CLIP weights tag:"), self.clip_pretrained)
        details.addRow(self.tr("CLIP weights file:"), self._with_browse(self.clip_checkpoint, folder=False))
        details.addRow(self.tr("Product finder weights file:"), self._with_browse(self.detector_weights, folder=False))
        details.addRow(self.tr("Photos per batch:"), self.batch_size)
        self.model_details = QWidget()
        self.model_details.setLayout(details)
        self.model_details.setVisible(False)
        self.model_details_button = QToolButton()
        self.model_details_button.setText(self.tr("Details: model files and ids"))
        self.model_details_button.setCheckable(True)
        self.model_details_button.setArrowType(Qt.ArrowType.RightArrow)
        self.model_details_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.model_details_button.toggled.connect(self._toggle_model_details)
        form.addRow("", self.model_details_button)
        form.addRow(self.model_details)
        self.localiser = QComboBox()
        for key, (name, _words) in LOCALISERS.items():
            self.localiser.addItem(name, key)
        self.localiser.setCurrentIndex(max(0, self.localiser.findData(m.localiser)))
        self.localiser_help = QLabel()
        self.localiser_help.setWordWrap(True)
        self.localiser_help.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # a hint, like the Models page's
        self.localiser.currentIndexChanged.connect(self._explain_localiser)
        self._explain_localiser()
        plan = self.settings.detector_training
        self.auto_retrain = QCheckBox("Retrain the product detector by itself after")
        self.auto_retrain.setChecked(plan.auto_retrain)
        self.retrain_after = _int(1, 100_000, plan.retrain_after_boxes)
        self.retrain_after.setSuffix(" corrected boxes")
        self.retrain_after.setEnabled(plan.auto_retrain)
        self.auto_retrain.toggled.connect(self.retrain_after.setEnabled)
        retrain = QHBoxLayout()
        retrain.addWidget(self.auto_retrain)
        retrain.addWidget(self.retrain_after)
        retrain.addStretch(1)
        self.continue_training = QCheckBox("Retrain from the detector in use (new scenes, more passes)")
        self.continue_training.setChecked(plan.continue_training)
        self.continue_training.setToolTip("Off: every training starts again from random weights")
        form.addRow("Products in scenes:", self.localiser)
        form.addRow("", self.localiser_help)
        form.addRow("", retrain)
        form.addRow("", self.continue_training)
        return _page(form)

    @Slot(bool)
    def _toggle_model_details(self, on: bool) -> None:
        self.model_details.setVisible(on)
        self.model_details_button.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

    @Slot()
    def _explain_localiser(self) -> None:
        """What the choice means, in words: how a product is found in a photo without a plain background."""
        name, words = LOCALISERS[self.localiser.currentData()]
        self.localiser_help.setText(f"How a product is found in a lifestyle photo or an in-scene search: {words}.")

    def _quality_tab(self) -> QWidget:
        q, p = self.settings.quality, self.settings.preprocess
        self.expand_ratio = _spin(0.10, 0.20, p.expand_ratio)
        self.expand_ratio.setToolTip("How much context around the detected box each crop keeps (10–20%)")
        self.min_side = _int(1, 4096, q.min_side)
        self.min_area_share = _spin(0.0, 1.0, q.min_area_share, 0.005, 3)
        self.min_aspect = _spin(0.01, 1.0, q.min_aspect)
        self.max_aspect = _spin(1.0, 50.0, q.max_aspect)
        self.min_sharpness = _spin(0.0, 10_000.0, q.min_sharpness, 1.0, 1)
        self.max_noise = _spin(0.0, 255.0, q.max_noise, 0.5, 1)
        self.min_contrast = _spin(0.0, 255.0, q.min_contrast, 0.5, 1)
        self.labels_threshold = _spin(0.0, 1.0, self.settings.labels_threshold)
        form = QFormLayout()
        form.addRow("Box expansion:", self.expand_ratio)
        form.addRow("Smallest crop side (px):", self.min_side)
        form.addRow("Smallest share of the image:", self.min_area_share)
        form.addRow("Aspect ratio from:", self.min_aspect)
        form.addRow("Aspect ratio up to:", self.max_aspect)
        form.addRow("Least sharpness:", self.min_sharpness)
        form.addRow("Most noise:", self.max_noise)
        form.addRow("Least contrast:", self.min_contrast)
        form.addRow("Label threshold:", self.labels_threshold)
        return _page(form)

    def _catalog_tab(self) -> QWidget:
        self.location = QLineEdit(str(self.catalog_root))
        self.location.setReadOnly(True)
        change = QPushButton("Open another catalog…")
        change.clicked.connect(self._choose_catalog)
        self.retention = _int(0, 3650, self.settings.retention_days)
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.location, 1)
        row.addWidget(change)
        form.addRow("Catalog folder:", row)
        form.addRow("", QLabel("Another catalog opens the next time Catalog Curator starts."))
        form.addRow("Keep deleted products (days):", self.retention)
        return _page(form)

    def _s3_tab(self) -> QWidget:
        s = self.settings.s3
        self.s3_enabled = QCheckBox("Sync corrections with an S3 bucket")
        self.s3_enabled.setChecked(s.enabled)
        self.s3_endpoint = QLineEdit(s.endpoint_url)
        self.s3_endpoint.setPlaceholderText("https://s3.example.com (empty: AWS)")
        self.s3_bucket = QLineEdit(s.bucket)
        self.s3_prefix = QLineEdit(s.prefix)
        self.s3_region = QLineEdit(s.region)
        self.s3_insecure = QCheckBox("Allow a plain http:// endpoint (unencrypted: only a trusted local server)")
        self.s3_insecure.setChecked(s.allow_insecure_http)
        self.s3_access = QLineEdit()
        self.s3_access.setPlaceholderText("access key id (kept in the OS keyring)")
        self.s3_secret = QLineEdit()
        self.s3_secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.s3_secret.setPlaceholderText("unchanged" if self._has_secret() else "secret key (kept in the OS keyring)")
        form = QFormLayout()
        form.addRow("", self.s3_enabled)
        form.addRow("Endpoint:", self.s3_endpoint)
        form.addRow("Bucket:", self.s3_bucket)
        form.addRow("Prefix:", self.s3_prefix)
        form.addRow("Region:", self.s3_region)
        form.addRow("", self.s3_insecure)
        form.addRow("Access key:", self.s3_access)
        form.addRow("Secret key:", self.s3_secret)
        return _page(form)

    def _has_secret(self) -> bool:
        try:
            from core.sync.credentials import load_from_keyring

            return load_from_keyring(self.settings.s3.keyring_service) is not None
        except Exception:
            return False

    def _with_browse(self, edit: QLineEdit, folder: bool) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        button = QPushButton("Browse…")
        button.clicked.connect(lambda: self._browse(edit, folder))
        layout.addWidget(button)
        return row

    def _browse(self, edit: QLineEdit, folder: bool) -> None:
        path = (QFileDialog.getExistingDirectory(self, "Choose a folder") if folder
                else QFileDialog.getOpenFileName(self, "Choose a file")[0])
        if path:
            edit.setText(path)
            if edit is self.detector_weights:
                self.trust_chosen(path)

    def trust_chosen(self, path: str) -> None:
        """The user picked these weights on this machine: record them as trusted (ultralytics unpickles them)."""
        from core.models.trust import trust

        try:
            trust(path, source="chosen in Settings")
        except OSError as exc:
            QMessageBox.warning(self, "Detector weights", plain_tip(f"{path} cannot be used: {exc}"))

    @Slot()
    def _choose_catalog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose a catalog folder", str(self.catalog_root))
        if path:
            self.new_catalog = Path(path)
            self.location.setText(path)

    # --- result --------------------------------------------------------------------------------
    def collect(self) -> Settings:
        """The edited settings (without saving anything)."""
        s = copy.deepcopy(self.settings)
        m = s.models
        m.embedder, m.clip_model = self.embedder.currentData(), self.clip_model.text().strip()
        m.clip_pretrained, m.clip_checkpoint = self.clip_pretrained.text().strip(), self.clip_checkpoint.text().strip()
        m.detector_weights, m.detector_enabled = self.detector_weights.text().strip(), self.detector_enabled.isChecked()
        m.detector_confidence, m.device = self.detector_confidence.value(), self.device.currentData()
        m.batch_size, m.allow_download = self.batch_size.value(), self.allow_download.isChecked()
        m.localiser = self.localiser.currentData()
        s.detector_training.auto_retrain = self.auto_retrain.isChecked()
        s.detector_training.retrain_after_boxes = self.retrain_after.value()
        s.detector_training.continue_training = self.continue_training.isChecked()
        s.preprocess.expand_ratio = round(self.expand_ratio.value(), 4)
        q = s.quality
        q.min_side, q.min_area_share = self.min_side.value(), self.min_area_share.value()
        q.min_aspect, q.max_aspect = self.min_aspect.value(), self.max_aspect.value()
        q.min_sharpness, q.max_noise, q.min_contrast = (self.min_sharpness.value(), self.max_noise.value(),
                                                        self.min_contrast.value())
        s.labels_threshold, s.retention_days = self.labels_threshold.value(), self.retention.value()
        s3 = s.s3
        s3.enabled, s3.endpoint_url = self.s3_enabled.isChecked(), self.s3_endpoint.text().strip()
        s3.bucket, s3.prefix = self.s3_bucket.text().strip(), self.s3_prefix.text().strip()
        s3.region = self.s3_region.text().strip() or s3.region
        s3.allow_insecure_http = self.s3_insecure.isChecked()
        return s

    def accept(self) -> None:
        access, secret = self.s3_access.text().strip(), self.s3_secret.text()
        if secret and not access:
            self.error.setText("Enter the access key id that goes with the secret key.")
            return
        if secret:
            try:
                from core.sync.credentials import store_in_keyring

                store_in_keyring(self.settings.s3.keyring_service, access, secret)
                self.secret_saved = True
            except Exception as exc:  # no keyring backend: say so, keep the secret out of every file
                log.warning("could not store the S3 secret in the keyring: %s", type(exc).__name__)
                self.error.setText(f"The OS keyring is not available ({type(exc).__name__}); the secret was "
                                   "not saved. Use an AWS profile instead.")
                return
        self.s3_secret.clear()
        self.settings = self.collect()
        self._confirm_detector_weights(self.settings.models)
        super().accept()

    def _confirm_detector_weights(self, models) -> None:
        """Weights typed here (or inherited from a catalog) that this machine does not trust yet: ask once."""
        from core.models.trust import is_trusted

        path = Path(models.detector_weights).expanduser() if models.detector_weights else None
        if not (models.detector_enabled and path and path.is_file()):
            return
        try:
            if is_trusted(path):
                return
        except OSError:
            return
        if self.ask_trust(str(path)):
            self.trust_chosen(str(path))

    def ask_trust(self, path: str) -> bool:
        return ask_trust_weights(self, path)


    # --- appearance (the curator's, not the catalog's: app.theme keeps it in appearance.json) ----------
    def _appearance_tab(self) -> QWidget:
        from app.i18n import LANGUAGES
        from app.theme import load_appearance

        prefs = load_appearance()
        self.theme_box = QComboBox()
        self.theme_box.setAccessibleName(self.tr("Theme"))
        for key, words in (("system", self.tr("Follow the system")), ("light", self.tr("Light")),
                           ("dark", self.tr("Dark"))):
            self.theme_box.addItem(words, key)
        self.theme_box.setCurrentIndex(max(0, self.theme_box.findData(prefs["theme"])))
        self.language_box = QComboBox()
        self.language_box.setAccessibleName(self.tr("Language"))
        for key, name in LANGUAGES.items():
            self.language_box.addItem(name, key)
        self.language_box.setCurrentIndex(max(0, self.language_box.findData(prefs["language"])))
        note = QLabel(self.tr("The theme changes at once; a new language from the next start."))
        note.setObjectName("muted")
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Theme:"), self.theme_box)
        form.addRow(self.tr("Language:"), self.language_box)
        form.addRow("", note)
        return _page(form)

    @property
    def theme_choice(self) -> str:
        return self.theme_box.currentData()

    @property
    def language_choice(self) -> str:
        return self.language_box.currentData()


def _page(form: QFormLayout) -> QWidget:
    page = QWidget()
    page.setLayout(form)
    return page
