"""Sync status: a status-bar badge (pending count, last sync, trouble) and a small panel with the errors."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import translate
from app.views.tiles import plain_tip


def _when(value: Any) -> str:
    """A time for people. The outbox status keeps the last run as a dict ({at, ok, last_ok_at, ...});
    older callers passed the time itself: both read."""
    if isinstance(value, dict):
        ok_at, at = value.get("last_ok_at"), value.get("at")
        if value.get("ok") or not at:
            return _when(ok_at or at)
        return translate("sync", "%1 (failed; last ok %2)").replace("%1", _when(at)).replace("%2", _when(ok_at))
    return str(value).replace("T", " ")[:16] if value else translate("sync", "never")


def describe(data: dict[str, Any], enabled: bool, running: bool) -> tuple[str, str]:
    """(short text for the status bar, tooltip) from the outbox status and the last report."""
    status, report = data.get("status") or {}, data.get("report") or {}
    pending, failed = status.get("pending", 0), status.get("failed", 0)
    held = len(status.get("quarantined") or [])
    if running:
        text = translate("sync", "Syncing…")
    elif failed or (report and not report.get("ok", True) and enabled):
        text = "⚠ " + translate("sync", "Sync: %1 pending, %2 failed").replace("%1", str(pending)).replace(
            "%2", str(failed))
    elif held:
        text = "⚠ " + translate("sync", "Sync: %n remote items quarantined", None, held)
    elif not enabled:  # sync is off: no running counter in the status bar (the tooltip and the panel keep it)
        text = translate("sync", "Sync off") if pending else ""
    else:
        text = translate("sync", "Sync: %n pending", None, pending) if pending else translate(
            "sync", "Sync: up to date")
    tip = [translate("sync", "%n changes waiting to be sent", None, pending) + ", "
           + translate("sync", "%n failed", None, failed),
           translate("sync", "Last sync: %1").replace("%1", _when(status.get("last_sync")))]
    if held:
        tip.append(translate("sync", "%n remote items could not be read or verified and were set aside; the rest "
                             "synced", None, held))
    if report.get("reason"):
        tip.append(translate("sync", "Last run: %1").replace("%1", report["reason"]))
    return text, "\n".join(tip)


class SyncBadge(QToolButton):
    """The status-bar widget; a click opens the sync panel."""

    def __init__(self, service, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setText(self.tr("Sync: …"))
        service.status_changed.connect(self._update)
        service.running_changed.connect(self._running)

    @Slot(object)
    def _update(self, data: dict) -> None:
        text, tip = describe(data, self.service.enabled, self.service.running)
        self.setText(text)
        self.setVisible(bool(text))
        self.setToolTip(plain_tip(tip + "\n" + self.tr("Click for details")))  # S3 keys and errors are text

    @Slot(bool)
    def _running(self, _running: bool) -> None:
        self._update({"status": self.service.status, "report": self.service.report})


class SyncPanel(QWidget):
    """Pending count, last sync, each error with its reason, and Sync now."""

    status_message = Signal(str)

    def __init__(self, service, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.pending = QLabel("—")
        self.sent = QLabel("—")
        self.last = QLabel("—")
        self.reason = QLabel()
        self.reason.setTextFormat(Qt.TextFormat.PlainText)  # S3 keys and errors are text, never markup
        self.reason.setWordWrap(True)
        self.sync_button = QPushButton(self.tr("Sync now"))
        self.sync_button.setToolTip(self.tr("Send pending corrections and fetch other curators' (Ctrl+Shift+S)"))
        self.sync_button.clicked.connect(service.sync_now)
        self.errors = QTreeWidget()
        self.errors.setHeaderLabels([self.tr("Item"), self.tr("State"), self.tr("Tries"), self.tr("Reason")])
        self.errors.setRootIsDecorated(False)
        form = QFormLayout()
        form.addRow(self.tr("Waiting to send:"), self.pending)
        form.addRow(self.tr("Sent:"), self.sent)
        form.addRow(self.tr("Last sync:"), self.last)
        top = QHBoxLayout()
        top.addLayout(form, 1)
        top.addWidget(self.sync_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.reason)
        layout.addWidget(self.errors, 1)
        service.status_changed.connect(self._update)
        service.running_changed.connect(self._running)

    @Slot(bool)
    def _running(self, running: bool) -> None:
        self.sync_button.setEnabled(not running)
        self.sync_button.setText(self.tr("Syncing…") if running else self.tr("Sync now"))

    @Slot(object)
    def _update(self, data: dict) -> None:
        status, report = data.get("status") or {}, data.get("report") or {}
        self.pending.setText(str(status.get("pending", 0)))
        self.sent.setText(f"{status.get('sent', 0)} · {status.get('failed', 0)} failed")
        self.last.setText(_when(status.get("last_sync")))
        lines = []
        if not self.service.enabled:
            lines.append(self.tr("Sync is off: corrections wait here until S3 is enabled in Settings → Sync."))
        if report:
            if report.get("reason"):
                lines.append(self.tr("Last run: %1").replace("%1", report["reason"]))
            elif report.get("ok"):
                lines.append(self.tr("Last run: %1 sent, %2 received.").replace("%1", str(report.get("pushed", 0)))
                             .replace("%2", str(report.get("pulled", 0))))
        self.reason.setText("\n".join(lines))
        self.errors.clear()
        rows = list(status.get("errors", [])) + [
            {"key": e.get("key") or "—", "state": "run", "attempts": "", "reason": e.get("reason", "")}
            for e in report.get("errors", [])] + [
            {"key": q.get("key"), "state": "quarantined", "attempts": q.get("attempts", ""),
             "reason": q.get("reason", "")} for q in status.get("quarantined", [])]
        for e in rows:
            item = QTreeWidgetItem([str(e.get("key")), str(e.get("state", "")), str(e.get("attempts", "")),
                                    str(e.get("reason", ""))])
            item.setToolTip(3, plain_tip(str(e.get("reason", ""))))
            self.errors.addTopLevelItem(item)
