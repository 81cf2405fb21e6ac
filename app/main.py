"""Starts the desktop app: the QApplication, logging and excepthooks, the context, the main window;
optionally a screenshot once everything visible is ready.

torch is not imported here: the window must be on screen before torch (2-4 s of imports) loads, so the
model thread imports it while the window is already usable (browsing, the model state in the status
bar). tests/test_launch.py keeps the window's modules free of torch.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

LAUNCHED_AT = time.perf_counter()
EXPOSED_ENV = "CATALOG_CURATOR_REPORT_EXPOSED"  # print when the window is on screen (bench)
QUIT_ENV = "CATALOG_CURATOR_QUIT_WHEN_EXPOSED"  # then close it through the normal shutdown path
SCREENSHOT_TIMEOUT_S = 600

log = logging.getLogger(__name__)


def create_application(argv: list[str] | None = None):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName("Catalog Curator")
        app.setOrganizationName("CatalogCurator")
        app.setDesktopFileName("catalog-curator")
        icon = Path(__file__).resolve().parents[1] / "resources" / "icons" / "app.png"
        if icon.is_file():
            app.setWindowIcon(QIcon(str(icon)))
    return app


def apply_appearance(theme: str | None = None, language: str | None = None) -> None:
    """The theme and language: those given (`gui --theme dark --lang de`) for this run, else the curator's
    choice in Settings → Appearance. Before any window is built, so every string is translated."""
    from app import i18n
    from app.theme import load_appearance
    from app.theme import theme as app_theme

    prefs = load_appearance()
    i18n.install(language or prefs["language"])
    app_theme().apply(theme or prefs["theme"])


def run_gui(catalog: Path | None = None, screenshot: Path | None = None, size: tuple[int, int] | None = None,
            view: str | None = None, theme: str | None = None, language: str | None = None) -> int:
    app = create_application()
    apply_appearance(theme, language)
    from app.logging_setup import (
        ErrorRelay,
        close_logging,
        install_excepthooks,
        setup_logging,
        uninstall_excepthooks,
    )

    log_path = setup_logging()
    log.info("starting; log at %s", log_path)
    relay = ErrorRelay()
    install_excepthooks(relay)
    from app.session import Session

    session = Session(relay)
    try:
        window = session.open(catalog)
    except Exception as exc:  # a catalog newer than this app, unreadable folder: say so and stop
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtWidgets import QMessageBox

        log.exception("could not open the catalog")
        from app.views.tiles import plain_tip  # a folder name in the message is text, never markup

        QMessageBox.critical(None, "Catalog Curator", plain_tip(QCoreApplication.translate(
            "run_gui", "The catalog could not be opened:\n{error}").format(error=exc)))
        uninstall_excepthooks()
        return 2
    if os.environ.get(EXPOSED_ENV):
        # Wall seconds since this module loaded, and this process's CPU seconds (a loaded machine's wall
        # clock waits for a core; CPU time is what a quiet one would show).
        window.exposed.connect(lambda: print(f"WINDOW_EXPOSED {time.perf_counter() - LAUNCHED_AT:.3f} "
                                             f"cpu {time.process_time():.3f}", flush=True))
    if os.environ.get(QUIT_ENV):
        window.exposed.connect(window.close)
    if size is not None:
        window.resize(*size)
    if view is not None:
        window.show_view(view)
    if screenshot is not None:
        shooter = Screenshot(window, Path(screenshot), size)
        shooter.start()
    window.show()
    code = app.exec()
    session.window.close()
    uninstall_excepthooks()
    close_logging()
    return code if screenshot is None else (0 if shooter.saved else 1)


class Screenshot:
    """Waits until the window is settled (models, visible thumbnails), grabs it to PNG and quits."""

    def __init__(self, window, path: Path, size: tuple[int, int] | None = None) -> None:
        from PySide6.QtCore import QTimer

        self.window = window
        self.path = path
        self.size = size
        self.saved = False
        self._started = time.monotonic()
        self._settled_since: float | None = None
        self.timer = QTimer(window)
        self.timer.setInterval(200)
        self.timer.timeout.connect(self._poll)

    def start(self) -> None:
        self.timer.start()

    def _poll(self) -> None:
        from PySide6.QtWidgets import QApplication

        if self.window.settled():
            self._settled_since = self._settled_since or time.monotonic()
        else:
            self._settled_since = None
        timed_out = time.monotonic() - self._started > SCREENSHOT_TIMEOUT_S
        if (self._settled_since and time.monotonic() - self._settled_since > 0.6) or timed_out:
            self.timer.stop()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            actual = (self.window.width(), self.window.height())
            if self.size is not None and actual != tuple(self.size):
                # The content asked for more room than the size given: a failure, not a bigger picture.
                log.error("screenshot: the window is %dx%d, not the %dx%d asked for", *actual, *self.size)
            else:
                self.saved = self.window.grab().save(str(self.path), "PNG")
            log.info("screenshot %s: %s", "saved" if self.saved else "FAILED", self.path)
            self.window.close()
            QApplication.instance().quit()
