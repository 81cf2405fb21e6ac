"""File → Import from shop… and Export to shop…: a Shopify or Magento export in, the same layout back out.

The import runs as a background job (read, fetch images, index); the export first works out what would change
in the pool and shows it ("214 rows unchanged, 12 prices and 3 titles changed") before anything is written.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Slot
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
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.workers.base import Task


def _path_row(edit: QLineEdit, button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row


def _closing(fn):
    from core.catalog.queries import close_thread_connection

    try:
        return fn()
    finally:
        close_thread_connection()


class ShopImportDialog(QDialog):
    """Choose a shop export, its layout (or let the header say), and where Magento's image paths start."""

    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import from shop"))
        self.context = context
        self.record = None
        self.file = QLineEdit()
        self.file.setPlaceholderText(self.tr("products_export.csv"))
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._browse_file)
        self.format = QComboBox()
        self.format.addItem(self.tr("Read from the file's header"), None)
        self.format.addItem("Shopify", "shopify")
        self.format.addItem("Magento 2", "magento")
        self.images = QLineEdit()
        self.images.setPlaceholderText(self.tr("only for relative image paths (Magento's pub/media/catalog/product)"))
        browse_images = QPushButton(self.tr("Choose…"))
        browse_images.clicked.connect(self._browse_images)
        hint = QLabel(self.tr("One product per variant SKU; variants of one handle or configurable product form a "
                              "design. Images given by URL are downloaded in the background; a product whose "
                              "image cannot be fetched is imported with its data and marked “no image”."))
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form = QFormLayout()
        form.addRow(self.tr("Shop export:"), _path_row(self.file, browse))
        form.addRow(self.tr("Layout:"), self.format)
        form.addRow(self.tr("Images folder:"), _path_row(self.images, browse_images))
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # file names and shop cells are text
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton(self.tr("Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(600, self.sizeHint().height())

    @Slot()
    def _browse_file(self) -> None:
        path = QFileDialog.getOpenFileName(self, self.tr("A Shopify or Magento product export"), self.file.text(),
                                           self.tr("CSV files (*.csv)"))[0]
        if path:
            self.file.setText(path)

    @Slot()
    def _browse_images(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("The folder image paths start from"), self.images.text())
        if path:
            self.images.setText(path)

    @Slot()
    def start(self) -> None:
        text = self.file.text().strip()
        if not text or not Path(text).expanduser().is_file():
            self.message.setText(self.tr("Choose the shop's product export (a .csv file)."))
            return
        images = self.images.text().strip()
        if images and not Path(images).expanduser().is_dir():
            self.message.setText(self.tr("The images folder does not exist."))
            return
        self.record = self.context.start_shop_import(Path(text).expanduser(), fmt=self.format.currentData(),
                                                     images_root=Path(images).expanduser() if images else None)
        if self.record is not None:
            self.accept()


class ShopExportDialog(QDialog):
    """Work out the export in the pool, show what changes, and write only when the curator says so."""

    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export to shop"))
        self.context = context
        self.task: Task | None = None
        self.plan = None
        self.result: dict | None = None
        self.format = QComboBox()
        self.format.addItem("Shopify", "shopify")
        self.format.addItem("Magento 2", "magento")
        self.format.currentIndexChanged.connect(self._changed)
        self.target = QLineEdit()
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._browse)
        self.changed_only = QCheckBox(self.tr("Only changed rows (a delta for the shop's importer)"))
        self.labels = QComboBox()
        self.labels.addItem(self.tr("Not exported"), None)
        self.labels.addItem(self.tr("To tags"), "tags")
        self.labels.addItem(self.tr("To an attribute…"), "attribute")
        self.labels.currentIndexChanged.connect(self._changed)
        self.attribute = QLineEdit()
        self.attribute.setPlaceholderText(self.tr("attribute name, e.g. style"))
        self.attribute.editingFinished.connect(self._changed)
        form = QFormLayout()
        form.addRow(self.tr("Shop:"), self.format)
        form.addRow(self.tr("Save to:"), _path_row(self.target, browse))
        form.addRow(self.tr("Approved labels:"), self.labels)
        form.addRow("", self.attribute)
        form.addRow("", self.changed_only)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # SKUs and file names are text
        self.summary.setWordWrap(True)
        self.summary.setObjectName("shop-export-summary")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.write_button = self.buttons.addButton(self.tr("Write"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.write_button.setEnabled(False)
        self.buttons.accepted.connect(self.write)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.resize(600, self.sizeHint().height())
        self._first_plan()

    def _first_plan(self) -> None:
        """Start on the shop this catalog was imported from (a pool read), then work out the export."""
        from core.shop.roundtrip import imported_formats

        task = Task(lambda progress, should_stop: _closing(imported_formats), "imported shops")
        task.signals.result.connect(self._formats_read)
        task.signals.failed.connect(self._failed)
        self.task = task
        self.context.run_in_pool(task)

    @Slot(object)
    def _formats_read(self, formats: list) -> None:
        if getattr(self.sender(), "task", None) is not self.task:
            return
        self.task = None
        if formats and self.format.findData(formats[0]) >= 0:
            self.format.blockSignals(True)
            self.format.setCurrentIndex(self.format.findData(formats[0]))
            self.format.blockSignals(False)
        self._changed()

    @property
    def labels_to(self) -> str | None:
        choice = self.labels.currentData()
        return self.attribute.text().strip() or None if choice == "attribute" else choice

    @Slot()
    def _browse(self) -> None:
        path = QFileDialog.getSaveFileName(self, self.tr("Write the shop file"), self.target.text(),
                                           self.tr("CSV files (*.csv)"))[0]
        if path:
            self.target.setText(path)

    @Slot()
    def _changed(self) -> None:
        """Work out again what the export would change (in the pool: it reads every product)."""
        from core.shop.roundtrip import plan_export

        self.attribute.setVisible(self.labels.currentData() == "attribute")
        fmt, labels_to = self.format.currentData(), self.labels_to
        if not self.target.text().strip() or self.target.text().endswith(("-shopify.csv", "-magento.csv")):
            root = self.context.catalog.root
            self.target.setText(str(root.parent / f"{root.name}-{fmt}.csv"))
        self.plan = None
        self.write_button.setEnabled(False)
        self.summary.setText(self.tr("Comparing the catalog with the imported shop file…"))
        task = Task(lambda progress, should_stop: _closing(lambda: plan_export(fmt, labels_to=labels_to)),
                    "plan shop export")
        task.signals.result.connect(self._planned)
        task.signals.failed.connect(self._failed)
        if self.task is not None:
            self.task.cancel()  # its result would be stale: dropped
        self.task = task
        self.context.run_in_pool(task)

    @Slot(object)
    def _planned(self, plan) -> None:
        if getattr(self.sender(), "task", None) is not self.task:
            return
        self.task = None
        self.plan = plan
        lines = [plan.summary + "."] + plan.notes[:5]
        if len(plan.notes) > 5:
            lines.append(self.tr("… and %n more note(s)", "", len(plan.notes) - 5))
        self.summary.setText("\n".join(lines))
        self.write_button.setEnabled(True)

    @Slot(str)
    def _failed(self, message: str) -> None:
        self.task = None
        self.summary.setText(message.split("\n\n")[0].partition(": ")[2] or message.splitlines()[0])

    @Slot()
    def write(self) -> None:
        from core.shop.roundtrip import write_export

        text = self.target.text().strip()
        if self.plan is None or not text:
            return
        plan, target, only = self.plan, Path(text).expanduser(), self.changed_only.isChecked()
        task = Task(lambda progress, should_stop: write_export(plan, target, changed_only=only), "write shop export")
        task.signals.result.connect(self._written)
        task.signals.failed.connect(self._failed)
        self.write_button.setEnabled(False)
        self.task = task
        self.context.run_in_pool(task)

    @Slot(object)
    def _written(self, result: dict) -> None:
        self.task = None
        self.result = result
        self.summary.setText(self.tr("Wrote %1 rows to %2 (%3).").replace("%1", str(result["rows_written"]))
                             .replace("%2", result["path"]).replace("%3", result["summary"]))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Close"))

    def done(self, code: int) -> None:
        if self.task is not None:
            self.task.cancel()
        super().done(code)
