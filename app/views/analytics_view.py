"""Search analytics: queries per day, zero-result rate, latency, clicks by rank (pyqtgraph)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.search.analytics import analytics_report


class AnalyticsView(QWidget):
    def __init__(self, context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.report: dict | None = None
        self._task = None
        self.days = QComboBox()
        for d in (7, 30, 90, 365):
            self.days.addItem(self.tr("Last %n days", "", d), d)
        self.days.setCurrentIndex(1)
        self.days.currentIndexChanged.connect(self.refresh)
        refresh = QPushButton(self.tr("Refresh"))
        refresh.clicked.connect(self.refresh)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # error messages name files: text, never markup
        self.summary.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.days)
        head.addWidget(refresh)
        head.addWidget(self.summary, 1)
        pal = self.palette()
        fg = pal.color(QPalette.ColorRole.WindowText)
        self._brush = pg.mkBrush(pal.color(QPalette.ColorRole.Accent))
        self._pen = pg.mkPen(pal.color(QPalette.ColorRole.Accent), width=2)
        self._muted = pal.color(QPalette.ColorRole.PlaceholderText)
        self.plots = {}
        before = set(QApplication.topLevelWidgets())
        grid = QGridLayout()
        for n, (key, title, xlab, ylab) in enumerate([
            ("per_day", self.tr("Queries per day"), self.tr("day"), self.tr("queries")),
            ("zero", self.tr("Zero-result rate"), self.tr("day"), self.tr("share")),
            ("latency", self.tr("Latency"), self.tr("ms"), self.tr("queries")),
            ("clicks", self.tr("Clicks by rank"), self.tr("rank"), self.tr("clicks")),
        ]):
            plot = pg.PlotWidget(title=title)
            plot.setBackground(pal.color(QPalette.ColorRole.Base))
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setTextPen(fg)
                plot.getAxis(axis).setPen(fg)
                plot.getAxis(axis).enableAutoSIPrefix(False)
            plot.setLabel("bottom", xlab)
            plot.setLabel("left", ylab)
            plot.setMouseEnabled(x=False, y=False)
            plot.setMenuEnabled(False)
            self.plots[key] = plot
            grid.addWidget(plot, n // 2, n % 2)
        # pyqtgraph builds its context menus without a parent; remember them to delete them with us
        self._menus = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w not in before]
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(grid, 1)

    def dispose(self) -> None:
        if self._task is not None:
            self._task.cancel()
        for menu in self._menus:
            menu.deleteLater()
        self._menus = []

    @Slot()
    def refresh(self, *_args) -> None:
        days = self.days.currentData() or 30
        if self._task is not None:
            self._task.cancel()
        self._task = self.context.run_in_pool(self.context.read(lambda: analytics_report(days), "analytics"))
        self._task.signals.result.connect(self._on_report)
        self._task.signals.failed.connect(self._on_failed)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.summary.setText(self.tr("Could not read analytics: %1").replace("%1", message.splitlines()[0]))

    @Slot(object)
    def _on_report(self, report: dict) -> None:
        if getattr(self.sender(), "task", None) is not self._task:
            return
        self._task = None
        self.report = report
        lat = report.get("latency_ms") or {}
        p50 = f"{lat['p50']:.0f}" if lat.get("p50") is not None else "—"
        p95 = f"{lat['p95']:.0f}" if lat.get("p95") is not None else "—"
        self.summary.setText(" · ".join([
            self.tr("%n queries", "", report["queries"]),
            self.tr("%1 with no results").replace("%1", f"{report['zero_result_rate']:.0%}"),
            self.tr("latency p50 %1 ms, p95 %2 ms").replace("%1", p50).replace("%2", p95),
            self.tr("%n clicks", "", report["clicks"])]))
        for plot in self.plots.values():
            plot.clear()
        per_day = report.get("queries_per_day", [])
        self._bars("per_day", [r["count"] for r in per_day], [r["date"][5:] for r in per_day])
        zero = report.get("zero_per_day", [])
        if zero:
            x = np.arange(len(zero))
            self.plots["zero"].plot(x, [r["rate"] for r in zero], pen=self._pen, symbol="o",
                                    symbolBrush=self._brush)
            self._ticks("zero", [r["date"][5:] for r in zero])
            self.plots["zero"].setYRange(0, 1)
            self._x_slots("zero", len(zero))
        else:
            self._empty("zero", self.tr("No searches in these days"))
        latencies = np.asarray(report.get("latencies", []), dtype=float)
        if len(latencies):
            counts, edges = np.histogram(latencies, bins=min(30, max(5, len(latencies) // 3)))
            self.plots["latency"].plot(edges, counts, stepMode="center", fillLevel=0, brush=self._brush,
                                       pen=self._pen)
        else:
            self._empty("latency", self.tr("No searches in these days"))
        clicks = report.get("clicks_by_rank", {})
        ranks = sorted(int(r) for r in clicks)
        self._bars("clicks", [clicks[str(r)] for r in ranks], [str(r) for r in ranks])
        if not per_day:
            self._empty("per_day", self.tr("No searches in these days"))
        if not ranks:
            self._empty("clicks", self.tr("No result was opened from a search yet"))

    def _bars(self, key: str, heights: list, labels: list[str]) -> None:
        if not heights:
            return
        x = np.arange(len(heights))
        self.plots[key].addItem(pg.BarGraphItem(x=x, height=heights, width=0.7, brush=self._brush))
        self._ticks(key, labels)
        self._x_slots(key, len(heights))

    def _x_slots(self, key: str, n: int) -> None:
        """At least seven slots on the axis: one day is one slim bar, not a block across the whole chart."""
        slots = max(n, 7)
        self.plots[key].setXRange(-0.5 - (slots - n) / 2, n - 0.5 + (slots - n) / 2, padding=0)

    def _empty(self, key: str, words: str) -> None:
        """An empty chart says why, in its middle, instead of showing bare axes."""
        plot = self.plots[key]
        text = pg.TextItem(words, color=self._muted, anchor=(0.5, 0.5))
        plot.addItem(text)
        plot.setXRange(0, 1, padding=0)
        plot.setYRange(0, 1, padding=0)
        text.setPos(0.5, 0.5)

    def _ticks(self, key: str, labels: list[str]) -> None:
        step = max(1, len(labels) // 8)
        self.plots[key].getAxis("bottom").setTicks([[(i, t) for i, t in enumerate(labels) if i % step == 0]])
