"""The About box: versions of the app, models, torch, Qt and the device, as a dict and as a dialog."""

from __future__ import annotations

import importlib.metadata
import json
import platform
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

import core
from app.i18n import translate

# distribution name -> import name, for versions read without importing the (heavy) package
LIBRARIES = {
    "torch": "torch",
    "torchvision": "torchvision",
    "open_clip_torch": "open_clip",
    "timm": "timm",
    "ultralytics-opencv-headless": "ultralytics",
    "usearch": "usearch",
    "numpy": "numpy",
}
APP_NAME = "Catalog Curator"
LICENCE = "AGPL-3.0-or-later"
NOTICES_FILE = "THIRD_PARTY_NOTICES.txt"


def notices_path() -> Path | None:
    """The third-party notices the installer ships (generated at build time), or None in a source install."""
    base = getattr(sys, "_MEIPASS", None)
    path = Path(base) / NOTICES_FILE if base else None
    return path if path is not None and path.is_file() else None


def _version(dist: str, module: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        mod = sys.modules.get(module)  # a frozen app may lack the metadata; never import just to ask
        return str(getattr(mod, "__version__", "unknown")) if mod else "unknown"


def _torch_build() -> dict[str, Any]:
    import torch  # already imported by the time anything asks: the app imports torch before Qt

    return {"version": torch.__version__, "cuda_build": torch.version.cuda or "cpu-only",
            "cuda_available": torch.cuda.is_available(), "threads": torch.get_num_threads()}


def _device(registry_status: dict | None) -> dict[str, Any]:
    if registry_status:
        emb = registry_status.get("embedder") or {}
        return {"running_on": emb.get("device") or "not loaded yet",
                "setting": registry_status.get("device_setting", "auto"),
                "available": registry_status.get("devices", [])}
    from core.models.device import available_devices, select_device

    return {"running_on": str(select_device("auto")), "setting": "auto", "available": available_devices()}


def _models(registry_status: dict | None) -> dict[str, Any]:
    if not registry_status:
        return {}
    out = {}
    for key in ("embedder", "detector"):
        slot = registry_status.get(key) or {}
        out[key] = {k: slot.get(k, "") for k in ("name", "version", "state", "device")}
    return out


def about_info(registry_status: dict | None = None) -> dict[str, Any]:
    """Versions of the app, models, libraries, Qt and the device; `registry_status` is `ModelRegistry.status()`."""
    libraries = {dist: _version(dist, mod) for dist, mod in LIBRARIES.items()}
    return {
        "app": {"name": APP_NAME, "version": core.__version__, "licence": LICENCE,
                "frozen": bool(getattr(sys, "frozen", False)),
                "notices": str(notices_path() or "generated when the installer is built (packaging/notices.py)")},
        "models": _models(registry_status),
        "torch": _torch_build(),
        "qt": {"qt": qVersion(), "pyside6": _version("PySide6-Essentials", "PySide6")},
        "device": _device(registry_status),
        "libraries": libraries,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _rows(info: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [(translate("AboutDialog", "Version"), info["app"]["version"]),
            (translate("AboutDialog", "Licence"), info["app"]["licence"])]
    for key, model in info["models"].items():
        if model.get("name"):
            rows.append((key.capitalize(), f"{model['name']} ({model.get('version') or model.get('state')})"))
    t = info["torch"]
    rows.append(("PyTorch", f"{t['version']} (CUDA {t['cuda_build']})"))
    rows.append(("Qt", f"{info['qt']['qt']} (PySide6 {info['qt']['pyside6']})"))
    d = info["device"]
    rows.append((translate("AboutDialog", "Device"), translate(
        "AboutDialog", "%1 (setting: %2; available: %3)").replace("%1", str(d["running_on"])).replace(
        "%2", str(d["setting"])).replace("%3", ", ".join(d["available"]))))
    rows.append(("Python", translate("AboutDialog", "%1 on %2").replace("%1", str(info["python"])).replace(
        "%2", str(info["platform"]))))
    return rows


class AboutDialog(QDialog):
    """Shows `about_info()`; "Copy" puts the whole dict on the clipboard as JSON for bug reports."""

    def __init__(self, registry_status: dict | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = about_info(registry_status)
        self.setWindowTitle(self.tr("About %1").replace("%1", APP_NAME))
        layout = QVBoxLayout(self)
        title = QLabel(f"<h2>{APP_NAME}</h2>")
        title.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(title)
        form = QFormLayout()
        for name, value in _rows(self.info):
            label = QLabel(value)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            form.addRow(self.tr("%1:").replace("%1", name), label)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton(self.tr("Copy"))
        copy.setToolTip(self.tr("Copy every version as JSON, for a bug report"))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self._copy)
        self.notices_button = QPushButton(self.tr("Third-party notices"))
        buttons.addButton(self.notices_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.notices_button.clicked.connect(self.show_notices)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def as_json(self) -> str:
        return json.dumps(self.info, indent=2, default=str)

    def notices_text(self) -> str:
        path = notices_path()
        if path is None:
            return self.tr("%1 is licensed under %2.\n\nThis is a source install: the notices for the libraries an "
                           "installer bundles are generated when it is built (packaging/notices.py).").replace(
                "%1", APP_NAME).replace("%2", LICENCE)
        return path.read_text(encoding="utf-8", errors="replace")

    def show_notices(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("Third-party notices"))
        layout = QVBoxLayout(dialog)
        text = QPlainTextEdit(self.notices_text())
        text.setReadOnly(True)
        layout.addWidget(text)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(dialog.reject)
        layout.addWidget(close)
        dialog.resize(760, 560)
        self.notices_dialog = dialog
        dialog.open()

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.as_json())
