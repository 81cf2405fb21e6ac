"""Operations: jobs and throughput, error rate, seconds per product against the SLA, search latency,
device and GPU memory; drift alarms to acknowledge; model versions to promote or delete; the optional
Prometheus endpoint. Figures are read in the pool every few seconds; the status bar badge shows open alarms."""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.views.tiles import plain_tip
from app.workers.model_thread import ModelTask
from core.ops.health import DriftRow, HeadRow, HealthReport, acknowledge_drift, read_health

log = logging.getLogger(__name__)

REFRESH_MS = 5_000  # while the health tab is shown
BACKGROUND_REFRESH_MS = 30_000  # otherwise: enough for the alarm badge


def _num(value, fmt: str, none: str = "—") -> str:
    return none if value is None else format(value, fmt)


class HealthMonitor(QObject):
    """Reads the health figures on a timer (in the pool) and serves them to the view, the badge and
    the Prometheus endpoint, which only ever sees the last snapshot (no database work on its thread)."""

    updated = Signal(object)

    def __init__(self, context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.data: HealthReport | None = None
        self.metrics = None  # (server, thread) of the Prometheus endpoint
        self._task = None
        self._again = False
        self._stopped = False
        self.timer = QTimer(self)
        self.timer.setInterval(BACKGROUND_REFRESH_MS)
        self.timer.timeout.connect(self.refresh)

    def start(self) -> None:
        self.timer.start()
        self.refresh()
        if self.context.settings.prometheus_port > 0:
            self.set_metrics(True)

    def set_fast(self, fast: bool) -> None:
        self.timer.setInterval(REFRESH_MS if fast else BACKGROUND_REFRESH_MS)
        if fast:
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        if self._stopped:
            return
        if self._task is not None:
            self._again = True  # the read in flight may predate the change: read once more after it
            return
        catalog = self.context.catalog
        task = self.context.read(lambda: read_health(catalog, load_torch=False), "health")
        task.signals.result.connect(self._on_read)
        task.signals.finished.connect(self._on_finished)
        self._task = task
        self.context.run_in_pool(task)

    @property
    def busy(self) -> bool:
        return self._task is not None

    @Slot(object)
    def _on_read(self, data: HealthReport) -> None:
        self.data = data
        self.updated.emit(data)

    @Slot()
    def _on_finished(self) -> None:
        self._task = None
        if self._again:
            self._again = False
            self.refresh()

    def snapshot(self) -> dict[str, Any]:
        return dict(self.data.snapshot) if self.data else {}

    # --- Prometheus ----------------------------------------------------------------------------
    def set_metrics(self, on: bool) -> str:
        """Start or stop the endpoint; returns what the curator should read."""
        port = self.context.settings.prometheus_port
        if on and self.metrics is None:
            if port <= 0:
                return "Set a Prometheus port in the settings first."
            from core.ops.metrics import serve_metrics

            try:
                self.metrics = serve_metrics(port, self.snapshot)
            except OSError as exc:
                return f"Could not serve metrics on 127.0.0.1:{port}: {exc.strerror or exc}"
            log.info("metrics served on 127.0.0.1:%d", port)
        elif not on and self.metrics is not None:
            server, thread = self.metrics
            self.metrics = None
            server.shutdown()
            server.server_close()
            thread.join(5)
        return f"Metrics on http://127.0.0.1:{port}/metrics" if self.metrics else "Metrics endpoint off"

    def stop(self) -> None:
        """Part of the one shutdown path."""
        self._stopped = True
        self.timer.stop()
        if self._task is not None:
            self._task.cancel()
        self.set_metrics(False)


class AlarmBadge(QToolButton):
    """Status-bar badge, shown while drift alarms wait to be acknowledged."""

    def __init__(self, monitor: HealthMonitor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoRaise(True)
        self.setStyleSheet("QToolButton { color: #b00020; font-weight: bold; }")
        self.hide()
        monitor.updated.connect(self._update)

    @Slot(object)
    def _update(self, data: HealthReport) -> None:
        n = data.open_alarms
        self.setText("⚠ " + self.tr("%n drift alarms", "", n))
        self.setToolTip(self.tr("New images do not look like the catalog's reference. Click to review in Health."))
        self.setVisible(n > 0)


class HealthView(QWidget):
    status_message = Signal(str)

    def __init__(self, context, monitor: HealthMonitor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.monitor = monitor
        self.figures: dict[str, QLabel] = {}
        self._promote_task: ModelTask | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self._figures_box())
        lower = QHBoxLayout()
        lower.addWidget(self._drift_box(), 1)
        right = QVBoxLayout()
        right.addWidget(self._versions_box(), 1)
        right.addWidget(self._heads_box(), 1)
        lower.addLayout(right, 1)
        layout.addLayout(lower, 1)
        self.footer = QLabel()
        self.footer.setStyleSheet("color: palette(placeholder-text)")
        layout.addWidget(self.footer)
        monitor.updated.connect(self._update)

    def _figures_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Last 7 days"))
        grid = QGridLayout(box)
        names = [("jobs", self.tr("Jobs")), ("throughput", self.tr("Throughput")), ("errors", self.tr("Error rate")),
                 ("sla", self.tr("Seconds per product")), ("latency", self.tr("Search latency")),
                 ("device", self.tr("Device")), ("gpu", self.tr("GPU memory")), ("products", self.tr("Products"))]
        for n, (key, title) in enumerate(names):
            caption = QLabel(title)
            caption.setStyleSheet("color: palette(placeholder-text)")
            value = QLabel("—")
            value.setStyleSheet("font-size: 15pt;")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.figures[key] = value
            grid.addWidget(caption, (n // 4) * 2, n % 4)
            grid.addWidget(value, (n // 4) * 2 + 1, n % 4)
        self.metrics_toggle = QCheckBox(self.tr("Prometheus endpoint"))
        self.metrics_toggle.toggled.connect(self._toggle_metrics)
        self.metrics_state = QLabel()
        grid.addWidget(self.metrics_toggle, 4, 0)
        grid.addWidget(self.metrics_state, 4, 1, 1, 3)
        return box

    def _drift_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Drift alarms"))
        self.drift = QTreeWidget()
        self.drift.setHeaderLabels([self.tr("When"), self.tr("Model version"), self.tr("p-value"), self.tr("Batch"),
                                    self.tr("State")])
        self.drift.setRootIsDecorated(False)
        self.ack_button = QPushButton(self.tr("Acknowledge"))
        self.ack_button.setToolTip(self.tr("Mark the selected alarm (or all open ones when none is selected) as seen"))
        self.ack_button.clicked.connect(self.acknowledge)
        layout = QVBoxLayout(box)
        layout.addWidget(self.drift, 1)
        layout.addWidget(self.ack_button, 0, Qt.AlignmentFlag.AlignRight)
        return box

    def _versions_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Model versions"))
        self.versions = QTreeWidget()
        self.versions.setHeaderLabels([self.tr("Model version"), self.tr("Embedder"), self.tr("State"),
                                       self.tr("Vectors"), self.tr("Searches")])
        self.versions.setRootIsDecorated(False)
        self.promote_button = QPushButton(self.tr("Promote"))
        self.promote_button.setToolTip(self.tr("Make the selected version the one searches use"))
        self.promote_button.clicked.connect(lambda: self.promote(self.selected_version()))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.delete_button.setToolTip(self.tr("Delete the selected version's index (never the active one)"))
        self.delete_button.clicked.connect(lambda: self.delete_version(self.selected_version()))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.promote_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.versions, 1)
        layout.addLayout(buttons)
        return box

    def _heads_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Label heads (trained from curators' labels)"))
        self.heads = QTreeWidget()
        self.heads.setHeaderLabels([self.tr("Vocabulary"), self.tr("Examples"), self.tr("Head"), self.tr("Without it"),
                                    self.tr("Used")])
        self.heads.setRootIsDecorated(False)
        self.heads.setToolTip("A head labels products only where it beat, on held-out curator labels, what the "
                              "app gives without it (CLIP zero-shot, or colours named from pixels)")
        layout = QVBoxLayout(box)
        layout.addWidget(self.heads, 1)
        return box

    # --- showing -------------------------------------------------------------------------------
    @Slot(object)
    def _update(self, data: HealthReport) -> None:
        s = data.snapshot
        f = self.figures
        jobs = s.get("jobs", {})
        f["jobs"].setText(" · ".join(f"{n} {state}" for state, n in jobs.items() if n) or "none")
        f["throughput"].setText(f"{_num(s.get('products_per_s'), '.2f')} products/s")
        f["errors"].setText(f"{s.get('error_rate', 0.0):.1%} of {s.get('indexing_results', 0)}")
        sla = s.get("sla_seconds_per_product")
        ok = s.get("sla_ok", True)
        f["sla"].setText(f"{_num(s.get('seconds_per_product'), '.2f')} s (target {_num(sla, '.2f')} s)")
        f["sla"].setStyleSheet(f"font-size: 15pt; color: {'palette(text)' if ok else '#b00020'};")
        f["sla"].setToolTip(f"p95 {_num(s.get('seconds_per_product_p95'), '.2f')} s · "
                            + ("within the target" if ok else "over the target"))
        f["latency"].setText("no searches yet" if not s.get("searches") else
                             f"p50 {_num(s.get('search_latency_p50_ms'), '.0f')} ms · "
                             f"p95 {_num(s.get('search_latency_p95_ms'), '.0f')} ms")
        f["latency"].setToolTip(f"{s.get('searches', 0)} searches")
        f["device"].setText(str(s.get("device", "cpu")))
        f["device"].setToolTip(f"torch {s.get('torch', '?')}, {s.get('threads', '?')} threads")
        used, total = s.get("gpu_memory_used_mb"), s.get("gpu_memory_total_mb")
        f["gpu"].setText(f"{used:,} of {total:,} MB" if used is not None and total else self.tr("no GPU"))
        f["products"].setText(self.tr("%1 of %2 indexed").replace("%1", f"{s.get('indexed', 0):,}").replace(
            "%2", f"{s.get('products', 0):,}"))
        self._fill_drift(data.drift)
        self._fill_versions(data.versions)
        self._fill_heads(data.heads)
        self.footer.setText(self.tr("Updated %1 · read in %2 ms").replace("%1", time.strftime("%H:%M:%S")).replace(
            "%2", f"{data.read_ms:.0f}"))

    def _fill_drift(self, rows: tuple[DriftRow, ...]) -> None:
        selected = self._selected_id(self.drift)
        self.drift.clear()
        for row in rows:
            item = QTreeWidgetItem([row.when, row.model_version, f"{row.p_value:.2g}",
                                    str(row.batch_size), self.tr("seen") if row.acknowledged else self.tr("OPEN")])
            item.setData(0, Qt.ItemDataRole.UserRole, row.id)
            item.setToolTip(1, "\n".join(f"{k}: {v}" for k, v in row.details.items()))
            if not row.acknowledged:
                item.setForeground(4, Qt.GlobalColor.red)
            self.drift.addTopLevelItem(item)
            if row.id == selected:
                self.drift.setCurrentItem(item)
        if not rows:
            self.drift.addTopLevelItem(QTreeWidgetItem(["", self.tr("No drift detected"), "", "", ""]))
        for col in range(self.drift.columnCount()):
            self.drift.resizeColumnToContents(col)
        self.ack_button.setEnabled(any(not r.acknowledged for r in rows))

    def _fill_versions(self, rows: list[dict]) -> None:
        selected = self.selected_version()
        self.versions.clear()
        for row in rows:
            item = QTreeWidgetItem([row["model_version"], row["embedder"], row["state"],
                                    f"{row['vectors']:,} / {row['products']:,}",
                                    "● " + self.tr("active") if row["active"] else ""])
            item.setData(0, Qt.ItemDataRole.UserRole, row["model_version"])
            item.setToolTip(0, f"dim {row['dim']}, preprocess {row['preprocess_version']}, "
                               f"created {row['created_at'][:16]}")
            self.versions.addTopLevelItem(item)
            if row["model_version"] == selected:
                self.versions.setCurrentItem(item)
        for col in range(self.versions.columnCount()):
            self.versions.resizeColumnToContents(col)

    def _fill_heads(self, rows: tuple[HeadRow, ...]) -> None:
        self.heads.clear()
        for row in rows:
            base = row.baseline or "no baseline"
            without = (f"{row.baseline_accuracy:.0%} ({base})" if row.baseline_accuracy is not None
                       else f"— ({base})")
            item = QTreeWidgetItem([row.vocabulary, str(row.examples), f"{row.head_accuracy:.0%}", without,
                                    "● " + self.tr("used") if row.active else self.tr("not used")])
            item.setToolTip(0, f"{row.version}\ntrained {row.when}")
            self.heads.addTopLevelItem(item)
        if not rows:
            self.heads.addTopLevelItem(QTreeWidgetItem(["", self.tr("Not enough curator labels yet"), "", "", ""]))
        for col in range(self.heads.columnCount()):
            self.heads.resizeColumnToContents(col)

    @staticmethod
    def _selected_id(tree: QTreeWidget):
        item = tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def selected_version(self) -> str | None:
        return self._selected_id(self.versions)

    # --- actions -------------------------------------------------------------------------------
    @Slot(bool)
    def _toggle_metrics(self, on: bool) -> None:
        text = self.monitor.set_metrics(on)
        self.metrics_state.setText(text)
        if on and self.monitor.metrics is None:
            self.metrics_toggle.blockSignals(True)
            self.metrics_toggle.setChecked(False)
            self.metrics_toggle.blockSignals(False)

    def sync_metrics_toggle(self) -> None:
        self.metrics_toggle.blockSignals(True)
        self.metrics_toggle.setChecked(self.monitor.metrics is not None)
        self.metrics_toggle.blockSignals(False)
        port = self.context.settings.prometheus_port
        self.metrics_toggle.setEnabled(port > 0)
        self.metrics_state.setText(f"http://127.0.0.1:{port}/metrics" + ("" if self.monitor.metrics else " (off)")
                                   if port > 0 else self.tr("Set a port in Settings to serve metrics"))

    @Slot()
    def acknowledge(self) -> None:
        chosen = self._selected_id(self.drift)
        n = acknowledge_drift(chosen)
        self.status_message.emit(self.tr("%n drift alarms acknowledged", "", n))
        self.monitor.refresh()

    def promote(self, version: str | None) -> ModelTask | None:
        """On the model thread: searches must not run half against the old index; then reload the models."""
        if not version or self._promote_task is not None:
            return None
        catalog = self.context.catalog

        def work(registry, progress, should_stop):
            from core.ops.lifecycle import promote

            before = catalog.active_model_version()
            promote(catalog, version)
            return {"version": version, "changed": before != version}

        task = ModelTask(work, f"promote {version}")
        task.signals.result.connect(self._on_promoted)
        task.signals.failed.connect(self._on_action_failed)
        task.signals.finished.connect(self._on_promote_finished)
        self._promote_task = task
        return self.context.run_model_task(task)

    @Slot(object)
    def _on_promoted(self, result: dict) -> None:
        if result["changed"]:
            self.context.reload_models()  # queries must match the vectors
        self.status_message.emit(f"{result['version']} now serves searches")
        self.monitor.refresh()

    @Slot()
    def _on_promote_finished(self) -> None:
        self._promote_task = None

    @Slot(str)
    def _on_action_failed(self, message: str) -> None:
        summary, _, details = message.partition("\n\n")
        self.context.error.emit(self.tr("The model version could not be changed: %1").replace("%1", summary), details)

    @Slot(object)
    def _on_deleted(self, version: str) -> None:
        self.status_message.emit(self.tr("%1 deleted").replace("%1", version))

    def delete_version(self, version: str | None, *, confirm: bool = True) -> ModelTask | None:
        if not version:
            return None
        if confirm and QMessageBox.question(
                self, self.tr("Delete model version"), plain_tip(self.tr(
                    "Delete the index of %1? Its vectors are removed; the embedding cache keeps the crops.")
                    .replace("%1", version))) != QMessageBox.StandardButton.Yes:
            return None
        catalog = self.context.catalog

        def work(registry, progress, should_stop):
            from core.ops.lifecycle import delete_version

            delete_version(catalog, version)
            return version

        task = ModelTask(work, f"delete {version}")
        task.signals.result.connect(self._on_deleted)
        task.signals.failed.connect(self._on_action_failed)
        task.signals.finished.connect(self.monitor.refresh)
        return self.context.run_model_task(task)
