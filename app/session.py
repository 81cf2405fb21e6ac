"""The running app's one open catalog and its window, and opening another catalog without a restart."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication

from app.context import AppContext
from app.views.main_window import MainWindow

log = logging.getLogger(__name__)


class Session(QObject):
    """The running app's one open catalog and its window. `switch()` opens another catalog without a
    restart: the old window's one shutdown path stops its workers and closes its catalog (writer and
    window locks, vector stores, caches, the model thread and its registry), then a new context and
    window open the other catalog, so every view reads it from scratch."""

    switched = Signal(object)  # the new MainWindow

    def __init__(self, relay=None) -> None:
        super().__init__()
        self.relay = relay
        self.context = None
        self.window = None
        QApplication.instance().aboutToQuit.connect(self._quit)  # also covers quitting without a close

    def open(self, root: Path | None):
        """Open a catalog and build its window (not shown); its models start once it is on screen."""
        context = AppContext.open(root, start_models=False)
        try:
            window = MainWindow(context)
        except BaseException:
            context.shutdown()
            raise
        window.switches_in_place = True
        window.open_catalog_requested.connect(self.switch)
        window.exposed.connect(context.start_models)
        if self.relay is not None:
            self.relay.error.connect(window.show_error)
        self.context, self.window = context, window
        return window

    @Slot(object)
    def switch(self, root) -> bool:
        """Close the open catalog and open `root` in a new window in the old one's place; when `root`
        cannot be opened, the old catalog opens again and the error says why. True when switched."""
        app = QApplication.instance()
        old_window, old_root = self.window, self.context.catalog.root
        geometry = old_window.saveGeometry()
        quit_on_close = app.quitOnLastWindowClosed()
        app.setQuitOnLastWindowClosed(False)  # between the two windows, none is open
        try:
            old_window.close()  # cancels and waits for every worker, closes the catalog, frees its locks
            old_window.deleteLater()
            error = None
            try:
                window = self.open(Path(root))
            except Exception as exc:
                log.exception("could not open the catalog %s", root)
                error = (f"Could not open the catalog {root}: {exc}", traceback.format_exc())
                window = self.open(old_root)
            window.restoreGeometry(geometry)
            window.show()
            if error is not None:
                window.show_error(*error)
            else:
                window.show_message(f"Opened {window.context.catalog.root}")
            self.switched.emit(window)
            return error is None
        finally:
            app.setQuitOnLastWindowClosed(quit_on_close)

    @Slot()
    def _quit(self) -> None:
        if self.context is not None:
            self.context.shutdown()
