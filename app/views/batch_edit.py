"""Edit fields of many products at once: attributes, category, find and replace, with a preview of every change
before anything is written (calibre's bulk metadata dialog is the model). Applying is one undo step."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.views.tiles import plain_tip

PREVIEW_DELAY_MS = 250


class BatchEditDialog(QDialog):
    """The operations of core.edits.BatchOp over the selected products; the preview is computed in the pool."""

    def __init__(self, context, service, product_ids: list[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.service = service
        self.product_ids = list(dict.fromkeys(product_ids))
        self.plans: list = []
        self._task = None
        self._asked = 0  # the preview request a result belongs to: only the newest is shown
        self.setWindowTitle(self.tr("Edit fields of %n product(s)", "", len(self.product_ids)))
        # an attribute
        self.attr_action = QComboBox()
        for key, text in (("", self.tr("Leave attributes")), ("set_attribute", self.tr("Set")),
                          ("append_attribute", self.tr("Append to")), ("remove_attribute", self.tr("Remove"))):
            self.attr_action.addItem(text, key)
        self.attr_key = QLineEdit(placeholderText=self.tr("attribute, e.g. color"))
        self.attr_value = QLineEdit(placeholderText=self.tr("value"))
        attr_row = QHBoxLayout()
        for w in (self.attr_action, self.attr_key, self.attr_value):
            attr_row.addWidget(w)
        # the category
        self.set_category = QCheckBox(self.tr("Set the category to"))
        self.category = QLineEdit(placeholderText=self.tr("e.g. Men/Tops/Hoodies"))
        cat_row = QHBoxLayout()
        cat_row.addWidget(self.set_category)
        cat_row.addWidget(self.category, 1)
        # find and replace
        self.replace_field = QComboBox()
        self.replace_field.addItem(self.tr("Titles"), "title")
        self.replace_field.addItem(self.tr("Descriptions"), "description")
        self.find = QLineEdit(placeholderText=self.tr("find"))
        self.replace = QLineEdit(placeholderText=self.tr("replace with"))
        self.regex = QCheckBox(self.tr("Regular expression"))
        self.case = QCheckBox(self.tr("Match case"))
        self.case.setChecked(True)
        find_form = QFormLayout()
        find_form.addRow(self.tr("In:"), self.replace_field)
        find_form.addRow(self.tr("Find:"), self.find)
        find_form.addRow(self.tr("Replace with:"), self.replace)
        flags = QHBoxLayout()
        flags.addWidget(self.regex)
        flags.addWidget(self.case)
        flags.addStretch(1)
        find_form.addRow("", flags)
        ops = QGroupBox(self.tr("What to change"))
        ops_layout = QVBoxLayout(ops)
        ops_layout.addLayout(attr_row)
        ops_layout.addLayout(cat_row)
        box = QGroupBox(self.tr("Find and replace"))
        box.setLayout(find_form)
        ops_layout.addWidget(box)
        # the preview
        self.preview = QTreeWidget()
        self.preview.setHeaderLabels([self.tr("SKU"), self.tr("Change")])
        self.preview.setRootIsDecorated(False)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # product data is text, never markup
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(ops)
        layout.addWidget(QLabel(self.tr("Preview: every change, before anything is written")))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(PREVIEW_DELAY_MS)
        self.timer.timeout.connect(self.update_preview)
        for line in (self.attr_key, self.attr_value, self.category, self.find, self.replace):
            line.textChanged.connect(self._changed)
        for combo in (self.attr_action, self.replace_field):
            combo.currentIndexChanged.connect(self._changed)
        for check in (self.set_category, self.regex, self.case):
            check.toggled.connect(self._changed)
        self.resize(720, 560)
        self._changed()

    def operations(self) -> list:
        from core.edits import BatchOp

        ops = []
        action = self.attr_action.currentData()
        if action:
            ops.append(BatchOp(action, key=self.attr_key.text(), value=self.attr_value.text()))
        if self.set_category.isChecked():
            ops.append(BatchOp("set_category", value=self.category.text()))
        if self.find.text():
            ops.append(BatchOp("replace", field=self.replace_field.currentData(), find=self.find.text(),
                               value=self.replace.text(), regex=self.regex.isChecked(), case=self.case.isChecked()))
        return ops

    @Slot()
    def _changed(self, *_args) -> None:
        self.attr_value.setEnabled(self.attr_action.currentData() not in ("", "remove_attribute"))
        self.attr_key.setEnabled(bool(self.attr_action.currentData()))
        self.category.setEnabled(self.set_category.isChecked())
        self.apply_button.setEnabled(False)  # only a preview of exactly these operations can be applied
        self.summary.setText(self.tr("Working out the changes…"))
        self.timer.start()

    @Slot()
    def update_preview(self) -> None:
        """Plan the operations in the pool (reads only); the newest request's result fills the preview."""
        from core.edits import plan_batch

        ops, ids = self.operations(), self.product_ids
        self._asked += 1
        asked = self._asked
        if not ops:
            self._show([], "")
            self.summary.setText(self.tr("Choose what to change."))
            return
        task = self.context.read(lambda: plan_batch(ids, ops), "preview batch edit")
        task.asked = asked
        task.signals.result.connect(self._on_plans)
        task.signals.failed.connect(self._on_refused)
        self._task = self.context.run_in_pool(task)

    def _current(self) -> bool:
        task = getattr(self.sender(), "task", None)
        return getattr(task, "asked", None) == self._asked

    @Slot(object)
    def _on_plans(self, plans: list) -> None:
        if self._current():
            self._show(plans, "")

    @Slot(str)
    def _on_refused(self, message: str) -> None:
        if self._current():
            summary = message.partition("\n\n")[0]
            self._show([], summary.partition(": ")[2] or summary)

    def _show(self, plans: list, problem: str) -> None:
        self.plans = plans
        self.preview.clear()
        for plan in plans:
            for change in plan.changes:
                item = QTreeWidgetItem([plan.sku, change.describe()])
                item.setToolTip(1, plain_tip(change.describe()))
                self.preview.addTopLevelItem(item)
        self.preview.resizeColumnToContents(0)
        changes = sum(len(p.changes) for p in plans)
        if problem:
            self.summary.setText(self.tr("Cannot apply: {0}").format(problem))
        elif self.operations():
            self.summary.setText(self.tr("{0} changes in {1} of {2} products; the others already have these values.")
                                 .format(changes, len(plans), len(self.product_ids)))
        self.apply_button.setEnabled(bool(plans) and not problem)

    @Slot()
    def apply(self) -> None:
        if not self.plans:
            return
        n = len(self.plans)
        self.service.apply_plans(self.plans, self.tr("Edit fields of %n product(s)", "", n))
        self.accept()

    def done(self, result: int) -> None:
        self.timer.stop()
        self._asked += 1  # a preview still running is dropped
        super().done(result)


def open_batch_edit(context, service, product_ids: list[int], parent: QWidget) -> BatchEditDialog:
    dialog = BatchEditDialog(context, service, product_ids, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
