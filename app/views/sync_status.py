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

from app.views.tiles import plain_tip


def _when(value: str | None) -> str:
    return value.replace("T", " ")[:16] if value else "never"


def describe(data: dict[str, Any], enabled: bool, running: bool) -> tuple[str, str]:
    """(short text for the status bar, tooltip) from the outbox status and the last report."""
    status, report = data.get("status") or {}, data.get("report") or {}
    pending, failed = status.get("pending", 0), status.get("failed", 0)
    held = len(status.get("quarantined") or [])
    if running:
        text = "Syncing…"
    elif failed or (report and not report.get("ok", True) and enabled):
        text = f"⚠ Sync: {pending} pending, {failed} failed"
    elif held:
        text = f"⚠ Sync: {held} remote item(s) quarantined"
    elif not enabled:  # sync is off and nothing waits: nothing worth a word in the status bar
        text = f"Sync: {pending} pending (off)" if pending else ""
    else:
        text = f"Sync: {pending} pending" if pending else "Sync: up to date"
    tip = [f"{pending} change(s) waiting to be sent, {failed} failed", f"Last sync: {_when(status.get('last_sync'))}"]
    if held:
        tip.append(f"{held} remote item(s) could not be read or verified and were set aside; the rest synced")
    if report.get("reason"):
        tip.append(f"Last run: {report['reason']}")
    return text, "\n".join(tip)


class SyncBadge(QToolButton):
    """The status-bar widget; a click opens the sync panel."""

    def __init__(self, service, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setText("Sync: …")
        service.status_changed.connect(self._update)
        service.running_changed.connect(self._running)

    @Slot(object)
    def _update(self, data: dict) -> None:
        text, tip = describe(data, self.service.enabled, self.service.running)
        self.setText(text)
        self.setVisible(bool(text))
        self.setToolTip(plain_tip(tip + "\nClick for details"))  # S3 keys and errors are text, never markup

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
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setToolTip("Send pending corrections and fetch other curators' (Ctrl+Shift+S)")
        self.sync_button.clicked.connect(service.sync_now)
        self.errors = QTreeWidget()
        self.errors.setHeaderLabels(["Item", "State", "Tries", "Reason"])
        self.errors.setRootIsDecorated(False)
        form = QFormLayout()
        form.addRow("Waiting to send:", self.pending)
        form.addRow("Sent:", self.sent)
        form.addRow("Last sync:", self.last)
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
        self.sync_button.setText("Syncing…" if running else "Sync now")

    @Slot(object)
    def _update(self, data: dict) -> None:
        status, report = data.get("status") or {}, data.get("report") or {}
        self.pending.setText(str(status.get("pending", 0)))
        self.sent.setText(f"{status.get('sent', 0)} · {status.get('failed', 0)} failed")
        self.last.setText(_when(status.get("last_sync")))
        lines = []
        if not self.service.enabled:
            lines.append("Sync is off: corrections wait here until S3 is enabled in Settings → Sync.")
        if report:
            if report.get("reason"):
                lines.append(f"Last run: {report['reason']}")
            elif report.get("ok"):
                lines.append(f"Last run: {report.get('pushed', 0)} sent, {report.get('pulled', 0)} received.")
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
