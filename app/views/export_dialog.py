"""The export dialog: the catalog as CSV or JSONL, or its boxes and labels for training as COCO JSON or a YOLO
dataset (core.export, core.export_training), written in the pool with progress."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.workers.base import Task

FORMATS = {
    "coco": (QT_TRANSLATE_NOOP("ExportDialog", "COCO JSON — boxes and labels for training"),
             QT_TRANSLATE_NOOP("ExportDialog", "a folder: annotations.json and images/")),
    "yolo": (QT_TRANSLATE_NOOP("ExportDialog", "YOLO txt — boxes for training"),
             QT_TRANSLATE_NOOP("ExportDialog", "a folder: images/, labels/ and data.yaml")),
    "csv": (QT_TRANSLATE_NOOP("ExportDialog", "CSV — one row per product"),
            QT_TRANSLATE_NOOP("ExportDialog", "a .csv file")),
    "jsonl": (QT_TRANSLATE_NOOP("ExportDialog", "JSON Lines — everything about each product"),
              QT_TRANSLATE_NOOP("ExportDialog", "a .jsonl file")),
}


def run_export(catalog, fmt: str, target: Path, corrected_only: bool, progress, should_stop) -> dict:
    """A pool task: write the export and say what was written."""
    if fmt in ("coco", "yolo"):
        from core.export_training import export_training

        return export_training(catalog, fmt, target, corrected_only=corrected_only, progress=progress,
                               should_stop=should_stop)
    from core.export import export_to_file

    if target.is_dir():
        raise ValueError(f"{target} is a folder; a {fmt.upper()} export writes one file")
    target.parent.mkdir(parents=True, exist_ok=True)
    count = export_to_file(catalog, target, fmt=fmt)
    return {"format": fmt, "products": count, "path": str(target)}


class ExportDialog(QDialog):
    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export"))
        self.context = context
        self.task = None
        self.result: dict | None = None
        self.format = QComboBox()
        for key, (text, _) in ((k, (self.tr(t), w)) for k, (t, w) in FORMATS.items()):
            self.format.addItem(text, key)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.target = QLineEdit()
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.target, 1)
        row.addWidget(browse)
        self.what = QLabel()
        self.what.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.corrected_only = QCheckBox(self.tr("Only products a curator corrected"))
        self.corrected_only.setToolTip(self.tr("Boxes a person checked make the best training data"))
        form = QFormLayout()
        form.addRow(self.tr("Format:"), self.format)
        form.addRow(self.tr("Save to:"), row)
        form.addRow("", self.what)
        form.addRow("", self.corrected_only)
        self.progress = QProgressBar()
        self.progress.hide()
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # error messages name files: text, never markup
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton(self.tr("Export"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())
        self._format_changed()

    @property
    def fmt(self) -> str:
        return self.format.currentData()

    @Slot()
    def _format_changed(self) -> None:
        training = self.fmt in ("coco", "yolo")
        self.what.setText(self.tr("Writes %1").replace("%1", self.tr(FORMATS[self.fmt][1])))
        self.corrected_only.setEnabled(training)
        default = self.context.catalog.root.parent / f"{self.context.catalog.root.name}-{self.fmt}"
        current = self.target.text().strip()
        if not current or Path(current).name.startswith(f"{self.context.catalog.root.name}-"):
            self.target.setText(str(default if training else default.with_suffix(f".{self.fmt}")))

    @Slot()
    def _browse(self) -> None:
        if self.fmt in ("coco", "yolo"):
            path = QFileDialog.getExistingDirectory(self, "Export into a folder", self.target.text())
        else:
            path = QFileDialog.getSaveFileName(self, "Export to a file", self.target.text())[0]
        if path:
            self.target.setText(path)

    @Slot()
    def start(self) -> None:
        if self.task is not None:
            return
        text = self.target.text().strip()
        if not text:
            self.message.setText(self.tr("Choose where to save the export."))
            return
        catalog, fmt, target, only = self.context.catalog, self.fmt, Path(text).expanduser(), \
            self.corrected_only.isChecked() and self.corrected_only.isEnabled()
        task = Task(lambda progress, should_stop: _closing(
            lambda: run_export(catalog, fmt, target, only, progress, should_stop)), "export")
        task.signals.progress.connect(self._progress)
        task.signals.result.connect(self._done)
        task.signals.failed.connect(self._failed)
        task.signals.finished.connect(self._finished)
        self.task = task
        self.progress.setRange(0, 0)
        self.progress.show()
        self.message.setText(self.tr("Exporting…"))
        self.export_button.setEnabled(False)
        self.context.run_in_pool(task)

    @property
    def busy(self) -> bool:
        return self.task is not None

    @Slot(int, int, str)
    def _progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    @Slot(object)
    def _done(self, result: dict) -> None:
        self.result = result
        if "boxes" in result:
            self.message.setText(self.tr("Wrote %1 photos with %2 boxes in %3 classes: %4").replace(
                "%1", str(result["images"])).replace("%2", str(result["boxes"])).replace(
                "%3", str(result["categories"])).replace("%4", str(result["path"])))
        else:
            self.message.setText(self.tr("Wrote %n products: %1", "", result["products"]).replace(
                "%1", str(result["path"])))

    @Slot(str)
    def _failed(self, message: str) -> None:
        self.message.setText(self.tr("Export failed: %1").replace("%1", message.splitlines()[0]))

    @Slot()
    def _finished(self) -> None:
        self.task = None
        self.progress.hide()
        self.export_button.setEnabled(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Close"))

    @Slot()
    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
        self.reject()

    def done(self, code: int) -> None:  # closing while writing stops the export at the next image
        if self.task is not None:
            self.task.cancel()
        super().done(code)


def _closing(fn):
    from core.catalog.queries import close_thread_connection

    try:
        return fn()
    finally:
        close_thread_connection()
